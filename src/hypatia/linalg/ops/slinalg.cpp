// The slinalg ops (Solve, Cholesky, Eigvalsh, Expm and their gradients) and builders.
#include "hypatia/linalg/ops/slinalg.h"

#include "hypatia/linalg/kernels/decomp.h"
#include "hypatia/linalg/kernels/lapack_kernel.h"
#include "hypatia/linalg/ops/nlinalg.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/linalg.h"
#include "hypatia/tensor/ops/creation.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {
namespace {

bool connected(const std::vector<Var>& g, size_t i) { return i < g.size() && g[i] && !is_disconnected(g[i]); }

// The triangle of g a function reading only that triangle of its symmetric argument sees:
// tril(g) + tril(g^T, -1) (lower) or triu(g) + triu(g^T, 1).
Var fold_sym(const Var& g, bool lower) {
  return lower ? add(tril(g), tril(transpose(g), -1)) : add(triu(g), triu(transpose(g), 1));
}

}  // namespace

// ---- Solve ----

std::string Solve::str() const {
  std::string s = "Solve{" + params_.assume_a;
  if (params_.assume_a != "gen") s += params_.lower ? ", lower" : ", upper";
  if (params_.unit_diagonal) s += ", unit_diagonal";
  return s + "}";
}

ApplyPtr Solve::make_node_checked(const std::vector<Var>& inputs) const {
  const std::string& k = params_.assume_a;
  if (k != "gen" && k != "sym" && k != "pos" && k != "tri")
    value_error("[", kName, "] assume_a must be 'gen', 'sym', 'pos' or 'tri', got '", k, "'");
  const TensorType& a = check_float_matrix(inputs[0], kName);
  const TensorType& b = check_tensor_input(inputs[1], kName);
  if (b.ndim() < 1 || b.ndim() > 2) type_error("[", kName, "] b must be a vector or a matrix, got ", b.str());
  if (b.elem() != a.elem()) type_error("[", kName, "] a and b must have the same dtype, got ", a.str(), " and ", b.str());
  return Apply::create(ptr(), inputs, {TensorType::make(a.elem(), std::vector<bool>(b.ndim(), false))});
}

void Solve::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = kernels::solve(as_array(*inputs[0], kName), as_array(*inputs[1], kName), params_.assume_a, params_.lower,
                              params_.unit_diagonal, kName);
}

std::optional<std::vector<ShapeVec>> Solve::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[1]};
}

std::vector<Var> Solve::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!connected(g, 0)) return {disconnected_var(), disconnected_var()};
  const Var &a = node.input(0), &x = node.output(0);
  const SolveParams& p = params_;
  Var gb;
  if (p.assume_a == "gen") {
    gb = apply1(*std::make_shared<Solve>(p), {transpose(a), g[0]});
  } else if (p.assume_a == "tri") {
    // A^T is triangular on the other side.
    gb = apply1(*std::make_shared<Solve>(SolveParams{"tri", !p.lower, p.unit_diagonal}), {transpose(a), g[0]});
  } else {
    gb = apply1(*std::make_shared<Solve>(p), {a, g[0]});  // the matrix read is symmetric
  }
  Var full = neg(x.type()->ndim() == 1 ? outer(gb, x) : dot(gb, transpose(x)));
  Var ga;
  if (p.assume_a == "gen") ga = full;
  else if (p.assume_a == "tri") ga = p.lower ? tril(full, p.unit_diagonal ? -1 : 0) : triu(full, p.unit_diagonal ? 1 : 0);
  else ga = fold_sym(full, p.lower);
  return {ga, gb};
}

// ---- Cholesky ----

ApplyPtr Cholesky::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_matrix(inputs[0], kName);
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {false, false})});
}

void Cholesky::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = kernels::cholesky(as_array(*inputs[0], kName), params_.lower, params_.nan_on_error, kName);
}

std::optional<std::vector<ShapeVec>> Cholesky::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> Cholesky::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!connected(g, 0)) return {disconnected_var()};
  return {apply1(*std::make_shared<CholeskyGrad>(params_), {node.input(0), node.output(0), g[0]})};
}

// ---- CholeskyGrad ----

ApplyPtr CholeskyGrad::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_matrix(inputs[0], kName);
  for (int i = 1; i < 3; ++i) {
    const TensorType& u = check_float_matrix(inputs[i], kName);
    if (u.elem() != t.elem()) type_error("[", kName, "] all inputs must have dtype ", dtype_name(t.elem()));
  }
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {false, false})});
}

