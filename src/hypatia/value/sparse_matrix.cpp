// SparseMatrix: construction, validation, copies and the dense conversions (structure queries and
// the other conversions are sparse kernels).
#include "hypatia/value/sparse_matrix.h"

#include "hypatia/value/sparse_view.h"
#include "hypatia/util/parallel.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <climits>
#include <type_traits>

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


SparseMatrix SparseMatrix::zeros(SparseFormat format, int64_t rows, int64_t cols, DType dtype) {
  int64_t outer = format == SparseFormat::CSR ? rows : cols;
  return SparseMatrix(format, rows, cols, NDArray(dtype, {0}), NDArray(DType::Int32, {0}),
                      NDArray::zeros(DType::Int32, {sparse_kernels::indptr_length(outer, "SparseMatrix")}));
}

int64_t SparseMatrix::nnz() const {
  if (!indptr_.defined() || indptr_.size() == 0) return 0;
  return index_at(indptr_, indptr_.size() - 1);
}

namespace {

// Whether any of idx[0, n) lies outside [0, inner): an or of comparisons, which vectorises, so
// the check a sparse input gets on every call runs at memory speed. The loop is compiled twice,
// for AVX2 and for baseline x86-64, and picked by a flag read once (not target_clones: its
// ifunc resolver runs before the sanitizers' runtimes start and crashes them). A bound above
// the index type's range clamps (a false alarm there is settled by the caller's exact search).
template <class I>
inline bool out_of_range_loop(const I* idx, int64_t n, int64_t inner) {
  const I hi = static_cast<I>(std::min<int64_t>(inner, std::numeric_limits<I>::max()));
  I bad = 0;  // an integer, not a bool: GCC vectorises or-reductions of integers only
  for (int64_t k = 0; k < n; ++k) bad |= (idx[k] < 0) | (idx[k] >= hi);
  return bad != 0;
}
// Whether ptr[0, n] ever steps down: the same kind of integer or-reduction (a bool `ok &=` did
// not vectorise, and the indptr of a 1M-row input took 0.2 ms of every call).
template <class P>
inline bool steps_down_loop(const P* ptr, int64_t n) {
  P bad = 0;
  for (int64_t o = 0; o < n; ++o) bad |= static_cast<P>(ptr[o + 1] < ptr[o]);
  return bad != 0;
}
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
template <class I>
__attribute__((target("avx2"))) bool out_of_range_avx2(const I* idx, int64_t n, int64_t inner) {
  return out_of_range_loop(idx, n, inner);
}
template <class P>
__attribute__((target("avx2"))) bool steps_down_avx2(const P* ptr, int64_t n) {
  return steps_down_loop(ptr, n);
}
bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}
#endif
template <class I>
bool any_out_of_range(const I* idx, int64_t n, int64_t inner) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (cpu_has_avx2()) return out_of_range_avx2(idx, n, inner);
#endif
  return out_of_range_loop(idx, n, inner);
}
// Whether test(b, len) holds for some block [b, b + len) of 64k items in [0, n): the blocks split
// across threads only when there are more than two, since even an `if(false)` parallel region
// costs a small input's call an allocation (GOMP builds a team of one).
template <class F>
bool any_block(int64_t n, F test) {
  constexpr int64_t block = int64_t{1} << 16;
  const int64_t nb = (n + block - 1) / block;
  bool bad = false;
  if (nb <= 2) {
    for (int64_t bk = 0; bk < nb; ++bk) bad |= test(bk * block, std::min(block, n - bk * block));
    return bad;
  }
#pragma omp parallel for reduction(| : bad) num_threads(::hypatia::max_threads())
  for (int64_t bk = 0; bk < nb; ++bk) bad |= test(bk * block, std::min(block, n - bk * block));
  return bad;
}
template <class P>
bool any_step_down(const P* ptr, int64_t n) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (cpu_has_avx2()) return steps_down_avx2(ptr, n);
#endif
  return steps_down_loop(ptr, n);
}

}  // namespace

void SparseMatrix::validate() const { validate("SparseMatrix"); }

void SparseMatrix::validate(const std::string& op) const {
  validate_structure(op);
  validate_indices(op);
}

