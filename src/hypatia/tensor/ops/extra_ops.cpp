// tensor.extra_ops: typing, kernels, shapes and gradients, and their builders.
#include "hypatia/tensor/ops/extra_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/extra_ops.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/reduce.h"
#include "hypatia/tensor/ops/extra_ops_internal.h"

namespace hypatia {

using namespace extra_ops_detail;


// ---------------------------------------------------------------- CumOp

std::string CumOp::str() const {
  return str_cat("CumOp{", params_.axis ? std::to_string(*params_.axis) : std::string("None"), ", ",
                 params_.mul ? "mul" : "add", params_.reverse ? ", reverse" : "", "}");
}
ApplyPtr CumOp::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_tensor_input(inputs[0], kName);
  DType d = is_bool(t.elem()) ? DType::Int64 : t.elem();
  if (!params_.axis) return Apply::create(ptr(), inputs, {TensorType::make(d, {false})});
  if (*params_.axis < 0 || *params_.axis >= t.ndim()) value_error("[", kName, "] axis ", *params_.axis, " is out of bounds for an input with ", t.ndim(), " dimensions");
  return Apply::create(ptr(), inputs, {TensorType::make(d, t.broadcastable())});
}
void CumOp::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  const DType d = tensor_type(node.output(0))->elem();
  Shape s = params_.axis ? x.shape() : Shape{x.size()};
  NDArray src = x.dtype() == d ? x.contiguous() : x.astype(d);
  NDArray& out = prepare_output(outputs[0], d, s);
  AxisSplit sp = split_at(s, params_.axis.value_or(0));
  const bool mul = params_.mul, rev = params_.reverse;
  dispatch_numeric(d, kName, [&](auto tag) {
    using T = decltype(tag);
    const T* in = src.data<T>();
    T* o = out.data<T>();
    for (int64_t a = 0; a < sp.outer; ++a)
      for (int64_t k = 0; k < sp.inner; ++k) {
        T acc = mul ? T(1) : T(0);
        for (int64_t j = 0; j < sp.n; ++j) {
          int64_t i = rev ? sp.n - 1 - j : j;
          int64_t off = (a * sp.n + i) * sp.inner + k;
          acc = mul ? static_cast<T>(acc * in[off]) : static_cast<T>(acc + in[off]);
          o[off] = acc;
        }
      }
  });
}
std::optional<std::vector<ShapeVec>> CumOp::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  if (params_.axis) return std::vector<ShapeVec>{s[0]};
  return std::vector<ShapeVec>{ShapeVec{prod_of(s[0])}};
}
std::vector<std::vector<bool>> CumOp::connection_pattern(const Apply& node) const { return all_connected(node); }
std::vector<Var> CumOp::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.input(0);
  Var gz = g[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var()};
  if (is_discrete(x)) return {zeros_like(x)};
  CumParams p{params_.axis, false, !params_.reverse};
  auto rev_cumsum = [&](const Var& v) { return apply1(*std::make_shared<CumOp>(p), {v}); };
  Var gx;
  if (!params_.mul) {
    gx = rev_cumsum(gz);
    if (!params_.axis) gx = reshape(gx, shape_of(x));
  } else {
    // Theano: cumsum((cumprod(x) * gz)[::-1])[::-1] / x.
    gx = rev_cumsum(node.output(0) * gz);
    if (!params_.axis) gx = reshape(gx, shape_of(x));
    gx = gx / x;
  }
  return {tensor_type(gx)->elem() == tensor_type(x)->elem() ? gx : cast(gx, tensor_type(x)->elem())};
}

// ---------------------------------------------------------------- DiffOp / DiffGrad

