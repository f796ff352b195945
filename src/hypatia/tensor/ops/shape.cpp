// Shape, Shape_i, MakeVector, Reshape and Alloc: typing, evaluation, symbolic shapes, gradients.
#include "hypatia/tensor/ops/shape.h"

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/shape.h"

#include <algorithm>
#include <map>

namespace hypatia {
namespace {

const TypePtr& int64_vector_type() {
  static const TypePtr t = TensorType::make(DType::Int64, {false});
  return t;
}
const TypePtr& int64_scalar_type() {
  static const TypePtr t = TensorType::make(DType::Int64, {});
  return t;
}

// The value of a constant integer scalar, if v is one.
std::optional<int64_t> const_int(const Var& v) {
  if (!v.get()->is_constant() || !is_array(*v->constant)) return std::nullopt;
  const NDArray& a = std::get<NDArray>(*v->constant);
  if (a.size() != 1) return std::nullopt;
  return a.item<int64_t>();
}

// Checks an int scalar shape argument and casts it to int64.
Var shape_scalar(const Var& v_in, const std::string& who, size_t i) {
  Var v = as_tensor_variable(v_in);
  const TensorType& t = check_tensor_input(v, who);
  if (t.ndim() != 0 || !is_int(t.elem()))
    type_error("[", who, "] shape argument ", i, " must be an integer scalar, got ", t.str());
  if (t.elem() == DType::Int64) return v;
  if (auto c = const_int(v)) return int64_constant(*c);  // keeps constant sizes visible
  return cast(v, DType::Int64);
}

Shape read_shape(const NDArray& v) {
  NDArray c = v.astype(DType::Int64);
  const int64_t* p = c.data<int64_t>();
  return Shape(p, p + c.size());
}

// The type check shared by Shape and Shape_i: dense tensors and sparse matrices both have shapes.
int shaped_ndim(const Var& v, const std::string& who) {
  if (v && v.type()->kind() == TypeKind::Sparse) return v.type()->ndim();
  return check_tensor_input(v, who).ndim();
}

}  // namespace

// ---------------------------------------------------------------- Shape

ApplyPtr ShapeOp::make_node_checked(const std::vector<Var>& inputs) const {
  shaped_ndim(inputs[0], kName);
  return Apply::create(ptr(), inputs, {int64_vector_type()});
}

void ShapeOp::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  Shape s = value_shape(*inputs[0]);
  NDArray& out = prepare_output(outputs[0], DType::Int64, {static_cast<int64_t>(s.size())});
  std::copy(s.begin(), s.end(), out.data<int64_t>());
}

std::optional<std::vector<ShapeVec>> ShapeOp::infer_shape(const Apply& node, const std::vector<ShapeVec>&) const {
  return std::vector<ShapeVec>{{int64_constant(node.input(0).type()->ndim())}};
}

std::vector<Var> ShapeOp::vjp(const Apply&, const std::vector<Var>&) const { return {disconnected_var()}; }
std::vector<Var> ShapeOp::jvp(const Apply&, const std::vector<Var>&) const { return {Var()}; }

Var shape(const Var& x) { return apply1(*std::make_shared<ShapeOp>(), {x}); }

// ---------------------------------------------------------------- Shape_i

ApplyPtr ShapeI::make_node_checked(const std::vector<Var>& inputs) const {
  int nd = shaped_ndim(inputs[0], str());
  if (params_.i < 0 || params_.i >= nd)
    raise(ErrorKind::Index, "[", str(), "] axis ", params_.i, " out of range for an input with ", nd, " dimensions");
  return Apply::create(ptr(), inputs, {int64_scalar_type()});
}

void ShapeI::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  NDArray& out = prepare_output(outputs[0], DType::Int64, {});
  *out.data<int64_t>() = value_shape(*inputs[0])[params_.i];
}

std::optional<std::vector<ShapeVec>> ShapeI::infer_shape(const Apply&, const std::vector<ShapeVec>&) const {
  return std::vector<ShapeVec>{ShapeVec{}};
}

