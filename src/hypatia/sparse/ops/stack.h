// HStack / VStack: scipy.sparse.hstack / vstack of sparse blocks.
#pragma once
#include <optional>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

struct StackParams {
  SparseFormat format = SparseFormat::CSC;
  DType dtype = DType::Float64;
  auto fields() const { return std::tie(format, dtype); }
};

/// HStack{format, dtype}(*blocks): the blocks side by side (same number of rows, else
/// ValueError at run time). Regular grad: the matching column block of the output gradient.
class HStack final : public OpBase<HStack, StackParams> {
  HYPATIA_OP(HStack, kVariadic, make_node, perform, infer_shape, vjp, jvp, str)
};

/// VStack{format, dtype}(*blocks): the blocks one under the other (same number of columns).
class VStack final : public OpBase<VStack, StackParams> {
  HYPATIA_OP(VStack, kVariadic, make_node, perform, infer_shape, vjp, jvp, str)
};

namespace sparse {
/// scipy's hstack / vstack of sparse blocks (HStack / VStack): format defaults to csc, dtype
/// to the upcast of the blocks' dtypes. Regular grad: the output gradient's column (row)
/// block of each input, in the input's format (disconnected for integer inputs).
Var hstack(const std::vector<Var>& blocks, std::optional<SparseFormat> format = std::nullopt,
           std::optional<DType> dtype = std::nullopt);
Var vstack(const std::vector<Var>& blocks, std::optional<SparseFormat> format = std::nullopt,
           std::optional<DType> dtype = std::nullopt);
}  // namespace sparse

}  // namespace hypatia
