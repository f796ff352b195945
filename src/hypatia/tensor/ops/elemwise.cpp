// Elemwise and DimShuffle: typing by broadcastable flags, kernels, shapes, vjp and jvp.
#include "hypatia/tensor/ops/elemwise.h"

#include <algorithm>
#include <memory>

#include "hypatia/tensor/basic.h"
#include "hypatia/scalar/vector_math.h"
#include "hypatia/tensor/kernels/elemwise_loop.h"
#include "hypatia/util/parallel.h"

namespace hypatia {

bool is_discrete(const Var& v) {
  auto d = v.type()->dtype();
  return d && (is_int(*d) || is_bool(*d));
}

const TensorType& check_tensor_input(const Var& v, const std::string& who) {
  if (!v) type_error("[", who, "] expected a tensor variable, got None");
  if (v.type()->kind() == TypeKind::Sparse)
    type_error("[", who, "] expected a dense tensor, got a sparse variable (", v.type()->str(),
               "); use the hypatia.sparse module (e.g. sparse.add, sparse.structured_dot) for sparse "
               "operands, or sparse.dense_from_sparse to densify");
  const TensorType* t = tensor_type(v);
  if (!t) type_error("[", who, "] expected a tensor variable, got ", v.type()->str());
  return *t;
}

Var int64_constant(int64_t v) {
  static const TypePtr t = TensorType::make(DType::Int64, {});
  return make_constant(t, NDArray::scalar<int64_t>(v));
}

Var reduce_to_like(const Var& g, const Var& like) {
  const auto& lt = expect_tensor(like, "reduce_to_like");
  const auto& gt = expect_tensor(g, "reduce_to_like");
  Var r = g;
  std::vector<int> axes;
  for (int d = 0; d < lt.ndim(); ++d)
    if (lt.broadcastable()[d] && !gt.broadcastable()[d]) axes.push_back(d);
  if (!axes.empty()) r = sum(r, axes, true);
  // A real input's gradient is the real part of a complex one (cast would refuse complex -> real).
  if (is_complex(tensor_type(r)->elem()) && !is_complex(lt.elem())) r = elemwise(ScalarOpId::Real, {r});
  if (tensor_type(r)->elem() != lt.elem()) r = cast(r, lt.elem());
  return r;
}

// ---------------------------------------------------------------- Elemwise

std::string Elemwise::str() const {
  if (params_.scalar_op == ScalarOpId::Cast) return str_cat("Elemwise{Cast{", dtype_name(params_.cast_to), "}}");
  return str_cat("Elemwise{", scalar_op_info(params_.scalar_op).name, params_.inplace >= 0 ? ",inplace}" : ",no_inplace}");
}

ViewMap Elemwise::destroy_map() const {
  if (params_.inplace < 0) return {};
  return {{0, {params_.inplace}}};
}

std::shared_ptr<const Op> Elemwise::inplace_variant(const std::vector<int>& allowed) const {
  // Casts, copies and `second` only move data; the in-place phase offers only inputs of the
  // output's type (same dtype, same broadcastable pattern, hence the same run-time shape).
  const ScalarOpId id = params_.scalar_op;
  if (params_.inplace >= 0 || allowed.empty() || id == ScalarOpId::Cast || id == ScalarOpId::Identity ||
      id == ScalarOpId::Second)
    return nullptr;
  ElemwiseParams p = params_;
  p.inplace = allowed.front();
  return std::make_shared<Elemwise>(p);
}

ApplyPtr Elemwise::make_node_checked(const std::vector<Var>& inputs_in) const {
  const ScalarOpInfo& info = scalar_op_info(params_.scalar_op);
  const std::string who = str();
  if (static_cast<int>(inputs_in.size()) != info.arity)
    type_error("[", who, "] expected ", info.arity, " inputs, got ", inputs_in.size());
  int nd = 0;
  for (const Var& v : inputs_in) nd = std::max(nd, check_tensor_input(v, who).ndim());
  std::vector<Var> inputs;
  std::vector<DType> dtypes;
  for (const Var& v : inputs_in) {
    const TensorType& t = *tensor_type(v);
    if (params_.scalar_op == ScalarOpId::Abs && is_complex(t.elem()))
      type_error("[", who, "] abs_ of a complex tensor is not supported (its result would be real)");
    if (params_.scalar_op == ScalarOpId::Cast && is_complex(t.elem()) && !is_complex(params_.cast_to))
      type_error("[", who, "] casting from complex (", dtype_name(t.elem()), ") to real (",
                 dtype_name(params_.cast_to), ") is ambiguous: use real(), imag(), abs_() or angle()");
    if (!info.complex_ok && is_complex(t.elem()))
      type_error("[", who, "] ", info.name, " is not defined for complex inputs (got ", t.str(), ")");
    if (info.int_only && !is_int(t.elem()) && !is_bool(t.elem()))
      type_error("[", who, "] ", info.name, " (bitwise) needs integer or bool inputs, got ", t.str());
    if (!info.bool_ok && t.elem() == DType::Bool)
      type_error("[", who, "] numpy boolean ", info.name,
                 " is not supported; use logical operators or cast the input to an integer dtype");
    if (t.ndim() < nd) {
      std::vector<int> pat(nd - t.ndim(), -1);
      for (int i = 0; i < t.ndim(); ++i) pat.push_back(i);
      inputs.push_back(dimshuffle(v, pat));
    } else {
      inputs.push_back(v);
    }
    dtypes.push_back(t.elem());
  }
  std::vector<bool> bc(nd, true);
  for (const Var& v : inputs)
    for (int d = 0; d < nd; ++d) bc[d] = bc[d] && tensor_type(v)->broadcastable()[d];
  DType out = scalar_out_dtype(params_.scalar_op, dtypes, params_.cast_to);
  return Apply::create(ptr(), std::move(inputs), {TensorType::make(out, bc)});
}

namespace {

/// A contiguous input of the output's shape: the vectorised kernels apply.
bool dense_like(const NDArray& a, const NDArray& out) { return a.shape() == out.shape() && a.is_c_contiguous(); }

/// out = f(a) through a vector_math kernel (exp, log, tanh, sigmoid, softplus). A strided or
/// broadcast input is first copied into `out` (C-contiguous) and transformed there in place.
/// Large arrays run in blocks over the OpenMP threads.
template <class T>
void vector_unary(void (*f)(const T*, T*, int64_t), const NDArray& a, NDArray& out) {
  const T* src = out.data<T>();
  if (dense_like(a, out)) {
    src = a.data<T>();
  } else {
    out.assign(a);
  }
  T* dst = out.data<T>();
  const int64_t n = out.size();
  if (n < elemwise_minsize() || max_threads() == 1) return f(src, dst, n);
  constexpr int64_t kChunk = 16384;
  const int64_t nchunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) num_threads(max_threads())
  for (int64_t c = 0; c < nchunks; ++c) f(src + c * kChunk, dst + c * kChunk, std::min(kChunk, n - c * kChunk));
}

/// out = f(a, b) through a vector_math kernel (pow) when a and b are each whole (contiguous, of
/// out's shape) or one value, which is spread over an L1 chunk first; false (nothing done) for
/// other layouts. Large arrays run in chunks over the OpenMP threads.
template <class T>
bool vector_binary(void (*f)(const T*, const T*, T*, int64_t), const NDArray& a, const NDArray& b, NDArray& out) {
  const bool wa = dense_like(a, out), wb = dense_like(b, out);
  if (!((wa || a.size() == 1) && (wb || b.size() == 1))) return false;
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* dst = out.data<T>();
  const int64_t n = out.size();
  constexpr int64_t kChunk = 2048;
  const int64_t nchunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel if (n >= elemwise_minsize() && max_threads() > 1) num_threads(max_threads())
  {
    std::unique_ptr<T[]> one(wa && wb ? nullptr : new T[kChunk]);
    if (!(wa && wb)) std::fill(one.get(), one.get() + kChunk, wa ? *pb : *pa);
#pragma omp for schedule(static)
    for (int64_t c = 0; c < nchunks; ++c) {
      const int64_t off = c * kChunk, len = std::min(kChunk, n - off);
      f(wa ? pa + off : one.get(), wb ? pb + off : one.get(), dst + off, len);
    }
  }
  return true;
}

template <class T>
void run_kernel(ScalarOpId id, const NDArray* const* in, NDArray& out) {
  using namespace scalar_fn;
  using kernels::binary_loop;
  using kernels::unary_loop;
  if constexpr (std::is_same_v<T, half>) {
    throw Error(ErrorKind::Runtime, "[Elemwise] half kernels compute through float32");
  } else {
    switch (id) {
      case ScalarOpId::Add: return binary_loop<T, T>(*in[0], *in[1], out, Add{});
      case ScalarOpId::Sub: return binary_loop<T, T>(*in[0], *in[1], out, Sub{});
      case ScalarOpId::Mul: return binary_loop<T, T>(*in[0], *in[1], out, Mul{});
      case ScalarOpId::TrueDiv: return binary_loop<T, T>(*in[0], *in[1], out, TrueDiv{});
      case ScalarOpId::Pow:
        if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
          if (vector_binary<T>(vector_math::pow, *in[0], *in[1], out)) return;
        }
        return binary_loop<T, T>(*in[0], *in[1], out, Pow{});
      case ScalarOpId::Neg: return unary_loop<T, T>(*in[0], out, Neg{});
      case ScalarOpId::Exp:
        if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>)
          return vector_unary<T>(vector_math::exp, *in[0], out);
        else
          return unary_loop<T, T>(*in[0], out, Exp{});
      case ScalarOpId::Log:
        if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>)
          return vector_unary<T>(vector_math::log, *in[0], out);
        else
          return unary_loop<T, T>(*in[0], out, Log{});
      case ScalarOpId::Sqr: return unary_loop<T, T>(*in[0], out, Sqr{});
      case ScalarOpId::Sqrt: return unary_loop<T, T>(*in[0], out, Sqrt{});
      case ScalarOpId::Sigmoid:
        if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>)
          return vector_unary<T>(vector_math::sigmoid, *in[0], out);
        else
          return unary_loop<T, T>(*in[0], out, Sigmoid{});
      case ScalarOpId::Softplus:
        if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>)
          return vector_unary<T>(vector_math::softplus, *in[0], out);
        else
          return unary_loop<T, T>(*in[0], out, Softplus{});
      case ScalarOpId::Log1p: return unary_loop<T, T>(*in[0], out, Log1p{});
      case ScalarOpId::Expm1: return unary_loop<T, T>(*in[0], out, Expm1{});
      case ScalarOpId::Tanh:
        if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>)
          return vector_unary<T>(vector_math::tanh, *in[0], out);
        else
          return unary_loop<T, T>(*in[0], out, Tanh{});
      case ScalarOpId::Abs: return unary_loop<T, T>(*in[0], out, Abs{});
      case ScalarOpId::Eq: return binary_loop<T, bool>(*in[0], *in[1], out, Eq{});
      case ScalarOpId::Neq: return binary_loop<T, bool>(*in[0], *in[1], out, Neq{});
      case ScalarOpId::Lt: return binary_loop<T, bool>(*in[0], *in[1], out, Lt{});
      case ScalarOpId::Gt: return binary_loop<T, bool>(*in[0], *in[1], out, Gt{});
      case ScalarOpId::Le: return binary_loop<T, bool>(*in[0], *in[1], out, Le{});
      case ScalarOpId::Ge: return binary_loop<T, bool>(*in[0], *in[1], out, Ge{});
      case ScalarOpId::Exp2: return unary_loop<T, T>(*in[0], out, Exp2{});
      case ScalarOpId::Log2: return unary_loop<T, T>(*in[0], out, Log2{});
      case ScalarOpId::Log10: return unary_loop<T, T>(*in[0], out, Log10{});
      case ScalarOpId::Inv: return unary_loop<T, T>(*in[0], out, Inv{});
      case ScalarOpId::Sin: return unary_loop<T, T>(*in[0], out, Sin{});
      case ScalarOpId::Cos: return unary_loop<T, T>(*in[0], out, Cos{});
      case ScalarOpId::Tan: return unary_loop<T, T>(*in[0], out, Tan{});
      case ScalarOpId::ArcSin: return unary_loop<T, T>(*in[0], out, ArcSin{});
      case ScalarOpId::ArcCos: return unary_loop<T, T>(*in[0], out, ArcCos{});
      case ScalarOpId::ArcTan: return unary_loop<T, T>(*in[0], out, ArcTan{});
      case ScalarOpId::Sinh: return unary_loop<T, T>(*in[0], out, Sinh{});
      case ScalarOpId::Cosh: return unary_loop<T, T>(*in[0], out, Cosh{});
      case ScalarOpId::ArcSinh: return unary_loop<T, T>(*in[0], out, ArcSinh{});
      case ScalarOpId::ArcCosh: return unary_loop<T, T>(*in[0], out, ArcCosh{});
      case ScalarOpId::ArcTanh: return unary_loop<T, T>(*in[0], out, ArcTanh{});
      case ScalarOpId::Deg2Rad: return unary_loop<T, T>(*in[0], out, Deg2Rad{});
      case ScalarOpId::Rad2Deg: return unary_loop<T, T>(*in[0], out, Rad2Deg{});
      case ScalarOpId::Erf: return unary_loop<T, T>(*in[0], out, Erf{});
      case ScalarOpId::Erfc: return unary_loop<T, T>(*in[0], out, Erfc{});
      case ScalarOpId::Erfinv: return unary_loop<T, T>(*in[0], out, Erfinv{});
      case ScalarOpId::Erfcinv: return unary_loop<T, T>(*in[0], out, Erfcinv{});
      case ScalarOpId::Gamma: return unary_loop<T, T>(*in[0], out, Gamma{});
      case ScalarOpId::GammaLn: return unary_loop<T, T>(*in[0], out, GammaLn{});
      case ScalarOpId::Psi: return unary_loop<T, T>(*in[0], out, Psi{});
      case ScalarOpId::TriGamma: return unary_loop<T, T>(*in[0], out, TriGamma{});
      case ScalarOpId::Rint: return unary_loop<T, T>(*in[0], out, Rint{});
      case ScalarOpId::Ceil: return unary_loop<T, T>(*in[0], out, Ceil{});
      case ScalarOpId::Floor: return unary_loop<T, T>(*in[0], out, Floor{});
      case ScalarOpId::Trunc: return unary_loop<T, T>(*in[0], out, Trunc{});
      case ScalarOpId::RoundHalfAwayFromZero: return unary_loop<T, T>(*in[0], out, RoundHalfAwayFromZero{});
      case ScalarOpId::RoundHalfToEven: return unary_loop<T, T>(*in[0], out, RoundHalfToEven{});
      case ScalarOpId::Sgn: return unary_loop<T, T>(*in[0], out, Sgn{});
      case ScalarOpId::IsNan: return unary_loop<T, bool>(*in[0], out, IsNan{});
      case ScalarOpId::IsInf: return unary_loop<T, bool>(*in[0], out, IsInf{});
      case ScalarOpId::Real: return unary_loop<T, real_of_t<T>>(*in[0], out, Real{});
      case ScalarOpId::Imag: return unary_loop<T, real_of_t<T>>(*in[0], out, Imag{});
      case ScalarOpId::Angle: return unary_loop<T, real_of_t<T>>(*in[0], out, Angle{});
      case ScalarOpId::Conj: return unary_loop<T, T>(*in[0], out, Conj{});
      case ScalarOpId::ArcTan2: return binary_loop<T, T>(*in[0], *in[1], out, ArcTan2{});
      case ScalarOpId::Maximum: return binary_loop<T, T>(*in[0], *in[1], out, Maximum{});
      case ScalarOpId::Minimum: return binary_loop<T, T>(*in[0], *in[1], out, Minimum{});
      case ScalarOpId::IntDiv: return binary_loop<T, T>(*in[0], *in[1], out, IntDiv{});
      case ScalarOpId::Mod: return binary_loop<T, T>(*in[0], *in[1], out, Mod{});
      case ScalarOpId::And: return binary_loop<T, T>(*in[0], *in[1], out, And{});
      case ScalarOpId::Or: return binary_loop<T, T>(*in[0], *in[1], out, Or{});
      case ScalarOpId::Xor: return binary_loop<T, T>(*in[0], *in[1], out, Xor{});
      case ScalarOpId::Invert: return unary_loop<T, T>(*in[0], out, Invert{});
      case ScalarOpId::Switch: return kernels::ternary_loop<bool, T, T, T>(*in[0], *in[1], *in[2], out, Switch{});
      case ScalarOpId::Clip: return kernels::ternary_loop<T, T, T, T>(*in[0], *in[1], *in[2], out, Clip{});
      default: throw Error(ErrorKind::Runtime, "[Elemwise] no typed kernel for this scalar op");
    }
  }
}

}  // namespace

