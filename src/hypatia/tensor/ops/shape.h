// Shape ops: Shape, Shape_i, MakeVector, Reshape and Alloc (symbolic shapes and shape-driven ops).
#pragma once
#include <optional>
#include <utility>
#include <vector>
#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// The shape of a tensor (or sparse matrix) as an int64 vector. Printed "Shape".
class ShapeOp final : public OpBase<ShapeOp, NoParams> {
  HYPATIA_OP(Shape, 1, make_node, perform, infer_shape, vjp, jvp)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}}; }
};
Var shape(const Var& x);           // int64 vector

struct ShapeIParams {
  int i = 0;
  auto fields() const { return std::tie(i); }
};

/// One dimension of a shape as an int64 scalar. Printed "Shape_i{0}".
class ShapeI final : public OpBase<ShapeI, ShapeIParams> {
  HYPATIA_OP(Shape_i, 1, make_node, perform, infer_shape, vjp, jvp)
  std::string str() const override { return str_cat("Shape_i{", params_.i, "}"); }
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}}; }
};
Var shape_i(const Var& x, int i);  // int64 scalar

/// Integer scalars gathered into an int64 vector (shape arguments of reshape and alloc).
class MakeVector final : public OpBase<MakeVector, NoParams> {
  HYPATIA_OP(MakeVector, kVariadic, make_node, perform, infer_shape, vjp, jvp)
  std::string str() const override { return "MakeVector{dtype='int64'}"; }
};

struct ReshapeParams {
  int ndim = 0;
  auto fields() const { return std::tie(ndim); }
};

/// Reshape{ndim}(x, shape): a view when the layout allows, else a copy; one -1 entry is inferred.
class Reshape final : public OpBase<Reshape, ReshapeParams> {
  HYPATIA_OP(Reshape, 2, make_node, perform, infer_shape, vjp, jvp)
  std::string str() const override { return str_cat("Reshape{", params_.ndim, "}"); }
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}}; }
  ViewMap view_map() const override { return {{0, {0}}}; }
};
Var reshape(const Var& x, const std::vector<Var>& shape);  // each an int scalar; -1 infers one axis
Var reshape(const Var& x, const std::vector<int64_t>& shape);

/// Alloc(value, *shape): `value` broadcast to `shape` in a fresh array.
class Alloc final : public OpBase<Alloc, NoParams> {
  HYPATIA_OP(Alloc, kVariadic, make_node, perform, infer_shape, vjp, jvp, connection_pattern)
};
/// `value` broadcast to the given shape (each an int scalar variable).
Var alloc(const Var& value, const std::vector<Var>& shape);

/// Gathers integer scalars into an int64 vector.
Var make_vector(const std::vector<Var>& elems);

/// SpecifyShape(x, shape): x itself (a view), after checking at run time that x has exactly
/// `shape` (ValueError "[SpecifyShape] ..." otherwise). Lets infer_shape use the given shape.
/// x may be a dense tensor or a sparse matrix (the output has x's type; the gradient passes
/// through the same check).
class SpecifyShape final : public OpBase<SpecifyShape, NoParams> {
  HYPATIA_OP(SpecifyShape, 2, make_node, perform, infer_shape, vjp, jvp)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}}; }
  ViewMap view_map() const override { return {{0, {0}}}; }
};
/// x (a tensor or a sparse matrix), checked at run time to have exactly `shape`; the shape
/// becomes known to infer_shape.
Var specify_shape(const Var& x, const std::vector<Var>& shape);
Var specify_shape_vec(const Var& x, const Var& shape);  // shape: an int vector variable

struct RebroadcastParams {
  std::vector<int> axis;            // sorted
  std::vector<bool> broadcastable;  // the flag each axis gets
  RebroadcastParams() = default;
  explicit RebroadcastParams(const std::vector<std::pair<int, bool>>& pairs) {
    for (auto [a, b] : pairs) {
      axis.push_back(a);
      broadcastable.push_back(b);
    }
  }
  /// (axis, broadcastable) pairs, sorted by axis.
  std::vector<std::pair<int, bool>> axes() const {
    std::vector<std::pair<int, bool>> out;
    for (size_t i = 0; i < axis.size(); ++i) out.emplace_back(axis[i], broadcastable[i]);
    return out;
  }
  // Members tied, so the op codec can read them back (pickling).
  auto fields() const { return std::tie(axis, broadcastable); }
};

/// Theano's Rebroadcast: changes the static broadcastable flags of some axes. Forcing an
/// axis to broadcastable checks at run time that its length is 1 (ValueError otherwise).
/// Printed "Rebroadcast{0}" (forced axes) or "Rebroadcast{?,1}"-like Theano's form.
class Rebroadcast final : public OpBase<Rebroadcast, RebroadcastParams> {
  HYPATIA_OP(Rebroadcast, 1, str, make_node, perform, infer_shape, vjp, jvp)
  ViewMap view_map() const override { return {{0, {0}}}; }
};
/// Theano's Rebroadcast; returns x itself when nothing changes.
Var rebroadcast(const Var& x, std::vector<std::pair<int, bool>> axes);
Var addbroadcast(const Var& x, const std::vector<int>& axes);
Var unbroadcast(const Var& x, const std::vector<int>& axes);
Var patternbroadcast(const Var& x, const std::vector<bool>& pattern);

/// The value of a constant integer scalar (or one-element constant), if v is one.
std::optional<int64_t> const_int_value(const Var& v);
/// Checks an integer scalar argument (`who`'s argument i) and casts it to int64.
Var as_int64_scalar(const Var& v, const std::string& who, size_t i);
/// The entries of an int vector given as a constant or a MakeVector; nullopt otherwise.
std::optional<std::vector<Var>> shape_vector_entries(const Var& v);

// ---- builders: shaping and shuffling ----
/// Keeps the leading ndim-1 axes and collapses the rest (a Reshape). ndim >= 1.
Var flatten(const Var& x, int ndim = 1);
/// Inserts n_ones broadcastable axes on the left / right (a DimShuffle view).
Var shape_padleft(const Var& x, int n_ones = 1);
Var shape_padright(const Var& x, int n_ones = 1);
/// Inserts one broadcastable axis at `axis` (negative counts from the end of the result).
Var shape_padaxis(const Var& x, int axis);
/// Drops every statically broadcastable axis.
Var squeeze(const Var& x);
Var swapaxes(const Var& x, int axis1, int axis2);
/// as_tensor_variable with ndim: left-pads with broadcastable axes, or drops leading
/// broadcastable ones; ValueError when neither reaches ndim.
Var as_tensor_variable(const Var& x, int ndim);
/// Reshape with a symbolic int vector shape. ndim is inferred from a constant or MakeVector
/// shape (or a statically length-1 vector); otherwise it must be given (ValueError).
Var reshape_vec(const Var& x, const Var& shape, std::optional<int> ndim = std::nullopt);
/// The number of elements (int64 scalar, the product of the shape).
Var size(const Var& x);

}  // namespace hypatia
