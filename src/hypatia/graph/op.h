// Op: the contract every operation fulfils (typing, evaluation, shapes, gradients, aliasing).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <typeindex>
#include <vector>

#include "hypatia/graph/variable.h"
#include "hypatia/util/hash.h"

namespace hypatia {

/// Symbolic shape of one variable: one int64 scalar variable per dimension.
using ShapeVec = std::vector<Var>;
/// output index -> input indices it views (view_map) or overwrites (destroy_map).
using ViewMap = std::map<int, std::vector<int>>;

/// An operation. Ops are immutable and shared between graphs; two ops that compare equal
/// (same class and parameters) compute the same function, which lets merge (CSE) fuse nodes.
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
  /// Whether constant folding may evaluate this op at compile time.
  virtual bool constant_foldable(const Apply&) const { return true; }

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

/// Base for ops whose identity is a parameter struct, as Theano's __props__. `Params` needs
/// `auto fields() const` returning a std::tie of its members; equality and hashing follow.
template <class Derived, class Params>
class OpBase : public Op {
 public:
  explicit OpBase(Params p = {}) : params_(std::move(p)) {}
  const Params& params() const { return params_; }
  bool equals(const Op& other) const override {
    if (typeid(other) != typeid(Derived)) return false;
    return params_.fields() == static_cast<const Derived&>(other).params_.fields();
  }
  size_t hash() const override {
    return hash_combine(std::hash<std::type_index>()(typeid(Derived)), hash_value(params_.fields()));
  }

 protected:
  Params params_;
};

/// Parameters of an op that has none.
struct NoParams {
  auto fields() const { return std::tuple<>(); }
};

/// A null gradient saying the gradient of `op` with respect to input `i` is undefined.
Var grad_undefined(const Op& op, int i, const std::string& comment = "");
/// A null gradient saying the gradient of `op` with respect to input `i` is not implemented.
Var grad_not_implemented(const Op& op, int i, const std::string& comment = "");

}  // namespace hypatia
