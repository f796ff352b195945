// Poisson, Binomial, Multinomial and their builders (raw, seeded, RandomStreams).
#include "hypatia/sparse/ops/random.h"

#include <cmath>
#include <random>

#include "hypatia/sparse/kernels/select.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/indexing.h"
#include "hypatia/tensor/ops/random.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

namespace {
void expect_state(const Var& v, const char* who) {
  if (!v || !dynamic_cast<const RandomStateType*>(v.type().get()))
    type_error("[", who, "] the first input must be a random state (RandomStateType), got ", v ? v.type()->str() : "None");
}
std::shared_ptr<RandomStateValue> fresh_state(const Value& v, const char* who) {
  return std::make_shared<RandomStateValue>(*as_random_state(v, who));  // the input state is never modified
}
Var undefined(const Op& op, int i) { return grad_undefined(op, i, str_cat("No gradient exists for input ", i, " of ", op.name())); }
}  // namespace

// ---------------------------------------------------------------- Poisson

ApplyPtr Poisson::make_node_checked(const std::vector<Var>& in) const {
  expect_state(in[0], kName);
  const SparseType& t = expect_sparse(in[1], kName);
  if (!is_float(t.elem()) && !is_int(t.elem()))
    type_error("[", kName, "] expected a real sparse matrix of means, got ", t.str());
  return Apply::create(ptr(), in, {RandomStateType::make(), in[1].type()});
}

void Poisson::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  auto g = fresh_state(*inputs[0], kName);
  outputs[1] = sk::poisson(sparse_input(inputs, 1, kName), *g);
  outputs[0] = OpaquePtr(g);
}

std::optional<std::vector<ShapeVec>> Poisson::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{ShapeVec{}, s[1]};
}
std::vector<Var> Poisson::vjp(const Apply&, const std::vector<Var>&) const { return {disconnected_var(), undefined(*this, 1)}; }
std::vector<std::vector<bool>> Poisson::connection_pattern(const Apply&) const { return {{false, false}, {false, true}}; }

// ---------------------------------------------------------------- Binomial

std::string Binomial::str() const {
  return str_cat("Binomial{", format_name(params_.format), ",", dtype_name(params_.dtype), "}");
}

ApplyPtr Binomial::make_node_checked(const std::vector<Var>& in) const {
  expect_state(in[0], kName);
  Var n = as_tensor_variable(in[1]), p = as_tensor_variable(in[2]), shp = as_tensor_variable(in[3]);
  const TensorType *nt = tensor_type(n), *pt = tensor_type(p), *st = tensor_type(shp);
  if (!nt || nt->ndim() != 0 || !is_int(nt->elem())) type_error("[", kName, "] n must be an integer scalar, got ", n.type()->str());
  if (!pt || pt->ndim() != 0 || !is_float(pt->elem())) type_error("[", kName, "] p must be a float scalar, got ", p.type()->str());
  if (!st || st->ndim() != 1 || !is_int(st->elem())) type_error("[", kName, "] shape must be an integer vector, got ", shp.type()->str());
  check_sparse_dtype(params_.dtype, kName);
  return Apply::create(ptr(), {in[0], n, p, shp}, {RandomStateType::make(), SparseType::make(params_.format, params_.dtype)});
}

void Binomial::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  auto g = fresh_state(*inputs[0], kName);
  const int64_t n = as_array(*inputs[1], kName).astype(DType::Int64).item<int64_t>();
  const double p = as_array(*inputs[2], kName).astype(DType::Float64).item<double>();
  const NDArray shp = as_array(*inputs[3], kName).astype(DType::Int64);
  if (shp.size() != 2) value_error("[", kName, "] shape must have 2 entries, got ", shp.size());
  outputs[1] = sk::binomial(shp.data<int64_t>()[0], shp.data<int64_t>()[1], n, p, params_.format, params_.dtype, *g);
  outputs[0] = OpaquePtr(g);
}

std::optional<std::vector<ShapeVec>> Binomial::infer_shape(const Apply& node, const std::vector<ShapeVec>&) const {
  Var shp = cast(node.input(3), DType::Int64);
  return std::vector<ShapeVec>{ShapeVec{}, {subtensor(shp, 0), subtensor(shp, 1)}};
}
std::vector<Var> Binomial::vjp(const Apply&, const std::vector<Var>&) const {
  return {disconnected_var(), undefined(*this, 1), undefined(*this, 2), disconnected_var()};
}
std::vector<std::vector<bool>> Binomial::connection_pattern(const Apply&) const {
  return {{false, false}, {false, true}, {false, true}, {false, false}};
}

// ---------------------------------------------------------------- Multinomial

