// Typed views of compressed matrices and the dense <-> compressed conversions built on them
// (the value layer's own: SparseMatrix::to_dense/from_dense and the graph layer use them).
#include "hypatia/value/sparse_view.h"

#include <cstring>

#include <memory>
#include <numeric>

#include <omp.h>

#include "hypatia/value/dense_runs.h"

namespace hypatia::sparse_kernels {

SparseMatrix common_index_dtype(const SparseMatrix& m) {
  return SparseMatrix(m.format(), m.rows(), m.cols(), m.data(), m.indices().astype(DType::Int64),
                      m.indptr().astype(DType::Int64));
}

int64_t counts_to_indptr(const std::vector<int64_t>& counts, NDArray& indptr) {
  int64_t total = 0;
  dispatch_index(indptr.dtype(), [&](auto i) {
    using I = decltype(i);
    I* p = indptr.data<I>();
    p[0] = 0;
    for (size_t o = 0; o < counts.size(); ++o) {
      total += counts[o];
      p[o + 1] = static_cast<I>(total);
    }
  });
  return total;
}

NDArray stored_data(const SparseMatrix& m) {
  const int64_t n = m.nnz();
  NDArray d = m.data().size() == n ? m.data() : m.data().slice(0, 0, n, 1);
  return d.contiguous();
}

SparseMatrix with_data(const SparseMatrix& pattern, NDArray data, bool share_structure) {
  if (data.ndim() != 1 || data.size() != pattern.nnz())
    value_error("[sparse] with_data: ", data.size(), " values for ", pattern.nnz(), " stored entries");
  const int64_t n = pattern.nnz();
  if (share_structure && pattern.indices().size() == n)
    return SparseMatrix(pattern.format(), pattern.rows(), pattern.cols(), std::move(data), pattern.indices(),
                        pattern.indptr());
  return SparseMatrix(pattern.format(), pattern.rows(), pattern.cols(), std::move(data),
                      pattern.indices().slice(0, 0, n, 1).copy(), pattern.indptr().copy());
}

// ---------------------------------------------------------------- dense <-> compressed

void add_into_dense(const SparseMatrix& m, NDArray& out) {
  visit(m, [&](auto v) {
    using T = value_t<decltype(v)>;
    T* o = out.data<T>();
    const int64_t cols = v.cols;
    // Distinct outer slices write distinct rows (CSR) or columns (CSC): no races.
    parallel_outer(v.outer, v.nnz, [&](int64_t p) {
      for (int64_t k = v.begin(p); k < v.end(p); ++k) accumulate(o[v.row(p, k) * cols + v.col(p, k)], v.data[k]);
    });
  });
}

NDArray to_dense(const SparseMatrix& m) {
  NDArray out = NDArray::zeros(m.dtype(), {m.rows(), m.cols()});
  add_into_dense(m, out);
  return out;
}

SparseMatrix from_dense(const NDArray& dense, SparseFormat f) {
  if (dense.ndim() != 2) value_error("[SparseFromDense] expects a 2-d array, got shape ", shape_str(dense.shape()));
  const int64_t rows = dense.shape(0), cols = dense.shape(1);
  const bool csr = f == SparseFormat::CSR;
  const int64_t outer = csr ? rows : cols, inner = csr ? cols : rows;
  const int64_t so = dense.strides()[csr ? 0 : 1], si = dense.strides()[csr ? 1 : 0];
  const char* base = static_cast<const char*>(dense.raw());
  return dispatch_dtype(dense.dtype(), [&](auto tag) {
    using T = decltype(tag);
    // One pass over the dense array (it is the large operand: reading it twice, to count and
    // then to fill, costs a second full sweep of memory): each thread scans a contiguous block
    // of outer slices into its own buffers, then the buffers are copied to their offsets.
    return dispatch_index(inner - 1 <= INT32_MAX ? DType::Int32 : DType::Int64, [&](auto btag) {
      using B = decltype(btag);
      // Copies of the enclosing function's locals: clang 14 cannot reach those from an OpenMP
      // region inside a generic lambda.
      const char* const base_l = base;
      const int64_t so_l = so, si_l = si, inner_l = inner;
      const int nt = (work_mul(rows, cols) >= kParallelWork && outer > 1) ? ::hypatia::max_threads() : 1;
      std::vector<int64_t> counts(outer, 0);
      std::vector<GrowBuf<B>> bi(nt);
      std::vector<GrowBuf<T>> bd(nt);
      auto block = [&](int t) { return std::make_pair(outer * t / nt, outer * (t + 1) / nt); };
      RegionErrors errors;
#pragma omp parallel num_threads(nt) if (nt > 1)
      for (int t = omp_get_thread_num(); t < nt; t += omp_get_num_threads()) {
        errors.capture([&] {
          auto [b, e] = block(t);
          GrowBuf<B>& gi = bi[t];
          GrowBuf<T>& gd = bd[t];
          for (int64_t o = b; o < e; ++o) {
            const int64_t before = gi.n;
            const char* slice = base_l + o * so_l;
            int64_t i = 0;
            if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
              if (si_l == static_cast<int64_t>(sizeof(T)))
                i = keep_nonzero_runs(reinterpret_cast<const T*>(slice), inner_l, gi, gd);
            } else if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
              if (si_l == static_cast<int64_t>(sizeof(T))) {  // contiguous: skip all-zero runs of 16
                const T* x = reinterpret_cast<const T*>(slice);
                for (; i + 16 <= inner_l; i += 16) {
                  bool any = false;
                  for (int u = 0; u < 16; ++u) any |= x[i + u] != T(0);
                  if (!any) continue;
                  for (int u = 0; u < 16; ++u)
                    if (x[i + u] != T(0)) gi.push(static_cast<B>(i + u)), gd.push(x[i + u]);
                }
              }
            }
            for (; i < inner_l; ++i) {
              const T x = *reinterpret_cast<const T*>(slice + i * si_l);
              if (is_nonzero(x)) gi.push(static_cast<B>(i)), gd.push(x);
            }
            counts[o] = gi.n - before;
          }
        });
      }
      errors.rethrow();
      const int64_t n = std::accumulate(counts.begin(), counts.end(), int64_t{0});
      const DType idt = index_dtype_for(rows, cols, n);
      NDArray ptr(idt, {indptr_length(outer, "SparseFromDense")}), idx(idt, {n}), data(dense.dtype(), {n});
      counts_to_indptr(counts, ptr);
      T* d = data.data<T>();
      dispatch_index(idt, [&](auto itag) {
        using I = decltype(itag);
        const I* p = ptr.data<I>();
        I* ix = idx.data<I>();
#pragma omp parallel for num_threads(nt) schedule(static, 1) if (nt > 1 && n >= kParallelWork)
        for (int t = 0; t < nt; ++t) {
          const int64_t at = static_cast<int64_t>(p[block(t).first]);
          for (int64_t k = 0; k < bi[t].n; ++k) ix[at + k] = static_cast<I>(bi[t].p[k]);
          std::copy(bd[t].p, bd[t].p + bd[t].n, d + at);
        }
      });
      return SparseMatrix(f, rows, cols, data, idx, ptr);
    });
  });
}

}  // namespace hypatia::sparse_kernels
