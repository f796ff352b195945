// Random sparse matrices (theano.sparse.sandbox.sp2's Poisson, Binomial, Multinomial), made
// reproducible as docs/semantics.md, "Random numbers" asks: each op takes a generator state (RandomStateType,
// the tensor module's xoshiro256** state) as its first input and returns (new state, sample),
// like RandomFunction; the input state is never modified. Not differentiable: the state (and
// Binomial's shape) are disconnected, the other inputs' gradients undefined. Never folded.
#pragma once
#include <cstdint>
#include <optional>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/ops/random.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

/// Poisson(rng, x): x's structure with data ~ Poisson(x.data), x's type; zero draws dropped.
class Poisson final : public OpBase<Poisson> {
  HYPATIA_OP(Poisson, 2, make_node, perform, infer_shape, vjp, connection_pattern)
  bool constant_foldable(const Apply&) const override { return false; }
};

namespace sparse {
// The raw forms take a generator-state variable (RandomStateType) and return (new state,
// sample), like the tensor RandomFunction. The plain forms make a shared state seeded with
// `seed` (fresh entropy when nullopt) whose default_update advances it at every call, so a
// seeded graph reproduces its sequence and an unseeded one draws fresh values; the
// RandomStreams forms take their state from the stream (reseeded by streams.seed()).
/// Poisson: x's structure with data ~ Poisson(x.data) (x's dtype); zero draws are not stored.
RandomPair random_poisson(const Var& rng, const Var& x);
Var poisson(const Var& x, std::optional<uint64_t> seed = std::nullopt);
Var poisson(RandomStreams& streams, const Var& x);
}  // namespace sparse

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

namespace sparse {
/// Binomial{format, dtype}(n, p, shape): a shape[0] x shape[1] matrix of Binomial(n, p) draws
/// (zeros not stored). n an integer scalar, p a float scalar, shape an integer vector of 2.
/// (The raw, seeded and RandomStreams forms as random_poisson's.)
RandomPair random_binomial(const Var& rng, SparseFormat format, DType dtype, const Var& n, const Var& p, const Var& shape);
Var binomial(SparseFormat format, DType dtype, const Var& n, const Var& p, const Var& shape,
             std::optional<uint64_t> seed = std::nullopt);
Var binomial(RandomStreams& streams, SparseFormat format, DType dtype, const Var& n, const Var& p, const Var& shape);
}  // namespace sparse

/// Multinomial(rng, n, p): per row i of the sparse p, Multinomial(n[i] or n, p[i]) counts at p's
/// stored positions (p's type). n an integer scalar or vector (one per row).
class Multinomial final : public OpBase<Multinomial> {
  HYPATIA_OP(Multinomial, 3, make_node, perform, infer_shape, vjp, connection_pattern)
  bool constant_foldable(const Apply&) const override { return false; }
};

namespace sparse {
/// Multinomial(n, p): for every row i of the sparse p, Multinomial(n[i] (or n), p's stored
/// values of row i) counts at p's stored positions (p's type). Works for csr and csc p.
/// (The raw, seeded and RandomStreams forms as random_poisson's.)
RandomPair random_multinomial(const Var& rng, const Var& n, const Var& p);
Var multinomial(const Var& n, const Var& p, std::optional<uint64_t> seed = std::nullopt);
Var multinomial(RandomStreams& streams, const Var& n, const Var& p);
}  // namespace sparse

}  // namespace hypatia
