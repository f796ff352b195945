// Creation ops (Eye, Tri, ARange, ExtractDiag, AllocDiag) and the creation builders of tensor/shape.h.
#include "hypatia/tensor/ops/creation.h"

#include <cmath>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/shape.h"

namespace hypatia {
namespace {

int64_t int_arg(const Value& v, const char* who) { return as_array(v, who).item<int64_t>(); }

void check_int_scalar(const Var& v, const std::string& who, const char* what) {
  const TensorType& t = check_tensor_input(v, who);
  if (t.ndim() != 0 || !is_int(t.elem())) type_error("[", who, "] ", what, " must be an integer scalar, got ", t.str());
}

Var as_i64(const Var& v) { return tensor_type(v)->elem() == DType::Int64 ? v : cast(v, DType::Int64); }

// Integer min/max as elementwise graphs (exact: the sums are even).
Var imin(const Var& a, const Var& b) {
  return cast(true_div(sub(add(a, b), abs_(sub(a, b))), int64_constant(2)), DType::Int64);
}
Var imax0(const Var& a) { return cast(true_div(add(a, abs_(a)), int64_constant(2)), DType::Int64); }

// The strided view of diagonal `k` of axes (a1, a2) of x, moved to the last axis.
NDArray diagonal_view(const NDArray& x, int k, int a1, int a2) {
  const int64_t n1 = x.shape(a1), n2 = x.shape(a2);
  const int64_t s1 = k < 0 ? -static_cast<int64_t>(k) : 0, s2 = k > 0 ? k : 0;
  const int64_t len = std::max<int64_t>(0, std::min(n1 - s1, n2 - s2));
  Shape shape;
  std::vector<int64_t> strides;
  for (int d = 0; d < x.ndim(); ++d) {
    if (d == a1 || d == a2) continue;
    shape.push_back(x.shape(d));
    strides.push_back(x.strides()[d]);
  }
  shape.push_back(len);
  strides.push_back(x.strides()[a1] + x.strides()[a2]);
  int64_t off = x.offset();
  if (len > 0) off += s1 * x.strides()[a1] + s2 * x.strides()[a2];
  return NDArray(x.dtype(), shape, strides, off, x.buffer());
}

std::string dtype_str(const char* name, DType d) { return str_cat(name, "{", dtype_name(d), "}"); }

}  // namespace

// ---------------------------------------------------------------- Eye

std::string Eye::str() const { return dtype_str(kName, params_.dtype); }

ApplyPtr Eye::make_node_checked(const std::vector<Var>& inputs) const {
  for (int i = 0; i < 3; ++i) check_int_scalar(inputs[i], kName, i == 0 ? "n" : i == 1 ? "m" : "k");
  return Apply::create(ptr(), inputs, {TensorType::make(params_.dtype, {false, false})});
}

void Eye::perform(const Apply&, const Value* const* in, Value* outputs) const {
  const int64_t n = int_arg(*in[0], kName), m = int_arg(*in[1], kName), k = int_arg(*in[2], kName);
  if (n < 0 || m < 0) value_error("[", kName, "] negative dimensions (", n, ", ", m, ")");
  NDArray& out = prepare_output(outputs[0], params_.dtype, {n, m});
  out.fill(0.0);
  diagonal_view(out, static_cast<int>(k), 0, 1).fill(1.0);
}

std::optional<std::vector<ShapeVec>> Eye::infer_shape(const Apply& node, const std::vector<ShapeVec>&) const {
  return std::vector<ShapeVec>{{as_i64(node.input(0)), as_i64(node.input(1))}};
}

std::vector<Var> Eye::vjp(const Apply&, const std::vector<Var>&) const {
  return {disconnected_var(), disconnected_var(), disconnected_var()};
}

// ---------------------------------------------------------------- Tri

std::string Tri::str() const { return dtype_str(kName, params_.dtype); }

ApplyPtr Tri::make_node_checked(const std::vector<Var>& inputs) const {
  for (int i = 0; i < 3; ++i) check_int_scalar(inputs[i], kName, i == 0 ? "N" : i == 1 ? "M" : "k");
  return Apply::create(ptr(), inputs, {TensorType::make(params_.dtype, {false, false})});
}

void Tri::perform(const Apply&, const Value* const* in, Value* outputs) const {
  const int64_t n = int_arg(*in[0], kName), m = int_arg(*in[1], kName), k = int_arg(*in[2], kName);
  if (n < 0 || m < 0) value_error("[", kName, "] negative dimensions (", n, ", ", m, ")");
  NDArray& out = prepare_output(outputs[0], params_.dtype, {n, m});
  out.fill(0.0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t stop = std::min<int64_t>(m, std::max<int64_t>(0, i + k + 1));
    if (stop > 0) out.slice(0, i, i + 1, 1).slice(1, 0, stop, 1).fill(1.0);
  }
}

std::optional<std::vector<ShapeVec>> Tri::infer_shape(const Apply& node, const std::vector<ShapeVec>&) const {
  return std::vector<ShapeVec>{{as_i64(node.input(0)), as_i64(node.input(1))}};
}

std::vector<Var> Tri::vjp(const Apply&, const std::vector<Var>&) const {
  return {disconnected_var(), disconnected_var(), disconnected_var()};
}

// ---------------------------------------------------------------- ARange

std::string ARange::str() const { return dtype_str(kName, params_.dtype); }

ApplyPtr ARange::make_node_checked(const std::vector<Var>& inputs) const {
  for (int i = 0; i < 3; ++i) {
    const TensorType& t = check_tensor_input(inputs[i], kName);
    if (t.ndim() != 0 || is_complex(t.elem()) || t.elem() == DType::Bool)
      type_error("[", kName, "] start, stop and step must be real scalars, got ", t.str());
  }
  return Apply::create(ptr(), inputs, {TensorType::make(params_.dtype, {false})});
}

namespace {
int64_t arange_len(const NDArray& a, const NDArray& b, const NDArray& c, bool ints) {
  if (ints) {
    const int64_t start = a.item<int64_t>(), stop = b.item<int64_t>(), step = c.item<int64_t>();
    if (step == 0) value_error("[ARange] step must not be zero");
    const int64_t span = stop - start;
    int64_t n = step > 0 ? (span + step - 1) / step : (span + step + 1) / step;
    if ((step > 0 && span <= 0) || (step < 0 && span >= 0)) n = 0;
    return std::max<int64_t>(n, 0);
  }
  const double start = a.item<double>(), stop = b.item<double>(), step = c.item<double>();
  if (step == 0) value_error("[ARange] step must not be zero");
  return std::max<int64_t>(0, static_cast<int64_t>(std::ceil((stop - start) / step)));
}
}  // namespace

void ARange::perform(const Apply& node, const Value* const* in, Value* outputs) const {
  const NDArray& a = as_array(*in[0], kName);
  const NDArray& b = as_array(*in[1], kName);
  const NDArray& c = as_array(*in[2], kName);
  bool ints = true;
  for (int i = 0; i < 3; ++i) ints = ints && is_int(tensor_type(node.input(i))->elem());
  const int64_t n = arange_len(a, b, c, ints);
  NDArray& out = prepare_output(outputs[0], params_.dtype, {n});
  dispatch_dtype(params_.dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = out.data<T>();
    if (ints) {
      const int64_t start = a.item<int64_t>(), step = c.item<int64_t>();
      for (int64_t i = 0; i < n; ++i) p[i] = scalar_cast<T>(start + i * step);
    } else {
      const double start = a.item<double>(), step = c.item<double>();
      for (int64_t i = 0; i < n; ++i) p[i] = scalar_cast<T>(start + static_cast<double>(i) * step);
    }
  });
}

