// Selection, stacking, construction and sampling kernels (see select.h).
#include "hypatia/sparse/kernels/select.h"

#include <cmath>
#include <numeric>
#include <random>

#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/value/random_state.h"

namespace hypatia::sparse_kernels {

std::vector<int64_t> slice_positions(int64_t start, int64_t step, int64_t len) {
  std::vector<int64_t> r(static_cast<size_t>(std::max<int64_t>(len, 0)));
  for (int64_t k = 0; k < len; ++k) r[k] = start + k * step;
  return r;
}

SparseMatrix select(const SparseMatrix& m, const std::vector<int64_t>* osel, const std::vector<int64_t>* isel) {
  return visit(m, [&](auto v) -> SparseMatrix {
    using T = value_t<decltype(v)>;
    const int64_t nout = osel ? static_cast<int64_t>(osel->size()) : v.outer;
    const int64_t nin = isel ? static_cast<int64_t>(isel->size()) : v.inner;
    // Inner selection as an inverse map: source inner position -> the output positions taking it.
    std::vector<int64_t> inv_ptr, inv;
    if (isel) {
      inv_ptr.assign(indptr_length(v.inner, "select"), 0);
      for (int64_t p : *isel) ++inv_ptr[p + 1];
      for (int64_t i = 0; i < v.inner; ++i) inv_ptr[i + 1] += inv_ptr[i];
      inv.resize(nin);
      std::vector<int64_t> cur(inv_ptr.begin(), inv_ptr.end() - 1);
      for (int64_t q = 0; q < nin; ++q) inv[cur[(*isel)[q]]++] = q;
    }
    auto src = [&](int64_t k) { return osel ? (*osel)[k] : k; };
    std::vector<int64_t> counts(nout, 0);
    parallel_outer(nout, v.nnz, [&](int64_t k) {
      const int64_t o = src(k);
      int64_t c = 0;
      if (!isel) c = v.end(o) - v.begin(o);
      else
        for (int64_t e = v.begin(o); e < v.end(o); ++e) c += inv_ptr[v.index(e) + 1] - inv_ptr[v.index(e)];
      counts[k] = c;
    });
    const int64_t total = checked_total(counts, "select");
    const DType idt = index_dtype_for(nout, nin, total);
    NDArray ptr(idt, {indptr_length(nout, "select")}), idx(idt, {total}), data(m.dtype(), {total});
    counts_to_indptr(counts, ptr);
    dispatch_index(idt, [&](auto j) {
      using J = decltype(j);
      const J* p = ptr.data<J>();
      J* ix = idx.data<J>();
      T* d = data.data<T>();
      parallel_outer(nout, total, [&](int64_t k) {
        const int64_t o = src(k);
        int64_t q = static_cast<int64_t>(p[k]);
        for (int64_t e = v.begin(o); e < v.end(o); ++e) {
          if (!isel) {
            ix[q] = static_cast<J>(v.index(e)), d[q++] = v.data[e];
            continue;
          }
          for (int64_t t = inv_ptr[v.index(e)]; t < inv_ptr[v.index(e) + 1]; ++t) ix[q] = static_cast<J>(inv[t]), d[q++] = v.data[e];
        }
      });
    });
    const bool csr = m.format() == SparseFormat::CSR;
    return SparseMatrix(m.format(), csr ? nout : nin, csr ? nin : nout, data, idx, ptr);
  });
}

SparseMatrix select_rows_cols(const SparseMatrix& m, const std::vector<int64_t>* rows, const std::vector<int64_t>* cols) {
  return m.format() == SparseFormat::CSR ? select(m, rows, cols) : select(m, cols, rows);
}

NDArray gather_elements(const SparseMatrix& m, const std::vector<int64_t>& rows, const std::vector<int64_t>& cols) {
  const int64_t n = static_cast<int64_t>(rows.size());
  NDArray out = NDArray::zeros(m.dtype(), {n});
  visit(m, [&](auto v) {
    using T = value_t<decltype(v)>;
    T* d = out.data<T>();
    const bool csr = m.format() == SparseFormat::CSR;
    const int64_t avg = v.outer ? v.nnz / v.outer + 1 : 1;
    parallel_outer(n, n * avg, [&](int64_t k) {
      const int64_t o = csr ? rows[k] : cols[k], i = csr ? cols[k] : rows[k];
      T acc{};
      for (int64_t e = v.begin(o); e < v.end(o); ++e)
        if (v.index(e) == i) accumulate(acc, v.data[e]);
      d[k] = acc;
    });
  });
  return out;
}

SparseMatrix from_triplets(SparseFormat format, int64_t rows, int64_t cols, const std::vector<int64_t>& r,
                           const std::vector<int64_t>& c, const NDArray& values) {
  const bool csr = format == SparseFormat::CSR;
  const int64_t outer = csr ? rows : cols, n = static_cast<int64_t>(r.size());
  const DType idt = index_dtype_for(rows, cols, n);
  std::vector<int64_t> counts(outer, 0);
  for (int64_t k = 0; k < n; ++k) ++counts[csr ? r[k] : c[k]];
  NDArray ptr(idt, {indptr_length(outer, "sparse")}), idx(idt, {n}), data(values.dtype(), {n});
  counts_to_indptr(counts, ptr);
  const NDArray vals = values.contiguous();
  dispatch_value_index(values.dtype(), idt, [&](auto t, auto j) {
    using T = decltype(t);
    using J = decltype(j);
    std::vector<int64_t> cur(outer);
    for (int64_t o = 0; o < outer; ++o) cur[o] = static_cast<int64_t>(ptr.data<J>()[o]);
    for (int64_t k = 0; k < n; ++k) {
      const int64_t q = cur[csr ? r[k] : c[k]]++;
      idx.data<J>()[q] = static_cast<J>(csr ? c[k] : r[k]);
      data.data<T>()[q] = vals.data<T>()[k];
    }
  });
  return sum_duplicates(SparseMatrix(format, rows, cols, data, idx, ptr));
}

SparseMatrix scatter_rows(const SparseMatrix& g, const std::vector<int64_t>& rows_of_g, int64_t rows, SparseFormat format) {
  // Renumbering the rows of g is a selection with a many-to-one map; through triplets.
  std::vector<int64_t> r, c;
  r.reserve(g.nnz()), c.reserve(g.nnz());
  NDArray vals = stored_data(g);
  visit(g, [&](auto v) {
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t e = v.begin(o); e < v.end(o); ++e) r.push_back(rows_of_g[v.row(o, e)]), c.push_back(v.col(o, e));
  });
  return from_triplets(format, rows, g.cols(), r, c, vals);
}

