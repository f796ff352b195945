// SparseMatrix: validation, structure queries and conversions, written in outer/inner terms.
#include "hypatia/sparse/sparse_matrix.h"

#include <algorithm>
#include <numeric>

namespace hypatia {

const char* format_name(SparseFormat f) { return f == SparseFormat::CSR ? "csr" : "csc"; }

SparseFormat format_from_name(const std::string& s) {
  if (s == "csr") return SparseFormat::CSR;
  if (s == "csc") return SparseFormat::CSC;
  type_error("[SparseType] unknown sparse format '", s, "'; expected 'csr' or 'csc'");
}

SparseMatrix::SparseMatrix(SparseFormat format, int64_t rows, int64_t cols, NDArray data, NDArray indices,
                           NDArray indptr)
    : format_(format), rows_(rows), cols_(cols), data_(std::move(data)), indices_(std::move(indices)),
      indptr_(std::move(indptr)) {}

namespace {
// Index arrays are int32 when every value fits, else int64 (DECISIONS.md item 12).
DType index_dtype_for(int64_t max_value) {
  return max_value <= INT32_MAX ? DType::Int32 : DType::Int64;
}
void set_index(NDArray& a, int64_t i, int64_t v) {
  if (a.dtype() == DType::Int32) a.data<int32_t>()[i] = static_cast<int32_t>(v);
  else a.data<int64_t>()[i] = v;
}
}  // namespace

SparseMatrix SparseMatrix::zeros(SparseFormat format, int64_t rows, int64_t cols, DType dtype) {
  int64_t outer = format == SparseFormat::CSR ? rows : cols;
  return SparseMatrix(format, rows, cols, NDArray(dtype, {0}), NDArray(DType::Int32, {0}),
                      NDArray::zeros(DType::Int32, {outer + 1}));
}

int64_t SparseMatrix::nnz() const {
  if (!indptr_.defined() || indptr_.size() == 0) return 0;
  return index_at(indptr_, indptr_.size() - 1);
}

void SparseMatrix::validate() const {
  const char* who = "[SparseMatrix]";
  if (rows_ < 0 || cols_ < 0) value_error(who, " negative shape (", rows_, ", ", cols_, ")");
  if (!data_.defined() || !indices_.defined() || !indptr_.defined()) value_error(who, " data, indices and indptr must all be given");
  if (data_.ndim() != 1 || indices_.ndim() != 1 || indptr_.ndim() != 1)
    value_error(who, " data, indices and indptr must be 1-d arrays");
  for (const NDArray* a : {&indices_, &indptr_})
    if (a->dtype() != DType::Int32 && a->dtype() != DType::Int64)
      type_error(who, " indices and indptr must be int32 or int64 arrays, got ", dtype_name(a->dtype()));
  if (!data_.is_c_contiguous() || !indices_.is_c_contiguous() || !indptr_.is_c_contiguous())
    value_error(who, " data, indices and indptr must be contiguous");
  const int64_t outer = outer_size(), inner = inner_size();
  if (indptr_.size() != outer + 1)
    value_error(who, " indptr has length ", indptr_.size(), "; a ", format_name(format_), " matrix of shape (", rows_, ", ",
                cols_, ") needs ", outer + 1);
  if (index_at(indptr_, 0) != 0) value_error(who, " indptr[0] must be 0, got ", index_at(indptr_, 0));
  for (int64_t o = 0; o < outer; ++o)
    if (index_at(indptr_, o + 1) < index_at(indptr_, o))
      value_error(who, " indptr is not non-decreasing: indptr[", o + 1, "] = ", index_at(indptr_, o + 1), " < indptr[", o,
                  "] = ", index_at(indptr_, o));
  const int64_t n = index_at(indptr_, outer);
  if (indices_.size() < n || data_.size() < n)
    value_error(who, " indptr[-1] = ", n, " but indices has ", indices_.size(), " and data has ", data_.size(), " entries");
  if (indices_.size() != data_.size())
    value_error(who, " indices (", indices_.size(), ") and data (", data_.size(), ") have different lengths");
  for (int64_t k = 0; k < n; ++k) {
    int64_t j = index_at(indices_, k);
    if (j < 0 || j >= inner)
      value_error(who, " index ", j, " at position ", k, " is out of range [0, ", inner, ") for a ", format_name(format_),
                  " matrix of shape (", rows_, ", ", cols_, ")");
  }
}

bool SparseMatrix::has_sorted_indices() const {
  for (int64_t o = 0; o < outer_size(); ++o)
    for (int64_t k = index_at(indptr_, o) + 1; k < index_at(indptr_, o + 1); ++k)
      if (index_at(indices_, k - 1) > index_at(indices_, k)) return false;
  return true;
}

bool SparseMatrix::has_canonical_format() const {
  for (int64_t o = 0; o < outer_size(); ++o)
    for (int64_t k = index_at(indptr_, o) + 1; k < index_at(indptr_, o + 1); ++k)
      if (index_at(indices_, k - 1) >= index_at(indices_, k)) return false;
  return true;
}

bool SparseMatrix::has_explicit_zeros() const {
  NDArray d = data_.slice(0, 0, nnz(), 1);
  return dispatch_dtype(dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = d.data<T>();
    for (int64_t k = 0; k < d.size(); ++k)
      if (!scalar_cast<bool>(p[k])) return true;
    return false;
  });
}

SparseMatrix SparseMatrix::copy() const {
  return SparseMatrix(format_, rows_, cols_, data_.copy(), indices_.copy(), indptr_.copy());
}

SparseMatrix SparseMatrix::astype(DType dt) const {
  return SparseMatrix(format_, rows_, cols_, data_.astype(dt), indices_.copy(), indptr_.copy());
}

