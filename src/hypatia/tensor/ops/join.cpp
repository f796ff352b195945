// Join, Split and Roll: typing, native kernels (strided copies), symbolic shapes and gradients.
#include "hypatia/tensor/ops/join.h"

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/shape.h"

namespace hypatia {
namespace {

int64_t axis_value(const Value& v, const char* who) { return as_array(v, who).item<int64_t>(); }

int normalize_axis(int64_t axis, int nd, const std::string& who) {
  if (axis < -nd || axis >= nd)
    raise(ErrorKind::Index, "[", who, "] axis ", axis, " is out of bounds for tensors with ", nd, " dimensions");
  return static_cast<int>(axis < 0 ? axis + nd : axis);
}

void check_axis_arg(const Var& a, const std::string& who) {
  const TensorType& t = check_tensor_input(a, who);
  if (t.ndim() != 0 || !is_int(t.elem())) type_error("[", who, "] the axis must be an integer scalar, got ", t.str());
}

}  // namespace

// ---------------------------------------------------------------- Join

ApplyPtr Join::make_node_checked(const std::vector<Var>& inputs) const {
  if (inputs.size() < 2) type_error("[", kName, "] expected an axis and at least one tensor");
  check_axis_arg(inputs[0], kName);
  const TensorType& t0 = check_tensor_input(inputs[1], kName);
  const int nd = t0.ndim();
  if (nd == 0) type_error("[", kName, "] cannot join 0-d tensors (scalars); use stack");
  DType dt = t0.elem();
  for (size_t i = 1; i < inputs.size(); ++i) {
    const TensorType& t = check_tensor_input(inputs[i], kName);
    if (t.ndim() != nd)
      type_error("[", kName, "] can only join tensors with the same number of dimensions; input ", i - 1, " has ", t.ndim(),
                 " and input 0 has ", nd);
    if (t.elem() != dt) type_error("[", kName, "] all tensors must have the same dtype (use join(), which upcasts)");
  }
  std::vector<bool> bc(nd, false);
  std::optional<int64_t> axis = const_int_value(inputs[0]);
  if (axis) {
    int ax = normalize_axis(*axis, nd, kName);
    for (size_t i = 1; i < inputs.size(); ++i)
      for (int d = 0; d < nd; ++d)
        if (d != ax && tensor_type(inputs[i])->broadcastable()[d]) bc[d] = true;
    if (inputs.size() == 2) bc[ax] = t0.broadcastable()[ax];
  }
  return Apply::create(ptr(), inputs, {TensorType::make(dt, bc)});
}

void Join::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& first = as_array(*inputs[1], kName);
  const int nd = first.ndim();
  const int ax = normalize_axis(axis_value(*inputs[0], kName), nd, kName);
  Shape out_shape = first.shape();
  out_shape[ax] = 0;
  for (int i = 1; i < node.nin(); ++i) {
    const NDArray& a = as_array(*inputs[i], kName);
    for (int d = 0; d < nd; ++d)
      if (d != ax && a.shape(d) != first.shape(d))
        value_error("[", kName, "] all input array dimensions except the concatenation axis ", ax,
                    " must match exactly; input 0 has shape ", shape_str(first.shape()), " and input ", i - 1,
                    " has shape ", shape_str(a.shape()));
    out_shape[ax] += a.shape(ax);
  }
  NDArray& out = prepare_output(outputs[0], first.dtype(), out_shape);
  int64_t pos = 0;
  for (int i = 1; i < node.nin(); ++i) {
    const NDArray& a = as_array(*inputs[i], kName);
    const int64_t n = a.shape(ax);
    if (n > 0) out.slice(ax, pos, pos + n, 1).assign(a);
    pos += n;
  }
}

std::optional<std::vector<ShapeVec>> Join::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  std::optional<int64_t> axis = const_int_value(node.input(0));
  if (!axis) return std::nullopt;
  const int nd = node.input(1).type()->ndim();
  const int ax = normalize_axis(*axis, nd, kName);
  // As Theano: every length but the axis comes from the first input (shape checks are the
  // join's own, at run time).
  ShapeVec out = s[1];
  Var total = s[1][ax];
  for (int i = 2; i < node.nin(); ++i) total = add(total, s[i][ax]);
  out[ax] = total;
  return std::vector<ShapeVec>{out};
}

