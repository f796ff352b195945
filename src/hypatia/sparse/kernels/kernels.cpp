// Native sparse kernels (see kernels.h): one body per kernel for both formats, every value dtype
// and both index dtypes, parallel over the outer dimension when the work is large enough.
#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/util/parallel.h"

#include <algorithm>
#include <memory>
#include <numeric>

#include <omp.h>

namespace hypatia::sparse_kernels {

SparseMatrix deep_copy(const SparseMatrix& m) {
  const int64_t n = m.nnz();
  return SparseMatrix(m.format(), m.rows(), m.cols(), m.data().slice(0, 0, n, 1).copy(),
                      m.indices().slice(0, 0, n, 1).copy(), m.indptr().copy());
}

SparseMatrix astype(const SparseMatrix& m, DType dtype) {
  return with_data(m, stored_data(m).astype(dtype));
}

SparseMatrix transpose(const SparseMatrix& m) {
  SparseFormat f = m.format() == SparseFormat::CSR ? SparseFormat::CSC : SparseFormat::CSR;
  return SparseMatrix(f, m.cols(), m.rows(), m.data(), m.indices(), m.indptr());
}

// ---------------------------------------------------------------- dense <-> compressed

// ---------------------------------------------------------------- format conversion

SparseMatrix convert_format(const SparseMatrix& m, SparseFormat f) {
  if (f == m.format()) return m;
  return visit(m, [&](auto v) {
    using T = value_t<decltype(v)>;
    const int64_t outer = v.outer, inner = v.inner, n = v.nnz;
    // The new outer dimension is the old inner one. Parallel counting sort: each thread owns a
    // contiguous block of old outer slices, counts its inner indices, and scatters its block
    // after the blocks of lower-numbered threads, which keeps the result stable (sorted).
    // The result first: its indptr has inner + 1 entries, and a matrix too big for that raises
    // here (ValueError / MemoryError naming the shape) before any work array is sized by it.
    const DType idt = index_dtype_for(m.rows(), m.cols(), n);
    NDArray ptr(idt, {indptr_length(inner, "convert_format")}), idx(idt, {n}), data(m.dtype(), {n});
    const int nt = (n >= kParallelWork && outer > 1) ? ::hypatia::max_threads() : 1;
    std::vector<std::vector<int64_t>> count(nt, std::vector<int64_t>(inner, 0));
    auto block = [&](int t) { return std::make_pair(outer * t / nt, outer * (t + 1) / nt); };
#pragma omp parallel for num_threads(nt) schedule(static, 1) if (nt > 1)
    for (int t = 0; t < nt; ++t) {
      auto [b, e] = block(t);
      for (int64_t k = v.begin(b); k < v.begin(e); ++k) ++count[t][v.index(k)];
    }
    // Exclusive prefix over (inner index, thread): start position of each thread's run.
    std::vector<int64_t> per_inner(inner, 0);
    int64_t run = 0;
    for (int64_t j = 0; j < inner; ++j) {
      for (int t = 0; t < nt; ++t) {
        int64_t c = count[t][j];
        count[t][j] = run;
        run += c;
        per_inner[j] += c;
      }
    }
    counts_to_indptr(per_inner, ptr);
    T* dst = data.data<T>();
    dispatch_index(idt, [&](auto itag) {
      using J = decltype(itag);
      J* ix = idx.data<J>();
#pragma omp parallel for num_threads(nt) schedule(static, 1) if (nt > 1)
      for (int t = 0; t < nt; ++t) {
        auto [b, e] = block(t);
        std::vector<int64_t>& pos = count[t];
        for (int64_t o = b; o < e; ++o)
          for (int64_t k = v.begin(o); k < v.end(o); ++k) {
            int64_t q = pos[v.index(k)]++;
            ix[q] = static_cast<J>(o);
            dst[q] = v.data[k];
          }
      }
    });
    return SparseMatrix(f, m.rows(), m.cols(), data, idx, ptr);
  });
}

// ---------------------------------------------------------------- structure queries

bool has_sorted_indices(const SparseMatrix& m) {
  return visit(m, [&](auto v) {
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t k = v.begin(o) + 1; k < v.end(o); ++k)
        if (v.indices[k - 1] > v.indices[k]) return false;
    return true;
  });
}

