// The dense tensor API: floatX, variable constructors, Python-style constants, builders, operators.
#include "hypatia/tensor/basic.h"

#include <cmath>
#include <limits>

#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {
namespace {
DType g_floatX = DType::Float64;
}  // namespace

DType floatX() { return g_floatX; }
void set_floatX(DType d) {
  if (d != DType::Float16 && d != DType::Float32 && d != DType::Float64)
    type_error("[floatX] must be float16, float32 or float64, got ", dtype_name(d));
  g_floatX = d;
}

// ---- variables and constants ----

Var tensor(DType dtype, std::vector<bool> broadcastable, std::string name) {
  return make_variable(TensorType::make(dtype, std::move(broadcastable)), std::move(name));
}
Var scalar(DType dtype, std::string name) { return tensor(dtype, {}, std::move(name)); }
Var vector(DType dtype, std::string name) { return tensor(dtype, {false}, std::move(name)); }
Var matrix(DType dtype, std::string name) { return tensor(dtype, {false, false}, std::move(name)); }
Var row(DType dtype, std::string name) { return tensor(dtype, {true, false}, std::move(name)); }
Var col(DType dtype, std::string name) { return tensor(dtype, {false, true}, std::move(name)); }
Var tensor3(DType dtype, std::string name) { return tensor(dtype, {false, false, false}, std::move(name)); }
Var tensor4(DType dtype, std::string name) { return tensor(dtype, {false, false, false, false}, std::move(name)); }

Var constant(const NDArray& value, std::string name) {
  std::vector<bool> bc;
  for (int64_t n : value.shape()) bc.push_back(n == 1);
  return make_constant(TensorType::make(value.dtype(), bc), value.copy(), std::move(name));
}

Var constant(double value) {
  // Theano's 'custom' cast policy: the narrowest float holding the value exactly.
  const bool exact32 = !std::isnan(value) && static_cast<double>(static_cast<float>(value)) == value;
  if (exact32 || floatX() == DType::Float32) return constant(NDArray::scalar<float>(static_cast<float>(value)));
  return constant(NDArray::scalar<double>(value));
}

Var constant_int(int64_t v) {
  if (v >= std::numeric_limits<int8_t>::min() && v <= std::numeric_limits<int8_t>::max())
    return constant(NDArray::scalar<int8_t>(static_cast<int8_t>(v)));
  if (v >= std::numeric_limits<int16_t>::min() && v <= std::numeric_limits<int16_t>::max())
    return constant(NDArray::scalar<int16_t>(static_cast<int16_t>(v)));
  if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max())
    return constant(NDArray::scalar<int32_t>(static_cast<int32_t>(v)));
  return constant(NDArray::scalar<int64_t>(v));
}

Var as_tensor_variable(const Var& v) {
  check_tensor_input(v, "as_tensor_variable");
  return v;
}

// ---- elementwise ----

// The operators that another family may define for its own types (Type::apply_operator) offer
// the call to that family first; dense operands go straight to the elementwise op.
namespace {
Var binary(Operator op, ScalarOpId id, const Var& a, const Var& b) {
  if (Var r = dispatch_operator(op, {a, b})) return r;
  return elemwise(id, {a, b});
}
Var unary(Operator op, ScalarOpId id, const Var& x) {
  if (Var r = dispatch_operator(op, {x})) return r;
  return elemwise(id, {x});
}
}  // namespace