std::vector<Var> ShapeI::vjp(const Apply&, const std::vector<Var>&) const { return {disconnected_var()}; }
std::vector<Var> ShapeI::jvp(const Apply&, const std::vector<Var>&) const { return {Var()}; }

Var shape_i(const Var& x, int i) {
  if (!x) type_error("[Shape_i] expected a variable, got None");
  int nd = x.type()->ndim();
  int j = i < 0 ? i + nd : i;
  if (j < 0 || j >= nd) raise(ErrorKind::Index, "[Shape_i] axis ", i, " out of range for a variable with ", nd, " dimensions");
  return apply1(*std::make_shared<ShapeI>(ShapeIParams{j}), {x});
}

// ---------------------------------------------------------------- MakeVector

ApplyPtr MakeVector::make_node_checked(const std::vector<Var>& inputs) const {
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorType& t = check_tensor_input(inputs[i], str());
    if (t.ndim() != 0 || !is_int(t.elem()))
      type_error("[", str(), "] input ", i, " must be an integer scalar, got ", t.str());
  }
  return Apply::create(ptr(), inputs, {TensorType::make(DType::Int64, {inputs.size() == 1})});
}

void MakeVector::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  NDArray& out = prepare_output(outputs[0], DType::Int64, {node.nin()});
  int64_t* p = out.data<int64_t>();
  for (int i = 0; i < node.nin(); ++i) p[i] = as_array(*inputs[i], kName).item<int64_t>();
}

std::optional<std::vector<ShapeVec>> MakeVector::infer_shape(const Apply& node, const std::vector<ShapeVec>&) const {
  return std::vector<ShapeVec>{{int64_constant(node.nin())}};
}

std::vector<Var> MakeVector::vjp(const Apply& node, const std::vector<Var>&) const {
  std::vector<Var> r;
  for (const Var& v : node.inputs()) r.push_back(zeros_like(v));
  return r;
}
std::vector<Var> MakeVector::jvp(const Apply&, const std::vector<Var>&) const { return {Var()}; }

Var make_vector(const std::vector<Var>& elems) {
  std::vector<Var> ins;
  for (size_t i = 0; i < elems.size(); ++i) ins.push_back(shape_scalar(elems[i], "MakeVector", i));
  return apply1(*std::make_shared<MakeVector>(), ins);
}

// ---------------------------------------------------------------- Reshape

ApplyPtr Reshape::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_tensor_input(inputs[0], str());
  const TensorType& s = check_tensor_input(inputs[1], str());
  if (s.ndim() != 1 || !is_int(s.elem()))
    type_error("[", str(), "] the shape must be an integer vector, got ", s.str());
  std::vector<bool> bc(params_.ndim, false);
  const Var& sv = inputs[1];
  if (sv.get()->is_constant()) {
    const NDArray& a = std::get<NDArray>(*sv->constant);
    if (a.size() != params_.ndim)
      value_error("[", str(), "] the shape has ", a.size(), " entries for ", params_.ndim, " dimensions");
    NDArray c = a.astype(DType::Int64);
    for (int i = 0; i < params_.ndim; ++i) bc[i] = c.data<int64_t>()[i] == 1;
  } else if (sv.owner() && dynamic_cast<const MakeVector*>(sv.owner()->op().get())) {
    if (sv.owner()->nin() != params_.ndim)
      value_error("[", str(), "] the shape has ", sv.owner()->nin(), " entries for ", params_.ndim, " dimensions");
    for (int i = 0; i < params_.ndim; ++i) bc[i] = const_int(sv.owner()->input(i)) == std::optional<int64_t>(1);
  }
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), bc)});
}

