// Advanced indexing ops: integer-array gathers and scatters (AdvancedSubtensor1,
// AdvancedIncSubtensor1), numpy's general advanced indexing (AdvancedSubtensor,
// AdvancedIncSubtensor), and the small helper ops BroadcastLength and TakeIndices.
#include "hypatia/tensor/ops/advanced_subtensor.h"

#include <cstring>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {

using namespace subtensor_detail;

namespace {

SparseGradBuilder& sparse_grad_builder() {
  static SparseGradBuilder b;
  return b;
}

const TensorType& int_index_input(const Var& v, const std::string& who, int want_ndim = -1) {
  const TensorType& t = check_tensor_input(v, who);
  if (!is_int(t.elem())) type_error("[", who, "] index arrays must have an integer dtype, got ", t.str());
  if (want_ndim >= 0 && t.ndim() != want_ndim)
    type_error("[", who, "] the index must be an integer vector, got ", t.str());
  return t;
}

// Contiguous int64 copy of an index array.
NDArray as_int64(const NDArray& a) { return a.astype(DType::Int64); }

int64_t checked_index(int64_t i, int64_t n, int axis, const std::string& who) {
  if (i < -n || i >= n) raise(ErrorKind::Index, "[", who, "] index ", i, " is out of bounds for axis ", axis, " with size ", n);
  return i < 0 ? i + n : i;
}

// The sub-array at flat position k of the first `nb` axes (of lengths B) of a.
NDArray sub_at(const NDArray& a, const Shape& B, int64_t k) {
  const int nb = static_cast<int>(B.size());
  int64_t off = a.offset();
  for (int j = nb - 1; j >= 0; --j) {
    off += (k % B[j]) * a.strides()[j];
    k /= B[j];
  }
  Shape sh(a.shape().begin() + nb, a.shape().end());
  std::vector<int64_t> st(a.strides().begin() + nb, a.strides().end());
  return NDArray(a.dtype(), sh, st, off, a.buffer());
}

// ---- general advanced indexing ----

// The static layout of an advanced index on a tensor type.
struct AdvLayout {
  int nb = 0;              // dimensions of the broadcast index shape B
  int pos = 0;             // where B goes among the result's axes
  std::vector<bool> b_bc;  // broadcastable flags of B
  std::vector<bool> rest_bc;
  std::vector<bool> out_bc() const {
    std::vector<bool> r(rest_bc.begin(), rest_bc.begin() + pos);
    r.insert(r.end(), b_bc.begin(), b_bc.end());
    r.insert(r.end(), rest_bc.begin() + pos, rest_bc.end());
    return r;
  }
};

AdvLayout adv_layout(const std::vector<IdxItem>& items, const TensorType& x, const std::vector<Var>& idx_inputs,
                     const std::string& who) {
  AdvLayout L;
  size_t k = 0;
  int axis = 0;
  std::vector<int> adv_axes;
  std::vector<std::vector<bool>> arr_bc;
  for (const IdxItem& it : items) {
    if (k + it.num_inputs() > idx_inputs.size()) type_error("[", who, "] missing index inputs");
    if (it.kind == IdxKind::Slice) {
      for (int c = 0; c < 3; ++c)
        if (it.c[c].kind == CompKind::Input) {
          const TensorType& t = check_tensor_input(idx_inputs[k++], who);
          if (t.ndim() != 0 || !is_int(t.elem())) type_error("[", who, "] slice components must be integer scalars, got ", t.str());
        }
      if (axis >= x.ndim()) raise(ErrorKind::Index, "[", who, "] too many indices for a tensor of ", x.ndim(), " dimensions");
      L.rest_bc.push_back(slice_keeps_broadcastable(it, x.broadcastable()[axis]));
      ++axis;
    } else if (it.kind == IdxKind::IntArray) {
      const TensorType& t = int_index_input(idx_inputs[k++], who);
      if (axis >= x.ndim()) raise(ErrorKind::Index, "[", who, "] too many indices for a tensor of ", x.ndim(), " dimensions");
      adv_axes.push_back(axis++);
      arr_bc.push_back(t.broadcastable());
    } else if (it.kind == IdxKind::BoolArray) {
      const TensorType& t = check_tensor_input(idx_inputs[k++], who);
      if (t.elem() != DType::Bool || t.ndim() == 0) type_error("[", who, "] a mask must be a bool tensor of rank >= 1, got ", t.str());
      if (axis + t.ndim() > x.ndim())
        raise(ErrorKind::Index, "[", who, "] too many indices for a tensor of ", x.ndim(), " dimensions");
      for (int j = 0; j < t.ndim(); ++j) adv_axes.push_back(axis++);
      arr_bc.push_back({false});
    } else {
      type_error("[", who, "] unexpected Int item (use 0-d index arrays)");
    }
  }
  if (k != idx_inputs.size()) type_error("[", who, "] expected ", k, " index inputs, got ", idx_inputs.size());
  if (adv_axes.empty()) type_error("[", who, "] no array index: use Subtensor");
  for (; axis < x.ndim(); ++axis) L.rest_bc.push_back(x.broadcastable()[axis]);
  for (auto& b : arr_bc) L.nb = std::max(L.nb, static_cast<int>(b.size()));
  for (int d = 0; d < L.nb; ++d) {
    bool bc = true;
    for (auto& b : arr_bc) {
      int j = d - (L.nb - static_cast<int>(b.size()));
      if (j >= 0 && !b[j]) bc = false;
    }
    L.b_bc.push_back(bc);
  }
  bool contiguous = adv_axes.back() - adv_axes.front() + 1 == static_cast<int>(adv_axes.size());
  L.pos = contiguous ? adv_axes.front() : 0;
  return L;
}

struct Resolved {
  NDArray view;  // x with its slices applied (the indexed axes untouched)
  std::vector<int> adv_axes;
  std::vector<NDArray> arrays;  // int64, C-contiguous, shaped B, normalised and bounds-checked
  Shape B;
  int64_t nB = 1;
  int pos = 0;
  Shape rest_shape;
  std::vector<int64_t> rest_strides;
  Shape out_shape() const {
    Shape r(rest_shape.begin(), rest_shape.begin() + pos);
    r.insert(r.end(), B.begin(), B.end());
    r.insert(r.end(), rest_shape.begin() + pos, rest_shape.end());
    return r;
  }
  // The result's axes in B-first order.
  std::vector<int> bf_perm() const {
    std::vector<int> p;
    const int nb = static_cast<int>(B.size());
    for (int j = 0; j < nb; ++j) p.push_back(pos + j);
    for (int j = 0; j < pos; ++j) p.push_back(j);
    for (int j = pos + nb; j < nb + static_cast<int>(rest_shape.size()); ++j) p.push_back(j);
    return p;
  }
  // The sub-array of view selected by broadcast position k.
  NDArray selected(int64_t k) const {
    int64_t off = view.offset();
    for (size_t j = 0; j < arrays.size(); ++j) off += arrays[j].data<int64_t>()[k] * view.strides()[adv_axes[j]];
    return NDArray(view.dtype(), rest_shape, rest_strides, off, view.buffer());
  }
};

Resolved resolve(const NDArray& x, const std::vector<IdxItem>& items, const Value* const* in, const std::string& who) {
  Resolved R;
  R.view = x;
  int axis = 0;
  size_t k = 0;
  std::vector<NDArray> raw;
  for (const IdxItem& it : items) {
    if (it.kind == IdxKind::Slice) {
      R.view = slice_axis(R.view, axis, it, in + k, who);
      k += it.num_inputs();
      ++axis;
    } else if (it.kind == IdxKind::IntArray) {
      raw.push_back(as_int64(as_array(*in[k++], who.c_str())));
      R.adv_axes.push_back(axis++);
    } else {
      NDArray m = as_array(*in[k++], who.c_str()).astype(DType::Bool);
      for (int j = 0; j < m.ndim(); ++j)
        if (m.shape(j) != x.shape(axis + j))
          raise(ErrorKind::Index, "[", who, "] boolean index did not match indexed array along dimension ", axis + j,
                "; dimension is ", x.shape(axis + j), " but corresponding boolean dimension is ", m.shape(j));
      const bool* p = m.data<bool>();
      int64_t count = 0;
      for (int64_t i = 0; i < m.size(); ++i) count += p[i];
      std::vector<NDArray> nz;
      for (int j = 0; j < m.ndim(); ++j) nz.push_back(NDArray(DType::Int64, {count}));
      int64_t c = 0;
      for (int64_t i = 0; i < m.size(); ++i) {
        if (!p[i]) continue;
        int64_t r = i;
        for (int j = m.ndim() - 1; j >= 0; --j) {
          nz[j].data<int64_t>()[c] = r % m.shape(j);
          r /= m.shape(j);
        }
        ++c;
      }
      for (int j = 0; j < m.ndim(); ++j) {
        raw.push_back(nz[j]);
        R.adv_axes.push_back(axis++);
      }
    }
  }
  // numpy broadcasting of the index arrays
  int nb = 0;
  for (auto& a : raw) nb = std::max(nb, a.ndim());
  R.B.assign(nb, 1);
  for (auto& a : raw)
    for (int d = 0; d < a.ndim(); ++d) {
      int64_t& b = R.B[nb - a.ndim() + d];
      if (a.shape(d) == b || a.shape(d) == 1) continue;
      if (b == 1) {
        b = a.shape(d);
        continue;
      }
      std::string shapes;
      for (auto& q : raw) shapes += shape_str(q.shape()) + " ";
      raise(ErrorKind::Index, "[", who, "] shape mismatch: indexing arrays could not be broadcast together with shapes ", shapes);
    }
  R.nB = 1;
  for (int64_t b : R.B) R.nB *= b;
  for (size_t j = 0; j < raw.size(); ++j) {
    NDArray a = raw[j].broadcast_to(R.B).copy();
    int64_t* p = a.data<int64_t>();
    const int ax = R.adv_axes[j];
    for (int64_t i = 0; i < a.size(); ++i) p[i] = checked_index(p[i], x.shape(ax), ax, who);
    R.arrays.push_back(a);
  }
  bool contiguous = R.adv_axes.back() - R.adv_axes.front() + 1 == static_cast<int>(R.adv_axes.size());
  R.pos = contiguous ? R.adv_axes.front() : 0;
  for (int d = 0, j = 0; d < R.view.ndim(); ++d) {
    if (j < static_cast<int>(R.adv_axes.size()) && R.adv_axes[j] == d) {
      ++j;
      continue;
    }
    R.rest_shape.push_back(R.view.shape(d));
    R.rest_strides.push_back(R.view.strides()[d]);
  }
  return R;
}

}  // namespace

