// Sparse products (see spmm.h): each kernel body is written once over CsView<T, I>, so CSR and
// CSC, all value dtypes and both index dtypes share it; OpenMP over race-free partitions.
#include "hypatia/sparse/kernels/spmm.h"

#include <algorithm>
#include <memory>

#include <omp.h>

#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/kernels/spmm_tiled.h"
#include "hypatia/util/parallel.h"

namespace hypatia::sparse_kernels {

namespace {

template <class T>
inline T one_() { return scalar_cast<T>(1.0); }

template <class T>
inline bool is_one(const T& v) {
  if constexpr (std::is_same_v<T, half>) return static_cast<float>(v) == 1.0f;
  else return v == one_<T>();
}

int64_t elem_stride(const NDArray& a, int axis) { return a.strides()[axis] / itemsize(a.dtype()); }

int num_threads(int64_t work) { return work >= kParallelWork ? ::hypatia::max_threads() : 1; }

}  // namespace

SparseMatrix with_dtype(const SparseMatrix& m, DType dtype) {
  if (m.dtype() == dtype) return m;
  return SparseMatrix(m.format(), m.rows(), m.cols(), stored_data(m).astype(dtype), m.indices(), m.indptr());
}

// ---------------------------------------------------------------- sparse x dense

void spmm(const SparseMatrix& a, const NDArray& b, NDArray& out, bool accumulate_into, const NDArray* alpha,
          const char* who) {
  const bool vec = b.ndim() == 1;
  const int64_t n = vec ? 1 : b.shape(1);
  const int64_t sb0 = elem_stride(b, 0), sb1 = vec ? 1 : elem_stride(b, 1);
  visit(a, [&](auto v) {
    using T = value_t<decltype(v)>;
    const T* B = b.data<T>();
    T* O = out.data<T>();
    const T al = alpha ? alpha->item<T>() : one_<T>();
    const bool scaled = !is_one(al);
    const int64_t m = v.rows;
    const int64_t work = std::max<int64_t>(work_mul(v.nnz, n), m * n);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      // float32/float64 CSR with unit-stride rows of b: the tiled kernels (spmm_tiled.h).
      if (tiled::enabled() && v.format == SparseFormat::CSR && (vec || sb1 == 1)) {
        const int nt = num_threads(work);
        const bool ok = vec ? tiled::csr_spmv(v.data, v.indices, v.indptr, m, B, sb0, O, accumulate_into, al, scaled, nt,
                                              v.inner)
                            : tiled::csr_spmm(v.data, v.indices, v.indptr, m, B, sb0, n, O, accumulate_into, al, scaled,
                                              nt, v.inner);
        if (!ok) a.validate_indices(who);  // raises, naming the first bad index
        return;
      }
    }
    // The generic loops read b's rows (CSR) or write out's rows (CSC) at the stored indices:
    // check them all first.
    a.validate_indices(who);
    if (v.format == SparseFormat::CSR) {
      // Output row o is outer slice o: each iteration owns (and initialises) its row.
      parallel_outer(v.outer, work, [&](int64_t o) {
        T* orow = O + o * n;
        if (n == 1) {
          T s{};
          for (int64_t k = v.begin(o); k < v.end(o); ++k) accumulate(s, multiply(v.data[k], B[v.index(k) * sb0]));
          if (scaled) s = multiply(al, s);
          if (accumulate_into) accumulate(orow[0], s);
          else orow[0] = s;
          return;
        }
        if (!accumulate_into) std::fill(orow, orow + n, T{});
        for (int64_t k = v.begin(o); k < v.end(o); ++k) {
          const T s = scaled ? multiply(al, v.data[k]) : v.data[k];
          const T* brow = B + v.index(k) * sb0;
          if (sb1 == 1) {
            for (int64_t j = 0; j < n; ++j) accumulate(orow[j], multiply(s, brow[j]));
          } else {
            for (int64_t j = 0; j < n; ++j) accumulate(orow[j], multiply(s, brow[j * sb1]));
          }
        }
      });
      return;
    }
    // CSC: entries of outer slice o (column o of a) scatter into the rows their indices name.
    if (!accumulate_into) {
      parallel_outer(m, m * n, [&](int64_t i) { std::fill(O + i * n, O + (i + 1) * n, T{}); });
    }
    auto scatter = [&](T* dst, int64_t o_begin, int64_t o_end, int64_t j0, int64_t j1) {
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
        if (tiled::enabled() && sb1 == 1 && !vec) {
          tiled::csc_scatter(v.data, v.indices, v.indptr, o_begin, o_end, B, sb0, n, dst, j0, j1, al, scaled);
          return;
        }
      }
      for (int64_t o = o_begin; o < o_end; ++o) {
        const T* brow = B + o * sb0;
        for (int64_t k = v.begin(o); k < v.end(o); ++k) {
          const T s = scaled ? multiply(al, v.data[k]) : v.data[k];
          T* orow = dst + v.index(k) * n;
          for (int64_t j = j0; j < j1; ++j) accumulate(orow[j], multiply(s, brow[j * sb1]));
        }
      }
    };
    const int nt = num_threads(work);
    if (nt == 1 || v.outer <= 1) {
      scatter(O, 0, v.outer, 0, n);
    } else if (n >= 4 * nt) {
      // Enough output columns: each thread owns a block of them and reads every entry.
#pragma omp parallel for num_threads(nt) schedule(static, 1)
      for (int t = 0; t < nt; ++t) scatter(O, 0, v.outer, n * t / nt, n * (t + 1) / nt);
    } else if (work_mul(m * n, nt - 1) <= (int64_t{1} << 25)) {
      // Few columns (SpMV): thread t scatters its block of outer slices into its own partial
      // output (thread 0 straight into O), then the partials are summed row by row. The
      // partials are allocated before the region (a failure inside it would end the process)
      // and zeroed by their own threads.
      std::vector<std::unique_ptr<T[]>> part(nt);
      for (int t = 1; t < nt; ++t) part[t].reset(new T[m * n]);
#pragma omp parallel num_threads(nt)
      {
        const int t = omp_get_thread_num();
        const int64_t ob = v.outer * t / nt, oe = v.outer * (t + 1) / nt;
        T* dst = O;
        if (t > 0) {
          dst = part[t].get();
          std::fill(dst, dst + m * n, T{});
        }
        scatter(dst, ob, oe, 0, n);
#pragma omp barrier
#pragma omp for schedule(static)
        for (int64_t i = 0; i < m * n; ++i)
          for (int u = 1; u < nt; ++u) accumulate(O[i], part[u][i]);
      }
    } else {
      scatter(O, 0, v.outer, 0, n);
    }
  });
}

