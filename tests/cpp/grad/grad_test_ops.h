// Small ops for testing the gradient driver independently of the tensor module's kernels.
#pragma once
#include <functional>

#include <gtest/gtest.h>

#include "hypatia/grad/grad.h"
#include "hypatia/compile/function.h"
#include "hypatia/link/vm.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/tensor_type.h"
#include "support/test_ops.h"

namespace hypatia::gradtest {

using namespace hypatia::testing;

inline Var dscalar(const std::string& n) { return make_variable(TensorType::make(DType::Float64, {}), n); }
inline NDArray s64(double v) { return NDArray::scalar<double>(v); }
inline double num(const Value& v) { return as_array(v).item<double>(); }

/// The kind of the hypatia::Error that f raises (a test failure when it raises none).
inline ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no hypatia::Error raised";
  return ErrorKind::Runtime;
}
/// The message of the hypatia::Error that f raises ("" when none).
inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

/// y = factor * x with a jvp (forward mode) and an optional deliberately wrong vjp.
struct LinParams {
  double factor = 2.0;
  double grad_factor = 2.0;  // what vjp multiplies by (== factor unless testing a wrong grad)
  auto fields() const { return std::tie(factor, grad_factor); }
};
class LinOp final : public OpBase<LinOp, LinParams> {
 public:
  using OpBase::OpBase;
  static constexpr const char* kName = "LinOp";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    expect_tensor(in.at(0), "LinOp");
    return Apply::create(ptr(), in, {in[0].type()});
  }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    const NDArray& x = as_array(*in[0]);
    NDArray c = x.astype(DType::Float64);
    for (int64_t i = 0; i < c.size(); ++i) c.data<double>()[i] *= params_.factor;
    out[0] = c.astype(x.dtype());
  }
  std::vector<Var> vjp(const Apply&, const std::vector<Var>& g) const override {
    return {apply1(*std::make_shared<LinOp>(LinParams{params_.grad_factor, params_.grad_factor}), {g[0]})};
  }
  std::vector<Var> jvp(const Apply&, const std::vector<Var>& ep) const override {
    if (!ep[0]) return {Var()};
    return {apply1(*std::make_shared<LinOp>(LinParams{params_.factor, params_.grad_factor}), {ep[0]})};
  }
};
inline Var lin(const Var& x, double f, double gf) { return apply1(*std::make_shared<LinOp>(LinParams{f, gf}), {x}); }
inline Var lin(const Var& x, double f) { return lin(x, f, f); }

/// Elementwise square (float64): vjp g * 2x (through LinOp and tensor mul), jvp likewise.
class SqrTOp final : public OpBase<SqrTOp, NoParams> {
 public:
  static constexpr const char* kName = "SqrT";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    expect_tensor(in.at(0), "SqrT");
    return Apply::create(ptr(), in, {in[0].type()});
  }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    NDArray c = as_array(*in[0]).astype(DType::Float64);
    for (int64_t i = 0; i < c.size(); ++i) c.data<double>()[i] *= c.data<double>()[i];
    out[0] = c;
  }
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& g) const override {
    return {mul(g[0], lin(node.input(0), 2.0))};
  }
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& ep) const override {
    return {mul(ep[0], lin(node.input(0), 2.0))};
  }
};
inline Var tsqr(const Var& x) { return apply1(*std::make_shared<SqrTOp>(), {x}); }

/// (g, model) -> g broadcast (a 0-d g) to model's shape. Model is not differentiated.
class BroadcastLikeOp final : public OpBase<BroadcastLikeOp, NoParams> {
 public:
  static constexpr const char* kName = "BroadcastLike";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    return Apply::create(ptr(), in, {TensorType::make(DType::Float64, std::vector<bool>(in[1].type()->ndim(), false))});
  }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    double g = as_array(*in[0]).item<double>();
    out[0] = NDArray::full(DType::Float64, as_array(*in[1]).shape(), g);
  }
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}}; }
  std::vector<Var> vjp(const Apply&, const std::vector<Var>& g) const override;
};

/// Sum of all elements of a float64 tensor to a 0-d tensor.
class TSumOp final : public OpBase<TSumOp, NoParams> {
 public:
  static constexpr const char* kName = "TSum";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    return Apply::create(ptr(), in, {TensorType::make(DType::Float64, {})});
  }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    NDArray c = as_array(*in[0]).astype(DType::Float64);
    double s = 0;
    for (int64_t i = 0; i < c.size(); ++i) s += c.data<double>()[i];
    out[0] = NDArray::scalar<double>(s);
  }
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& g) const override {
    return {apply1(*std::make_shared<BroadcastLikeOp>(), {g[0], node.input(0)})};
  }
  std::vector<Var> jvp(const Apply&, const std::vector<Var>& ep) const override {
    return {apply1(*std::make_shared<TSumOp>(), {ep[0]})};
  }
};
inline Var tsum(const Var& x) { return apply1(*std::make_shared<TSumOp>(), {x}); }
inline std::vector<Var> BroadcastLikeOp::vjp(const Apply&, const std::vector<Var>& g) const {
  return {tsum(g[0]), disconnected_var()};
}

