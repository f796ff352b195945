// Scan: Theano's loop op (one inner graph run once per step) and the builders scan, map, reduce, foldl, foldr.
#pragma once
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hypatia/graph/function_graph.h"
#include "hypatia/graph/op.h"
#include "hypatia/link/vm.h"

namespace hypatia {

/// The static description of a loop (Theano's scan info). The inner graph's inputs and the
/// node's inputs and outputs come in these groups, in this order:
///
///   outer inputs : n_steps, sequences, state initials, shared initials, non-sequences
///   inner inputs : one slice per sequence tap, one per state tap, shared values, non-sequences
///   inner outputs: next state per state, nit_sot values, next shared values, [until condition]
///   outer outputs: state traces (n, ...), nit_sot traces (n, ...), final shared values
///
/// A state with taps {-1} (Theano's sit_sot) takes an initial value shaped like one step; any
/// other taps (mit_sot) take an initial of shape (K, ...), K = -min(taps), whose row j stands
/// for step j - K. A sequence tap k gives step t the row t + k - min(0, min(taps)). "Shared"
/// states are values carried from step to step whose final value only is returned: the shared
/// variables `fn` updates (random streams' states among them).
struct ScanInfo {
  std::vector<std::vector<int>> seq_taps;    // per sequence, its taps in the order fn gets them
  std::vector<std::vector<int>> state_taps;  // per recurrent output, its (negative) taps
  int n_nit_sot = 0;                         // outputs not fed back (outputs_info None)
  int n_shared = 0;                          // carried values returned as final values
  int n_non_seqs = 0;
  bool as_while = false;                     // the last inner output is the until condition
  bool go_backwards = false;                 // sequences are walked from their end
  int truncate_gradient = -1;                // BPTT steps kept by the gradient (-1: all)
  std::string name;                          // shown in printing and profiles
  bool allow_gc = true;                      // the inner VM releases intermediates per step

  /// The name errors and printing show ("scan_fn" when none was given, as Theano).
  std::string label() const { return name.empty() ? "scan_fn" : name; }
  int n_seqs() const { return static_cast<int>(seq_taps.size()); }
  int n_states() const { return static_cast<int>(state_taps.size()); }
  /// Inner inputs per group.
  int n_seq_slices() const;
  int n_state_slices() const;
  /// Rows a state's initial value provides (1 for sit_sot, K for mit_sot).
  static int state_depth(const std::vector<int>& taps);
  /// Whether a state is a sit_sot (taps {-1}: the initial is one step, not a stack).
  static bool is_sit_sot(const std::vector<int>& taps) { return taps.size() == 1 && taps[0] == -1; }
  auto fields() const {
    return std::tie(seq_taps, state_taps, n_nit_sot, n_shared, n_non_seqs, as_while, go_backwards, truncate_gradient,
                    name, allow_gc);
  }
};

/// The loop. Equal only to itself over the same inner graph (its identity is the graph's).
/// The inner graph runs on a VM built once per op; each perform takes a frame from a pool, so
/// concurrent calls are safe, and reuses that frame (and its buffers) across steps. Traces
/// are written into one buffer allocated per output and call.
class Scan final : public Op {
 public:
  Scan(ScanInfo info, FunctionGraphPtr inner);
  static constexpr const char* kName = "Scan";
  std::string name() const override { return kName; }
  /// Theano's "for{cpu,name}" ("while{cpu,name}" with an until condition).
  std::string str() const override;
  bool equals(const Op& other) const override;
  size_t hash() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node,
                                                   const std::vector<ShapeVec>& input_shapes) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override;
  bool constant_foldable(const Apply&) const override { return false; }
  std::vector<FunctionGraphPtr> inner_graphs() const override { return {inner_}; }
  OpPtr with_inner_graphs(const std::vector<FunctionGraphPtr>& graphs) const override;

  const ScanInfo& info() const { return info_; }
  const FunctionGraph& inner() const { return *inner_; }
  const FunctionGraphPtr& inner_ptr() const { return inner_; }
  /// First inner input of each group (sequence slices, state slices, shared, non-sequences).
  int inner_seq_begin() const { return 0; }
  int inner_state_begin() const { return info_.n_seq_slices(); }
  int inner_shared_begin() const { return inner_state_begin() + info_.n_state_slices(); }
  int inner_non_seq_begin() const { return inner_shared_begin() + info_.n_shared; }
  /// First outer input of each group (input 0 is n_steps).
  int outer_seq_begin() const { return 1; }
  int outer_state_begin() const { return 1 + info_.n_seqs(); }
  int outer_shared_begin() const { return outer_state_begin() + info_.n_states(); }
  int outer_non_seq_begin() const { return outer_shared_begin() + info_.n_shared; }
  /// First inner/outer output of each group.
  int nit_sot_begin() const { return info_.n_states(); }
  int shared_out_begin() const { return info_.n_states() + info_.n_nit_sot; }

 private:
  /// vjp of a scan with carried values, through an equivalent scan that keeps their traces.
  std::vector<Var> carried_vjp(const Apply& node, const std::vector<Var>& output_grads) const;
  struct Runtime;  // the inner VM and the pool of frames, built on first use
  Runtime& runtime() const;
  std::unique_ptr<VM::Frame> take_frame() const;
  void give_frame(std::unique_ptr<VM::Frame> f) const;

  ScanInfo info_;
  FunctionGraphPtr inner_;
  mutable std::once_flag once_;
  mutable std::shared_ptr<Runtime> rt_;
};

