// Chi2SF (theano.tensor.chi2sf) and the incomplete gamma function it evaluates.
#include <cmath>
#include <limits>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/extra_ops_index.h"
#include "hypatia/tensor/ops/extra_ops_internal.h"

namespace hypatia {

using namespace extra_ops_detail;

namespace {
constexpr double kMachEp = 1.11022302462515654042e-16;
constexpr double kMaxLog = 7.09782712893383996843e2;
constexpr double kBig = 4.503599627370496e15;
constexpr double kBigInv = 2.22044604925031308085e-16;

double igam(double a, double x);
// Cephes' igamc: the continued fraction for x >= max(1, a), else 1 - igam.
double igamc(double a, double x) {
  if (x < 1.0 || x < a) return 1.0 - igam(a, x);
  double ax = a * std::log(x) - x - std::lgamma(a);
  if (ax < -kMaxLog) return 0.0;
  ax = std::exp(ax);
  double y = 1.0 - a, z = x + y + 1.0, c = 0.0;
  double pkm2 = 1.0, qkm2 = x, pkm1 = x + 1.0, qkm1 = z * x;
  double ans = pkm1 / qkm1, t;
  do {
    c += 1.0;
    y += 1.0;
    z += 2.0;
    const double yc = y * c, pk = pkm1 * z - pkm2 * yc, qk = qkm1 * z - qkm2 * yc;
    if (qk != 0) {
      const double r = pk / qk;
      t = std::fabs((ans - r) / r);
      ans = r;
    } else {
      t = 1.0;
    }
    pkm2 = pkm1, pkm1 = pk, qkm2 = qkm1, qkm1 = qk;
    if (std::fabs(pk) > kBig) pkm2 *= kBigInv, pkm1 *= kBigInv, qkm2 *= kBigInv, qkm1 *= kBigInv;
  } while (t > kMachEp && c < 10000);
  return ans * ax;
}
// Cephes' igam: the power series for x <= max(1, a), else 1 - igamc.
double igam(double a, double x) {
  if (x <= 0 || a <= 0) return 0.0;
  if (x > 1.0 && x > a) return 1.0 - igamc(a, x);
  double ax = a * std::log(x) - x - std::lgamma(a);
  if (ax < -kMaxLog) return 0.0;
  ax = std::exp(ax);
  double r = a, c = 1.0, ans = 1.0;
  do {
    r += 1.0;
    c *= x / r;
    ans += c;
  } while (c / ans > kMachEp);
  return ans * ax / a;
}

double chi2_sf(double x, double k) {
  if (std::isnan(x) || std::isnan(k) || k <= 0) return std::numeric_limits<double>::quiet_NaN();
  if (x <= 0) return 1.0;
  return gammaincc(k / 2.0, x / 2.0);
}
}  // namespace

double gammaincc(double a, double x) {
  if (std::isnan(a) || std::isnan(x) || a <= 0 || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return 1.0;
  if (std::isinf(x)) return 0.0;
  return igamc(a, x);
}

ApplyPtr Chi2SF::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& x = check_tensor_input(inputs[0], kName);
  const TensorType& k = check_tensor_input(inputs[1], kName);
  for (const TensorType* t : {&x, &k})
    if (is_complex(t->elem())) type_error("[", kName, "] expected real inputs, got ", dtype_name(t->elem()));
  DType d = upcast(x.elem(), k.elem());
  if (!is_float(d) || d == DType::Float16) d = d == DType::Float16 || d == DType::Int8 || d == DType::Int16 || d == DType::UInt8 ||
                                                      d == DType::UInt16 || d == DType::Bool ? DType::Float32 : DType::Float64;
  const int nd = std::max(x.ndim(), k.ndim());
  std::vector<bool> bc(static_cast<size_t>(nd), true);
  for (const TensorType* t : {&x, &k})
    for (int i = 0; i < t->ndim(); ++i)
      if (!t->broadcastable()[i]) bc[nd - t->ndim() + i] = false;
  return Apply::create(ptr(), inputs, {TensorType::make(d, bc)});
}
void Chi2SF::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const DType d = tensor_type(node.output(0))->elem();
  const NDArray& x0 = as_array(*inputs[0], kName);
  const NDArray& k0 = as_array(*inputs[1], kName);
  const int nd = std::max(x0.ndim(), k0.ndim());
  Shape s(static_cast<size_t>(nd), 1);
  for (const NDArray* a : {&x0, &k0})
    for (int i = 0; i < a->ndim(); ++i) {
      int64_t& o = s[nd - a->ndim() + i];
      if (a->shape(i) == o || a->shape(i) == 1) continue;
      if (o != 1) value_error("[", kName, "] shapes cannot be broadcast together");
      o = a->shape(i);
    }
  auto expand = [&](const NDArray& a) {
    Shape r(static_cast<size_t>(nd - a.ndim()), 1);
    r.insert(r.end(), a.shape().begin(), a.shape().end());
    return a.reshape(r).broadcast_to(s).astype(DType::Float64);
  };
  NDArray x = expand(x0), k = expand(k0);
  NDArray& out = prepare_output(outputs[0], d, s);
  const double* xp = x.data<double>();
  const double* kp = k.data<double>();
  if (d == DType::Float32)
    for (int64_t e = 0; e < out.size(); ++e) out.data<float>()[e] = static_cast<float>(chi2_sf(xp[e], kp[e]));
  else
    for (int64_t e = 0; e < out.size(); ++e) out.data<double>()[e] = chi2_sf(xp[e], kp[e]);
}
std::optional<std::vector<ShapeVec>> Chi2SF::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  const int nd = node.output(0).type()->ndim();
  ShapeVec out(static_cast<size_t>(nd));
  for (int k = 0; k < 2; ++k) {
    const TensorType& t = *tensor_type(node.input(k));
    for (int i = 0; i < t.ndim(); ++i) {
      Var& o = out[nd - t.ndim() + i];
      if (t.broadcastable()[i]) {
        if (!o) o = int64_constant(1);
      } else {
        o = !o || const_int_value(o) == std::optional<int64_t>(1) ? s[k][i] : maximum(o, s[k][i]);
      }
    }
  }
  return std::vector<ShapeVec>{out};
}
std::vector<std::vector<bool>> Chi2SF::connection_pattern(const Apply& node) const { return all_connected(node); }
std::vector<Var> Chi2SF::vjp(const Apply& node, const std::vector<Var>& g) const {
  Var gk = grad_not_implemented(*this, 1, "the derivative of chi2sf in the degrees of freedom");
  if (!g[0] || is_disconnected(g[0])) return {disconnected_var(), gk};
  const Var& x = node.input(0);
  const DType d = tensor_type(node.output(0))->elem();
  Var xf = cast(x, d), half_k = true_div(cast(node.input(1), d), cast(constant_int(2), d));
  // d/dx sf = -pdf = -x^(k/2-1) e^(-x/2) / (2^(k/2) Gamma(k/2)), zero below 0.
  Var logpdf = sub(sub(sub(mul(sub(half_k, cast(constant_int(1), d)), log(xf)), true_div(xf, cast(constant_int(2), d))),
                       mul(half_k, cast(constant(0.6931471805599453), d))),
                   gammaln(half_k));
  Var pdf = switch_(gt(xf, cast(constant_int(0), d)), exp(logpdf), zeros_like(xf));
  Var gx = neg(mul(g[0], pdf));
  if (is_discrete(x)) return {zeros_like(x), gk};
  return {reduce_to_like(gx, x), gk};
}

Var chi2sf(const Var& x, const Var& k) {
  return apply1(*std::make_shared<Chi2SF>(), {as_tensor_variable(x), as_tensor_variable(k)});
}

}  // namespace hypatia