void Reshape::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  Shape s = read_shape(as_array(*inputs[1], kName));
  if (static_cast<int>(s.size()) != params_.ndim)
    value_error("[", str(), "] shape argument has ", s.size(), " entries, expected ", params_.ndim);
  int unknown = -1;
  int64_t known = 1;
  for (int i = 0; i < params_.ndim; ++i) {
    if (s[i] == -1) {
      if (unknown >= 0) value_error("[", str(), "] can only specify one unknown dimension (-1)");
      unknown = i;
    } else if (s[i] < 0) {
      value_error("[", str(), "] negative dimension ", s[i], " in the new shape ", shape_str(s));
    } else {
      known *= s[i];
    }
  }
  if (unknown >= 0) {
    if (known == 0 || x.size() % known != 0)
      value_error("[", str(), "] cannot reshape array of size ", x.size(), " into shape ", shape_str(s));
    s[unknown] = x.size() / known;
  } else if (known != x.size()) {
    value_error("[", str(), "] cannot reshape array of size ", x.size(), " into shape ", shape_str(s));
  }
  outputs[0] = x.reshape(s);
}

std::optional<std::vector<ShapeVec>> Reshape::infer_shape(const Apply& node, const std::vector<ShapeVec>& in) const {
  // Entries come from a constant shape or a MakeVector; a constant -1 is size / (product of the rest).
  const Var& sv = node.input(1);
  std::vector<Var> entries;
  if (sv.get()->is_constant()) {
    NDArray c = std::get<NDArray>(*sv->constant).astype(DType::Int64);
    for (int i = 0; i < params_.ndim; ++i) entries.push_back(int64_constant(c.data<int64_t>()[i]));
  } else if (sv.owner() && dynamic_cast<const MakeVector*>(sv.owner()->op().get())) {
    entries = sv.owner()->inputs();
  } else {
    return std::nullopt;
  }
  int unknown = -1;
  Var rest;
  for (int i = 0; i < params_.ndim; ++i) {
    if (const_int(entries[i]) == std::optional<int64_t>(-1)) {
      unknown = i;
      continue;
    }
    rest = rest ? mul(rest, entries[i]) : entries[i];
  }
  if (unknown >= 0) {
    Var total = int64_constant(1);
    for (const Var& d : in[0]) total = mul(total, d);
    // Exact for sizes below 2**53: the size is a multiple of the product of the rest.
    entries[unknown] = cast(true_div(total, rest ? rest : int64_constant(1)), DType::Int64);
  }
  return std::vector<ShapeVec>{entries};
}

std::vector<Var> Reshape::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const Var& x = node.input(0);
  const Var& gz = output_grads[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var(), disconnected_var()};
  if (is_discrete(x)) return {zeros_like(x), disconnected_var()};
  Var g = apply1(*std::make_shared<Reshape>(ReshapeParams{x.type()->ndim()}), {gz, shape(x)});
  return {reduce_to_like(g, x), disconnected_var()};
}

std::vector<Var> Reshape::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (ev.empty() || !ev[0]) return {Var()};
  return {apply1(*this, {ev[0], node.input(1)})};
}

Var reshape(const Var& x_in, const std::vector<Var>& shp) {
  Var x = as_tensor_variable(x_in);
  return apply1(*std::make_shared<Reshape>(ReshapeParams{static_cast<int>(shp.size())}), {x, make_vector(shp)});
}

Var reshape(const Var& x_in, const std::vector<int64_t>& shp) {
  Var x = as_tensor_variable(x_in);
  Var s = constant(NDArray::from_vector<int64_t>(shp, {static_cast<int64_t>(shp.size())}));
  return apply1(*std::make_shared<Reshape>(ReshapeParams{static_cast<int>(shp.size())}), {x, s});
}

// ---------------------------------------------------------------- Alloc

ApplyPtr Alloc::make_node_checked(const std::vector<Var>& inputs) const {
  if (inputs.empty()) type_error("[", kName, "] expected a value and a shape");
  const TensorType& v = check_tensor_input(inputs[0], kName);
  const int nd = static_cast<int>(inputs.size()) - 1;
  if (v.ndim() > nd)
    type_error("[", kName, "] the value has ", v.ndim(), " dimensions, more than the ", nd, " of the requested shape");
  std::vector<bool> bc;
  for (int i = 0; i < nd; ++i) {
    const TensorType& t = check_tensor_input(inputs[i + 1], kName);
    if (t.ndim() != 0 || !is_int(t.elem()))
      type_error("[", kName, "] shape argument ", i, " must be an integer scalar, got ", t.str());
    bc.push_back(const_int(inputs[i + 1]) == std::optional<int64_t>(1));
  }
  return Apply::create(ptr(), inputs, {TensorType::make(v.elem(), bc)});
}