/// A Scan node from its parts, for builders and rewrites: `inner_inputs`/`inner_outputs` are
/// the step graph (copied into the op's FunctionGraph) in ScanInfo's order, `outer_inputs`
/// the node's inputs (n_steps first). Checks counts and types: TypeError "[scan <name>] ...".
std::vector<Var> make_scan(const ScanInfo& info, const std::vector<Var>& inner_inputs,
                           const std::vector<Var>& inner_outputs, const std::vector<Var>& outer_inputs);

// ---- The builder (theano.scan) ----

/// A sequence and the taps `fn` receives of it (theano's dict(input=..., taps=[...])).
struct ScanSequence {
  ScanSequence(Var v) : input(std::move(v)) {}  // NOLINT: a bare variable has taps {0}
  ScanSequence(Var v, std::vector<int> t) : input(std::move(v)), taps(std::move(t)) {}
  Var input;
  std::vector<int> taps{0};
};
/// One entry of outputs_info: an initial state and its taps (theano's dict(initial=...,
/// taps=[...])); no initial (the default) is an output that is not fed back.
struct ScanOutputInfo {
  ScanOutputInfo() = default;
  ScanOutputInfo(Var v) : initial(std::move(v)) {}  // NOLINT: a bare initial has taps {-1}
  ScanOutputInfo(Var v, std::vector<int> t) : initial(std::move(v)), taps(std::move(t)) {}
  Var initial;
  std::vector<int> taps;  // empty with an initial: {-1}
};
/// What `fn` returns for one step: the outputs (one per outputs_info entry when outputs_info
/// is given), the shared-variable updates of one step, and an optional stop condition
/// (theano.scan_module.until).
struct ScanStep {
  ScanStep() = default;
  ScanStep(std::vector<Var> outs) : outputs(std::move(outs)) {}  // NOLINT
  ScanStep(Var out) : outputs{std::move(out)} {}                 // NOLINT
  std::vector<Var> outputs;
  std::vector<std::pair<Var, Var>> updates;
  Var until;
};
using ScanFn = std::function<ScanStep(const std::vector<Var>& args)>;

struct ScanOptions {
  Var n_steps;                   // an integer scalar; null: the sequences' common length
  int truncate_gradient = -1;
  bool go_backwards = false;
  std::string name;
  std::optional<bool> allow_gc;  // the inner graph's garbage collection (default: on)
  bool strict = false;           // every shared variable fn reads must be a non-sequence
  /// outputs_info was not given (Theano's None or []): every output of fn is a nit_sot.
  bool outputs_info_given = true;
};

/// The loop's outputs (one per fn output; a trace over the steps) and the updates of the
/// shared variables fn updates (final values), to pass to function() (Theano's OrderedUpdates).
struct ScanResult {
  std::vector<Var> outputs;
  std::vector<std::pair<Var, Var>> updates;
};

/// theano.scan. `fn` gets, in order: every tap of every sequence, every tap of every fed-back
/// output, then the non-sequences themselves (the same variables, so fn may differentiate
/// with respect to them); it may read other variables and shared variables freely, which
/// become implicit non-sequences (with strict=true, a shared one is an error). The default
/// updates of shared variables read inside fn (random streams) are carried through the loop
/// and returned as updates. Without n_steps the loop runs over the shortest sequence.
ScanResult scan(const ScanFn& fn, const std::vector<ScanSequence>& sequences,
                const std::vector<ScanOutputInfo>& outputs_info, const std::vector<Var>& non_sequences,
                const ScanOptions& options = {});
/// theano.map: scan with no fed-back outputs.
ScanResult map(const ScanFn& fn, const std::vector<ScanSequence>& sequences, const std::vector<Var>& non_sequences = {},
               bool go_backwards = false, const std::string& name = "");
/// theano.reduce / foldl / foldr: scan keeping only the last value of each output.
ScanResult reduce(const ScanFn& fn, const std::vector<ScanSequence>& sequences,
                  const std::vector<ScanOutputInfo>& outputs_info, const std::vector<Var>& non_sequences = {},
                  bool go_backwards = false, const std::string& name = "");
ScanResult foldl(const ScanFn& fn, const std::vector<ScanSequence>& sequences,
                 const std::vector<ScanOutputInfo>& outputs_info, const std::vector<Var>& non_sequences = {},
                 const std::string& name = "");
ScanResult foldr(const ScanFn& fn, const std::vector<ScanSequence>& sequences,
                 const std::vector<ScanOutputInfo>& outputs_info, const std::vector<Var>& non_sequences = {},
                 const std::string& name = "");

/// theano.scan_checkpoints: scan that keeps only every save_every_N-th value of each output
/// and recomputes the others when differentiating (less memory for more computation). As in
/// Theano: sequences of one length (n_steps, when given, equals it), taps [0] on sequences
/// and [-1] on outputs; `padding` zero-pads the sequences to a multiple of save_every_N (the
/// last chunk runs only the real steps), and the outputs have one row per chunk.
ScanResult scan_checkpoints(const ScanFn& fn, const std::vector<Var>& sequences,
                            const std::vector<ScanOutputInfo>& outputs_info, const std::vector<Var>& non_sequences = {},
                            const std::string& name = "checkpointscan_fn", const Var& n_steps = Var(),
                            int save_every_N = 10, bool padding = true);

}  // namespace hypatia
