// Subtensor, IncSubtensor and SliceLength: basic indexing views, their set/increment form, and
// the symbolic slice lengths of infer_shape.
#include "hypatia/tensor/ops/subtensor.h"

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/indexing.h"

namespace hypatia {

// ---------------------------------------------------------------- index lists

int IdxItem::num_inputs() const {
  if (kind == IdxKind::IntArray || kind == IdxKind::BoolArray) return 1;
  int n = 0;
  for (int k = 0; k < (kind == IdxKind::Int ? 1 : 3); ++k) n += c[k].kind == CompKind::Input;
  return n;
}

bool IdxItem::is_full_slice() const {
  if (kind != IdxKind::Slice) return false;
  auto is = [](const IdxComp& c, int64_t v) { return c.kind == CompKind::None || (c.kind == CompKind::Const && c.value == v); };
  return is(c[0], 0) && c[1].kind == CompKind::None && is(c[2], 1);
}

std::vector<int64_t> encode_index(const std::vector<IdxItem>& items) {
  std::vector<int64_t> f;
  for (const IdxItem& it : items) {
    f.push_back(static_cast<int64_t>(it.kind));
    for (const IdxComp& c : it.c) {
      f.push_back(static_cast<int64_t>(c.kind));
      f.push_back(c.value);
    }
  }
  return f;
}

std::vector<IdxItem> decode_index(const std::vector<int64_t>& f) {
  std::vector<IdxItem> items;
  for (size_t i = 0; i + 7 <= f.size(); i += 7) {
    IdxItem it;
    it.kind = static_cast<IdxKind>(f[i]);
    for (int k = 0; k < 3; ++k) it.c[k] = IdxComp{static_cast<CompKind>(f[i + 1 + 2 * k]), f[i + 2 + 2 * k]};
    items.push_back(it);
  }
  return items;
}

std::string index_str(const std::vector<IdxItem>& items) {
  auto comp = [](const IdxComp& c) -> std::string {
    if (c.kind == CompKind::None) return "";
    if (c.kind == CompKind::Const) return std::to_string(c.value);
    return dtype_name(static_cast<DType>(c.value));
  };
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) s += ", ";
    const IdxItem& it = items[i];
    switch (it.kind) {
      case IdxKind::Int: s += comp(it.c[0]); break;
      case IdxKind::Slice: s += comp(it.c[0]) + ":" + comp(it.c[1]) + ":" + comp(it.c[2]); break;
      case IdxKind::IntArray: s += "int_array"; break;
      case IdxKind::BoolArray: s += "bool_array"; break;
    }
  }
  return s;
}

void normalize_slice(int64_t n, const int64_t* start, const int64_t* stop, const int64_t* step, int64_t* o_start,
                     int64_t* o_stop, int64_t* o_step, const std::string& who) {
  int64_t st = step ? *step : 1;
  if (st == 0) value_error("[", who, "] slice step cannot be zero");
  auto clampi = [&](const int64_t* v, bool is_start) -> int64_t {
    if (!v) return is_start ? (st < 0 ? n - 1 : 0) : (st < 0 ? -1 : n);
    int64_t x = *v;
    if (x < 0) {
      x += n;
      if (x < 0) x = st < 0 ? -1 : 0;
    } else if (x >= n) {
      x = st < 0 ? n - 1 : n;
    }
    return x;
  };
  *o_start = clampi(start, true);
  *o_stop = clampi(stop, false);
  *o_step = st;
}

