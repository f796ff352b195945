// The generic tensor API: floatX, variable constructors, Python-style constants, as_tensor_variable.
#include "hypatia/tensor/api.h"

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

}  // namespace hypatia
