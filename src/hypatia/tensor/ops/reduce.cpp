// Reductions: typing, kernel dispatch, shapes and gradients of the CAReduce family, the arg
// reductions and AllClose, and the builders (sum, prod, mean, var, std, max, ..., allclose).
#include "hypatia/tensor/ops/reduce.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/kernels/reduce_loop.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/fused_reduce.h"
#include "hypatia/tensor/reduce.h"
#include "hypatia/util/parallel.h"

namespace hypatia {

DType sum_out_dtype(DType in) {
  if (is_bool(in)) return DType::Int64;
  if (is_int(in)) return is_unsigned(in) ? DType::UInt64 : DType::Int64;
  return in;
}

DType sum_acc_dtype(DType in) {
  switch (in) {
    case DType::Float16: return DType::Float32;
    case DType::Float32: return DType::Float64;
    case DType::Complex64: return DType::Complex128;
    default: return sum_out_dtype(in);
  }
}

namespace {
std::string axis_list(const std::vector<int>& axis, const char* sep = ", ") {
  std::string s;
  for (size_t i = 0; i < axis.size(); ++i) s += str_cat(i ? sep : "", axis[i]);
  return s;
}
// Theano's tuple repr: (0,) or (0, 1).
std::string axis_tuple(const std::vector<int>& axis) {
  return str_cat("(", axis_list(axis), axis.size() == 1 ? ",)" : ")");
}

// Pattern putting a reduced output back at the input's rank (reduced axes broadcastable).
std::vector<int> expand_pattern(int nd, const std::function<bool(int)>& reduced) {
  std::vector<int> pat;
  int k = 0;
  for (int d = 0; d < nd; ++d) pat.push_back(reduced(d) ? -1 : k++);
  return pat;
}

Var cast_like(const Var& g, const Var& x) {
  DType d = tensor_type(x)->elem();
  return tensor_type(g)->elem() == d ? g : cast(g, d);
}

bool in_axes(const std::vector<int>& axes, int d) { return std::find(axes.begin(), axes.end(), d) != axes.end(); }

void check_axes_in_range(const std::vector<int>& axes, int nd, const std::string& who) {
  for (int a : axes)
    if (a < 0 || a >= nd) value_error("[", who, "] axis ", a, " is out of bounds for an input with ", nd, " dimensions");
}
}  // namespace

namespace {
// CAReduce::perform for every kind (one non-template body keeps the kernels compiled once).
void careduce_perform(const Op& op, ReduceKind kind_, const ReduceParams& params_, const Apply& node,
                      const Value* const* inputs, Value* outputs) {
  const NDArray& x = as_array(*inputs[0], "CAReduce");
  std::vector<bool> red(x.ndim());
  Shape oshape;
  int64_t nred_total = 1;
  for (int d = 0; d < x.ndim(); ++d) {
    red[d] = !params_.axis || in_axes(*params_.axis, d);
    if (!red[d]) oshape.push_back(x.shape(d));
    else nred_total *= x.shape(d);
  }
  const DType odt = tensor_type(node.output(0))->elem();
  DType acc;
  switch (kind_) {
    case ReduceKind::Max:
    case ReduceKind::Min: acc = x.dtype() == DType::Float16 ? DType::Float32 : x.dtype(); break;
    case ReduceKind::All:
    case ReduceKind::Any: acc = DType::Bool; break;
    default: acc = params_.acc_dtype;
  }
  int64_t nout_total = 1;
  for (auto s : oshape) nout_total *= s;
  if ((kind_ == ReduceKind::Max || kind_ == ReduceKind::Min) && nred_total == 0 && nout_total > 0)
    value_error("[", op.str(), "] zero-size array to reduction operation ",
                kind_ == ReduceKind::Max ? "maximum" : "minimum", " which has no identity");
  auto is_f = [](DType d) { return d == DType::Float32 || d == DType::Float64; };
  if ((kind_ == ReduceKind::Sum || kind_ == ReduceKind::Prod) && is_f(x.dtype()) && is_f(acc) && is_f(odt)) {
    // Float sums and products read the input through its own strides, any axes, no copy.
    NDArray& out = prepare_output(outputs[0], odt, oshape);
    fused_fold(kind_ == ReduceKind::Sum ? FoldKind::Sum : FoldKind::Prod, {}, {x}, x.dtype(), red, acc, out);
    return;
  }
  if ((kind_ == ReduceKind::Max || kind_ == ReduceKind::Min) && is_f(x.dtype()) && odt == x.dtype()) {
    // So do float maxima and minima (vectorised lane-wise selects; a NaN wins).
    NDArray& out = prepare_output(outputs[0], odt, oshape);
    fused_fold(kind_ == ReduceKind::Max ? FoldKind::Max : FoldKind::Min, {}, {x}, x.dtype(), red, x.dtype(), out);
    return;
  }
  auto is_i = [](DType d) { return d == DType::Bool || is_int(d); };
  if (kind_ == ReduceKind::Sum && is_i(x.dtype()) && (acc == DType::Int64 || acc == DType::UInt64) && x.dtype() != acc) {
    // Integer and bool sums widen each term as they read it, from the input's own dtype.
    int64_t nout, nred;
    const NDArray lay = kernels::reduce_layout(x, red, x.dtype(), nout, nred);
    NDArray& out = prepare_output(outputs[0], odt, oshape);
    NDArray tmp = odt == acc ? out : NDArray(acc, oshape);
    dispatch_dtype(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_integral_v<T>) {
        if (acc == DType::Int64) kernels::sum_rows_widening<T, int64_t>(lay.data<T>(), nout, nred, tmp.data<int64_t>());
        else kernels::sum_rows_widening<T, uint64_t>(lay.data<T>(), nout, nred, tmp.data<uint64_t>());
      }
    });
    if (odt != acc) out.assign(tmp);
    return;
  }
  int64_t nout, nred;
  NDArray lay = kernels::reduce_layout(x, red, acc, nout, nred);
  NDArray& out = prepare_output(outputs[0], odt, oshape);
  NDArray tmp = odt == acc ? out : NDArray(acc, oshape);
  const ReduceKind k = kind_;
  dispatch_dtype(acc, [&](auto tag) {
    using T = decltype(tag);
    const T* in = lay.data<T>();
    T* o = tmp.data<T>();
    if constexpr (std::is_same_v<T, half>) {
      throw Error(ErrorKind::Runtime, "[CAReduce] half accumulates in float32");
    } else if constexpr (std::is_same_v<T, bool>) {
      if (k == ReduceKind::All || k == ReduceKind::Min || k == ReduceKind::Any || k == ReduceKind::Max)
        kernels::logical_rows(in, nout, nred, k == ReduceKind::All || k == ReduceKind::Min, o);
      else
        throw Error(ErrorKind::Runtime, "[CAReduce] bool cannot accumulate");
    } else {
      constexpr bool cplx = std::is_same_v<T, complex64> || std::is_same_v<T, complex128>;
      switch (k) {
        case ReduceKind::Sum:
          kernels::reduce_rows<T>(in, nout, nred, T(0), [](T a, T b) { return static_cast<T>(a + b); }, o);
          break;
        case ReduceKind::Prod:
          kernels::reduce_rows<T>(in, nout, nred, T(1), [](T a, T b) { return static_cast<T>(a * b); }, o);
          break;
        case ReduceKind::ProdWithoutZeros:
          kernels::reduce_rows<T>(in, nout, nred, T(1),
                                  [](T a, T b) { return b == T(0) ? a : static_cast<T>(a * b); }, o);
          break;
        case ReduceKind::Max:
        case ReduceKind::Min:
          if constexpr (!cplx) {
            // Start from the first element of each row so that no identity is needed; NaN propagates.
            const bool mx = k == ReduceKind::Max;
            auto f = [mx](T a, T b) {
              if (kernels::is_nan_value(a)) return a;
              if (kernels::is_nan_value(b)) return b;
              return mx ? (b > a ? b : a) : (b < a ? b : a);
            };
            if (nred == 0) break;
            // A row's first element is a valid identity for its own fold.
#pragma omp parallel for schedule(static) if (nout > 1 && nout * nred >= kernels::kParallelReduceThreshold) num_threads(::hypatia::max_threads())
            for (int64_t i = 0; i < nout; ++i) {
              const T* r = in + i * nred;
              T acc = r[0];
              for (int64_t j = 1; j < nred; ++j) acc = f(acc, r[j]);
              o[i] = acc;
            }
          }
          break;
        default:
          break;
      }
    }
  });
  if (odt != acc) out.assign(tmp);
}
}  // namespace

