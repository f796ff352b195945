// Random numbers (Theano's raw_random and shared_randomstreams): a generator state stored in
// shared variables, RandomFunction (one op per distribution, taking (state, size..., params...)
// and returning (new state, sample)), the sampling builders, and RandomStreams.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/graph/type.h"
#include "hypatia/graph/variable.h"
#include "hypatia/tensor/tensor_type.h"
#include "hypatia/value/dtype.h"
#include "hypatia/value/random_state.h"

namespace hypatia {

/// The graph type of generator states ("RandomStateType"); its values are RandomStateValue.
class RandomStateType final : public Type {
 public:
  static std::shared_ptr<const RandomStateType> make();
  TypeKind kind() const override { return TypeKind::Opaque; }
  std::string str() const override { return "RandomStateType"; }
  bool equals(const Type& o) const override { return dynamic_cast<const RandomStateType*>(&o) != nullptr; }
  size_t hash() const override { return 0x524e4753; }
  Value filter(const Value& v, bool strict = false, bool allow_downcast = false) const override;
  bool values_eq(const Value& a, const Value& b) const override {
    return values_eq_approx(a, b, std::nullopt, std::nullopt);
  }
  bool values_eq_approx(const Value& a, const Value& b, std::optional<double> rtol,
                        std::optional<double> atol) const override;
};

/// A shared variable holding a generator seeded with `seed`.
Var shared_random_state(uint64_t seed, std::string name = "");

/// A sample shape: a list of integer scalar variables, or nullopt for "the parameters' shape".
using SizeArg = std::optional<std::vector<Var>>;
/// The sample shape given as one integer vector variable, as Theano's size=x.shape: its
/// entries as int64 scalars. The length must show in the graph (Shape(x) gives x's Shape_i,
/// a MakeVector its elements, a constant its values, a broadcastable vector one entry), else
/// `ndim` gives it and the vector's length is checked at run time (SpecifyShape). TypeError
/// "[who] ..." for anything but an integer vector; ValueError for a length that cannot be
/// told, an ndim that contradicts the known length, or a negative constant entry.
std::vector<Var> size_from_vector(const Var& size, std::optional<int> ndim = std::nullopt, const char* who = "size");
/// (new_state, sample) of one random op.
using RandomPair = std::pair<Var, Var>;

// ---- raw_random: each takes the state variable and returns (new state, sample) ----
// Parameters broadcast against `size` (numpy rules); a null Var takes the default. Each size
// entry is an integer scalar (Python int or symbolic; size_from_vector turns x.shape into
// entries); a negative entry raises ValueError (at build time for constants, at run time
// otherwise). dtype
// nullopt: floatX for uniform/normal, int64 for the integer distributions.
/// Uniform on [low, high) (defaults 0, 1).
RandomPair random_uniform(const Var& rng, const SizeArg& size, Var low = {}, Var high = {}, std::optional<DType> dtype = {});
/// Normal with mean avg and standard deviation std (defaults 0, 1).
RandomPair random_normal(const Var& rng, const SizeArg& size, Var avg = {}, Var std = {}, std::optional<DType> dtype = {});
/// Number of successes in n trials of probability p (defaults 1, 0.5).
RandomPair random_binomial(const Var& rng, const SizeArg& size, Var n = {}, Var p = {}, std::optional<DType> dtype = {});
/// Integers uniform on [low, high], both ends included (defaults 0, 1).
RandomPair random_integers(const Var& rng, const SizeArg& size, Var low = {}, Var high = {}, std::optional<DType> dtype = {});
/// Poisson with mean lam (default 1).
RandomPair random_poisson(const Var& rng, const SizeArg& size, Var lam = {}, std::optional<DType> dtype = {});
/// Draws from a (an int n: range(n); a vector: its elements; default 2), with or without
/// replacement, with probabilities p (a vector; null: uniform).
RandomPair random_choice(const Var& rng, const SizeArg& size, Var a = {}, bool replace = true, Var p = {},
                         std::optional<DType> dtype = {});
/// Permutations of range(n): shape size + (n,) (size nullopt: one permutation).
RandomPair random_permutation(const Var& rng, const SizeArg& size, Var n = {}, std::optional<DType> dtype = {});
/// Counts of n draws over len(pvals) categories: shape size + (len(pvals),).
RandomPair random_multinomial(const Var& rng, const SizeArg& size, Var n = {}, Var pvals = {}, std::optional<DType> dtype = {});

/// Theano's shared_randomstreams.RandomStreams: each call makes a new shared generator state
/// (seeded from a seed generator seeded with `seed`), builds the op on it, and sets the
/// state's default_update to the op's new state, so compiled functions advance it unless
/// given no_default_updates.
class RandomStreams {
 public:
  explicit RandomStreams(std::optional<uint64_t> seed = std::nullopt);
  /// Reseeds every generator made so far from a seed generator seeded with `seed` (the
  /// constructor's seed when nullopt), in creation order, as Theano.
  void seed(std::optional<uint64_t> seed = std::nullopt);
  Var uniform(const SizeArg& size = {}, Var low = {}, Var high = {}, std::optional<DType> dtype = {});
  Var normal(const SizeArg& size = {}, Var avg = {}, Var std = {}, std::optional<DType> dtype = {});
  Var binomial(const SizeArg& size = {}, Var n = {}, Var p = {}, std::optional<DType> dtype = {});
  Var random_integers(const SizeArg& size = {}, Var low = {}, Var high = {}, std::optional<DType> dtype = {});
  Var poisson(const SizeArg& size = {}, Var lam = {}, std::optional<DType> dtype = {});
  Var choice(const SizeArg& size = {}, Var a = {}, bool replace = true, Var p = {}, std::optional<DType> dtype = {});
  Var permutation(const SizeArg& size = {}, Var n = {}, std::optional<DType> dtype = {});
  Var multinomial(const SizeArg& size = {}, Var n = {}, Var pvals = {}, std::optional<DType> dtype = {});
  /// (state variable, new state) for every generator made, in creation order.
  const std::vector<std::pair<Var, Var>>& state_updates() const { return state_updates_; }
  std::vector<std::pair<Var, Var>> updates() const { return state_updates_; }
  /// Wraps an op built on a fresh state variable: records the update and sets default_update.
  Var gen(const std::function<RandomPair(const Var&)>& build);
  /// The constructor's seed and the seed generator's current state (what pickling saves).
  std::optional<uint64_t> default_seed() const { return default_seed_; }
  const RandomStateValue& seed_generator() const { return seedgen_; }
  /// Streams as pickled: seed, seed-generator state and the (state, new state) pairs made.
  static RandomStreams restore(std::optional<uint64_t> seed, const RandomStateValue& seedgen,
                               std::vector<std::pair<Var, Var>> state_updates) {
    RandomStreams s(seed);
    s.seedgen_ = seedgen;
    s.state_updates_ = std::move(state_updates);
    return s;
  }

 private:
  std::optional<uint64_t> default_seed_;
  RandomStateValue seedgen_;
  std::vector<std::pair<Var, Var>> state_updates_;
};

/// For a sample made by a random op: the state variable it read (its `.rng`), else null.
Var random_rng_of(const Var& sample);
/// For a sample made by a random op: the new state it produced, else null.
Var random_new_state_of(const Var& sample);

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