std::string DiffOp::str() const { return str_cat("DiffOp{n=", params_.n, ", axis=", params_.axis, "}"); }
ApplyPtr DiffOp::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_tensor_input(inputs[0], kName);
  if (t.ndim() == 0) value_error("[", kName, "] diff requires an input of at least one dimension");
  if (params_.axis < 0 || params_.axis >= t.ndim()) value_error("[", kName, "] axis ", params_.axis, " is out of bounds for an input with ", t.ndim(), " dimensions");
  if (params_.n < 0) value_error("[", kName, "] order must be non-negative, got ", params_.n);
  if (is_bool(t.elem())) type_error("[", kName, "] bool inputs are not supported; cast to an integer dtype");
  std::vector<bool> bc = t.broadcastable();
  if (params_.n > 0) bc[params_.axis] = false;
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), bc)});
}
void DiffOp::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  NDArray cur = x.contiguous();
  if (cur.raw() == x.raw()) cur = x.copy();
  for (int step = 0; step < params_.n; ++step) {
    Shape s = cur.shape();
    if (s[params_.axis] == 0) break;
    AxisSplit sp = split_at(s, params_.axis);
    s[params_.axis] -= 1;
    NDArray next(cur.dtype(), s);
    dispatch_numeric(cur.dtype(), kName, [&](auto tag) {
      using T = decltype(tag);
      const T* in = cur.data<T>();
      T* o = next.data<T>();
      for (int64_t a = 0; a < sp.outer; ++a)
        for (int64_t i = 0; i + 1 < sp.n; ++i)
          for (int64_t k = 0; k < sp.inner; ++k)
            o[(a * (sp.n - 1) + i) * sp.inner + k] =
                static_cast<T>(in[(a * sp.n + i + 1) * sp.inner + k] - in[(a * sp.n + i) * sp.inner + k]);
    });
    cur = next;
  }
  NDArray& out = prepare_output(outputs[0], cur.dtype(), cur.shape());
  out.assign(cur);
}
std::optional<std::vector<ShapeVec>> DiffOp::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  // Not below zero (numpy stops at an empty axis): max(n_axis - n, 0) as (m + |m|) / 2 needs abs;
  // use n_axis - min(n_axis, n) computed with int ops: n_axis - n when n_axis >= n.
  ShapeVec out = s[0];
  Var len = out[params_.axis];
  Var n = int64_constant(params_.n);
  Var ge_n = cast(ge(len, n), DType::Int64);
  out[params_.axis] = mul(ge_n, sub(len, n));
  return std::vector<ShapeVec>{out};
}
std::vector<std::vector<bool>> DiffOp::connection_pattern(const Apply& node) const { return all_connected(node); }
std::vector<Var> DiffOp::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.input(0);
  Var gz = g[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var()};
  if (is_discrete(x)) return {zeros_like(x)};
  auto op = std::make_shared<DiffGrad>(DiffParams{1, params_.axis});
  for (int i = 0; i < params_.n; ++i) gz = apply1(*op, {gz});
  return {gz};
}

std::string DiffGrad::str() const { return str_cat("DiffGrad{axis=", params_.axis, "}"); }
ApplyPtr DiffGrad::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_tensor_input(inputs.at(0), kName);
  std::vector<bool> bc = t.broadcastable();
  bc[params_.axis] = false;
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), bc)});
}
void DiffGrad::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  NDArray z = as_array(*inputs[0], kName).contiguous();
  Shape s = z.shape();
  AxisSplit sp = split_at(s, params_.axis);
  s[params_.axis] += 1;
  NDArray& out = prepare_output(outputs[0], z.dtype(), s);
  dispatch_numeric(z.dtype(), kName, [&](auto tag) {
    using T = decltype(tag);
    const T* in = z.data<T>();
    T* o = out.data<T>();
    const int64_t m = sp.n;
    for (int64_t a = 0; a < sp.outer; ++a)
      for (int64_t i = 0; i <= m; ++i)
        for (int64_t k = 0; k < sp.inner; ++k) {
          T prev = i > 0 ? in[(a * m + i - 1) * sp.inner + k] : T(0);
          T cur = i < m ? in[(a * m + i) * sp.inner + k] : T(0);
          o[(a * (m + 1) + i) * sp.inner + k] = static_cast<T>(prev - cur);
        }
  });
}
std::optional<std::vector<ShapeVec>> DiffGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  ShapeVec out = s[0];
  out[params_.axis] = add(out[params_.axis], int64_constant(1));
  return std::vector<ShapeVec>{out};
}
std::vector<std::vector<bool>> DiffGrad::connection_pattern(const Apply& node) const { return all_connected(node); }
std::vector<Var> DiffGrad::vjp(const Apply&, const std::vector<Var>& g) const {
  if (!g[0] || is_disconnected(g[0])) return {disconnected_var()};
  return {apply1(*std::make_shared<DiffOp>(DiffParams{1, params_.axis}), {g[0]})};
}

