// The nlinalg builders composed of other ops: matrix_dot, matrix_power, norm, tensorinv, tensorsolve.
#include <algorithm>
#include <cmath>
#include <limits>

#include "hypatia/linalg/ops/nlinalg.h"
#include "hypatia/linalg/ops/slinalg.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/linalg.h"
#include "hypatia/tensor/ops/creation.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {
namespace {

// The product of the given int64 shape entries (1 for none).
Var prod_of(const std::vector<Var>& dims) {
  Var p = int64_constant(1);
  for (const Var& d : dims) p = mul(p, d);
  return p;
}

}  // namespace

Var matrix_dot(const std::vector<Var>& args) {
  if (args.empty()) value_error("[matrix_dot] needs at least one matrix");
  Var r = args[0];
  for (size_t i = 1; i < args.size(); ++i) r = dot(r, args[i]);
  return r;
}

Var matrix_power(const Var& m_in, int n) {
  Var m = as_tensor_variable(m_in);
  if (m.type()->ndim() != 2) type_error("[matrix_power] expected a square matrix, got ", m.type()->str());
  if (n == 0) return identity_like(m);
  if (n < 0) {
    m = matrix_inverse(m);
    n = -n;
  }
  // Repeated squaring: log2(n) squarings and at most as many extra products.
  Var result, base = m;
  while (true) {
    if (n & 1) result = result ? dot(result, base) : base;
    n >>= 1;
    if (!n) break;
    base = dot(base, base);
  }
  return result;
}

Var linalg_norm(const Var& x_in, const NormOrd& ord) {
  Var x = as_linalg_float(x_in);
  const DType dt = x.type()->dtype().value();
  auto num = [dt](double v) { return cast(constant(v), dt); };
  const int nd = x.type()->ndim();
  if (nd == 0) value_error("[norm] expected a vector or a matrix, got a scalar");
  if (nd > 2) value_error("[norm] norm of an array with ndim > 2 is not supported, got ", x.type()->str());
  // The order as a number, or a string ("fro", "nuc"); "inf"/"-inf" strings become numbers.
  std::optional<double> p;
  std::string s;
  if (const double* d = std::get_if<double>(&ord)) p = *d;
  if (const std::string* str = std::get_if<std::string>(&ord)) {
    if (*str == "inf") p = std::numeric_limits<double>::infinity();
    else if (*str == "-inf") p = -std::numeric_limits<double>::infinity();
    else s = *str;
  }
  const double inf = std::numeric_limits<double>::infinity();
  Var ax = abs_(x);
  if (nd == 1) {
    if (!s.empty()) value_error("[norm] invalid norm order '", s, "' for vectors");
    if (!p || *p == 2) return sqrt(sum(sqr(x)));
    if (*p == inf) return max(ax);
    if (*p == -inf) return min(ax);
    if (*p == 0) return sum(cast(neq(x, num(0.0)), dt));
    if (*p == 1) return sum(ax);
    return pow(sum(pow(ax, num(*p))), num(1.0 / *p));
  }
  if ((!p && s.empty()) || s == "fro") return sqrt(sum(sqr(x)));
  if (s == "nuc") return sum(svd(x, false, false)[0]);
  if (!s.empty()) value_error("[norm] invalid norm order '", s, "' for matrices");
  if (*p == inf) return max(sum(ax, std::vector<int>{1}));
  if (*p == -inf) return min(sum(ax, std::vector<int>{1}));
  if (*p == 1) return max(sum(ax, std::vector<int>{0}));
  if (*p == -1) return min(sum(ax, std::vector<int>{0}));
  if (*p == 2) return max(svd(x, false, false)[0]);
  if (*p == -2) return min(svd(x, false, false)[0]);
  value_error("[norm] invalid norm order ", *p, " for matrices (expected None, 'fro', 'nuc', 1, -1, 2, -2, inf or -inf)");
}

Var tensorinv(const Var& a_in, int ind) {
  Var a = as_linalg_float(a_in);
  const int nd = a.type()->ndim();
  if (ind <= 0 || ind >= nd) value_error("[tensorinv] ind must be a positive integer below a.ndim = ", nd, ", got ", ind);
  std::vector<Var> head, tail;
  for (int i = 0; i < nd; ++i) (i < ind ? head : tail).push_back(shape_i(a, i));
  // numpy: a.reshape(prod(a.shape[ind:]), -1), inverted, reshaped to a.shape[ind:] + a.shape[:ind].
  Var m = reshape(a, std::vector<Var>{prod_of(tail), int64_constant(-1)});
  std::vector<Var> out = tail;
  out.insert(out.end(), head.begin(), head.end());
  return reshape(matrix_inverse(m), out);
}

Var tensorsolve(const Var& a_in, const Var& b_in, const std::optional<std::vector<int>>& axes) {
  Var a = as_tensor_variable(a_in), b = as_tensor_variable(b_in);
  const DType d = linalg_float_dtype({a, b});
  a = cast(a, d);
  b = cast(b, d);
  const int an = a.type()->ndim(), bn = b.type()->ndim();
  if (an <= bn) value_error("[tensorsolve] a must have more dimensions than b, got ", an, " and ", bn);
  if (axes) {
    std::vector<int> all;
    for (int i = 0; i < an; ++i) all.push_back(i);
    for (int k : *axes) {
      int kk = k < 0 ? k + an : k;
      auto it = std::find(all.begin(), all.end(), kk);
      if (kk < 0 || kk >= an || it == all.end()) value_error("[tensorsolve] invalid axis ", k, " for a.ndim = ", an);
      all.erase(it);
      all.push_back(kk);
    }
    a = transpose(a, all);
  }
  std::vector<Var> q;
  for (int i = bn; i < an; ++i) q.push_back(shape_i(a, i));
  Var m = reshape(a, std::vector<Var>{int64_constant(-1), prod_of(q)});
  Var x = solve(m, flatten(b, 1));
  return reshape(x, q);
}

}  // namespace hypatia
