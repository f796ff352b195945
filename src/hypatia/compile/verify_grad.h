// verify_grad: checks a symbolic gradient against finite differences (theano.gradient.verify_grad).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "hypatia/compile/function.h"
#include "hypatia/graph/variable.h"

namespace hypatia {

struct VerifyGradOptions {
  /// Number of random projections tried.
  int n_tests = 2;
  /// Random generator for the projections; when null a generator seeded with `seed` is used.
  std::mt19937_64* rng = nullptr;
  uint64_t seed = 42;
  /// Finite-difference step. Default by the widest-tolerance dtype among the inputs and the
  /// output (Theano's numeric_grad.type_eps): float64 1e-7, float32 3e-4, float16 1e-1.
  std::optional<double> eps;
  /// Tolerances; the check fails where BOTH are exceeded. Defaults (Theano's _type_tol):
  /// float64 1e-4, float32 1e-2, float16 5e-2, taking the loosest over inputs and output.
  std::optional<double> abs_tol, rel_tol;
  /// Compilation mode of the functions, and the rewrite tags left out (as FunctionOptions).
  Mode mode = Mode::FastRun;
  std::vector<std::string> excluding;
  /// Accepted for compatibility: the projection is always given the output's dtype here
  /// (the cost is accumulated in double either way), so this changes nothing.
  bool cast_to_output_type = false;
  /// Sparse inputs: true perturbs only the stored entries (`data`) and compares the gradient
  /// there (for structured gradients); false perturbs every entry of the dense matrix (new
  /// entries become stored) and compares the full gradient, as Theano's
  /// verify_grad_sparse(structured=False).
  bool structured = false;
  /// Accepted for compatibility with Theano's signature; unused.
  bool no_debug_ref = true;
};

/// Checks the gradient of fun at `pt`: with a random projection u (uniform in [0.5, 1.5)) of
/// the (dense) output, compares grad(sum(u * fun(x)), x) — built as Lop(fun(x), x, u) — with
/// central differences (f(x + eps e_k) - f(x - eps e_k)) / (2 eps) of the projected output.
/// (Theano uses one-sided differences; central ones are more accurate for the same eps.)
/// Inputs must be floating point (dense NDArray, or SparseMatrix). On failure raises
/// Error(Value) "[verify_grad] GradientError: ..." naming the argument index, the position,
/// both values and the max abs/rel errors with their tolerances.
void verify_grad(const std::function<Var(const std::vector<Var>&)>& fun, const std::vector<Value>& pt,
                 const VerifyGradOptions& opts = {});

}  // namespace hypatia