// ---------------------------------------------------------------- RepeatOp / RepeatGrad

namespace {
// Per-index repeat counts along an axis of length n.
std::vector<int64_t> repeat_counts(const NDArray& r, int64_t n, const char* who) {
  std::vector<int64_t> c(n);
  NDArray ri = r.astype(DType::Int64);
  const int64_t* p = ri.data<int64_t>();
  if (r.ndim() == 0 || r.size() == 1) {
    std::fill(c.begin(), c.end(), p[0]);
  } else {
    if (r.size() != n) value_error("[", who, "] operands could not be broadcast together: ", r.size(), " repeats for an axis of length ", n);
    std::copy(p, p + n, c.begin());
  }
  for (int64_t v : c)
    if (v < 0) value_error("[", who, "] repeats may not contain negative values");
  return c;
}
}  // namespace

std::string RepeatOp::str() const {
  return str_cat("RepeatOp{axis=", params_.axis ? std::to_string(*params_.axis) : std::string("None"), "}");
}
ApplyPtr RepeatOp::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_tensor_input(inputs[0], kName);
  check_int_tensor(inputs[1], kName, "repeats");
  if (inputs[1].type()->ndim() > 1) type_error("[", kName, "] repeats must be a scalar or a vector");
  if (!params_.axis) return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {false})});
  if (*params_.axis < 0 || *params_.axis >= t.ndim()) value_error("[", kName, "] axis ", *params_.axis, " is out of bounds for an input with ", t.ndim(), " dimensions");
  std::vector<bool> bc = t.broadcastable();
  bc[*params_.axis] = false;
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), bc)});
}
void RepeatOp::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& x0 = as_array(*inputs[0], kName);
  NDArray x = params_.axis ? x0.contiguous() : x0.contiguous().reshape({x0.size()});
  const int axis = params_.axis.value_or(0);
  AxisSplit sp = split_at(x.shape(), axis);
  auto counts = repeat_counts(as_array(*inputs[1], kName), sp.n, kName);
  // Checked: repeat(v, 2**62) of 4 elements wrapped to an empty output, then wrote 2**64 of them.
  int64_t total = 0;
  for (int64_t c : counts) total = checked_add(total, c, kName, "the repeated length");
  Shape s = x.shape();
  s[axis] = total;
  NDArray& out = prepare_output(outputs[0], x.dtype(), s);
  const int64_t isz = itemsize(x.dtype()) * sp.inner;
  const char* in = static_cast<const char*>(x.raw());
  char* o = static_cast<char*>(out.raw());
  int64_t w = 0;
  for (int64_t a = 0; a < sp.outer; ++a)
    for (int64_t i = 0; i < sp.n; ++i)
      for (int64_t c = 0; c < counts[i]; ++c) std::memcpy(o + (w++) * isz, in + (a * sp.n + i) * isz, isz);
}
std::optional<std::vector<ShapeVec>> RepeatOp::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  const Var& reps = node.input(1);
  Var n = params_.axis ? s[0][*params_.axis] : prod_of(s[0]);
  Var len;
  if (reps.type()->ndim() == 0) {
    len = mul(n, cast(reps, DType::Int64));
  } else {
    // A length-1 repeats vector broadcasts like a scalar.
    Var one = cast(eq(s[1][0], int64_constant(1)), DType::Int64);
    Var total = sum(reps, std::nullopt, false, DType::Int64);
    len = add(mul(one, mul(n, total)), mul(sub(int64_constant(1), one), total));
  }
  if (!params_.axis) return std::vector<ShapeVec>{ShapeVec{len}};
  ShapeVec out = s[0];
  out[*params_.axis] = len;
  return std::vector<ShapeVec>{out};
}
std::vector<std::vector<bool>> RepeatOp::connection_pattern(const Apply& node) const { return first_only(node); }
std::vector<Var> RepeatOp::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.input(0);
  const Var& gz = g[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var(), disconnected_var()};
  if (is_discrete(x)) return {zeros_like(x), disconnected_var()};
  if (!params_.axis) {
    Var gf = apply1(*std::make_shared<RepeatGrad>(RepeatParams{0}), {gz, node.input(1), extra_ops_detail::flatten(x)});
    return {reshape(gf, shape_of(x)), disconnected_var()};
  }
  return {apply1(*std::make_shared<RepeatGrad>(params_), {gz, node.input(1), x}), disconnected_var()};
}