void set_sparse_grad_builder(SparseGradBuilder builder) { sparse_grad_builder() = std::move(builder); }

// ---------------------------------------------------------------- AdvancedSubtensor1

ApplyPtr AdvancedSubtensor1::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& x = check_tensor_input(inputs[0], kName);
  if (x.ndim() == 0) raise(ErrorKind::Index, "[AdvancedSubtensor1] cannot index a 0-d tensor");
  const TensorType& i = int_index_input(inputs[1], kName, 1);
  std::vector<bool> bc = x.broadcastable();
  bc[0] = i.broadcastable()[0];
  return Apply::create(ptr(), inputs, {TensorType::make(x.elem(), bc)});
}

void AdvancedSubtensor1::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  NDArray idx = as_int64(as_array(*inputs[1], kName));
  const int64_t m = idx.size(), n = x.shape(0);
  Shape sh = x.shape();
  sh[0] = m;
  const int64_t* ip = idx.data<int64_t>();
  std::vector<int64_t> rows(m);
  for (int64_t k = 0; k < m; ++k) rows[k] = checked_index(ip[k], n, 0, kName);
  NDArray& out = prepare_output(outputs[0], x.dtype(), sh);
  if (x.is_c_contiguous()) {
    const int64_t row = (n ? x.size() / n : 0) * itemsize(x.dtype());
    const char* src = static_cast<const char*>(x.raw());
    char* dst = static_cast<char*>(out.raw());
    for (int64_t k = 0; k < m; ++k) std::memcpy(dst + k * row, src + rows[k] * row, row);
  } else {
    for (int64_t k = 0; k < m; ++k) out.index(0, k).assign(x.index(0, rows[k]));
  }
}

