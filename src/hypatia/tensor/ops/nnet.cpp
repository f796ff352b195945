// nnet ops (pointwise activations, softmax/log_softmax over the last axis, one-hot
// crossentropy) and the builders over them and the scalar table (sigmoid, softplus).
#include "hypatia/tensor/ops/nnet.h"

#include <cmath>
#include <limits>

#include "hypatia/scalar/scalar_ops.h"
#include "hypatia/scalar/vector_math.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/kernels/extreme.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/util/parallel.h"

namespace hypatia {
namespace {

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

const char* activation_name(Activation k) {
  switch (k) {
    case Activation::Softsign: return "Softsign";
    case Activation::Relu: return "Relu";
    case Activation::Elu: return "Elu";
    case Activation::Selu: return "Selu";
    case Activation::HardSigmoid: return "HardSigmoid";
    case Activation::UltraFastSigmoid: return "UltraFastSigmoid";
  }
  return "?";
}

/// Theano's ultra_fast_sigmoid: a piecewise rational approximation (max error ~0.03).
double ultra_fast(double x) {
  double u = 0.5 * std::abs(x), z;
  if (std::isnan(x)) return x;
  if (u < 1.7) z = 1.5 * u / (1 + u);
  else if (u < 3) z = 0.935409070603099 + 0.0458812946797165 * (u - 1.7);
  else z = 0.99505475368673;
  if (x < 0) z = -z;
  return 0.5 * (z + 1.);
}
double ultra_fast_deriv(double x) {
  double u = 0.5 * std::abs(x);
  if (u < 1.7) return 0.25 * 1.5 / ((1 + u) * (1 + u));
  if (u < 3) return 0.25 * 0.0458812946797165;
  return 0;
}

double activation(Activation k, double a, double x) {
  switch (k) {
    case Activation::Softsign: return x / (1 + std::abs(x));
    case Activation::Relu: return x > 0 ? x : (a == 0 ? (std::isnan(x) ? x : 0.0) : a * x);
    case Activation::Elu: return x > 0 ? x : a * std::expm1(x);
    case Activation::Selu: return kSeluScale * (x > 0 ? x : kSeluAlpha * std::expm1(x));
    case Activation::HardSigmoid: {
      if (std::isnan(x)) return x;
      double y = 0.2 * x + 0.5;
      return y < 0 ? 0.0 : (y > 1 ? 1.0 : y);
    }
    case Activation::UltraFastSigmoid: return ultra_fast(x);
  }
  return x;
}

double activation_deriv(Activation k, double a, double x) {
  switch (k) {
    case Activation::Softsign: {
      double d = 1 + std::abs(x);
      return 1 / (d * d);
    }
    case Activation::Relu: return x > 0 ? 1.0 : a;
    case Activation::Elu: return x > 0 ? 1.0 : a * std::exp(x);
    case Activation::Selu: return kSeluScale * (x > 0 ? 1.0 : kSeluAlpha * std::exp(x));
    case Activation::HardSigmoid: {
      double y = 0.2 * x + 0.5;
      return (y >= 0 && y <= 1) ? 0.2 : 0.0;
    }
    case Activation::UltraFastSigmoid: return ultra_fast_deriv(x);
  }
  return 1;
}

DType float_out(DType d) { return is_float(d) ? d : scalar_out_dtype(ScalarOpId::Exp, {d}, d); }

std::vector<bool> drop_last(const std::vector<bool>& bc) { return std::vector<bool>(bc.begin(), bc.end() - 1); }

}  // namespace

// ---------------------------------------------------------------- NnetActivation

std::string NnetActivation::name() const {
  return std::string(activation_name(params_.kind)) + (params_.grad ? "Grad" : "");
}

std::string NnetActivation::str() const {
  if (params_.kind == Activation::Relu || params_.kind == Activation::Elu)
    return str_cat(name(), "{alpha=", params_.alpha, "}");
  return name();
}

ApplyPtr NnetActivation::make_node_checked(const std::vector<Var>& inputs) const {
  const size_t want = params_.grad ? 2 : 1;
  if (inputs.size() != want) type_error("[", name(), "] expected ", want, " inputs, got ", inputs.size());
  const TensorType& x = check_tensor_input(inputs[0], name());
  if (is_complex(x.elem())) type_error("[", name(), "] complex inputs are not supported, got ", x.str());
  DType out = float_out(x.elem());
  if (params_.grad) {
    const TensorType& g = check_tensor_input(inputs[1], name());
    if (g.ndim() != x.ndim()) type_error("[", name(), "] the gradient must have the input's rank");
    out = float_out(g.elem());
  }
  return Apply::create(ptr(), inputs, {TensorType::make(out, x.broadcastable())});
}

namespace {
// y[i] = f(x[i]) (f computes in double) with the activation chosen once, outside the loop, so
// each kind's loop vectorises; threads split big arrays. The loop it replaces switched on the
// kind per element over float64 copies of input and output (relu over 2000 x 2000: 30 ms,
// 2.5x numpy's maximum).
template <class T, class O, class F>
void map_values(const T* x, O* y, int64_t n, F f) {
  const bool par = n >= ::hypatia::elemwise_minsize() && ::hypatia::max_threads() > 1;
#pragma omp parallel for schedule(static) if (par) num_threads(::hypatia::max_threads())
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<O>(f(static_cast<double>(x[i])));
}
template <class T, class O, class F>
void map_values2(const T* x, const T* g, O* y, int64_t n, F f) {
  const bool par = n >= ::hypatia::elemwise_minsize() && ::hypatia::max_threads() > 1;
#pragma omp parallel for schedule(static) if (par) num_threads(::hypatia::max_threads())
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<O>(f(static_cast<double>(x[i])) * static_cast<double>(g[i]));
}

// Calls run(f) with f the activation (or its derivative) of kind k as a lambda of its own.
template <class R>
void with_activation(Activation k, double a, bool deriv, R&& run) {
  if (!deriv && k == Activation::Relu && a == 0) return run([](double x) { return x > 0 ? x : (x != x ? x : 0.0); });
  if (!deriv && k == Activation::Relu) return run([a](double x) { return x > 0 ? x : a * x; });
  if (deriv && k == Activation::Relu) return run([a](double x) { return x > 0 ? 1.0 : a; });
  if (!deriv && k == Activation::Softsign) return run([](double x) { return x / (1 + std::abs(x)); });
  if (!deriv && k == Activation::HardSigmoid)
    return run([](double x) { return x != x ? x : std::min(1.0, std::max(0.0, 0.2 * x + 0.5)); });
  if (deriv) return run([k, a](double x) { return activation_deriv(k, a, x); });
  return run([k, a](double x) { return activation(k, a, x); });
}
}  // namespace

void NnetActivation::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& x_in = as_array(*inputs[0], name().c_str());
  const DType odt = tensor_type(node.output(0))->elem();
  const NDArray* g_in = nullptr;
  if (params_.grad) {
    g_in = &as_array(*inputs[1], name().c_str());
    if (g_in->shape() != x_in.shape())
      value_error("[", name(), "] the gradient has shape ", shape_str(g_in->shape()), ", expected ", shape_str(x_in.shape()));
  }
  // float32/float64 in their own type (values computed in double, as before); the rest through float64.
  auto native = [](DType d) { return d == DType::Float32 || d == DType::Float64; };
  const bool direct = native(x_in.dtype()) && native(odt) && (!g_in || g_in->dtype() == x_in.dtype());
  const NDArray x = direct ? x_in.contiguous() : x_in.astype(DType::Float64);
  const NDArray g = !g_in ? NDArray() : direct ? g_in->contiguous() : g_in->astype(DType::Float64);
  NDArray r(direct ? odt : DType::Float64, x.shape());
  const int64_t n = x.size();
  auto typed = [&](auto xt, auto ot) {
    using T = decltype(xt);
    using O = decltype(ot);
    const T* px = x.data<T>();
    O* pr = r.data<O>();
    with_activation(params_.kind, params_.alpha, params_.grad, [&](auto f) {
      if (g_in) map_values2(px, g.data<T>(), pr, n, f);
      else map_values(px, pr, n, f);
    });
  };
  if (!direct || (x.dtype() == DType::Float64 && odt == DType::Float64)) typed(double{}, double{});
  else if (x.dtype() == DType::Float32 && odt == DType::Float32) typed(float{}, float{});
  else if (x.dtype() == DType::Float32) typed(float{}, double{});
  else typed(double{}, float{});
  outputs[0] = r.dtype() == odt ? r : r.astype(odt);
}

