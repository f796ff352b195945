// Moving between dense and sparse: DenseFromSparse, SparseFromDense, AsFormat, SampleDense.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

struct DenseFromSparseParams {
  bool structured = true;
  auto fields() const { return std::tie(structured); }
};
struct SparseFormatParams {
  SparseFormat format = SparseFormat::CSR;
  auto fields() const { return std::tie(format); }
};

/// Sparse -> dense matrix (duplicates summed). Grad: structured (the output gradient sampled at
/// x's stored positions) or regular (the whole output gradient, as a sparse matrix).
class DenseFromSparse final : public OpBase<DenseFromSparse, DenseFromSparseParams> {
  HYPATIA_OP(DenseFromSparse, 1, make_node, perform, infer_shape, vjp, jvp, str)
};

/// Dense matrix -> sparse of `format`, storing the non-zero values. A vector (scalar) input is
/// made a 1 x n (1 x 1) matrix by a DimShuffle in make_node, as Theano and scipy do. Grad:
/// dense_from_sparse of the output gradient (structured: entries the output does not store get
/// what the gradient stores), with the input's broadcastable pattern.
class SparseFromDense final : public OpBase<SparseFromDense, SparseFormatParams> {
  HYPATIA_OP(SparseFromDense, 1, make_node, perform, infer_shape, vjp, jvp, str)
};

/// Sparse -> sparse in another format (parallel counting sort). Regular grad.
class AsFormat final : public OpBase<AsFormat, SparseFormatParams> {
  HYPATIA_OP(AsFormat, 1, make_node, perform, infer_shape, vjp, jvp, str)
};

/// SampleDense(pattern, dense): pattern's structure, dense's values there (see sparse::sample_dense).
class SampleDense final : public OpBase<SampleDense> {
  HYPATIA_OP(SampleDense, 2, make_node, perform, infer_shape, vjp, jvp)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}, {true}}; }
};

}  // namespace hypatia
