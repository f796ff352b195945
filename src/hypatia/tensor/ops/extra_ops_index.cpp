// Choose, RavelMultiIndex, UnravelIndex, Bartlett, CpuContiguous, Chi2SF: typing, kernels,
// shapes, gradients and builders.
#include "hypatia/tensor/ops/extra_ops_index.h"

#include <cmath>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/extra_ops_internal.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/ops/subtensor.h"

namespace hypatia {

using namespace extra_ops_detail;

IndexMode index_mode(const std::string& mode, const char* who) {
  if (mode == "raise") return IndexMode::Raise;
  if (mode == "wrap") return IndexMode::Wrap;
  if (mode == "clip") return IndexMode::Clip;
  value_error("[", who, "] mode must be 'raise', 'wrap' or 'clip', got '", mode, "'");
}

namespace {
const char* mode_name(IndexMode m) { return m == IndexMode::Raise ? "raise" : m == IndexMode::Wrap ? "wrap" : "clip"; }

// numpy's broadcast of several shapes; ValueError naming `who` when they do not fit.
Shape broadcast_shapes(const std::vector<Shape>& shapes, const char* who) {
  size_t nd = 0;
  for (const Shape& s : shapes) nd = std::max(nd, s.size());
  Shape out(nd, 1);
  for (const Shape& s : shapes)
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t& o = out[nd - s.size() + i];
      const int64_t v = s[i];
      if (v == o || v == 1) continue;
      if (o == 1) o = v;
      else value_error("[", who, "] shapes cannot be broadcast together");
    }
  return out;
}
// Static flags of the broadcast of several types (right-aligned).
std::vector<bool> broadcast_flags(const std::vector<const TensorType*>& ts) {
  size_t nd = 0;
  for (auto* t : ts) nd = std::max(nd, static_cast<size_t>(t->ndim()));
  std::vector<bool> bc(nd, true);
  for (auto* t : ts)
    for (int i = 0; i < t->ndim(); ++i)
      if (!t->broadcastable()[i]) bc[nd - t->ndim() + i] = false;
  return bc;
}
// Symbolic broadcast of shape vectors (the non-1 entry of each axis, as Theano's infer_shape).
ShapeVec broadcast_shape_vars(const std::vector<ShapeVec>& ss, const std::vector<const TensorType*>& ts) {
  size_t nd = 0;
  for (const auto& s : ss) nd = std::max(nd, s.size());
  ShapeVec out(nd);
  for (size_t k = 0; k < ss.size(); ++k)
    for (size_t i = 0; i < ss[k].size(); ++i) {
      Var& o = out[nd - ss[k].size() + i];
      if (ts[k]->broadcastable()[i]) {
        if (!o) o = int64_constant(1);
        continue;
      }
      o = (!o || const_int_value(o) == std::optional<int64_t>(1)) ? ss[k][i] : maximum(o, ss[k][i]);
    }
  return out;
}
NDArray expand(const NDArray& a, const Shape& s, DType d) { return a.reshape(
    [&] { Shape r(s.size() - a.ndim(), 1); r.insert(r.end(), a.shape().begin(), a.shape().end()); return r; }())
    .broadcast_to(s).astype(d); }

int64_t apply_mode(int64_t i, int64_t n, IndexMode m, const char* who, const char* what) {
  if (i >= 0 && i < n) return i;
  if (m == IndexMode::Raise) value_error("[", who, "] ", what, " ", i, " is out of bounds for size ", n);
  if (m == IndexMode::Clip) return i < 0 ? 0 : n - 1;
  return ((i % n) + n) % n;
}

std::vector<int64_t> read_dims(const Value& v, const char* who) {
  NDArray d = as_array(v, who).astype(DType::Int64);
  if (d.ndim() != 1) value_error("[", who, "] dims must be a vector");
  std::vector<int64_t> out(d.data<int64_t>(), d.data<int64_t>() + d.size());
  for (int64_t x : out)
    if (x < 0) value_error("[", who, "] dims must be non-negative, got ", x);
  return out;
}
// Strides (in elements) of dims in C or Fortran order.
std::vector<int64_t> elem_strides(const std::vector<int64_t>& dims, bool fortran) {
  std::vector<int64_t> st(dims.size(), 1);
  if (fortran) for (size_t i = 1; i < dims.size(); ++i) st[i] = st[i - 1] * dims[i - 1];
  else for (size_t i = dims.size(); i-- > 1;) st[i - 1] = st[i] * dims[i];
  return st;
}
void check_dims_var(const Var& dims, const char* who) {
  const TensorType& t = check_tensor_input(dims, who);
  if (t.ndim() != 1 || !is_int(t.elem())) type_error("[", who, "] dims must be an integer vector, got ", t.str());
}
}  // namespace

