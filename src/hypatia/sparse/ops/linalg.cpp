// SpFactorType, SpFactor, SpSolve, SpSolveGradA, SpSolveMatvec and the spsolve builder.
#include "hypatia/sparse/ops/linalg.h"

#include "hypatia/sparse/ops/arith.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/csm.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

// ---------------------------------------------------------------- SpFactorType

namespace {
const sk::SparseFactor& as_factor(const Value& v, const char* who) {
  if (const auto* o = std::get_if<OpaquePtr>(&v))
    if (const auto* f = dynamic_cast<const SparseFactorValue*>(o->get()); f && f->factor) return *f->factor;
  type_error("[", who, "] expected a sparse factorisation (SpFactorType), got ", value_repr(v));
}
sk::SolveKind kind_of(const std::string& assume_a) { return sk::solve_kind_from_name(assume_a, "SpSolve"); }
const SparseType& float_sparse(const Var& v, const char* who) {
  const SparseType& t = expect_sparse(v, who);
  if (t.elem() != DType::Float32 && t.elem() != DType::Float64)
    type_error("[", who, "] A must be a float32 or float64 sparse matrix, got ", t.str());
  return t;
}
const TensorType& rhs_type(const Var& v, DType d, const char* who, const char* what) {
  const TensorType& t = expect_dense(v, who);
  if (t.ndim() < 1 || t.ndim() > 2) type_error("[", who, "] ", what, " must be a dense vector or matrix, got ", t.str());
  if (t.elem() != d) type_error("[", who, "] ", what, " must have A's dtype ", dtype_name(d), ", got ", t.str());
  return t;
}
bool symmetric_kind(const std::string& assume_a) { return assume_a != "gen"; }
/// SpSolve applied to (A, F, r); trans only matters for 'gen' (S(A) is symmetric), so the
/// symmetric kinds always use trans=false and merge with the forward solve's op.
Var solve_with(const Var& a, const Var& f, const Var& r, const std::string& assume_a, bool trans) {
  return apply_new<SpSolve>({a, f, r}, SpSolveParams{assume_a, trans && !symmetric_kind(assume_a)});
}
Var matvec(const Var& a, const Var& v, const std::string& assume_a, bool trans) {
  return apply_new<SpSolveMatvec>({a, v}, SpSolveParams{assume_a, trans && !symmetric_kind(assume_a)});
}
Var grad_a(const Var& a, const Var& u, const Var& x, const std::string& assume_a) {
  return apply_new<SpSolveGradA>({a, u, x}, SpFactorParams{assume_a});
}
}  // namespace

std::shared_ptr<const SpFactorType> SpFactorType::make() {
  static const auto t = std::make_shared<const SpFactorType>();
  return t;
}

Value SpFactorType::filter(const Value& v, bool, bool) const {
  (void)as_factor(v, "SpFactorType");
  return v;
}

bool SpFactorType::values_eq_approx(const Value& a, const Value& b, std::optional<double>, std::optional<double>) const {
  return as_factor(a, "SpFactorType").same_matrix(as_factor(b, "SpFactorType"));
}

// ---------------------------------------------------------------- SpFactor

std::string SpFactor::str() const { return "SpFactor{" + params_.assume_a + "}"; }
bool SpFactor::constant_foldable(const Apply&) const { return false; }

ApplyPtr SpFactor::make_node_checked(const std::vector<Var>& inputs) const {
  (void)kind_of(params_.assume_a);
  float_sparse(inputs[0], "SpSolve");
  return Apply::create(ptr(), inputs, {SpFactorType::make()});
}

void SpFactor::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& a = sparse_input(inputs, 0, "SpSolve");
  outputs[0] = OpaquePtr(std::make_shared<SparseFactorValue>(sk::SparseFactor::factorize(a, kind_of(params_.assume_a), "SpSolve")));
}