std::optional<std::vector<ShapeVec>> NnetActivation::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> NnetActivation::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const Var& gz = output_grads[0];
  if (params_.grad) {
    // Second derivatives are not provided; the gradient input enters linearly.
    auto self = ptr();
    return {grad_not_implemented(*this, 0), apply1(*self, {node.input(0), gz})};
  }
  if (!gz || is_disconnected(gz)) return {disconnected_var()};
  if (is_discrete(node.input(0))) return {zeros_like(node.input(0))};
  ActivationParams p = params_;
  p.grad = true;
  Var g = apply1(*std::make_shared<NnetActivation>(p), {node.input(0), gz});
  return {reduce_to_like(g, node.input(0))};
}

std::vector<Var> NnetActivation::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (params_.grad || ev.empty() || !ev[0]) return {Var()};
  ActivationParams p = params_;
  p.grad = true;
  Var v = ev[0];
  if (tensor_type(v)->elem() != tensor_type(node.output(0))->elem()) v = cast(v, tensor_type(node.output(0))->elem());
  return {apply1(*std::make_shared<NnetActivation>(p), {node.input(0), v})};
}

// ---------------------------------------------------------------- Softmax / LogSoftmax

ApplyPtr Softmax::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& x = check_tensor_input(inputs[0], name());
  if (x.ndim() < 1 || !is_float(x.elem()))
    type_error("[", name(), "] x must be a float tensor of rank >= 1 (rows over the last axis), got ", x.str());
  return Apply::create(ptr(), inputs, {TensorType::make(x.elem(), x.broadcastable())});
}