std::optional<std::vector<ShapeVec>> AdvancedSubtensor1::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  ShapeVec out = s[0];
  out[0] = s[1][0];
  return std::vector<ShapeVec>{out};
}

std::vector<Var> AdvancedSubtensor1::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.input(0);
  if (params_.sparse_grad && g[0] && !is_disconnected(g[0]) && !is_discrete(x)) {
    if (!sparse_grad_builder())
      raise(ErrorKind::NotImplemented, "[", kName, "] sparse_grad requires the sparse module");
    return {sparse_grad_builder()(x, g[0], node.input(1)), disconnected_var()};
  }
  return subtensor_vjp(node, g[0], *std::make_shared<AdvancedIncSubtensor1>());
}

std::vector<Var> AdvancedSubtensor1::jvp(const Apply& node, const std::vector<Var>& ev) const {
  return subtensor_jvp(*this, node, ev);
}

// ---------------------------------------------------------------- AdvancedIncSubtensor1

ApplyPtr AdvancedIncSubtensor1::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& x = check_tensor_input(inputs[0], str());
  const TensorType& y = check_tensor_input(inputs[1], str());
  int_index_input(inputs[2], str(), 1);
  if (x.ndim() == 0) raise(ErrorKind::Index, "[", str(), "] cannot index a 0-d tensor");
  if (y.ndim() > x.ndim()) type_error("[", str(), "] y has ", y.ndim(), " dimensions, more than x's ", x.ndim());
  if (y.elem() != x.elem()) type_error("[", str(), "] y's dtype ", dtype_name(y.elem()), " differs from x's ", dtype_name(x.elem()));
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}

