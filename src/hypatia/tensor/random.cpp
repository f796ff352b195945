// Random generator state (xoshiro256** seeded by splitmix64), raw_random builders, RandomStreams.
#include "hypatia/tensor/random.h"

#include <cmath>
#include <random>
#include <sstream>

#include "hypatia/graph/shared.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/random.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/shape.h"
#include "hypatia/tensor/subtensor.h"

namespace hypatia {

// ---------------------------------------------------------------- RandomStateType

std::shared_ptr<const RandomStateType> RandomStateType::make() {
  static const auto t = std::make_shared<const RandomStateType>();
  return t;
}


Value RandomStateType::filter(const Value& v, bool, bool) const {
  return OpaquePtr(as_random_state(v, "RandomStateType"));
}

bool RandomStateType::values_eq_approx(const Value& a, const Value& b, std::optional<double>,
                                       std::optional<double>) const {
  return *as_random_state(a, "RandomStateType") == *as_random_state(b, "RandomStateType");
}

Var shared_random_state(uint64_t seed, std::string name) {
  return make_shared_variable(OpaquePtr(std::make_shared<RandomStateValue>(seed)), RandomStateType::make(), std::move(name), true);
}

// ---------------------------------------------------------------- raw_random

namespace {

Var or_default(const Var& v, double d) { return v ? as_tensor_variable(v) : constant(d); }
Var or_default_int(const Var& v, int64_t d) { return v ? as_tensor_variable(v) : constant_int(d); }

std::vector<Var> size_inputs(const SizeArg& size, const char* who) {
  std::vector<Var> out;
  if (!size) return out;
  for (size_t i = 0; i < size->size(); ++i) {
    Var v = (*size)[i];
    if (!v) type_error("[", who, "] size entry ", i, " is None; expected an integer scalar");
    if (v.type()->kind() != TypeKind::Tensor)
      type_error("[", who, "] size entry ", i, " must be an integer scalar, got ", v.type()->str());
    const TensorType& t = check_tensor_input(v, who);
    if (t.ndim() != 0 || !is_int(t.elem()))
      type_error("[", who, "] size entry ", i, " must be an integer scalar, got ", t.str(),
                 t.ndim() == 1 ? " (pass a whole size vector such as x.shape as size itself)" : "");
    if (auto c = const_int_value(v)) {
      if (*c < 0) value_error("[", who, "] negative dimension ", *c, " in size");
      if (t.elem() != DType::Int64) v = int64_constant(*c);
    } else if (t.elem() != DType::Int64) {
      v = cast(v, DType::Int64);
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace

std::vector<Var> size_from_vector(const Var& size, std::optional<int> ndim, const char* who) {
  if (!size) type_error("[", who, "] size is None; expected an integer vector");
  if (size.type()->kind() != TypeKind::Tensor)
    type_error("[", who, "] size must be an integer vector (such as x.shape), got ", size.type()->str());
  const TensorType& t = *tensor_type(size);
  if (t.ndim() != 1 || !is_int(t.elem()))
    type_error("[", who, "] size must be an integer vector (such as x.shape) or a tuple of integer scalars, got ",
               t.str());
  if (ndim && *ndim < 0) value_error("[", who, "] ndim must be >= 0, got ", *ndim);
  // The entries the graph shows, as Theano's get_vector_length finds the length.
  std::optional<std::vector<Var>> e = shape_vector_entries(size);
  if (!e && size.owner() && dynamic_cast<const ShapeOp*>(size.owner()->op().get())) {
    const Var& x = size.owner()->input(0);
    e.emplace();
    for (int d = 0; d < x.type()->ndim(); ++d) e->push_back(shape_i(x, d));
  }
  if (!e && t.broadcastable()[0]) e = std::vector<Var>{subtensor(size, 0)};
  if (e) {
    if (ndim && *ndim != static_cast<int>(e->size()))
      value_error("[", who, "] ndim=", *ndim, " but the size vector has ", e->size(), " entries");
    return *e;
  }
  if (!ndim)
    value_error("[", who, "] cannot tell the length of the size vector ", size->str(),
                " from the graph; pass ndim, or size as a tuple (x.shape works as it is)");
  // Unknown length: check it at run time, then read the entries.
  Var checked = specify_shape(size, {int64_constant(*ndim)});
  std::vector<Var> out;
  for (int d = 0; d < *ndim; ++d) out.push_back(subtensor(checked, d));
  return out;
}

namespace {

RandomPair make_random(RandomDist dist, const char* who, const Var& rng, const SizeArg& size,
                       const std::vector<Var>& params, DType dtype, bool replace = true) {
  std::vector<Var> ins{rng};
  std::vector<Var> s = size_inputs(size, who);
  ins.insert(ins.end(), s.begin(), s.end());
  ins.insert(ins.end(), params.begin(), params.end());
  RandomParams p{dist, dtype, static_cast<int>(s.size()), size.has_value(), replace};
  std::vector<Var> outs = apply_op(*std::make_shared<RandomFunction>(p), ins);
  return {outs[0], outs[1]};
}

void check_float(DType d, const char* who) {
  if (!is_float(d)) type_error("[", who, "] dtype must be a float dtype, got ", dtype_name(d));
}

}  // namespace

RandomPair random_uniform(const Var& rng, const SizeArg& size, Var low, Var high, std::optional<DType> dtype) {
  DType d = dtype.value_or(floatX());
  check_float(d, "uniform");
  return make_random(RandomDist::Uniform, "uniform", rng, size, {or_default(low, 0.0), or_default(high, 1.0)}, d);
}
RandomPair random_normal(const Var& rng, const SizeArg& size, Var avg, Var std, std::optional<DType> dtype) {
  DType d = dtype.value_or(floatX());
  check_float(d, "normal");
  return make_random(RandomDist::Normal, "normal", rng, size, {or_default(avg, 0.0), or_default(std, 1.0)}, d);
}
RandomPair random_binomial(const Var& rng, const SizeArg& size, Var n, Var p, std::optional<DType> dtype) {
  return make_random(RandomDist::Binomial, "binomial", rng, size, {or_default_int(n, 1), or_default(p, 0.5)},
                     dtype.value_or(DType::Int64));
}
RandomPair random_integers(const Var& rng, const SizeArg& size, Var low, Var high, std::optional<DType> dtype) {
  return make_random(RandomDist::RandomIntegers, "random_integers", rng, size,
                     {or_default_int(low, 0), or_default_int(high, 1)}, dtype.value_or(DType::Int64));
}
RandomPair random_poisson(const Var& rng, const SizeArg& size, Var lam, std::optional<DType> dtype) {
  return make_random(RandomDist::Poisson, "poisson", rng, size, {or_default(lam, 1.0)}, dtype.value_or(DType::Int64));
}
RandomPair random_choice(const Var& rng, const SizeArg& size, Var a, bool replace, Var p, std::optional<DType> dtype) {
  Var pv = p ? as_tensor_variable(p) : constant(NDArray(DType::Float64, {0}));
  return make_random(RandomDist::Choice, "choice", rng, size ? size : SizeArg(std::vector<Var>{}),
                     {or_default_int(a, 2), pv}, dtype.value_or(DType::Int64), replace);
}
RandomPair random_permutation(const Var& rng, const SizeArg& size, Var n, std::optional<DType> dtype) {
  return make_random(RandomDist::Permutation, "permutation", rng, size ? size : SizeArg(std::vector<Var>{}),
                     {or_default_int(n, 1)}, dtype.value_or(DType::Int64));
}
RandomPair random_multinomial(const Var& rng, const SizeArg& size, Var n, Var pvals, std::optional<DType> dtype) {
  Var pv = pvals ? as_tensor_variable(pvals) : constant(NDArray::full(DType::Float64, {2}, 0.5));
  return make_random(RandomDist::Multinomial, "multinomial", rng, size ? size : SizeArg(std::vector<Var>{}),
                     {or_default_int(n, 1), pv}, dtype.value_or(DType::Int64));
}

Var random_rng_of(const Var& sample) {
  if (!sample || !sample.owner() || !dynamic_cast<const RandomFunction*>(sample.owner()->op().get())) return Var();
  return sample.owner()->input(0);
}
Var random_new_state_of(const Var& sample) {
  if (!random_rng_of(sample)) return Var();
  return sample.owner()->output(0);
}

// ---------------------------------------------------------------- RandomStreams

namespace {
uint64_t entropy_seed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}
}  // namespace

RandomStreams::RandomStreams(std::optional<uint64_t> seed)
    : default_seed_(seed), seedgen_(seed ? *seed : entropy_seed()) {}

void RandomStreams::seed(std::optional<uint64_t> s) {
  RandomStateValue seedgen(s ? *s : (default_seed_ ? *default_seed_ : entropy_seed()));
  for (auto& [state, update] : state_updates_)
    set_value(state, OpaquePtr(std::make_shared<RandomStateValue>(seedgen.below(1ULL << 30))), true);
}

Var RandomStreams::gen(const std::function<RandomPair(const Var&)>& build) {
  Var state = shared_random_state(seedgen_.below(1ULL << 30));
  RandomPair r = build(state);
  set_default_update(state, r.first);
  state_updates_.emplace_back(state, r.first);
  return r.second;
}

Var RandomStreams::uniform(const SizeArg& size, Var low, Var high, std::optional<DType> dtype) {
  return gen([&](const Var& s) { return random_uniform(s, size, low, high, dtype); });
}
Var RandomStreams::normal(const SizeArg& size, Var avg, Var std, std::optional<DType> dtype) {
  return gen([&](const Var& s) { return random_normal(s, size, avg, std, dtype); });
}
Var RandomStreams::binomial(const SizeArg& size, Var n, Var p, std::optional<DType> dtype) {
  return gen([&](const Var& s) { return random_binomial(s, size, n, p, dtype); });
}
Var RandomStreams::random_integers(const SizeArg& size, Var low, Var high, std::optional<DType> dtype) {
  return gen([&](const Var& s) { return hypatia::random_integers(s, size, low, high, dtype); });
}
Var RandomStreams::poisson(const SizeArg& size, Var lam, std::optional<DType> dtype) {
  return gen([&](const Var& s) { return random_poisson(s, size, lam, dtype); });
}
Var RandomStreams::choice(const SizeArg& size, Var a, bool replace, Var p, std::optional<DType> dtype) {
  return gen([&](const Var& s) { return random_choice(s, size, a, replace, p, dtype); });
}
Var RandomStreams::permutation(const SizeArg& size, Var n, std::optional<DType> dtype) {
  return gen([&](const Var& s) { return random_permutation(s, size, n, dtype); });
}
Var RandomStreams::multinomial(const SizeArg& size, Var n, Var pvals, std::optional<DType> dtype) {
  return gen([&](const Var& s) { return random_multinomial(s, size, n, pvals, dtype); });
}

}  // namespace hypatia