std::string RepeatGrad::str() const { return str_cat("RepeatGrad{axis=", params_.axis.value_or(0), "}"); }
ApplyPtr RepeatGrad::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& g = check_tensor_input(inputs[0], kName);
  return Apply::create(ptr(), inputs, {TensorType::make(g.elem(), tensor_type(inputs[2])->broadcastable())});
}
void RepeatGrad::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  NDArray gz = as_array(*inputs[0], kName).contiguous();
  const NDArray& like = as_array(*inputs[2], kName);
  const int axis = params_.axis.value_or(0);
  AxisSplit sp = split_at(like.shape(), axis);
  auto counts = repeat_counts(as_array(*inputs[1], kName), sp.n, kName);
  const int64_t total = std::accumulate(counts.begin(), counts.end(), int64_t(0));
  NDArray& out = prepare_output(outputs[0], gz.dtype(), like.shape());
  dispatch_numeric(gz.dtype(), kName, [&](auto tag) {
    using T = decltype(tag);
    const T* in = gz.data<T>();
    T* o = out.data<T>();
    for (int64_t a = 0; a < sp.outer; ++a) {
      int64_t src = 0;
      for (int64_t i = 0; i < sp.n; ++i)
        for (int64_t k = 0; k < sp.inner; ++k) {
          T acc = T(0);
          for (int64_t c = 0; c < counts[i]; ++c) acc = static_cast<T>(acc + in[(a * total + src + c) * sp.inner + k]);
          o[(a * sp.n + i) * sp.inner + k] = acc;
          if (k + 1 == sp.inner) src += counts[i];
        }
      (void)src;
    }
  });
}
std::optional<std::vector<ShapeVec>> RepeatGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[2]};
}
std::vector<std::vector<bool>> RepeatGrad::connection_pattern(const Apply& node) const { return first_only(node); }
std::vector<Var> RepeatGrad::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!g[0] || is_disconnected(g[0])) return {disconnected_var(), disconnected_var(), disconnected_var()};
  return {apply1(*std::make_shared<RepeatOp>(params_), {g[0], node.input(1)}), disconnected_var(), disconnected_var()};
}

// ---------------------------------------------------------------- FillDiagonal(Offset)

namespace {
Var check_fill_val(const Var& a, const Var& val, const char* who) {
  const TensorType& ta = check_tensor_input(a, who);
  const TensorType& tv = check_tensor_input(val, who);
  if (tv.ndim() != 0) type_error("[", who, "] the value must be a scalar");
  if (upcast(ta.elem(), tv.elem()) != ta.elem())
    type_error("[", who, "] the value's dtype ", dtype_name(tv.elem()), " would upcast the array's ", dtype_name(ta.elem()));
  return tv.elem() == ta.elem() ? val : cast(val, ta.elem());
}
}  // namespace

std::string FillDiagonal::str() const { return "FillDiagonal"; }
ApplyPtr FillDiagonal::make_node_checked(const std::vector<Var>& inputs) const {
  if (check_tensor_input(inputs[0], kName).ndim() < 2) type_error("[", kName, "] the array must have at least two dimensions");
  Var val = check_fill_val(inputs[0], inputs[1], kName);
  return Apply::create(ptr(), {inputs[0], val}, {inputs[0].type()});
}
void FillDiagonal::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& a = as_array(*inputs[0], kName);
  const NDArray& v = as_array(*inputs[1], kName);
  int64_t len = a.shape(0);
  if (a.ndim() == 2) {
    len = std::min(a.shape(0), a.shape(1));
  } else {
    for (int d = 1; d < a.ndim(); ++d)
      if (a.shape(d) != a.shape(0)) value_error("[", kName, "] all dimensions of the input must be of equal length");
  }
  NDArray& out = prepare_output(outputs[0], a.dtype(), a.shape());
  out.assign(a);
  int64_t step = 0;
  for (int d = 0; d < a.ndim(); ++d) step += out.strides()[d];
  for (int64_t i = 0; i < len; ++i) std::memcpy(static_cast<char*>(out.raw()) + i * step, v.raw(), itemsize(a.dtype()));
}
std::optional<std::vector<ShapeVec>> FillDiagonal::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}
std::vector<std::vector<bool>> FillDiagonal::connection_pattern(const Apply& node) const { return all_connected(node); }
std::vector<Var> FillDiagonal::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& gz = g[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var(), disconnected_var()};
  if (is_discrete(node.input(0))) return {zeros_like(node.input(0)), zeros_like(node.input(1))};
  // da: gz with the diagonal zeroed; dval: the sum of gz's diagonal.
  Var off = fill_diagonal(gz, cast(constant_int(0), tensor_type(gz)->elem()));
  Var dval = sum(gz) - sum(off);
  return {off, cast(dval, tensor_type(node.input(1))->elem())};
}

