// Builders of the linear-algebra family. tensordot and batched_tensordot are graph compositions
// (transpose + reshape + one Dot/BatchedDot), as Theano's _tensordot_as_dot.
#include "hypatia/tensor/linalg.h"

#include <algorithm>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/blas.h"
#include "hypatia/tensor/ops/dot.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/nlinalg.h"
#include "hypatia/tensor/ops/slinalg.h"

namespace hypatia {
namespace {

std::vector<int> normalize_axes(const std::vector<int>& axes, int nd, const char* who, const char* which) {
  std::vector<int> r;
  for (int a : axes) {
    int b = a < 0 ? a + nd : a;
    if (b < 0 || b >= nd) value_error("[", who, "] axis ", a, " of ", which, " is out of range for ", nd, " dimensions");
    if (std::find(r.begin(), r.end(), b) != r.end()) value_error("[", who, "] repeated axis ", a, " in ", which, "'s axes");
    r.push_back(b);
  }
  return r;
}

std::vector<int> free_axes(int nd, const std::vector<int>& summed, int from) {
  std::vector<int> r;
  for (int d = from; d < nd; ++d)
    if (std::find(summed.begin(), summed.end(), d) == summed.end()) r.push_back(d);
  return r;
}

// The product of x's symbolic lengths along `axes` (an int64 scalar; 1 for none).
Var prod_shape(const Var& x, const std::vector<int>& axes) {
  Var p;
  for (int d : axes) p = p ? mul(p, shape_i(x, d)) : shape_i(x, d);
  return p ? p : int64_constant(1);
}

Var reshape_to(const Var& x, const std::vector<Var>& shp) {
  if (shp.empty()) return reshape(x, std::vector<int64_t>{});
  return reshape(x, shp);
}

// Casts both operands to their common float dtype (integers become float64, as numpy.linalg).
DType float_dtype(const std::vector<Var>& vs) {
  DType d = tensor_type(vs[0])->elem();
  for (size_t i = 1; i < vs.size(); ++i) d = upcast(d, tensor_type(vs[i])->elem());
  if (d == DType::Float32 || d == DType::Float64) return d;
  if (d == DType::Float16) return DType::Float32;
  if (is_complex(d)) type_error("[linalg] complex matrices are not supported");
  return DType::Float64;
}

}  // namespace

Var tensordot(const Var& a_in, const Var& b_in, int axes) {
  Var a = as_tensor_variable(a_in), b = as_tensor_variable(b_in);
  const int na = a.type()->ndim(), nb = b.type()->ndim();
  if (axes < 0 || axes > na || axes > nb)
    value_error("[tensordot] axes=", axes, " needs at least ", axes, " dimensions in both operands, got ", na, " and ", nb);
  std::vector<int> aa, ba;
  for (int i = 0; i < axes; ++i) aa.push_back(na - axes + i), ba.push_back(i);
  return tensordot(a, b, aa, ba);
}

Var tensordot(const Var& a_in, const Var& b_in, const std::vector<int>& a_axes_in, const std::vector<int>& b_axes_in) {
  Var a = as_tensor_variable(a_in), b = as_tensor_variable(b_in);
  check_tensor_input(a, "tensordot");
  check_tensor_input(b, "tensordot");
  const int na = a.type()->ndim(), nb = b.type()->ndim();
  if (a_axes_in.size() != b_axes_in.size())
    value_error("[tensordot] axes lists must have the same length, got ", a_axes_in.size(), " and ", b_axes_in.size());
  std::vector<int> aa = normalize_axes(a_axes_in, na, "tensordot", "a");
  std::vector<int> ba = normalize_axes(b_axes_in, nb, "tensordot", "b");
  // The plain Dot cases need no reshaping.
  if (na >= 1 && na <= 2 && nb >= 1 && nb <= 2 && aa == std::vector<int>{na - 1} && ba == std::vector<int>{0})
    return dot(a, b);
  std::vector<int> fa = free_axes(na, aa, 0), fb = free_axes(nb, ba, 0);
  std::vector<int> pa = fa, pb = ba;
  pa.insert(pa.end(), aa.begin(), aa.end());
  pb.insert(pb.end(), fb.begin(), fb.end());
  Var a2 = reshape(transpose(a, pa), std::vector<Var>{prod_shape(a, fa), prod_shape(a, aa)});
  Var b2 = reshape(transpose(b, pb), std::vector<Var>{prod_shape(b, ba), prod_shape(b, fb)});
  Var d = apply1(*std::make_shared<Dot>(), {a2, b2});
  std::vector<Var> shp;
  for (int i : fa) shp.push_back(shape_i(a, i));
  for (int i : fb) shp.push_back(shape_i(b, i));
  return reshape_to(d, shp);
}

Var batched_dot(const Var& x_in, const Var& y_in) {
  Var x = as_tensor_variable(x_in), y = as_tensor_variable(y_in);
  const int nx = check_tensor_input(x, "batched_dot").ndim(), ny = check_tensor_input(y, "batched_dot").ndim();
  if (nx == 0 || ny == 0) type_error("[batched_dot] operands need a batch axis, got ", nx, " and ", ny, " dimensions");
  auto pad = [](int extra) {
    std::vector<int> p{0};
    for (int i = 0; i < extra; ++i) p.push_back(-1);
    return p;
  };
  if (nx == 1) return mul(dimshuffle(x, pad(ny - 1)), y);
  if (ny == 1) return mul(x, dimshuffle(y, pad(nx - 1)));
  if (nx > 3 || ny > 3) return batched_tensordot(x, y, {nx - 1}, {std::max(1, ny - 2)});
  return apply1(*std::make_shared<BatchedDot>(), {x, y});
}

Var batched_tensordot(const Var& x, const Var& y, int axes) {
  const int nx = as_tensor_variable(x).type()->ndim(), ny = as_tensor_variable(y).type()->ndim();
  if (axes < 0 || axes >= nx || axes >= ny)
    value_error("[batched_tensordot] axes=", axes, " needs more than ", axes, " dimensions in both operands, got ", nx,
                " and ", ny);
  std::vector<int> xa, ya;
  for (int i = 0; i < axes; ++i) xa.push_back(nx - axes + i), ya.push_back(1 + i);
  return batched_tensordot(x, y, xa, ya);
}

Var batched_tensordot(const Var& x_in, const Var& y_in, const std::vector<int>& xa_in, const std::vector<int>& ya_in) {
  Var x = as_tensor_variable(x_in), y = as_tensor_variable(y_in);
  const int nx = check_tensor_input(x, "batched_tensordot").ndim();
  const int ny = check_tensor_input(y, "batched_tensordot").ndim();
  if (nx < 1 || ny < 1) type_error("[batched_tensordot] operands need a batch axis");
  if (xa_in.size() != ya_in.size())
    value_error("[batched_tensordot] axes lists must have the same length, got ", xa_in.size(), " and ", ya_in.size());
  std::vector<int> xa = normalize_axes(xa_in, nx, "batched_tensordot", "x");
  std::vector<int> ya = normalize_axes(ya_in, ny, "batched_tensordot", "y");
  for (size_t i = 0; i < xa.size(); ++i)
    if (xa[i] == 0 || ya[i] == 0) value_error("[batched_tensordot] the batch axis 0 cannot be summed over");
  std::vector<int> fx = free_axes(nx, xa, 1), fy = free_axes(ny, ya, 1);
  std::vector<int> px{0}, py{0};
  px.insert(px.end(), fx.begin(), fx.end());
  px.insert(px.end(), xa.begin(), xa.end());
  py.insert(py.end(), ya.begin(), ya.end());
  py.insert(py.end(), fy.begin(), fy.end());
  Var b = shape_i(x, 0);
  Var x3 = reshape(transpose(x, px), std::vector<Var>{b, prod_shape(x, fx), prod_shape(x, xa)});
  Var y3 = reshape(transpose(y, py), std::vector<Var>{shape_i(y, 0), prod_shape(y, ya), prod_shape(y, fy)});
  Var d = apply1(*std::make_shared<BatchedDot>(), {x3, y3});
  std::vector<Var> shp{b};
  for (int i : fx) shp.push_back(shape_i(x, i));
  for (int i : fy) shp.push_back(shape_i(y, i));
  return reshape(d, shp);
}

Var outer(const Var& x_in, const Var& y_in) {
  Var x = as_tensor_variable(x_in), y = as_tensor_variable(y_in);
  if (check_tensor_input(x, "outer").ndim() != 1) x = reshape(x, std::vector<int64_t>{-1});
  if (check_tensor_input(y, "outer").ndim() != 1) y = reshape(y, std::vector<int64_t>{-1});
  return dot(dimshuffle(x, {0, -1}), dimshuffle(y, {-1, 0}));
}

Var gemm(const Var& z, const Var& a, const Var& x, const Var& y, const Var& b) {
  Var zz = as_tensor_variable(z);
  const DType d = tensor_type(zz)->elem();
  return apply1(*std::make_shared<Gemm>(), {zz, cast(a, d), as_tensor_variable(x), as_tensor_variable(y), cast(b, d)});
}

Var gemv(const Var& y, const Var& alpha, const Var& a, const Var& x, const Var& beta) {
  Var yy = as_tensor_variable(y);
  const DType d = tensor_type(yy)->elem();
  return apply1(*std::make_shared<Gemv>(), {yy, cast(alpha, d), as_tensor_variable(a), as_tensor_variable(x), cast(beta, d)});
}

Var ger(const Var& a, const Var& alpha, const Var& x, const Var& y) {
  Var aa = as_tensor_variable(a);
  const DType d = tensor_type(aa)->elem();
  return apply1(*std::make_shared<Ger>(), {aa, cast(alpha, d), as_tensor_variable(x), as_tensor_variable(y)});
}

Var matrix_inverse(const Var& a_in) {
  Var a = as_tensor_variable(a_in);
  return apply1(*std::make_shared<MatrixInverse>(), {cast(a, float_dtype({a}))});
}

Var det(const Var& a_in) {
  Var a = as_tensor_variable(a_in);
  return apply1(*std::make_shared<Det>(), {cast(a, float_dtype({a}))});
}

Var solve(const Var& a_in, const Var& b_in, const std::string& structure) {
  if (structure != "general" && structure != "symmetric" && structure != "lower_triangular" && structure != "upper_triangular")
    value_error("[Solve] A_structure must be general, symmetric, lower_triangular or upper_triangular, got '", structure, "'");
  Var a = as_tensor_variable(a_in), b = as_tensor_variable(b_in);
  const DType d = float_dtype({a, b});
  return apply1(*std::make_shared<Solve>(SolveParams{structure}), {cast(a, d), cast(b, d)});
}

Var cholesky(const Var& a_in, bool lower, const std::string& on_error) {
  if (on_error != "raise" && on_error != "nan") value_error("[Cholesky] on_error must be 'raise' or 'nan', got '", on_error, "'");
  Var a = as_tensor_variable(a_in);
  return apply1(*std::make_shared<Cholesky>(CholeskyParams{lower, on_error == "nan"}), {cast(a, float_dtype({a}))});
}

}  // namespace hypatia
