// Python bindings of autodiff: grad, Lop, Rop, jacobian, hessian, gradient ops, verify_grad.
#include "bindings.h"
#include "hypatia/grad/grad.h"
#include "hypatia/compile/jacobian.h"
#include "hypatia/tensor/ops/gradient.h"
#include "hypatia/compile/verify_grad.h"

namespace hypatia::py {

namespace {
nb::list vars_or_none(const std::vector<Var>& vs) {
  nb::list l;
  for (const auto& v : vs) {
    if (v) l.append(nb::cast(v));
    else l.append(nb::none());
  }
  return l;
}
GradOptions grad_options(std::vector<Var> consider_constant, const std::string& disconnected_inputs, bool add_names,
                         std::vector<std::pair<Var, nb::object>> known_grads, const std::string& return_disconnected,
                         const std::string& null_gradients) {
  GradOptions o;
  o.consider_constant = std::move(consider_constant);
  o.disconnected_inputs = on_disconnected_from(disconnected_inputs, "grad", "disconnected_inputs");
  o.add_names = add_names;
  for (auto& [k, g] : known_grads) o.known_grads.emplace_back(k, as_var(g));
  o.return_disconnected = return_disconnected_from(return_disconnected, "grad");
  o.null_gradients = on_null_gradient_from(null_gradients, "grad");
  return o;
}
}  // namespace

void init_grad(nb::module_& m) {
  m.def("grad", [](nb::object cost, std::vector<Var> wrt, std::vector<Var> consider_constant, const std::string& disconnected_inputs,
                   bool add_names, std::vector<std::pair<Var, nb::object>> known_grads, const std::string& return_disconnected,
                   const std::string& null_gradients) {
    Var c = cost.is_none() ? Var() : as_var(cost);
    return vars_or_none(grad(c, wrt, grad_options(std::move(consider_constant), disconnected_inputs, add_names, std::move(known_grads),
                                                  return_disconnected, null_gradients)));
  }, nb::arg("cost").none(), nb::arg("wrt"), nb::arg("consider_constant"), nb::arg("disconnected_inputs"),
     nb::arg("add_names"), nb::arg("known_grads"), nb::arg("return_disconnected"), nb::arg("null_gradients"),
        "theano.grad: the gradients of a scalar cost with respect to wrt (with Theano's options).");
  m.def("Lop", [](std::vector<Var> f, std::vector<Var> wrt, std::vector<nb::object> eval_points, std::vector<Var> consider_constant,
                  const std::string& disconnected_inputs) {
    std::vector<Var> ev;
    for (auto& e : eval_points) ev.push_back(as_var(e));
    GradOptions o;
    o.consider_constant = std::move(consider_constant);
    o.disconnected_inputs = on_disconnected_from(disconnected_inputs, "grad", "disconnected_inputs");
    return vars_or_none(Lop(f, wrt, ev, o));
  },
        "theano.Lop: the vector-Jacobian products eval_points . d f / d wrt.");
  m.def("Rop", [](std::vector<Var> f, std::vector<Var> wrt, std::vector<nb::object> eval_points, const std::string& disconnected_outputs,
                  const std::string& return_disconnected) {
    std::vector<Var> ev;
    for (auto& e : eval_points) ev.push_back(as_var(e));
    RopOptions o;
    o.disconnected_outputs = on_disconnected_from(disconnected_outputs, "Rop", "disconnected_outputs");
    o.return_disconnected = return_disconnected_from(return_disconnected, "Rop", true);
    return vars_or_none(Rop(f, wrt, ev, o));
  },
        "theano.Rop: the Jacobian-vector products d f / d wrt . eval_points.");
  m.def("jacobian", [](const Var& e, std::vector<Var> wrt, std::vector<Var> consider_constant, const std::string& disconnected_inputs) {
    GradOptions o;
    o.consider_constant = std::move(consider_constant);
    o.disconnected_inputs = on_disconnected_from(disconnected_inputs, "grad", "disconnected_inputs");
    return vars_or_none(jacobian(e, wrt, o));
  },
        "The Jacobian of a vector expression with respect to wrt.");
  m.def("hessian", [](const Var& c, std::vector<Var> wrt, std::vector<Var> consider_constant, const std::string& disconnected_inputs) {
    GradOptions o;
    o.consider_constant = std::move(consider_constant);
    o.disconnected_inputs = on_disconnected_from(disconnected_inputs, "grad", "disconnected_inputs");
    return vars_or_none(hessian(c, wrt, o));
  },
        "The Hessian of a scalar cost with respect to wrt.");
  m.def("zero_grad", [](nb::handle x) { return zero_grad(as_var(x)); }, nb::arg("x"),
        "x in the forward pass; its gradient is zero. ``x``: the variable. Raises TypeError when ``x`` is not a variable or a value that becomes one.");
  m.def("disconnected_grad", [](nb::handle x) { return disconnected_grad(as_var(x)); }, nb::arg("x"),
        "x in the forward pass; the gradient does not flow through it (disconnected). ``x``: the variable. Raises TypeError when ``x`` is not a variable or a value that becomes one.");
  m.def("consider_constant", [](nb::handle x) { return consider_constant(as_var(x)); }, nb::arg("x"),
        "x in the forward pass; treated as a constant by grad. ``x``: the variable. Raises TypeError when ``x`` is not a variable or a value that becomes one.");
  m.def("grad_clip", [](nb::handle x, double lo, double hi) { return grad_clip(as_var(x), lo, hi); }, nb::arg("x"), nb::arg("lower"), nb::arg("upper"),
        "x in the forward pass; its gradient clipped to [lower, upper]. ``x``: the variable; ``lower`` and ``upper``: the bounds. Raises TypeError when ``x`` is not a variable or a value that becomes one.");
  m.def("grad_scale", [](nb::handle x, double mult) { return grad_scale(as_var(x), mult); }, nb::arg("x"), nb::arg("multiplier"),
        "x in the forward pass; its gradient multiplied by multiplier. ``x``: the variable; ``multiplier``: the factor. Raises TypeError when ``x`` is not a variable or a value that becomes one.");
  m.def("verify_grad", [](nb::callable fun, nb::list pt, int n_tests, uint64_t seed, std::optional<double> eps,
                          std::optional<double> abs_tol, std::optional<double> rel_tol, const std::string& mode, bool structured) {
    std::vector<Value> points;
    for (auto p : pt) points.push_back(to_value(p));
    VerifyGradOptions o;
    o.n_tests = n_tests;
    o.seed = seed;
    o.eps = eps;
    o.abs_tol = abs_tol;
    o.rel_tol = rel_tol;
    FunctionOptions mode_opts;
    set_mode(mode_opts, mode);  // Theano's mode name, parsed once at the boundary
    o.mode = mode_opts.mode;
    o.excluding = mode_opts.excluding;
    o.structured = structured;
    verify_grad([&](const std::vector<Var>& xs) {
      nb::list args;
      for (const auto& x : xs) args.append(nb::cast(x));
      return as_var(fun(*args));
    }, points, o);
  },
        "theano.gradient.verify_grad: compares fun's symbolic gradient with finite differences at pt.");
}

}  // namespace hypatia::py