void AdvancedIncSubtensor1::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  const NDArray& y = as_array(*inputs[1], kName);
  NDArray idx = as_int64(as_array(*inputs[2], kName));
  NDArray& out = prepare_output(outputs[0], x.dtype(), x.shape());
  out.assign(x);
  Shape sub = x.shape();
  sub[0] = idx.size();
  NDArray yb = broadcast_y(y, tensor_type(node.input(1))->broadcastable(), sub, str());
  const int64_t* ip = idx.data<int64_t>();
  for (int64_t k = 0; k < idx.size(); ++k) {
    NDArray dst = out.index(0, checked_index(ip[k], x.shape(0), 0, str()));
    NDArray src = yb.index(0, k);
    if (params_.set_instead_of_inc) dst.assign(src);
    else add_into(dst, src);
  }
}

std::optional<std::vector<ShapeVec>> AdvancedIncSubtensor1::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> AdvancedIncSubtensor1::vjp(const Apply& node, const std::vector<Var>& g) const {
  return inc_subtensor_vjp(node, g[0], params_.set_instead_of_inc,
                           *std::make_shared<AdvancedIncSubtensor1>(AdvancedIncSubtensor1Params{true}),
                           *std::make_shared<AdvancedSubtensor1>());
}

std::vector<Var> AdvancedIncSubtensor1::jvp(const Apply& node, const std::vector<Var>& ev) const {
  return inc_subtensor_jvp(*this, node, ev);
}

// ---------------------------------------------------------------- AdvancedSubtensor

ApplyPtr AdvancedSubtensor::make_node_checked(const std::vector<Var>& inputs) const {
  if (inputs.empty()) type_error("[", kName, "] expected x and the index inputs");
  const TensorType& x = check_tensor_input(inputs[0], kName);
  AdvLayout L = adv_layout(items(), x, std::vector<Var>(inputs.begin() + 1, inputs.end()), kName);
  return Apply::create(ptr(), inputs, {TensorType::make(x.elem(), L.out_bc())});
}