SparseMatrix SparseMatrix::sorted_indices() const {
  SparseMatrix out = copy();
  const int64_t outer = outer_size();
  dispatch_dtype(dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* d = out.data_.data<T>();
    std::vector<std::pair<int64_t, T>> buf;
    for (int64_t o = 0; o < outer; ++o) {
      int64_t b = index_at(indptr_, o), e = index_at(indptr_, o + 1);
      buf.clear();
      for (int64_t k = b; k < e; ++k) buf.push_back({index_at(indices_, k), d[k]});
      std::stable_sort(buf.begin(), buf.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
      for (int64_t k = b; k < e; ++k) {
        set_index(out.indices_, k, buf[k - b].first);
        d[k] = buf[k - b].second;
      }
    }
  });
  return out;
}

SparseMatrix SparseMatrix::eliminate_zeros() const {
  const int64_t outer = outer_size();
  NDArray ptr(indptr_.dtype(), {outer + 1});
  std::vector<int64_t> keep;
  dispatch_dtype(dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* d = data_.data<T>();
    set_index(ptr, 0, 0);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t k = index_at(indptr_, o); k < index_at(indptr_, o + 1); ++k)
        if (scalar_cast<bool>(d[k])) keep.push_back(k);
      set_index(ptr, o + 1, static_cast<int64_t>(keep.size()));
    }
  });
  const int64_t n = static_cast<int64_t>(keep.size());
  NDArray data(dtype(), {n}), idx(indices_.dtype(), {n});
  dispatch_dtype(dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (int64_t k = 0; k < n; ++k) {
      data.data<T>()[k] = data_.data<T>()[keep[k]];
      set_index(idx, k, index_at(indices_, keep[k]));
    }
  });
  return SparseMatrix(format_, rows_, cols_, data, idx, ptr);
}

SparseMatrix SparseMatrix::transpose() const {
  SparseFormat f = format_ == SparseFormat::CSR ? SparseFormat::CSC : SparseFormat::CSR;
  return SparseMatrix(f, cols_, rows_, data_, indices_, indptr_);
}

SparseMatrix SparseMatrix::asformat(SparseFormat f) const {
  if (f == format_) return *this;
  // Counting sort of entries by inner index: the new outer dimension is the old inner one.
  const int64_t outer = outer_size(), inner = inner_size(), n = nnz();
  DType idt = index_dtype_for(std::max<int64_t>(n, outer));
  NDArray ptr = NDArray::zeros(idt, {inner + 1});
  std::vector<int64_t> count(inner + 1, 0);
  for (int64_t k = 0; k < n; ++k) ++count[index_at(indices_, k) + 1];
  for (int64_t j = 0; j < inner; ++j) count[j + 1] += count[j];
  for (int64_t j = 0; j <= inner; ++j) set_index(ptr, j, count[j]);
  NDArray idx(idt, {n}), data(dtype(), {n});
  dispatch_dtype(dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* src = data_.data<T>();
    T* dst = data.data<T>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = index_at(indptr_, o); k < index_at(indptr_, o + 1); ++k) {
        int64_t pos = count[index_at(indices_, k)]++;
        set_index(idx, pos, o);
        dst[pos] = src[k];
      }
  });
  return SparseMatrix(f, rows_, cols_, data, idx, ptr);
}

NDArray SparseMatrix::to_dense() const {
  NDArray out = NDArray::zeros(dtype(), {rows_, cols_});
  const bool csr = format_ == SparseFormat::CSR;
  dispatch_dtype(dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* d = data_.data<T>();
    T* o = out.data<T>();
    for (int64_t p = 0; p < outer_size(); ++p)
      for (int64_t k = index_at(indptr_, p); k < index_at(indptr_, p + 1); ++k) {
        int64_t i = csr ? p : index_at(indices_, k), j = csr ? index_at(indices_, k) : p;
        T& dst = o[i * cols_ + j];
        if constexpr (std::is_same_v<T, bool>) dst = dst || d[k];
        else if constexpr (std::is_same_v<T, half>) dst = half(static_cast<float>(dst) + static_cast<float>(d[k]));
        else dst = dst + d[k];
      }
  });
  return out;
}

SparseMatrix SparseMatrix::from_dense(const NDArray& dense, SparseFormat f) {
  if (dense.ndim() != 2) value_error("[SparseMatrix] from_dense expects a 2-d array, got shape ", shape_str(dense.shape()));
  const int64_t rows = dense.shape(0), cols = dense.shape(1);
  const bool csr = f == SparseFormat::CSR;
  const int64_t outer = csr ? rows : cols, inner = csr ? cols : rows;
  return dispatch_dtype(dense.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const char* base = static_cast<const char*>(dense.raw());
    const int64_t so = dense.strides()[csr ? 0 : 1], si = dense.strides()[csr ? 1 : 0];
    std::vector<int64_t> ptr(outer + 1, 0), idx;
    std::vector<T> vals;
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        T v = *reinterpret_cast<const T*>(base + o * so + i * si);
        if (scalar_cast<bool>(v)) {
          idx.push_back(i);
          vals.push_back(v);
        }
      }
      ptr[o + 1] = static_cast<int64_t>(idx.size());
    }
    const int64_t n = static_cast<int64_t>(idx.size());
    DType idt = index_dtype_for(std::max<int64_t>(n, inner));
    NDArray p(idt, {outer + 1}), ix(idt, {n}), d(dense.dtype(), {n});
    for (int64_t o = 0; o <= outer; ++o) set_index(p, o, ptr[o]);
    for (int64_t k = 0; k < n; ++k) {
      set_index(ix, k, idx[k]);
      d.data<T>()[k] = vals[k];
    }
    return SparseMatrix(f, rows, cols, d, ix, p);
  });
}

}  // namespace hypatia