namespace {
// Softmax (or log-softmax) of each row of c values, in T: the row's max (a NaN propagates; an
// all -inf row keeps exp's 0/0 = NaN, as numpy), one vectorised exp pass into the output, the
// sum in double, then one division pass. Rows are split over threads. The scalar loop it
// replaces called exp twice per element in float64 (2000 x 2000: 38 ms, 1.5x numpy's composite).
template <class T>
void softmax_rows(const T* in, T* out, int64_t rows, int64_t c, bool log) {
  const bool par = rows > 1 && rows * c >= ::hypatia::elemwise_minsize() && ::hypatia::max_threads() > 1;
#pragma omp parallel for schedule(static) if (par) num_threads(::hypatia::max_threads())
  for (int64_t r = 0; r < rows; ++r) {
    const T* x = in + r * c;
    T* y = out + r * c;
    T m = kernels::Extreme<true, T>::row(x, c);
    if (std::isinf(m)) m = m > 0 ? m : T(0);
    for (int64_t j = 0; j < c; ++j) y[j] = x[j] - m;
    vector_math::exp(y, y, c);
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t j = 0;
    for (; j + 4 <= c; j += 4) s0 += y[j], s1 += y[j + 1], s2 += y[j + 2], s3 += y[j + 3];
    for (; j < c; ++j) s0 += y[j];
    const double s = (s0 + s1) + (s2 + s3);
    if (log) {
      const T shift = static_cast<T>(m + std::log(s));
      for (int64_t k = 0; k < c; ++k) y[k] = x[k] - shift;
    } else {
      const T st = static_cast<T>(s);
      for (int64_t k = 0; k < c; ++k) y[k] = y[k] / st;
    }
  }
}
}  // namespace