void AdvancedSubtensor::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  Resolved R = resolve(x, items(), inputs + 1, kName);
  NDArray& out = prepare_output(outputs[0], x.dtype(), R.out_shape());
  NDArray bf = out.transpose(R.bf_perm());
  for (int64_t k = 0; k < R.nB; ++k) sub_at(bf, R.B, k).assign(R.selected(k));
}

std::optional<std::vector<ShapeVec>> AdvancedSubtensor::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  auto its = items();
  const TensorType& xt = *tensor_type(node.input(0));
  AdvLayout L = adv_layout(its, xt, inputs_from(node, 1), kName);
  ShapeVec rest;
  std::vector<ShapeVec> arr_shapes;         // per array: its symbolic shape (bool mask: {count})
  std::vector<std::vector<bool>> arr_bc;
  size_t k = 1;
  size_t axis = 0;
  for (const IdxItem& it : its) {
    if (it.kind == IdxKind::Slice) {
      int n = it.num_inputs();
      rest.push_back(slice_length(it, s[0][axis], std::vector<Var>(node.inputs().begin() + k, node.inputs().begin() + k + n)));
      k += n;
      ++axis;
    } else if (it.kind == IdxKind::IntArray) {
      arr_shapes.push_back(s[k]);
      arr_bc.push_back(tensor_type(node.input(k))->broadcastable());
      ++k;
      ++axis;
    } else {
      const Var& m = node.input(k);
      arr_shapes.push_back({cast(sum(cast(m, DType::Int64)), DType::Int64)});
      arr_bc.push_back({false});
      axis += m.type()->ndim();
      ++k;
    }
  }
  for (; axis < s[0].size(); ++axis) rest.push_back(s[0][axis]);
  ShapeVec B;
  for (int d = 0; d < L.nb; ++d) {
    std::vector<Var> parts;
    for (size_t a = 0; a < arr_shapes.size(); ++a) {
      int j = d - (L.nb - static_cast<int>(arr_shapes[a].size()));
      if (j >= 0 && !arr_bc[a][j]) parts.push_back(arr_shapes[a][j]);
    }
    if (parts.empty()) B.push_back(int64_constant(1));
    else if (parts.size() == 1) B.push_back(parts[0]);
    else B.push_back(apply1(*std::make_shared<BroadcastLength>(), parts));
  }
  ShapeVec out(rest.begin(), rest.begin() + L.pos);
  out.insert(out.end(), B.begin(), B.end());
  out.insert(out.end(), rest.begin() + L.pos, rest.end());
  return std::vector<ShapeVec>{out};
}

std::vector<std::vector<bool>> AdvancedSubtensor::connection_pattern(const Apply& node) const {
  return subtensor_connection_pattern(node);
}

std::vector<Var> AdvancedSubtensor::vjp(const Apply& node, const std::vector<Var>& g) const {
  return subtensor_vjp(node, g[0], *std::make_shared<AdvancedIncSubtensor>(AdvancedIncSubtensorParams{params_.idx, false}));
}

std::vector<Var> AdvancedSubtensor::jvp(const Apply& node, const std::vector<Var>& ev) const {
  return subtensor_jvp(*this, node, ev);
}

// ---------------------------------------------------------------- AdvancedIncSubtensor

ApplyPtr AdvancedIncSubtensor::make_node_checked(const std::vector<Var>& inputs) const {
  if (inputs.size() < 2) type_error("[", str(), "] expected x, y and the index inputs");
  const TensorType& x = check_tensor_input(inputs[0], str());
  const TensorType& y = check_tensor_input(inputs[1], str());
  AdvLayout L = adv_layout(items(), x, std::vector<Var>(inputs.begin() + 2, inputs.end()), str());
  int sub_nd = static_cast<int>(L.out_bc().size());
  if (y.ndim() > sub_nd)
    type_error("[", str(), "] y has ", y.ndim(), " dimensions, more than the ", sub_nd, " of the indexed sub-tensor");
  if (y.elem() != x.elem()) type_error("[", str(), "] y's dtype ", dtype_name(y.elem()), " differs from x's ", dtype_name(x.elem()));
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}

