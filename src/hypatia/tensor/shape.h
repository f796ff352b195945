// Builders of the shape and creation family: Theano's shaping/shuffling, joining, splitting and
// tensor-creation functions (theano.tensor.flatten, stack, concatenate, eye, arange, ...).
#pragma once
#include <optional>
#include <utility>
#include <vector>

#include "hypatia/tensor/basic.h"

namespace hypatia {

// ---- shaping and shuffling ----
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
/// x (a tensor or a sparse matrix), checked at run time to have exactly `shape`; the shape
/// becomes known to infer_shape.
Var specify_shape(const Var& x, const std::vector<Var>& shape);
Var specify_shape_vec(const Var& x, const Var& shape);  // shape: an int vector variable
/// Theano's Rebroadcast; returns x itself when nothing changes.
Var rebroadcast(const Var& x, std::vector<std::pair<int, bool>> axes);
Var addbroadcast(const Var& x, const std::vector<int>& axes);
Var unbroadcast(const Var& x, const std::vector<int>& axes);
Var patternbroadcast(const Var& x, const std::vector<bool>& pattern);
/// as_tensor_variable with ndim: left-pads with broadcastable axes, or drops leading
/// broadcastable ones; ValueError when neither reaches ndim.
Var as_tensor_variable(const Var& x, int ndim);
/// Reshape with a symbolic int vector shape. ndim is inferred from a constant or MakeVector
/// shape (or a statically length-1 vector); otherwise it must be given (ValueError).
Var reshape_vec(const Var& x, const Var& shape, std::optional<int> ndim = std::nullopt);
/// The number of elements (int64 scalar, the product of the shape).
Var size(const Var& x);

// ---- joining and splitting ----
/// Theano's join(axis, *tensors) (op printed "Join"): axis is an int scalar (may be symbolic
/// and negative); inputs are upcast to a common dtype and must have the same rank.
Var join(const Var& axis, const std::vector<Var>& tensors);
Var concatenate(const std::vector<Var>& tensors, int axis = 0);
/// Joins the tensors along a new axis (negative allowed); scalars give a vector.
Var stack(const std::vector<Var>& tensors, int axis = 0);
/// Split(x, axis, splits) into n_splits pieces; splits is an int vector of lengths.
std::vector<Var> split(const Var& x, const Var& splits, int n_splits, const Var& axis);
std::vector<Var> split(const Var& x, const std::vector<int64_t>& splits, int axis = 0);
/// numpy.tile with constant reps (shorter reps are padded with 1 on the left).
Var tile(const Var& x, std::vector<int64_t> reps);
/// numpy.roll; axis nullopt rolls the flattened array and restores the shape.
Var roll(const Var& x, const Var& shift, std::optional<int> axis = std::nullopt);

// ---- creation ----
/// dtype defaults to floatX.
Var zeros(const std::vector<Var>& shape, std::optional<DType> dtype = std::nullopt);
Var ones(const std::vector<Var>& shape, std::optional<DType> dtype = std::nullopt);
Var zeros_like(const Var& x, std::optional<DType> dtype);
Var ones_like(const Var& x, std::optional<DType> dtype);
/// n x m identity-like matrix with ones on diagonal k (m null: square). Any may be symbolic.
Var eye(const Var& n, const Var& m = Var(), const Var& k = Var(), std::optional<DType> dtype = std::nullopt);
/// eye shaped like the matrix x, of x's dtype.
Var identity_like(const Var& x);
/// numpy.arange; dtype defaults to int64 for integer arguments, floatX otherwise.
Var arange(const Var& start, const Var& stop = Var(), const Var& step = Var(), std::optional<DType> dtype = std::nullopt);
/// vector -> square matrix with the vector on diagonal k; matrix -> its diagonal k.
Var diag(const Var& x, int k = 0);
Var diagonal(const Var& x, int offset = 0, int axis1 = 0, int axis2 = 1);
Var trace(const Var& x);
/// N x M lower-triangular ones (below and on diagonal k). M null: square.
Var tri(const Var& N, const Var& M = Var(), const Var& k = Var(), std::optional<DType> dtype = std::nullopt);
Var tril(const Var& x, int k = 0);
Var triu(const Var& x, int k = 0);

}  // namespace hypatia
