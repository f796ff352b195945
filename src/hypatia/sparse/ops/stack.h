// HStack / VStack: scipy.sparse.hstack / vstack of sparse blocks.
#pragma once
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

}  // namespace hypatia
