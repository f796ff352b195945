// Tensor rewrites of the specialize phase: cheaper elementwise forms of pow and mul by constants.
#include "hypatia/tensor/rewrites/rewrites.h"
#include "hypatia/tensor/rewrites/util.h"

namespace hypatia {
namespace tensor_rewrites {

Result rewrite_pow(Apply* node, bool specialize) {
  if (!elemwise_of(node, ScalarOpId::Pow)) return std::nullopt;
  const Var& x = node->input(0);
  Var out = node->output(0);
  const DType d = dtype_of(out);
  if (is_complex(d) || d == DType::Bool) return std::nullopt;
  // The exponent may only broadcast: the result must have x's pattern.
  if (x.type()->ndim() != out.type()->ndim() || !same_broadcastable(x, out)) return std::nullopt;
  std::optional<double> y = scalar_constant_value(node->input(1));
  if (!y) return std::nullopt;
  Var r;
  if (*y == 0) r = fill(x, scalar_constant(d, 1.0));
  else if (*y == 1) r = cast_to(x, d);
  else if (!specialize) return std::nullopt;
  else if (*y == 2) r = sqr(cast_to(x, d));
  else if (*y == 0.5 && is_float(d)) r = sqrt(cast_to(x, d));
  else if (*y == -1 && is_float(d)) r = true_div(scalar_constant(d, 1.0), cast_to(x, d));
  else return std::nullopt;
  if (!same_type(r.type(), out.type())) return std::nullopt;
  return one(r);
}

namespace {

/// local_pow_specialize: x ** 0 -> ones_like(x), x ** 1 -> x, x ** 2 -> sqr(x), x ** 0.5 ->
/// sqrt(x), x ** -1 -> 1 / x, with x cast to the output dtype first. Valid when the exponent
/// is a constant with all elements equal and x has the output's broadcastable pattern; 0.5 and
/// -1 only for float outputs (integer powers truncate). sqrt(-inf) is nan where pow gives inf.
Result local_pow_specialize(FunctionGraph&, Apply* node) { return rewrite_pow(node, true); }

/// local_mul_specialize: x * -1 -> -x and -1 * x -> -x (x cast to the output dtype), valid when
/// x has the output's broadcastable pattern (and the output is not bool).
Result local_mul_specialize(FunctionGraph&, Apply* node) {
  if (!elemwise_of(node, ScalarOpId::Mul)) return std::nullopt;
  Var out = node->output(0);
  const DType d = dtype_of(out);
  if (d == DType::Bool) return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    if (scalar_constant_value(node->input(i)) != std::optional<double>(-1.0)) continue;
    const Var& x = node->input(1 - i);
    if (x.type()->ndim() != out.type()->ndim() || !same_broadcastable(x, out)) continue;
    Var r = neg(cast_to(x, d));
    if (same_type(r.type(), out.type())) return one(r);
  }
  return std::nullopt;
}

const std::vector<std::string> kTags = {"fast_run", "tensor"};

}  // namespace
}  // namespace tensor_rewrites

void register_tensor_specialize(RewriteDatabase& db) {
  using namespace tensor_rewrites;
  const Tracks ew = tracks_of<Elemwise>();
  db.add("local_pow_specialize", ew, local_pow_specialize, kTags);
  db.add("local_mul_specialize", ew, local_mul_specialize, kTags);
}

}  // namespace hypatia
