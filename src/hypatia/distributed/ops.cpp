// AllReduce, AllReduceStart and AllReduceWait, the handle type, and the gradient bucketing.
#include "hypatia/distributed/ops.h"

#include <algorithm>

#include "hypatia/distributed/sparse_reduce.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {
using distributed::ReduceOp;

namespace {

const ReduceHandleValue& as_handle(const Value& v, const char* who) {
  const auto* o = std::get_if<OpaquePtr>(&v);
  const auto* h = o && *o ? dynamic_cast<const ReduceHandleValue*>(o->get()) : nullptr;
  if (!h) type_error("[", who, "] expected a reduction handle (AllReduceStart's output)");
  return *h;
}

/// TypeError unless the ranks can sum (and, for a mean, average) values of dtype d.
void check_reducible(DType d, ReduceOp op, const char* who) {
  if (d == DType::Bool || d == DType::Float16)
    type_error("[", who, "] cannot reduce ", dtype_name(d), " values over ranks (integer, float32/64 and complex only)");
  if (op == ReduceOp::Mean && !is_inexact(d))
    type_error("[", who, "] op='mean' needs a float or complex dtype, got ", dtype_name(d), " (use op='sum')");
}

const TensorType& dense_input(const Var& v, const char* who, int i) {
  const TensorType* t = v ? tensor_type(v) : nullptr;
  if (!t) type_error("[", who, "] input ", i, " must be a dense tensor, got ", v ? v.type()->str() : "None");
  return *t;
}

}  // namespace

// ---------------------------------------------------------------- ReduceHandleType

std::shared_ptr<const ReduceHandleType> ReduceHandleType::make() {
  static const auto t = std::make_shared<const ReduceHandleType>();
  return t;
}

Value ReduceHandleType::filter(const Value& v, bool, bool) const {
  (void)as_handle(v, "ReduceHandleType");
  return v;
}

bool ReduceHandleType::values_eq(const Value& a, const Value& b) const {
  return as_handle(a, "ReduceHandleType").pending == as_handle(b, "ReduceHandleType").pending;
}

// ---------------------------------------------------------------- AllReduce

std::string AllReduce::str() const {
  return str_cat("AllReduce{", distributed::reduce_op_name(params_.op), "}");
}
bool AllReduce::constant_foldable(const Apply&) const { return false; }

ApplyPtr AllReduce::make_node_checked(const std::vector<Var>& inputs) const {
  const Var& x = inputs[0];
  if (!x || (!tensor_type(x) && !sparse_type(x)))
    type_error("[", kName, "] expected a dense tensor or a sparse matrix, got ", x ? x.type()->str() : "None");
  check_reducible(*x.type()->dtype(), params_.op, kName);
  if (!(params_.dense_threshold >= 0))
    value_error("[", kName, "] dense_threshold must be >= 0, got ", params_.dense_threshold);
  return Apply::create(ptr(), inputs, {x.type()});
}

void AllReduce::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const int p = distributed::size();
  const double scale = params_.op == ReduceOp::Mean ? 1.0 / p : 1.0;
  if (is_sparse(*inputs[0])) {
    outputs[0] = distributed::sparse_allreduce(as_sparse(*inputs[0], kName), params_.op, params_.dense_threshold, kName);
    return;
  }
  NDArray buf = as_array(*inputs[0], kName).copy();  // never the input's own memory
  distributed::allreduce_sum_start(buf, kName, scale)->wait();
  outputs[0] = std::move(buf);
}

std::optional<std::vector<ShapeVec>> AllReduce::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> AllReduce::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (sparse_ops::no_grad(g[0])) return {disconnected_var()};
  Var r = distributed::all_reduce(g[0], params_.op, params_.dense_threshold);
  if (sparse_type(node.input(0))) return {sparse_ops::as_sparse_grad(r, node.input(0))};
  return {r};
}

std::vector<Var> AllReduce::jvp(const Apply&, const std::vector<Var>& ev) const {
  if (!ev[0]) return {Var()};
  return {distributed::all_reduce(ev[0], params_.op, params_.dense_threshold)};
}

// ---------------------------------------------------------------- AllReduceStart

std::string AllReduceStart::str() const {
  return str_cat("AllReduceStart{", distributed::reduce_op_name(params_.op), ",bucket=", params_.bucket, "}");
}
bool AllReduceStart::constant_foldable(const Apply&) const { return false; }

