// RandomFunction: one op per distribution, taking (state, size..., params...) and returning
// (new state, sample), as Theano's raw_random.RandomFunction.
#pragma once
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/random.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

enum class RandomDist : uint8_t { Uniform, Normal, Binomial, RandomIntegers, Poisson, Choice, Permutation, Multinomial };

struct RandomParams {
  RandomDist dist = RandomDist::Uniform;
  DType dtype = DType::Float64;
  int nsize = 0;          // number of size inputs (after the state)
  bool has_size = true;   // false: the sample takes the broadcast shape of the parameters
  bool replace = true;    // choice only
  auto fields() const { return std::tie(dist, dtype, nsize, has_size, replace); }
};

/// Inputs: state, nsize int64 scalars, then the distribution's parameters (uniform: low,
/// high; normal: avg, std; binomial: n, p; random_integers: low, high; poisson: lam; choice:
/// a, p (an empty p means uniform); permutation: n; multinomial: n, pvals). Outputs: the new
/// state (the input state is never modified) and the sample. Not differentiable: the state
/// and size are disconnected, the parameters' gradients undefined (as Theano). Never
/// constant-folded.
class RandomFunction final : public OpBase<RandomFunction, RandomParams> {
  HYPATIA_OP(RandomFunction, kVariadic, str, make_node, perform, infer_shape, vjp, connection_pattern)
  bool constant_foldable(const Apply&) const override { return false; }
  int num_params() const;
};

}  // namespace hypatia