std::optional<std::vector<ShapeVec>> ARange::infer_shape(const Apply& node, const std::vector<ShapeVec>&) const {
  // Known when all three are constants; a symbolic length needs ceil, which the scalar ops lack.
  std::vector<NDArray> vals;
  bool ints = true;
  for (int i = 0; i < 3; ++i) {
    const Var& v = node.input(i);
    if (v.owner() || !v->is_constant() || !is_array(*v->constant)) return std::nullopt;
    vals.push_back(std::get<NDArray>(*v->constant));
    ints = ints && is_int(tensor_type(v)->elem());
  }
  try {
    return std::vector<ShapeVec>{{int64_constant(arange_len(vals[0], vals[1], vals[2], ints))}};
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::vector<Var> ARange::vjp(const Apply& node, const std::vector<Var>& gs) const {
  const Var& start = node.input(0);
  const Var& step = node.input(2);
  const Var& gz = gs[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var(), disconnected_var(), disconnected_var()};
  if (!is_float(params_.dtype)) return {zeros_like(start), disconnected_var(), zeros_like(step)};
  // d out[i] / d start = 1, d out[i] / d step = i.
  Var taken = arange(int64_constant(0), shape_i(node.output(0), 0), int64_constant(1), params_.dtype);
  Var gstart = sum(gz), gstep = sum(mul(gz, taken));
  auto like = [](const Var& g, const Var& x) { return is_discrete(x) ? zeros_like(x) : cast(g, tensor_type(x)->elem()); };
  return {like(gstart, start), disconnected_var(), like(gstep, step)};
}

// ---------------------------------------------------------------- ExtractDiag

std::string ExtractDiag::str() const {
  return str_cat("ExtractDiag{offset=", params_.offset, ", axis1=", params_.axis1, ", axis2=", params_.axis2, "}");
}

ApplyPtr ExtractDiag::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_tensor_input(inputs[0], kName);
  if (t.ndim() < 2) value_error("[", kName, "] the input must have at least 2 dimensions, got ", t.str());
  const int a1 = params_.axis1, a2 = params_.axis2;
  if (a1 < 0 || a2 < 0 || a1 >= t.ndim() || a2 >= t.ndim() || a1 == a2)
    value_error("[", kName, "] invalid axes (", a1, ", ", a2, ") for ", t.ndim(), " dimensions");
  std::vector<bool> bc;
  for (int d = 0; d < t.ndim(); ++d)
    if (d != a1 && d != a2) bc.push_back(t.broadcastable()[d]);
  bc.push_back(false);
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), bc)});
}