bool has_canonical_format(const SparseMatrix& m) {
  return visit(m, [&](auto v) {
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t k = v.begin(o) + 1; k < v.end(o); ++k)
        if (v.indices[k - 1] >= v.indices[k]) return false;
    return true;
  });
}

bool has_explicit_zeros(const SparseMatrix& m) {
  return visit(m, [&](auto v) {
    for (int64_t k = 0; k < v.nnz; ++k)
      if (!is_nonzero(v.data[k])) return true;
    return false;
  });
}

// ---------------------------------------------------------------- structure changes

SparseMatrix sort_indices(const SparseMatrix& m) {
  return visit(m, [&](auto v) {
    using T = value_t<decltype(v)>;
    using I = index_t<decltype(v)>;
    NDArray idx(dtype_v<I>, {v.nnz}), data(m.dtype(), {v.nnz});
    NDArray ptr = m.indptr().dtype() == dtype_v<I> ? m.indptr().copy() : m.indptr().astype(dtype_v<I>);
    I* ix = idx.data<I>();
    T* d = data.data<T>();
    parallel_outer(v.outer, v.nnz, [&](int64_t o) {
      const int64_t b = v.begin(o), e = v.end(o);
      bool sorted = true;
      for (int64_t k = b + 1; k < e && sorted; ++k) sorted = v.indices[k - 1] <= v.indices[k];
      if (sorted) {
        std::copy(v.indices + b, v.indices + e, ix + b);
        std::copy(v.data + b, v.data + e, d + b);
        return;
      }
      std::vector<int64_t> perm(e - b);
      std::iota(perm.begin(), perm.end(), b);
      std::stable_sort(perm.begin(), perm.end(), [&](int64_t x, int64_t y) { return v.indices[x] < v.indices[y]; });
      for (int64_t k = b; k < e; ++k) {
        ix[k] = v.indices[perm[k - b]];
        d[k] = v.data[perm[k - b]];
      }
    });
    return SparseMatrix(m.format(), m.rows(), m.cols(), data, idx, ptr);
  });
}

SparseMatrix sum_duplicates(const SparseMatrix& m_in) {
  if (has_canonical_format(m_in)) return deep_copy(m_in);
  const SparseMatrix m = sort_indices(m_in);
  return visit(m, [&](auto v) {
    using T = value_t<decltype(v)>;
    using I = index_t<decltype(v)>;
    std::vector<int64_t> counts(v.outer, 0);
    parallel_outer(v.outer, v.nnz, [&](int64_t o) {
      int64_t c = 0;
      for (int64_t k = v.begin(o); k < v.end(o); ++k) c += (k == v.begin(o) || v.indices[k] != v.indices[k - 1]);
      counts[o] = c;
    });
    const int64_t n = std::accumulate(counts.begin(), counts.end(), int64_t{0});
    NDArray ptr(dtype_v<I>, {indptr_length(v.outer, "sparse")}), idx(dtype_v<I>, {n}), data(m.dtype(), {n});
    counts_to_indptr(counts, ptr);
    const I* p = ptr.data<I>();
    I* ix = idx.data<I>();
    T* d = data.data<T>();
    parallel_outer(v.outer, v.nnz, [&](int64_t o) {
      int64_t q = static_cast<int64_t>(p[o]) - 1;
      for (int64_t k = v.begin(o); k < v.end(o); ++k) {
        if (k == v.begin(o) || v.indices[k] != v.indices[k - 1]) {
          ++q;
          ix[q] = v.indices[k];
          d[q] = v.data[k];
        } else {
          accumulate(d[q], v.data[k]);
        }
      }
    });
    return SparseMatrix(m.format(), m.rows(), m.cols(), data, idx, ptr);
  });
}

SparseMatrix remove_zeros(const SparseMatrix& m) {
  return visit(m, [&](auto v) {
    using T = value_t<decltype(v)>;
    using I = index_t<decltype(v)>;
    std::vector<int64_t> counts(v.outer, 0);
    parallel_outer(v.outer, v.nnz, [&](int64_t o) {
      int64_t c = 0;
      for (int64_t k = v.begin(o); k < v.end(o); ++k) c += is_nonzero(v.data[k]);
      counts[o] = c;
    });
    const int64_t n = std::accumulate(counts.begin(), counts.end(), int64_t{0});
    NDArray ptr(dtype_v<I>, {indptr_length(v.outer, "sparse")}), idx(dtype_v<I>, {n}), data(m.dtype(), {n});
    counts_to_indptr(counts, ptr);
    const I* p = ptr.data<I>();
    I* ix = idx.data<I>();
    T* d = data.data<T>();
    parallel_outer(v.outer, v.nnz, [&](int64_t o) {
      int64_t q = p[o];
      for (int64_t k = v.begin(o); k < v.end(o); ++k)
        if (is_nonzero(v.data[k])) {
          ix[q] = v.indices[k];
          d[q++] = v.data[k];
        }
    });
    return SparseMatrix(m.format(), m.rows(), m.cols(), data, idx, ptr);
  });
}

