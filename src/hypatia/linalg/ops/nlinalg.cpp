// The nlinalg ops: typing, LAPACK kernels, shapes and gradients (builders composed of several
// ops are in nlinalg_builders.cpp).
#include "hypatia/linalg/ops/nlinalg.h"

#include "hypatia/linalg/kernels/decomp.h"
#include "hypatia/linalg/kernels/lapack_kernel.h"
#include "hypatia/linalg/ops/slinalg.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/linalg.h"
#include "hypatia/tensor/ops/creation.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {
namespace {

bool connected(const std::vector<Var>& g, size_t i) { return i < g.size() && g[i] && !is_disconnected(g[i]); }

TypePtr float_tensor(DType d, int ndim) { return TensorType::make(d, std::vector<bool>(ndim, false)); }

void check_uplo(const std::string& uplo, const char* who) {
  if (uplo != "L" && uplo != "U") value_error("[", who, "] UPLO must be 'L' or 'U', got '", uplo, "'");
}

// min(a, b) of two int64 scalars.
Var min_i(const Var& a, const Var& b) { return minimum(a, b); }

}  // namespace

const TensorType& check_float_matrix(const Var& v, const char* who) {
  const TensorType& t = check_tensor_input(v, who);
  if (t.ndim() != 2) type_error("[", who, "] expected a matrix, got ", t.str());
  if (t.elem() != DType::Float32 && t.elem() != DType::Float64)
    type_error("[", who, "] float32 or float64 matrix expected, got ", t.str());
  return t;
}

// ---- MatrixInverse ----

ApplyPtr MatrixInverse::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_matrix(inputs[0], kName);
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {false, false})});
}

void MatrixInverse::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = kernels::matrix_inverse(as_array(*inputs[0], kName), kName);
}

std::optional<std::vector<ShapeVec>> MatrixInverse::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> MatrixInverse::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!connected(g, 0)) return {disconnected_var()};
  Var xit = transpose(node.output(0));
  return {neg(dot(dot(xit, g[0]), xit))};
}

std::vector<Var> MatrixInverse::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (ev.empty() || !ev[0]) return {Var()};
  Var xi = node.output(0);
  return {neg(dot(dot(xi, ev[0]), xi))};
}

// ---- Det ----

ApplyPtr Det::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_matrix(inputs[0], kName);
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {})});
}

void Det::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = kernels::det(as_array(*inputs[0], kName));
}

std::optional<std::vector<ShapeVec>> Det::infer_shape(const Apply&, const std::vector<ShapeVec>&) const {
  return std::vector<ShapeVec>{ShapeVec{}};
}

std::vector<Var> Det::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!connected(g, 0)) return {disconnected_var()};
  return {mul(mul(g[0], node.output(0)), transpose(matrix_inverse(node.input(0))))};
}

// ---- MatrixPinv ----

ApplyPtr MatrixPinv::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_matrix(inputs[0], kName);
  return Apply::create(ptr(), inputs, {float_tensor(t.elem(), 2)});
}

void MatrixPinv::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = kernels::pinv(as_array(*inputs[0], kName), params_.rcond, kName);
}

std::optional<std::vector<ShapeVec>> MatrixPinv::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[0][1], s[0][0]}};
}

std::vector<Var> MatrixPinv::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!connected(g, 0)) return {disconnected_var()};
  // gA = -Z^T G Z^T + (I - X Z) G^T Z Z^T + Z^T Z G^T (I - Z X), Z = pinv(X).
  const Var &x = node.input(0), &z = node.output(0), &gz = g[0];
  Var zt = transpose(z), gt = transpose(gz);
  Var xz = dot(x, z), zx = dot(z, x);
  Var t1 = neg(matrix_dot({zt, gz, zt}));
  Var t2 = matrix_dot({sub(identity_like(xz), xz), gt, z, zt});
  Var t3 = matrix_dot({zt, z, gt, sub(identity_like(zx), zx)});
  return {add(add(t1, t2), t3)};
}

// ---- Eig ----

ApplyPtr Eig::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_matrix(inputs[0], kName);
  return Apply::create(ptr(), inputs, {float_tensor(t.elem(), 1), float_tensor(t.elem(), 2)});
}

void Eig::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  auto r = kernels::eig(as_array(*inputs[0], kName), kName);
  outputs[0] = r[0];
  outputs[1] = r[1];
}

std::optional<std::vector<ShapeVec>> Eig::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[0][0]}, s[0]};
}

// ---- Eigh / EighGrad ----

std::string Eigh::str() const { return "Eigh{" + params_.uplo + "}"; }

ApplyPtr Eigh::make_node_checked(const std::vector<Var>& inputs) const {
  check_uplo(params_.uplo, kName);
  const TensorType& t = check_float_matrix(inputs[0], kName);
  return Apply::create(ptr(), inputs, {float_tensor(t.elem(), 1), float_tensor(t.elem(), 2)});
}