// ---------------------------------------------------------------- CAReduce

template <class D, ReduceKind K>
std::string CAReduce<D, K>::str() const {
  switch (K) {
    case ReduceKind::Sum:
    case ReduceKind::Prod:
    case ReduceKind::ProdWithoutZeros: {
      std::string axis = this->params_.axis ? str_cat("axis=[", axis_list(*this->params_.axis), "], ") : "";
      return str_cat(this->name(), "{", axis, "acc_dtype=", dtype_name(this->params_.acc_dtype), "}");
    }
    case ReduceKind::Max:
    case ReduceKind::Min: {
      std::string s = str_cat(this->name(), K == ReduceKind::Max ? "{maximum}" : "{minimum}");
      return this->params_.axis ? str_cat(s, "{", axis_list(*this->params_.axis), "}") : s;
    }
    default:
      return this->params_.axis ? str_cat(this->name(), "{", axis_list(*this->params_.axis), "}") : this->name();
  }
}

template <class D, ReduceKind K>
bool CAReduce<D, K>::reduces(int d) const { return !this->params_.axis || in_axes(*this->params_.axis, d); }

template <class D, ReduceKind K>
DType CAReduce<D, K>::out_dtype(DType in) const {
  switch (K) {
    case ReduceKind::Sum:
    case ReduceKind::Prod:
    case ReduceKind::ProdWithoutZeros: return this->params_.dtype ? *this->params_.dtype : sum_out_dtype(in);
    case ReduceKind::Max:
    case ReduceKind::Min: return in;
    default: return DType::Bool;
  }
}