std::string FillDiagonalOffset::str() const { return "FillDiagonalOffset"; }
ApplyPtr FillDiagonalOffset::make_node_checked(const std::vector<Var>& inputs) const {
  if (check_tensor_input(inputs[0], kName).ndim() != 2) type_error("[", kName, "] the array must be a matrix");
  Var val = check_fill_val(inputs[0], inputs[1], kName);
  check_int_tensor(inputs[2], kName, "offset");
  if (inputs[2].type()->ndim() != 0) type_error("[", kName, "] offset must be a scalar");
  return Apply::create(ptr(), {inputs[0], val, inputs[2]}, {inputs[0].type()});
}
void FillDiagonalOffset::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& a = as_array(*inputs[0], kName);
  const NDArray& v = as_array(*inputs[1], kName);
  const int64_t off = to_int(*inputs[2], kName);
  NDArray& out = prepare_output(outputs[0], a.dtype(), a.shape());
  out.assign(a);
  const int64_t r = a.shape(0), c = a.shape(1);
  const int64_t r0 = off < 0 ? -off : 0, c0 = off > 0 ? off : 0;
  for (int64_t i = 0; r0 + i < r && c0 + i < c; ++i)
    std::memcpy(static_cast<char*>(out.raw()) + (r0 + i) * out.strides()[0] + (c0 + i) * out.strides()[1], v.raw(),
                itemsize(a.dtype()));
}
std::optional<std::vector<ShapeVec>> FillDiagonalOffset::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}
std::vector<std::vector<bool>> FillDiagonalOffset::connection_pattern(const Apply& node) const { return all_connected(node); }
std::vector<Var> FillDiagonalOffset::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& gz = g[0];
  Var undef = grad_undefined(*this, 2, "the offset is an integer");
  if (!gz || is_disconnected(gz)) return {disconnected_var(), disconnected_var(), undef};
  if (is_discrete(node.input(0))) return {zeros_like(node.input(0)), zeros_like(node.input(1)), undef};
  Var off = fill_diagonal_offset(gz, cast(constant_int(0), tensor_type(gz)->elem()), node.input(2));
  Var dval = sum(gz) - sum(off);
  return {off, cast(dval, tensor_type(node.input(1))->elem()), undef};
}

// ---------------------------------------------------------------- Compress / CompressGrad

namespace {
// Indices kept along an axis of length n.
std::vector<int64_t> kept(const NDArray& cond, int64_t n, const char* who) {
  NDArray c = cond.astype(DType::Bool);
  std::vector<int64_t> k;
  for (int64_t i = 0; i < c.size(); ++i)
    if (c.data<bool>()[i]) {
      if (i >= n) raise(ErrorKind::Index, "[", who, "] index ", i, " is out of bounds for axis with size ", n);
      k.push_back(i);
    }
  return k;
}
}  // namespace

