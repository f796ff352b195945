// Builders of Theano's tensor.extra_ops (and squeeze/compress/repeat as tensor methods).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "hypatia/tensor/basic.h"

namespace hypatia {

/// Cumulative sum/product along axis (nullopt: the flattened input), as numpy.
Var cumsum(const Var& x, std::optional<int> axis = std::nullopt);
Var cumprod(const Var& x, std::optional<int> axis = std::nullopt);
/// n-th discrete difference along axis (negative allowed).
Var diff(const Var& x, int n = 1, int axis = -1);
/// Counts of each non-negative int in x (at least minlength bins; -1 = none), or summed weights.
Var bincount(const Var& x, std::optional<Var> weights = std::nullopt, int64_t minlength = -1,
             bool assert_nonneg = false);
/// Insertion indices of v into sorted 1-D x (side "left" or "right"), int64 shaped like v.
Var searchsorted(const Var& x, const Var& v, const std::string& side = "left",
                 std::optional<Var> sorter = std::nullopt);
/// Sorted unique values of the flattened x, then index / inverse / counts when asked.
std::vector<Var> unique(const Var& x, bool return_index = false, bool return_inverse = false,
                        bool return_counts = false);
/// One-hot rows for int vector y; dtype defaults to floatX.
Var to_one_hot(const Var& y, int64_t nb_class, std::optional<DType> dtype = std::nullopt);
/// val (a scalar that must not upcast a) on the main diagonal of a copy of a.
Var fill_diagonal(const Var& a, const Var& val);
Var fill_diagonal_offset(const Var& a, const Var& val, const Var& offset);
/// Drops broadcastable axes (all of them, or the listed ones, which must be broadcastable).
Var squeeze(const Var& x, std::optional<std::vector<int>> axis = std::nullopt);
/// numpy.compress(condition, x, axis).
Var compress(const Var& condition, const Var& x, std::optional<int> axis = std::nullopt);
/// numpy.repeat(x, repeats, axis): repeats an int scalar or vector.
Var repeat(const Var& x, const Var& repeats, std::optional<int> axis = std::nullopt);

}  // namespace hypatia