template <class D, ReduceKind K>
ApplyPtr CAReduce<D, K>::make_node_checked(const std::vector<Var>& inputs) const {
  const std::string who = this->str();
  const TensorType& t = check_tensor_input(inputs[0], who);
  if (this->params_.axis) check_axes_in_range(*this->params_.axis, t.ndim(), who);
  if ((K == ReduceKind::Max || K == ReduceKind::Min) && is_complex(t.elem()))
    type_error("[", who, "] complex inputs have no ordering; reduce abs(x) or the real part instead");
  if (K == ReduceKind::Sum || K == ReduceKind::Prod || K == ReduceKind::ProdWithoutZeros) {
    if (is_bool(this->params_.acc_dtype) || this->params_.acc_dtype == DType::Float16)
      type_error("[", who, "] acc_dtype ", dtype_name(this->params_.acc_dtype), " cannot accumulate");
  }
  std::vector<bool> bc;
  for (int d = 0; d < t.ndim(); ++d)
    if (!reduces(d)) bc.push_back(t.broadcastable()[d]);
  return Apply::create(this->ptr(), inputs, {TensorType::make(out_dtype(t.elem()), bc)});
}

template <class D, ReduceKind K>
void CAReduce<D, K>::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  careduce_perform(*this, K, this->params_, node, inputs, outputs);
}

template <class D, ReduceKind K>
std::optional<std::vector<ShapeVec>> CAReduce<D, K>::infer_shape(const Apply& node, const std::vector<ShapeVec>& shapes) const {
  ShapeVec out;
  for (int d = 0; d < node.input(0).type()->ndim(); ++d)
    if (!reduces(d)) out.push_back(shapes[0][d]);
  return std::vector<ShapeVec>{out};
}

template class CAReduce<Sum, ReduceKind::Sum>;
template class CAReduce<Prod, ReduceKind::Prod>;
template class CAReduce<ProdWithoutZeros, ReduceKind::ProdWithoutZeros>;
template class CAReduce<Max, ReduceKind::Max>;
template class CAReduce<Min, ReduceKind::Min>;
template class CAReduce<All, ReduceKind::All>;
template class CAReduce<Any, ReduceKind::Any>;

namespace {
// The output gradient put back at the input's rank.
template <class R>
Var expand_to_input(const R& op, const Var& v, int nd) {
  return dimshuffle(v, expand_pattern(nd, [&](int d) { return op.reduces(d); }));
}
}  // namespace

std::vector<Var> Sum::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const Var& x = node.input(0);
  const Var& gz = output_grads[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var()};
  if (is_discrete(x)) return {zeros_like(x)};
  return {cast_like(fill(x, expand_to_input(*this, gz, x.type()->ndim())), x)};
}

std::vector<Var> Sum::jvp(const Apply&, const std::vector<Var>& eval_points) const {
  if (eval_points.empty() || !eval_points[0]) return {Var()};
  return {apply1(*this, {eval_points[0]})};
}

