// DebugMode: per-node checks of a compiled function against its unoptimised graph and its ops' contracts.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hypatia/link/vm.h"

namespace hypatia {

/// Which of DebugMode's checks run (Theano's DebugMode and config.DebugMode.* flags). All are
/// on by default; check_finite (NaN/inf outputs are errors) follows Theano's default too.
struct DebugOptions {
  bool enabled = false;
  bool check_optimized = true;  // each rewritten variable agrees with the unoptimised graph
  bool check_destroy_map = true;  // perform writes into no input outside its destroy_map
  bool check_view_map = true;     // outputs alias no input outside view_map/destroy_map
  bool check_shapes = true;       // infer_shape gives the real output shapes
  bool check_values = true;       // outputs fit their types; sparse outputs are valid matrices
  bool check_finite = true;       // float outputs hold no NaN or inf
  int reruns = 1;                 // reruns compared with the first run (non-determinism)
  double rtol = -1, atol = -1;    // tolerance of the comparisons; < 0: by dtype (see below)
  /// Output buffers each node is run again with (config.DebugMode.check_preallocated_output):
  /// "initial" (empty slots), "previous" (the first run's outputs), "c_contiguous",
  /// "f_contiguous" and "strided" (buffers of the right shape and another layout, filled
  /// with garbage), "wrong_size" (one element more and less per dimension) or "ALL". Ops may
  /// reuse an output buffer, so each must give the same result as fresh buffers.
  std::vector<std::string> preallocated;
  int preallocated_ndim = 4;      // inner-most dimensions the "strided" buffers stride over
  /// Output strides compared between the run and a rerun on C-contiguous copies of the inputs
  /// (config.DebugMode.check_strides): 0 off, 1 warn, 2 raise. View outputs are exempt.
  int check_strides = 0;
  /// Warn when an in-place node (destroy_map) could have written into its input but returned a
  /// fresh buffer instead (config.DebugMode.warn_input_not_reused).
  bool warn_input_not_reused = true;
};

class FunctionGraph;

/// The state DebugMode keeps for one compiled function: a copy of its graph as built (before
/// any rewrite) and, for each variable of the rewritten graph, the variable of that copy it
/// stands for (recorded while rewrites replace variables, Theano's equivalence tracker).
///
/// run() executes one call: the unoptimised copy first (every value kept), then the rewritten
/// graph node by node with the checks of DebugOptions, then `reruns` more times, comparing
/// every node's outputs with the first run. The first offending node raises an Error whose
/// message starts "[DebugMode] <kind>:" (BadOptimization, BadDestroyMap, BadViewMap,
/// BadShape, InvalidValue, BadThunkOutput) and names the node, and the VM adds its input
/// shapes and types. Calls through one checker are serialised.
class DebugChecker {
 public:
  /// Call before `fg` is rewritten: copies it and starts tracking replacements.
  DebugChecker(FunctionGraph& fg, DebugOptions opts);
  ~DebugChecker();
  /// Runs `vm` (built from the rewritten `fg`) on `frame`, whose input slots are filled.
  void run(const FunctionGraph& fg, const VM& vm, VM::Frame& frame);

  struct Tracker;  // the equivalence tracker (a FunctionGraph Feature)
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Tolerances DebugMode compares floats with when DebugOptions leaves them unset: rtol/atol
/// 1e-5/1e-8 for float64 and 1e-3/1e-5 for float32 and float16.
std::pair<double, double> debug_tolerance(DType dtype, const DebugOptions& opts);

}  // namespace hypatia