std::optional<std::vector<ShapeVec>> SpFactor::infer_shape(const Apply&, const std::vector<ShapeVec>&) const {
  return std::vector<ShapeVec>{ShapeVec{}};
}
std::vector<Var> SpFactor::vjp(const Apply&, const std::vector<Var>&) const { return {disconnected_var()}; }
// A factor has no tangent: SpSolve's R-op differentiates through A itself (dM x).
std::vector<Var> SpFactor::jvp(const Apply&, const std::vector<Var>&) const { return {Var()}; }
std::vector<std::vector<bool>> SpFactor::connection_pattern(const Apply&) const { return {{false}}; }

// ---------------------------------------------------------------- SpSolve

std::string SpSolve::str() const { return str_cat("SpSolve{", params_.assume_a, params_.trans ? ",trans" : "", "}"); }

ApplyPtr SpSolve::make_node_checked(const std::vector<Var>& inputs) const {
  (void)kind_of(params_.assume_a);
  const SparseType& a = float_sparse(inputs[0], kName);
  if (!inputs[1] || !dynamic_cast<const SpFactorType*>(inputs[1].type().get()))
    type_error("[", kName, "] the second input must be SpFactor(A), got ", inputs[1] ? inputs[1].type()->str() : "None");
  const TensorType& b = rhs_type(inputs[2], a.elem(), kName, "b");
  return Apply::create(ptr(), inputs, {TensorType::make(a.elem(), std::vector<bool>(b.ndim(), false))});
}

void SpSolve::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& a = sparse_input(inputs, 0, kName);
  const sk::SparseFactor& f = as_factor(*inputs[1], kName);
  if (f.n() != a.rows() || a.rows() != a.cols() || f.kind() != kind_of(params_.assume_a))
    value_error("[", kName, "] the factorisation does not belong to A (", f.repr(), ", A ", shape_str(a.shape()), ")");
  outputs[0] = f.solve(as_array(*inputs[2], kName), params_.trans, a.dtype(), kName);
}

std::optional<std::vector<ShapeVec>> SpSolve::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[2]};
}

std::vector<std::vector<bool>> SpSolve::connection_pattern(const Apply&) const { return {{true}, {false}, {true}}; }

std::vector<Var> SpSolve::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var(), disconnected_var()};
  const Var &a = node.input(0), &f = node.input(1), &y = node.output(0);
  const std::string& kind = params_.assume_a;
  // y = M^{-1} b: w = M^{-T} g, gA_ij = -w_i y_j. y = M^{-T} b: w = M^{-1} g, gA_ij = -y_i w_j.
  Var gy = dense_grad(g[0]);
  Var w = solve_with(a, f, gy, kind, !params_.trans);
  Var ga = params_.trans ? grad_a(a, y, w, kind) : grad_a(a, w, y, kind);
  return {ga, disconnected_var(), w};
}

std::vector<Var> SpSolve::jvp(const Apply& node, const std::vector<Var>& ev) const {
  const Var &a = node.input(0), &f = node.input(1), &y = node.output(0);
  const bool has_da = ev[0] && !is_disconnected(ev[0]) && !is_null(ev[0]);
  const bool has_db = ev[2] && !is_disconnected(ev[2]) && !is_null(ev[2]);
  if (!has_da && !has_db) return {Var()};
  const DType d = sparse_type(a)->elem();
  // dy = M^{-1} (db - dM y) (transposed: M^{-T} (db - dM^T y)).
  Var r;
  if (has_db) r = cast(dense_grad(ev[2]), d);
  if (has_da) {
    Var dm_y = matvec(as_sparse_grad(sparse::cast(ev[0], d), a), y, params_.assume_a, params_.trans);
    r = r ? sub(r, dm_y) : neg(dm_y);
  }
  return {solve_with(a, f, r, params_.assume_a, params_.trans)};
}

// ---------------------------------------------------------------- SpSolveGradA

std::string SpSolveGradA::str() const { return "SpSolveGradA{" + params_.assume_a + "}"; }

ApplyPtr SpSolveGradA::make_node_checked(const std::vector<Var>& inputs) const {
  (void)kind_of(params_.assume_a);
  const SparseType& a = float_sparse(inputs[0], kName);
  const TensorType& u = rhs_type(inputs[1], a.elem(), kName, "u");
  const TensorType& x = rhs_type(inputs[2], a.elem(), kName, "x");
  if (u.ndim() != x.ndim()) type_error("[", kName, "] u and x must have the same rank, got ", u.str(), " and ", x.str());
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}