std::vector<Var> Prod::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const Var& x = node.input(0);
  const Var& gz = output_grads[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var()};
  if (is_discrete(x)) return {zeros_like(x)};
  const int nd = x.type()->ndim();
  const DType xd = tensor_type(x)->elem();
  Var gz_x = expand_to_input(*this, gz, nd);
  Var p_x = expand_to_input(*this, node.output(0), nd);
  if (params_.no_zeros_in_input) return {cast_like(gz_x * p_x / x, x)};
  // Per reduced group: no zero -> prod / x; one zero -> that element gets the product of the
  // others; two or more -> zero. Written with masks (no division by zero, no NaN).
  Var zeros = cast(eq(x, constant_int(0)), xd);
  ReduceParams sp;
  sp.axis = params_.axis;
  sp.acc_dtype = sum_acc_dtype(xd);
  Var nz = expand_to_input(*this, apply1(*std::make_shared<Sum>(sp), {zeros}), nd);
  Var none = cast(eq(nz, constant_int(0)), xd);
  Var one = cast(eq(nz, constant_int(1)), xd);
  Var pwz = expand_to_input(*this, apply1(*std::make_shared<ProdWithoutZeros>(params_), {x}), nd);
  Var g = gz_x * (none * p_x / (x + zeros) + one * zeros * pwz);
  return {cast_like(g, x)};
}

std::vector<Var> ProdWithoutZeros::vjp(const Apply& node, const std::vector<Var>&) const {
  return {grad_not_implemented(*this, 0, "the second derivative of prod is not implemented; use no_zeros_in_input=True")};
}

namespace {
template <class R>
std::vector<Var> extreme_vjp(const R& op, const Apply& node, const Var& gz) {
  const Var& x = node.input(0);
  if (!gz || is_disconnected(gz)) return {disconnected_var()};
  if (is_discrete(x)) return {zeros_like(x)};
  const int nd = x.type()->ndim();
  // Theano: eq(x, max) * gz, so every tied position gets the full gradient.
  Var hit = cast(eq(x, expand_to_input(op, node.output(0), nd)), tensor_type(x)->elem());
  return {cast_like(hit * expand_to_input(op, gz, nd), x)};
}
}  // namespace

std::vector<Var> Max::vjp(const Apply& node, const std::vector<Var>& g) const { return extreme_vjp(*this, node, g[0]); }
std::vector<Var> Min::vjp(const Apply& node, const std::vector<Var>& g) const { return extreme_vjp(*this, node, g[0]); }

std::vector<Var> All::vjp(const Apply& node, const std::vector<Var>&) const {
  const Var& x = node.input(0);
  return {is_discrete(x) ? disconnected_var() : zeros_like(x)};
}
std::vector<Var> Any::vjp(const Apply& node, const std::vector<Var>&) const {
  const Var& x = node.input(0);
  return {is_discrete(x) ? disconnected_var() : zeros_like(x)};
}

// ---------------------------------------------------------------- Argmax / Argmin / MaxAndArgmax

namespace {
ApplyPtr arg_make_node(const Op& op, const std::vector<int>& axis, const std::vector<Var>& inputs, bool with_max) {
  const std::string who = op.str();
  const TensorType& t = check_tensor_input(inputs[0], who);
  check_axes_in_range(axis, t.ndim(), who);
  if (is_complex(t.elem())) type_error("[", who, "] complex inputs have no ordering");
  std::vector<bool> bc;
  for (int d = 0; d < t.ndim(); ++d)
    if (!in_axes(axis, d)) bc.push_back(t.broadcastable()[d]);
  std::vector<TypePtr> outs;
  if (with_max) outs.push_back(TensorType::make(t.elem(), bc));
  outs.push_back(TensorType::make(DType::Int64, bc));
  return Apply::create(op.ptr(), inputs, outs);
}

// Computes the arg (and optionally the extreme value) of x over axis.
void arg_perform(const Op& op, const std::vector<int>& axis, const Apply& node, const NDArray& x, bool want_max,
                 Value* val_out, Value* idx_out) {
  std::vector<bool> red(x.ndim(), false);
  Shape oshape;
  int64_t nred_total = 1, nout_total = 1;
  for (int d = 0; d < x.ndim(); ++d) {
    red[d] = in_axes(axis, d);
    if (!red[d]) oshape.push_back(x.shape(d)), nout_total *= x.shape(d);
    else nred_total *= x.shape(d);
  }
  if (nred_total == 0 && nout_total > 0) value_error("[", op.str(), "] attempt to get argmax of an empty sequence");
  const DType dt = x.dtype() == DType::Float16 ? DType::Float32 : x.dtype();
  int64_t nout, nred;
  NDArray lay = kernels::reduce_layout(x, red, dt, nout, nred);
  NDArray& idx = prepare_output(*idx_out, DType::Int64, oshape);
  dispatch_dtype(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, half> || std::is_same_v<T, complex64> || std::is_same_v<T, complex128>) {
      throw Error(ErrorKind::Runtime, str_cat("[", op.str(), "] unsupported dtype"));
    } else {
      if (nred > 0) kernels::arg_rows<T>(lay.data<T>(), nout, nred, want_max, idx.data<int64_t>());
      if (val_out) {
        NDArray& v = prepare_output(*val_out, x.dtype(), oshape);
        NDArray tmp = v.dtype() == dt ? v : NDArray(dt, oshape);
        const T* in = lay.data<T>();
        const int64_t* ii = idx.data<int64_t>();
        T* po = tmp.data<T>();
        for (int64_t o = 0; o < nout; ++o) po[o] = in[o * nred + ii[o]];
        if (v.dtype() != dt) v.assign(tmp);
      }
    }
  });
}