void Elemwise::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const int n = node.nin();
  const NDArray* in[3] = {nullptr, nullptr, nullptr};
  for (int i = 0; i < n; ++i) in[i] = &as_array(*inputs[i], kName);
  // Output shape: the common shape, checked against the static broadcastable flags.
  const Shape* out_shape = &in[0]->shape();
  Shape computed;
  bool same = true;
  for (int i = 1; i < n; ++i) same = same && in[i]->shape() == *out_shape;
  if (!same) {
    computed = elemwise_output_shape(node, in, n);
    out_shape = &computed;
  }
  // The output's type through the node's raw pointer: output(0) builds a shared handle (two
  // atomic operations), which shows on a one-add call.
  const DType out_dtype = *node.out(0)->type->dtype();
  const int k = params_.inplace;
  const bool in_place = k >= 0 && k < n && in[k]->shape() == *out_shape && overwritable(*in[k], out_dtype);
  if (in_place) outputs[0] = *in[k];  // destroy_map {0: [k]}: the result overwrites input k
  NDArray& out = in_place ? std::get<NDArray>(outputs[0]) : prepare_output(outputs[0], out_dtype, *out_shape);
  const ScalarOpId id = params_.scalar_op;
  if (id == ScalarOpId::Cast || id == ScalarOpId::Identity) return out.assign(*in[0]);
  if (id == ScalarOpId::Second) return out.assign(*in[1]);

  std::vector<DType> dts;  // small; only built on the slow paths below
  DType compute = out_dtype;
  bool need_cast = false;
  for (int i = 0; i < n; ++i) need_cast = need_cast || in[i]->dtype() != out_dtype;
  if (need_cast || is_predicate(id)) {
    for (int i = 0; i < n; ++i) dts.push_back(in[i]->dtype());
    compute = scalar_compute_dtype(id, dts, out_dtype);
  }
  if (compute == DType::Float16) compute = DType::Float32;  // half computes through float
  NDArray cast_store[3];
  for (int i = 0; i < n; ++i) {
    const DType want = (id == ScalarOpId::Switch && i == 0) ? DType::Bool : compute;  // switch's condition
    if (in[i]->dtype() != want) {
      cast_store[i] = in[i]->astype(want);
      in[i] = &cast_store[i];
    }
  }
  const bool via_tmp = out_dtype == DType::Float16;
  NDArray tmp;
  NDArray* target = &out;
  if (via_tmp) {
    tmp = NDArray(DType::Float32, out.shape());
    target = &tmp;
  }
  dispatch_dtype(compute, [&](auto tag) { run_kernel<decltype(tag)>(id, in, *target); });
  if (via_tmp) out.assign(tmp);
}

