// Dot: typing, shape checks, the CBLAS kernel, symbolic shapes, and gradients (Theano's Dot.grad).
#include "hypatia/tensor/ops/dot.h"

#include <algorithm>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/kernels/dot_kernel.h"
#include "hypatia/tensor/linalg.h"
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

}  // namespace hypatia
