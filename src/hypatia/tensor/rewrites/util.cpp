// Helpers shared by the tensor rewrites: scalar constant values, folding small constant graphs, casts.
#include "hypatia/tensor/rewrites/util.h"

#include "hypatia/tensor/rewrites/rewrites.h"

namespace hypatia {

std::optional<double> scalar_constant_value(const Var& v_in) {
  using tensor_rewrites::is_root_constant;
  Var v = v_in;
  while (v.owner() && dynamic_cast<const DimShuffle*>(v.owner()->op().get())) v = v.owner()->input(0);
  if (!is_root_constant(v) || !is_array(*v->constant)) return std::nullopt;
  const NDArray& a = std::get<NDArray>(*v->constant);
  if (!a.defined() || a.size() == 0 || is_complex(a.dtype())) return std::nullopt;
  NDArray c = a.astype(DType::Float64);
  const double* p = c.data<double>();
  for (int64_t i = 1; i < c.size(); ++i)
    if (!(p[i] == p[0])) return std::nullopt;
  if (p[0] != p[0]) return std::nullopt;  // NaN
  return p[0];
}

namespace tensor_rewrites {

Var scalar_constant(DType d, double value) {
  return make_constant(TensorType::make(d, {}), NDArray::full(d, {}, value));
}

Var fold_now(const Var& v) {
  Apply* node = v.owner();
  if (!node) return v;
  std::vector<Var> ins;
  std::vector<const Value*> vals;
  for (const Var& in : node->inputs()) {
    ins.push_back(fold_now(in));
    if (!is_root_constant(ins.back())) return v;
  }
  for (const Var& in : ins) vals.push_back(in->constant.get());
  if (!node->op()->constant_foldable(*node)) return v;
  std::vector<Value> outs(node->nout());
  try {
    node->op()->perform(*node, vals.data(), outs.data());
    return make_constant(v.type(), std::move(outs[v->index]));
  } catch (const Error&) {
    return v;
  }
}

Var cast_to(const Var& x, DType d) {
  if (dtype_of(x) == d) return x;
  Var c = cast(x, d);
  return is_root_constant(x) ? fold_now(c) : c;
}

bool can_destroy(const FunctionGraph& fg, const Var& z) {
  if (!z.owner() || z->is_constant() || z->is_shared()) return false;
  const Op& producer = *z.owner()->op();
  if (!producer.view_map().empty() || !producer.destroy_map().empty()) return false;
  for (const Var& o : fg.outputs())
    if (o.get() == z.get()) return false;
  return fg.clients(z.get()).size() == 1;
}

}  // namespace tensor_rewrites
}  // namespace hypatia
