// Structured elementwise ("monoid") functions of sparse matrices, built as Theano's
// structured_monoid: CSM(format)(f(csm_data(x)), csm_indices(x), csm_indptr(x), csm_shape(x)).
// The tensor elementwise op computes f on the stored values (native kernel, parallel), the pattern
// is kept, and the gradient (through CSM and CSMProperties) is structured: non-zero only at x's
// stored entries.
#include "hypatia/sparse/ops/structured.h"

#include "hypatia/sparse/ops/arith.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/csm.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/math.h"
#include "hypatia/tensor/ops/nnet.h"

namespace hypatia::sparse {

Var structured_monoid(const Var& x, const std::function<Var(const Var&)>& f, const std::string& who) {
  const SparseType& t = sparse_ops::expect_sparse(x, who);
  std::vector<Var> p = csm_properties(x);
  Var data = f(p[0]);
  const DType d = *data.type()->dtype();
  if (d == DType::Float16) data = hypatia::cast(data, DType::Float32);  // float16 is not a sparse dtype
  return csm(t.format(), data, p[1], p[2], p[3]);
}

namespace {
Var scalar_arg(const Var& v, const std::string& who) {
  Var s = as_tensor_variable(v);
  const TensorType& t = sparse_ops::expect_dense(s, who);
  if (t.ndim() != 0) type_error("[", who, "] the second operand must be a scalar (0-d tensor), got ", t.str());
  return s;
}
}  // namespace

#define HYPATIA_MONOID(name, expr) \
  Var name(const Var& x) { return structured_monoid(x, [](const Var& d) { return expr; }, #name); }
HYPATIA_MONOID(structured_sigmoid, hypatia::sigmoid(d))
HYPATIA_MONOID(structured_exp, hypatia::exp(d))
HYPATIA_MONOID(structured_log, hypatia::log(d))
HYPATIA_MONOID(sin, hypatia::sin(d))
HYPATIA_MONOID(arcsin, hypatia::arcsin(d))
HYPATIA_MONOID(tan, hypatia::tan(d))
HYPATIA_MONOID(arctan, hypatia::arctan(d))
HYPATIA_MONOID(sinh, hypatia::sinh(d))
HYPATIA_MONOID(arcsinh, hypatia::arcsinh(d))
HYPATIA_MONOID(tanh, hypatia::tanh(d))
HYPATIA_MONOID(arctanh, hypatia::arctanh(d))
HYPATIA_MONOID(rad2deg, hypatia::rad2deg(d))
HYPATIA_MONOID(deg2rad, hypatia::deg2rad(d))
HYPATIA_MONOID(rint, hypatia::rint(d))
HYPATIA_MONOID(ceil, hypatia::ceil(d))
HYPATIA_MONOID(floor, hypatia::floor(d))
HYPATIA_MONOID(trunc, hypatia::trunc(d))
HYPATIA_MONOID(sgn, hypatia::sgn(d))
HYPATIA_MONOID(log1p, hypatia::log1p(d))
HYPATIA_MONOID(expm1, hypatia::expm1(d))
HYPATIA_MONOID(sqr, hypatia::sqr(d))
HYPATIA_MONOID(sqrt, hypatia::sqrt(d))
HYPATIA_MONOID(abs_, hypatia::abs_(d))
HYPATIA_MONOID(conj, hypatia::conj(d))
#undef HYPATIA_MONOID

#define HYPATIA_MONOID2(name, expr)                                                          \
  Var name(const Var& x, const Var& y_in) {                                                \
    Var y = scalar_arg(y_in, #name);                                                       \
    return structured_monoid(x, [&](const Var& d) { return expr; }, #name);               \
  }
HYPATIA_MONOID2(structured_pow, hypatia::pow(d, y))
HYPATIA_MONOID2(structured_minimum, hypatia::minimum(d, y))
HYPATIA_MONOID2(structured_maximum, hypatia::maximum(d, y))
HYPATIA_MONOID2(structured_add, hypatia::add(d, y))
#undef HYPATIA_MONOID2

}  // namespace hypatia::sparse