std::vector<std::vector<bool>> Join::connection_pattern(const Apply& node) const {
  std::vector<std::vector<bool>> r(node.nin(), {true});
  r[0] = {false};
  return r;
}

std::vector<Var> Join::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const Var& gz = output_grads[0];
  std::vector<Var> r(node.nin(), disconnected_var());
  if (!gz || is_disconnected(gz)) return r;
  const int n = node.nin() - 1;
  if (is_discrete(node.input(1))) {
    for (int i = 1; i < node.nin(); ++i) r[i] = zeros_like(node.input(i));
    return r;
  }
  // The gradient split back into the pieces' lengths along the axis.
  const Var& axis = node.input(0);
  Var ax = axis;
  std::vector<Var> lens;
  std::optional<int64_t> ca = const_int_value(axis);
  if (ca)
    for (int i = 1; i < node.nin(); ++i)
      lens.push_back(shape_i(node.input(i), normalize_axis(*ca, node.input(i).type()->ndim(), kName)));
  std::vector<Var> parts;
  if (lens.empty()) {
    for (int i = 1; i < node.nin(); ++i) r[i] = grad_not_implemented(*this, i, "a symbolic join axis");
    return r;
  }
  if (n == 1) {
    parts = {gz};
  } else {
    parts = split(gz, make_vector(lens), n, ax);
  }
  for (int i = 1; i < node.nin(); ++i) r[i] = reduce_to_like(parts[i - 1], node.input(i));
  return r;
}

std::vector<Var> Join::jvp(const Apply& node, const std::vector<Var>& ev) const {
  bool any = false;
  std::vector<Var> ins{node.input(0)};
  for (int i = 1; i < node.nin(); ++i) {
    if (i < static_cast<int>(ev.size()) && ev[i]) {
      ins.push_back(ev[i]);
      any = true;
    } else {
      ins.push_back(zeros_like(node.input(i)));
    }
  }
  if (!any) return {Var()};
  return {join(ins[0], std::vector<Var>(ins.begin() + 1, ins.end()))};
}

Var join(const Var& axis_in, const std::vector<Var>& tensors) {
  if (tensors.empty()) value_error("[Join] cannot join an empty list of tensors");
  Var axis = as_int64_scalar(axis_in, "Join", 0);
  std::vector<Var> ts;
  DType dt = DType::Bool;
  bool first = true;
  for (const Var& t : tensors) {
    ts.push_back(as_tensor_variable(t));
    DType d = check_tensor_input(ts.back(), "Join").elem();
    dt = first ? d : upcast(dt, d);
    first = false;
  }
  for (Var& t : ts)
    if (tensor_type(t)->elem() != dt) t = cast(t, dt);
  std::vector<Var> ins{axis};
  ins.insert(ins.end(), ts.begin(), ts.end());
  return apply1(*std::make_shared<Join>(), ins);
}

Var concatenate(const std::vector<Var>& tensors, int axis) { return join(int64_constant(axis), tensors); }

Var stack(const std::vector<Var>& tensors, int axis) {
  if (tensors.empty()) value_error("[stack] cannot stack an empty list of tensors");
  std::vector<Var> ts;
  for (const Var& t : tensors) ts.push_back(as_tensor_variable(t));
  const int nd = ts[0].type()->ndim();
  for (size_t i = 1; i < ts.size(); ++i)
    if (ts[i].type()->ndim() != nd)
      type_error("[stack] all tensors must have the same number of dimensions; input ", i, " has ",
                 ts[i].type()->ndim(), " and input 0 has ", nd);
  if (axis < -(nd + 1) || axis > nd)
    raise(ErrorKind::Index, "[stack] axis ", axis, " is out of bounds for a result with ", nd + 1, " dimensions");
  if (axis < 0) axis += nd + 1;
  std::vector<Var> padded;
  for (const Var& t : ts) padded.push_back(shape_padaxis(t, axis));
  return concatenate(padded, axis);
}

// ---------------------------------------------------------------- Split

