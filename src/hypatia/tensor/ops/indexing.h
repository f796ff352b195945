// Builders of the subtensor family (ops/subtensor.h, ops/advanced_subtensor.h): x[idx] with numpy
// semantics (basic views, integer arrays, boolean masks), set_subtensor / inc_subtensor, take,
// sparse_grad and nonzero_values. One index expression builds whichever of the family's ops its
// entries call for, so these live in their own file rather than beside one op.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/ops/advanced_subtensor.h"

namespace hypatia {

/// One slice bound: None, a constant, or a symbolic integer scalar.
struct SliceBound {
  std::optional<int64_t> value;
  Var var;
  SliceBound() = default;
  SliceBound(std::nullopt_t) {}
  SliceBound(int64_t v) : value(v) {}
  SliceBound(int v) : value(v) {}
  SliceBound(const Var& v) : var(v) {}
  bool none() const { return !value && !var; }
};

/// One entry of an index expression, as Python's x[...] takes them.
struct IndexEntry {
  enum class Kind { Int, Slice, NewAxis, Ellipsis, Array };
  Kind kind = Kind::Slice;
  SliceBound a, b, c;  // Int: a; Slice: start, stop, step
  Var array;           // Array: an int or bool tensor (Int: a symbolic 0-d int goes in a.var)

  /// A constant integer index (negative counts from the end).
  static IndexEntry at(int64_t i);
  /// A symbolic index: an int scalar (basic), an int array or a bool mask (advanced).
  /// TypeError for float or complex variables.
  static IndexEntry at(const Var& v);
  static IndexEntry slice(SliceBound start = {}, SliceBound stop = {}, SliceBound step = {});
  static IndexEntry all() { return slice(); }
  static IndexEntry newaxis();
  static IndexEntry ellipsis();
};

/// x[idx] with numpy's rules: integers, slices (constant or symbolic bounds, negative steps),
/// newaxis (a DimShuffle), Ellipsis; integer arrays and boolean masks switch to advanced
/// indexing (AdvancedSubtensor1 for one int vector on axis 0, else AdvancedSubtensor).
Var subtensor(const Var& x, const std::vector<IndexEntry>& idx);
/// x[i] on axis 0 (a shortcut).
Var subtensor(const Var& x, int64_t i);
/// Theano's set_subtensor(x[idx], y): the tensor indexed by `xsub` with that part set to y.
/// TypeError unless xsub is the result of an indexing op.
Var set_subtensor(const Var& xsub, const Var& y);
/// Theano's inc_subtensor(x[idx], y, set_instead_of_inc): that part incremented by y;
/// repeated advanced indices accumulate (np.add.at).
Var inc_subtensor(const Var& xsub, const Var& y, bool set_instead_of_inc = false);
/// Theano's advanced_subtensor1(x, idx).
Var advanced_subtensor1(const Var& x, const Var& idx);
/// numpy/Theano take(a, indices, axis=None, mode='raise'|'wrap'|'clip').
Var take(const Var& a, const Var& indices, std::optional<int> axis = std::nullopt, const std::string& mode = "raise");
/// theano.sparse_grad: the same x[int_vector] whose gradient w.r.t. x is sparse (built by the
/// builder registered with set_sparse_grad_builder). TypeError for anything else.
Var sparse_grad(const Var& subtensor_result);
/// x[x != 0] over the flattened x (Theano's nonzero_values).
Var nonzero_values(const Var& x);

}  // namespace hypatia