void Eigh::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  auto r = kernels::eigh(as_array(*inputs[0], kName), nullptr, params_.uplo == "L", true, kName);
  outputs[0] = r[0];
  outputs[1] = r[1];
}

std::optional<std::vector<ShapeVec>> Eigh::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[0][0]}, s[0]};
}

std::vector<Var> Eigh::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!connected(g, 0) && !connected(g, 1)) return {disconnected_var()};
  Var w = node.output(0), v = node.output(1);
  Var gw = connected(g, 0) ? g[0] : zeros_like(w);
  Var gv = connected(g, 1) ? g[1] : zeros_like(v);
  return {apply1(*std::make_shared<EighGrad>(params_), {node.input(0), w, v, gw, gv})};
}

std::string EighGrad::str() const { return "EighGrad{" + params_.uplo + "}"; }

ApplyPtr EighGrad::make_node_checked(const std::vector<Var>& inputs) const {
  check_uplo(params_.uplo, kName);
  const TensorType& t = check_float_matrix(inputs[0], kName);
  const int nd[] = {2, 1, 2, 1, 2};
  for (int i = 1; i < 5; ++i) {
    const TensorType& u = check_tensor_input(inputs[i], kName);
    if (u.ndim() != nd[i] || u.elem() != t.elem())
      type_error("[", kName, "] input ", i, " must be a ", dtype_name(t.elem()), nd[i] == 1 ? " vector" : " matrix",
                 ", got ", u.str());
  }
  return Apply::create(ptr(), inputs, {float_tensor(t.elem(), 2)});
}

void EighGrad::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray &w = as_array(*inputs[1], kName), &v = as_array(*inputs[2], kName);
  const NDArray &gw = as_array(*inputs[3], kName), &gv = as_array(*inputs[4], kName);
  if (v.ndim() != 2 || v.shape(0) != w.shape(0) || gw.shape() != w.shape() || gv.shape() != v.shape())
    value_error("[", kName, "] inconsistent shapes: w ", shape_str(w.shape()), ", v ", shape_str(v.shape()), ", gw ",
                shape_str(gw.shape()), ", gv ", shape_str(gv.shape()));
  outputs[0] = kernels::eigh_grad(w, v, &gw, &gv, params_.uplo == "L");
}

std::optional<std::vector<ShapeVec>> EighGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

// ---- SVD ----

std::string SVD::str() const {
  return std::string("SVD{full_matrices=") + (params_.full_matrices ? "True" : "False") +
         ", compute_uv=" + (params_.compute_uv ? "True" : "False") + "}";
}

ApplyPtr SVD::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_matrix(inputs[0], kName);
  if (!params_.compute_uv) return Apply::create(ptr(), inputs, {float_tensor(t.elem(), 1)});
  return Apply::create(ptr(), inputs, {float_tensor(t.elem(), 2), float_tensor(t.elem(), 1), float_tensor(t.elem(), 2)});
}

void SVD::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  auto r = kernels::svd(as_array(*inputs[0], kName), params_.full_matrices, params_.compute_uv, kName);
  for (size_t i = 0; i < r.size(); ++i) outputs[i] = r[i];
}

std::optional<std::vector<ShapeVec>> SVD::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  const Var &m = s[0][0], &n = s[0][1];
  Var k = min_i(m, n);
  if (!params_.compute_uv) return std::vector<ShapeVec>{{k}};
  if (params_.full_matrices) return std::vector<ShapeVec>{{m, m}, {k}, {n, n}};
  return std::vector<ShapeVec>{{m, k}, {k}, {k, n}};
}