namespace subtensor_detail {

int64_t read_index_scalar(const Value& v, const std::string& who) {
  const NDArray& a = as_array(v, who.c_str());
  if (a.size() != 1) value_error("[", who, "] a symbolic index must be a scalar, got shape ", shape_str(a.shape()));
  return a.item<int64_t>();
}

namespace {
Var comp_var(const IdxComp& c, const std::vector<Var>& in, size_t& k) {
  if (c.kind == CompKind::None) return Var();
  if (c.kind == CompKind::Const) return int64_constant(c.value);
  return in[k++];
}
}  // namespace

Var slice_length(const IdxItem& it, const Var& n, const std::vector<Var>& in) {
  if (it.is_full_slice()) return n;
  size_t k = 0;
  std::vector<Var> ins{n};
  SliceLengthParams p;
  bool* has[3] = {&p.has_start, &p.has_stop, &p.has_step};
  for (int c = 0; c < 3; ++c) {
    Var v = comp_var(it.c[c], in, k);
    if (v) {
      *has[c] = true;
      ins.push_back(v);
    }
  }
  return apply1(*std::make_shared<SliceLength>(p), ins);
}

bool slice_keeps_broadcastable(const IdxItem& it, bool in_bc) { return in_bc && it.is_full_slice(); }

NDArray slice_axis(const NDArray& a, int axis, const IdxItem& it, const Value* const* vals, const std::string& who) {
  int64_t v[3];
  const int64_t* p[3] = {nullptr, nullptr, nullptr};
  int k = 0;
  for (int c = 0; c < 3; ++c) {
    if (it.c[c].kind == CompKind::Const) {
      v[c] = it.c[c].value;
      p[c] = &v[c];
    } else if (it.c[c].kind == CompKind::Input) {
      v[c] = read_index_scalar(*vals[k++], who);
      p[c] = &v[c];
    }
  }
  int64_t s0, s1, s2;
  normalize_slice(a.shape(axis), p[0], p[1], p[2], &s0, &s1, &s2, who);
  return a.slice(axis, s0, s1, s2);
}

void add_into(const NDArray& dst, const NDArray& src) {
  dispatch_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    char* d = static_cast<char*>(dst.raw());
    const char* s = static_cast<const char*>(src.raw());
    strided_for_each<2>(dst.shape(), {dst.strides().data(), src.strides().data()}, [&](int64_t a, int64_t b) {
      T& x = *reinterpret_cast<T*>(d + a);
      if constexpr (std::is_same_v<T, bool>) {
        x = x || *reinterpret_cast<const T*>(s + b);
      } else {
        x = static_cast<T>(x + *reinterpret_cast<const T*>(s + b));
      }
    });
  });
}

NDArray broadcast_y(const NDArray& y, const std::vector<bool>& bc, const Shape& dst, const std::string& who) {
  const int nd = static_cast<int>(dst.size());
  if (y.ndim() > nd)
    value_error("[", who, "] y of shape ", shape_str(y.shape()), " has more dimensions than the indexed sub-tensor ", shape_str(dst));
  const int lead = nd - y.ndim();
  for (int d = 0; d < y.ndim(); ++d) {
    if (y.shape(d) == dst[lead + d]) continue;
    if (y.shape(d) == 1 && bc[d]) continue;
    value_error("[", who, "] cannot broadcast y of shape ", shape_str(y.shape()), " to the indexed sub-tensor of shape ",
                shape_str(dst), y.shape(d) == 1 ? " (a length-1 axis of y broadcasts only when its type is broadcastable)" : "");
  }
  return y.broadcast_to(dst);
}

Var sum_to_y(const Var& g, const Var& y) {
  const int lead = g.type()->ndim() - y.type()->ndim();
  Var r = g;
  if (lead > 0) {
    std::vector<int> axes;
    for (int i = 0; i < lead; ++i) axes.push_back(i);
    r = sum(r, axes);
  }
  return reduce_to_like(r, y);
}

std::vector<Var> inc_subtensor_vjp(const Apply& node, const Var& gz, bool set, const Op& zeroing, const Op& gather) {
  std::vector<Var> r(node.nin(), disconnected_var());
  if (!gz || is_disconnected(gz)) return r;
  const Var& x = node.input(0);
  const Var& y = node.input(1);
  std::vector<Var> idx(node.inputs().begin() + 2, node.inputs().end());
  if (is_discrete(x)) {
    r[0] = zeros_like(x);
  } else if (set) {
    std::vector<Var> ins{gz, constant(NDArray::full(tensor_type(gz)->elem(), {}, 0.0))};
    ins.insert(ins.end(), idx.begin(), idx.end());
    r[0] = apply1(zeroing, ins);
  } else {
    r[0] = gz;
  }
  if (is_discrete(y)) {
    r[1] = zeros_like(y);
  } else {
    std::vector<Var> ins{gz};
    ins.insert(ins.end(), idx.begin(), idx.end());
    r[1] = sum_to_y(apply1(gather, ins), y);
  }
  return r;
}