void Alloc::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& v = as_array(*inputs[0], kName);
  Shape s;
  for (int i = 1; i < node.nin(); ++i) {
    int64_t n = as_array(*inputs[i], kName).item<int64_t>();
    if (n < 0) value_error("[", kName, "] negative dimension ", n);
    s.push_back(n);
  }
  const int lead = static_cast<int>(s.size()) - v.ndim();
  for (int d = 0; d < v.ndim(); ++d)
    if (v.shape(d) != 1 && v.shape(d) != s[lead + d])
      value_error("[", kName, "] the value of shape ", shape_str(v.shape()), " cannot be broadcast to ", shape_str(s));
  NDArray& out = prepare_output(outputs[0], v.dtype(), s);
  out.assign(v);
}

std::optional<std::vector<ShapeVec>> Alloc::infer_shape(const Apply& node, const std::vector<ShapeVec>&) const {
  ShapeVec out;
  for (int i = 1; i < node.nin(); ++i) {
    const Var& s = node.input(i);
    out.push_back(tensor_type(s)->elem() == DType::Int64 ? s : cast(s, DType::Int64));
  }
  return std::vector<ShapeVec>{out};
}

std::vector<std::vector<bool>> Alloc::connection_pattern(const Apply& node) const {
  std::vector<std::vector<bool>> r(node.nin(), {false});
  r[0] = {true};
  return r;
}

std::vector<Var> Alloc::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  std::vector<Var> r(node.nin());
  for (auto& v : r) v = disconnected_var();
  const Var& x = node.input(0);
  const Var& gz = output_grads[0];
  if (!gz || is_disconnected(gz)) return r;
  if (is_discrete(x)) {
    r[0] = zeros_like(x);
    return r;
  }
  const int lead = gz.type()->ndim() - x.type()->ndim();
  Var g = gz;
  if (lead > 0) {
    std::vector<int> axes;
    for (int i = 0; i < lead; ++i) axes.push_back(i);
    g = sum(g, axes);
  }
  r[0] = reduce_to_like(g, x);
  return r;
}

std::vector<Var> Alloc::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (ev.empty() || !ev[0]) return {Var()};
  std::vector<Var> ins = node.inputs();
  ins[0] = ev[0];
  return {apply1(*this, ins)};
}

Var alloc(const Var& value, const std::vector<Var>& shp) {
  std::vector<Var> ins{as_tensor_variable(value)};
  for (size_t i = 0; i < shp.size(); ++i) ins.push_back(shape_scalar(shp[i], "Alloc", i));
  return apply1(*std::make_shared<Alloc>(), ins);
}

// ---------------------------------------------------------------- helpers (exported)

std::optional<int64_t> const_int_value(const Var& v) { return const_int(v); }
Var as_int64_scalar(const Var& v, const std::string& who, size_t i) { return shape_scalar(v, who, i); }

std::optional<std::vector<Var>> shape_vector_entries(const Var& sv) {
  if (sv.get()->is_constant() && is_array(*sv->constant)) {
    NDArray c = std::get<NDArray>(*sv->constant).astype(DType::Int64);
    if (c.ndim() != 1) return std::nullopt;
    std::vector<Var> r;
    for (int64_t i = 0; i < c.size(); ++i) r.push_back(int64_constant(c.data<int64_t>()[i]));
    return r;
  }
  if (sv.owner() && dynamic_cast<const MakeVector*>(sv.owner()->op().get())) return sv.owner()->inputs();
  return std::nullopt;
}

// ---------------------------------------------------------------- SpecifyShape