void ExtractDiag::perform(const Apply&, const Value* const* in, Value* outputs) const {
  const NDArray& x = as_array(*in[0], kName);
  NDArray v = diagonal_view(x, params_.offset, params_.axis1, params_.axis2);
  NDArray& out = prepare_output(outputs[0], x.dtype(), v.shape());
  out.assign(v);
}

std::optional<std::vector<ShapeVec>> ExtractDiag::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  ShapeVec out;
  const int nd = node.input(0).type()->ndim();
  for (int d = 0; d < nd; ++d)
    if (d != params_.axis1 && d != params_.axis2) out.push_back(s[0][d]);
  const int k = params_.offset;
  Var n1 = s[0][params_.axis1], n2 = s[0][params_.axis2];
  if (k < 0) n1 = sub(n1, int64_constant(-k));
  if (k > 0) n2 = sub(n2, int64_constant(k));
  out.push_back(imax0(imin(n1, n2)));
  return std::vector<ShapeVec>{out};
}

std::vector<Var> ExtractDiag::vjp(const Apply& node, const std::vector<Var>& gs) const {
  const Var& x = node.input(0);
  const Var& gz = gs[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var()};
  if (is_discrete(x)) return {zeros_like(x)};
  Var g = apply1(*std::make_shared<AllocDiag>(params_), {cast(gz, tensor_type(x)->elem()), shape(x)});
  return {reduce_to_like(g, x)};
}

std::vector<Var> ExtractDiag::jvp(const Apply&, const std::vector<Var>& ev) const {
  if (ev.empty() || !ev[0]) return {Var()};
  return {apply1(*this, {ev[0]})};
}

// ---------------------------------------------------------------- AllocDiag

std::string AllocDiag::str() const {
  return str_cat("AllocDiag{offset=", params_.offset, ", axis1=", params_.axis1, ", axis2=", params_.axis2, "}");
}

