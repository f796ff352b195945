// RandomFunction (typing, sampling on a copy of the state, shapes, absent gradients), the
// generator state (xoshiro256** seeded by splitmix64), raw_random builders and RandomStreams.
#include "hypatia/tensor/ops/random.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>

#include "hypatia/graph/shared.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/shape.h"
#include "hypatia/tensor/indexing.h"

namespace hypatia {
namespace {

const char* dist_name(RandomDist d) {
  switch (d) {
    case RandomDist::Uniform: return "uniform";
    case RandomDist::Normal: return "normal";
    case RandomDist::Binomial: return "binomial";
    case RandomDist::RandomIntegers: return "random_integers";
    case RandomDist::Poisson: return "poisson";
    case RandomDist::Choice: return "choice";
    case RandomDist::Permutation: return "permutation";
    case RandomDist::Multinomial: return "multinomial";
  }
  return "?";
}

bool is_broadcast_dist(RandomDist d) {
  return d == RandomDist::Uniform || d == RandomDist::Normal || d == RandomDist::Binomial ||
         d == RandomDist::RandomIntegers || d == RandomDist::Poisson;
}

std::optional<int64_t> const_int_of(const Var& v) {
  if (!v->is_constant() || !is_array(*v->constant)) return std::nullopt;
  const NDArray& a = std::get<NDArray>(*v->constant);
  if (a.size() != 1) return std::nullopt;
  return a.astype(DType::Int64).item<int64_t>();
}

Shape broadcast_shapes(const std::string& who, const std::vector<Shape>& shapes) {
  size_t nd = 0;
  for (const auto& s : shapes) nd = std::max(nd, s.size());
  Shape out(nd, 1);
  for (const auto& s : shapes)
    for (size_t k = 0; k < s.size(); ++k) {
      int64_t& o = out[nd - s.size() + k];
      if (s[k] == o || s[k] == 1) continue;
      if (o == 1) { o = s[k]; continue; }
      value_error("[", who, "] parameter shapes ", shape_str(s), " and ", shape_str(out), " do not broadcast");
    }
  return out;
}

/// The parameter broadcast to `shape` as a contiguous double array.
NDArray param_as(const std::string& who, const NDArray& p, const Shape& shape) {
  if (p.ndim() > static_cast<int>(shape.size()))
    value_error("[", who, "] a parameter of shape ", shape_str(p.shape()), " does not fit the sample shape ", shape_str(shape));
  for (int k = 0; k < p.ndim(); ++k) {
    int64_t s = shape[shape.size() - p.ndim() + k];
    if (p.shape(k) != 1 && p.shape(k) != s)
      value_error("[", who, "] a parameter of shape ", shape_str(p.shape()), " cannot be broadcast to the sample shape ", shape_str(shape));
  }
  return p.broadcast_to(shape).astype(DType::Float64);
}

int64_t product(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

/// Casts a double sample to dtype, keeping uniform's open upper end after rounding.
NDArray finish_uniform(NDArray d, const NDArray& low, const NDArray& high, DType dtype) {
  NDArray r = d.astype(dtype);
  if (dtype == DType::Float32) {
    float* p = r.data<float>();
    const double* l = low.data<double>();
    const double* h = high.data<double>();
    for (int64_t i = 0; i < r.size(); ++i)
      if (static_cast<double>(p[i]) >= h[i] && h[i] > l[i])
        p[i] = std::nextafter(static_cast<float>(h[i]), -std::numeric_limits<float>::infinity());
  }
  return r;
}

/// Index of a draw from cumulative weights `cdf` (total cdf.back()).
int64_t draw_index(RandomStateValue& g, const std::vector<double>& cdf) {
  const double u = g.uniform01() * cdf.back();
  auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
  int64_t k = it - cdf.begin();
  return std::min<int64_t>(k, static_cast<int64_t>(cdf.size()) - 1);
}

}  // namespace

int RandomFunction::num_params() const {
  switch (params_.dist) {
    case RandomDist::Poisson:
    case RandomDist::Permutation: return 1;
    default: return 2;
  }
}

std::string RandomFunction::str() const {
  return str_cat("RandomFunction{", dist_name(params_.dist), "}");
}

ApplyPtr RandomFunction::make_node_checked(const std::vector<Var>& inputs) const {
  const std::string who = str();
  const size_t want = 1 + params_.nsize + num_params();
  if (inputs.size() != want) type_error("[", who, "] expected ", want, " inputs, got ", inputs.size());
  if (!inputs[0] || !dynamic_cast<const RandomStateType*>(inputs[0].type().get()))
    type_error("[", who, "] the first input must be a random state (RandomStateType), got ",
               inputs[0] ? inputs[0].type()->str() : "None");
  std::vector<bool> bc;
  for (int i = 0; i < params_.nsize; ++i) {
    const TensorType& t = check_tensor_input(inputs[1 + i], who);
    if (t.ndim() != 0 || !is_int(t.elem())) type_error("[", who, "] size entry ", i, " must be an integer scalar, got ", t.str());
    bc.push_back(const_int_of(inputs[1 + i]) == std::optional<int64_t>(1));
  }
  std::vector<const TensorType*> ps;
  for (int i = 0; i < num_params(); ++i) {
    const TensorType& t = check_tensor_input(inputs[1 + params_.nsize + i], who);
    if (is_complex(t.elem())) type_error("[", who, "] complex parameters are not supported");
    ps.push_back(&t);
  }
  const RandomDist d = params_.dist;
  if (is_broadcast_dist(d)) {
    if (params_.has_size) {
      for (const auto* t : ps)
        if (t->ndim() > params_.nsize)
          type_error("[", who, "] a parameter has rank ", t->ndim(), ", more than the ", params_.nsize, " of size");
    } else {
      int nd = 0;
      for (const auto* t : ps) nd = std::max(nd, t->ndim());
      bc.assign(nd, true);
      for (const auto* t : ps)
        for (int k = 0; k < t->ndim(); ++k)
          if (!t->broadcastable()[k]) bc[nd - t->ndim() + k] = false;
    }
  } else if (d == RandomDist::Choice) {
    if (!(ps[0]->ndim() == 0 && is_int(ps[0]->elem())) && ps[0]->ndim() != 1)
      type_error("[", who, "] a must be an integer scalar or a vector, got ", ps[0]->str());
    if (ps[1]->ndim() != 1) type_error("[", who, "] p must be a vector, got ", ps[1]->str());
  } else if (d == RandomDist::Permutation) {
    if (ps[0]->ndim() != 0 || !is_int(ps[0]->elem())) type_error("[", who, "] n must be an integer scalar, got ", ps[0]->str());
    bc.push_back(false);
  } else if (d == RandomDist::Multinomial) {
    if (ps[0]->ndim() != 0 || !is_int(ps[0]->elem())) type_error("[", who, "] n must be an integer scalar, got ", ps[0]->str());
    if (ps[1]->ndim() != 1) type_error("[", who, "] pvals must be a vector, got ", ps[1]->str());
    bc.push_back(false);
  }
  return Apply::create(ptr(), inputs, {RandomStateType::make(), TensorType::make(params_.dtype, bc)});
}

void RandomFunction::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const std::string who = str();
  RandomStatePtr state = as_random_state(*inputs[0], who.c_str());
  auto g = std::make_shared<RandomStateValue>(*state);  // the input state is never modified
  Shape size;
  for (int i = 0; i < params_.nsize; ++i) {
    int64_t n = as_array(*inputs[1 + i], who.c_str()).astype(DType::Int64).item<int64_t>();
    if (n < 0) value_error("[", who, "] negative dimension ", n, " in size");
    size.push_back(n);
  }
  std::vector<NDArray> ps;
  for (int i = 0; i < num_params(); ++i) ps.push_back(as_array(*inputs[1 + params_.nsize + i], who.c_str()));
  const RandomDist d = params_.dist;
  const DType dtype = params_.dtype;
  NDArray out;
  if (is_broadcast_dist(d)) {
    Shape shape = size;
    if (!params_.has_size) {
      std::vector<Shape> shapes;
      for (const auto& p : ps) shapes.push_back(p.shape());
      shape = broadcast_shapes(who, shapes);
    }
    std::vector<NDArray> bp;
    for (const auto& p : ps) bp.push_back(param_as(who, p, shape));
    const int64_t n = product(shape);
    NDArray r(DType::Float64, shape);
    double* pr = r.data<double>();
    const double* a = bp[0].data<double>();
    const double* b = bp.size() > 1 ? bp[1].data<double>() : nullptr;
    for (int64_t i = 0; i < n; ++i) {
      switch (d) {
        case RandomDist::Uniform:
          if (!(a[i] <= b[i])) value_error("[", who, "] low > high (", a[i], " > ", b[i], ")");
          pr[i] = a[i] + (b[i] - a[i]) * g->uniform01();
          break;
        case RandomDist::Normal:
          if (b[i] < 0) value_error("[", who, "] std < 0 (", b[i], ")");
          pr[i] = a[i] + b[i] * g->normal01();
          break;
        case RandomDist::Binomial: {
          const double p = b[i];
          if (a[i] < 0 || !(p >= 0 && p <= 1)) value_error("[", who, "] need n >= 0 and 0 <= p <= 1, got n=", a[i], ", p=", p);
          pr[i] = static_cast<double>(std::binomial_distribution<int64_t>(static_cast<int64_t>(a[i]), p)(*g));
          break;
        }
        case RandomDist::RandomIntegers: {
          const int64_t lo = static_cast<int64_t>(std::ceil(a[i])), hi = static_cast<int64_t>(std::floor(b[i]));
          if (lo > hi) value_error("[", who, "] low > high (", lo, " > ", hi, ")");
          pr[i] = static_cast<double>(lo + static_cast<int64_t>(g->below(static_cast<uint64_t>(hi - lo) + 1)));
          break;
        }
        case RandomDist::Poisson:
          if (!(a[i] >= 0)) value_error("[", who, "] lam < 0 (", a[i], ")");
          pr[i] = a[i] == 0 ? 0.0 : static_cast<double>(std::poisson_distribution<int64_t>(a[i])(*g));
          break;
        default: break;
      }
    }
    out = d == RandomDist::Uniform ? finish_uniform(r, bp[0], bp[1], dtype) : r.astype(dtype);
  } else if (d == RandomDist::Choice) {
    const NDArray& a = ps[0];
    NDArray pool = a.ndim() == 0 ? NDArray() : a.astype(DType::Float64);
    const int64_t m = a.ndim() == 0 ? a.astype(DType::Int64).item<int64_t>() : a.shape(0);
    if (m <= 0) value_error("[", who, "] a must be a positive integer or a non-empty vector");
    NDArray p = ps[1].astype(DType::Float64);
    std::vector<double> w;
    if (p.size() > 0) {
      if (p.size() != m) value_error("[", who, "] a and p must have the same size (", m, " and ", p.size(), ")");
      double tot = 0;
      for (int64_t i = 0; i < m; ++i) {
        const double v = p.data<double>()[i];
        if (!(v >= 0)) value_error("[", who, "] probabilities are not non-negative");
        w.push_back(v), tot += v;
      }
      if (std::abs(tot - 1) > 1e-8) value_error("[", who, "] probabilities do not sum to 1 (", tot, ")");
    }
    const int64_t n = product(size);
    std::vector<int64_t> idx(n);
    if (params_.replace) {
      std::vector<double> cdf;
      double acc = 0;
      for (double v : w) cdf.push_back(acc += v);
      for (int64_t i = 0; i < n; ++i)
        idx[i] = w.empty() ? static_cast<int64_t>(g->below(static_cast<uint64_t>(m))) : draw_index(*g, cdf);
    } else {
      if (n > m) value_error("[", who, "] cannot take a larger sample (", n, ") than the population (", m, ") when replace=False");
      if (w.empty()) {
        std::vector<int64_t> perm(m);
        std::iota(perm.begin(), perm.end(), 0);
        for (int64_t i = 0; i < n; ++i) {
          int64_t j = i + static_cast<int64_t>(g->below(static_cast<uint64_t>(m - i)));
          std::swap(perm[i], perm[j]);
          idx[i] = perm[i];
        }
      } else {
        int64_t nonzero = std::count_if(w.begin(), w.end(), [](double v) { return v > 0; });
        if (n > nonzero) value_error("[", who, "] fewer non-zero entries in p than size");
        for (int64_t i = 0; i < n; ++i) {
          std::vector<double> cdf;
          double acc = 0;
          for (double v : w) cdf.push_back(acc += v);
          int64_t k = draw_index(*g, cdf);
          while (w[k] == 0) k = (k + 1) % m;  // rounding at the edge of a zero-weight entry
          idx[i] = k;
          w[k] = 0;
        }
      }
    }
    NDArray r(DType::Float64, size);
    for (int64_t i = 0; i < n; ++i)
      r.data<double>()[i] = a.ndim() == 0 ? static_cast<double>(idx[i]) : pool.data<double>()[idx[i]];
    out = r.astype(dtype);
  } else if (d == RandomDist::Permutation) {
    const int64_t m = ps[0].astype(DType::Int64).item<int64_t>();
    if (m < 0) value_error("[", who, "] n must be >= 0, got ", m);
    Shape shape = size;
    shape.push_back(m);
    NDArray r(DType::Int64, shape);
    int64_t* pr = r.data<int64_t>();
    const int64_t rows = product(size);
    for (int64_t row = 0; row < rows; ++row) {
      int64_t* p = pr + row * m;
      std::iota(p, p + m, 0);
      for (int64_t i = m - 1; i > 0; --i) std::swap(p[i], p[g->below(static_cast<uint64_t>(i) + 1)]);
    }
    out = r.astype(dtype);
  } else {  // Multinomial
    const int64_t trials = ps[0].astype(DType::Int64).item<int64_t>();
    if (trials < 0) value_error("[", who, "] n must be >= 0, got ", trials);
    NDArray pv = ps[1].astype(DType::Float64);
    const int64_t k = pv.size();
    double tot = 0;
    for (int64_t j = 0; j < k; ++j) {
      const double v = pv.data<double>()[j];
      if (!(v >= 0)) value_error("[", who, "] pvals must be non-negative");
      tot += v;
    }
    if (k == 0 || tot > 1 + 1e-8) value_error("[", who, "] pvals must be a non-empty vector summing to 1 (sum ", tot, ")");
    Shape shape = size;
    shape.push_back(k);
    NDArray r = NDArray::zeros(DType::Int64, shape);
    const int64_t rows = product(size);
    for (int64_t row = 0; row < rows; ++row) {
      int64_t* p = r.data<int64_t>() + row * k;
      int64_t left = trials;
      double mass = 1.0;
      for (int64_t j = 0; j + 1 < k && left > 0; ++j) {
        const double q = mass > 0 ? std::clamp(pv.data<double>()[j] / mass, 0.0, 1.0) : 0.0;
        p[j] = std::binomial_distribution<int64_t>(left, q)(*g);
        left -= p[j];
        mass -= pv.data<double>()[j];
      }
      p[k - 1] += left;
    }
    out = r.astype(dtype);
  }
  outputs[0] = OpaquePtr(g);
  outputs[1] = std::move(out);
}

std::optional<std::vector<ShapeVec>> RandomFunction::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  if (!params_.has_size && is_broadcast_dist(params_.dist)) return std::nullopt;
  ShapeVec out;
  for (int i = 0; i < params_.nsize; ++i) out.push_back(node.input(1 + i));
  const int first = 1 + params_.nsize;
  if (params_.dist == RandomDist::Permutation) out.push_back(cast(node.input(first), DType::Int64));
  if (params_.dist == RandomDist::Multinomial) out.push_back(s[first + 1][0]);
  return std::vector<ShapeVec>{ShapeVec{}, out};
}

std::vector<std::vector<bool>> RandomFunction::connection_pattern(const Apply& node) const {
  // The state and the size are not differentiable inputs (disconnected); the parameters
  // feed the sample, with undefined gradients.
  std::vector<std::vector<bool>> r(node.nin(), {false, false});
  for (int i = 1 + params_.nsize; i < node.nin(); ++i) r[i] = {false, true};
  return r;
}

std::vector<Var> RandomFunction::vjp(const Apply& node, const std::vector<Var>&) const {
  std::vector<Var> r(node.nin());
  for (int i = 0; i < node.nin(); ++i)
    r[i] = i <= params_.nsize ? disconnected_var()
                              : grad_undefined(*this, i, "No gradient defined through raw random numbers op");
  return r;
}

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