Var add(const Var& a, const Var& b) { return binary(Operator::Add, ScalarOpId::Add, a, b); }
Var sub(const Var& a, const Var& b) { return binary(Operator::Sub, ScalarOpId::Sub, a, b); }
Var mul(const Var& a, const Var& b) { return binary(Operator::Mul, ScalarOpId::Mul, a, b); }
Var true_div(const Var& a, const Var& b) { return binary(Operator::TrueDiv, ScalarOpId::TrueDiv, a, b); }
Var pow(const Var& a, const Var& b) { return binary(Operator::Pow, ScalarOpId::Pow, a, b); }
Var neg(const Var& x) { return unary(Operator::Neg, ScalarOpId::Neg, x); }
Var exp(const Var& x) { return elemwise(ScalarOpId::Exp, {x}); }
Var log(const Var& x) { return elemwise(ScalarOpId::Log, {x}); }
Var sqr(const Var& x) { return elemwise(ScalarOpId::Sqr, {x}); }
Var sqrt(const Var& x) { return elemwise(ScalarOpId::Sqrt, {x}); }
Var eq(const Var& a, const Var& b) { return elemwise(ScalarOpId::Eq, {a, b}); }
Var neq(const Var& a, const Var& b) { return elemwise(ScalarOpId::Neq, {a, b}); }
Var lt(const Var& a, const Var& b) { return binary(Operator::Lt, ScalarOpId::Lt, a, b); }
Var log1p(const Var& x) { return elemwise(ScalarOpId::Log1p, {x}); }
Var expm1(const Var& x) { return elemwise(ScalarOpId::Expm1, {x}); }
Var tanh(const Var& x) { return elemwise(ScalarOpId::Tanh, {x}); }
Var abs_(const Var& x) { return unary(Operator::Abs, ScalarOpId::Abs, x); }
Var gt(const Var& a, const Var& b) { return binary(Operator::Gt, ScalarOpId::Gt, a, b); }
Var le(const Var& a, const Var& b) { return binary(Operator::Le, ScalarOpId::Le, a, b); }
Var ge(const Var& a, const Var& b) { return binary(Operator::Ge, ScalarOpId::Ge, a, b); }
Var cast(const Var& x, DType dtype) {
  OperatorOptions opts;
  opts.dtype = dtype;
  if (Var r = dispatch_operator(Operator::Cast, {x}, opts)) return r;
  Var v = as_tensor_variable(x);
  if (tensor_type(v)->elem() == dtype) return v;
  return elemwise(ScalarOpId::Cast, {v}, dtype);
}

// ---- shapes ----

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

Var matmul(const Var& a, const Var& b) {
  if (Var r = dispatch_operator(Operator::MatMul, {a, b})) return r;
  return dot(a, b);
}

Var fill(const Var& model, const Var& value) { return elemwise(ScalarOpId::Second, {model, value}); }

namespace {
Var scalar_of(DType d, double v) {
  NDArray a = NDArray::full(d, {}, v);
  return make_constant(TensorType::make(d, {}), a);
}
}  // namespace

Var zeros_like(const Var& x) { return fill(x, scalar_of(expect_tensor(x, "zeros_like").elem(), 0.0)); }
Var ones_like(const Var& x) { return fill(x, scalar_of(expect_tensor(x, "ones_like").elem(), 1.0)); }

// ---- operators ----

Var operator+(const Var& a, const Var& b) { return add(a, b); }
Var operator-(const Var& a, const Var& b) { return sub(a, b); }
Var operator*(const Var& a, const Var& b) { return mul(a, b); }
Var operator/(const Var& a, const Var& b) { return true_div(a, b); }
Var operator-(const Var& x) { return neg(x); }
Var operator+(const Var& a, double b) { return add(a, constant(b)); }
Var operator+(double a, const Var& b) { return add(constant(a), b); }
Var operator-(const Var& a, double b) { return sub(a, constant(b)); }
Var operator-(double a, const Var& b) { return sub(constant(a), b); }
Var operator*(const Var& a, double b) { return mul(a, constant(b)); }
Var operator*(double a, const Var& b) { return mul(constant(a), b); }
Var operator/(const Var& a, double b) { return true_div(a, constant(b)); }
Var operator/(double a, const Var& b) { return true_div(constant(a), b); }
Var operator>(const Var& a, double b) { return gt(a, constant(b)); }
Var operator<(const Var& a, double b) { return lt(a, constant(b)); }
Var operator+(const Var& a, int b) { return add(a, constant_int(b)); }
Var operator+(int a, const Var& b) { return add(constant_int(a), b); }
Var operator-(const Var& a, int b) { return sub(a, constant_int(b)); }
Var operator-(int a, const Var& b) { return sub(constant_int(a), b); }
Var operator*(const Var& a, int b) { return mul(a, constant_int(b)); }
Var operator*(int a, const Var& b) { return mul(constant_int(a), b); }
Var operator/(const Var& a, int b) { return true_div(a, constant_int(b)); }
Var operator/(int a, const Var& b) { return true_div(constant_int(a), b); }
Var operator>(const Var& a, int b) { return gt(a, constant_int(b)); }
Var operator<(const Var& a, int b) { return lt(a, constant_int(b)); }

}  // namespace hypatia
