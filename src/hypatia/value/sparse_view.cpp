// Typed views of compressed matrices and the dense <-> compressed conversions built on them
// (the value layer's own: SparseMatrix::to_dense/from_dense and the graph layer use them).
#include "hypatia/value/sparse_view.h"

#include <numeric>

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
    auto at = [&](int64_t o, int64_t i) { return *reinterpret_cast<const T*>(base + o * so + i * si); };
    std::vector<int64_t> counts(outer, 0);
    parallel_outer(outer, rows * cols, [&](int64_t o) {
      int64_t c = 0;
      for (int64_t i = 0; i < inner; ++i) c += is_nonzero(at(o, i));
      counts[o] = c;
    });
    const int64_t n = std::accumulate(counts.begin(), counts.end(), int64_t{0});
    const DType idt = index_dtype_for(rows, cols, n);
    NDArray ptr(idt, {indptr_length(outer, "SparseFromDense")}), idx(idt, {n}), data(dense.dtype(), {n});
    counts_to_indptr(counts, ptr);
    T* d = data.data<T>();
    dispatch_index(idt, [&](auto itag) {
      using I = decltype(itag);
      const I* p = ptr.data<I>();
      I* ix = idx.data<I>();
      parallel_outer(outer, rows * cols, [&](int64_t o) {
        int64_t k = p[o];
        for (int64_t i = 0; i < inner; ++i) {
          T x = at(o, i);
          if (is_nonzero(x)) {
            ix[k] = static_cast<I>(i);
            d[k++] = x;
          }
        }
      });
    });
    return SparseMatrix(f, rows, cols, data, idx, ptr);
  });
}

}  // namespace hypatia::sparse_kernels