SparseMatrix rows_to_csc(int64_t rows, int64_t cols, const NDArray& values, const std::vector<int64_t>& ilist) {
  const int64_t n = static_cast<int64_t>(ilist.size()), total = checked_mul(n, cols, "sparse", "the result's nnz");
  const DType idt = index_dtype_for(rows, cols, total);
  NDArray ptr(idt, {indptr_length(cols, "sparse")}), idx(idt, {total}), data(values.dtype(), {total});
  const NDArray vals = values.contiguous();  // n x cols
  dispatch_value_index(values.dtype(), idt, [&](auto t, auto j) {
    using T = decltype(t);
    using J = decltype(j);
    J* p = ptr.data<J>();
    J* ix = idx.data<J>();
    T* d = data.data<T>();
    const T* s = vals.data<T>();
    for (int64_t c = 0; c <= cols; ++c) p[c] = static_cast<J>(c * n);
    parallel_outer(cols, total, [&](int64_t c) {
      for (int64_t k = 0; k < n; ++k) ix[c * n + k] = static_cast<J>(ilist[k]), d[c * n + k] = s[k * cols + c];
    });
  });
  return SparseMatrix(SparseFormat::CSC, rows, cols, data, idx, ptr);
}

SparseMatrix stack(const std::vector<SparseMatrix>& blocks_in, bool vertical, SparseFormat format, DType dtype,
                   const char* who) {
  if (blocks_in.empty()) value_error("[", who, "] cannot stack an empty list of sparse matrices");
  std::vector<SparseMatrix> blocks;
  int64_t along = 0;
  const int64_t across = vertical ? blocks_in[0].cols() : blocks_in[0].rows();
  for (const SparseMatrix& b : blocks_in) {
    const int64_t a = vertical ? b.cols() : b.rows();
    if (a != across)
      value_error("[", who, "] blocks must have the same number of ", vertical ? "columns" : "rows", ", got ",
                  shape_str(blocks_in[0].shape()), " and ", shape_str(b.shape()));
    along = checked_add(along, vertical ? b.rows() : b.cols(), who, "the stacked dimension");
    SparseMatrix c = convert_format(b.dtype() == dtype ? b : astype(b, dtype), format);
    blocks.push_back(c);
  }
  const int64_t rows = vertical ? along : across, cols = vertical ? across : along;
  const bool csr = format == SparseFormat::CSR;
  const int64_t outer = csr ? rows : cols;
  int64_t total = 0;
  for (const SparseMatrix& b : blocks) total = checked_add(total, b.nnz(), who, "the stacked nnz");
  const DType idt = index_dtype_for(rows, cols, total);
  NDArray ptr(idt, {indptr_length(outer, who)}), idx(idt, {total}), data(dtype, {total});
  // Stacking along the outer axis concatenates slices; along the inner axis, slice o of the
  // result is slice o of every block in turn with its inner indices shifted.
  const bool along_outer = vertical == csr;
  std::vector<int64_t> counts(outer, 0), offset(blocks.size() + 1, 0);
  for (size_t b = 0; b < blocks.size(); ++b)
    offset[b + 1] = offset[b] + (along_outer ? blocks[b].outer_size() : blocks[b].inner_size());
  for (size_t b = 0; b < blocks.size(); ++b)
    visit(blocks[b], [&](auto v) {
      for (int64_t o = 0; o < v.outer; ++o) counts[along_outer ? offset[b] + o : o] += v.end(o) - v.begin(o);
    });
  counts_to_indptr(counts, ptr);
  std::vector<int64_t> cursor(outer);
  dispatch_index(idt, [&](auto j) {
    using J = decltype(j);
    for (int64_t o = 0; o < outer; ++o) cursor[o] = static_cast<int64_t>(ptr.data<J>()[o]);
    for (size_t b = 0; b < blocks.size(); ++b)
      visit(blocks[b], [&](auto v) {
        using T = value_t<decltype(v)>;
        J* ix = idx.data<J>();
        T* d = data.data<T>();
        const int64_t shift = along_outer ? 0 : offset[b];
        parallel_outer(v.outer, v.nnz, [&](int64_t o) {
          int64_t q = cursor[along_outer ? offset[b] + o : o];
          for (int64_t e = v.begin(o); e < v.end(o); ++e) ix[q] = static_cast<J>(v.index(e) + shift), d[q++] = v.data[e];
          cursor[along_outer ? offset[b] + o : o] = q;
        });
      });
  });
  return SparseMatrix(format, rows, cols, data, idx, ptr);
}