ApplyPtr Split::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_tensor_input(inputs[0], str());
  if (t.ndim() == 0) type_error("[", str(), "] cannot split a 0-d tensor");
  check_axis_arg(inputs[1], str());
  const TensorType& s = check_tensor_input(inputs[2], str());
  if (s.ndim() != 1 || !is_int(s.elem())) type_error("[", str(), "] splits must be an integer vector, got ", s.str());
  if (params_.n_splits < 1) value_error("[", kName, "] n_splits must be positive, got ", params_.n_splits);
  if (auto e = shape_vector_entries(inputs[2]))
    if (static_cast<int>(e->size()) != params_.n_splits)
      value_error("[", str(), "] ", e->size(), " split sizes given for ", params_.n_splits, " splits");
  std::vector<bool> bc = t.broadcastable();
  std::optional<int64_t> axis = const_int_value(inputs[1]);
  if (axis) bc[normalize_axis(*axis, t.ndim(), str())] = false;
  else bc.assign(t.ndim(), false);
  std::vector<TypePtr> outs(params_.n_splits, TensorType::make(t.elem(), bc));
  return Apply::create(ptr(), inputs, outs);
}

void Split::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  const int ax = normalize_axis(axis_value(*inputs[1], kName), x.ndim(), str());
  NDArray s = as_array(*inputs[2], kName).astype(DType::Int64);
  if (s.size() != params_.n_splits)
    value_error("[", str(), "] ", s.size(), " split sizes given for ", params_.n_splits, " splits");
  int64_t total = 0;
  for (int i = 0; i < params_.n_splits; ++i) {
    if (s.data<int64_t>()[i] < 0) value_error("[", str(), "] negative split size ", s.data<int64_t>()[i]);
    total += s.data<int64_t>()[i];
  }
  if (total != x.shape(ax))
    value_error("[", str(), "] the split sizes sum to ", total, " but axis ", ax, " has length ", x.shape(ax));
  int64_t pos = 0;
  for (int i = 0; i < params_.n_splits; ++i) {
    const int64_t n = s.data<int64_t>()[i];
    outputs[i] = x.slice(ax, pos, pos + n, 1);
    pos += n;
  }
}

std::optional<std::vector<ShapeVec>> Split::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  std::optional<int64_t> axis = const_int_value(node.input(1));
  auto e = shape_vector_entries(node.input(2));
  if (!axis || !e) return std::nullopt;
  const int ax = normalize_axis(*axis, node.input(0).type()->ndim(), str());
  std::vector<ShapeVec> r;
  for (const Var& len : *e) {
    ShapeVec o = s[0];
    o[ax] = tensor_type(len)->elem() == DType::Int64 ? len : cast(len, DType::Int64);
    r.push_back(o);
  }
  return r;
}

std::vector<std::vector<bool>> Split::connection_pattern(const Apply& node) const {
  return {std::vector<bool>(params_.n_splits, true), std::vector<bool>(params_.n_splits, false),
          std::vector<bool>(params_.n_splits, false)};
  (void)node;
}

std::vector<Var> Split::vjp(const Apply& node, const std::vector<Var>& gs) const {
  const Var& x = node.input(0);
  std::vector<Var> r{disconnected_var(), disconnected_var(), disconnected_var()};
  bool any = false;
  for (const Var& g : gs) any = any || (g && !is_disconnected(g));
  if (!any) return r;
  if (is_discrete(x)) {
    r[0] = zeros_like(x);
    return r;
  }
  std::vector<Var> parts;
  for (int i = 0; i < params_.n_splits; ++i) {
    const Var& g = gs[i];
    Var o = node.output(i);
    parts.push_back(g && !is_disconnected(g) ? cast(g, tensor_type(x)->elem()) : zeros_like(o));
  }
  for (Var& p : parts)
    if (tensor_type(p)->elem() != tensor_type(x)->elem()) p = cast(p, tensor_type(x)->elem());
  r[0] = join(node.input(1), parts);
  return r;
}

std::vector<Var> Split::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (ev.empty() || !ev[0]) return std::vector<Var>(params_.n_splits);
  return apply_op(*this, {ev[0], node.input(1), node.input(2)});
}

