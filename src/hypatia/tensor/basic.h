// The dense tensor API users build graphs with: variable constructors, constants, starter ops, operators.
#pragma once
#include <optional>
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

// ---- elementwise (broadcast by static broadcastable flags; numpy dtype promotion) ----
Var add(const Var& a, const Var& b);
Var sub(const Var& a, const Var& b);
Var mul(const Var& a, const Var& b);
Var true_div(const Var& a, const Var& b);  // int/int gives a float
Var pow(const Var& a, const Var& b);
Var neg(const Var& x);
Var exp(const Var& x);
Var log(const Var& x);
Var sqr(const Var& x);
Var sqrt(const Var& x);
Var log1p(const Var& x);  // log(1 + x), accurate for tiny x
Var expm1(const Var& x);  // exp(x) - 1, accurate for tiny x
Var tanh(const Var& x);
Var abs_(const Var& x);   // keeps the dtype (ints stay ints); Theano's abs_
Var eq(const Var& a, const Var& b);  // comparisons return bool (docs/semantics.md, "Dtypes and constants")
Var neq(const Var& a, const Var& b);
Var lt(const Var& a, const Var& b);
Var gt(const Var& a, const Var& b);
Var le(const Var& a, const Var& b);
Var ge(const Var& a, const Var& b);
Var cast(const Var& x, DType dtype);

// ---- reductions ----
/// Sum over `axis` (every axis when nullopt; an empty list reduces nothing, as Theano; negative
/// axes count from the end). Output dtype: `dtype`, else the input's except signed ints -> int64,
/// unsigned -> uint64, bool -> int64. Accumulates in `acc_dtype` (default at least int64 /
/// uint64 / float64 / complex128) and casts. More reductions: hypatia/tensor/reduce.h.
Var sum(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false,
        std::optional<DType> dtype = std::nullopt, std::optional<DType> acc_dtype = std::nullopt);
/// Theano's mean: the sum (float32 accumulating in float64, cast back) divided by the count;
/// integer inputs give float64.
Var mean(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false,
         std::optional<DType> dtype = std::nullopt, std::optional<DType> acc_dtype = std::nullopt);

// ---- products ----
/// matrix.matrix, matrix.vector, vector.matrix and vector.vector through CBLAS; N-d operands sum
/// over the last axis of a and the second-to-last of b (tensordot, see tensor/linalg.h).
/// A sparse operand goes to its family (Theano's theano.dot / __dot__: sparse.structured_dot).
Var dot(const Var& a, const Var& b);
/// x @ y and x.dot(y): dot for dense operands; a sparse operand's family decides (the sparse
/// family builds its regular Dot, a dense result with regular gradients).
Var matmul(const Var& a, const Var& b);

// ---- shapes ----
Var shape(const Var& x);           // int64 vector
Var shape_i(const Var& x, int i);  // int64 scalar
Var reshape(const Var& x, const std::vector<Var>& shape);  // each an int scalar; -1 infers one axis
Var reshape(const Var& x, const std::vector<int64_t>& shape);
/// Theano's DimShuffle: a permutation with -1 ('x') inserting broadcastable axes; dropped
/// axes must be broadcastable.
Var dimshuffle(const Var& x, const std::vector<int>& pattern);
Var transpose(const Var& x, std::optional<std::vector<int>> axes = std::nullopt);
/// An array shaped like `model` filled with `value` (Theano's fill / second).
Var fill(const Var& model, const Var& value);
/// `value` broadcast to the given shape (each an int scalar variable).
Var alloc(const Var& value, const std::vector<Var>& shape);
Var zeros_like(const Var& x);
Var ones_like(const Var& x);

// ---- operators (the natural C++ API) ----
Var operator+(const Var& a, const Var& b);
Var operator-(const Var& a, const Var& b);
Var operator*(const Var& a, const Var& b);
Var operator/(const Var& a, const Var& b);
Var operator-(const Var& x);
Var operator+(const Var& a, double b);
Var operator+(double a, const Var& b);
Var operator-(const Var& a, double b);
Var operator-(double a, const Var& b);
Var operator*(const Var& a, double b);
Var operator*(double a, const Var& b);
Var operator/(const Var& a, double b);
Var operator/(double a, const Var& b);
Var operator>(const Var& a, double b);
Var operator<(const Var& a, double b);
/// Integer literals become the smallest int constant holding them (Python ints), so `x * 2`
/// keeps an int32 x int32 as Theano does.
Var operator+(const Var& a, int b);
Var operator+(int a, const Var& b);
Var operator-(const Var& a, int b);
Var operator-(int a, const Var& b);
Var operator*(const Var& a, int b);
Var operator*(int a, const Var& b);
Var operator/(const Var& a, int b);
Var operator/(int a, const Var& b);
Var operator>(const Var& a, int b);
Var operator<(const Var& a, int b);

}  // namespace hypatia