std::string Compress::str() const {
  return str_cat("Compress{axis=", params_.axis ? std::to_string(*params_.axis) : std::string("None"), "}");
}
ApplyPtr Compress::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& c = check_tensor_input(inputs[0], kName);
  if (c.ndim() != 1) type_error("[", kName, "] condition must be a vector");
  if (!is_int(c.elem()) && !is_bool(c.elem())) type_error("[", kName, "] condition must be bool or integer");
  const TensorType& t = check_tensor_input(inputs[1], kName);
  if (!params_.axis) return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {false})});
  if (*params_.axis < 0 || *params_.axis >= t.ndim()) value_error("[", kName, "] axis ", *params_.axis, " is out of bounds for an input with ", t.ndim(), " dimensions");
  std::vector<bool> bc = t.broadcastable();
  bc[*params_.axis] = false;
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), bc)});
}
void Compress::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& x0 = as_array(*inputs[1], kName);
  NDArray x = params_.axis ? x0.contiguous() : x0.contiguous().reshape({x0.size()});
  const int axis = params_.axis.value_or(0);
  AxisSplit sp = split_at(x.shape(), axis);
  auto k = kept(as_array(*inputs[0], kName), sp.n, kName);
  Shape s = x.shape();
  s[axis] = static_cast<int64_t>(k.size());
  NDArray& out = prepare_output(outputs[0], x.dtype(), s);
  const int64_t isz = itemsize(x.dtype()) * sp.inner;
  int64_t w = 0;
  for (int64_t a = 0; a < sp.outer; ++a)
    for (int64_t i : k)
      std::memcpy(static_cast<char*>(out.raw()) + (w++) * isz, static_cast<const char*>(x.raw()) + (a * sp.n + i) * isz, isz);
}
std::optional<std::vector<ShapeVec>> Compress::infer_shape(const Apply&, const std::vector<ShapeVec>&) const {
  return std::nullopt;  // data dependent
}
std::vector<std::vector<bool>> Compress::connection_pattern(const Apply&) const { return {{false}, {true}}; }
std::vector<Var> Compress::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.input(1);
  const Var& gz = g[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var(), disconnected_var()};
  if (is_discrete(x)) return {disconnected_var(), zeros_like(x)};
  if (!params_.axis) {
    Var gf = apply1(*std::make_shared<CompressGrad>(CompressParams{0}), {gz, node.input(0), extra_ops_detail::flatten(x)});
    return {disconnected_var(), reshape(gf, shape_of(x))};
  }
  return {disconnected_var(), apply1(*std::make_shared<CompressGrad>(params_), {gz, node.input(0), x})};
}

std::string CompressGrad::str() const { return str_cat("CompressGrad{axis=", params_.axis.value_or(0), "}"); }
ApplyPtr CompressGrad::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& g = check_tensor_input(inputs[0], kName);
  return Apply::create(ptr(), inputs, {TensorType::make(g.elem(), tensor_type(inputs[2])->broadcastable())});
}
void CompressGrad::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  NDArray gz = as_array(*inputs[0], kName).contiguous();
  const NDArray& like = as_array(*inputs[2], kName);
  const int axis = params_.axis.value_or(0);
  AxisSplit sp = split_at(like.shape(), axis);
  auto k = kept(as_array(*inputs[1], kName), sp.n, kName);
  NDArray& out = prepare_output(outputs[0], gz.dtype(), like.shape());
  std::memset(out.raw(), 0, out.nbytes());
  const int64_t isz = itemsize(gz.dtype()) * sp.inner;
  int64_t r = 0;
  for (int64_t a = 0; a < sp.outer; ++a)
    for (int64_t i : k)
      std::memcpy(static_cast<char*>(out.raw()) + (a * sp.n + i) * isz, static_cast<const char*>(gz.raw()) + (r++) * isz, isz);
}
std::optional<std::vector<ShapeVec>> CompressGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[2]};
}
std::vector<std::vector<bool>> CompressGrad::connection_pattern(const Apply& node) const { return first_only(node); }
std::vector<Var> CompressGrad::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!g[0] || is_disconnected(g[0])) return {disconnected_var(), disconnected_var(), disconnected_var()};
  return {apply1(*std::make_shared<Compress>(params_), {node.input(1), g[0]}), disconnected_var(), disconnected_var()};
}

// ---------------------------------------------------------------- builders

