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

#define HYPATIA_EXTRA_OP_DECL(Cls, Params)                                                                      \
  class Cls final : public OpBase<Cls, Params> {                                                                \
   public:                                                                                                      \
    using OpBase::OpBase;                                                                                       \
    std::string name() const override { return #Cls; }                                                          \
    std::string str() const override;                                                                           \
    ApplyPtr make_node(const std::vector<Var>& inputs) const override;                                          \
    void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;                 \
    std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node,                                         \
                                                     const std::vector<ShapeVec>& input_shapes) const override; \
    std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;               \
    std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override;                        \
  };

struct CumParams {
  std::optional<int> axis;  // non-negative; nullopt = the flattened input
  bool mul = false;         // cumprod instead of cumsum
  bool reverse = false;     // accumulate from the end (the gradient of cumsum)
  auto fields() const { return std::tie(axis, mul, reverse); }
};
/// "CumOp{None, add}", "CumOp{0, mul}". Output dtype: the input's (bool -> int64).
HYPATIA_EXTRA_OP_DECL(CumOp, CumParams)

struct DiffParams {
  int n = 1;
  int axis = 0;  // non-negative
  auto fields() const { return std::tie(n, axis); }
};
/// "DiffOp{n=1, axis=0}": out[i] = a[i+1] - a[i] along axis, n times.
HYPATIA_EXTRA_OP_DECL(DiffOp, DiffParams)
/// The adjoint of one diff step: length m -> m + 1, g[i] = z[i-1] - z[i] (z zero outside).
HYPATIA_EXTRA_OP_DECL(DiffGrad, DiffParams)

struct RepeatParams {
  std::optional<int> axis;  // nullopt = the flattened input
  auto fields() const { return std::tie(axis); }
};
/// "RepeatOp{axis=0}": numpy.repeat with a scalar or vector (length n or 1) of repeats.
HYPATIA_EXTRA_OP_DECL(RepeatOp, RepeatParams)
/// Inputs (gz, repeats, like): sums each repeated group back; shaped like `like`.
HYPATIA_EXTRA_OP_DECL(RepeatGrad, RepeatParams)

struct BinCountParams {
  int64_t minlength = -1;  // -1 = none
  bool assert_nonneg = false;
  auto fields() const { return std::tie(minlength, assert_nonneg); }
};
/// Inputs (x [, weights]): numpy.bincount. int64 counts, or weights' dtype.
HYPATIA_EXTRA_OP_DECL(BinCount, BinCountParams)

struct SearchsortedParams {
  bool right = false;
  auto fields() const { return std::tie(right); }
};
/// "SearchsortedOp{side=left}": inputs (x, v [, sorter]); int64 shaped like v.
HYPATIA_EXTRA_OP_DECL(SearchsortedOp, SearchsortedParams)

struct UniqueParams {
  bool return_index = false, return_inverse = false, return_counts = false;
  auto fields() const { return std::tie(return_index, return_inverse, return_counts); }
};
/// numpy.unique of the flattened input: outputs uniques [, index, inverse, counts] (int64).
HYPATIA_EXTRA_OP_DECL(Unique, UniqueParams)

struct OneHotParams {
  int64_t nb_class = 0;
  DType dtype = DType::Float64;
  auto fields() const { return std::tie(nb_class, dtype); }
};
/// y (int vector) -> (len(y), nb_class) with ones at y.
HYPATIA_EXTRA_OP_DECL(OneHot, OneHotParams)

/// Inputs (a, val): a copy of a (>= 2-D, all dims equal beyond 2-D) with val on the diagonal.
HYPATIA_EXTRA_OP_DECL(FillDiagonal, NoParams)
/// Inputs (a, val, offset): 2-D; offset > 0 above the main diagonal, < 0 below.
HYPATIA_EXTRA_OP_DECL(FillDiagonalOffset, NoParams)

struct CompressParams {
  std::optional<int> axis;  // nullopt = the flattened input
  auto fields() const { return std::tie(axis); }
};
/// Inputs (condition, x): numpy.compress (a True past the end of the axis is an IndexError).
HYPATIA_EXTRA_OP_DECL(Compress, CompressParams)
/// Inputs (gz, condition, like): scatters gz back to the kept slices; zeros elsewhere.
HYPATIA_EXTRA_OP_DECL(CompressGrad, CompressParams)

#undef HYPATIA_EXTRA_OP_DECL

}  // namespace hypatia
