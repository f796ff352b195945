// Random sparse matrices (theano.sparse.sandbox.sp2's Poisson, Binomial, Multinomial), made
// reproducible as docs/semantics.md, "Random numbers" asks: each op takes a generator state (RandomStateType,
// the tensor module's xoshiro256** state) as its first input and returns (new state, sample),
// like RandomFunction; the input state is never modified. Not differentiable: the state (and
// Binomial's shape) are disconnected, the other inputs' gradients undefined. Never folded.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

/// Poisson(rng, x): x's structure with data ~ Poisson(x.data), x's type; zero draws dropped.
class Poisson final : public OpBase<Poisson> {
  HYPATIA_OP(Poisson, 2, make_node, perform, infer_shape, vjp, connection_pattern)
  bool constant_foldable(const Apply&) const override { return false; }
};

struct BinomialParams {
  SparseFormat format = SparseFormat::CSR;
  DType dtype = DType::Float64;
  auto fields() const { return std::tie(format, dtype); }
};

/// Binomial{format, dtype}(rng, n, p, shape): a shape[0] x shape[1] sparse matrix of
/// Binomial(n, p) counts (zeros not stored). csr_fbinomial = Binomial{csr, float32}, ...
class Binomial final : public OpBase<Binomial, BinomialParams> {
  HYPATIA_OP(Binomial, 4, make_node, perform, infer_shape, vjp, connection_pattern, str)
  bool constant_foldable(const Apply&) const override { return false; }
};

/// Multinomial(rng, n, p): per row i of the sparse p, Multinomial(n[i] or n, p[i]) counts at p's
/// stored positions (p's type). n an integer scalar or vector (one per row).
class Multinomial final : public OpBase<Multinomial> {
  HYPATIA_OP(Multinomial, 3, make_node, perform, infer_shape, vjp, connection_pattern)
  bool constant_foldable(const Apply&) const override { return false; }
};

}  // namespace hypatia
