// jacobian/hessian through JacobianOp, an op that runs a compiled gradient graph once per row.
#include "hypatia/compile/jacobian.h"

#include "hypatia/graph/traversal.h"
#include "hypatia/link/vm.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

JacobianOp::JacobianOp(FunctionPtr inner, std::vector<TypePtr> row_types, int n_roots, TypePtr projection_type)
    : inner_(std::move(inner)),
      row_types_(std::move(row_types)),
      n_roots_(n_roots),
      projection_type_(std::move(projection_type)) {}

std::string JacobianOp::str() const { return str_cat("Jacobian{", row_types_.size(), " wrt}"); }

ApplyPtr JacobianOp::make_node(const std::vector<Var>& inputs) const {
  if (static_cast<int>(inputs.size()) != n_roots_ + 1)
    type_error("[Jacobian] expected ", n_roots_ + 1, " inputs, got ", inputs.size());
  for (const auto& v : inputs)
    if (!v) type_error("[Jacobian] an input is a null Var");
  const TensorType& e = expect_tensor(inputs.back(), "Jacobian");
  if (e.ndim() != 1) type_error("[Jacobian] the expression must be a vector, got ", e.str());
  std::vector<TypePtr> out_types;
  for (const auto& t : row_types_) {
    const auto& tt = static_cast<const TensorType&>(*t);
    std::vector<bool> b{false};
    b.insert(b.end(), tt.broadcastable().begin(), tt.broadcastable().end());
    out_types.push_back(TensorType::make(tt.elem(), b));
  }
  return Apply::create(ptr(), inputs, out_types);
}

void JacobianOp::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& e = as_array(*inputs[n_roots_], "Jacobian");
  const int64_t n = e.shape(0);
  const DType pd = *projection_type_->dtype();
  std::vector<Value> args;
  args.reserve(n_roots_ + 1);
  for (int i = 0; i < n_roots_; ++i) args.push_back(*inputs[i]);
  args.emplace_back();
  std::lock_guard<std::mutex> lock(mu_);
  const int nk = static_cast<int>(row_types_.size());
  std::vector<NDArray*> outs(nk, nullptr);
  for (int64_t i = 0; i < std::max<int64_t>(n, 1); ++i) {
    NDArray proj = NDArray::zeros(pd, {n});
    if (n > 0) {
      NDArray one = proj.slice(0, i, i + 1, 1);
      one.fill(1.0);
    }
    args.back() = proj;
    std::vector<Value> rows = (*inner_)(args);
    for (int k = 0; k < nk; ++k) {
      const NDArray& r = as_array(rows[k], "Jacobian row");
      if (!outs[k]) {
        Shape s{n};
        s.insert(s.end(), r.shape().begin(), r.shape().end());
        outs[k] = &prepare_output(outputs[k], r.dtype(), s);
      }
      if (n > 0) {
        NDArray dst = outs[k]->index(0, i);
        if (dst.shape() != r.shape())
          value_error("[Jacobian] row ", i, " of output ", k, " has shape ", shape_str(r.shape()), ", expected ",
                      shape_str(dst.shape()));
        dst.assign(r);
      }
    }
  }
}

std::vector<std::vector<bool>> JacobianOp::connection_pattern(const Apply& node) const {
  std::vector<std::vector<bool>> p(node.nin(), std::vector<bool>(node.nout(), true));
  p.back().assign(node.nout(), false);
  return p;
}

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

  DType ed = *expression.type()->dtype();
  DType pd = is_inexact(ed) ? ed : floatX();
  Var proj = make_variable(TensorType::make(pd, tensor_type(expression)->broadcastable()), "jacobian_projection");
  g.add_names = false;
  g.known_grads = {{expression, proj}};
  std::vector<Var> grads = grad(Var(), wrt, g);
  std::vector<TypePtr> row_types;
  for (size_t k = 0; k < grads.size(); ++k) {
    if (grads[k].type()->kind() != TypeKind::Tensor)
      type_error("[jacobian] the gradient with respect to wrt[", k, "] is of type ", grads[k].type()->str(),
                 "; only dense gradients can be stacked into a Jacobian");
    row_types.push_back(grads[k].type());
  }
  std::vector<Var> all{expression};
  all.insert(all.end(), wrt.begin(), wrt.end());
  all.insert(all.end(), grads.begin(), grads.end());
  std::vector<Var> roots;
  for (const Var& r : graph_inputs(all))
    if (!r->is_constant() && !r->is_shared() && !(r == proj) && !r.owner()) roots.push_back(r);

  std::vector<In> ins(roots.begin(), roots.end());
  ins.emplace_back(proj);
  std::vector<Out> outs(grads.begin(), grads.end());
  FunctionOptions fo;
  fo.on_unused_input = OnUnusedInput::Ignore;
  fo.name = "jacobian_inner";
  FunctionPtr inner = function(std::move(ins), std::move(outs), fo);
  auto op = std::make_shared<JacobianOp>(inner, row_types, static_cast<int>(roots.size()),
                                         proj.type());
  std::vector<Var> node_inputs = roots;
  node_inputs.push_back(expression);
  return apply_op(*op, node_inputs);
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