std::optional<std::vector<ShapeVec>> arg_infer_shape(const std::vector<int>& axis, const Apply& node,
                                                      const std::vector<ShapeVec>& shapes, int nouts) {
  ShapeVec out;
  for (int d = 0; d < node.input(0).type()->ndim(); ++d)
    if (!in_axes(axis, d)) out.push_back(shapes[0][d]);
  return std::vector<ShapeVec>(nouts, out);
}
}  // namespace

std::string Argmax::str() const { return str_cat("Argmax{axis=", axis_tuple(params_.axis), "}"); }
ApplyPtr Argmax::make_node_checked(const std::vector<Var>& inputs) const { return arg_make_node(*this, params_.axis, inputs, false); }
void Argmax::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  arg_perform(*this, params_.axis, node, as_array(*inputs[0], kName), true, nullptr, &outputs[0]);
}
std::optional<std::vector<ShapeVec>> Argmax::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  return arg_infer_shape(params_.axis, node, s, 1);
}
std::vector<Var> Argmax::vjp(const Apply& node, const std::vector<Var>&) const {
  const Var& x = node.input(0);
  return {is_discrete(x) ? disconnected_var() : zeros_like(x)};
}

std::string Argmin::str() const { return str_cat("Argmin{axis=", axis_tuple(params_.axis), "}"); }
ApplyPtr Argmin::make_node_checked(const std::vector<Var>& inputs) const { return arg_make_node(*this, params_.axis, inputs, false); }
void Argmin::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  arg_perform(*this, params_.axis, node, as_array(*inputs[0], kName), false, nullptr, &outputs[0]);
}
std::optional<std::vector<ShapeVec>> Argmin::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  return arg_infer_shape(params_.axis, node, s, 1);
}
std::vector<Var> Argmin::vjp(const Apply& node, const std::vector<Var>&) const {
  const Var& x = node.input(0);
  return {is_discrete(x) ? disconnected_var() : zeros_like(x)};
}

std::string MaxAndArgmax::str() const { return str_cat("MaxAndArgmax{axis=", axis_tuple(params_.axis), "}"); }
ApplyPtr MaxAndArgmax::make_node_checked(const std::vector<Var>& inputs) const {
  return arg_make_node(*this, params_.axis, inputs, true);
}
void MaxAndArgmax::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  arg_perform(*this, params_.axis, node, as_array(*inputs[0], kName), true, &outputs[0], &outputs[1]);
}
std::optional<std::vector<ShapeVec>> MaxAndArgmax::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  return arg_infer_shape(params_.axis, node, s, 2);
}
std::vector<std::vector<bool>> MaxAndArgmax::connection_pattern(const Apply&) const { return {{true, false}}; }
std::vector<Var> MaxAndArgmax::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.input(0);
  const Var& gz = g[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var()};
  if (is_discrete(x)) return {zeros_like(x)};
  const int nd = x.type()->ndim();
  auto pat = expand_pattern(nd, [&](int d) { return in_axes(params_.axis, d); });
  Var hit = cast(eq(x, dimshuffle(node.output(0), pat)), tensor_type(x)->elem());
  return {cast_like(hit * dimshuffle(gz, pat), x)};
}

// ---------------------------------------------------------------- AllClose

std::string AllClose::str() const {
  return str_cat("AllClose{rtol=", params_.rtol, ", atol=", params_.atol, params_.equal_nan ? ", equal_nan" : "", "}");
}

