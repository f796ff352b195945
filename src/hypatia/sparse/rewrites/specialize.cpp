// local_usmm and local_usmm_csc_dense (Theano's sparse/opt.py): the sparse gemm and its csc
// form (made in place by the generic in-place phase, rewrite/inplace.h).
#include "hypatia/sparse/rewrites/specialize.h"

#include "hypatia/sparse/ops/arith.h"
#include "hypatia/sparse/ops/dot.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/sparse/ops/usmm.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/rewrites/util.h"

namespace hypatia {
namespace sparse_rewrites {
namespace {

using namespace tensor_rewrites;


// A sparse product with a dense output (sparse Dot or StructuredDot).
bool is_sparse_dot(const Var& v) {
  if (!v.owner() || !tensor_type(v)) return false;
  const Op* op = v.owner()->op().get();
  return dynamic_cast<const SparseDot*>(op) || dynamic_cast<const StructuredDot*>(op);
}

using Term = ScaledTerm;  // v = [-] s1 * s2 * ... * core


Var as_0d(const Var& v) { return v.type()->ndim() == 0 ? v : dimshuffle(v, {}); }

Var term_alpha(const Term& t, DType d, bool negate) {
  double k = (t.negated != negate) ? -1.0 : 1.0;
  Var sym;
  for (const Var& s : t.scalars) {
    Var s0 = cast_to(as_0d(s), d);
    sym = sym ? mul(sym, s0) : s0;
  }
  if (!sym) return scalar_constant(d, k);
  return k == 1.0 ? sym : mul(scalar_constant(d, -1.0), sym);
}

/// local_usmm: z + a * dot(x, y) -> Usmm(a, x, y, z); z - a * dot(x, y) -> Usmm(-a, x, y, z);
/// a * dot(x, y) - z -> Usmm(a, x, y, -z). dot is a sparse Dot or StructuredDot with a dense
/// output; a is the product of the all-broadcastable factors (1 when none). Valid when the
/// output is float32/float64 and the dot and z have its dtype and broadcastable pattern (no
/// broadcasting in the sum). Further addends of an Add stay in z.
Result local_usmm(FunctionGraph&, Apply* node) {
  const bool is_add = elemwise_of(node, ScalarOpId::Add) != nullptr;
  const bool is_sub = elemwise_of(node, ScalarOpId::Sub) != nullptr;
  if (!is_add && !is_sub) return std::nullopt;
  const Var out = node->output(0);
  const TensorType* ot = tensor_type(out);
  if (!ot || (ot->elem() != DType::Float32 && ot->elem() != DType::Float64)) return std::nullopt;
  const DType d = ot->elem();
  const int n = node->nin();
  if (n < 2 || (is_sub && n != 2)) return std::nullopt;
  for (int i = 0; i < n; ++i) {
    Term t = parse_scaled_term(node->input(i));
    if (!is_sparse_dot(t.core) || tensor_rewrites::dtype_of(t.core) != d || !same_broadcastable(t.core, out)) continue;
    std::vector<Var> rest;
    for (int j = 0; j < n; ++j)
      if (j != i) rest.push_back(node->input(j));
    bool ok = true;
    for (const Var& r : rest) ok &= tensor_type(r) && tensor_rewrites::dtype_of(r) == d && same_broadcastable(r, out);
    if (!ok) continue;
    Var z = rest[0];
    for (size_t j = 1; j < rest.size(); ++j) z = add(z, rest[j]);
    bool negate = false;
    if (is_sub && i == 1) negate = true;      // z - a * dot
    if (is_sub && i == 0) z = hypatia::neg(z);  // a * dot - z
    const Var& x = t.core.owner()->input(0);
    const Var& y = t.core.owner()->input(1);
    Var r = sparse::usmm(term_alpha(t, d, negate), x, y, z);
    if (!same_type(r.type(), out.type())) return std::nullopt;
    return one(r);
  }
  return std::nullopt;
}

/// local_usmm_csc_dense: Usmm(a, x, y, z) with a csc x, a dense y and z of the output dtype ->
/// UsmmCscDense{no_inplace}(a, x, y, z).
Result local_usmm_csc_dense(FunctionGraph&, Apply* node) {
  if (!dynamic_cast<const Usmm*>(node->op().get())) return std::nullopt;
  const Var& x = node->input(1);
  const Var& y = node->input(2);
  const Var& z = node->input(3);
  const SparseType* xt = sparse_type(x);
  if (!xt || xt->format() != SparseFormat::CSC || sparse_type(y)) return std::nullopt;
  if (tensor_rewrites::dtype_of(z) != tensor_rewrites::dtype_of(node->output(0))) return std::nullopt;
  return one(sparse::usmm_csc_dense(node->input(0), x, y, z, false));
}

const std::vector<std::string> kTags = {"fast_run", "sparse"};

}  // namespace
}  // namespace sparse_rewrites

void register_usmm_specialize(RewriteDatabase& specialize) {
  using namespace sparse_rewrites;
  specialize.add("local_usmm", tracks_of<Elemwise>(), local_usmm, kTags);
  specialize.add("local_usmm_csc_dense", tracks_of<Usmm>(), local_usmm_csc_dense, kTags);
}

}  // namespace hypatia