Shape elemwise_output_shape(const Apply& node, const NDArray* const* in, int n) {
  const int nd = node.out(0)->type->ndim();
  Shape computed(nd, 1);
  for (int d = 0; d < nd; ++d) {
    int first = -1;
    for (int i = 0; i < n; ++i) {
      if (in[i]->shape(d) == 1 && tensor_type(node.input(i))->broadcastable()[d]) continue;
      if (first < 0) {
        first = i;
        computed[d] = in[i]->shape(d);
      } else if (in[i]->shape(d) != computed[d]) {
        value_error("[", node.op()->str(), "] Input dimension mis-match. (input[", first, "].shape[", d, "] = ", computed[d],
                    ", input[", i, "].shape[", d, "] = ", in[i]->shape(d), ")");
      }
    }
  }
  return computed;
}

std::vector<ShapeVec> elemwise_infer_shape(const Apply& node, const std::vector<ShapeVec>& shapes) {
  const auto& obc = tensor_type(node.output(0))->broadcastable();
  ShapeVec out;
  for (size_t d = 0; d < obc.size(); ++d) {
    Var s;
    for (int i = 0; i < node.nin() && !s; ++i)
      if (!tensor_type(node.input(i))->broadcastable()[d]) s = shapes[i][d];
    out.push_back(s ? s : int64_constant(1));
  }
  return {out};
}

