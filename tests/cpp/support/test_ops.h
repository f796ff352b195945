// Tiny ops for testing the core (graph, runtime) without depending on the tensor module.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/link/vm.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia::testing {

struct ScaleParams {
  double factor = 2.0;
  auto fields() const { return std::tie(factor); }
};

/// y = factor * x on float64 tensors of any rank; optionally returns a view when factor == 1.
class ScaleOp final : public OpBase<ScaleOp, ScaleParams> {
 public:
  using OpBase::OpBase;
  static constexpr const char* kName = "ScaleOp";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  std::string str() const override { return str_cat("ScaleOp{", params_.factor, "}"); }
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    const TensorType& t = expect_tensor(in.at(0), "ScaleOp");
    if (t.elem() != DType::Float64) type_error("[ScaleOp] expected float64, got ", dtype_name(t.elem()));
    return Apply::create(ptr(), in, {in[0].type()});
  }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    const NDArray& x = as_array(*in[0]);
    NDArray c = x.contiguous();
    NDArray& y = prepare_output(out[0], DType::Float64, x.shape());
    for (int64_t i = 0; i < x.size(); ++i) y.data<double>()[i] = params_.factor * c.data<double>()[i];
  }
  std::vector<Var> vjp(const Apply&, const std::vector<Var>& g) const override {
    return {apply1(*std::make_shared<ScaleOp>(ScaleParams{params_.factor}), {g[0]})};
  }
};

/// z = x + y (same shapes, float64), used to build diamonds and chains.
class PlusOp final : public OpBase<PlusOp, NoParams> {
 public:
  static constexpr const char* kName = "PlusOp";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    expect_tensor(in.at(0), "PlusOp");
    expect_tensor(in.at(1), "PlusOp");
    if (!same_type(in[0].type(), in[1].type())) type_error("[PlusOp] inputs must have the same type");
    return Apply::create(ptr(), in, {in[0].type()});
  }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    const NDArray& a = as_array(*in[0]);
    const NDArray& b = as_array(*in[1]);
    if (a.shape() != b.shape()) value_error("[PlusOp] shape mismatch ", shape_str(a.shape()), " vs ", shape_str(b.shape()));
    NDArray ac = a.contiguous(), bc = b.contiguous();
    NDArray& y = prepare_output(out[0], DType::Float64, a.shape());
    for (int64_t i = 0; i < a.size(); ++i) y.data<double>()[i] = ac.data<double>()[i] + bc.data<double>()[i];
  }
  std::vector<Var> vjp(const Apply&, const std::vector<Var>& g) const override { return {g[0], g[0]}; }
};

inline Var scale(const Var& x, double f) { return apply1(*std::make_shared<ScaleOp>(ScaleParams{f}), {x}); }
inline Var plus(const Var& a, const Var& b) { return apply1(*std::make_shared<PlusOp>(), {a, b}); }
inline Var dvec(const std::string& name) { return make_variable(TensorType::make(DType::Float64, {false}), name); }
inline NDArray vec(std::vector<double> v) {
  int64_t n = static_cast<int64_t>(v.size());
  return NDArray::from_vector<double>(v, {n});
}

}  // namespace hypatia::testing