ApplyPtr SpecifyShape::make_node_checked(const std::vector<Var>& inputs) const {
  const int nd = shaped_ndim(inputs[0], kName);  // a dense tensor or a sparse matrix
  const TensorType& s = check_tensor_input(inputs[1], kName);
  if (s.ndim() != 1 || !is_int(s.elem()))
    type_error("[", kName, "] the shape must be an integer vector, got ", s.str());
  if (auto e = shape_vector_entries(inputs[1]))
    if (static_cast<int>(e->size()) != nd)
      value_error("[", kName, "] the shape has ", e->size(), " entries for an input with ", nd, " dimensions");
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}

void SpecifyShape::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const Shape xs = value_shape(*inputs[0]);  // dense arrays and sparse matrices alike
  Shape s = read_shape(as_array(*inputs[1], kName));
  if (s.size() != xs.size())
    value_error("[", kName, "] got an input with ", xs.size(), " dimensions, expected ", s.size());
  if (s != xs)
    value_error("[", kName, "] got an input of shape ", shape_str(xs), ", expected shape ", shape_str(s));
  outputs[0] = *inputs[0];
}

std::optional<std::vector<ShapeVec>> SpecifyShape::infer_shape(const Apply& node, const std::vector<ShapeVec>& in) const {
  auto e = shape_vector_entries(node.input(1));
  if (!e) return std::vector<ShapeVec>{in[0]};
  ShapeVec out;
  for (const Var& v : *e) out.push_back(tensor_type(v)->elem() == DType::Int64 ? v : cast(v, DType::Int64));
  return std::vector<ShapeVec>{out};
}

std::vector<Var> SpecifyShape::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const Var& gz = output_grads[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var(), disconnected_var()};
  if (is_discrete(node.input(0))) {
    const Var& x = node.input(0);
    return {x.type()->zeros_like(x, false), disconnected_var()};
  }
  return {apply1(*this, {gz, node.input(1)}), disconnected_var()};
}

std::vector<Var> SpecifyShape::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (ev.empty() || !ev[0]) return {Var()};
  return {apply1(*this, {ev[0], node.input(1)})};
}

Var specify_shape_vec(const Var& x_in, const Var& shp_in) {
  Var x = x_in && x_in.type()->kind() == TypeKind::Sparse ? x_in : as_tensor_variable(x_in);
  Var shp = as_tensor_variable(shp_in);
  return apply1(*std::make_shared<SpecifyShape>(), {x, shp});
}

Var specify_shape(const Var& x, const std::vector<Var>& shp) {
  Var xv = x && x.type()->kind() == TypeKind::Sparse ? x : as_tensor_variable(x);
  if (static_cast<int>(shp.size()) != xv.type()->ndim())
    value_error("[SpecifyShape] the shape has ", shp.size(), " entries for an input with ", xv.type()->ndim(), " dimensions");
  Var sv = shp.empty() ? constant(NDArray(DType::Int64, {0})) : make_vector(shp);
  return apply1(*std::make_shared<SpecifyShape>(), {xv, sv});
}

// ---------------------------------------------------------------- Rebroadcast

std::string Rebroadcast::str() const {
  // Theano: "Rebroadcast{0}" lists the axes made broadcastable, "?" for the others.
  std::string s = "Rebroadcast{";
  for (size_t i = 0; i < params_.axis.size(); ++i) {
    if (i) s += ",";
    s += params_.broadcastable[i] ? std::to_string(params_.axis[i]) : std::string("?");
  }
  return s + "}";
}

ApplyPtr Rebroadcast::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_tensor_input(inputs[0], kName);
  std::vector<bool> bc = t.broadcastable();
  for (auto [axis, b] : params_.axes()) {
    if (axis < 0 || axis >= t.ndim())
      raise(ErrorKind::Index, "[Rebroadcast] axis ", axis, " out of range for an input with ", t.ndim(), " dimensions");
    bc[axis] = b;
  }
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), bc)});
}

void Rebroadcast::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  for (auto [axis, b] : params_.axes())
    if (b && x.shape(axis) != 1)
      value_error("[", kName, "] axis ", axis, " was declared broadcastable but has length ", x.shape(axis),
                  " (input shape ", shape_str(x.shape()), ")");
  outputs[0] = x;
}