std::vector<Var> inc_subtensor_jvp(const Op& op, const Apply& node, const std::vector<Var>& ev) {
  Var ex = ev.size() > 0 ? ev[0] : Var();
  Var ey = ev.size() > 1 ? ev[1] : Var();
  if (!ex && !ey) return {Var()};
  std::vector<Var> ins = node.inputs();
  ins[0] = ex ? ex : zeros_like(node.input(0));
  ins[1] = ey ? ey : zeros_like(node.input(1));
  return {apply1(op, ins)};
}

std::vector<std::vector<bool>> inc_subtensor_connection_pattern(const Apply& node) {
  std::vector<std::vector<bool>> r(node.nin(), {false});
  r[0] = {true};
  r[1] = {true};
  return r;
}

std::vector<Var> inputs_from(const Apply& node, int first) {
  return std::vector<Var>(node.inputs().begin() + first, node.inputs().end());
}

std::vector<std::vector<bool>> subtensor_connection_pattern(const Apply& node) {
  std::vector<std::vector<bool>> r(node.nin(), {false});
  r[0] = {true};
  return r;
}

std::vector<Var> subtensor_vjp(const Apply& node, const Var& gz, const Op& inc) {
  std::vector<Var> r(node.nin(), disconnected_var());
  const Var& x = node.input(0);
  if (!gz || is_disconnected(gz)) return r;
  if (is_discrete(x)) {
    r[0] = zeros_like(x);
    return r;
  }
  std::vector<Var> ins{zeros_like(x), cast(gz, tensor_type(x)->elem())};
  ins.insert(ins.end(), node.inputs().begin() + 1, node.inputs().end());
  r[0] = apply1(inc, ins);
  return r;
}

std::vector<Var> subtensor_jvp(const Op& op, const Apply& node, const std::vector<Var>& ev) {
  if (ev.empty() || !ev[0]) return {Var()};
  std::vector<Var> ins = node.inputs();
  ins[0] = ev[0];
  return {apply1(op, ins)};
}

}  // namespace subtensor_detail

using namespace subtensor_detail;

namespace {

// Checks the symbolic components of a basic index list against the inputs starting at `first`.
void check_index_inputs(const std::vector<IdxItem>& items, const std::vector<Var>& inputs, size_t first,
                        const std::string& who) {
  size_t k = first;
  for (const IdxItem& it : items) {
    if (it.kind != IdxKind::Int && it.kind != IdxKind::Slice) type_error("[", who, "] array index items need the advanced ops");
    for (int c = 0; c < 3; ++c) {
      if (it.c[c].kind != CompKind::Input) continue;
      if (k >= inputs.size()) type_error("[", who, "] missing the symbolic index inputs");
      const TensorType& t = check_tensor_input(inputs[k], who);
      if (t.ndim() != 0 || !is_int(t.elem())) type_error("[", who, "] index components must be integer scalars, got ", t.str());
      ++k;
    }
  }
  if (k != inputs.size()) type_error("[", who, "] expected ", k, " inputs, got ", inputs.size());
}

// The view x[items] given symbolic component values `vals`.
NDArray basic_view(const NDArray& x, const std::vector<IdxItem>& items, const Value* const* vals, const std::string& who) {
  NDArray v = x;
  int axis = 0;
  int k = 0;
  for (const IdxItem& it : items) {
    if (axis >= v.ndim()) raise(ErrorKind::Index, "[", who, "] too many indices for an array of ", x.ndim(), " dimensions");
    if (it.kind == IdxKind::Int) {
      int64_t i = it.c[0].kind == CompKind::Const ? it.c[0].value : read_index_scalar(*vals[k++], who);
      int64_t n = v.shape(axis);
      if (i < -n || i >= n)
        raise(ErrorKind::Index, "[", who, "] index ", i, " is out of bounds for axis ", axis, " with size ", n);
      v = v.index(axis, i);
    } else {
      v = slice_axis(v, axis, it, vals + k, who);
      k += it.num_inputs();
      ++axis;
    }
  }
  return v;
}

std::vector<bool> basic_out_bc(const std::vector<IdxItem>& items, const std::vector<bool>& in_bc) {
  std::vector<bool> bc;
  size_t axis = 0;
  for (const IdxItem& it : items) {
    if (it.kind == IdxKind::Slice) bc.push_back(slice_keeps_broadcastable(it, in_bc[axis]));
    ++axis;
  }
  for (; axis < in_bc.size(); ++axis) bc.push_back(in_bc[axis]);
  return bc;
}

}  // namespace