// ---------------------------------------------------------------- Choose

std::string Choose::str() const { return str_cat("Choose{", mode_name(params_.mode), "}"); }
ApplyPtr Choose::make_node_checked(const std::vector<Var>& inputs) const {
  if (inputs.size() < 2) type_error("[", kName, "] expected an index array and at least one choice");
  const TensorType& a = check_tensor_input(inputs[0], kName);
  if (!is_int(a.elem()) && !is_bool(a.elem())) type_error("[", kName, "] the index array must hold integers, got ", dtype_name(a.elem()));
  std::vector<const TensorType*> ts{&a};
  DType d = check_tensor_input(inputs[1], kName).elem();
  std::vector<TensorType> stacked_rows;
  if (params_.stacked) {
    if (inputs.size() != 2) type_error("[", kName, "] stacked choices take one tensor");
    const TensorType& c = *tensor_type(inputs[1]);
    if (c.ndim() < 1) type_error("[", kName, "] the choices must have at least one dimension");
    stacked_rows.emplace_back(c.elem(), std::vector<bool>(c.broadcastable().begin() + 1, c.broadcastable().end()));
    ts.push_back(&stacked_rows.back());
  } else {
    for (size_t i = 1; i < inputs.size(); ++i) {
      const TensorType& c = check_tensor_input(inputs[i], kName);
      d = upcast(d, c.elem());
      ts.push_back(&c);
    }
  }
  return Apply::create(ptr(), inputs, {TensorType::make(d, broadcast_flags(ts))});
}
void Choose::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const DType d = tensor_type(node.output(0))->elem();
  const NDArray& a0 = as_array(*inputs[0], kName);
  std::vector<NDArray> cs;
  if (params_.stacked) {
    const NDArray& c = as_array(*inputs[1], kName);
    for (int64_t i = 0; i < c.shape(0); ++i) cs.push_back(c.index(0, i));
  } else {
    for (size_t i = 1; i < node.nin(); ++i) cs.push_back(as_array(*inputs[i], kName));
  }
  const int64_t n = static_cast<int64_t>(cs.size());
  if (n == 0) value_error("[", kName, "] there are no choices");
  std::vector<Shape> shapes{a0.shape()};
  for (auto& c : cs) shapes.push_back(c.shape());
  Shape s = broadcast_shapes(shapes, kName);
  NDArray a = expand(a0, s, DType::Int64);
  std::vector<NDArray> cb;
  for (auto& c : cs) cb.push_back(expand(c, s, d));
  NDArray& out = prepare_output(outputs[0], d, s);
  const int64_t total = out.size(), isz = itemsize(d);
  const int64_t* ai = a.data<int64_t>();
  for (int64_t e = 0; e < total; ++e) {
    const int64_t k = apply_mode(ai[e], n, params_.mode, kName, "choice index");
    std::memcpy(static_cast<char*>(out.raw()) + e * isz, static_cast<const char*>(cb[k].raw()) + e * isz, isz);
  }
}
std::optional<std::vector<ShapeVec>> Choose::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  std::vector<const TensorType*> ts{tensor_type(node.input(0))};
  std::vector<ShapeVec> ss{s[0]};
  std::vector<TensorType> rows;
  rows.reserve(1);
  if (params_.stacked) {
    const TensorType& c = *tensor_type(node.input(1));
    rows.emplace_back(c.elem(), std::vector<bool>(c.broadcastable().begin() + 1, c.broadcastable().end()));
    ts.push_back(&rows.back());
    ss.emplace_back(s[1].begin() + 1, s[1].end());
  } else {
    for (size_t i = 1; i < node.nin(); ++i) ts.push_back(tensor_type(node.input(i))), ss.push_back(s[i]);
  }
  return std::vector<ShapeVec>{broadcast_shape_vars(ss, ts)};
}
std::vector<std::vector<bool>> Choose::connection_pattern(const Apply& node) const {
  auto r = all_connected(node);
  r[0][0] = false;
  return r;
}
std::vector<Var> Choose::vjp(const Apply& node, const std::vector<Var>&) const {
  std::vector<Var> g{disconnected_var()};
  for (size_t i = 1; i < node.nin(); ++i) g.push_back(grad_not_implemented(*this, static_cast<int>(i), "Theano's Choose has no gradient"));
  return g;
}

