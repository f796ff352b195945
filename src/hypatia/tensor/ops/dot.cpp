// Dot: typing, shape checks, the CBLAS kernel, symbolic shapes, and gradients (Theano's Dot.grad).
#include "hypatia/tensor/ops/dot.h"

#include <algorithm>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/kernels/dot_kernel.h"
#include "hypatia/tensor/linalg.h"
#include "hypatia/tensor/ops/blas.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {

ApplyPtr Dot::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& a = check_tensor_input(inputs[0], "dot");
  const TensorType& b = check_tensor_input(inputs[1], "dot");
  if (a.ndim() < 1 || a.ndim() > 2 || b.ndim() < 1 || b.ndim() > 2)
    type_error("[dot] inputs must be vectors or matrices, got ", a.str(), " and ", b.str());
  std::vector<bool> bc(a.broadcastable().begin(), a.broadcastable().end() - 1);
  if (b.ndim() == 2) bc.push_back(b.broadcastable()[1]);
  return Apply::create(ptr(), inputs, {TensorType::make(upcast(a.elem(), b.elem()), bc)});
}

void Dot::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& a = as_array(*inputs[0], "dot");
  const NDArray& b = as_array(*inputs[1], "dot");
  const int64_t ka = a.shape(a.ndim() - 1), kb = b.shape(0);
  if (ka != kb)
    value_error("[dot] shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()), " not aligned: ", ka,
                " (dim ", a.ndim() - 1, ") != ", kb, " (dim 0)");
  Shape oshape;
  if (a.ndim() == 2) oshape.push_back(a.shape(0));
  if (b.ndim() == 2) oshape.push_back(b.shape(1));
  const DType d = tensor_type(node.output(0))->elem();
  NDArray& out = prepare_output(outputs[0], d, oshape);
  kernels::dot_kernel(a.dtype() == d ? a : a.astype(d), b.dtype() == d ? b : b.astype(d), out);
}

std::optional<std::vector<ShapeVec>> Dot::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  ShapeVec out;
  if (node.input(0).type()->ndim() == 2) out.push_back(s[0][0]);
  if (node.input(1).type()->ndim() == 2) out.push_back(s[1][1]);
  return std::vector<ShapeVec>{out};
}

std::vector<Var> Dot::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const Var& x = node.input(0);
  const Var& y = node.input(1);
  const Var& gz = output_grads[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var(), disconnected_var()};
  const int xd = x.type()->ndim(), yd = y.type()->ndim();
  Var gx, gy;
  if (xd == 1 && yd == 1) {
    gx = mul(gz, y);
    gy = mul(gz, x);
  } else if (xd == 2 && yd == 1) {
    gx = mul(dimshuffle(gz, {0, -1}), dimshuffle(y, {-1, 0}));
    gy = dot(transpose(x), gz);
  } else if (xd == 1 && yd == 2) {
    gx = dot(gz, transpose(y));
    gy = mul(dimshuffle(x, {0, -1}), dimshuffle(gz, {-1, 0}));
  } else {
    gx = dot(gz, transpose(y));
    gy = dot(transpose(x), gz);
  }
  return {is_discrete(x) ? zeros_like(x) : reduce_to_like(gx, x), is_discrete(y) ? zeros_like(y) : reduce_to_like(gy, y)};
}

std::vector<Var> Dot::jvp(const Apply& node, const std::vector<Var>& ev) const {
  Var r;
  if (ev.size() > 0 && ev[0]) r = dot(ev[0], node.input(1));
  if (ev.size() > 1 && ev[1]) {
    Var t = dot(node.input(0), ev[1]);
    r = r ? add(r, t) : t;
  }
  if (!r) return {Var()};
  DType d = tensor_type(node.output(0))->elem();
  if (tensor_type(r)->elem() != d) r = cast(r, d);
  return {r};
}

Var dot(const Var& a_in, const Var& b_in) {
  if (Var r = dispatch_operator(Operator::Dot, {a_in, b_in})) return r;  // e.g. a sparse operand
  Var a = as_tensor_variable(a_in), b = as_tensor_variable(b_in);
  const TensorType& ta = check_tensor_input(a, "dot");
  const TensorType& tb = check_tensor_input(b, "dot");
  if (ta.ndim() == 0 || tb.ndim() == 0) return mul(a, b);  // as theano.tensor.dot
  // N-d: sum over the last axis of a and the second-to-last of b (the first for a vector).
  if (ta.ndim() > 2 || tb.ndim() > 2) return tensordot(a, b, {ta.ndim() - 1}, {std::max(0, tb.ndim() - 2)});
  return apply1(*std::make_shared<Dot>(), {a, b});
}

// ---- builders: tensordot, batched products and outer are graph compositions
// (transpose + reshape + one Dot/BatchedDot), as Theano's _tensordot_as_dot. ----
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

// ---- builders: matmul ----

Var matmul(const Var& a, const Var& b) {
  if (Var r = dispatch_operator(Operator::MatMul, {a, b})) return r;
  return dot(a, b);
}

}  // namespace hypatia