// ---- sampling ----

SparseMatrix poisson(const SparseMatrix& x, RandomStateValue& g) {
  NDArray lam = stored_data(x).astype(DType::Float64);
  const int64_t n = lam.size();
  NDArray draws(DType::Float64, {n});
  for (int64_t k = 0; k < n; ++k) {
    const double l = lam.data<double>()[k];
    if (!(l >= 0)) value_error("[Poisson] the means must be non-negative, got ", l);
    draws.data<double>()[k] = l == 0 ? 0.0 : static_cast<double>(std::poisson_distribution<int64_t>(l)(g));
  }
  return remove_zeros(with_data(x, draws.astype(x.dtype())));
}

SparseMatrix binomial(int64_t rows, int64_t cols, int64_t n, double p, SparseFormat format, DType dtype,
                      RandomStateValue& g) {
  if (n < 0 || !(p >= 0 && p <= 1)) value_error("[Binomial] need n >= 0 and 0 <= p <= 1, got n=", n, ", p=", p);
  if (rows < 0 || cols < 0) value_error("[Binomial] negative shape (", rows, ", ", cols, ")");
  NDArray dense(DType::Float64, {rows, cols});
  std::binomial_distribution<int64_t> dist(n, p);
  for (int64_t k = 0; k < rows * cols; ++k) dense.data<double>()[k] = static_cast<double>(dist(g));
  return from_dense(dense.astype(dtype), format);
}

SparseMatrix multinomial(const std::vector<int64_t>& n, const SparseMatrix& p, RandomStateValue& g) {
  if (n.size() != 1 && static_cast<int64_t>(n.size()) != p.rows())
    value_error("[Multinomial] the number of elements of n (", n.size(), ") must be 1 or the number of rows of p (",
                p.rows(), ")");
  // The stored positions of p row by row: a csr "map" whose data are positions in p's data.
  const int64_t nnz = p.nnz();
  NDArray pos(DType::Int64, {nnz});
  std::iota(pos.data<int64_t>(), pos.data<int64_t>() + nnz, int64_t{0});
  SparseMatrix map = convert_format(with_data(p, pos, true), SparseFormat::CSR);
  NDArray pv = stored_data(p).astype(DType::Float64);
  NDArray out(DType::Float64, {nnz});
  const NDArray& mp = map.indptr();
  const int64_t* where = map.data().data<int64_t>();
  for (int64_t r = 0; r < p.rows(); ++r) {
    const int64_t b = index_at(mp, r), e = index_at(mp, r + 1);
    int64_t left = n.size() == 1 ? n[0] : n[r];
    if (left < 0) value_error("[Multinomial] n must be >= 0, got ", left);
    // numpy's checks (Theano draws each row with numpy.random.multinomial): every p in [0, 1],
    // and the Kahan sum of the row's probabilities but the last, in float64, at most 1 + 1e-12.
    // The last stored entry takes the remaining trials, so a float32 row whose sum rounds a
    // little above or below 1 is accepted, and a row with no stored entry draws nothing.
    double mass = 0, carry = 0;
    for (int64_t k = b; k < e; ++k) {
      const double v = pv.data<double>()[where[k]];
      if (!(v >= 0 && v <= 1))
        value_error("[Multinomial] probabilities must be in [0, 1] (not NaN), got ", v, " in row ", r);
      if (k + 1 == e) break;
      const double y = v - carry, t = mass + y;
      carry = (t - mass) - y;
      mass = t;
    }
    if (mass > 1.0 + 1e-12)
      value_error("[Multinomial] the probabilities of row ", r, " but the last sum to ", mass, " > 1");
    mass = 1.0;
    for (int64_t k = b; k < e; ++k) {
      const double v = pv.data<double>()[where[k]];
      int64_t draw = left;
      if (k + 1 < e) {
        const double q = mass > 0 ? std::clamp(v / mass, 0.0, 1.0) : 0.0;
        draw = left > 0 ? std::binomial_distribution<int64_t>(left, q)(g) : 0;
      }
      out.data<double>()[where[k]] = static_cast<double>(draw);
      left -= draw;
      mass -= v;
    }
  }
  return with_data(p, out.astype(p.dtype()));
}

}  // namespace hypatia::sparse_kernels