Var choose(const Var& a, const std::vector<Var>& choices, const std::string& mode) {
  std::vector<Var> ins{as_tensor_variable(a)};
  for (const Var& c : choices) ins.push_back(as_tensor_variable(c));
  return apply1(*std::make_shared<Choose>(ChooseParams{index_mode(mode, "choose"), false}), ins);
}
Var choose(const Var& a, const Var& stacked, const std::string& mode) {
  return apply1(*std::make_shared<Choose>(ChooseParams{index_mode(mode, "choose"), true}),
                {as_tensor_variable(a), as_tensor_variable(stacked)});
}

// ---------------------------------------------------------------- RavelMultiIndex

std::string RavelMultiIndex::str() const {
  std::string m;
  for (IndexMode x : params_.modes) m += str_cat(m.empty() ? "" : ", ", mode_name(x));
  return str_cat("RavelMultiIndex{(", m, "), ", params_.fortran ? "F" : "C", "}");
}
ApplyPtr RavelMultiIndex::make_node_checked(const std::vector<Var>& inputs) const {
  if (inputs.size() < 2 || params_.modes.size() != inputs.size() - 1)
    type_error("[", kName, "] expected one index array per mode and the dims vector");
  std::vector<const TensorType*> ts;
  for (size_t i = 0; i + 1 < inputs.size(); ++i) {
    const TensorType& t = check_tensor_input(inputs[i], kName);
    if (!is_int(t.elem())) type_error("[", kName, "] the index arrays must hold integers, got ", dtype_name(t.elem()));
    ts.push_back(&t);
  }
  check_dims_var(inputs.back(), kName);
  return Apply::create(ptr(), inputs, {TensorType::make(DType::Int64, broadcast_flags(ts))});
}
void RavelMultiIndex::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const size_t k = node.nin() - 1;
  std::vector<int64_t> dims = read_dims(*inputs[k], kName);
  if (dims.size() != k) value_error("[", kName, "] ", k, " index arrays for ", dims.size(), " dimensions");
  std::vector<Shape> shapes;
  for (size_t i = 0; i < k; ++i) shapes.push_back(as_array(*inputs[i], kName).shape());
  Shape s = broadcast_shapes(shapes, kName);
  std::vector<NDArray> idx;
  for (size_t i = 0; i < k; ++i) idx.push_back(expand(as_array(*inputs[i], kName), s, DType::Int64));
  auto st = elem_strides(dims, params_.fortran);
  NDArray& out = prepare_output(outputs[0], DType::Int64, s);
  int64_t* o = out.data<int64_t>();
  for (int64_t e = 0; e < out.size(); ++e) {
    int64_t r = 0;
    for (size_t i = 0; i < k; ++i) r += apply_mode(idx[i].data<int64_t>()[e], dims[i], params_.modes[i], kName, "index") * st[i];
    o[e] = r;
  }
}
std::optional<std::vector<ShapeVec>> RavelMultiIndex::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  std::vector<const TensorType*> ts;
  std::vector<ShapeVec> ss;
  for (size_t i = 0; i + 1 < node.nin(); ++i) ts.push_back(tensor_type(node.input(i))), ss.push_back(s[i]);
  return std::vector<ShapeVec>{broadcast_shape_vars(ss, ts)};
}
std::vector<std::vector<bool>> RavelMultiIndex::connection_pattern(const Apply& node) const { return all_connected(node); }
std::vector<Var> RavelMultiIndex::vjp(const Apply& node, const std::vector<Var>&) const {
  std::vector<Var> g;
  for (size_t i = 0; i < node.nin(); ++i) g.push_back(zeros_like(node.input(i)));
  return g;
}

