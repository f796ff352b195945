// Theano's tensor.nlinalg basics: MatrixInverse and Det, through LAPACK.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// inv(X) of a square float matrix (integer inputs are cast to float64 by the builder).
/// A singular matrix raises ValueError "[MatrixInverse] singular matrix ...".
/// Gradient: -X^-T g X^-T (the manual's formula misses the minus sign); R_op: -X^-1 V X^-1.
class MatrixInverse final : public OpBase<MatrixInverse, NoParams> {
  HYPATIA_OP(MatrixInverse, 1, make_node, perform, infer_shape, vjp, jvp)
};

/// det(X) of a square float matrix, a 0-d result. Gradient: g * det(X) * inv(X)^T.
class Det final : public OpBase<Det, NoParams> {
  HYPATIA_OP(Det, 1, make_node, perform, infer_shape, vjp)
};

/// Checks a float32/float64 matrix input of a linalg op (TypeError "[who] ..." otherwise).
const TensorType& check_float_matrix(const Var& v, const char* who);

/// The common float dtype of the operands (integers become float64, as numpy.linalg); TypeError
/// "[linalg]" for complex. Shared by the nlinalg and slinalg builders.
DType linalg_float_dtype(const std::vector<Var>& vs);

// ---- builders ----
Var matrix_inverse(const Var& a);
Var det(const Var& a);

}  // namespace hypatia