std::optional<std::vector<ShapeVec>> Elemwise::infer_shape(const Apply& node,
                                                          const std::vector<ShapeVec>& shapes) const {
  return elemwise_infer_shape(node, shapes);
}

std::vector<std::vector<bool>> Elemwise::connection_pattern(const Apply& node) const {
  if (params_.scalar_op == ScalarOpId::Second) return {{false}, {true}};
  return Op::connection_pattern(node);
}

std::vector<Var> Elemwise::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const Var& gz = output_grads[0];
  std::vector<Var> res(node.nin());
  if (!gz || is_disconnected(gz)) {
    for (auto& r : res) r = disconnected_var();
    return res;
  }
  std::vector<Var> g = scalar_grad(params_.scalar_op)(node.inputs(), node.output(0), gz);
  for (int i = 0; i < node.nin(); ++i) {
    const Var& x = node.input(i);
    if (is_disconnected(g[i]) || is_null(g[i])) res[i] = g[i];
    else if (is_discrete(x)) res[i] = zeros_like(x);
    else res[i] = reduce_to_like(g[i], x);
  }
  return res;
}

std::vector<Var> Elemwise::jvp(const Apply& node, const std::vector<Var>& eval_points) const {
  const Var out = node.output(0);
  const ScalarGradFn grad = scalar_grad(params_.scalar_op);
  const ScalarOpId sid = params_.scalar_op;
  // real, imag and conj are R-linear: their R_op applies them to the direction. angle's is
  // (x dy - y dx) / |z|^2 for z = x + iy, direction dx + i dy (zero on the reals).
  if ((sid == ScalarOpId::Real || sid == ScalarOpId::Imag || sid == ScalarOpId::Conj || sid == ScalarOpId::Angle) &&
      !eval_points.empty() && eval_points[0] && !is_discrete(node.input(0))) {
    const Var& z = node.input(0);
    const Var& v = eval_points[0];
    if (sid != ScalarOpId::Angle) return {elemwise(sid, {v})};
    if (!is_complex(tensor_type(z)->elem())) return {zeros_like(out)};
    Var x = elemwise(ScalarOpId::Real, {z}), y = elemwise(ScalarOpId::Imag, {z});
    Var dx = elemwise(ScalarOpId::Real, {v}), dy = elemwise(ScalarOpId::Imag, {v});
    Var r = true_div(sub(mul(x, dy), mul(y, dx)), add(sqr(x), sqr(y)));
    if (tensor_type(r)->elem() != tensor_type(out)->elem()) r = cast(r, tensor_type(out)->elem());
    return {r};
  }
  Var acc;
  for (int i = 0; i < node.nin(); ++i) {
    if (i >= static_cast<int>(eval_points.size()) || !eval_points[i] || is_discrete(node.input(i))) continue;
    if (params_.scalar_op == ScalarOpId::Second && i == 0) continue;
    Var t = grad(node.inputs(), out, eval_points[i])[i];
    acc = acc ? add(acc, t) : t;
  }
  if (!acc || is_discrete(out)) return {zeros_like(out)};
  if (tensor_type(acc)->broadcastable() != tensor_type(out)->broadcastable()) acc = fill(out, acc);
  if (tensor_type(acc)->elem() != tensor_type(out)->elem()) acc = cast(acc, tensor_type(out)->elem());
  return {acc};
}

