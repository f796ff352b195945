// Theano's tensor.extra_ops: CumOp (cumsum/cumprod), DiffOp, RepeatOp, BinCount,
// SearchsortedOp, Unique, OneHot, FillDiagonal, FillDiagonalOffset, Compress, and the
// adjoint ops their gradients use (DiffGrad, RepeatGrad, CompressGrad).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

struct CumParams {
  std::optional<int> axis;  // non-negative; nullopt = the flattened input
  bool mul = false;         // cumprod instead of cumsum
  bool reverse = false;     // accumulate from the end (the gradient of cumsum)
  auto fields() const { return std::tie(axis, mul, reverse); }
};
/// "CumOp{None, add}", "CumOp{0, mul}". Output dtype: the input's (bool -> int64).
class CumOp final : public OpBase<CumOp, CumParams> {
  HYPATIA_OP(CumOp, 1, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// Cumulative sum/product along axis (nullopt: the flattened input), as numpy.
Var cumsum(const Var& x, std::optional<int> axis = std::nullopt);
Var cumprod(const Var& x, std::optional<int> axis = std::nullopt);

struct DiffParams {
  int n = 1;
  int axis = 0;  // non-negative
  auto fields() const { return std::tie(n, axis); }
};
/// "DiffOp{n=1, axis=0}": out[i] = a[i+1] - a[i] along axis, n times.
class DiffOp final : public OpBase<DiffOp, DiffParams> {
  HYPATIA_OP(DiffOp, 1, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// The adjoint of one diff step: length m -> m + 1, g[i] = z[i-1] - z[i] (z zero outside).
class DiffGrad final : public OpBase<DiffGrad, DiffParams> {
  HYPATIA_OP(DiffGrad, 1, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// n-th discrete difference along axis (negative allowed).
Var diff(const Var& x, int n = 1, int axis = -1);

struct RepeatParams {
  std::optional<int> axis;  // nullopt = the flattened input
  auto fields() const { return std::tie(axis); }
};
/// "RepeatOp{axis=0}": numpy.repeat with a scalar or vector (length n or 1) of repeats.
class RepeatOp final : public OpBase<RepeatOp, RepeatParams> {
  HYPATIA_OP(RepeatOp, 2, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// Inputs (gz, repeats, like): sums each repeated group back; shaped like `like`.
class RepeatGrad final : public OpBase<RepeatGrad, RepeatParams> {
  HYPATIA_OP(RepeatGrad, 3, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// numpy.repeat(x, repeats, axis): repeats an int scalar or vector.
Var repeat(const Var& x, const Var& repeats, std::optional<int> axis = std::nullopt);

struct BinCountParams {
  int64_t minlength = -1;  // -1 = none
  bool assert_nonneg = false;
  auto fields() const { return std::tie(minlength, assert_nonneg); }
};
/// Inputs (x [, weights]): numpy.bincount. int64 counts, or weights' dtype.
class BinCount final : public OpBase<BinCount, BinCountParams> {
  HYPATIA_OP(BinCount, kVariadic, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// Counts of each non-negative int in x (at least minlength bins; -1 = none), or summed weights.
Var bincount(const Var& x, std::optional<Var> weights = std::nullopt, int64_t minlength = -1,
             bool assert_nonneg = false);

struct SearchsortedParams {
  bool right = false;
  auto fields() const { return std::tie(right); }
};
/// "SearchsortedOp{side=left}": inputs (x, v [, sorter]); int64 shaped like v.
class SearchsortedOp final : public OpBase<SearchsortedOp, SearchsortedParams> {
  HYPATIA_OP(SearchsortedOp, kVariadic, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// Insertion indices of v into sorted 1-D x (side "left" or "right"), int64 shaped like v.
Var searchsorted(const Var& x, const Var& v, const std::string& side = "left",
                 std::optional<Var> sorter = std::nullopt);

struct UniqueParams {
  bool return_index = false, return_inverse = false, return_counts = false;
  auto fields() const { return std::tie(return_index, return_inverse, return_counts); }
};
/// numpy.unique of the flattened input: outputs uniques [, index, inverse, counts] (int64).
class Unique final : public OpBase<Unique, UniqueParams> {
  HYPATIA_OP(Unique, 1, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// Sorted unique values of the flattened x, then index / inverse / counts when asked.
std::vector<Var> unique(const Var& x, bool return_index = false, bool return_inverse = false,
                        bool return_counts = false);

struct OneHotParams {
  int64_t nb_class = 0;
  DType dtype = DType::Float64;
  auto fields() const { return std::tie(nb_class, dtype); }
};
/// y (int vector) -> (len(y), nb_class) with ones at y.
class OneHot final : public OpBase<OneHot, OneHotParams> {
  HYPATIA_OP(OneHot, 1, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// One-hot rows for int vector y; dtype defaults to floatX.
Var to_one_hot(const Var& y, int64_t nb_class, std::optional<DType> dtype = std::nullopt);

/// Inputs (a, val): a copy of a (>= 2-D, all dims equal beyond 2-D) with val on the diagonal.
class FillDiagonal final : public OpBase<FillDiagonal, NoParams> {
  HYPATIA_OP(FillDiagonal, 2, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// Inputs (a, val, offset): 2-D; offset > 0 above the main diagonal, < 0 below.
class FillDiagonalOffset final : public OpBase<FillDiagonalOffset, NoParams> {
  HYPATIA_OP(FillDiagonalOffset, 3, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// val (a scalar that must not upcast a) on the main diagonal of a copy of a.
Var fill_diagonal(const Var& a, const Var& val);
Var fill_diagonal_offset(const Var& a, const Var& val, const Var& offset);

struct CompressParams {
  std::optional<int> axis;  // nullopt = the flattened input
  auto fields() const { return std::tie(axis); }
};
/// Inputs (condition, x): numpy.compress (a True past the end of the axis is an IndexError).
class Compress final : public OpBase<Compress, CompressParams> {
  HYPATIA_OP(Compress, 2, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// Inputs (gz, condition, like): scatters gz back to the kept slices; zeros elsewhere.
class CompressGrad final : public OpBase<CompressGrad, CompressParams> {
  HYPATIA_OP(CompressGrad, 3, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// numpy.compress(condition, x, axis).
Var compress(const Var& condition, const Var& x, std::optional<int> axis = std::nullopt);

// ---- builders: squeeze (a DimShuffle; squeeze, compress and repeat are tensor methods too) ----
/// Drops broadcastable axes (all of them, or the listed ones, which must be broadcastable).
Var squeeze(const Var& x, std::optional<std::vector<int>> axis = std::nullopt);

}  // namespace hypatia