// ---------------------------------------------------------------- Subtensor

std::string Subtensor::str() const { return "Subtensor{" + index_str(items()) + "}"; }

ApplyPtr Subtensor::make_node_checked(const std::vector<Var>& inputs) const {
  if (inputs.empty()) type_error("[", str(), "] expected x and the symbolic index components");
  const TensorType& t = check_tensor_input(inputs[0], str());
  auto its = items();
  if (static_cast<int>(its.size()) > t.ndim())
    raise(ErrorKind::Index, "[", str(), "] too many indices (", its.size(), ") for a tensor of ", t.ndim(), " dimensions");
  check_index_inputs(its, inputs, 1, str());
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), basic_out_bc(its, t.broadcastable()))});
}

void Subtensor::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = basic_view(as_array(*inputs[0], kName), items(), inputs + 1, str());
}

std::optional<std::vector<ShapeVec>> Subtensor::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  ShapeVec out;
  std::vector<Var> in = inputs_from(node, 1);
  size_t k = 0, axis = 0;
  for (const IdxItem& it : items()) {
    int n = it.num_inputs();
    if (it.kind == IdxKind::Slice) out.push_back(slice_length(it, s[0][axis], std::vector<Var>(in.begin() + k, in.begin() + k + n)));
    k += n;
    ++axis;
  }
  for (; axis < s[0].size(); ++axis) out.push_back(s[0][axis]);
  return std::vector<ShapeVec>{out};
}

std::vector<std::vector<bool>> Subtensor::connection_pattern(const Apply& node) const {
  return subtensor_connection_pattern(node);
}

std::vector<Var> Subtensor::vjp(const Apply& node, const std::vector<Var>& g) const {
  return subtensor_vjp(node, g[0], *std::make_shared<IncSubtensor>(IncSubtensorParams{params_.idx, false}));
}

std::vector<Var> Subtensor::jvp(const Apply& node, const std::vector<Var>& ev) const { return subtensor_jvp(*this, node, ev); }

// ---------------------------------------------------------------- IncSubtensor

std::string IncSubtensor::str() const {
  return str_cat("IncSubtensor{", params_.set_instead_of_inc ? "Set;" : "Inc;", index_str(items()), "}");
}

ApplyPtr IncSubtensor::make_node_checked(const std::vector<Var>& inputs) const {
  if (inputs.size() < 2) type_error("[", str(), "] expected x, y and the symbolic index components");
  const TensorType& t = check_tensor_input(inputs[0], str());
  const TensorType& y = check_tensor_input(inputs[1], str());
  auto its = items();
  if (static_cast<int>(its.size()) > t.ndim())
    raise(ErrorKind::Index, "[", str(), "] too many indices (", its.size(), ") for a tensor of ", t.ndim(), " dimensions");
  check_index_inputs(its, inputs, 2, str());
  int sub_nd = static_cast<int>(basic_out_bc(its, t.broadcastable()).size());
  if (y.ndim() > sub_nd)
    type_error("[", str(), "] y has ", y.ndim(), " dimensions, more than the ", sub_nd, " of the indexed sub-tensor");
  if (y.elem() != t.elem()) type_error("[", str(), "] y's dtype ", dtype_name(y.elem()), " differs from x's ", dtype_name(t.elem()));
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}