Var elemwise(ScalarOpId id, const std::vector<Var>& inputs, DType cast_to) {
  std::vector<Var> ins;
  for (const Var& v : inputs) ins.push_back(as_tensor_variable(v));
  return apply1(*std::make_shared<Elemwise>(id, cast_to), ins);
}

// ---------------------------------------------------------------- DimShuffle

std::string DimShuffle::str() const {
  std::string s = params_.inplace ? "InplaceDimShuffle{" : "DimShuffle{";
  for (size_t i = 0; i < params_.new_order.size(); ++i) {
    if (i) s += ",";
    s += params_.new_order[i] < 0 ? std::string("x") : std::to_string(params_.new_order[i]);
  }
  return s + "}";
}

ApplyPtr DimShuffle::make_node_checked(const std::vector<Var>& inputs) const {
  const std::string who = str();
  const TensorType& t = check_tensor_input(inputs[0], who);
  std::vector<bool> used(t.ndim(), false);
  std::vector<bool> bc;
  for (int k : params_.new_order) {
    if (k < 0) {
      bc.push_back(true);
      continue;
    }
    if (k >= t.ndim())
      value_error("[", who, "] new_order refers to axis ", k, " of an input with ", t.ndim(), " dimensions");
    if (used[k]) value_error("[", who, "] axis ", k, " appears twice in new_order");
    used[k] = true;
    bc.push_back(t.broadcastable()[k]);
  }
  for (int d = 0; d < t.ndim(); ++d)
    if (!used[d] && !t.broadcastable()[d])
      value_error("[", who, "] cannot drop a non-broadcastable dimension (axis ", d, " of ", t.str(), ")");
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), bc)});
}

