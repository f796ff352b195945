// Python bindings of theano.ifelse: the lazy IfElse op and the ifelse builder (_core.ifelse).
#include "bindings.h"
#include "hypatia/control/ops/ifelse.h"

namespace hypatia::py {

namespace {

// A branch: a list or tuple of values, or one value (then *single is set).
std::vector<Var> branch_vars(nb::handle h, bool* single) {
  std::vector<Var> out;
  *single = !(nb::isinstance<nb::list>(h) || nb::isinstance<nb::tuple>(h));
  if (*single) {
    out.push_back(as_operand(h, "IfElse"));
  } else {
    for (nb::handle item : h) out.push_back(as_operand(item, "IfElse"));
  }
  return out;
}

}  // namespace

void init_ifelse(nb::module_& root) {
  nb::module_ m = root.def_submodule("ifelse", "theano.ifelse: the lazy IfElse op and its builder.");
  m.def("IfElse", [](int n_outs, bool as_view, bool gpu, nb::handle name) {
    (void)gpu;  // Theano's GPU flag; there is no GPU here
    return make_op<IfElse>(IfElseParams{n_outs, as_view, name.is_none() ? "" : nb::cast<std::string>(nb::str(name))});
  }, nb::arg("n_outs"), nb::arg("as_view") = false, nb::arg("gpu") = false, nb::arg("name") = nb::none(),
        "Theano's IfElse(n_outs, as_view=False, gpu=False, name=None): an op over (cond, then_1..then_n, "
        "else_1..else_n) giving the then values when the 0-d cond is non-zero, else the else values. Lazy: only the "
        "chosen branch is computed. as_view returns the chosen inputs themselves instead of copies "
        "(printed if{inplace}); gpu is accepted for Theano's signature and ignored; name names the node. Making the op "
        "raises only TypeError for arguments of the wrong type (n_outs not an int); applying it raises ValueError "
        "for n_outs < 1 and TypeError for other than 1 + 2 * n_outs inputs, a condition that is not a real 0-d "
        "tensor, or a (then, else) pair of different types.");
  m.def("ifelse", [](nb::handle condition, nb::handle then_branch, nb::handle else_branch, nb::handle name) {
    bool single_then = false, single_else = false;
    std::vector<Var> ts = branch_vars(then_branch, &single_then);
    std::vector<Var> es = branch_vars(else_branch, &single_else);
    if (ts.size() != es.size())
      value_error("[IfElse] the number of values on the `then` branch (", ts.size(),
                  ") should be the same as on the `else` branch (", es.size(), ")");
    Var cond = as_operand(condition, "IfElse");
    std::vector<Var> outs = ifelse(cond, ts, es, name.is_none() ? "" : nb::cast<std::string>(nb::str(name)));
    if (single_then) return nb::cast(outs[0]);
    if (nb::isinstance<nb::tuple>(then_branch)) return nb::object(nb::tuple(nb::cast(outs)));
    return nb::cast(outs);
  }, nb::arg("condition"), nb::arg("then_branch"), nb::arg("else_branch"), nb::arg("name") = nb::none(),
        "theano.ifelse.ifelse(condition, then_branch, else_branch, name=None): then_branch when the 0-d condition "
        "is non-zero, else else_branch, computing only the branch taken (the VM evaluates lazily). Branches are "
        "single variables or lists/tuples of the same length (the result follows then_branch's form); each pair "
        "must have one type (constants convert to the other branch's type). Dense and sparse branches work; "
        "differentiable (the condition gets a zero gradient).");
}

}  // namespace hypatia::py