ApplyPtr AllocDiag::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_tensor_input(inputs[0], kName);
  const TensorType& s = check_tensor_input(inputs[1], kName);
  if (s.ndim() != 1 || !is_int(s.elem())) type_error("[", kName, "] the shape must be an integer vector, got ", s.str());
  const int nd = t.ndim() + 1;
  const int a1 = params_.axis1, a2 = params_.axis2;
  if (t.ndim() < 1 || a1 < 0 || a2 < 0 || a1 >= nd || a2 >= nd || a1 == a2)
    value_error("[", kName, "] invalid axes (", a1, ", ", a2, ") for a ", nd, "-d result");
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), std::vector<bool>(nd, false))});
}

void AllocDiag::perform(const Apply&, const Value* const* in, Value* outputs) const {
  const NDArray& d = as_array(*in[0], kName);
  NDArray sv = as_array(*in[1], kName).astype(DType::Int64);
  Shape s(sv.data<int64_t>(), sv.data<int64_t>() + sv.size());
  if (static_cast<int>(s.size()) != d.ndim() + 1)
    value_error("[", kName, "] a shape of ", s.size(), " entries for a ", d.ndim() + 1, "-d result");
  NDArray& out = prepare_output(outputs[0], d.dtype(), s);
  out.fill(0.0);
  NDArray v = diagonal_view(out, params_.offset, params_.axis1, params_.axis2);
  if (v.shape() != d.shape())
    value_error("[", kName, "] diagonal of shape ", shape_str(d.shape()), " does not fit the diagonal ",
                shape_str(v.shape()), " of shape ", shape_str(s));
  v.assign(d);
}

std::optional<std::vector<ShapeVec>> AllocDiag::infer_shape(const Apply& node, const std::vector<ShapeVec>&) const {
  auto e = shape_vector_entries(node.input(1));
  if (!e) return std::nullopt;
  ShapeVec out;
  for (const Var& v : *e) out.push_back(as_i64(v));
  return std::vector<ShapeVec>{out};
}

std::vector<Var> AllocDiag::vjp(const Apply& node, const std::vector<Var>& gs) const {
  const Var& d = node.input(0);
  const Var& gz = gs[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var(), disconnected_var()};
  if (is_discrete(d)) return {zeros_like(d), disconnected_var()};
  return {reduce_to_like(apply1(*std::make_shared<ExtractDiag>(params_), {gz}), d), disconnected_var()};
}

std::vector<Var> AllocDiag::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (ev.empty() || !ev[0]) return {Var()};
  return {apply1(*this, {ev[0], node.input(1)})};
}

// ---------------------------------------------------------------- builders

namespace {
Var int_arg_or(const Var& v, int64_t dflt, const char* who, size_t i) {
  return v ? as_int64_scalar(v, who, i) : int64_constant(dflt);
}
}  // namespace

Var zeros(const std::vector<Var>& shp, std::optional<DType> dtype) {
  DType d = dtype.value_or(floatX());
  return alloc(make_constant(TensorType::make(d, {}), NDArray::full(d, {}, 0.0)), shp);
}

Var ones(const std::vector<Var>& shp, std::optional<DType> dtype) {
  DType d = dtype.value_or(floatX());
  return alloc(make_constant(TensorType::make(d, {}), NDArray::full(d, {}, 1.0)), shp);
}

Var zeros_like(const Var& x, std::optional<DType> dtype) {
  Var v = as_tensor_variable(x);
  DType d = dtype.value_or(expect_tensor(v, "zeros_like").elem());
  return fill(v, make_constant(TensorType::make(d, {}), NDArray::full(d, {}, 0.0)));
}

Var ones_like(const Var& x, std::optional<DType> dtype) {
  Var v = as_tensor_variable(x);
  DType d = dtype.value_or(expect_tensor(v, "ones_like").elem());
  return fill(v, make_constant(TensorType::make(d, {}), NDArray::full(d, {}, 1.0)));
}

Var eye(const Var& n_in, const Var& m_in, const Var& k_in, std::optional<DType> dtype) {
  Var n = as_int64_scalar(n_in, "Eye", 0);
  Var m = m_in ? as_int64_scalar(m_in, "Eye", 1) : n;
  Var k = int_arg_or(k_in, 0, "Eye", 2);
  return apply1(*std::make_shared<Eye>(DTypeParams{dtype.value_or(floatX())}), {n, m, k});
}

