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

bool is_scalar_like(const Var& v) {
  const TensorType* t = tensor_type(v);
  if (!t) return false;
  for (bool b : t->broadcastable())
    if (!b) return false;
  return true;
}

ScaledTerm parse_scaled_term(const Var& v) {
  ScaledTerm t{v, v, {}, false};
  while (true) {
    const Var c = t.core;
    if (computed_by(c, ScalarOpId::Neg)) {
      t.negated = !t.negated;
      t.core = c.owner()->input(0);
      continue;
    }
    if (computed_by(c, ScalarOpId::Mul) && !is_scalar_like(c)) {
      Var other;
      std::vector<Var> sc;
      bool ok = true;
      for (const Var& in : c.owner()->inputs()) {
        if (is_scalar_like(in)) sc.push_back(in);
        else if (!other) other = in;
        else ok = false;
      }
      if (ok && other && other.type()->ndim() == c.type()->ndim() && same_broadcastable(other, c)) {
        t.scalars.insert(t.scalars.end(), sc.begin(), sc.end());
        t.core = other;
        continue;
      }
    }
    return t;
  }
}

std::vector<ShapeVec> symbolic_input_shapes(const Apply& node) {
  std::vector<ShapeVec> shapes;
  for (const Var& in : node.inputs()) {
    ShapeVec s;
    const int nd = in.type()->ndim();
    if (is_root_constant(in) && is_array(*in->constant)) {
      for (int d = 0; d < nd; ++d) s.push_back(int64_constant(std::get<NDArray>(*in->constant).shape(d)));
    } else if (in.type()->kind() == TypeKind::Tensor || in.type()->kind() == TypeKind::Sparse) {
      for (int d = 0; d < nd; ++d) s.push_back(shape_i(in, d));
    }
    shapes.push_back(std::move(s));
  }
  return shapes;
}

}  // namespace tensor_rewrites
}  // namespace hypatia
