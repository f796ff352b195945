// Op: the contract every operation fulfils (typing, evaluation, shapes, gradients, aliasing).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <typeindex>
#include <vector>

#include "hypatia/graph/op_codec.h"
#include "hypatia/graph/variable.h"
#include "hypatia/util/hash.h"

namespace hypatia {

/// Symbolic shape of one variable: one int64 scalar variable per dimension.
using ShapeVec = std::vector<Var>;
/// output index -> input indices it views (view_map) or overwrites (destroy_map).
using ViewMap = std::map<int, std::vector<int>>;

/// An operation. Ops are immutable and shared between graphs; two ops that compare equal
/// (same class and parameters) compute the same function, which lets merge (CSE) fuse nodes.
class FunctionGraph;
using FunctionGraphPtr = std::shared_ptr<const FunctionGraph>;

/// What a lazy op (Theano's ifelse) tells the VM: the input evaluated first (`selector`) and,
/// per branch, the inputs only that branch needs. The VM runs the selector's producers,
/// asks the op which branch the value picks (Op::choose_branch), and runs the nodes feeding
/// the other branches' inputs only where something else needs them too.
struct LazyBranches {
  int selector = 0;
  std::vector<std::vector<int>> branches;
};

class Op : public std::enable_shared_from_this<Op> {
 public:
  virtual ~Op() = default;
  /// The op's class name ("Elemwise", "Dot", "CSM").
  virtual std::string name() const = 0;
  /// Theano's printed form with parameters, e.g. "Elemwise{add,no_inplace}", "Shape_i{0}".
  virtual std::string str() const { return name(); }
  virtual bool equals(const Op& other) const = 0;
  virtual size_t hash() const = 0;

  /// Checks input types, converts where needed, and builds the Apply with its output types.
  /// Raises TypeError naming the op and what it expected.
  virtual ApplyPtr make_node(const std::vector<Var>& inputs) const = 0;
  /// Computes outputs from input values. `outputs[i]` may hold the value computed by the
  /// previous call (an op may reuse its buffer when uniquely owned and of the right shape).
  virtual void perform(const Apply& node, const Value* const* inputs, Value* outputs) const = 0;
  /// Symbolic output shapes from symbolic input shapes; nullopt when not known.
  virtual std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node,
                                                           const std::vector<ShapeVec>& input_shapes) const;
  /// Theano's grad (L_op): the gradients of the inputs given the gradients of the outputs.
  /// An output gradient may be of DisconnectedType. Return null_var(...) for an undefined or
  /// not-implemented gradient and disconnected_var() for an input that does not matter.
  virtual std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const;
  /// Theano's R_op: output directional derivatives from input ones (eval_points[i] may be null
  /// for an input with no direction). Raises NotImplemented by default.
  virtual std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const;
  /// [input][output]: whether the output depends on the input. Default: all connected.
  virtual std::vector<std::vector<bool>> connection_pattern(const Apply& node) const;
  virtual ViewMap view_map() const { return {}; }
  virtual ViewMap destroy_map() const { return {}; }
  /// Whether perform checks the index range of sparse input `i` itself before any read that
  /// the indices steer (fused into its kernel's first pass, or because it never reads them),
  /// raising ValueError "[op] ..." on a bad index. The function boundary then leaves that O(nnz)
  /// check out for an input whose every consumer says so (docs/semantics.md, "Validation").
  /// Only ops that write fresh outputs may say so: an error must not strike after an in-place
  /// update. Default: false (the boundary checks the whole structure).
  virtual bool checks_input_indices(const Apply& node, int i) const {
    (void)node;
    (void)i;
    return false;
  }
  /// Whether perform also checks the row pointers of sparse input `i` it reads (that indptr never
  /// steps down), before any read they steer, raising the boundary's own ValueError ("indptr is
  /// not non-decreasing ..."). For an input whose every consumer checks both its indices and
  /// its steps, the boundary leaves out its O(outer) indptr check as well. Default: false.
  virtual bool checks_input_steps(const Apply& node, int i) const {
    (void)node;
    (void)i;
    return false;
  }
  /// Whether constant folding may evaluate this op at compile time.
  virtual bool constant_foldable(const Apply&) const { return true; }
  /// The variant of this op that overwrites some of the inputs listed in `allowed` (indices
  /// the in-place pass has proven safe to destroy) and declares so in its destroy_map; null
  /// when it has none. The generic in-place phase (rewrite/inplace.h) is the only caller.
  virtual std::shared_ptr<const Op> inplace_variant(const std::vector<int>& allowed) const {
    (void)allowed;
    return nullptr;
  }

