// jacobian/hessian: a scan over the rows of the expression, each step one gradient (Theano's construction).
#include "hypatia/compile/jacobian.h"

#include "hypatia/control/ops/scan.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/creation.h"
#include "hypatia/tensor/ops/indexing.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

std::vector<Var> jacobian(const Var& expression, const std::vector<Var>& wrt, const GradOptions& opts) {
  if (!expression) type_error("[jacobian] tensor.jacobian expects a Variable as `expression`");
  const int nd = expression.type()->ndim();
  if (expression.type()->kind() != TypeKind::Tensor)
    type_error("[jacobian] expects a dense tensor expression, got ", expression.type()->str());
  if (nd > 1)
    value_error("[jacobian] tensor.jacobian expects a 1 dimensional variable as `expression`. If not use flatten "
                "to make it a vector");
  GradOptions g;
  g.consider_constant = opts.consider_constant;
  g.disconnected_inputs = opts.disconnected_inputs;
  if (nd == 0) return grad(expression, wrt, g);

  // Theano: scan(lambda i, y, *wrt: [grad(y[i], x) for x in wrt], sequences=arange(y.shape[0]),
  // non_sequences=[y] + wrt). The step gets the expression and wrt themselves, so y[i] still
  // depends on them.
  ScanFn step = [&](const std::vector<Var>& a) {
    std::vector<Var> rows;
    for (size_t k = 2; k < a.size(); ++k) {
      Var r = grad(subtensor(a[1], {IndexEntry::at(a[0])}), a[k], g);
      if (r.type()->kind() != TypeKind::Tensor)
        type_error("[jacobian] the gradient with respect to wrt[", k - 2, "] is of type ", r.type()->str(),
                   "; only dense gradients can be stacked into a Jacobian");
      rows.push_back(r);
    }
    return ScanStep(rows);
  };
  std::vector<Var> non_seqs{expression};
  non_seqs.insert(non_seqs.end(), wrt.begin(), wrt.end());
  ScanOptions so;
  so.outputs_info_given = false;
  so.name = "jacobian";
  return scan(step, {ScanSequence(arange(shape_i(expression, 0)))}, {}, non_seqs, so).outputs;
}

std::vector<Var> hessian(const Var& cost, const std::vector<Var>& wrt, const GradOptions& opts) {
  if (!cost) type_error("[hessian] tensor.hessian expects a Variable as `cost`");
  if (cost.type()->ndim() != 0) value_error("[hessian] tensor.hessian expects a 0 dimensional variable as `cost`");
  std::vector<Var> out;
  for (const auto& x : wrt) {
    if (!x) type_error("[hessian] tensor.hessian expects a (list of) Variable as `wrt`");
    if (x.type()->ndim() != 1)
      value_error("[hessian] tensor.hessian expects a (list of) 1 dimensional variable as `wrt`");
    GradOptions g;
    g.consider_constant = opts.consider_constant;
    g.disconnected_inputs = opts.disconnected_inputs;
    Var expr = grad(cost, x, g);
    // Inputs may be disconnected from expr even when connected to cost: not an error.
    GradOptions h;
    h.consider_constant = opts.consider_constant;
    h.disconnected_inputs = OnDisconnected::Ignore;
    out.push_back(jacobian(expr, std::vector<Var>{x}, h)[0]);
  }
  return out;
}


}  // namespace hypatia
