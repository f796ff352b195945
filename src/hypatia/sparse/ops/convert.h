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

namespace sparse {
/// DenseFromSparse{structured}: the dense matrix (duplicates summed). Structured grad by default.
Var dense_from_sparse(const Var& x, bool structured = true);
}  // namespace sparse

/// Dense matrix -> sparse of `format`, storing the non-zero values. A vector (scalar) input is
/// made a 1 x n (1 x 1) matrix by a DimShuffle in make_node, as Theano and scipy do. Grad:
/// dense_from_sparse of the output gradient (structured: entries the output does not store get
/// what the gradient stores), with the input's broadcastable pattern.
class SparseFromDense final : public OpBase<SparseFromDense, SparseFormatParams> {
  HYPATIA_OP(SparseFromDense, 1, make_node, perform, infer_shape, vjp, jvp, str)
};

namespace sparse {
/// SparseFromDense{format}: only the non-zero values are stored; structured grad. A dense
/// vector gives a 1 x n matrix (a scalar 1 x 1), as scipy.sparse.csr_matrix(v) and Theano.
Var sparse_from_dense(const Var& x, SparseFormat format);
Var csr_from_dense(const Var& x);
Var csc_from_dense(const Var& x);
}  // namespace sparse

/// Sparse -> sparse in another format (parallel counting sort). Regular grad.
class AsFormat final : public OpBase<AsFormat, SparseFormatParams> {
  HYPATIA_OP(AsFormat, 1, make_node, perform, infer_shape, vjp, jvp, str)
};

namespace sparse {
/// AsFormat{format}: the same matrix in the given format (x itself when already so). Regular grad.
Var as_format(const Var& x, SparseFormat format);
}  // namespace sparse

/// SampleDense(pattern, dense): pattern's structure, dense's values there (see sparse::sample_dense).
class SampleDense final : public OpBase<SampleDense> {
  HYPATIA_OP(SampleDense, 2, make_node, perform, infer_shape, vjp, jvp)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}, {true}}; }
};

namespace sparse {
/// SampleDense: the sparse matrix with pattern's structure holding dense[i, j] at each stored
/// (i, j) of pattern (dense's dtype). Equal to Theano's mul(sp_ones_like(pattern), dense); the
/// building block of structured gradients. Grad w.r.t. dense: dense_from_sparse of the output
/// gradient; pattern is not differentiated (disconnected).
Var sample_dense(const Var& pattern, const Var& dense);
}  // namespace sparse

}  // namespace hypatia
