// Symbolic differentiation (theano.gradient): grad, Lop (reverse mode) and Rop (forward mode).
#pragma once
#include <concepts>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hypatia/graph/op.h"

namespace hypatia {

/// What grad/Rop do with a wrt (an f, for Rop) that the other end does not depend on: raise
/// Error(DisconnectedInput), warn on stderr and go on as Ignore, or ignore it.
enum class OnDisconnected { Raise, Warn, Ignore };
/// The result for a disconnected wrt (f, for Rop): zeros like it (float), a null Var
/// (Theano's None), or a variable of DisconnectedType.
enum class ReturnDisconnected { Zero, None, Disconnected };
/// A NullType gradient reaching a wrt: raise Error(NullTypeGrad), or return it as is.
enum class OnNullGradient { Raise, Return };

/// The options from Theano's keyword strings (the Python binding's spelling): ValueError
/// "[who] Invalid value for keyword '<keyword>': ..." listing the valid values otherwise.
/// Rop also takes the lower-case "none" and "disconnected" (accept_lowercase).
OnDisconnected on_disconnected_from(std::string_view s, const char* who, const char* keyword);
ReturnDisconnected return_disconnected_from(std::string_view s, const char* who, bool accept_lowercase = false);
OnNullGradient on_null_gradient_from(std::string_view s, const char* who);

/// Options of grad() and Lop(), with Theano's names and defaults.
struct GradOptions {
  /// Expressions not to back-propagate through (their gradient is cut to disconnected).
  std::vector<Var> consider_constant;
  /// What to do when a wrt variable does not influence the cost.
  OnDisconnected disconnected_inputs = OnDisconnected::Raise;
  /// Name every computed gradient "(d<cost>/d<var>)" when both cost and var have names.
  bool add_names = true;
  /// Gradients already known for some variables (Theano's OrderedDict known_grads). With
  /// known_grads the cost may be a null Var. A known gradient overrides anything that
  /// would be back-propagated to that variable.
  std::vector<std::pair<Var, Var>> known_grads;
  /// The result for a disconnected wrt.
  ReturnDisconnected return_disconnected = ReturnDisconnected::Zero;
  /// A NullType gradient reaching a wrt.
  OnNullGradient null_gradients = OnNullGradient::Raise;
};

/// Gradients of `cost` (a 0-d tensor, or a null Var when opts.known_grads is not empty)
/// with respect to each of `wrt` (theano.grad). The graph is walked iteratively, so chains of
/// any depth work. Integer and boolean variables get zero (floatX) gradients.
std::vector<Var> grad(const Var& cost, const std::vector<Var>& wrt, const GradOptions& opts = {});
/// Single-wrt form, returning one Var. It is a template restricted to Var so that a braced
/// list (`grad(c, {x})`) still selects the vector form, as in Theano's grad(c, [x]).
template <std::same_as<Var> V>
Var grad(const Var& cost, const V& wrt, const GradOptions& opts = {}) {
  return grad(cost, std::vector<Var>{wrt}, opts)[0];
}

/// v * J: the gradients of `wrt` given that f[i] has gradient eval_points[i]
/// (theano.gradient.Lop = grad(None, wrt, known_grads={f: eval_points})). Uses
/// opts.consider_constant and opts.disconnected_inputs.
std::vector<Var> Lop(const std::vector<Var>& f, const std::vector<Var>& wrt, const std::vector<Var>& eval_points,
                     const GradOptions& opts = {});
template <std::same_as<Var> V>
Var Lop(const V& f, const V& wrt, const V& eval_point, const GradOptions& opts = {}) {
  return Lop(std::vector<Var>{f}, std::vector<Var>{wrt}, std::vector<Var>{eval_point}, opts)[0];
}

struct RopOptions {
  /// An f that does not depend on any wrt.
  OnDisconnected disconnected_outputs = OnDisconnected::Raise;
  /// Its result (Zero: zeros like f, of f's dtype).
  ReturnDisconnected return_disconnected = ReturnDisconnected::Zero;
};

/// J * v: the directional derivatives of each f along eval_points (one per wrt, of wrt's
/// shape), computed in forward mode through Op::jvp (theano.gradient.Rop). Only nodes that
/// depend on a wrt are visited; their float tensor inputs that do not depend on any wrt get
/// zeros_like(input) as eval point (as Theano), other such inputs a null Var. An op on the
/// path without a jvp raises Error(NotImplemented) naming the op.
std::vector<Var> Rop(const std::vector<Var>& f, const std::vector<Var>& wrt, const std::vector<Var>& eval_points,
                     const RopOptions& opts = {});
template <std::same_as<Var> V>
Var Rop(const V& f, const V& wrt, const V& eval_point, const RopOptions& opts = {}) {
  return Rop(std::vector<Var>{f}, std::vector<Var>{wrt}, std::vector<Var>{eval_point}, opts)[0];
}

}  // namespace hypatia