ApplyPtr Multinomial::make_node_checked(const std::vector<Var>& in) const {
  expect_state(in[0], kName);
  if (sparse_type(in[1])) type_error("[", kName, "] n must be a dense integer scalar or vector, got ", in[1].type()->str());
  Var n = as_tensor_variable(in[1]);
  const TensorType* nt = tensor_type(n);
  // Theano passes n to numpy's multinomial, which truncates a float n to an integer.
  if (!nt || nt->ndim() > 1 || !(is_int(nt->elem()) || is_float(nt->elem())))
    type_error("[", kName, "] n must be an integer or float scalar or vector, got ", n.type()->str());
  const SparseType& pt = expect_sparse(in[2], kName);
  if (!is_float(pt.elem())) type_error("[", kName, "] p must be a float sparse matrix, got ", pt.str());
  return Apply::create(ptr(), {in[0], n, in[2]}, {RandomStateType::make(), in[2].type()});
}

void Multinomial::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  auto g = fresh_state(*inputs[0], kName);
  const NDArray& n_in = as_array(*inputs[1], kName);
  std::vector<int64_t> nv;
  if (is_float(n_in.dtype())) {
    // numpy's int(n): truncation toward zero; a non-finite or out-of-range n is a ValueError.
    const NDArray nd = n_in.astype(DType::Float64);
    for (int64_t i = 0; i < nd.size(); ++i) {
      const double x = nd.data<double>()[i];
      if (!std::isfinite(x) || std::abs(x) >= 9.2e18) value_error("[", kName, "] n must be a finite integer count, got ", x);
      nv.push_back(static_cast<int64_t>(x));
    }
  } else {
    const NDArray n = n_in.astype(DType::Int64);
    nv.assign(n.data<int64_t>(), n.data<int64_t>() + n.size());
  }
  outputs[1] = sk::multinomial(nv, sparse_input(inputs, 2, kName), *g);
  outputs[0] = OpaquePtr(g);
}

std::optional<std::vector<ShapeVec>> Multinomial::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{ShapeVec{}, s[2]};
}
std::vector<Var> Multinomial::vjp(const Apply&, const std::vector<Var>&) const {
  return {disconnected_var(), undefined(*this, 1), undefined(*this, 2)};
}
std::vector<std::vector<bool>> Multinomial::connection_pattern(const Apply&) const {
  return {{false, false}, {false, true}, {false, true}};
}

// ---------------------------------------------------------------- builders

namespace sparse {

namespace {
RandomPair pair_of(const std::vector<Var>& outs) { return {outs[0], outs[1]}; }
/// A shared state seeded with `seed` (fresh entropy when none) that advances at every call.
Var seeded(std::optional<uint64_t> seed, const std::function<RandomPair(const Var&)>& build) {
  uint64_t s = 0;
  if (seed) s = *seed;
  else {
    std::random_device rd;
    s = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }
  Var state = shared_random_state(s);
  RandomPair r = build(state);
  set_default_update(state, r.first);
  return r.second;
}
}  // namespace

RandomPair random_poisson(const Var& rng, const Var& x) { return pair_of(apply_op(*std::make_shared<Poisson>(), {rng, x})); }
Var poisson(const Var& x, std::optional<uint64_t> seed) {
  expect_sparse(x, Poisson::kName);
  return seeded(seed, [&](const Var& s) { return random_poisson(s, x); });
}
Var poisson(RandomStreams& streams, const Var& x) {
  expect_sparse(x, Poisson::kName);
  return streams.gen([&](const Var& s) { return random_poisson(s, x); });
}

RandomPair random_binomial(const Var& rng, SparseFormat format, DType dtype, const Var& n, const Var& p, const Var& shape) {
  return pair_of(apply_op(*std::make_shared<Binomial>(BinomialParams{format, dtype}), {rng, n, p, shape}));
}
Var binomial(SparseFormat format, DType dtype, const Var& n, const Var& p, const Var& shape, std::optional<uint64_t> seed) {
  return seeded(seed, [&](const Var& s) { return random_binomial(s, format, dtype, n, p, shape); });
}
Var binomial(RandomStreams& streams, SparseFormat format, DType dtype, const Var& n, const Var& p, const Var& shape) {
  return streams.gen([&](const Var& s) { return random_binomial(s, format, dtype, n, p, shape); });
}

RandomPair random_multinomial(const Var& rng, const Var& n, const Var& p) {
  return pair_of(apply_op(*std::make_shared<Multinomial>(), {rng, n, p}));
}
Var multinomial(const Var& n, const Var& p, std::optional<uint64_t> seed) {
  expect_sparse(p, Multinomial::kName);
  return seeded(seed, [&](const Var& s) { return random_multinomial(s, n, p); });
}
Var multinomial(RandomStreams& streams, const Var& n, const Var& p) {
  expect_sparse(p, Multinomial::kName);
  return streams.gen([&](const Var& s) { return random_multinomial(s, n, p); });
}

}  // namespace sparse
}  // namespace hypatia