ApplyPtr AllClose::make_node_checked(const std::vector<Var>& inputs) const {
  check_tensor_input(inputs[0], kName);
  check_tensor_input(inputs[1], kName);
  return Apply::create(ptr(), inputs, {TensorType::make(DType::Bool, {})});
}

void AllClose::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& a = as_array(*inputs[0], kName);
  const NDArray& b = as_array(*inputs[1], kName);
  // numpy broadcasting of the two shapes.
  const int nd = std::max(a.ndim(), b.ndim());
  Shape s(nd);
  for (int d = 0; d < nd; ++d) {
    int64_t x = d - (nd - a.ndim()) >= 0 ? a.shape(d - (nd - a.ndim())) : 1;
    int64_t y = d - (nd - b.ndim()) >= 0 ? b.shape(d - (nd - b.ndim())) : 1;
    if (x != y && x != 1 && y != 1)
      value_error("[", kName, "] shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()), " do not broadcast");
    s[d] = x == 1 ? y : x;
  }
  const bool cplx = is_complex(a.dtype()) || is_complex(b.dtype());
  const DType wd = cplx ? DType::Complex128 : DType::Float64;
  NDArray av = a.broadcast_to(s).astype(wd), bv = b.broadcast_to(s).astype(wd);
  const double rtol = params_.rtol, atol = params_.atol;
  const bool en = params_.equal_nan;
  bool ok = true;
  auto check = [&](auto* pa, auto* pb) {
    const int64_t n = av.size();
    for (int64_t i = 0; i < n && ok; ++i) {
      auto x = pa[i], y = pb[i];
      const bool xn = std::isnan(std::abs(x)), yn = std::isnan(std::abs(y));
      if (xn || yn) {
        ok = en && xn && yn;
        continue;
      }
      if (std::isinf(std::abs(x)) || std::isinf(std::abs(y))) {
        ok = x == y;
        continue;
      }
      ok = std::abs(x - y) <= atol + rtol * std::abs(y);
    }
  };
  if (cplx) check(av.data<complex128>(), bv.data<complex128>());
  else check(av.data<double>(), bv.data<double>());
  NDArray& out = prepare_output(outputs[0], DType::Bool, {});
  *out.data<bool>() = ok;
}

std::optional<std::vector<ShapeVec>> AllClose::infer_shape(const Apply&, const std::vector<ShapeVec>&) const {
  return std::vector<ShapeVec>{ShapeVec{}};
}

std::vector<Var> AllClose::vjp(const Apply& node, const std::vector<Var>&) const {
  return {grad_undefined(*this, 0, "allclose is a boolean test"), grad_undefined(*this, 1, "allclose is a boolean test")};
}

// ---------------------------------------------------------------- builders

std::vector<int> normalize_axes(const Var& x, const std::optional<std::vector<int>>& axis, const char* who) {
  const int nd = x.type()->ndim();
  std::vector<int> axes;
  if (!axis) {
    for (int d = 0; d < nd; ++d) axes.push_back(d);
    return axes;
  }
  for (int a : *axis) {
    int b = a < 0 ? a + nd : a;
    if (b < 0 || b >= nd) value_error("[", who, "] axis ", a, " is out of bounds for a tensor of dimension ", nd);
    if (in_axes(axes, b)) value_error("[", who, "] duplicate axis ", a);
    axes.push_back(b);
  }
  std::sort(axes.begin(), axes.end());
  return axes;
}

Var keep_dims(const Var& r, int nd, const std::vector<int>& axes) {
  return dimshuffle(r, expand_pattern(nd, [&](int d) { return in_axes(axes, d); }));
}

