// Structured elementwise ("monoid") functions: f applied to the stored values of a sparse
// matrix, the pattern kept (built as Theano: CSM(f(csm_data(x)), indices, indptr, shape)), so
// the gradients are structured. No op of their own: each builds CSMProperties, a tensor op and CSM.
#pragma once
#include <functional>
#include <string>

#include "hypatia/graph/op.h"

namespace hypatia::sparse {

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
