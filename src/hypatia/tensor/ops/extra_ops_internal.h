// Helpers shared by the extra_ops translation units (not part of the public API).
#pragma once
#include <string>
#include <vector>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/extra_ops.h"

namespace hypatia::extra_ops_detail {
// (outer, n, inner) of a C-contiguous array split around `axis`.
struct AxisSplit {
  int64_t outer = 1, n = 1, inner = 1;
};
inline AxisSplit split_at(const Shape& s, int axis) {
  AxisSplit r;
  for (int d = 0; d < static_cast<int>(s.size()); ++d) {
    if (d < axis) r.outer *= s[d];
    else if (d == axis) r.n = s[d];
    else r.inner *= s[d];
  }
  return r;
}

inline int norm_axis(int axis, int nd, const std::string& who) {
  int a = axis < 0 ? axis + nd : axis;
  if (a < 0 || a >= nd) value_error("[", who, "] axis ", axis, " is out of bounds for an input with ", nd, " dimensions");
  return a;
}

inline Var prod_of(const ShapeVec& s) {
  Var r = int64_constant(1);
  for (const Var& d : s) r = mul(r, d);
  return r;
}

inline Var flatten(const Var& x) { return reshape(x, std::vector<int64_t>{-1}); }
inline std::vector<Var> shape_of(const Var& x) {
  std::vector<Var> s;
  for (int d = 0; d < x.type()->ndim(); ++d) s.push_back(shape_i(x, d));
  return s;
}

// Loops over the element types a kernel supports (no half: computed through float32).
template <class F>
inline void dispatch_numeric(DType d, const char* who, F&& f) {
  dispatch_dtype(d, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, half>) throw Error(ErrorKind::Type, str_cat("[", who, "] float16 is storage only"));
    else f(tag);
  });
}

inline std::vector<std::vector<bool>> first_only(const Apply& node) {
  std::vector<std::vector<bool>> r(node.nin(), std::vector<bool>(node.nout(), false));
  for (size_t j = 0; j < r[0].size(); ++j) r[0][j] = true;
  return r;
}
inline std::vector<std::vector<bool>> all_connected(const Apply& node) {
  return std::vector<std::vector<bool>>(node.nin(), std::vector<bool>(node.nout(), true));
}
inline Var zero_grad(const Var& x) { return is_discrete(x) ? disconnected_var() : zeros_like(x); }

inline int64_t to_int(const Value& v, const char* who) { return as_array(v, who).item<int64_t>(); }

inline void check_int_tensor(const Var& v, const std::string& who, const char* what) {
  const TensorType& t = check_tensor_input(v, who);
  if (!is_int(t.elem())) type_error("[", who, "] ", what, " must be an integer tensor, got ", dtype_name(t.elem()));
}
}  // namespace hypatia::extra_ops_detail