void SparseMatrix::validate_structure(const std::string& op, bool check_steps) const {
  const std::string who = "[" + op + "]";
  if (rows_ < 0 || cols_ < 0) value_error(who, " negative shape (", rows_, ", ", cols_, ")");
  if (!data_.defined() || !indices_.defined() || !indptr_.defined()) value_error(who, " data, indices and indptr must all be given");
  if (data_.ndim() != 1 || indices_.ndim() != 1 || indptr_.ndim() != 1)
    value_error(who, " data, indices and indptr must be 1-d arrays");
  for (const NDArray* a : {&indices_, &indptr_})
    if (a->dtype() != DType::Int32 && a->dtype() != DType::Int64)
      type_error(who, " indices and indptr must be int32 or int64 arrays, got ", dtype_name(a->dtype()));
  if (!data_.is_c_contiguous() || !indices_.is_c_contiguous() || !indptr_.is_c_contiguous())
    value_error(who, " data, indices and indptr must be contiguous");
  const int64_t outer = outer_size();
  // Compared as size - 1 (indptr is 1-d, so size >= 0): outer + 1 overflows for outer = 2**63 - 1.
  if (indptr_.size() - 1 != outer)
    value_error(who, " indptr has length ", indptr_.size(), "; a ", format_name(format_), " matrix of shape (", rows_, ", ",
                cols_, ") needs ", static_cast<uint64_t>(outer) + 1);
  if (index_at(indptr_, 0) != 0) value_error(who, " indptr[0] must be 0, got ", index_at(indptr_, 0));
  // The structural checks run on every call of a compiled function that takes a sparse input,
  // so they are branch-free typed loops that vectorise and run at memory speed, the O(nnz) one
  // split across threads; only when a check fails is the first offending position searched for.
  auto first_bad_step = [&](auto tag) -> int64_t {
    using P = decltype(tag);
    const P* ptr = indptr_.data<P>();
    // Blocks of steps (each reads its last entry's successor).
    if (!any_block(outer, [ptr](int64_t b, int64_t len) { return any_step_down(ptr + b, len); })) return -1;
    for (int64_t o = 0; o < outer; ++o)
      if (ptr[o + 1] < ptr[o]) return o;
    return -1;
  };
  const int64_t n = index_at(indptr_, outer);
  // A negative nnz means a step down somewhere: found even when the steps are left to a kernel.
  const int64_t bad_step = !check_steps && n >= 0                ? -1
                           : indptr_.dtype() == DType::Int32 ? first_bad_step(int32_t{})
                                                             : first_bad_step(int64_t{});
  if (bad_step >= 0)
    value_error(who, " indptr is not non-decreasing: indptr[", bad_step + 1, "] = ", index_at(indptr_, bad_step + 1),
                " < indptr[", bad_step, "] = ", index_at(indptr_, bad_step));
  if (indices_.size() < n || data_.size() < n)
    value_error(who, " indptr[-1] = ", n, " but indices has ", indices_.size(), " and data has ", data_.size(), " entries");
  if (indices_.size() != data_.size())
    value_error(who, " indices (", indices_.size(), ") and data (", data_.size(), ") have different lengths");
}

void SparseMatrix::validate_indices(const std::string& op) const {
  const std::string who = "[" + op + "]";
  const int64_t inner = inner_size(), n = nnz();
  auto first_out_of_range = [&](auto tag) -> int64_t {
    using I = decltype(tag);
    const I* idx = indices_.data<I>();
    // Only when some block fails is the first offending position searched for.
    if (!any_block(n, [idx, inner](int64_t b, int64_t len) { return any_out_of_range(idx + b, len, inner); })) return -1;
    for (int64_t k = 0; k < n; ++k)
      if (idx[k] < 0 || static_cast<int64_t>(idx[k]) >= inner) return k;
    return -1;
  };
  const int64_t bad = indices_.dtype() == DType::Int32 ? first_out_of_range(int32_t{}) : first_out_of_range(int64_t{});
  if (bad >= 0)
    value_error(who, " index ", index_at(indices_, bad), " at position ", bad, " is out of range [0, ", inner, ") for a ",
                format_name(format_), " matrix of shape (", rows_, ", ", cols_, ")");
}

SparseMatrix SparseMatrix::copy() const {
  return SparseMatrix(format_, rows_, cols_, data_.copy(), indices_.copy(), indptr_.copy());
}

SparseMatrix SparseMatrix::astype(DType dt) const {
  return SparseMatrix(format_, rows_, cols_, data_.astype(dt), indices_.copy(), indptr_.copy());
}

NDArray SparseMatrix::to_dense() const { return sparse_kernels::to_dense(*this); }
SparseMatrix SparseMatrix::from_dense(const NDArray& dense, SparseFormat f) { return sparse_kernels::from_dense(dense, f); }

}  // namespace hypatia
