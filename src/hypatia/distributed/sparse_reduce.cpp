// sparse_allreduce: entry counts shared first, then a gather-and-merge or a dense allreduce.
#include "hypatia/distributed/sparse_reduce.h"

#include <algorithm>
#include <climits>
#include <numeric>

#include "hypatia/util/error.h"

namespace hypatia::distributed {
namespace {

/// The canonical matrix holding the sum of the gathered (outer, inner, value) entries.
template <class T>
SparseMatrix merge_entries(SparseFormat fmt, int64_t rows, int64_t cols, const std::vector<NDArray>& outer,
                           const std::vector<NDArray>& inner, const std::vector<NDArray>& vals, double scale) {
  const int64_t n_outer = fmt == SparseFormat::CSR ? rows : cols;
  const int64_t n_inner = fmt == SparseFormat::CSR ? cols : rows;
  std::vector<int64_t> start(n_outer + 1, 0);
  int64_t total = 0;
  for (const auto& o : outer) {
    const int64_t* po = o.data<int64_t>();
    for (int64_t k = 0; k < o.size(); ++k) ++start[po[k] + 1];
    total += o.size();
  }
  std::partial_sum(start.begin(), start.end(), start.begin());
  // Counting sort by outer index (ranks in order, so the merge is deterministic).
  std::vector<std::pair<int64_t, T>> ent(total);
  std::vector<int64_t> fill(start.begin(), start.end() - 1);
  for (size_t r = 0; r < outer.size(); ++r) {
    const int64_t* po = outer[r].data<int64_t>();
    const int64_t* pi = inner[r].data<int64_t>();
    const T* pv = vals[r].data<T>();
    for (int64_t k = 0; k < outer[r].size(); ++k) ent[fill[po[k]]++] = {pi[k], pv[k]};
  }
  // Per outer slice: sort by inner index, sum duplicates, drop exact zeros.
  std::vector<int64_t> indptr(n_outer + 1, 0);
  std::vector<int64_t> idx;
  std::vector<T> val;
  idx.reserve(total);
  val.reserve(total);
  for (int64_t i = 0; i < n_outer; ++i) {
    auto b = ent.begin() + start[i], e = ent.begin() + start[i + 1];
    std::stable_sort(b, e, [](const auto& a, const auto& c) { return a.first < c.first; });
    for (auto it = b; it != e;) {
      int64_t j = it->first;
      T s = T(0);
      for (; it != e && it->first == j; ++it) s += it->second;
      if (scale != 1.0) s = static_cast<T>(s * static_cast<T>(scale));
      if (s != T(0)) {
        idx.push_back(j);
        val.push_back(s);
      }
    }
    indptr[i + 1] = static_cast<int64_t>(idx.size());
  }
  const bool small = n_inner <= INT32_MAX && static_cast<int64_t>(idx.size()) <= INT32_MAX;
  const DType id = small ? DType::Int32 : DType::Int64;
  const int64_t nnz = static_cast<int64_t>(idx.size());
  NDArray data(vals.empty() ? DType::Float64 : vals[0].dtype(), {nnz});
  NDArray indices(id, {nnz}), ptr(id, {n_outer + 1});
  std::copy(val.begin(), val.end(), data.data<T>());
  if (small) {
    std::copy(idx.begin(), idx.end(), indices.data<int32_t>());
    std::copy(indptr.begin(), indptr.end(), ptr.data<int32_t>());
  } else {
    std::copy(idx.begin(), idx.end(), indices.data<int64_t>());
    std::copy(indptr.begin(), indptr.end(), ptr.data<int64_t>());
  }
  return SparseMatrix(fmt, rows, cols, data, indices, ptr);
}

}  // namespace

SparseMatrix sparse_allreduce(const SparseMatrix& x, ReduceOp op, double dense_threshold, const std::string& who,
                              SparseReducePath* path) {
  const int p = size();
  const double scale = op == ReduceOp::Mean ? 1.0 / p : 1.0;
  // 1. What every rank holds: shape, format, dtype, stored entries.
  NDArray meta(DType::Int64, {5});
  int64_t* m = meta.data<int64_t>();
  m[0] = x.rows();
  m[1] = x.cols();
  m[2] = static_cast<int64_t>(x.format());
  m[3] = static_cast<int64_t>(x.dtype());
  m[4] = x.nnz();
  std::vector<NDArray> metas = allgather(meta, who);
  int64_t total = 0;
  for (int r = 0; r < p; ++r) {
    const int64_t* o = metas[r].data<int64_t>();
    if (o[0] != m[0] || o[1] != m[1] || o[2] != m[2] || o[3] != m[3])
      value_error("[", who, "] rank ", r, " holds a ", o[0], "x", o[1], " ", o[2] == 0 ? "csr" : "csc", " ",
                  dtype_name(static_cast<DType>(o[3])), " matrix, rank ", rank(), " a ", m[0], "x", m[1], " ",
                  x.format() == SparseFormat::CSR ? "csr" : "csc", " ", dtype_name(x.dtype()),
                  " one: every rank must reduce matrices of one shape, format and dtype");
    total += o[4];
  }
  const double cells = static_cast<double>(x.rows()) * static_cast<double>(x.cols());
  const bool dense = cells > 0 && static_cast<double>(total) / cells >= dense_threshold;
  if (path) *path = dense ? SparseReducePath::Dense : SparseReducePath::Gather;
  if (dense) {
    // 2a. Dense fallback: one allreduce of the densified matrices.
    NDArray d = x.to_dense().contiguous();
    auto pending = allreduce_sum_start(d, who, scale);
    pending->wait();
    SparseMatrix s = SparseMatrix::from_dense(d, x.format());
    return s;
  }
  // 2b. Gather the entries (outer index, inner index, value) of every rank and merge them.
  const int64_t nnz = x.nnz();
  NDArray outer(DType::Int64, {nnz}), inner(DType::Int64, {nnz});
  NDArray ptr = x.indptr().contiguous(), ind = x.indices().contiguous();
  int64_t* po = outer.data<int64_t>();
  int64_t* pi = inner.data<int64_t>();
  for (int64_t i = 0; i < x.outer_size(); ++i)
    for (int64_t k = index_at(ptr, i); k < index_at(ptr, i + 1); ++k) po[k] = i;
  for (int64_t k = 0; k < nnz; ++k) pi[k] = index_at(ind, k);
  NDArray vals = x.data().slice(0, 0, nnz, 1).contiguous();
  std::vector<NDArray> outers = allgather(outer, who);
  std::vector<NDArray> inners = allgather(inner, who);
  std::vector<NDArray> valss = allgather(vals, who);
  return dispatch_dtype(x.dtype(), [&](auto tag) -> SparseMatrix {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, half>) {
      type_error("[", who, "] cannot sum ", dtype_name(x.dtype()), " sparse matrices over ranks");
    } else {
      return merge_entries<T>(x.format(), x.rows(), x.cols(), outers, inners, valss, scale);
    }
  });
}

}  // namespace hypatia::distributed
