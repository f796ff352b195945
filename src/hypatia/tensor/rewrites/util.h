// Helpers shared by the tensor rewrites (internal to tensor/rewrites).
#pragma once
#include <optional>
#include <typeindex>
#include <vector>

#include "hypatia/rewrite/rewriter.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia::tensor_rewrites {

using Result = std::optional<std::vector<Var>>;

/// A rewrite result replacing the node's only output.
inline Result one(Var v) { return std::vector<Var>{std::move(v)}; }

/// Tracks for rewriters of one op class.
template <class OpT>
Tracks tracks_of() {
  return Tracks{{}, {std::type_index(typeid(OpT))}};
}

/// The Elemwise op of `node` when its scalar op is `id`, else nullptr.
inline const Elemwise* elemwise_of(const Apply* node, ScalarOpId id) {
  const auto* op = dynamic_cast<const Elemwise*>(node->op().get());
  return op && op->scalar_op() == id ? op : nullptr;
}

/// The Elemwise op computing `v` when its scalar op is `id`, else nullptr.
inline const Elemwise* computed_by(const Var& v, ScalarOpId id) {
  return v.owner() ? elemwise_of(v.owner(), id) : nullptr;
}

inline const TensorType& ttype(const Var& v) { return *tensor_type(v); }
inline DType dtype_of(const Var& v) { return ttype(v).elem(); }
inline bool same_broadcastable(const Var& a, const Var& b) {
  return ttype(a).broadcastable() == ttype(b).broadcastable();
}

/// A root constant (no owner).
inline bool is_root_constant(const Var& v) { return !v.owner() && v->is_constant(); }

/// A 0-d constant of dtype `d` holding `value`.
Var scalar_constant(DType d, double value);

/// Evaluates a graph whose leaves are all constants now (constant folding on the spot) and
/// returns the constant; returns `v` unchanged when it has a non-constant leaf or fails.
Var fold_now(const Var& v);

/// `x` as dtype `d` (x itself when it already is); a constant is converted right away.
Var cast_to(const Var& x, DType d);

/// The output type of `node` as a tensor type; nullptr when it is not a dense tensor.
inline const TensorType* out_tensor(const Apply* node) { return tensor_type(node->output(0)); }

/// A tensor whose every axis is broadcastable (a scalar, possibly dimshuffled up).
bool is_scalar_like(const Var& v);

/// An addend seen as [-] s1 * s2 * ... * core with all-broadcastable s_i: what the gemm and
/// usmm rewrites need to recognise `z + a * dot(x, y)` however the factors are arranged.
struct ScaledTerm {
  Var var;                   // the addend as it appears in the sum
  Var core;                  // the non-scalar factor
  std::vector<Var> scalars;  // scalar-like factors
  bool negated = false;
};
ScaledTerm parse_scaled_term(const Var& v);

/// Symbolic shapes of a node's inputs for Op::infer_shape: constants' real lengths, Shape_i of
/// tensor and sparse inputs, and an empty shape for anything else.
std::vector<ShapeVec> symbolic_input_shapes(const Apply& node);

}  // namespace hypatia::tensor_rewrites