std::optional<std::vector<ShapeVec>> Rebroadcast::infer_shape(const Apply&, const std::vector<ShapeVec>& in) const {
  ShapeVec out = in[0];
  for (auto [axis, b] : params_.axes())
    if (b) out[axis] = int64_constant(1);
  return std::vector<ShapeVec>{out};
}

std::vector<Var> Rebroadcast::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const Var& x = node.input(0);
  const Var& gz = output_grads[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var()};
  if (is_discrete(x)) return {zeros_like(x)};
  // Restore the input's flags on the changed axes.
  std::vector<std::pair<int, bool>> back;
  for (auto [axis, b] : params_.axes()) back.push_back({axis, tensor_type(x)->broadcastable()[axis]});
  return {rebroadcast(gz, back)};
}

std::vector<Var> Rebroadcast::jvp(const Apply&, const std::vector<Var>& ev) const {
  if (ev.empty() || !ev[0]) return {Var()};
  return {apply1(*this, {ev[0]})};
}

Var rebroadcast(const Var& x_in, std::vector<std::pair<int, bool>> axes) {
  Var x = as_tensor_variable(x_in);
  const TensorType& t = *tensor_type(x);
  std::map<int, bool> m;
  for (auto [a, b] : axes) {
    int j = a < 0 ? a + t.ndim() : a;
    if (j < 0 || j >= t.ndim())
      raise(ErrorKind::Index, "[Rebroadcast] axis ", a, " out of range for an input with ", t.ndim(), " dimensions");
    m[j] = b;
  }
  std::vector<std::pair<int, bool>> changed;
  for (auto [a, b] : m)
    if (t.broadcastable()[a] != b) changed.push_back({a, b});
  if (changed.empty()) return x;
  return apply1(*std::make_shared<Rebroadcast>(RebroadcastParams{changed}), {x});
}

Var addbroadcast(const Var& x, const std::vector<int>& axes) {
  std::vector<std::pair<int, bool>> a;
  for (int i : axes) a.push_back({i, true});
  return rebroadcast(x, a);
}

Var unbroadcast(const Var& x, const std::vector<int>& axes) {
  std::vector<std::pair<int, bool>> a;
  for (int i : axes) a.push_back({i, false});
  return rebroadcast(x, a);
}

Var patternbroadcast(const Var& x_in, const std::vector<bool>& pattern) {
  Var x = as_tensor_variable(x_in);
  if (static_cast<int>(pattern.size()) != x.type()->ndim())
    value_error("[Rebroadcast] pattern of length ", pattern.size(), " for a variable with ", x.type()->ndim(), " dimensions");
  std::vector<std::pair<int, bool>> a;
  for (size_t i = 0; i < pattern.size(); ++i) a.push_back({static_cast<int>(i), pattern[i]});
  return rebroadcast(x, a);
}

// ---------------------------------------------------------------- shaping builders

Var reshape_vec(const Var& x_in, const Var& shp_in, std::optional<int> ndim) {
  Var x = as_tensor_variable(x_in);
  Var shp = as_tensor_variable(shp_in);
  const TensorType& st = check_tensor_input(shp, "Reshape");
  if (st.ndim() == 0) shp = make_vector({shp});
  else if (st.ndim() != 1 || !is_int(st.elem()))
    type_error("[Reshape] the shape must be an integer vector, got ", st.str());
  if (!ndim) {
    if (auto e = shape_vector_entries(shp)) ndim = static_cast<int>(e->size());
    else if (tensor_type(shp)->broadcastable()[0]) ndim = 1;
    else
      value_error("[Reshape] the length of the provided shape (", shp->str(),
                  ") cannot be automatically determined, so the number of dimensions of the result is unknown; "
                  "pass the 'ndim' argument to reshape");
  }
  if (*ndim < 0) value_error("[Reshape] ndim must be non-negative, got ", *ndim);
  return apply1(*std::make_shared<Reshape>(ReshapeParams{*ndim}), {x, shp});
}