ApplyPtr AllReduceStart::make_node_checked(const std::vector<Var>& inputs) const {
  if (inputs.empty()) type_error("[", kName, "] expected at least one tensor to reduce");
  const DType d = *dense_input(inputs[0], kName, 0).dtype();
  check_reducible(d, params_.op, kName);
  for (size_t i = 1; i < inputs.size(); ++i)
    if (*dense_input(inputs[i], kName, static_cast<int>(i)).dtype() != d)
      type_error("[", kName, "] a bucket holds tensors of one dtype: input 0 is ", dtype_name(d), ", input ", i, " ",
                 dtype_name(*inputs[i].type()->dtype()));
  return Apply::create(ptr(), inputs, {ReduceHandleType::make()});
}

void AllReduceStart::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const int n = node.nin();
  if (distributed::size() == 1) {  // the sum and the mean of one rank: the tensors themselves
    std::vector<NDArray> same;
    for (int i = 0; i < n; ++i) same.push_back(as_array(*inputs[i], kName));
    outputs[0] = OpaquePtr(std::make_shared<ReduceHandleValue>(nullptr, std::move(same)));
    return;
  }
  int64_t total = 0;
  for (int i = 0; i < n; ++i) total += as_array(*inputs[i], kName).size();
  const DType d = as_array(*inputs[0], kName).dtype();
  NDArray buf(d, {total});
  int64_t off = 0;
  for (int i = 0; i < n; ++i) {
    const NDArray& a = as_array(*inputs[i], kName);
    if (a.size()) buf.slice(0, off, off + a.size(), 1).reshape(a.shape()).assign(a);
    off += a.size();
  }
  const double scale = params_.op == ReduceOp::Mean ? 1.0 / distributed::size() : 1.0;
  outputs[0] = OpaquePtr(std::make_shared<ReduceHandleValue>(distributed::allreduce_sum_start(buf, kName, scale)));
}

std::optional<std::vector<ShapeVec>> AllReduceStart::infer_shape(const Apply&, const std::vector<ShapeVec>&) const {
  return std::vector<ShapeVec>{ShapeVec{}};
}
std::vector<Var> AllReduceStart::vjp(const Apply& node, const std::vector<Var>&) const {
  return std::vector<Var>(node.nin(), disconnected_var());
}
std::vector<Var> AllReduceStart::jvp(const Apply&, const std::vector<Var>&) const { return {Var()}; }
std::vector<std::vector<bool>> AllReduceStart::connection_pattern(const Apply& node) const {
  return std::vector<std::vector<bool>>(node.nin(), std::vector<bool>{false});
}

// ---------------------------------------------------------------- AllReduceWait

ViewMap AllReduceWait::view_map() const {
  ViewMap m;
  int64_t n = 0;
  for (int64_t c : params_.counts) n += c;
  const int nb = static_cast<int>(params_.counts.size());
  for (int i = 0; i < n; ++i) m[i] = {nb + i};
  return m;
}

std::string AllReduceWait::str() const { return str_cat("AllReduceWait{buckets=", params_.counts.size(), "}"); }
bool AllReduceWait::constant_foldable(const Apply&) const { return false; }

ApplyPtr AllReduceWait::make_node_checked(const std::vector<Var>& inputs) const {
  const size_t nb = params_.counts.size();
  int64_t n = 0;
  for (int64_t c : params_.counts) {
    if (c < 1) value_error("[", kName, "] every bucket holds at least one tensor, got a count of ", c);
    n += c;
  }
  if (inputs.size() != nb + static_cast<size_t>(n))
    type_error("[", kName, "] expected ", nb, " handles and ", n, " tensors, got ", inputs.size(), " inputs");
  std::vector<TypePtr> out;
  for (size_t b = 0; b < nb; ++b)
    if (!inputs[b] || !dynamic_cast<const ReduceHandleType*>(inputs[b].type().get()))
      type_error("[", kName, "] input ", b, " must be a reduction handle (AllReduceStart's output), got ",
                 inputs[b] ? inputs[b].type()->str() : "None");
  for (size_t i = nb; i < inputs.size(); ++i) {
    (void)dense_input(inputs[i], kName, static_cast<int>(i));
    out.push_back(inputs[i].type());
  }
  return Apply::create(ptr(), inputs, out);
}