namespace {
// Theano's CAReduceDtype._acc_dtype: the default, or a user accumulator that loses no precision.
DType resolve_acc(DType in, std::optional<DType> acc, const char* who) {
  if (!acc) return sum_acc_dtype(in);
  if (is_inexact(*acc) && (is_int(in) || is_bool(in))) return *acc;
  if (upcast(in, *acc) != *acc)
    type_error("[", who, "] cannot build a ", who, " node with input dtype ", dtype_name(in), " and acc_dtype ",
               dtype_name(*acc), ", as precision would be lost");
  return *acc;
}

Var careduce(ReduceKind kind, const Var& x_in, const std::optional<std::vector<int>>& axis, bool keepdims,
             std::optional<DType> dtype, std::optional<DType> acc_dtype, bool no_zeros, const char* who) {
  Var x = as_tensor_variable(x_in);
  const TensorType& t = check_tensor_input(x, who);
  std::vector<int> axes = normalize_axes(x, axis, who);
  ReduceParams p;
  if (axis) p.axis = axes;
  if (kind == ReduceKind::Sum || kind == ReduceKind::Prod) {
    p.acc_dtype = resolve_acc(t.elem(), acc_dtype, who);
    if (dtype && *dtype != sum_out_dtype(t.elem())) p.dtype = dtype;
    p.no_zeros_in_input = no_zeros;
  }
  std::shared_ptr<Op> op;
  switch (kind) {
    case ReduceKind::Sum: op = std::make_shared<Sum>(p); break;
    case ReduceKind::Prod: op = std::make_shared<Prod>(p); break;
    case ReduceKind::Max: op = std::make_shared<Max>(p); break;
    case ReduceKind::Min: op = std::make_shared<Min>(p); break;
    case ReduceKind::All: op = std::make_shared<All>(p); break;
    case ReduceKind::Any: op = std::make_shared<Any>(p); break;
    default: op = std::make_shared<ProdWithoutZeros>(p);
  }
  Var r = apply1(*op, {x});
  return keepdims ? keep_dims(r, t.ndim(), axes) : r;
}

std::vector<int> arg_axes(const Var& x, const std::optional<std::vector<int>>& axis, const char* who) {
  return normalize_axes(x, axis, who);
}
}  // namespace

Var sum(const Var& x, std::optional<std::vector<int>> axis, bool keepdims, std::optional<DType> dtype,
        std::optional<DType> acc_dtype) {
  if (Var r = dispatch_operator(Operator::Sum, {x}, {axis, dtype, acc_dtype, keepdims})) return r;
  return careduce(ReduceKind::Sum, x, axis, keepdims, dtype, acc_dtype, false, "Sum");
}

Var prod(const Var& x, std::optional<std::vector<int>> axis, bool keepdims, std::optional<DType> dtype,
         std::optional<DType> acc_dtype, bool no_zeros_in_input) {
  return careduce(ReduceKind::Prod, x, axis, keepdims, dtype, acc_dtype, no_zeros_in_input, "Prod");
}

Var max(const Var& x, std::optional<std::vector<int>> axis, bool keepdims) {
  return careduce(ReduceKind::Max, x, axis, keepdims, std::nullopt, std::nullopt, false, "Max");
}
Var min(const Var& x, std::optional<std::vector<int>> axis, bool keepdims) {
  return careduce(ReduceKind::Min, x, axis, keepdims, std::nullopt, std::nullopt, false, "Min");
}
Var all(const Var& x, std::optional<std::vector<int>> axis, bool keepdims) {
  return careduce(ReduceKind::All, x, axis, keepdims, std::nullopt, std::nullopt, false, "All");
}
Var any(const Var& x, std::optional<std::vector<int>> axis, bool keepdims) {
  return careduce(ReduceKind::Any, x, axis, keepdims, std::nullopt, std::nullopt, false, "Any");
}

Var argmax(const Var& x_in, std::optional<std::vector<int>> axis, bool keepdims) {
  Var x = as_tensor_variable(x_in);
  check_tensor_input(x, "Argmax");
  auto axes = arg_axes(x, axis, "Argmax");
  if (axes.empty()) value_error("[Argmax] needs at least one axis");
  Var r = apply1(*std::make_shared<Argmax>(ArgParams{axes}), {x});
  return keepdims ? keep_dims(r, x.type()->ndim(), axes) : r;
}

Var argmin(const Var& x_in, std::optional<std::vector<int>> axis, bool keepdims) {
  Var x = as_tensor_variable(x_in);
  check_tensor_input(x, "Argmin");
  auto axes = arg_axes(x, axis, "Argmin");
  if (axes.empty()) value_error("[Argmin] needs at least one axis");
  Var r = apply1(*std::make_shared<Argmin>(ArgParams{axes}), {x});
  return keepdims ? keep_dims(r, x.type()->ndim(), axes) : r;
}

std::pair<Var, Var> max_and_argmax(const Var& x_in, std::optional<std::vector<int>> axis, bool keepdims) {
  Var x = as_tensor_variable(x_in);
  check_tensor_input(x, "MaxAndArgmax");
  auto axes = arg_axes(x, axis, "MaxAndArgmax");
  if (axes.empty()) value_error("[MaxAndArgmax] needs at least one axis");
  auto outs = apply_op(*std::make_shared<MaxAndArgmax>(ArgParams{axes}), {x});
  if (keepdims) {
    const int nd = x.type()->ndim();
    return {keep_dims(outs[0], nd, axes), keep_dims(outs[1], nd, axes)};
  }
  return {outs[0], outs[1]};
}

