// MRGUniform, MultinomialFromUniform and ChoiceFromUniform: typing, kernels, shapes, gradients.
#include "hypatia/random/ops/mrg_uniform.h"

#include <cstring>
#include <vector>

#include "hypatia/random/kernels/mrg31k3p.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/util/parallel.h"

namespace hypatia {

namespace {
std::vector<std::vector<bool>> none_connected(const Apply& node) {
  return std::vector<std::vector<bool>>(node.nin(), std::vector<bool>(node.nout(), false));
}
std::vector<Var> all_disconnected(const Apply& node) { return std::vector<Var>(node.nin(), disconnected_var()); }

template <class F>
void dispatch_float(DType d, const char* who, F&& f) {
  if (d == DType::Float32) f(float{});
  else if (d == DType::Float64) f(double{});
  else type_error("[", who, "] expected float32 or float64 probabilities and uniforms, got ", dtype_name(d));
}
}  // namespace

// ---------------------------------------------------------------- MRGUniform

std::string MRGUniform::str() const { return str_cat("mrg_uniform{", dtype_name(params_.dtype), ", ", params_.ndim, "}"); }
ApplyPtr MRGUniform::make_node_checked(const std::vector<Var>& inputs) const {
  if (params_.dtype != DType::Float32 && params_.dtype != DType::Float64)
    type_error("[", kName, "] dtype must be float32 or float64, got ", dtype_name(params_.dtype));
  if (static_cast<int>(inputs.size()) != 1 + params_.ndim)
    type_error("[", kName, "] expected the state and ", params_.ndim, " size entries, got ", inputs.size(), " inputs");
  const TensorType& st = check_tensor_input(inputs[0], kName);
  if (st.ndim() != 2 || st.elem() != DType::Int32)
    type_error("[", kName, "] the state must be an int32 matrix (n_streams x 6), got ", st.str());
  std::vector<bool> bc;
  for (int d = 0; d < params_.ndim; ++d) {
    const TensorType& t = check_tensor_input(inputs[1 + d], kName);
    if (t.ndim() != 0 || !is_int(t.elem())) type_error("[", kName, "] size entry ", d, " must be an integer scalar");
    auto c = const_int_value(inputs[1 + d]);
    bc.push_back(c && *c == 1);
  }
  return Apply::create(ptr(), inputs, {inputs[0].type(), TensorType::make(params_.dtype, bc)});
}
void MRGUniform::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& st = as_array(*inputs[0], kName);
  if (st.ndim() != 2 || st.shape(1) != 6 || st.dtype() != DType::Int32 || st.shape(0) < 1)
    value_error("[", kName, "] the state must be an int32 matrix with 6 columns and at least one row, got ", value_repr(st));
  Shape shape;
  int64_t n = 1;
  for (int d = 0; d < params_.ndim; ++d) {
    const int64_t v = as_array(*inputs[1 + d], kName).item<int64_t>();
    if (v < 0) value_error("[", kName, "] negative dimension ", v, " in size");
    shape.push_back(v);
    n *= v;
    if (n > kernels::mrg::kM1) value_error("[", kName, "] MRG31k3p draws at most 2**31 - 1 samples per call");
  }
  // A fresh state output: the input state stays as it is (it may be a shared variable's).
  NDArray ns = st.copy();
  NDArray& out = prepare_output(outputs[1], params_.dtype, shape);
  const int threads = max_threads();
  if (params_.dtype == DType::Float32) kernels::mrg::uniform_fill(ns.data<int32_t>(), ns.shape(0), out.data<float>(), n, threads);
  else kernels::mrg::uniform_fill(ns.data<int32_t>(), ns.shape(0), out.data<double>(), n, threads);
  outputs[0] = std::move(ns);
}
std::optional<std::vector<ShapeVec>> MRGUniform::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  ShapeVec out;
  for (int d = 0; d < params_.ndim; ++d) out.push_back(cast(node.input(1 + d), DType::Int64));
  return std::vector<ShapeVec>{s[0], out};
}
std::vector<std::vector<bool>> MRGUniform::connection_pattern(const Apply& node) const { return none_connected(node); }
std::vector<Var> MRGUniform::vjp(const Apply& node, const std::vector<Var>&) const { return all_disconnected(node); }

// ---------------------------------------------------------------- MultinomialFromUniform