Var cumsum(const Var& x_in, std::optional<int> axis) {
  Var x = as_tensor_variable(x_in);
  const TensorType& t = check_tensor_input(x, "CumOp");
  if (axis) axis = norm_axis(*axis, t.ndim(), "CumOp");
  return apply1(*std::make_shared<CumOp>(CumParams{axis, false, false}), {x});
}
Var cumprod(const Var& x_in, std::optional<int> axis) {
  Var x = as_tensor_variable(x_in);
  const TensorType& t = check_tensor_input(x, "CumOp");
  if (axis) axis = norm_axis(*axis, t.ndim(), "CumOp");
  return apply1(*std::make_shared<CumOp>(CumParams{axis, true, false}), {x});
}
Var diff(const Var& x_in, int n, int axis) {
  Var x = as_tensor_variable(x_in);
  const TensorType& t = check_tensor_input(x, "DiffOp");
  if (t.ndim() == 0) value_error("[DiffOp] diff requires an input of at least one dimension");
  return apply1(*std::make_shared<DiffOp>(DiffParams{n, norm_axis(axis, t.ndim(), "DiffOp")}), {x});
}
Var bincount(const Var& x, std::optional<Var> weights, int64_t minlength, bool assert_nonneg) {
  std::vector<Var> in{as_tensor_variable(x)};
  if (weights) in.push_back(as_tensor_variable(*weights));
  return apply1(*std::make_shared<BinCount>(BinCountParams{minlength < 0 ? -1 : minlength, assert_nonneg}), in);
}
Var searchsorted(const Var& x, const Var& v, const std::string& side, std::optional<Var> sorter) {
  if (side != "left" && side != "right") value_error("[SearchsortedOp] side must be 'left' or 'right', got '", side, "'");
  std::vector<Var> in{as_tensor_variable(x), as_tensor_variable(v)};
  if (sorter) in.push_back(as_tensor_variable(*sorter));
  return apply1(*std::make_shared<SearchsortedOp>(SearchsortedParams{side == "right"}), in);
}
std::vector<Var> unique(const Var& x, bool return_index, bool return_inverse, bool return_counts) {
  return apply_op(*std::make_shared<Unique>(UniqueParams{return_index, return_inverse, return_counts}),
                  {as_tensor_variable(x)});
}
Var to_one_hot(const Var& y, int64_t nb_class, std::optional<DType> dtype) {
  return apply1(*std::make_shared<OneHot>(OneHotParams{nb_class, dtype.value_or(floatX())}), {as_tensor_variable(y)});
}
Var fill_diagonal(const Var& a, const Var& val) {
  return apply1(*std::make_shared<FillDiagonal>(), {as_tensor_variable(a), as_tensor_variable(val)});
}
Var fill_diagonal_offset(const Var& a, const Var& val, const Var& offset) {
  return apply1(*std::make_shared<FillDiagonalOffset>(),
                {as_tensor_variable(a), as_tensor_variable(val), as_tensor_variable(offset)});
}
Var squeeze(const Var& x_in, std::optional<std::vector<int>> axis) {
  Var x = as_tensor_variable(x_in);
  const TensorType& t = check_tensor_input(x, "squeeze");
  std::vector<int> drop;
  if (!axis) {
    for (int d = 0; d < t.ndim(); ++d)
      if (t.broadcastable()[d]) drop.push_back(d);
  } else {
    for (int a : *axis) {
      int b = norm_axis(a, t.ndim(), "squeeze");
      if (!t.broadcastable()[b]) value_error("[squeeze] cannot drop axis ", a, ": it is not broadcastable");
      drop.push_back(b);
    }
  }
  std::vector<int> pat;
  for (int d = 0; d < t.ndim(); ++d)
    if (std::find(drop.begin(), drop.end(), d) == drop.end()) pat.push_back(d);
  return dimshuffle(x, pat);
}
Var compress(const Var& condition, const Var& x_in, std::optional<int> axis) {
  Var x = as_tensor_variable(x_in);
  const TensorType& t = check_tensor_input(x, "Compress");
  if (axis) axis = norm_axis(*axis, t.ndim(), "Compress");
  return apply1(*std::make_shared<Compress>(CompressParams{axis}), {as_tensor_variable(condition), x});
}
Var repeat(const Var& x_in, const Var& repeats, std::optional<int> axis) {
  Var x = as_tensor_variable(x_in);
  const TensorType& t = check_tensor_input(x, "RepeatOp");
  if (axis) axis = norm_axis(*axis, t.ndim(), "RepeatOp");
  return apply1(*std::make_shared<RepeatOp>(RepeatParams{axis}), {x, as_tensor_variable(repeats)});
}

}  // namespace hypatia