Var ravel_multi_index(const std::vector<Var>& multi_index, const Var& dims, const std::vector<std::string>& mode,
                      const std::string& order) {
  if (order != "C" && order != "F") value_error("[ravel_multi_index] order must be 'C' or 'F', got '", order, "'");
  if (multi_index.empty()) value_error("[ravel_multi_index] multi_index must hold at least one index array");
  if (mode.size() != 1 && mode.size() != multi_index.size())
    value_error("[ravel_multi_index] mode must be one string or one per index array (", multi_index.size(), ")");
  RavelParams p{{}, order == "F"};
  for (size_t i = 0; i < multi_index.size(); ++i) p.modes.push_back(index_mode(mode[mode.size() == 1 ? 0 : i], "ravel_multi_index"));
  std::vector<Var> ins;
  for (const Var& v : multi_index) ins.push_back(as_tensor_variable(v));
  ins.push_back(as_tensor_variable(dims));
  return apply1(*std::make_shared<RavelMultiIndex>(p), ins);
}

// ---------------------------------------------------------------- UnravelIndex

std::string UnravelIndex::str() const { return str_cat("UnravelIndex{", params_.ndim, ", ", params_.fortran ? "F" : "C", "}"); }
ApplyPtr UnravelIndex::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_tensor_input(inputs[0], kName);
  if (!is_int(t.elem())) type_error("[", kName, "] the indices must be integers, got ", dtype_name(t.elem()));
  check_dims_var(inputs[1], kName);
  if (params_.ndim < 1) value_error("[", kName, "] ndim must be at least 1");
  std::vector<TypePtr> outs(static_cast<size_t>(params_.ndim), TensorType::make(DType::Int64, t.broadcastable()));
  return Apply::create(ptr(), inputs, outs);
}
void UnravelIndex::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  NDArray idx = as_array(*inputs[0], kName).astype(DType::Int64);
  std::vector<int64_t> dims = read_dims(*inputs[1], kName);
  if (static_cast<int>(dims.size()) != params_.ndim) value_error("[", kName, "] dims has ", dims.size(), " entries, expected ", params_.ndim);
  int64_t total = 1;
  for (int64_t d : dims) total *= d;
  auto st = elem_strides(dims, params_.fortran);
  std::vector<int64_t*> outs;
  for (int d = 0; d < params_.ndim; ++d) outs.push_back(prepare_output(outputs[d], DType::Int64, idx.shape()).data<int64_t>());
  const int64_t* in = idx.data<int64_t>();
  for (int64_t e = 0; e < idx.size(); ++e) {
    if (in[e] < 0 || in[e] >= total) value_error("[", kName, "] index ", in[e], " is out of bounds for array with size ", total);
    for (int d = 0; d < params_.ndim; ++d) outs[d][e] = (in[e] / st[d]) % dims[d];
  }
}
std::optional<std::vector<ShapeVec>> UnravelIndex::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>(static_cast<size_t>(params_.ndim), s[0]);
}
std::vector<std::vector<bool>> UnravelIndex::connection_pattern(const Apply& node) const { return all_connected(node); }
std::vector<Var> UnravelIndex::vjp(const Apply& node, const std::vector<Var>&) const {
  return {zeros_like(node.input(0)), zeros_like(node.input(1))};
}

