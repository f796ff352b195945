// Batch-normalisation ops and builders; the arithmetic is in nnet/kernels/bn.
#include "hypatia/nnet/ops/bn.h"

#include <algorithm>
#include <numeric>

#include "hypatia/nnet/kernels/bn.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/shape.h"

namespace hypatia {
namespace {

std::string axes_str(const std::vector<int>& axes) {
  std::string s = "(";
  for (size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  return s + (axes.size() == 1 ? ",)" : ")");
}

bool in_axes(const std::vector<int>& axes, int d) { return std::find(axes.begin(), axes.end(), d) != axes.end(); }

/// The output float dtype of a node over these inputs (Float64 when none is a float).
DType common_float(const std::vector<Var>& vs) {
  std::optional<DType> dt;
  for (const Var& v : vs) {
    DType e = tensor_type(v)->elem();
    if (!is_float(e)) continue;
    dt = dt ? upcast(*dt, e) : e;
  }
  return dt ? *dt : DType::Float64;
}

/// Checks x and each parameter (all tensors of x's rank, real) and the axes.
void check_bn_inputs(const std::string& who, const std::vector<Var>& inputs, const std::vector<int>& axes) {
  const TensorType& x = check_tensor_input(inputs[0], who);
  for (const Var& v : inputs) {
    const TensorType& t = check_tensor_input(v, who);
    if (is_complex(t.elem())) type_error("[", who, "] complex inputs are not supported, got ", t.str());
    if (t.ndim() != x.ndim())
      type_error("[", who, "] every input must have the rank of x (", x.ndim(), "), got ", t.str());
  }
  for (int a : axes)
    if (a < 0 || a >= x.ndim()) value_error("[", who, "] axis ", a, " is out of range for a rank-", x.ndim(), " input");
}

/// The parameter type: x's broadcast pattern with the normalised axes broadcastable.
TypePtr param_type(const Var& x, const std::vector<int>& axes, DType dt) {
  std::vector<bool> bc = tensor_type(x)->broadcastable();
  for (int a : axes) bc[a] = true;
  return TensorType::make(dt, bc);
}

/// The (outer, groups, inner) layout of x: the kept axes in the middle. When they are adjacent
/// in x this is x itself (no copy beyond the float64 view); otherwise x is transposed to put
/// the kept axes first (outer = 1).
struct Layout {
  std::vector<int> perm, inv;  // empty: no transpose
  Shape keep_shape;            // x's shape with the normalised axes set to 1
  Shape shape;                 // x's shape
  int64_t outer = 1, groups = 1, inner = 1;
};
Layout layout_of(const Shape& xs, const std::vector<int>& axes) {
  Layout l;
  const int nd = static_cast<int>(xs.size());
  l.shape = l.keep_shape = xs;
  for (int a : axes) l.keep_shape[a] = 1;
  int first = nd, last = -1;
  for (int d = 0; d < nd; ++d)
    if (!in_axes(axes, d)) first = std::min(first, d), last = std::max(last, d);
  bool adjacent = true;
  for (int d = first; d <= last; ++d) adjacent = adjacent && !in_axes(axes, d);
  if (adjacent) {
    for (int d = 0; d < nd; ++d) (d < first ? l.outer : d > last ? l.inner : l.groups) *= xs[d];
    return l;
  }
  for (int d = 0; d < nd; ++d)
    if (!in_axes(axes, d)) l.perm.push_back(d), l.groups *= xs[d];
  for (int d = 0; d < nd; ++d)
    if (in_axes(axes, d)) l.perm.push_back(d), l.inner *= xs[d];
  l.inv.assign(nd, 0);
  for (int i = 0; i < nd; ++i) l.inv[l.perm[i]] = i;
  return l;
}

/// x as contiguous doubles in the layout (no copy for a contiguous float64 x in place).
NDArray rows_of(const NDArray& x, const Layout& l) {
  if (!l.perm.empty()) return x.transpose(l.perm).astype(DType::Float64);
  return x.dtype() == DType::Float64 ? x.contiguous() : x.astype(DType::Float64);
}

/// A parameter broadcast to the kept shape, as `groups` contiguous doubles in kept-axis order.
NDArray groups_of(const std::string& who, const char* what, const NDArray& p, const Layout& l) {
  const Shape& ks = l.keep_shape;
  bool ok = p.ndim() == static_cast<int>(ks.size());
  for (int d = 0; ok && d < p.ndim(); ++d) ok = p.shape(d) == ks[d] || p.shape(d) == 1;
  if (!ok)
    value_error("[", who, "] ", what, " has shape ", shape_str(p.shape()), ", expected ", shape_str(ks),
                " (x's shape with the normalised axes of length 1) or one broadcasting to it");
  return p.broadcast_to(ks).astype(DType::Float64);
}

/// A fresh float64 array of the layout's working shape.
NDArray work_array(const Layout& l) {
  if (l.perm.empty()) return NDArray(DType::Float64, l.shape);
  Shape s;
  for (int d : l.perm) s.push_back(l.shape[d]);
  return NDArray(DType::Float64, s);
}

/// A working array back to x's axis order, as dtype.
NDArray from_rows(const NDArray& rows, const Layout& l, DType dt) {
  if (l.perm.empty()) return dt == DType::Float64 ? rows : rows.astype(dt);
  return rows.transpose(l.inv).astype(dt);
}

/// A groups vector as a tensor of the kept shape.
NDArray keep_of(const NDArray& g, const Layout& l, DType dt) { return g.reshape(l.keep_shape).astype(dt); }

ShapeVec keep_shape_sym(const ShapeVec& xs, const std::vector<int>& axes) {
  ShapeVec s = xs;
  for (int a : axes) s[a] = int64_constant(1);
  return s;
}

/// The number of values each mean is taken over, as a float scalar of dtype dt.
Var count_of(const Var& x, const std::vector<int>& axes, DType dt) {
  Var m = int64_constant(1);
  for (int a : axes) m = mul(m, shape_i(x, a));
  return cast(m, dt);
}

}  // namespace

// ---------------------------------------------------------------- AbstractBatchNormTrain

std::string AbstractBatchNormTrain::str() const { return str_cat(name(), "{axes=", axes_str(params_.axes), "}"); }

ApplyPtr AbstractBatchNormTrain::make_node_checked(const std::vector<Var>& inputs) const {
  const size_t want = params_.running ? 5 : 3;
  if (inputs.size() != want) type_error("[", name(), "] expected ", want, " inputs, got ", inputs.size());
  check_bn_inputs(name(), inputs, params_.axes);
  const DType dt = common_float(inputs);
  const TypePtr pt = param_type(inputs[0], params_.axes, dt);
  std::vector<TypePtr> outs{TensorType::make(dt, tensor_type(inputs[0])->broadcastable()), pt, pt};
  if (params_.running) outs.push_back(pt), outs.push_back(pt);
  return Apply::create(ptr(), inputs, outs);
}

void AbstractBatchNormTrain::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  const Layout l = layout_of(x.shape(), params_.axes);
  const NDArray xr = rows_of(x, l);
  const NDArray g = groups_of(name(), "scale", as_array(*inputs[1], kName), l);
  const NDArray b = groups_of(name(), "bias", as_array(*inputs[2], kName), l);
  NDArray out = work_array(l), mean(DType::Float64, {l.groups}), var(DType::Float64, {l.groups}),
      invstd(DType::Float64, {l.groups});
  nnet_kernels::bn_train(xr.data<double>(), l.outer, l.groups, l.inner, g.data<double>(), b.data<double>(), params_.epsilon,
                         out.data<double>(), mean.data<double>(), var.data<double>(), invstd.data<double>());
  const DType dt = tensor_type(node.output(0))->elem();
  outputs[0] = from_rows(out, l, dt);
  outputs[1] = keep_of(mean, l, dt);
  outputs[2] = keep_of(invstd, l, dt);
  if (params_.running) {
    const NDArray rm = groups_of(name(), "running_mean", as_array(*inputs[3], kName), l);
    const NDArray rv = groups_of(name(), "running_var", as_array(*inputs[4], kName), l);
    const double f = params_.running_average_factor;
    const int64_t m = l.outer * l.inner;
    const double unbias = m > 1 ? static_cast<double>(m) / static_cast<double>(m - 1) : 1.0;
    NDArray nrm(DType::Float64, {l.groups}), nrv(DType::Float64, {l.groups});
    for (int64_t k = 0; k < l.groups; ++k) {
      nrm.data<double>()[k] = rm.data<double>()[k] * (1 - f) + mean.data<double>()[k] * f;
      nrv.data<double>()[k] = rv.data<double>()[k] * (1 - f) + unbias * var.data<double>()[k] * f;
    }
    outputs[3] = keep_of(nrm, l, dt);
    outputs[4] = keep_of(nrv, l, dt);
  }
}

std::optional<std::vector<ShapeVec>> AbstractBatchNormTrain::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  const ShapeVec k = keep_shape_sym(s[0], params_.axes);
  std::vector<ShapeVec> r{s[0], k, k};
  if (params_.running) r.push_back(k), r.push_back(k);
  return r;
}