void Softmax::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& in = as_array(*inputs[0], name().c_str());
  // float16 computes in float32 and rounds back; float32 and float64 in their own type.
  const DType work = in.dtype() == DType::Float64 ? DType::Float64 : DType::Float32;
  const NDArray x = in.dtype() == work ? in.contiguous() : in.astype(work);
  const int64_t c = x.ndim() == 0 ? 1 : x.shape(x.ndim() - 1);
  const int64_t rows = c == 0 ? 0 : x.size() / c;
  NDArray y(work, x.shape());
  if (work == DType::Float64) softmax_rows(x.data<double>(), y.data<double>(), rows, c, params_.log);
  else softmax_rows(x.data<float>(), y.data<float>(), rows, c, params_.log);
  outputs[0] = y.dtype() == in.dtype() ? y : y.astype(in.dtype());
  (void)node;
}

std::optional<std::vector<ShapeVec>> Softmax::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> Softmax::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const Var& gz = output_grads[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var()};
  const Var out = node.output(0);
  const int last = out.type()->ndim() - 1;
  if (params_.log) {
    // d/dx log_softmax: gz - sum(gz) * softmax(x), with softmax(x) = exp(log_softmax(x)).
    return {sub(gz, mul(sum(gz, std::vector<int>{last}, true), hypatia::exp(out)))};
  }
  // d/dx softmax: (gz - sum(gz * sm)) * sm, as one op the stabilize rewrites recognise.
  return {softmax_grad(gz, out)};
}

std::vector<Var> Softmax::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (ev.empty() || !ev[0]) return {Var()};
  const Var out = node.output(0);
  const Var& v = ev[0];
  const int last = out.type()->ndim() - 1;
  if (params_.log) return {sub(v, sum(mul(v, hypatia::exp(out)), std::vector<int>{last}, true))};
  // The softmax Jacobian is symmetric: the same form as the vjp.
  return {mul(sub(v, sum(mul(v, out), std::vector<int>{last}, true)), out)};
}

// ---------------------------------------------------------------- SoftmaxGrad

ApplyPtr SoftmaxGrad::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& dy = check_tensor_input(inputs[0], name());
  const TensorType& sm = check_tensor_input(inputs[1], name());
  if (sm.ndim() < 1 || !is_float(sm.elem()) || dy.ndim() != sm.ndim())
    type_error("[SoftmaxGrad] expected dy and sm as float tensors of the same rank >= 1, got ", dy.str(), " and ", sm.str());
  std::vector<bool> bc(sm.ndim());
  for (int i = 0; i < sm.ndim(); ++i) bc[i] = dy.broadcastable()[i] && sm.broadcastable()[i];
  return Apply::create(ptr(), inputs, {TensorType::make(upcast(float_out(dy.elem()), sm.elem()), bc)});
}

void SoftmaxGrad::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& dy_in = as_array(*inputs[0], kName);
  const NDArray& sm_in = as_array(*inputs[1], kName);
  if (dy_in.shape() != sm_in.shape())
    value_error("[SoftmaxGrad] dy has shape ", shape_str(dy_in.shape()), " but sm has shape ", shape_str(sm_in.shape()));
  NDArray r = dy_in.astype(DType::Float64);
  NDArray sm = sm_in.astype(DType::Float64);
  const int64_t c = sm.shape(sm.ndim() - 1);
  const int64_t rows = c == 0 ? 0 : sm.size() / c;
  double* pr = r.data<double>();
  const double* ps = sm.data<double>();
  for (int64_t i = 0; i < rows; ++i) {
    double* d = pr + i * c;
    const double* s = ps + i * c;
    double acc = 0;
    for (int64_t j = 0; j < c; ++j) acc += d[j] * s[j];
    for (int64_t j = 0; j < c; ++j) d[j] = (d[j] - acc) * s[j];
  }
  outputs[0] = r.astype(tensor_type(node.output(0))->elem());
}