/// A float64 output computed from an int64 input (x * 1.5): the int input gets a zero gradient.
class IntScaleOp final : public OpBase<IntScaleOp, NoParams> {
 public:
  static constexpr const char* kName = "IntScale";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    return Apply::create(ptr(), in, {TensorType::make(DType::Float64, tensor_type(in[0])->broadcastable())});
  }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    NDArray c = as_array(*in[0]).astype(DType::Float64);
    for (int64_t i = 0; i < c.size(); ++i) c.data<double>()[i] *= 1.5;
    out[0] = c;
  }
  std::vector<Var> vjp(const Apply&, const std::vector<Var>& g) const override { return {lin(g[0], 1.5)}; }
};

/// Two inputs, two outputs: (2a, 3b), with a connection pattern saying so.
class PairOp final : public OpBase<PairOp, NoParams> {
 public:
  static constexpr const char* kName = "PairOp";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    return Apply::create(ptr(), in, {in[0].type(), in[1].type()});
  }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    NDArray a = as_array(*in[0]).astype(DType::Float64), b = as_array(*in[1]).astype(DType::Float64);
    for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] *= 2;
    for (int64_t i = 0; i < b.size(); ++i) b.data<double>()[i] *= 3;
    out[0] = a;
    out[1] = b;
  }
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override {
    return {{true, false}, {false, true}};
  }
  std::vector<Var> vjp(const Apply&, const std::vector<Var>& g) const override {
    return {is_disconnected(g[0]) ? disconnected_var() : lin(g[0], 2),
            is_disconnected(g[1]) ? disconnected_var() : lin(g[1], 3)};
  }
};

/// Identity whose gradient is undefined (grad_undefined) or not implemented.
struct NoGradParams {
  bool undefined = true;
  auto fields() const { return std::tie(undefined); }
};
class NoGradOp final : public OpBase<NoGradOp, NoGradParams> {
 public:
  using OpBase::OpBase;
  static constexpr const char* kName = "NoGradOp";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override { return Apply::create(ptr(), in, {in[0].type()}); }
  void perform(const Apply&, const Value* const* in, Value* out) const override { out[0] = as_array(*in[0]).copy(); }
  std::vector<Var> vjp(const Apply&, const std::vector<Var>&) const override {
    return {params_.undefined ? grad_undefined(*this, 0, "test") : grad_not_implemented(*this, 0, "test")};
  }
};

// ---- sparse test ops ----
/// sparse (csr/csc) -> dense * factor. Gradient: the dense g * factor (a full, non-structured gradient).
class SpToDenseOp final : public OpBase<SpToDenseOp, ScaleParams> {
 public:
  using OpBase::OpBase;
  static constexpr const char* kName = "SpToDense";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    const SparseType* t = sparse_type(in.at(0));
    if (!t) type_error("[SpToDense] expected a sparse input");
    return Apply::create(ptr(), in, {TensorType::make(t->elem(), {false, false})});
  }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    NDArray d = as_sparse(*in[0]).to_dense().astype(DType::Float64);
    for (int64_t i = 0; i < d.size(); ++i) d.data<double>()[i] *= params_.factor;
    out[0] = d;
  }
  std::vector<Var> vjp(const Apply&, const std::vector<Var>& g) const override { return {lin(g[0], params_.factor)}; }
};

/// (g dense, x sparse) -> g masked to x's stored pattern.
class MaskToPatternOp final : public OpBase<MaskToPatternOp, NoParams> {
 public:
  static constexpr const char* kName = "MaskToPattern";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override { return Apply::create(ptr(), in, {in[0].type()}); }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    const NDArray g = as_array(*in[0]).astype(DType::Float64);
    const SparseMatrix& x = as_sparse(*in[1]);
    NDArray r = NDArray::zeros(DType::Float64, g.shape());
    const bool csr = x.format() == SparseFormat::CSR;
    for (int64_t o = 0; o < x.outer_size(); ++o)
      for (int64_t k = index_at(x.indptr(), o); k < index_at(x.indptr(), o + 1); ++k) {
        int64_t i = csr ? o : index_at(x.indices(), k), j = csr ? index_at(x.indices(), k) : o;
        r.data<double>()[i * g.shape(1) + j] = g.data<double>()[i * g.shape(1) + j];
      }
    out[0] = r;
  }
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}}; }
};

/// sparse -> dense, with a STRUCTURED gradient (only on the stored pattern).
class SpToDenseStructuredOp final : public OpBase<SpToDenseStructuredOp, NoParams> {
 public:
  static constexpr const char* kName = "SpToDenseStructured";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    const SparseType* t = sparse_type(in.at(0));
    return Apply::create(ptr(), in, {TensorType::make(t->elem(), {false, false})});
  }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    out[0] = as_sparse(*in[0]).to_dense().astype(DType::Float64);
  }
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& g) const override {
    return {apply1(*std::make_shared<MaskToPatternOp>(), {g[0], node.input(0)})};
  }
};

}  // namespace hypatia::gradtest