std::vector<Var> SVD::vjp(const Apply& node, const std::vector<Var>& g) const {
  const size_t is = params_.compute_uv ? 1 : 0;
  const bool gs = connected(g, is);
  const bool guv = params_.compute_uv && (connected(g, 0) || connected(g, 2));
  if (!gs && !guv) return {disconnected_var()};
  if (guv && params_.full_matrices)
    return {grad_not_implemented(*this, 0, "the u/vt gradient of SVD with full_matrices=True (use full_matrices=False)")};
  const Var& a = node.input(0);
  Var u, s, vt;
  if (params_.compute_uv && !params_.full_matrices) {
    u = node.output(0), s = node.output(1), vt = node.output(2);
  } else {
    auto r = svd(a, false, true);
    u = r[0], s = r[1], vt = r[2];
  }
  // The singular-value term: U diag(gs) V^T.
  Var core = gs ? diag(g[is]) : Var();
  if (!guv) return {matrix_dot({u, core, vt})};
  // Townsend: gA = U [(F o (U^T gU - gU^T U)) S + diag(gs) + S (F o (V^T gV - gV^T V))] V^T
  //              + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T),  F[i,j] = 1/(s_j^2 - s_i^2).
  Var v = transpose(vt);
  Var gu = connected(g, 0) ? g[0] : zeros_like(u);
  Var gv = connected(g, 2) ? transpose(g[2]) : zeros_like(v);
  Var s2 = sqr(s);
  Var eye_k = identity_like(diag(s));
  Var f = true_div(sub(ones_like(eye_k), eye_k),
                   add(sub(dimshuffle(s2, {-1, 0}), dimshuffle(s2, {0, -1})), eye_k));
  Var ut_gu = dot(transpose(u), gu), vt_gv = dot(vt, gv);
  Var smat = diag(s), sinv = diag(inv(s));
  Var inner = add(dot(mul(f, sub(ut_gu, transpose(ut_gu))), smat), dot(smat, mul(f, sub(vt_gv, transpose(vt_gv)))));
  if (gs) inner = add(inner, core);
  Var res = matrix_dot({u, inner, vt});
  Var uut = dot(u, transpose(u)), vvt = dot(v, vt);
  res = add(res, matrix_dot({sub(identity_like(uut), uut), gu, sinv, vt}));
  res = add(res, matrix_dot({u, sinv, transpose(gv), sub(identity_like(vvt), vvt)}));
  return {res};
}

// ---- QRFull / QRIncomplete / QRGrad ----

namespace {

std::vector<ShapeVec> qr_shapes(const std::string& mode, const ShapeVec& s) {
  const Var &m = s[0], &n = s[1];
  Var k = min_i(m, n);
  if (mode == "reduced") return {{m, k}, {k, n}};
  if (mode == "complete") return {{m, m}, {m, n}};
  if (mode == "r") return {{k, n}};
  return {{n, m}, {k}};  // raw
}

// The gradient of qr(a) in 'reduced' (or square 'complete') mode, or of 'r' alone.
Var qr_vjp(const Op& op, const Apply& node, const std::vector<Var>& g, const std::string& mode) {
  if (mode == "raw") return grad_not_implemented(op, 0, "the gradient of qr(mode='raw')");
  Var q, r, dq, dr;
  if (mode == "r") {
    auto qrv = qr(node.input(0), "reduced");
    q = qrv[0], r = node.output(0), dr = g[0];
    dq = zeros_like(q);
  } else {
    q = node.output(0), r = node.output(1);
    dq = connected(g, 0) ? g[0] : zeros_like(q);
    dr = connected(g, 1) ? g[1] : zeros_like(r);
  }
  return apply1(*std::make_shared<QRGrad>(), {q, r, dq, dr});
}

}  // namespace

std::string QRFull::str() const { return "QRFull{" + params_.mode + "}"; }

ApplyPtr QRFull::make_node_checked(const std::vector<Var>& inputs) const {
  const std::string& m = params_.mode;
  if (m != "reduced" && m != "complete" && m != "raw")
    value_error("[", kName, "] mode must be 'reduced', 'complete' or 'raw', got '", m, "'");
  const TensorType& t = check_float_matrix(inputs[0], kName);
  return Apply::create(ptr(), inputs, {float_tensor(t.elem(), 2), float_tensor(t.elem(), m == "raw" ? 1 : 2)});
}

void QRFull::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  auto r = kernels::qr(as_array(*inputs[0], kName), params_.mode, kName);
  outputs[0] = r[0];
  outputs[1] = r[1];
}

std::optional<std::vector<ShapeVec>> QRFull::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return qr_shapes(params_.mode, s[0]);
}

std::vector<Var> QRFull::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!connected(g, 0) && !connected(g, 1)) return {disconnected_var()};
  return {qr_vjp(*this, node, g, params_.mode)};
}

std::string QRIncomplete::str() const { return "QRIncomplete{" + params_.mode + "}"; }

ApplyPtr QRIncomplete::make_node_checked(const std::vector<Var>& inputs) const {
  if (params_.mode != "r") value_error("[", kName, "] mode must be 'r', got '", params_.mode, "'");
  const TensorType& t = check_float_matrix(inputs[0], kName);
  return Apply::create(ptr(), inputs, {float_tensor(t.elem(), 2)});
}

void QRIncomplete::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = kernels::qr(as_array(*inputs[0], kName), "r", kName)[0];
}

std::optional<std::vector<ShapeVec>> QRIncomplete::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return qr_shapes("r", s[0]);
}

std::vector<Var> QRIncomplete::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!connected(g, 0)) return {disconnected_var()};
  return {qr_vjp(*this, node, g, "r")};
}

