// The scalar op table: dtype rules and gradients (as tensor graphs) of each elementwise function.
#include "hypatia/scalar/scalar_ops.h"

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {
namespace {

using Vars = std::vector<Var>;

Vars g_add(const Vars&, const Var&, const Var& gz) { return {gz, gz}; }
Vars g_sub(const Vars&, const Var&, const Var& gz) { return {gz, neg(gz)}; }
Vars g_mul(const Vars& in, const Var&, const Var& gz) { return {mul(gz, in[1]), mul(gz, in[0])}; }
Vars g_div(const Vars& in, const Var& out, const Var& gz) {
  return {true_div(gz, in[1]), neg(true_div(mul(gz, out), in[1]))};
}
Vars g_pow(const Vars& in, const Var& out, const Var& gz) {
  return {mul(gz, mul(in[1], pow(in[0], sub(in[1], constant_int(1))))), mul(gz, mul(log(in[0]), out))};
}
Vars g_neg(const Vars&, const Var&, const Var& gz) { return {neg(gz)}; }
Vars g_exp(const Vars&, const Var& out, const Var& gz) { return {mul(gz, out)}; }
Vars g_log(const Vars& in, const Var&, const Var& gz) { return {true_div(gz, in[0])}; }
Vars g_sqr(const Vars& in, const Var&, const Var& gz) { return {mul(gz, mul(in[0], constant_int(2)))}; }
Vars g_sqrt(const Vars&, const Var& out, const Var& gz) { return {true_div(gz, mul(out, constant_int(2)))}; }
// sigmoid' = s (1 - s); softplus' = sigmoid; log1p' = 1/(1+x); expm1' = expm1(x) + 1 = e^x;
// tanh' = 1 - tanh^2; abs' = sign(x) (0 at 0, as Theano's abs_ grad x/|x| with 0/0 := 0).
Vars g_sigmoid(const Vars&, const Var& out, const Var& gz) {
  return {mul(gz, mul(out, sub(constant_int(1), out)))};
}
Vars g_softplus(const Vars& in, const Var&, const Var& gz) {
  return {mul(gz, elemwise(ScalarOpId::Sigmoid, {in[0]}))};
}
Vars g_log1p(const Vars& in, const Var&, const Var& gz) { return {true_div(gz, add(constant_int(1), in[0]))}; }
Vars g_expm1(const Vars&, const Var& out, const Var& gz) { return {mul(gz, add(out, constant_int(1)))}; }
Vars g_tanh(const Vars&, const Var& out, const Var& gz) { return {mul(gz, sub(constant_int(1), sqr(out)))}; }
Vars g_abs(const Vars& in, const Var&, const Var& gz) {
  // sign(x) = (x > 0) - (x < 0), computed in gz's dtype.
  const Var& x = in[0];
  Var sign = sub(cast(gt(x, constant_int(0)), DType::Int8), cast(lt(x, constant_int(0)), DType::Int8));
  return {mul(gz, sign)};
}
Vars g_cmp(const Vars& in, const Var&, const Var&) { return {zeros_like(in[0]), zeros_like(in[1])}; }
Vars g_id(const Vars&, const Var&, const Var& gz) { return {gz}; }
Vars g_second(const Vars&, const Var&, const Var& gz) { return {disconnected_var(), gz}; }

const ScalarOpInfo kTable[] = {
    {ScalarOpId::Add, "add", 2, DTypeRule::Upcast, true, g_add},
    {ScalarOpId::Sub, "sub", 2, DTypeRule::Upcast, false, g_sub},
    {ScalarOpId::Mul, "mul", 2, DTypeRule::Upcast, true, g_mul},
    {ScalarOpId::TrueDiv, "true_div", 2, DTypeRule::FloatUpcast, true, g_div},
    {ScalarOpId::Pow, "pow", 2, DTypeRule::Upcast, true, g_pow},
    {ScalarOpId::Neg, "neg", 1, DTypeRule::Upcast, false, g_neg},
    {ScalarOpId::Exp, "exp", 1, DTypeRule::FloatUpcast, true, g_exp},
    {ScalarOpId::Log, "log", 1, DTypeRule::FloatUpcast, true, g_log},
    {ScalarOpId::Sqr, "sqr", 1, DTypeRule::Upcast, true, g_sqr},
    {ScalarOpId::Sqrt, "sqrt", 1, DTypeRule::FloatUpcast, true, g_sqrt},
    {ScalarOpId::Eq, "eq", 2, DTypeRule::Bool, true, g_cmp},
    {ScalarOpId::Neq, "neq", 2, DTypeRule::Bool, true, g_cmp},
    {ScalarOpId::Lt, "lt", 2, DTypeRule::Bool, true, g_cmp},
    {ScalarOpId::Gt, "gt", 2, DTypeRule::Bool, true, g_cmp},
    {ScalarOpId::Le, "le", 2, DTypeRule::Bool, true, g_cmp},
    {ScalarOpId::Ge, "ge", 2, DTypeRule::Bool, true, g_cmp},
    {ScalarOpId::Identity, "identity", 1, DTypeRule::Upcast, true, g_id},
    {ScalarOpId::Cast, "cast", 1, DTypeRule::CastTo, true, g_id},
    {ScalarOpId::Second, "second", 2, DTypeRule::Second, true, g_second},
    {ScalarOpId::Sigmoid, "sigmoid", 1, DTypeRule::FloatUpcast, true, g_sigmoid},
    {ScalarOpId::Softplus, "softplus", 1, DTypeRule::FloatUpcast, true, g_softplus},
    {ScalarOpId::Log1p, "log1p", 1, DTypeRule::FloatUpcast, true, g_log1p},
    {ScalarOpId::Expm1, "expm1", 1, DTypeRule::FloatUpcast, true, g_expm1},
    {ScalarOpId::Tanh, "tanh", 1, DTypeRule::FloatUpcast, true, g_tanh},
    {ScalarOpId::Abs, "abs_", 1, DTypeRule::Upcast, true, g_abs},
};

}  // namespace

const ScalarOpInfo& scalar_op_info(ScalarOpId id) {
  const auto& row = kTable[static_cast<int>(id)];
  HYPATIA_ASSERT(row.id == id);
  return row;
}

DType scalar_out_dtype(ScalarOpId id, const std::vector<DType>& in, DType cast_to) {
  const ScalarOpInfo& info = scalar_op_info(id);
  DType up = in[0];
  for (size_t i = 1; i < in.size(); ++i) up = upcast(up, in[i]);
  switch (info.rule) {
    case DTypeRule::Upcast: return up;
    case DTypeRule::FloatUpcast: return float_result(up);
    case DTypeRule::Bool: return DType::Bool;
    case DTypeRule::CastTo: return cast_to;
    case DTypeRule::Second: return in[1];
  }
  return up;
}

DType scalar_compute_dtype(ScalarOpId id, const std::vector<DType>& in, DType out) {
  if (is_comparison(id)) {
    DType up = in[0];
    for (size_t i = 1; i < in.size(); ++i) up = upcast(up, in[i]);
    return up;
  }
  return out;
}

}  // namespace hypatia
