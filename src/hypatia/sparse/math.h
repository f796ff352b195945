// Sparse arithmetic builders (theano.sparse.basic / sp2): add, sub, mul and their typed forms,
// comparisons, scalings, structured ("monoid") elementwise functions and sp_sum. Each checks
// its inputs and raises TypeError/ValueError starting "[OpName]".
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "hypatia/graph/op.h"

namespace hypatia::sparse {

// ---- addition and subtraction ----
/// x + y, at least one sparse: AddSS (sparse + sparse -> sparse) or AddSD (-> dense).
Var add(const Var& x, const Var& y);
/// x - y, at least one sparse: x + (-y) as Theano (sparse - sparse -> sparse, else dense).
Var sub(const Var& x, const Var& y);
Var add_s_s(const Var& x, const Var& y);
Var add_s_d(const Var& x, const Var& y);
/// AddSSData: x and y share one sparsity pattern; their data are added. Structured grad.
Var add_s_s_data(const Var& x, const Var& y);
/// StructuredAddSV: v[j] added to the stored entries of column j. Structured grad.
Var structured_add_s_v(const Var& x, const Var& v);

// ---- multiplication ----
/// x * y elementwise, at least one sparse: MulSS, MulSD (dense 0-d, vector or matrix
/// broadcastable to x's shape) -> sparse. Regular grad.
Var mul(const Var& x, const Var& y);
Var mul_s_s(const Var& x, const Var& y);
Var mul_s_d(const Var& x, const Var& y);
Var mul_s_v(const Var& x, const Var& v);
/// Column j scaled by s[j] / row i by s[i]. Structured grad.
Var col_scale(const Var& x, const Var& s);
Var row_scale(const Var& x, const Var& s);

// ---- comparisons (sparse bool if both sparse, dense bool otherwise) ----
Var eq(const Var& x, const Var& y);
Var neq(const Var& x, const Var& y);
Var lt(const Var& x, const Var& y);
Var gt(const Var& x, const Var& y);
Var le(const Var& x, const Var& y);
Var ge(const Var& x, const Var& y);

// ---- sums ----
/// SpSum: axis nullopt (all), 0 or 1; dense result. sparse_grad=true gives the structured grad.
Var sp_sum(const Var& x, std::optional<int> axis = std::nullopt, bool sparse_grad = false);
/// The mean of a sparse matrix over all entries (axis nullopt), columns (0 or -2) or rows (1
/// or -1), dense: sp_sum divided by the count of all positions (implicit zeros included).
Var mean(const Var& x, std::optional<int> axis = std::nullopt);

// ---- division ----
/// x / y with x sparse: x * (1 / y), sparse. A 0-d constant y is inverted at build time with
/// Python's float rule (so `x / 2` keeps a float32 x float32). A sparse divisor is a TypeError:
/// it would divide by the implicit zeros.
Var true_div(const Var& x, const Var& y);

// ---- structured elementwise ("monoid") functions: f applied to the stored values, the pattern
// kept (built as Theano: CSM(f(csm_data(x)), indices, indptr, shape)); structured grads ----
/// The structured map of a dense-tensor function over x's stored values.
Var structured_monoid(const Var& x, const std::function<Var(const Var&)>& f, const std::string& who);
Var structured_sigmoid(const Var& x);
Var structured_exp(const Var& x);
Var structured_log(const Var& x);
/// p, y: dense 0-d tensors (scalars).
Var structured_pow(const Var& x, const Var& p);
Var structured_minimum(const Var& x, const Var& y);
Var structured_maximum(const Var& x, const Var& y);
Var structured_add(const Var& x, const Var& y);
Var sin(const Var& x);
Var arcsin(const Var& x);
Var tan(const Var& x);
Var arctan(const Var& x);
Var sinh(const Var& x);
Var arcsinh(const Var& x);
Var tanh(const Var& x);
Var arctanh(const Var& x);
Var rad2deg(const Var& x);
Var deg2rad(const Var& x);
Var rint(const Var& x);
Var ceil(const Var& x);
Var floor(const Var& x);
Var trunc(const Var& x);
Var sgn(const Var& x);
Var log1p(const Var& x);
Var expm1(const Var& x);
Var sqr(const Var& x);
Var sqrt(const Var& x);
/// |x| on the stored values (for the abs operator of sparse variables).
Var abs_(const Var& x);
/// Theano's sparse conj: the complex conjugate of the stored values (a copy with the same
/// values for a real matrix), structured like the other monoids.
Var conj(const Var& x);

}  // namespace hypatia::sparse