std::optional<std::vector<ShapeVec>> SoftmaxGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[1]};
}

std::vector<Var> SoftmaxGrad::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g || is_disconnected(g)) return {disconnected_var(), disconnected_var()};
  const Var dy = node.input(0), sm = node.input(1);
  const std::vector<int> last{sm.type()->ndim() - 1};
  // out = dy * sm - s * sm with s = sum(dy * sm): linear in dy with the (symmetric) softmax
  // Jacobian, and d/d sm = g * dy - g * s - sum(g * sm) * dy.
  Var s = sum(mul(dy, sm), last, true);
  Var g_sm = sub(mul(g, sub(dy, s)), mul(sum(mul(g, sm), last, true), dy));
  return {reduce_to_like(softmax_grad(g, sm), dy), reduce_to_like(g_sm, sm)};
}

std::vector<Var> SoftmaxGrad::jvp(const Apply& node, const std::vector<Var>& ev) const {
  const Var dy = node.input(0), sm = node.input(1);
  const std::vector<int> last{sm.type()->ndim() - 1};
  // d[(dy - s) sm] = (d dy - d s) sm + (dy - s) d sm, s = sum(dy sm), d s = sum(d dy sm + dy d sm).
  Var r;
  if (ev.size() > 0 && ev[0]) r = softmax_grad(ev[0], sm);
  if (ev.size() > 1 && ev[1]) {
    const Var& v = ev[1];
    Var t = sub(mul(sub(dy, sum(mul(dy, sm), last, true)), v), mul(sum(mul(dy, v), last, true), sm));
    r = r ? add(r, t) : t;
  }
  if (r && tensor_type(r)->elem() != tensor_type(node.output(0))->elem()) r = cast(r, tensor_type(node.output(0))->elem());
  return {r};
}

Var softmax_grad(const Var& dy, const Var& sm) {
  return apply1(*std::make_shared<SoftmaxGrad>(), {as_tensor_variable(dy), as_tensor_variable(sm)});
}

const Softmax* softmax_op_of(const Var& v) {
  if (!v || !v.owner()) return nullptr;
  return dynamic_cast<const Softmax*>(v.owner()->op().get());
}

// ---------------------------------------------------------------- CrossentropyCategorical1Hot

namespace {

void check_1hot_inputs(const std::string& who, const Var& p, const Var& y) {
  const TensorType& pt = check_tensor_input(p, who);
  const TensorType& yt = check_tensor_input(y, who);
  if (pt.ndim() < 1 || !is_float(pt.elem()))
    type_error("[", who, "] coding_dist must be a float tensor of rank >= 1, got ", pt.str());
  if (!is_int(yt.elem()) || yt.ndim() != pt.ndim() - 1)
    type_error("[", who, "] true_dist must be an integer tensor of rank ", pt.ndim() - 1,
               " (one class index per row of coding_dist), got ", yt.str());
}

/// p as (rows, classes) doubles and the labels as int64, after checking shapes and ranges.
struct OneHotRows {
  NDArray p, y;
  int64_t rows = 0, classes = 0;
};
OneHotRows one_hot_rows(const std::string& who, const NDArray& p_in, const NDArray& y_in) {
  OneHotRows r;
  r.classes = p_in.shape(p_in.ndim() - 1);
  Shape lead(p_in.shape().begin(), p_in.shape().end() - 1);
  if (y_in.shape() != lead)
    value_error("[", who, "] true_dist has shape ", shape_str(y_in.shape()), " but coding_dist has shape ",
                shape_str(p_in.shape()), "; expected one label per row (shape ", shape_str(lead), ")");
  r.p = p_in.astype(DType::Float64);
  r.y = y_in.astype(DType::Int64);
  r.rows = r.y.size();
  const int64_t* py = r.y.data<int64_t>();
  for (int64_t i = 0; i < r.rows; ++i)
    if (py[i] < 0 || py[i] >= r.classes)
      value_error("[", who, "] class index ", py[i], " out of range [0, ", r.classes, ")");
  return r;
}

}  // namespace