void CholeskyGrad::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& l = as_array(*inputs[1], kName);
  const NDArray& dl = as_array(*inputs[2], kName);
  if (l.shape() != dl.shape()) value_error("[", kName, "] L ", shape_str(l.shape()), " and dL ", shape_str(dl.shape()), " differ");
  outputs[0] = kernels::cholesky_grad(l, dl, params_.lower);
}

std::optional<std::vector<ShapeVec>> CholeskyGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

// ---- Eigvalsh / EigvalshGrad ----

std::string Eigvalsh::str() const { return std::string("Eigvalsh{lower=") + (params_.lower ? "True" : "False") + "}"; }

ApplyPtr Eigvalsh::make_node_checked(const std::vector<Var>& inputs) const {
  if (inputs.empty() || inputs.size() > 2) type_error("[", kName, "] expected 1 or 2 inputs (a[, b]), got ", inputs.size());
  const TensorType& t = check_float_matrix(inputs[0], kName);
  if (inputs.size() == 2 && check_float_matrix(inputs[1], kName).elem() != t.elem())
    type_error("[", kName, "] a and b must have the same dtype");
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {false})});
}

void Eigvalsh::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& a = as_array(*inputs[0], kName);
  const NDArray* b = node.inputs().size() == 2 ? &as_array(*inputs[1], kName) : nullptr;
  outputs[0] = kernels::eigh(a, b, params_.lower, false, kName)[0];
}

std::optional<std::vector<ShapeVec>> Eigvalsh::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[0][0]}};
}

std::vector<Var> Eigvalsh::vjp(const Apply& node, const std::vector<Var>& g) const {
  const size_t n_in = node.inputs().size();
  if (!connected(g, 0)) return std::vector<Var>(n_in, disconnected_var());
  std::vector<Var> ins = node.inputs();
  ins.push_back(g[0]);
  return apply_op(*std::make_shared<EigvalshGrad>(params_), ins);
}

std::string EigvalshGrad::str() const {
  return std::string("EigvalshGrad{lower=") + (params_.lower ? "True" : "False") + "}";
}

ApplyPtr EigvalshGrad::make_node_checked(const std::vector<Var>& inputs) const {
  if (inputs.size() < 2 || inputs.size() > 3) type_error("[", kName, "] expected (a, gw) or (a, b, gw), got ", inputs.size(), " inputs");
  const TensorType& t = check_float_matrix(inputs[0], kName);
  if (inputs.size() == 3 && check_float_matrix(inputs[1], kName).elem() != t.elem())
    type_error("[", kName, "] a and b must have the same dtype");
  const TensorType& gw = check_tensor_input(inputs.back(), kName);
  if (gw.ndim() != 1 || gw.elem() != t.elem()) type_error("[", kName, "] gw must be a ", dtype_name(t.elem()), " vector, got ", gw.str());
  std::vector<TypePtr> outs(inputs.size() - 1, TensorType::make(t.elem(), {false, false}));
  return Apply::create(ptr(), inputs, outs);
}

void EigvalshGrad::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const bool gen = node.inputs().size() == 3;
  const NDArray& a = as_array(*inputs[0], kName);
  const NDArray* b = gen ? &as_array(*inputs[1], kName) : nullptr;
  const NDArray& gw = as_array(*inputs[gen ? 2 : 1], kName);
  auto wv = kernels::eigh(a, b, params_.lower, true, kName);
  if (gw.ndim() != 1 || gw.shape(0) != wv[0].shape(0))
    value_error("[", kName, "] gw ", shape_str(gw.shape()), " does not match ", wv[0].shape(0), " eigenvalues");
  outputs[0] = kernels::eigh_grad(wv[0], wv[1], &gw, nullptr, params_.lower);
  if (gen) {
    NDArray gb = gw.astype(DType::Float64), w = wv[0].astype(DType::Float64);
    for (int64_t i = 0; i < gb.size(); ++i) gb.data<double>()[i] *= -w.data<double>()[i];
    outputs[1] = kernels::eigh_grad(wv[0], wv[1], &gb, nullptr, params_.lower);
  }
}

std::optional<std::vector<ShapeVec>> EigvalshGrad::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  if (node.inputs().size() == 3) return std::vector<ShapeVec>{s[0], s[1]};
  return std::vector<ShapeVec>{s[0]};
}

// ---- Expm / ExpmGrad ----

ApplyPtr Expm::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_matrix(inputs[0], kName);
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {false, false})});
}

void Expm::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = kernels::expm(as_array(*inputs[0], kName), kName);
}

std::optional<std::vector<ShapeVec>> Expm::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> Expm::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!connected(g, 0)) return {disconnected_var()};
  return {apply1(*std::make_shared<ExpmGrad>(), {node.input(0), g[0]})};
}