std::vector<std::vector<bool>> AbstractBatchNormTrain::connection_pattern(const Apply&) const {
  if (!params_.running) return {{true, true, true}, {true, false, false}, {true, false, false}};
  return {{true, true, true, true, true},
          {true, false, false, false, false},
          {true, false, false, false, false},
          {false, false, false, true, false},
          {false, false, false, false, true}};
}

std::vector<Var> AbstractBatchNormTrain::vjp(const Apply& node, const std::vector<Var>& gs) const {
  auto live = [&](size_t i) { return i < gs.size() && gs[i] && !is_disconnected(gs[i]); };
  const Var x = node.input(0), scale = node.input(1), bias = node.input(2);
  const Var mean = node.output(1), invstd = node.output(2);
  const DType dt = tensor_type(node.output(0))->elem();
  Var gx, gscale, gbias;
  if (live(0)) {
    std::vector<Var> r = apply_op(*std::make_shared<AbstractBatchNormTrainGrad>(params_), {x, gs[0], scale, mean, invstd});
    gx = r[0], gscale = r[1], gbias = r[2];
  }
  auto add_x = [&](const Var& t) { gx = gx ? add(gx, t) : t; };
  const Var m = count_of(x, params_.axes, dt);
  const double f = params_.running_average_factor;
  if (live(1)) add_x(fill(x, true_div(gs[1], m)));  // broadcast to x's shape
  if (live(2)) add_x(true_div(mul(mul(neg(gs[2]), pow(invstd, constant(3.0))), sub(x, mean)), m));
  if (params_.running && live(3)) add_x(fill(x, true_div(mul(gs[3], constant(f)), m)));
  if (params_.running && live(4))
    add_x(true_div(mul(mul(gs[4], constant(2.0 * f)), sub(x, mean)), sub(m, constant(1.0))));
  std::vector<Var> r{gx ? reduce_to_like(cast(gx, tensor_type(x)->elem()), x) : disconnected_var(),
                     gscale ? reduce_to_like(cast(gscale, tensor_type(scale)->elem()), scale) : disconnected_var(),
                     gbias ? reduce_to_like(cast(gbias, tensor_type(bias)->elem()), bias) : disconnected_var()};
  if (params_.running) {
    for (int i = 0; i < 2; ++i) {
      const Var& in = node.input(3 + i);
      r.push_back(live(3 + i) ? reduce_to_like(cast(mul(gs[3 + i], constant(1.0 - f)), tensor_type(in)->elem()), in)
                              : disconnected_var());
    }
  }
  return r;
}