std::vector<Var> unravel_index(const Var& indices, const Var& dims0, const std::string& order, std::optional<int> ndim) {
  if (order != "C" && order != "F") value_error("[unravel_index] order must be 'C' or 'F', got '", order, "'");
  Var dims = as_tensor_variable(dims0);
  check_dims_var(dims, "unravel_index");
  std::optional<int> n;
  if (auto e = shape_vector_entries(dims)) n = static_cast<int>(e->size());
  else if (tensor_type(dims)->broadcastable()[0]) n = 1;
  if (n && ndim && *n != *ndim) value_error("[unravel_index] ndim=", *ndim, " but dims has ", *n, " entries");
  if (!n) n = ndim;
  if (!n) value_error("[unravel_index] the length of dims cannot be told from the graph; pass ndim");
  return apply_op(*std::make_shared<UnravelIndex>(UnravelParams{*n, order == "F"}), {as_tensor_variable(indices), dims});
}

// ---------------------------------------------------------------- Bartlett

std::string Bartlett::str() const { return "Bartlett"; }
ApplyPtr Bartlett::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_tensor_input(inputs[0], kName);
  if (t.ndim() != 0 || !is_int(t.elem())) type_error("[", kName, "] M must be an integer scalar, got ", t.str());
  return Apply::create(ptr(), inputs, {TensorType::make(DType::Float64, {false})});
}
void Bartlett::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const int64_t m = std::max<int64_t>(0, as_array(*inputs[0], kName).item<int64_t>());
  NDArray& out = prepare_output(outputs[0], DType::Float64, {m});
  double* o = out.data<double>();
  if (m == 1) o[0] = 1.0;
  for (int64_t n = 0; m > 1 && n < m; ++n) {
    const double r = 2.0 * static_cast<double>(n) / static_cast<double>(m - 1);
    o[n] = 2.0 * static_cast<double>(n) <= static_cast<double>(m - 1) ? r : 2.0 - r;
  }
}
std::optional<std::vector<ShapeVec>> Bartlett::infer_shape(const Apply& node, const std::vector<ShapeVec>&) const {
  return std::vector<ShapeVec>{{maximum(cast(node.input(0), DType::Int64), int64_constant(0))}};
}
std::vector<std::vector<bool>> Bartlett::connection_pattern(const Apply&) const { return {{true}}; }
std::vector<Var> Bartlett::vjp(const Apply&, const std::vector<Var>&) const {
  return {grad_undefined(*this, 0, "M is an integer")};
}
Var bartlett(const Var& M) {
  Var m = as_tensor_variable(M);
  return apply1(*std::make_shared<Bartlett>(), {m});
}

// ---------------------------------------------------------------- CpuContiguous

ApplyPtr CpuContiguous::make_node_checked(const std::vector<Var>& inputs) const {
  check_tensor_input(inputs[0], kName);
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}
void CpuContiguous::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = as_array(*inputs[0], kName).contiguous();
}
std::optional<std::vector<ShapeVec>> CpuContiguous::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const { return s; }
std::vector<Var> CpuContiguous::vjp(const Apply&, const std::vector<Var>& g) const { return {g[0] ? g[0] : disconnected_var()}; }
std::vector<Var> CpuContiguous::jvp(const Apply&, const std::vector<Var>& e) const { return {e[0]}; }
ViewMap CpuContiguous::view_map() const { return {{0, {0}}}; }
Var cpu_contiguous(const Var& x) { return apply1(*std::make_shared<CpuContiguous>(), {as_tensor_variable(x)}); }

}  // namespace hypatia