Var mean(const Var& x_in, std::optional<std::vector<int>> axis, bool keepdims, std::optional<DType> dtype,
         std::optional<DType> acc_dtype) {
  if (Var r = dispatch_operator(Operator::Mean, {x_in}, {axis, dtype, acc_dtype, keepdims})) return r;
  Var x = as_tensor_variable(x_in);
  const TensorType& t = check_tensor_input(x, "mean");
  std::vector<int> axes = normalize_axes(x, axis, "mean");
  // Theano: the sum accumulates in acc_dtype (float64 for float32) and is cast to `dtype`
  // (float32 stays float32; float16 sums into float32).
  std::optional<DType> sum_dtype = dtype;
  if (t.elem() == DType::Float16) sum_dtype = DType::Float32;
  Var s = sum(x, axis, false, sum_dtype, acc_dtype);
  const DType sd = tensor_type(s)->elem();
  const DType cd = (sd == DType::Float16 || sd == DType::Float32 || sd == DType::Complex64) ? DType::Float32 : DType::Float64;
  for (int a : axes) s = true_div(s, cast(shape_i(x, a), cd));
  if (!is_inexact(tensor_type(s)->elem())) s = cast(s, cd);  // no axis at all
  if (dtype == DType::Float16 || (!dtype && t.elem() == DType::Float16)) s = cast(s, DType::Float16);
  return keepdims ? keep_dims(s, t.ndim(), axes) : s;
}

Var var(const Var& x_in, std::optional<std::vector<int>> axis, int ddof, bool keepdims, bool corrected) {
  Var x = as_tensor_variable(x_in);
  const TensorType& t = check_tensor_input(x, "var");
  std::vector<int> axes = normalize_axes(x, axis, "var");
  std::optional<std::vector<int>> ax = axes;
  Var centered = x - mean(x, ax, true);
  Var v;
  if (ddof == 0) {
    v = mean(sqr(centered), ax, keepdims);
  } else {
    // Theano: divide by (n_i - ddof) for each reduced axis i.
    v = sum(sqr(centered), ax, keepdims);
    for (int a : axes) v = true_div(v, shape_i(x, a) - constant_int(ddof));
  }
  if (corrected) {
    // The 'corrected two-pass' algorithm: subtract the squared mean of the centred input.
    Var err;
    if (ddof == 0) {
      err = sqr(mean(centered, ax, keepdims));
    } else {
      err = sqr(sum(centered, ax, keepdims));
      for (int a : axes) err = true_div(err, (shape_i(x, a) - constant_int(ddof)) * shape_i(x, a));
    }
    v = v - err;
  }
  (void)t;
  return v;
}

Var std_(const Var& x, std::optional<std::vector<int>> axis, int ddof, bool keepdims, bool corrected) {
  return sqrt(var(x, axis, ddof, keepdims, corrected));
}

Var norm(const Var& x_in, double L, std::optional<std::vector<int>> axis, bool keepdims) {
  Var x = as_tensor_variable(x_in);
  check_tensor_input(x, "norm");
  if (L == 0) throw Error(ErrorKind::NotImplemented, "[norm] the L0 norm is not implemented");
  if (std::isinf(L)) throw Error(ErrorKind::NotImplemented, "[norm] the infinity norm is not implemented; use max(abs(x))");
  Var a = abs_(x);
  Var y;
  if (L == 1) y = sum(a, axis);
  else if (L == 2) y = sqrt(sum(sqr(a), axis));
  else {
    // The exponents take x's float dtype, so a float32 norm stays float32.
    const DType xd = tensor_type(x)->elem();
    auto c = [&](double v) { return is_float(xd) ? cast(constant(v), xd) : constant(v); };
    y = pow(sum(pow(a, c(L)), axis), c(1.0 / L));
  }
  return keepdims ? keep_dims(y, x.type()->ndim(), normalize_axes(x, axis, "norm")) : y;
}

Var ptp(const Var& x, std::optional<std::vector<int>> axis, bool keepdims) {
  return max(x, axis, keepdims) - min(x, axis, keepdims);
}

Var allclose(const Var& a, const Var& b, double rtol, double atol, bool equal_nan) {
  return apply1(*std::make_shared<AllClose>(AllCloseParams{rtol, atol, equal_nan}),
                {as_tensor_variable(a), as_tensor_variable(b)});
}

}  // namespace hypatia