// ---------------------------------------------------------------- AbstractBatchNormTrainGrad

std::string AbstractBatchNormTrainGrad::str() const { return str_cat(name(), "{axes=", axes_str(params_.axes), "}"); }

ApplyPtr AbstractBatchNormTrainGrad::make_node_checked(const std::vector<Var>& inputs) const {
  check_bn_inputs(name(), inputs, params_.axes);
  const DType dt = common_float(inputs);
  const TypePtr pt = param_type(inputs[0], params_.axes, dt);
  return Apply::create(ptr(), inputs, {TensorType::make(dt, tensor_type(inputs[0])->broadcastable()), pt, pt});
}

void AbstractBatchNormTrainGrad::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  const NDArray& dy = as_array(*inputs[1], kName);
  if (dy.shape() != x.shape())
    value_error("[", name(), "] dy has shape ", shape_str(dy.shape()), ", expected x's ", shape_str(x.shape()));
  const Layout l = layout_of(x.shape(), params_.axes);
  const NDArray xr = rows_of(x, l), dr = rows_of(dy, l);
  const NDArray g = groups_of(name(), "scale", as_array(*inputs[2], kName), l);
  const NDArray mu = groups_of(name(), "mean", as_array(*inputs[3], kName), l);
  const NDArray is = groups_of(name(), "invstd", as_array(*inputs[4], kName), l);
  NDArray gx = work_array(l), gs(DType::Float64, {l.groups}), gb(DType::Float64, {l.groups});
  nnet_kernels::bn_train_grad(xr.data<double>(), dr.data<double>(), l.outer, l.groups, l.inner, g.data<double>(), mu.data<double>(),
                              is.data<double>(), gx.data<double>(), gs.data<double>(), gb.data<double>());
  const DType dt = tensor_type(node.output(0))->elem();
  outputs[0] = from_rows(gx, l, dt);
  outputs[1] = keep_of(gs, l, dt);
  outputs[2] = keep_of(gb, l, dt);
}