  /// Lazy evaluation: the selector and branches of an op whose inputs are not all needed on
  /// every call (ifelse); nullopt (the default) for ops that need every input.
  virtual std::optional<LazyBranches> lazy_branches(const Apply& node) const {
    (void)node;
    return std::nullopt;
  }
  /// The branch (an index into lazy_branches().branches) that a selector value picks. The
  /// inputs of the other branches reach perform() empty (std::monostate).
  virtual int choose_branch(const Value& selector) const {
    (void)selector;
    return 0;
  }
  /// The graphs an op runs inside itself (scan's step, OpFromGraph's body), so that generic
  /// passes can see them: compile rewrites them with the outer function's mode, debugprint
  /// prints them. Empty for ordinary ops.
  virtual std::vector<FunctionGraphPtr> inner_graphs() const { return {}; }
  /// The same op over other inner graphs (each with the inputs and outputs of the one it
  /// replaces, in order, computing the same function): how compile installs rewritten copies.
  virtual std::shared_ptr<const Op> with_inner_graphs(const std::vector<FunctionGraphPtr>& graphs) const {
    (void)graphs;
    return nullptr;
  }

  /// This op as a shared pointer. Ops live in std::make_shared allocations (Apply nodes share
  /// them), so an op built on the stack cannot make nodes.
  std::shared_ptr<const Op> ptr() const {
    auto p = weak_from_this().lock();
    HYPATIA_ASSERT(p && "ops must be created with std::make_shared");
    if (!p) throw Error(ErrorKind::Runtime, str_cat("[", name(), "] ops must be created with std::make_shared"));
    return p;
  }
};

/// Applies `op` to inputs and returns all outputs.
std::vector<Var> apply_op(const Op& op, const std::vector<Var>& inputs);
/// Applies a one-output op.
Var apply1(const Op& op, const std::vector<Var>& inputs);

/// Parameters of an op that has none.
struct NoParams {
  auto fields() const { return std::tuple<>(); }
};

/// The arity of an op that takes any number of inputs (it checks the count itself).
inline constexpr int kVariadic = -1;

/// Base for ops declared once (docs/design.md, "The op contract"). `Derived` names itself
/// and its input count as `kName` and `kArity` (the HYPATIA_OP macro below writes both), so
/// the base gives name() and checks the arity before make_node_checked sees the inputs.
/// Identity is a parameter struct, as Theano's __props__: `Params` needs `auto fields() const`
/// returning a std::tie of its members; equality and hashing follow, and so does merge (CSE).
template <class Derived, class Params = NoParams>
class OpBase : public Op {
 public:
  /// Naming op_codec_registered registers the class with the op codec (pickling) at load.
  explicit OpBase(Params p = {}) : params_(std::move(p)) { (void)op_codec_registered<Derived, Params>; }
  const Params& params() const { return params_; }
  std::string name() const override { return Derived::kName; }
  bool equals(const Op& other) const override {
    if (typeid(other) != typeid(Derived)) return false;
    return params_.fields() == static_cast<const Derived&>(other).params_.fields();
  }
  size_t hash() const override {
    return hash_combine(std::hash<std::type_index>()(typeid(Derived)), hash_value(params_.fields()));
  }
  /// Checks the number of inputs (TypeError "[name] expected N inputs, got M"), then types them.
  ApplyPtr make_node(const std::vector<Var>& inputs) const final {
    constexpr int n = Derived::kArity;
    if (n != kVariadic && inputs.size() != static_cast<size_t>(n))
      type_error("[", name(), "] expected ", n, n == 1 ? " input" : " inputs", ", got ", inputs.size());
    return make_node_checked(inputs);
  }

 protected:
  /// make_node after the arity check: types the inputs and builds the Apply.
  virtual ApplyPtr make_node_checked(const std::vector<Var>& inputs) const = 0;
  Params params_;
};

// HYPATIA_OP(Name, arity, methods...) declares an op in one line inside its class body:
// kName and kArity, OpBase's constructor, and the override of each method named, from
// make_node, perform, infer_shape, vjp, jvp, connection_pattern, view_map, destroy_map,
// checks_input_indices, checks_input_steps, str,
// constant_foldable, inplace_variant, lazy_branches, choose_branch, inner_graphs and
// with_inner_graphs. Every op states the same signatures this way, and
// a reader sees at a glance which parts of the contract an op implements.
#define HYPATIA_OP(NAME, ARITY, ...)                  \
 public:                                              \
  static constexpr const char* kName = #NAME;         \
  static constexpr int kArity = ARITY;                \
  using OpBase::OpBase;                               \
  HYPATIA_OP_METHODS(__VA_ARGS__)