void IncSubtensor::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  const NDArray& y = as_array(*inputs[1], kName);
  NDArray& out = prepare_output(outputs[0], x.dtype(), x.shape());
  out.assign(x);
  NDArray view = basic_view(out, items(), inputs + 2, str());
  NDArray yb = broadcast_y(y, tensor_type(node.input(1))->broadcastable(), view.shape(), str());
  if (params_.set_instead_of_inc) view.assign(yb);
  else add_into(view, yb);
}

std::optional<std::vector<ShapeVec>> IncSubtensor::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<std::vector<bool>> IncSubtensor::connection_pattern(const Apply& node) const {
  return inc_subtensor_connection_pattern(node);
}

std::vector<Var> IncSubtensor::vjp(const Apply& node, const std::vector<Var>& g) const {
  return inc_subtensor_vjp(node, g[0], params_.set_instead_of_inc,
                           *std::make_shared<IncSubtensor>(IncSubtensorParams{params_.idx, true}),
                           *std::make_shared<Subtensor>(SubtensorParams{params_.idx}));
}

std::vector<Var> IncSubtensor::jvp(const Apply& node, const std::vector<Var>& ev) const {
  return inc_subtensor_jvp(*this, node, ev);
}

// ---------------------------------------------------------------- SliceLength

std::string SliceLength::str() const {
  return str_cat("SliceLength{", params_.has_start ? "start" : "", ":", params_.has_stop ? "stop" : "", ":",
                 params_.has_step ? "step" : "", "}");
}

ApplyPtr SliceLength::make_node_checked(const std::vector<Var>& inputs) const {
  size_t want = 1 + params_.has_start + params_.has_stop + params_.has_step;
  if (inputs.size() != want) type_error("[", str(), "] expected ", want, " inputs, got ", inputs.size());
  for (const Var& v : inputs) {
    const TensorType& t = check_tensor_input(v, str());
    if (t.ndim() != 0 || !is_int(t.elem())) type_error("[", str(), "] inputs must be integer scalars, got ", t.str());
  }
  return Apply::create(ptr(), inputs, {TensorType::make(DType::Int64, {})});
}

void SliceLength::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  int64_t n = read_index_scalar(*inputs[0], str());
  int64_t v[3];
  const int64_t* p[3] = {nullptr, nullptr, nullptr};
  bool has[3] = {params_.has_start, params_.has_stop, params_.has_step};
  int k = 1;
  for (int c = 0; c < 3; ++c)
    if (has[c]) {
      v[c] = read_index_scalar(*inputs[k++], str());
      p[c] = &v[c];
    }
  int64_t a, b, s;
  normalize_slice(n, p[0], p[1], p[2], &a, &b, &s, str());
  int64_t len = 0;
  if (s > 0 && b > a) len = (b - a + s - 1) / s;
  if (s < 0 && b < a) len = (a - b - s - 1) / (-s);
  NDArray& out = prepare_output(outputs[0], DType::Int64, {});
  *out.data<int64_t>() = len;
}

std::optional<std::vector<ShapeVec>> SliceLength::infer_shape(const Apply&, const std::vector<ShapeVec>&) const {
  return std::vector<ShapeVec>{ShapeVec{}};
}

std::vector<std::vector<bool>> SliceLength::connection_pattern(const Apply& node) const {
  return std::vector<std::vector<bool>>(node.nin(), {false});
}

std::vector<Var> SliceLength::vjp(const Apply& node, const std::vector<Var>&) const {
  return std::vector<Var>(node.nin(), disconnected_var());
}

}  // namespace hypatia