Var flatten(const Var& x_in, int ndim) {
  Var x = as_tensor_variable(x_in);
  const int nd = x.type()->ndim();
  if (ndim < 1 || ndim > std::max(nd, 1))
    value_error("[flatten] ndim must be between 1 and ", std::max(nd, 1), ", got ", ndim);
  std::vector<Var> s;
  for (int d = 0; d < ndim - 1; ++d) s.push_back(shape_i(x, d));
  s.push_back(int64_constant(-1));
  Var r = reshape(x, s);
  // The kept leading axes keep their broadcastable flags, as Theano's flatten.
  std::vector<std::pair<int, bool>> bc;
  for (int d = 0; d < ndim - 1; ++d) bc.push_back({d, tensor_type(x)->broadcastable()[d]});
  bool all_bc = true;
  for (int d = ndim - 1; d < nd; ++d) all_bc = all_bc && tensor_type(x)->broadcastable()[d];
  if (nd >= ndim) bc.push_back({ndim - 1, all_bc});
  return rebroadcast(r, bc);
}

Var shape_padleft(const Var& x_in, int n) {
  Var x = as_tensor_variable(x_in);
  std::vector<int> p(std::max(n, 0), -1);
  for (int d = 0; d < x.type()->ndim(); ++d) p.push_back(d);
  return dimshuffle(x, p);
}

Var shape_padright(const Var& x_in, int n) {
  Var x = as_tensor_variable(x_in);
  std::vector<int> p;
  for (int d = 0; d < x.type()->ndim(); ++d) p.push_back(d);
  for (int i = 0; i < n; ++i) p.push_back(-1);
  return dimshuffle(x, p);
}

Var shape_padaxis(const Var& x_in, int axis) {
  Var x = as_tensor_variable(x_in);
  const int nd = x.type()->ndim();
  if (axis < -(nd + 1) || axis > nd)
    raise(ErrorKind::Index, "[shape_padaxis] axis ", axis, " is out of bounds for a result with ", nd + 1, " dimensions");
  if (axis < 0) axis += nd + 1;
  std::vector<int> p;
  for (int d = 0; d < nd; ++d) p.push_back(d);
  p.insert(p.begin() + axis, -1);
  return dimshuffle(x, p);
}

Var squeeze(const Var& x_in) {
  Var x = as_tensor_variable(x_in);
  std::vector<int> p;
  for (int d = 0; d < x.type()->ndim(); ++d)
    if (!tensor_type(x)->broadcastable()[d]) p.push_back(d);
  return dimshuffle(x, p);
}

Var swapaxes(const Var& x_in, int a, int b) {
  Var x = as_tensor_variable(x_in);
  const int nd = x.type()->ndim();
  int a2 = a < 0 ? a + nd : a, b2 = b < 0 ? b + nd : b;
  if (a2 < 0 || a2 >= nd || b2 < 0 || b2 >= nd)
    raise(ErrorKind::Index, "[swapaxes] axes (", a, ", ", b, ") out of range for ", nd, " dimensions");
  std::vector<int> p;
  for (int d = 0; d < nd; ++d) p.push_back(d);
  std::swap(p[a2], p[b2]);
  return dimshuffle(x, p);
}

Var as_tensor_variable(const Var& x_in, int ndim) {
  Var x = as_tensor_variable(x_in);
  const int nd = x.type()->ndim();
  if (nd < ndim) return shape_padleft(x, ndim - nd);
  if (nd > ndim) {
    const auto& bc = tensor_type(x)->broadcastable();
    int first = 0;
    while (first < nd && bc[first] && nd - first > ndim) ++first;
    if (nd - first != ndim)
      value_error("[as_tensor_variable] ", x.type()->str(), " could not be cast to have ", ndim, " dimensions");
    std::vector<int> p;
    for (int d = first; d < nd; ++d) p.push_back(d);
    return dimshuffle(x, p);
  }
  return x;
}

Var size(const Var& x_in) {
  Var x = as_tensor_variable(x_in);
  Var r = int64_constant(1);
  for (int d = 0; d < x.type()->ndim(); ++d) r = d == 0 ? shape_i(x, 0) : mul(r, shape_i(x, d));
  return r;
}

}  // namespace hypatia