// ---------------------------------------------------------------- dense x sparse

void dense_spmm(const NDArray& x, const SparseMatrix& b, NDArray& out) {
  if (x.ndim() == 1) {
    // x . b = b^T . x: the transpose is a reinterpretation, and spmm picks the parallel plan.
    spmm(transpose(b), x, out);
    return;
  }
  const int64_t m = x.shape(0), n = b.cols();
  const int64_t sx0 = elem_stride(x, 0), sx1 = elem_stride(x, 1);
  visit(b, [&](auto v) {
    using T = value_t<decltype(v)>;
    const T* X = x.data<T>();
    T* O = out.data<T>();
    // Row i of the output is x[i, :] . b: out[i, col] += b[row, col] * x[i, row] over b's
    // entries. Each iteration owns output row i.
    parallel_outer(m, work_mul(m, std::max<int64_t>(v.nnz, n)), [&](int64_t i) {
      T* orow = O + i * n;
      std::fill(orow, orow + n, T{});
      const T* xrow = X + i * sx0;
      for (int64_t o = 0; o < v.outer; ++o)
        for (int64_t k = v.begin(o); k < v.end(o); ++k)
          accumulate(orow[v.col(o, k)], multiply(v.data[k], xrow[v.row(o, k) * sx1]));
    });
  });
}

// ---------------------------------------------------------------- sampled dense-dense

NDArray sddmm(const SparseMatrix& pattern, const NDArray& x, const NDArray& y, bool scale_by_pattern, DType dtype,
              const char* who) {
  NDArray out(dtype, {pattern.nnz()});
  sddmm_into(pattern, x, y, scale_by_pattern, dtype, out, who);
  return out;
}

void sddmm_into(const SparseMatrix& pattern, const NDArray& x, const NDArray& y, bool scale_by_pattern, DType dtype,
                NDArray& out, const char* who) {
  const int64_t K = x.ndim() == 1 ? 1 : x.shape(1);
  const int64_t sx0 = elem_stride(x, 0), sx1 = x.ndim() == 1 ? 1 : elem_stride(x, 1);
  const int64_t sy0 = elem_stride(y, 0), sy1 = y.ndim() == 1 ? 1 : elem_stride(y, 1);
  // Only the structure is read unless scaling: give the view the output dtype either way.
  const SparseMatrix p = scale_by_pattern
                             ? with_dtype(pattern, dtype)
                             : SparseMatrix(pattern.format(), pattern.rows(), pattern.cols(), NDArray(dtype, {0}),
                                            pattern.indices(), pattern.indptr());
  visit(p, [&](auto v) {
    using T = value_t<decltype(v)>;
    const T* X = x.data<T>();
    const T* Y = y.data<T>();
    T* o = out.data<T>();
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      // Both operands 2-D with unit-stride rows: the tiled kernel. A CSC pattern is the CSR
      // pattern of the transpose, so it swaps the roles of x and y (dot products commute).
      if (tiled::enabled() && x.ndim() == 2 && y.ndim() == 2 && sx1 == 1 && sy1 == 1) {
        const T* pd = scale_by_pattern ? v.data : nullptr;
        const int nt = num_threads(work_mul(v.nnz, K));
        const bool ok = v.format == SparseFormat::CSR
                            ? tiled::csr_sddmm(pd, v.indices, v.indptr, v.outer, X, sx0, Y, sy0, K, o, nt, v.inner)
                            : tiled::csr_sddmm(pd, v.indices, v.indptr, v.outer, Y, sy0, X, sx0, K, o, nt, v.inner);
        if (!ok) pattern.validate_indices(who);  // raises, naming the first bad index
        return;
      }
    }
    pattern.validate_indices(who);  // the generic loop reads x's and y's rows at the stored indices
    parallel_outer(v.outer, work_mul(v.nnz, K), [&](int64_t q) {
      for (int64_t k = v.begin(q); k < v.end(q); ++k) {
        const T* xr = X + v.row(q, k) * sx0;
        const T* yr = Y + v.col(q, k) * sy0;
        T s{};
        if (sx1 == 1 && sy1 == 1) {
          for (int64_t t = 0; t < K; ++t) accumulate(s, multiply(xr[t], yr[t]));
        } else {
          for (int64_t t = 0; t < K; ++t) accumulate(s, multiply(xr[t * sx1], yr[t * sy1]));
        }
        o[k] = scale_by_pattern ? multiply(v.data[k], s) : s;
      }
    });
  });
}

}  // namespace hypatia::sparse_kernels