ApplyPtr CrossentropyCategorical1Hot::make_node_checked(const std::vector<Var>& inputs) const {
  check_1hot_inputs(name(), inputs[0], inputs[1]);
  const TensorType& pt = *tensor_type(inputs[0]);
  return Apply::create(ptr(), inputs, {TensorType::make(pt.elem(), drop_last(pt.broadcastable()))});
}

void CrossentropyCategorical1Hot::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& p_in = as_array(*inputs[0], kName);
  OneHotRows r = one_hot_rows(name(), p_in, as_array(*inputs[1], kName));
  NDArray out(DType::Float64, r.y.shape());
  const double* pp = r.p.data<double>();
  const int64_t* py = r.y.data<int64_t>();
  double* po = out.data<double>();
  for (int64_t i = 0; i < r.rows; ++i) {
    const double v = pp[i * r.classes + py[i]];
    po[i] = params_.log_input ? -v : -std::log(v);
  }
  outputs[0] = out.astype(p_in.dtype());
}

std::optional<std::vector<ShapeVec>> CrossentropyCategorical1Hot::infer_shape(const Apply&,
                                                                             const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{ShapeVec(s[0].begin(), s[0].end() - 1)};
}

std::vector<std::vector<bool>> CrossentropyCategorical1Hot::connection_pattern(const Apply&) const {
  return {{true}, {false}};
}

std::vector<Var> CrossentropyCategorical1Hot::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const Var& gz = output_grads[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var(), disconnected_var()};
  Var g = apply1(*std::make_shared<CrossentropyCategorical1HotGrad>(params_), {gz, node.input(0), node.input(1)});
  return {g, disconnected_var()};
}

ApplyPtr CrossentropyCategorical1HotGrad::make_node_checked(const std::vector<Var>& inputs) const {
  check_1hot_inputs(name(), inputs[1], inputs[2]);
  const TensorType& gt = check_tensor_input(inputs[0], name());
  const TensorType& pt = *tensor_type(inputs[1]);
  if (gt.ndim() != pt.ndim() - 1) type_error("[", name(), "] the gradient must have rank ", pt.ndim() - 1);
  return Apply::create(ptr(), inputs, {TensorType::make(pt.elem(), pt.broadcastable())});
}

void CrossentropyCategorical1HotGrad::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& p_in = as_array(*inputs[1], kName);
  OneHotRows r = one_hot_rows(name(), p_in, as_array(*inputs[2], kName));
  const NDArray& g_in = as_array(*inputs[0], kName);
  NDArray g = g_in.broadcast_to(r.y.shape()).astype(DType::Float64);
  NDArray out = NDArray::zeros(DType::Float64, p_in.shape());
  const double* pp = r.p.data<double>();
  const double* pg = g.data<double>();
  const int64_t* py = r.y.data<int64_t>();
  double* po = out.data<double>();
  for (int64_t i = 0; i < r.rows; ++i) {
    const int64_t k = i * r.classes + py[i];
    po[k] = params_.log_input ? -pg[i] : -pg[i] / pp[k];
  }
  outputs[0] = out.astype(p_in.dtype());
}

std::optional<std::vector<ShapeVec>> CrossentropyCategorical1HotGrad::infer_shape(const Apply&,
                                                                                 const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[1]};
}

std::vector<Var> CrossentropyCategorical1HotGrad::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  return {grad_not_implemented(*this, 0), grad_not_implemented(*this, 1), disconnected_var()};
}