void SpSolveGradA::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = sk::solve_grad_a(sparse_input(inputs, 0, kName), as_array(*inputs[1], kName), as_array(*inputs[2], kName),
                                kind_of(params_.assume_a));
}

std::optional<std::vector<ShapeVec>> SpSolveGradA::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<std::vector<bool>> SpSolveGradA::connection_pattern(const Apply&) const { return {{false}, {true}, {true}}; }

std::vector<Var> SpSolveGradA::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var(), disconnected_var()};
  const Var &a = node.input(0), &u = node.input(1), &x = node.input(2);
  // L = sum_e G_e out_e = -u^T M(G) x over the output's pattern: gu = -M(G) x, gx = -M(G)^T u.
  Var gg = sparse::mul(sparse::sp_ones_like(a), as_sparse_grad(g[0], node.output(0)));
  return {disconnected_var(), neg(matvec(gg, x, params_.assume_a, false)), neg(matvec(gg, u, params_.assume_a, true))};
}

// ---------------------------------------------------------------- SpSolveMatvec

std::string SpSolveMatvec::str() const { return str_cat("SpSolveMatvec{", params_.assume_a, params_.trans ? ",trans" : "", "}"); }

ApplyPtr SpSolveMatvec::make_node_checked(const std::vector<Var>& inputs) const {
  (void)kind_of(params_.assume_a);
  const SparseType& a = float_sparse(inputs[0], kName);
  const TensorType& v = rhs_type(inputs[1], a.elem(), kName, "v");
  return Apply::create(ptr(), inputs, {TensorType::make(a.elem(), std::vector<bool>(v.ndim(), false))});
}

void SpSolveMatvec::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& a = sparse_input(inputs, 0, kName);
  outputs[0] = sk::solve_matvec(a, as_array(*inputs[1], kName), kind_of(params_.assume_a), params_.trans, a.dtype());
}

std::optional<std::vector<ShapeVec>> SpSolveMatvec::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[1]};
}

std::vector<Var> SpSolveMatvec::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var()};
  const Var &a = node.input(0), &v = node.input(1);
  Var gy = dense_grad(g[0]);
  // y = M v: gv = M^T g; gA_ij = g_i v_j (transposed: v_i g_j), i.e. -SpSolveGradA.
  Var ga = sparse::neg(params_.trans ? grad_a(a, v, gy, params_.assume_a) : grad_a(a, gy, v, params_.assume_a));
  return {ga, matvec(a, gy, params_.assume_a, !params_.trans)};
}

// ---------------------------------------------------------------- builder

namespace sparse {

Var spsolve(const Var& a_in, const Var& b_in, const std::string& assume_a) {
  (void)kind_of(assume_a);
  const SparseType& at = expect_sparse(a_in, "SpSolve");
  if (!b_in) type_error("[SpSolve] b must be a dense vector or matrix, got None");
  if (sparse_type(b_in)) type_error("[SpSolve] b must be a dense vector or matrix, got the sparse ", b_in.type()->str());
  Var b = as_tensor_variable(b_in);
  const TensorType& bt = expect_dense(b, "SpSolve");
  if (bt.ndim() < 1 || bt.ndim() > 2) type_error("[SpSolve] b must be a dense vector or matrix, got ", bt.str());
  if (is_complex(at.elem()) || is_complex(bt.elem()))
    type_error("[SpSolve] complex systems are not supported, got ", at.str(), " and ", bt.str());
  DType d = upcast(at.elem(), bt.elem());
  if (d == DType::Float16) d = DType::Float32;
  if (d != DType::Float32) d = DType::Float64;
  Var a = at.elem() == d ? a_in : sparse::cast(a_in, d);
  if (bt.elem() != d) b = hypatia::cast(b, d);
  Var f = apply_new<SpFactor>({a}, SpFactorParams{assume_a});
  return solve_with(a, f, b, assume_a, false);
}

}  // namespace sparse

}  // namespace hypatia