std::vector<Var> split(const Var& x_in, const Var& splits_in, int n_splits, const Var& axis_in) {
  Var x = as_tensor_variable(x_in);
  Var axis = as_int64_scalar(axis_in, "Split", 1);
  Var splits = as_tensor_variable(splits_in);
  return apply_op(*std::make_shared<Split>(SplitParams{n_splits}), {x, axis, splits});
}

std::vector<Var> split(const Var& x, const std::vector<int64_t>& sizes, int axis) {
  Var s = constant(NDArray::from_vector<int64_t>(sizes, {static_cast<int64_t>(sizes.size())}));
  return split(x, s, static_cast<int>(sizes.size()), int64_constant(axis));
}

// ---------------------------------------------------------------- Roll

ApplyPtr Roll::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_tensor_input(inputs[0], str());
  check_axis_arg(inputs[1], str());
  if (params_.axis < 0 || params_.axis >= t.ndim())
    raise(ErrorKind::Index, "[", str(), "] axis out of range for a tensor with ", t.ndim(), " dimensions");
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}

void Roll::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  const int ax = params_.axis;
  const int64_t n = x.shape(ax);
  NDArray& out = prepare_output(outputs[0], x.dtype(), x.shape());
  if (n == 0 || x.size() == 0) return;
  int64_t s = axis_value(*inputs[1], kName) % n;
  if (s < 0) s += n;
  // out[s:] = x[:n-s]; out[:s] = x[n-s:]
  if (n - s > 0) out.slice(ax, s, n, 1).assign(x.slice(ax, 0, n - s, 1));
  if (s > 0) out.slice(ax, 0, s, 1).assign(x.slice(ax, n - s, n, 1));
}

std::optional<std::vector<ShapeVec>> Roll::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> Roll::vjp(const Apply& node, const std::vector<Var>& gs) const {
  const Var& gz = gs[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var(), disconnected_var()};
  if (is_discrete(node.input(0))) return {zeros_like(node.input(0)), disconnected_var()};
  return {apply1(*this, {gz, neg(node.input(1))}), disconnected_var()};
}

std::vector<Var> Roll::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (ev.empty() || !ev[0]) return {Var()};
  return {apply1(*this, {ev[0], node.input(1)})};
}

Var roll(const Var& x_in, const Var& shift_in, std::optional<int> axis) {
  Var x = as_tensor_variable(x_in);
  Var shift = as_int64_scalar(shift_in, "Roll", 1);
  if (!axis) {
    if (x.type()->ndim() == 0) return x;
    Var flat = flatten(x, 1);
    Var r = apply1(*std::make_shared<Roll>(RollParams{0}), {flat, shift});
    return patternbroadcast(reshape_vec(r, shape(x), x.type()->ndim()), tensor_type(x)->broadcastable());
  }
  const int nd = x.type()->ndim();
  int ax = *axis < 0 ? *axis + nd : *axis;
  if (ax < 0 || ax >= nd) raise(ErrorKind::Index, "[Roll] axis ", *axis, " is out of bounds for ", nd, " dimensions");
  return apply1(*std::make_shared<Roll>(RollParams{ax}), {x, shift});
}

// ---------------------------------------------------------------- tile

Var tile(const Var& x_in, std::vector<int64_t> reps) {
  Var x = as_tensor_variable(x_in);
  for (int64_t r : reps)
    if (r < 0) value_error("[tile] reps must be non-negative, got ", r);
  int nd = x.type()->ndim();
  if (static_cast<int>(reps.size()) > nd) {
    x = shape_padleft(x, static_cast<int>(reps.size()) - nd);
    nd = static_cast<int>(reps.size());
  }
  while (static_cast<int>(reps.size()) < nd) reps.insert(reps.begin(), 1);
  // Repeat along each axis by joining copies: values and gradients follow from Join.
  for (int d = 0; d < nd; ++d) {
    if (reps[d] == 1) continue;
    if (reps[d] == 0) {
      auto parts = split(x, make_vector({int64_constant(0), shape_i(x, d)}), 2, int64_constant(d));
      x = parts[0];
      continue;
    }
    if (tensor_type(x)->broadcastable()[d]) x = unbroadcast(x, {d});
    x = concatenate(std::vector<Var>(reps[d], x), d);
  }
  return x;
}

}  // namespace hypatia