std::optional<std::vector<ShapeVec>> AbstractBatchNormTrainGrad::infer_shape(const Apply&,
                                                                            const std::vector<ShapeVec>& s) const {
  const ShapeVec k = keep_shape_sym(s[0], params_.axes);
  return std::vector<ShapeVec>{s[0], k, k};
}

std::vector<Var> AbstractBatchNormTrainGrad::vjp(const Apply&, const std::vector<Var>&) const {
  std::vector<Var> r;
  for (int i = 0; i < 5; ++i) r.push_back(grad_not_implemented(*this, i, "second derivatives of batch normalisation"));
  return r;
}

// ---------------------------------------------------------------- AbstractBatchNormInference

std::string AbstractBatchNormInference::str() const {
  return str_cat(name(), "{axes=", axes_str(params_.axes), ", epsilon=", params_.epsilon, "}");
}

ApplyPtr AbstractBatchNormInference::make_node_checked(const std::vector<Var>& inputs) const {
  check_bn_inputs(name(), inputs, params_.axes);
  const DType dt = common_float(inputs);
  return Apply::create(ptr(), inputs, {TensorType::make(dt, tensor_type(inputs[0])->broadcastable())});
}

void AbstractBatchNormInference::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  const Layout l = layout_of(x.shape(), params_.axes);
  const NDArray xr = rows_of(x, l);
  const NDArray g = groups_of(name(), "scale", as_array(*inputs[1], kName), l);
  const NDArray b = groups_of(name(), "bias", as_array(*inputs[2], kName), l);
  const NDArray mu = groups_of(name(), "mean", as_array(*inputs[3], kName), l);
  const NDArray var = groups_of(name(), "var", as_array(*inputs[4], kName), l);
  NDArray out = work_array(l);
  nnet_kernels::bn_inference(xr.data<double>(), l.outer, l.groups, l.inner, g.data<double>(), b.data<double>(), mu.data<double>(),
                             var.data<double>(), params_.epsilon, out.data<double>());
  outputs[0] = from_rows(out, l, tensor_type(node.output(0))->elem());
}