namespace {
void check_from_uniform(const std::vector<Var>& inputs, const char* who) {
  const TensorType& p = check_tensor_input(inputs[0], who);
  if (p.ndim() != 2) type_error("[", who, "] pvals must be a matrix, got ", p.str());
  const TensorType& u = check_tensor_input(inputs[1], who);
  if (u.ndim() != 1) type_error("[", who, "] the uniforms must be a vector, got ", u.str());
  const TensorType& n = check_tensor_input(inputs[2], who);
  if (n.ndim() != 0 || !is_int(n.elem())) type_error("[", who, "] n must be an integer scalar, got ", n.str());
}
struct FromUniformArgs {
  NDArray p, u;
  int64_t k, m, n;
};
FromUniformArgs read_args(const Value* const* inputs, const char* who) {
  FromUniformArgs a{as_array(*inputs[0], who).astype(DType::Float64), as_array(*inputs[1], who).astype(DType::Float64), 0, 0, 0};
  a.k = a.p.shape(0), a.m = a.p.shape(1);
  a.n = as_array(*inputs[2], who).item<int64_t>();
  if (a.n < 0) value_error("[", who, "] n must be non-negative, got ", a.n);
  if (a.u.shape(0) != a.k * a.n)
    value_error("[", who, "] expected pvals.shape[0] * n = ", a.k * a.n, " uniforms, got ", a.u.shape(0));
  return a;
}
}  // namespace

std::string MultinomialFromUniform::str() const { return str_cat("MultinomialFromUniform{", dtype_name(params_.odtype), "}"); }
ApplyPtr MultinomialFromUniform::make_node_checked(const std::vector<Var>& inputs) const {
  check_from_uniform(inputs, kName);
  return Apply::create(ptr(), inputs, {TensorType::make(params_.odtype, tensor_type(inputs[0])->broadcastable())});
}
void MultinomialFromUniform::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  FromUniformArgs a = read_args(inputs, kName);
  std::vector<int64_t> counts(static_cast<size_t>(a.k * a.m), 0);
  const double* p = a.p.data<double>();
  const double* u = a.u.data<double>();
  for (int64_t c = 0; c < a.n; ++c)
    for (int64_t r = 0; r < a.k; ++r) {
      double cum = 0.0;
      const double un = u[c * a.k + r];
      for (int64_t j = 0; j < a.m; ++j) {
        cum += p[r * a.m + j];
        if (cum > un) {
          ++counts[r * a.m + j];
          break;
        }
      }
    }
  NDArray& out = prepare_output(outputs[0], params_.odtype, {a.k, a.m});
  out.assign(NDArray::from_vector(counts, {a.k, a.m}));
}
std::optional<std::vector<ShapeVec>> MultinomialFromUniform::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}
std::vector<std::vector<bool>> MultinomialFromUniform::connection_pattern(const Apply& node) const { return none_connected(node); }
std::vector<Var> MultinomialFromUniform::vjp(const Apply& node, const std::vector<Var>&) const { return all_disconnected(node); }

// ---------------------------------------------------------------- ChoiceFromUniform

std::string ChoiceFromUniform::str() const {
  return str_cat("ChoiceFromUniform{", dtype_name(params_.odtype), params_.replace ? ", replace" : "", "}");
}
ApplyPtr ChoiceFromUniform::make_node_checked(const std::vector<Var>& inputs) const {
  check_from_uniform(inputs, kName);
  return Apply::create(ptr(), inputs, {TensorType::make(params_.odtype, {tensor_type(inputs[0])->broadcastable()[0], false})});
}
void ChoiceFromUniform::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& p0 = as_array(*inputs[0], kName);
  FromUniformArgs a = read_args(inputs, kName);
  if (a.n > a.m) value_error("[", kName, "] cannot draw ", a.n, " samples without replacement from ", a.m, " outcomes");
  std::vector<int64_t> picks(static_cast<size_t>(a.k * a.n), -1);
  // As Theano's C code: the running sum in double, the renormalised copy of pvals in pvals' dtype.
  dispatch_float(p0.dtype(), kName, [&](auto tag) {
    using T = decltype(tag);
    NDArray pc = p0.astype(p0.dtype());
    T* p = pc.data<T>();
    const double* u = a.u.data<double>();
    for (int64_t c = 0; c < a.n; ++c)
      for (int64_t r = 0; r < a.k; ++r) {
        double cum = 0.0;
        const double un = u[c * a.k + r];
        T* row = p + r * a.m;
        for (int64_t j = 0; j < a.m; ++j) {
          cum += row[j];
          if (cum > un) {
            picks[r * a.n + c] = j;
            if (c == a.n - 1) break;
            if (!params_.replace) {
              T sum = static_cast<T>(cum - row[j]);
              row[j] = T(0);
              for (int64_t q = j; q < a.m; ++q) sum = static_cast<T>(sum + row[q]);
              for (int64_t q = 0; q < a.m; ++q) row[q] = static_cast<T>(row[q] / sum);
            }
            break;
          }
        }
      }
  });
  NDArray& out = prepare_output(outputs[0], params_.odtype, {a.k, a.n});
  out.assign(NDArray::from_vector(picks, {a.k, a.n}));
}
std::optional<std::vector<ShapeVec>> ChoiceFromUniform::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[0][0], cast(node.input(2), DType::Int64)}};
}
std::vector<std::vector<bool>> ChoiceFromUniform::connection_pattern(const Apply& node) const { return none_connected(node); }
std::vector<Var> ChoiceFromUniform::vjp(const Apply& node, const std::vector<Var>&) const { return all_disconnected(node); }

}  // namespace hypatia