namespace {
Var activation(Activation k, const Var& x, double alpha = 0) {
  return apply1(*std::make_shared<NnetActivation>(ActivationParams{k, alpha, false}), {as_tensor_variable(x)});
}
}  // namespace

Var sigmoid(const Var& x) { return elemwise(ScalarOpId::Sigmoid, {x}); }
Var softplus(const Var& x) { return elemwise(ScalarOpId::Softplus, {x}); }

Var softsign(const Var& x) { return activation(Activation::Softsign, x); }
Var relu(const Var& x, double alpha) { return activation(Activation::Relu, x, alpha); }
Var elu(const Var& x, double alpha) { return activation(Activation::Elu, x, alpha); }
Var selu(const Var& x) { return activation(Activation::Selu, x); }
Var hard_sigmoid(const Var& x) { return activation(Activation::HardSigmoid, x); }
Var ultra_fast_sigmoid(const Var& x) { return activation(Activation::UltraFastSigmoid, x); }

Var softmax(const Var& x) { return apply1(*std::make_shared<Softmax>(SoftmaxParams{false}), {as_tensor_variable(x)}); }
Var log_softmax(const Var& x) { return apply1(*std::make_shared<Softmax>(SoftmaxParams{true}), {as_tensor_variable(x)}); }

Var sigmoid_binary_crossentropy(const Var& output, const Var& target) {
  // t softplus(-x) + (1 - t) softplus(x) = softplus(x) - t x.
  return sub(softplus(output), mul(output, target));
}

Var binary_crossentropy(const Var& output, const Var& target) {
  if (output.owner()) {
    const auto* e = dynamic_cast<const Elemwise*>(output.owner()->op().get());
    if (e && e->scalar_op() == ScalarOpId::Sigmoid) {
      return sigmoid_binary_crossentropy(output.owner()->input(0), target);
    }
  }
  return neg(add(mul(target, hypatia::log(output)), mul(sub(constant(1.0), target), hypatia::log(sub(constant(1.0), output)))));
}

Var categorical_crossentropy(const Var& coding_dist_in, const Var& true_dist_in) {
  const Var coding_dist = as_tensor_variable(coding_dist_in);
  const Var true_dist = as_tensor_variable(true_dist_in);
  const TensorType& c = expect_tensor(coding_dist, "categorical_crossentropy");
  const TensorType& t = expect_tensor(true_dist, "categorical_crossentropy");
  // log(coding_dist), read from the logits when coding_dist is a softmax.
  std::optional<Var> log_p;
  if (const Softmax* sm = softmax_op_of(coding_dist); sm && !sm->is_log()) log_p = log_softmax(coding_dist.owner()->input(0));
  if (t.ndim() == c.ndim() - 1) {
    if (!is_int(t.elem()))
      type_error("[categorical_crossentropy] true_dist of rank ", t.ndim(), " must hold integer class indices, got ", t.str());
    if (log_p) return apply1(*std::make_shared<CrossentropyCategorical1Hot>(Crossentropy1HotParams{true}), {*log_p, true_dist});
    return apply1(*std::make_shared<CrossentropyCategorical1Hot>(Crossentropy1HotParams{false}), {coding_dist, true_dist});
  }
  if (t.ndim() == c.ndim()) {
    if (c.ndim() < 1) type_error("[categorical_crossentropy] coding_dist must have rank >= 1");
    const int last = c.ndim() - 1;
    Var lp = log_p ? *log_p : hypatia::log(coding_dist);
    return neg(sum(mul(true_dist, lp), std::vector<int>{last}));
  }
  type_error("[categorical_crossentropy] rank mismatch between coding and true distributions: coding_dist is ",
             c.str(), ", true_dist is ", t.str(), " (expected rank ", c.ndim() - 1, " class indices or rank ",
             c.ndim(), " probabilities)");
}

}  // namespace hypatia
