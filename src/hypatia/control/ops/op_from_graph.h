// OpFromGraph (theano.compile.builders.OpFromGraph): an op whose computation is a graph, inlined or run whole.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hypatia/graph/function_graph.h"

namespace hypatia {

class VM;

/// A user-supplied derivative: given the op's inner inputs (explicit, then implicit) and the
/// output gradients (grad) or the input eval points (R_op), symbolic results over them.
using OfgDerivativeFn = std::function<std::vector<Var>(const std::vector<Var>& inputs, const std::vector<Var>& extra)>;

/// One entry of a per-input (grad) or per-output (R_op) override list, Theano's spellings:
/// 'default', a callable returning that one derivative, NullType() (no derivative) or
/// DisconnectedType() (disconnected for grad; zero for R_op).
struct OfgOverrideEntry {
  enum class Kind { Default, Callable, Null, Disconnected };
  Kind kind = Kind::Default;
  std::function<Var(const std::vector<Var>& inputs, const std::vector<Var>& extra)> fn;
};

/// Theano's grad_overrides / rop_overrides: 'default' (neither field set), one callable for
/// all derivatives (`whole`; a null Var in its result means disconnected), or a list of
/// entries (`per`, one per explicit input for grad, one per output for R_op).
struct OfgOverride {
  OfgDerivativeFn whole;
  std::vector<OfgOverrideEntry> per;
  bool is_default() const { return !whole && per.empty(); }
  /// An OpFromGraph (or any op) as a whole override: applied to inputs + extra.
  static OfgOverride from_op(std::shared_ptr<const Op> op);
};

/// A derivative op an override built (pickling): the op, which result each of its outputs
/// gives (>= 0 the op's output, -1 disconnected, -2 null), and the null results' reasons.
struct OfgDerivativeState {
  std::shared_ptr<const Op> op;
  std::vector<int> index;
  std::vector<std::string> null_reasons;
};

/// Everything an OpFromGraph is, so that it can be saved and rebuilt without the user's
/// override callables (which the constructor called once and dropped): the inner graph over
/// its local inputs, how many are explicit, the outer implicit inputs, the options and the
/// derivatives overrides built (absent when the op derives them from the inner graph).
struct OfgState {
  FunctionGraphPtr inner;
  int n_explicit = 0;
  std::vector<Var> implicit;
  bool inline_ = false;
  std::string name;
  std::vector<std::vector<bool>> pattern;
  std::optional<OfgDerivativeState> grad;
  std::optional<OfgDerivativeState> rop;
};

struct OpFromGraphOptions {
  /// Replace every node by the inner graph at compile time (rewrite local_inline_ofg).
  bool inline_ = false;
  OfgOverride grad_overrides;
  OfgOverride rop_overrides;
  /// [input][output] over explicit then implicit inputs; computed from the graph when unset.
  std::optional<std::vector<std::vector<bool>>> connection_pattern;
  std::string name;
};

/// An op defined by a graph from `inputs` to `outputs`. The graph is copied into an inner
/// FunctionGraph over fresh local inputs. Variables the outputs use that are neither inputs
/// nor constants (shared variables, other free variables) become implicit inputs: every node
/// takes them after the explicit ones, so the outer function reads (and differentiates) them
/// as Theano's OpFromGraph does with shared variables.
///
/// perform runs the inner graph on a VM built once per op; each call takes a frame from a
/// pool, so one op may run in many threads at once. Outputs never alias the inputs or the
/// inner constants (copied when they would). Gradients and R_ops are themselves
/// OpFromGraphs (inline when this op is), built once and cached. Two OpFromGraphs are equal
/// only when they are the same object (Theano's identity), so merge joins two nodes only
/// when they apply the same op to the same inputs. Overrides are called once, by the
/// constructor (not lazily as in Theano), and not kept.
class OpFromGraph final : public Op {
 public:
  OpFromGraph(const std::vector<Var>& inputs, const std::vector<Var>& outputs, OpFromGraphOptions options = {});
  /// The copy with another (equivalent) inner graph: how compile installs the rewritten one.
  OpFromGraph(const OpFromGraph& base, FunctionGraphPtr inner);
  /// The op an OfgState describes (how pickling rebuilds one). ValueError "[OpFromGraph] ..."
  /// when the state is inconsistent (input counts, pattern size, derivative indices).
  explicit OpFromGraph(const OfgState& state);
  ~OpFromGraph() override;
  /// What the op is, for saving it (see OfgState).
  OfgState state() const;

  std::string name() const override { return "OpFromGraph"; }
  /// "OpFromGraph{inline=False}" as Theano prints it (the given name replaces OpFromGraph).
  std::string str() const override;
  bool equals(const Op& other) const override { return this == &other; }
  size_t hash() const override { return std::hash<const void*>()(this); }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node,
                                                   const std::vector<ShapeVec>& input_shapes) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override;
  /// Foldable when every inner node is (a Print inside stops folding).
  bool constant_foldable(const Apply& node) const override;
  std::vector<FunctionGraphPtr> inner_graphs() const override { return {fg_}; }
  OpPtr with_inner_graphs(const std::vector<FunctionGraphPtr>& graphs) const override;

  const FunctionGraph& inner() const { return *fg_; }
  bool is_inline() const { return opts_.inline_; }
  /// The options; the overrides are empty once the constructor has built their derivatives.
  const OpFromGraphOptions& options() const { return opts_; }
  int num_explicit_inputs() const { return n_explicit_; }
  /// The outer variables appended to every node's inputs (shared and other free variables).
  const std::vector<Var>& implicit_inputs() const { return implicit_; }
  /// The inner outputs with the inner inputs replaced by `inputs` (explicit then implicit):
  /// the expansion local_inline_ofg installs.
  std::vector<Var> expand(const std::vector<Var>& inputs) const;

 private:
  /// A derivative op (grad or R_op) applied to a node: which results come from it.
  struct Derivative {
    std::shared_ptr<const Op> op;  // null when no result needs one
    // Per result: >= 0 the derivative op's output index; -1 disconnected; -2 null (undefined);
    // -3 zeros like the corresponding variable.
    std::vector<int> index;
    std::vector<Var> nulls;  // the NullType results, in order (their reasons are kept)
  };
  void build_vm();
  std::string who() const;
  const Derivative& grad_derivative() const;
  const Derivative& rop_derivative(const std::vector<bool>& has_ep) const;
  Derivative wrap(const std::vector<Var>& extra, const std::vector<Var>& results) const;

  FunctionGraphPtr fg_;
  int n_explicit_ = 0;
  std::vector<Var> implicit_;
  OpFromGraphOptions opts_;
  std::vector<std::vector<bool>> pattern_;
  bool grad_overridden_ = false, rop_overridden_ = false;  // derivatives built from overrides (cached)
  std::unique_ptr<VM> vm_;
  std::vector<int> in_slots_, out_slots_;
  struct Pool;
  std::unique_ptr<Pool> pool_;
  mutable std::mutex cache_mu_;
  mutable std::unique_ptr<Derivative> grad_cache_;
  mutable std::map<std::vector<bool>, Derivative> rop_cache_;
};

/// Builds an OpFromGraph (theano.compile.builders.OpFromGraph). Raises TypeError for null
/// inputs or outputs, a constant or repeated input, or override lists of the wrong length.
std::shared_ptr<const OpFromGraph> op_from_graph(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                                                 OpFromGraphOptions options = {});

/// [input][output]: whether each output of the graph depends on each input, following the
/// connection patterns of the nodes in between (Theano's io_connection_pattern).
std::vector<std::vector<bool>> io_connection_pattern(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace hypatia