void DimShuffle::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  NDArray v = as_array(*inputs[0], kName).dimshuffle(params_.new_order);
  outputs[0] = params_.inplace ? v : v.copy();
}

std::optional<std::vector<ShapeVec>> DimShuffle::infer_shape(const Apply&, const std::vector<ShapeVec>& shapes) const {
  ShapeVec out;
  for (int k : params_.new_order) out.push_back(k < 0 ? int64_constant(1) : shapes[0][k]);
  return std::vector<ShapeVec>{out};
}

std::vector<Var> DimShuffle::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const Var& x = node.input(0);
  const Var& gz = output_grads[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var()};
  if (is_discrete(x)) return {zeros_like(x)};
  std::vector<int> order(x.type()->ndim(), -1);
  for (size_t i = 0; i < params_.new_order.size(); ++i)
    if (params_.new_order[i] >= 0) order[params_.new_order[i]] = static_cast<int>(i);
  Var g = apply1(*std::make_shared<DimShuffle>(DimShuffleParams{order, true}), {gz});
  return {reduce_to_like(g, x)};
}

std::vector<Var> DimShuffle::jvp(const Apply&, const std::vector<Var>& eval_points) const {
  if (eval_points.empty() || !eval_points[0]) return {Var()};
  return {apply1(*this, {eval_points[0]})};
}

Var dimshuffle(const Var& x, const std::vector<int>& pattern) {
  Var v = as_tensor_variable(x);
  bool identity = static_cast<int>(pattern.size()) == v.type()->ndim();
  for (size_t i = 0; identity && i < pattern.size(); ++i) identity = pattern[i] == static_cast<int>(i);
  if (identity) return v;
  return apply1(*std::make_shared<DimShuffle>(DimShuffleParams{pattern, true}), {v});
}

// ---- builders ----

Var transpose(const Var& x_in, std::optional<std::vector<int>> axes) {
  OperatorOptions opts;
  opts.axis = axes;
  if (Var r = dispatch_operator(Operator::Transpose, {x_in}, opts)) return r;
  Var x = as_tensor_variable(x_in);
  const int nd = x.type()->ndim();
  std::vector<int> perm;
  if (axes) {
    if (static_cast<int>(axes->size()) != nd)
      value_error("[transpose] axes ", axes->size(), " do not match a tensor of dimension ", nd);
    for (int a : *axes) perm.push_back(a < 0 ? a + nd : a);
  } else {
    for (int d = nd - 1; d >= 0; --d) perm.push_back(d);
  }
  return dimshuffle(x, perm);
}

}  // namespace hypatia
