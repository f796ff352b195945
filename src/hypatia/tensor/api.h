// The generic tensor API: floatX, variable constructors, constants and as_tensor_variable (no op of their own).
#pragma once
#include <string>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// Default float dtype for Python floats and for int/int division (Theano's config.floatX).
DType floatX();
void set_floatX(DType d);

// ---- variables and constants ----
Var tensor(DType dtype, std::vector<bool> broadcastable, std::string name = "");
Var scalar(DType dtype, std::string name = "");
Var vector(DType dtype, std::string name = "");
Var matrix(DType dtype, std::string name = "");
Var row(DType dtype, std::string name = "");
Var col(DType dtype, std::string name = "");
Var tensor3(DType dtype, std::string name = "");
Var tensor4(DType dtype, std::string name = "");
/// A constant holding `value`; broadcastable where the value has length-1 axes, as Theano.
Var constant(const NDArray& value, std::string name = "");
/// Python-style scalar constants (Theano's 'custom' cast policy): integers get the smallest
/// int dtype holding them; floats get float32 when exactly representable, else float64
/// (float32 whenever floatX is float32).
Var constant(double value);
Var constant_int(int64_t value);
/// Casts/wraps v as a tensor variable (a no-op for tensors; TypeError for sparse).
Var as_tensor_variable(const Var& v);

}  // namespace hypatia