void AllReduceWait::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const int nb = static_cast<int>(params_.counts.size());
  int k = 0;
  for (int b = 0; b < nb; ++b) {
    const ReduceHandleValue& h = as_handle(*inputs[b], kName);
    if (!h.pending) {
      if (static_cast<int64_t>(h.unreduced.size()) != params_.counts[b])
        value_error("[", kName, "] bucket ", b, " holds ", h.unreduced.size(), " tensors, expected ", params_.counts[b]);
      for (const NDArray& a : h.unreduced) outputs[k++] = a;
      continue;
    }
    const NDArray& buf = h.pending->wait();
    int64_t off = 0;
    for (int64_t j = 0; j < params_.counts[b]; ++j, ++k) {
      const NDArray& g = as_array(*inputs[nb + k], kName);
      if (off + g.size() > buf.size())
        value_error("[", kName, "] bucket ", b, " holds ", buf.size(), " values, fewer than its tensors need");
      outputs[k] = buf.slice(0, off, off + g.size(), 1).reshape(g.shape());
      off += g.size();
    }
  }
}

std::optional<std::vector<ShapeVec>> AllReduceWait::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  const size_t nb = params_.counts.size();
  return std::vector<ShapeVec>(s.begin() + static_cast<std::ptrdiff_t>(nb), s.end());
}
std::vector<Var> AllReduceWait::vjp(const Apply& node, const std::vector<Var>&) const {
  std::vector<Var> out;
  for (int i = 0; i < node.nin(); ++i)
    out.push_back(grad_not_implemented(*this, i, "a gradient reduction is not differentiated again"));
  return out;
}
std::vector<Var> AllReduceWait::jvp(const Apply& node, const std::vector<Var>&) const {
  return std::vector<Var>(node.nout(), Var());
}
std::vector<std::vector<bool>> AllReduceWait::connection_pattern(const Apply& node) const {
  return std::vector<std::vector<bool>>(node.nin(), std::vector<bool>(node.nout(), false));
}

// ---------------------------------------------------------------- builders

namespace distributed {

Var all_reduce(const Var& x, ReduceOp op, double dense_threshold) {
  return apply1(*std::make_shared<AllReduce>(AllReduceParams{op, dense_threshold}), {x});
}

std::vector<Var> reduce_gradients(const std::vector<Var>& grads, const std::vector<int64_t>& nbytes, ReduceOp op,
                                  int64_t bucket_bytes, double dense_threshold) {
  const char* who = "distributed.reduce_gradients";
  if (nbytes.size() != grads.size())
    value_error("[", who, "] expected one size per gradient, got ", nbytes.size(), " for ", grads.size());
  std::vector<Var> out(grads.size());
  std::vector<std::vector<int>> buckets;  // indices into grads, last gradients first
  int64_t filled = 0;
  std::optional<DType> bucket_dtype;
  for (int i = static_cast<int>(grads.size()) - 1; i >= 0; --i) {
    const Var& g = grads[i];
    if (!g) value_error("[", who, "] gradient ", i, " is None");
    if (sparse_type(g)) {
      out[i] = all_reduce(g, op, dense_threshold);
      continue;
    }
    const DType d = *dense_input(g, who, i).dtype();
    if (buckets.empty() || bucket_dtype != d || filled + nbytes[i] > bucket_bytes) {
      if (buckets.empty() || !buckets.back().empty()) buckets.emplace_back();
      filled = 0;
      bucket_dtype = d;
    }
    buckets.back().push_back(i);
    filled += nbytes[i];
  }
  if (!buckets.empty() && buckets.back().empty()) buckets.pop_back();
  if (buckets.empty()) return out;
  std::vector<Var> wait_in;
  std::vector<int64_t> counts;
  for (size_t b = 0; b < buckets.size(); ++b) {
    std::vector<Var> in;
    for (int i : buckets[b]) in.push_back(grads[i]);
    wait_in.push_back(apply1(*std::make_shared<AllReduceStart>(AllReduceStartParams{op, static_cast<int64_t>(b)}), in));
    counts.push_back(static_cast<int64_t>(in.size()));
  }
  for (const auto& bk : buckets)
    for (int i : bk) wait_in.push_back(grads[i]);
  std::vector<Var> reduced = apply_op(*std::make_shared<AllReduceWait>(AllReduceWaitParams{counts}), wait_in);
  size_t k = 0;
  for (const auto& bk : buckets)
    for (int i : bk) out[i] = reduced[k++];
  return out;
}

}  // namespace distributed
}  // namespace hypatia