// ---------------------------------------------------------------- sampling

NDArray gather_dense(const SparseMatrix& pattern, const NDArray& dense) {
  if (dense.ndim() != 2 || dense.shape(0) != pattern.rows() || dense.shape(1) != pattern.cols())
    value_error("[sparse] gather_dense: dense shape ", shape_str(dense.shape()), " does not match the sparse shape ",
                shape_str(pattern.shape()));
  NDArray out(dense.dtype(), {pattern.nnz()});
  const char* base = static_cast<const char*>(dense.raw());
  const int64_t s0 = dense.strides()[0], s1 = dense.strides()[1];
  dispatch_dtype(dense.dtype(), [&](auto tag) {
    using D = decltype(tag);
    D* o = out.data<D>();
    // Only the structure of `pattern` is read; visit it with its own value type.
    visit(pattern, [&](auto v) {
      parallel_outer(v.outer, v.nnz, [&](int64_t p) {
        for (int64_t k = v.begin(p); k < v.end(p); ++k)
          o[k] = *reinterpret_cast<const D*>(base + v.row(p, k) * s0 + v.col(p, k) * s1);
      });
    });
  });
  return out;
}

NDArray diagonal(const SparseMatrix& m) {
  const int64_t n = std::min(m.rows(), m.cols());
  NDArray out = NDArray::zeros(m.dtype(), {n});
  visit(m, [&](auto v) {
    using T = value_t<decltype(v)>;
    T* o = out.data<T>();
    // Entry (o, o) of outer slice o is the only diagonal one: per-slice writes, no races.
    parallel_outer(std::min(v.outer, n), v.nnz, [&](int64_t p) {
      for (int64_t k = v.begin(p); k < v.end(p); ++k)
        if (v.index(k) == p) accumulate(o[p], v.data[k]);
    });
  });
  return out;
}

NDArray gather_sparse(const SparseMatrix& pattern, const SparseMatrix& values_in) {
  if (values_in.rows() != pattern.rows() || values_in.cols() != pattern.cols())
    value_error("[CSMGrad] the gradient has shape ", shape_str(values_in.shape()), " but the matrix has shape ",
                shape_str(pattern.shape()));
  const SparseMatrix values = convert_format(values_in, pattern.format());
  NDArray out(values.dtype(), {pattern.nnz()});
  visit(values, [&](auto g) {
    using G = value_t<decltype(g)>;
    G* o = out.data<G>();
    visit(pattern, [&](auto x) {
      // Per outer slice: scatter g's slice into a dense row buffer, read x's positions, clear.
      // The per-thread buffers are allocated before the region: an allocation failure inside
      // it would end the process instead of raising MemoryError.
      const int64_t inner = x.inner;
      const bool par = x.nnz + g.nnz >= kParallelWork && x.outer > 1;
      const int nt = par ? ::hypatia::max_threads() : 1;
      checked_nbytes(inner, sizeof(G), {inner}, dtype_name(dtype_v<G>), "CSMGrad");
      std::vector<std::unique_ptr<G[]>> rows(nt);
      for (auto& r : rows) r.reset(new G[inner]());  // not std::vector: vector<bool> has no bool&
#pragma omp parallel num_threads(nt) if (par)
      {
        G* row = rows[omp_get_thread_num()].get();
#pragma omp for schedule(static)
        for (int64_t p = 0; p < x.outer; ++p) {
          for (int64_t k = g.begin(p); k < g.end(p); ++k) accumulate(row[g.index(k)], g.data[k]);
          for (int64_t k = x.begin(p); k < x.end(p); ++k) o[k] = row[x.index(k)];
          for (int64_t k = g.begin(p); k < g.end(p); ++k) row[g.index(k)] = G{};
        }
      }
    });
  });
  return out;
}

}  // namespace hypatia::sparse_kernels
