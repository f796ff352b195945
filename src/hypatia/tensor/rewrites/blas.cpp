// BLAS rewrites: sums of a scaled Dot and a scaled accumulator become one Gemm, Gemv or Ger
// call (Theano's local_gemm_to_gemm / GemmOptimizer / local_gemm_to_gemv / local_dot22_to_ger
// family). Transposed operands stay DimShuffle views, which the kernels hand to CBLAS with
// CblasTrans, so no copies are made.
#include "hypatia/tensor/rewrites/blas.h"

#include "hypatia/tensor/linalg.h"
#include "hypatia/tensor/ops/blas.h"
#include "hypatia/tensor/ops/dot.h"
#include "hypatia/tensor/rewrites/rewrites.h"
#include "hypatia/tensor/rewrites/util.h"

namespace hypatia {
namespace tensor_rewrites {
namespace {

// One addend of a sum: sign * scale * core, with `scale` a 0-d variable (null for 1) and
// `value` its numeric value when every factor is a constant.
using Term = ScaledTerm;


// v (all-broadcastable) as a 0-d variable.
Var as_0d(const Var& v) { return v.type()->ndim() == 0 ? v : dimshuffle(v, {}); }


// The signed scale of a term as a 0-d variable of dtype d (constants folded).
Var term_scale(const Term& t, DType d) {
  double k = t.negated ? -1.0 : 1.0;
  Var sym;
  for (const Var& s : t.scalars) {
    if (auto c = scalar_constant_value(s)) {
      k *= *c;
      continue;
    }
    Var s0 = cast_to(as_0d(s), d);
    sym = sym ? mul(sym, s0) : s0;
  }
  if (!sym) return scalar_constant(d, k);
  return k == 1.0 ? sym : mul(scalar_constant(d, k), sym);
}

const DimShuffle* dimshuffle_of(const Var& v, const std::vector<int>& order) {
  if (!v.owner()) return nullptr;
  const auto* op = dynamic_cast<const DimShuffle*>(v.owner()->op().get());
  return op && op->params().new_order == order ? op : nullptr;
}

// The terms of an Add (all positive) or a Sub (second negated); empty for anything else.
std::vector<Term> sum_terms(Apply* node) {
  std::vector<Term> terms;
  if (elemwise_of(node, ScalarOpId::Add)) {
    for (const Var& in : node->inputs()) terms.push_back(parse_scaled_term(in));
  } else if (elemwise_of(node, ScalarOpId::Sub)) {
    terms.push_back(parse_scaled_term(node->input(0)));
    terms.push_back(parse_scaled_term(node->input(1)));
    terms[1].negated = !terms[1].negated;
  }
  return terms;
}

enum class Kind { Gemm, Gemv, GemvT, Ger };

// Whether term `t` is a Dot the BLAS ops can take for an output of `out`'s type.
std::optional<Kind> blas_kind(const Term& t, const Var& out) {
  if (!t.core.owner() || !dynamic_cast<const Dot*>(t.core.owner()->op().get())) return std::nullopt;
  if (dtype_of(t.core) != dtype_of(out) || !same_broadcastable(t.core, out)) return std::nullopt;
  const Var &x = t.core.owner()->input(0), &y = t.core.owner()->input(1);
  if (dtype_of(x) != dtype_of(out) || dtype_of(y) != dtype_of(out)) return std::nullopt;
  const int xd = x.type()->ndim(), yd = y.type()->ndim();
  if (xd == 2 && yd == 2) {
    if (dimshuffle_of(x, {0, -1}) && dimshuffle_of(y, {-1, 0}) && x.owner()->input(0).type()->ndim() == 1 &&
        y.owner()->input(0).type()->ndim() == 1)
      return Kind::Ger;
    return Kind::Gemm;
  }
  if (xd == 2 && yd == 1) return Kind::Gemv;
  if (xd == 1 && yd == 2) return Kind::GemvT;
  return std::nullopt;
}

Result rewrite_sum(Apply* node, bool want_ger) {
  Var out = node->output(0);
  const DType d = dtype_of(out);
  if (d != DType::Float32 && d != DType::Float64) return std::nullopt;
  const int nd = out.type()->ndim();
  if (nd != 1 && nd != 2) return std::nullopt;
  std::vector<Term> terms = sum_terms(node);
  if (terms.size() < 2) return std::nullopt;
  for (size_t i = 0; i < terms.size(); ++i) {
    std::optional<Kind> k = blas_kind(terms[i], out);
    if (!k || (*k == Kind::Ger) != want_ger) continue;
    for (size_t j = 0; j < terms.size(); ++j) {
      if (j == i) continue;
      const Var& z = terms[j].core;
      if (dtype_of(z) != d || z.type()->ndim() != nd || !same_broadcastable(z, out)) continue;
      const Var &x = terms[i].core.owner()->input(0), &y = terms[i].core.owner()->input(1);
      Var alpha = term_scale(terms[i], d), beta = term_scale(terms[j], d);
      Var r;
      switch (*k) {
        case Kind::Gemm: r = gemm(z, alpha, x, y, beta); break;
        case Kind::Gemv: r = gemv(z, alpha, x, y, beta); break;
        case Kind::GemvT: r = gemv(z, alpha, transpose(y), x, beta); break;
        case Kind::Ger: {
          // beta * Z + alpha * outer(u, v): Ger accumulates onto Z unscaled.
          Var zb = scalar_constant_value(beta) == std::optional<double>(1.0) ? z : mul(beta, z);
          r = ger(zb, alpha, x.owner()->input(0), y.owner()->input(0));
          break;
        }
      }
      for (size_t k2 = 0; k2 < terms.size(); ++k2)
        if (k2 != i && k2 != j) r = add(r, terms[k2].var);  // only Add has more than two terms
      if (!same_type(r.type(), out.type())) return std::nullopt;
      return one(r);
    }
  }
  return std::nullopt;
}

/// local_gemm_from_add: b*Z + a*dot(X, Y) -> Gemm(Z, a, X, Y, b) for matrices (Gemv for
/// matrix.vector; vector.matrix becomes Gemv on the transposed matrix), in any order, through
/// negations and subtraction (Z - a*dot -> Gemm(Z, -a, X, Y, 1)); further addends stay in an
/// Add. Valid when the output is float32/float64 and the Dot, its operands and Z all have the
/// output's dtype and Z and the Dot have the output's broadcastable pattern (no broadcasting in
/// the sum); a, b are the products of the all-broadcastable factors of each addend.
Result local_gemm_from_add(FunctionGraph&, Apply* node) { return rewrite_sum(node, false); }

/// local_ger_from_add: b*A + a*dot(x[:, None], y[None, :]) -> Ger(b*A, a, x, y) (outer(x, y) is
/// built as that Dot). Valid under the same conditions as local_gemm_from_add.
Result local_ger_from_add(FunctionGraph&, Apply* node) { return rewrite_sum(node, true); }

const std::vector<std::string> kTags = {"fast_run", "tensor", "blas"};

}  // namespace
}  // namespace tensor_rewrites

void register_blas_specialize(RewriteDatabase& db) {
  using namespace tensor_rewrites;
  const Tracks ew = tracks_of<Elemwise>();
  db.add("local_gemm_from_add", ew, local_gemm_from_add, kTags);
  db.add("local_ger_from_add", ew, local_ger_from_add, kTags);
}

}  // namespace hypatia