Var identity_like(const Var& x_in) {
  Var x = as_tensor_variable(x_in);
  if (x.type()->ndim() != 2) type_error("[identity_like] expected a matrix, got ", x.type()->str());
  return eye(shape_i(x, 0), shape_i(x, 1), int64_constant(0), tensor_type(x)->elem());
}

Var tri(const Var& N_in, const Var& M_in, const Var& k_in, std::optional<DType> dtype) {
  Var n = as_int64_scalar(N_in, "Tri", 0);
  Var m = M_in ? as_int64_scalar(M_in, "Tri", 1) : n;
  Var k = int_arg_or(k_in, 0, "Tri", 2);
  return apply1(*std::make_shared<Tri>(DTypeParams{dtype.value_or(floatX())}), {n, m, k});
}

Var tril(const Var& x_in, int k) {
  Var x = as_tensor_variable(x_in);
  if (x.type()->ndim() < 2) type_error("[tril] expected at least 2 dimensions, got ", x.type()->str());
  const int nd = x.type()->ndim();
  Var mask = tri(shape_i(x, nd - 2), shape_i(x, nd - 1), int64_constant(k), tensor_type(x)->elem());
  return mul(x, mask);
}

Var triu(const Var& x_in, int k) {
  Var x = as_tensor_variable(x_in);
  if (x.type()->ndim() < 2) type_error("[triu] expected at least 2 dimensions, got ", x.type()->str());
  const int nd = x.type()->ndim();
  DType d = tensor_type(x)->elem();
  Var mask = tri(shape_i(x, nd - 2), shape_i(x, nd - 1), int64_constant(k - 1), d == DType::Bool ? DType::Int8 : d);
  Var one = make_constant(TensorType::make(tensor_type(mask)->elem(), {}), NDArray::full(tensor_type(mask)->elem(), {}, 1.0));
  return mul(x, sub(one, mask));
}

Var arange(const Var& a_in, const Var& b_in, const Var& c_in, std::optional<DType> dtype) {
  Var start = as_tensor_variable(a_in), stop, step;
  if (!b_in) {
    stop = start;
    start = int64_constant(0);
  } else {
    stop = as_tensor_variable(b_in);
  }
  step = c_in ? as_tensor_variable(c_in) : int64_constant(1);
  if (!dtype) {
    bool ints = true, var_float = false;
    DType fd = DType::Bool;
    for (const Var* v : {&start, &stop, &step}) {
      const TensorType& t = check_tensor_input(*v, "ARange");
      if (is_int(t.elem()) || t.elem() == DType::Bool) continue;
      ints = false;
      if (!v->get()->is_constant()) {
        fd = var_float ? upcast(fd, t.elem()) : t.elem();
        var_float = true;
      }
    }
    // Integers give int64 (numpy's default int); floats give floatX, or the dtype of float
    // variables among the arguments.
    dtype = ints ? DType::Int64 : var_float ? fd : floatX();
  }
  return apply1(*std::make_shared<ARange>(DTypeParams{*dtype}), {start, stop, step});
}

Var diagonal(const Var& x_in, int offset, int axis1, int axis2) {
  Var x = as_tensor_variable(x_in);
  const int nd = x.type()->ndim();
  if (nd < 2) value_error("[ExtractDiag] diagonal needs at least 2 dimensions, got ", x.type()->str());
  int a1 = axis1 < 0 ? axis1 + nd : axis1, a2 = axis2 < 0 ? axis2 + nd : axis2;
  return apply1(*std::make_shared<ExtractDiag>(DiagParams{offset, a1, a2}), {x});
}

Var diag(const Var& x_in, int k) {
  Var x = as_tensor_variable(x_in);
  const int nd = x.type()->ndim();
  if (nd == 1) {
    Var n = add(shape_i(x, 0), int64_constant(k < 0 ? -k : k));
    return apply1(*std::make_shared<AllocDiag>(DiagParams{k, 0, 1}), {x, make_vector({n, n})});
  }
  if (nd == 2) return diagonal(x, k, 0, 1);
  value_error("[diag] expected a vector or a matrix, got ", x.type()->str());
}

Var trace(const Var& x) {
  Var d = diagonal(x, 0, 0, 1);
  return sum(d, std::vector<int>{d.type()->ndim() - 1});
}

}  // namespace hypatia