ApplyPtr QRGrad::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_matrix(inputs[0], kName);
  for (int i = 1; i < 4; ++i)
    if (check_float_matrix(inputs[i], kName).elem() != t.elem())
      type_error("[", kName, "] all inputs must have dtype ", dtype_name(t.elem()));
  return Apply::create(ptr(), inputs, {float_tensor(t.elem(), 2)});
}

void QRGrad::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray &q = as_array(*inputs[0], kName), &r = as_array(*inputs[1], kName);
  const NDArray &dq = as_array(*inputs[2], kName), &dr = as_array(*inputs[3], kName);
  if (dq.shape() != q.shape() || dr.shape() != r.shape())
    value_error("[", kName, "] gradient shapes ", shape_str(dq.shape()), ", ", shape_str(dr.shape()), " differ from q ",
                shape_str(q.shape()), ", r ", shape_str(r.shape()));
  outputs[0] = kernels::qr_grad(q, r, &dq, &dr, kName);
}

std::optional<std::vector<ShapeVec>> QRGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[0][0], s[1][1]}};
}

// ---- Lstsq ----

ApplyPtr Lstsq::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& a = check_float_matrix(inputs[0], kName);
  const TensorType& b = check_tensor_input(inputs[1], kName);
  if (b.ndim() < 1 || b.ndim() > 2) type_error("[", kName, "] b must be a vector or a matrix, got ", b.str());
  if (b.elem() != a.elem()) type_error("[", kName, "] a and b must have the same dtype, got ", a.str(), " and ", b.str());
  const TensorType& rc = check_tensor_input(inputs[2], kName);
  if (rc.ndim() != 0) type_error("[", kName, "] rcond must be a scalar, got ", rc.str());
  return Apply::create(ptr(), inputs,
                       {float_tensor(a.elem(), b.ndim()), float_tensor(a.elem(), 1), TensorType::make(DType::Int64, {}),
                        float_tensor(a.elem(), 1)});
}

void Lstsq::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const double rcond = as_array(*inputs[2], kName).astype(DType::Float64).item<double>();
  auto r = kernels::lstsq(as_array(*inputs[0], kName), as_array(*inputs[1], kName), rcond, kName);
  for (int i = 0; i < 4; ++i) outputs[i] = r[i];
}

// ---- dtype helpers ----

DType linalg_float_dtype(const std::vector<Var>& vs) {
  DType d = tensor_type(vs[0])->elem();
  for (size_t i = 1; i < vs.size(); ++i) d = upcast(d, tensor_type(vs[i])->elem());
  if (d == DType::Float32 || d == DType::Float64) return d;
  if (d == DType::Float16) return DType::Float32;
  if (is_complex(d)) type_error("[linalg] complex matrices are not supported");
  return DType::Float64;
}

Var as_linalg_float(const Var& v) {
  Var t = as_tensor_variable(v);
  return cast(t, linalg_float_dtype({t}));
}

// ---- builders of single ops ----

Var matrix_inverse(const Var& a) { return apply1(*std::make_shared<MatrixInverse>(), {as_linalg_float(a)}); }

Var det(const Var& a) { return apply1(*std::make_shared<Det>(), {as_linalg_float(a)}); }

Var pinv(const Var& a, double rcond) {
  return apply1(*std::make_shared<MatrixPinv>(PinvParams{rcond}), {as_linalg_float(a)});
}

std::vector<Var> eig(const Var& a) { return apply_op(*std::make_shared<Eig>(), {as_linalg_float(a)}); }

std::vector<Var> eigh(const Var& a, const std::string& uplo) {
  check_uplo(uplo, "Eigh");
  return apply_op(*std::make_shared<Eigh>(UploParams{uplo}), {as_linalg_float(a)});
}

std::vector<Var> svd(const Var& a, bool full_matrices, bool compute_uv) {
  return apply_op(*std::make_shared<SVD>(SVDParams{full_matrices, compute_uv}), {as_linalg_float(a)});
}

std::vector<Var> qr(const Var& a, const std::string& mode) {
  if (mode == "r") return apply_op(*std::make_shared<QRIncomplete>(QRParams{mode}), {as_linalg_float(a)});
  if (mode != "reduced" && mode != "complete" && mode != "raw")
    value_error("[qr] mode must be 'reduced', 'complete', 'r' or 'raw', got '", mode, "'");
  return apply_op(*std::make_shared<QRFull>(QRParams{mode}), {as_linalg_float(a)});
}

std::vector<Var> lstsq(const Var& a_in, const Var& b_in, const Var& rcond) {
  Var a = as_tensor_variable(a_in), b = as_tensor_variable(b_in);
  const DType d = linalg_float_dtype({a, b});
  Var rc = rcond ? cast(as_tensor_variable(rcond), DType::Float64) : constant(NDArray::scalar<double>(-1.0));
  return apply_op(*std::make_shared<Lstsq>(), {cast(a, d), cast(b, d), rc});
}

}  // namespace hypatia