std::optional<std::vector<ShapeVec>> AbstractBatchNormInference::infer_shape(const Apply&,
                                                                            const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> AbstractBatchNormInference::vjp(const Apply& node, const std::vector<Var>& gs) const {
  const Var& dy = gs[0];
  if (!dy || is_disconnected(dy)) return std::vector<Var>(5, disconnected_var());
  const std::vector<int>& ax = params_.axes;
  // The parameters are length 1 along the axes (checked at run time); say so in their types so
  // that the elementwise graph below broadcasts them.
  auto bc = [&](int i) { return addbroadcast(node.input(i), ax); };
  const Var x = node.input(0), scale = bc(1), bias = node.input(2), mean = bc(3), var = bc(4);
  const Var var_eps = add(var, constant(params_.epsilon));
  const Var std_ = sqrt(var_eps);
  const Var dyc = sum(mul(dy, sub(x, mean)), ax, true);
  const Var dys = sum(dy, ax, true);
  auto like = [](const Var& g, const Var& in) { return reduce_to_like(cast(g, tensor_type(in)->elem()), in); };
  return {like(mul(dy, true_div(scale, std_)), x), like(true_div(dyc, std_), scale), like(dys, bias),
          like(neg(mul(dys, true_div(scale, std_))), mean),
          like(neg(mul(dyc, true_div(scale, mul(mul(constant(2.0), var_eps), std_)))), var)};
}

// ---------------------------------------------------------------- builders

std::vector<int> bn_axes(const std::string& mode, int nd) {
  if (mode == "per-activation") return {0};
  if (mode == "spatial") {
    std::vector<int> a{0};
    for (int d = 2; d < nd; ++d) a.push_back(d);
    return a;
  }
  value_error("[batch_normalization] axes must be 'per-activation', 'spatial' or a tuple of ints, got '", mode, "'");
}

Var batch_normalization(const Var& inputs, const Var& gamma, const Var& beta, const Var& mean, const Var& std_,
                        const std::string& mode) {
  if (mode != "low_mem" && mode != "high_mem")
    value_error("[batch_normalization] mode must be 'low_mem' or 'high_mem', got '", mode, "'");
  return add(mul(sub(inputs, mean), true_div(gamma, std_)), beta);
}

namespace {

std::vector<int> normalized_axes(const std::string& who, const std::vector<int>& axes_in, int nd) {
  std::vector<int> axes;
  for (int a : axes_in) {
    const int b = a < 0 ? a + nd : a;
    if (b < 0 || b >= nd) value_error("[", who, "] axis ", a, " is out of range for a rank-", nd, " input");
    if (!in_axes(axes, b)) axes.push_back(b);
  }
  std::sort(axes.begin(), axes.end());
  return axes;
}

/// A parameter at x's rank: as is when it has x's rank, else with length-1 axes inserted at
/// the normalised axes (Theano's params_dimshuffle_pattern).
Var param_at_rank(const std::string& who, const char* what, const Var& p_in, int nd, const std::vector<int>& axes,
                  bool* squeezed) {
  const Var p = as_tensor_variable(p_in);
  const int pn = tensor_type(p)->ndim();
  if (pn == nd) return addbroadcast(p, axes);  // length 1 along the axes (checked at run time)
  if (pn != nd - static_cast<int>(axes.size()))
    type_error("[", who, "] ", what, " must have rank ", nd, " or ", nd - static_cast<int>(axes.size()),
               " (the input's rank without the normalised axes), got ", tensor_type(p)->str());
  *squeezed = true;
  std::vector<int> pat;
  int k = 0;
  for (int d = 0; d < nd; ++d) pat.push_back(in_axes(axes, d) ? -1 : k++);
  return dimshuffle(p, pat);
}

/// Drops the normalised axes of an output (the inverse of param_at_rank).
Var squeeze_axes(const Var& v, int nd, const std::vector<int>& axes) {
  std::vector<int> pat;
  for (int d = 0; d < nd; ++d)
    if (!in_axes(axes, d)) pat.push_back(d);
  return dimshuffle(v, pat);
}

}  // namespace

std::vector<Var> batch_normalization_train(const Var& inputs_in, const Var& gamma, const Var& beta,
                                           const std::vector<int>& axes_in, double epsilon,
                                           double running_average_factor, const Var& running_mean,
                                           const Var& running_var) {
  const std::string who = "batch_normalization_train";
  const Var x = as_tensor_variable(inputs_in);
  const int nd = expect_tensor(x, who.c_str()).ndim();
  const std::vector<int> axes = normalized_axes(who, axes_in, nd);
  if (epsilon < 1e-5) value_error("[", who, "] epsilon must be at least 1e-5, got ", epsilon);
  if (static_cast<bool>(running_mean) != static_cast<bool>(running_var))
    value_error("[", who, "] running_mean and running_var must be given together");
  bool squeezed = false;
  std::vector<Var> ins{x, param_at_rank(who, "gamma", gamma, nd, axes, &squeezed),
                       param_at_rank(who, "beta", beta, nd, axes, &squeezed)};
  const bool running = static_cast<bool>(running_mean);
  if (running) {
    ins.push_back(param_at_rank(who, "running_mean", running_mean, nd, axes, &squeezed));
    ins.push_back(param_at_rank(who, "running_var", running_var, nd, axes, &squeezed));
  }
  auto op = std::make_shared<AbstractBatchNormTrain>(BatchNormParams{axes, epsilon, running_average_factor, running});
  std::vector<Var> r = apply_op(*op, ins);
  if (squeezed)
    for (size_t i = 1; i < r.size(); ++i) r[i] = squeeze_axes(r[i], nd, axes);
  return r;
}

Var batch_normalization_test(const Var& inputs_in, const Var& gamma, const Var& beta, const Var& mean, const Var& var,
                             const std::vector<int>& axes_in, double epsilon) {
  const std::string who = "batch_normalization_test";
  const Var x = as_tensor_variable(inputs_in);
  const int nd = expect_tensor(x, who.c_str()).ndim();
  const std::vector<int> axes = normalized_axes(who, axes_in, nd);
  if (epsilon < 1e-5) value_error("[", who, "] epsilon must be at least 1e-5, got ", epsilon);
  bool squeezed = false;
  std::vector<Var> ins{x, param_at_rank(who, "gamma", gamma, nd, axes, &squeezed),
                       param_at_rank(who, "beta", beta, nd, axes, &squeezed),
                       param_at_rank(who, "mean", mean, nd, axes, &squeezed),
                       param_at_rank(who, "var", var, nd, axes, &squeezed)};
  return apply1(*std::make_shared<AbstractBatchNormInference>(BatchNormParams{axes, epsilon, 0.1, false}), ins);
}

}  // namespace hypatia