void AdvancedIncSubtensor::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  const NDArray& y = as_array(*inputs[1], kName);
  NDArray& out = prepare_output(outputs[0], x.dtype(), x.shape());
  out.assign(x);
  Resolved R = resolve(out, items(), inputs + 2, str());
  NDArray yb = broadcast_y(y, tensor_type(node.input(1))->broadcastable(), R.out_shape(), str());
  NDArray ybf = yb.transpose(R.bf_perm());
  for (int64_t k = 0; k < R.nB; ++k) {
    NDArray dst = R.selected(k);
    NDArray src = sub_at(ybf, R.B, k);
    if (params_.set_instead_of_inc) dst.assign(src);
    else add_into(dst, src);
  }
}

std::optional<std::vector<ShapeVec>> AdvancedIncSubtensor::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<std::vector<bool>> AdvancedIncSubtensor::connection_pattern(const Apply& node) const {
  return inc_subtensor_connection_pattern(node);
}

std::vector<Var> AdvancedIncSubtensor::vjp(const Apply& node, const std::vector<Var>& g) const {
  return inc_subtensor_vjp(node, g[0], params_.set_instead_of_inc,
                           *std::make_shared<AdvancedIncSubtensor>(AdvancedIncSubtensorParams{params_.idx, true}),
                           *std::make_shared<AdvancedSubtensor>(AdvancedSubtensorParams{params_.idx}));
}

std::vector<Var> AdvancedIncSubtensor::jvp(const Apply& node, const std::vector<Var>& ev) const {
  return inc_subtensor_jvp(*this, node, ev);
}

// ---------------------------------------------------------------- BroadcastLength

ApplyPtr BroadcastLength::make_node_checked(const std::vector<Var>& inputs) const {
  for (const Var& v : inputs) {
    const TensorType& t = check_tensor_input(v, kName);
    if (t.ndim() != 0 || !is_int(t.elem())) type_error("[", kName, "] inputs must be integer scalars, got ", t.str());
  }
  return Apply::create(ptr(), inputs, {TensorType::make(DType::Int64, {})});
}

void BroadcastLength::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  int64_t r = 1;
  for (int i = 0; i < node.nin(); ++i) {
    int64_t v = read_index_scalar(*inputs[i], kName);
    if (v == 1 || v == r) continue;
    if (r != 1) raise(ErrorKind::Index, "[BroadcastLength] shape mismatch: lengths ", r, " and ", v, " do not broadcast");
    r = v;
  }
  NDArray& out = prepare_output(outputs[0], DType::Int64, {});
  *out.data<int64_t>() = r;
}

// ---------------------------------------------------------------- TakeIndices

ApplyPtr TakeIndices::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& i = int_index_input(inputs[0], str());
  const TensorType& n = check_tensor_input(inputs[1], str());
  if (n.ndim() != 0 || !is_int(n.elem())) type_error("[", str(), "] n must be an integer scalar, got ", n.str());
  return Apply::create(ptr(), inputs, {TensorType::make(DType::Int64, i.broadcastable())});
}

void TakeIndices::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  NDArray idx = as_int64(as_array(*inputs[0], kName));
  int64_t n = read_index_scalar(*inputs[1], str());
  if (n <= 0 && idx.size() > 0) raise(ErrorKind::Index, "[", str(), "] cannot do a non-empty take from an empty axis");
  NDArray& out = prepare_output(outputs[0], DType::Int64, idx.shape());
  const int64_t* p = idx.data<int64_t>();
  int64_t* o = out.data<int64_t>();
  for (int64_t k = 0; k < idx.size(); ++k) {
    int64_t v = p[k];
    if (params_.mode == 1) v = ((v % n) + n) % n;
    else v = v < 0 ? 0 : (v > n - 1 ? n - 1 : v);
    o[k] = v;
  }
}

}  // namespace hypatia