#define HYPATIA_OP_METHODS(...) HY_OP_FOR_EACH(HY_OP_DECL_, __VA_ARGS__)
#define HY_OP_DECL_make_node ApplyPtr make_node_checked(const std::vector<Var>& inputs) const override;
#define HY_OP_DECL_perform void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
#define HY_OP_DECL_infer_shape                                                                   \
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node,                            \
                                                   const std::vector<ShapeVec>& input_shapes) const override;
#define HY_OP_DECL_vjp std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
#define HY_OP_DECL_jvp std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
#define HY_OP_DECL_connection_pattern std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override;
#define HY_OP_DECL_view_map ViewMap view_map() const override;
#define HY_OP_DECL_destroy_map ViewMap destroy_map() const override;
#define HY_OP_DECL_checks_input_indices bool checks_input_indices(const Apply& node, int i) const override;
#define HY_OP_DECL_checks_input_steps bool checks_input_steps(const Apply& node, int i) const override;
#define HY_OP_DECL_str std::string str() const override;
#define HY_OP_DECL_constant_foldable bool constant_foldable(const Apply& node) const override;
#define HY_OP_DECL_inplace_variant OpPtr inplace_variant(const std::vector<int>& allowed) const override;
#define HY_OP_DECL_lazy_branches std::optional<LazyBranches> lazy_branches(const Apply& node) const override;
#define HY_OP_DECL_choose_branch int choose_branch(const Value& selector) const override;
#define HY_OP_DECL_inner_graphs std::vector<FunctionGraphPtr> inner_graphs() const override;
#define HY_OP_DECL_with_inner_graphs \
  OpPtr with_inner_graphs(const std::vector<FunctionGraphPtr>& graphs) const override;
// A for-each over up to 14 macro arguments.
#define HY_OP_FE_1(M, a) M##a
#define HY_OP_FE_2(M, a, ...) M##a HY_OP_FE_1(M, __VA_ARGS__)
#define HY_OP_FE_3(M, a, ...) M##a HY_OP_FE_2(M, __VA_ARGS__)
#define HY_OP_FE_4(M, a, ...) M##a HY_OP_FE_3(M, __VA_ARGS__)
#define HY_OP_FE_5(M, a, ...) M##a HY_OP_FE_4(M, __VA_ARGS__)
#define HY_OP_FE_6(M, a, ...) M##a HY_OP_FE_5(M, __VA_ARGS__)
#define HY_OP_FE_7(M, a, ...) M##a HY_OP_FE_6(M, __VA_ARGS__)
#define HY_OP_FE_8(M, a, ...) M##a HY_OP_FE_7(M, __VA_ARGS__)
#define HY_OP_FE_9(M, a, ...) M##a HY_OP_FE_8(M, __VA_ARGS__)
#define HY_OP_FE_10(M, a, ...) M##a HY_OP_FE_9(M, __VA_ARGS__)
#define HY_OP_FE_11(M, a, ...) M##a HY_OP_FE_10(M, __VA_ARGS__)
#define HY_OP_FE_12(M, a, ...) M##a HY_OP_FE_11(M, __VA_ARGS__)
#define HY_OP_FE_13(M, a, ...) M##a HY_OP_FE_12(M, __VA_ARGS__)
#define HY_OP_FE_14(M, a, ...) M##a HY_OP_FE_13(M, __VA_ARGS__)
#define HY_OP_FE_PICK(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, N, ...) N
#define HY_OP_FOR_EACH(M, ...)                                                                    \
  HY_OP_FE_PICK(__VA_ARGS__, HY_OP_FE_14, HY_OP_FE_13, HY_OP_FE_12, HY_OP_FE_11, HY_OP_FE_10, HY_OP_FE_9, HY_OP_FE_8, HY_OP_FE_7,        \
                HY_OP_FE_6, HY_OP_FE_5, HY_OP_FE_4, HY_OP_FE_3, HY_OP_FE_2, HY_OP_FE_1)(M, __VA_ARGS__)

/// A null gradient saying the gradient of `op` with respect to input `i` is undefined.
Var grad_undefined(const Op& op, int i, const std::string& comment = "");
/// A null gradient saying the gradient of `op` with respect to input `i` is not implemented.
Var grad_not_implemented(const Op& op, int i, const std::string& comment = "");

}  // namespace hypatia
