// Builders of the reduce family (Theano's theano.tensor reductions). sum and mean are declared
// in basic.h; everything here accepts axis = nullopt (all axes), a list, and negative axes.
#pragma once
#include <optional>
#include <utility>
#include <vector>

#include "hypatia/tensor/basic.h"

namespace hypatia {

/// Product; dtype rules as sum. The gradient handles zeros unless no_zeros_in_input.
Var prod(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false,
         std::optional<DType> dtype = std::nullopt, std::optional<DType> acc_dtype = std::nullopt,
         bool no_zeros_in_input = false);
Var max(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);
Var min(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);
/// int64 index of the max/min; axis nullopt indexes the flattened tensor.
Var argmax(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);
Var argmin(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);
std::pair<Var, Var> max_and_argmax(const Var& x, std::optional<std::vector<int>> axis = std::nullopt,
                                   bool keepdims = false);
/// Logical and/or; bool output.
Var all(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);
Var any(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);
/// Theano's var: mean((x - mean(x))**2); with ddof, the sum divided by (n_i - ddof) for each
/// reduced axis; `corrected` subtracts the squared mean of the centred input (two-pass).
Var var(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, int ddof = 0, bool keepdims = false,
        bool corrected = false);
/// sqrt(var(...)); Theano's std (named std_ in C++).
Var std_(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, int ddof = 0, bool keepdims = false,
         bool corrected = false);
/// (sum |x|**L)**(1/L) over axis; L = 0 and infinity raise NotImplemented (as Theano).
Var norm(const Var& x, double L, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);
/// max - min ("peak to peak").
Var ptp(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);
/// Bool scalar: every |a - b| <= atol + rtol * |b| (numpy.allclose), a and b broadcast.
Var allclose(const Var& a, const Var& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);

/// Sorted non-negative axes (all when nullopt); ValueError "[who] ..." when out of range.
std::vector<int> normalize_axes(const Var& x, const std::optional<std::vector<int>>& axis, const char* who);
/// r (reduced over `axes` of a rank-nd tensor) with the reduced axes put back as broadcastable.
Var keep_dims(const Var& r, int nd, const std::vector<int>& axes);

}  // namespace hypatia