ApplyPtr ExpmGrad::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_matrix(inputs[0], kName);
  if (check_float_matrix(inputs[1], kName).elem() != t.elem()) type_error("[", kName, "] A and gE must have the same dtype");
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {false, false})});
}

void ExpmGrad::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = kernels::expm_grad(as_array(*inputs[0], kName), as_array(*inputs[1], kName), kName);
}

std::optional<std::vector<ShapeVec>> ExpmGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

// ---- builders ----

Var solve(const Var& a_in, const Var& b_in, const std::string& assume_a, bool lower) {
  SolveParams p{assume_a, lower, false};
  if (assume_a == "general" || assume_a == "symmetric") p.assume_a = "gen";  // Theano's A_structure
  else if (assume_a == "lower_triangular") p = SolveParams{"tri", true, false};
  else if (assume_a == "upper_triangular") p = SolveParams{"tri", false, false};
  else if (assume_a == "her") p.assume_a = "sym";  // real matrices: Hermitian is symmetric
  else if (assume_a != "gen" && assume_a != "sym" && assume_a != "pos")
    value_error("[Solve] assume_a must be 'gen', 'sym', 'her' or 'pos' (or A_structure 'general', 'symmetric', "
                "'lower_triangular', 'upper_triangular'), got '", assume_a, "'");
  Var a = as_tensor_variable(a_in), b = as_tensor_variable(b_in);
  const DType d = linalg_float_dtype({a, b});
  return apply1(*std::make_shared<Solve>(p), {cast(a, d), cast(b, d)});
}

Var solve_triangular(const Var& a_in, const Var& b_in, int trans, bool lower, bool unit_diagonal) {
  if (trans != 0 && trans != 1) value_error("[solve_triangular] trans must be 0 ('N') or 1 ('T'), got ", trans);
  Var a = as_tensor_variable(a_in), b = as_tensor_variable(b_in);
  const DType d = linalg_float_dtype({a, b});
  a = cast(a, d);
  if (trans == 1) {
    a = transpose(a);
    lower = !lower;
  }
  return apply1(*std::make_shared<Solve>(SolveParams{"tri", lower, unit_diagonal}), {a, cast(b, d)});
}

Var cho_solve(const Var& c, const Var& b, bool lower) {
  // lower: L (L^T x) = b; upper: U^T (U x) = b.
  Var y = solve_triangular(c, b, lower ? 0 : 1, lower);
  return solve_triangular(c, y, lower ? 1 : 0, lower);
}

Var cholesky(const Var& a_in, bool lower, const std::string& on_error) {
  if (on_error != "raise" && on_error != "nan") value_error("[Cholesky] on_error must be 'raise' or 'nan', got '", on_error, "'");
  return apply1(*std::make_shared<Cholesky>(CholeskyParams{lower, on_error == "nan"}), {as_linalg_float(a_in)});
}

Var eigvalsh(const Var& a_in, const Var& b_in, bool lower) {
  if (!b_in) return apply1(*std::make_shared<Eigvalsh>(LowerParams{lower}), {as_linalg_float(a_in)});
  Var a = as_tensor_variable(a_in), b = as_tensor_variable(b_in);
  const DType d = linalg_float_dtype({a, b});
  return apply1(*std::make_shared<Eigvalsh>(LowerParams{lower}), {cast(a, d), cast(b, d)});
}

Var expm(const Var& a) { return apply1(*std::make_shared<Expm>(), {as_linalg_float(a)}); }

Var kron(const Var& a_in, const Var& b_in) {
  Var a = as_tensor_variable(a_in), b = as_tensor_variable(b_in);
  const int an = a.type()->ndim(), bn = b.type()->ndim();
  if (an + bn <= 2)
    type_error("[kron] the inputs' dimensions must sum to 3 or more, got ", an, " and ", bn,
               " (use tensor.outer for two vectors)");
  std::vector<Var> shp;
  for (int i = 0; i < an; ++i) shp.push_back(shape_i(a, i));
  for (int i = 0; i < bn; ++i) shp.push_back(shape_i(b, i));
  Var o = reshape(outer(flatten(a, 1), flatten(b, 1)), shp);
  const int nd = an + bn;
  if (nd == 3) return flatten(dimshuffle(o, {1, 0, 2}), 1);
  std::vector<int> perm{0, 2, 1};
  for (int i = 3; i < nd; ++i) perm.push_back(i);
  Var shf = dimshuffle(o, perm);
  std::vector<Var> out{mul(shp[0], shp[2]), mul(shp[1], shp[3])};
  for (int i = 4; i < nd; ++i) out.push_back(shp[i]);
  return reshape(shf, out);
}

}  // namespace hypatia
