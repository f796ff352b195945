// extra_ops counting and lookup: BinCount, SearchsortedOp, Unique, OneHot.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "hypatia/tensor/extra_ops.h"
#include "hypatia/tensor/ops/extra_ops_internal.h"
#include "hypatia/tensor/reduce.h"

namespace hypatia {

using namespace extra_ops_detail;

// ---------------------------------------------------------------- BinCount

std::string BinCount::str() const {
  return str_cat("BinCount{minlength=", params_.minlength < 0 ? std::string("None") : std::to_string(params_.minlength),
                 params_.assert_nonneg ? ", assert_nonneg" : "", "}");
}
ApplyPtr BinCount::make_node_checked(const std::vector<Var>& inputs) const {
  if (inputs.empty() || inputs.size() > 2) type_error("[", kName, "] expected (x[, weights]), got ", inputs.size(), " inputs");
  check_int_tensor(inputs[0], kName, "x");
  if (inputs[0].type()->ndim() != 1) type_error("[", kName, "] x must be a vector, got ", inputs[0].type()->ndim(), " dimensions");
  DType d = DType::Int64;
  if (inputs.size() == 2) {
    const TensorType& w = check_tensor_input(inputs[1], kName);
    if (w.ndim() != 1) type_error("[", kName, "] weights must be a vector");
    d = w.elem();
  }
  return Apply::create(ptr(), inputs, {TensorType::make(d, {false})});
}
void BinCount::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  NDArray x = as_array(*inputs[0], kName).astype(DType::Int64);
  const int64_t* px = x.data<int64_t>();
  const int64_t n = x.size();
  int64_t mx = -1;
  for (int64_t i = 0; i < n; ++i) {
    if (px[i] < 0)
      value_error("[", kName, "] ", params_.assert_nonneg ? "Assert failed: input to bincount has negative values!"
                                                       : "the input must be non-negative");
    mx = std::max(mx, px[i]);
  }
  const int64_t len = std::max(mx + 1, params_.minlength);
  const DType d = tensor_type(node.output(0))->elem();
  NDArray& out = prepare_output(outputs[0], d, {std::max<int64_t>(len, 0)});
  NDArray w;
  if (node.nin() == 2) {
    w = as_array(*inputs[1], kName).contiguous();
    if (w.size() != n) value_error("[", kName, "] weights (", w.size(), ") and x (", n, ") have different lengths");
  }
  dispatch_numeric(d, kName, [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data<T>();
    std::fill(o, o + out.size(), T(0));
    if constexpr (std::is_same_v<T, bool>) {
      throw Error(ErrorKind::Type, "[BinCount] bool weights are not supported");
    } else {
      const T* pw = w.defined() ? w.data<T>() : nullptr;
      for (int64_t i = 0; i < n; ++i) o[px[i]] = static_cast<T>(o[px[i]] + (pw ? pw[i] : T(1)));
    }
  });
}
std::optional<std::vector<ShapeVec>> BinCount::infer_shape(const Apply&, const std::vector<ShapeVec>&) const {
  return std::nullopt;  // data dependent
}
std::vector<std::vector<bool>> BinCount::connection_pattern(const Apply& node) const { return all_connected(node); }
std::vector<Var> BinCount::vjp(const Apply& node, const std::vector<Var>&) const {
  std::vector<Var> r{disconnected_var()};
  if (node.nin() == 2) r.push_back(grad_not_implemented(*this, 1, "bincount weights gradient"));
  return r;
}

// ---------------------------------------------------------------- SearchsortedOp

std::string SearchsortedOp::str() const { return str_cat("SearchsortedOp{side=", params_.right ? "right" : "left", "}"); }
ApplyPtr SearchsortedOp::make_node_checked(const std::vector<Var>& inputs) const {
  if (inputs.size() < 2 || inputs.size() > 3) type_error("[", kName, "] expected (x, v[, sorter]), got ", inputs.size(), " inputs");
  const TensorType& x = check_tensor_input(inputs[0], kName);
  const TensorType& v = check_tensor_input(inputs[1], kName);
  if (x.ndim() != 1) type_error("[", kName, "] x must be a vector, got ", x.ndim(), " dimensions");
  if (is_complex(x.elem()) || is_complex(v.elem())) type_error("[", kName, "] complex values have no ordering");
  if (inputs.size() == 3) {
    check_int_tensor(inputs[2], kName, "sorter");
    if (inputs[2].type()->ndim() != 1) type_error("[", kName, "] sorter must be a vector");
  }
  return Apply::create(ptr(), inputs, {TensorType::make(DType::Int64, v.broadcastable())});
}
void SearchsortedOp::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& x0 = as_array(*inputs[0], kName);
  const NDArray& v0 = as_array(*inputs[1], kName);
  NDArray x = x0.astype(DType::Float64), v = v0.astype(DType::Float64);
  // Exact for every int up to 2**53; wider ints compare through double as well.
  const double* px = x.data<double>();
  std::vector<double> sorted(px, px + x.size());
  if (node.nin() == 3) {
    NDArray s = as_array(*inputs[2], kName).astype(DType::Int64);
    if (s.size() != x.size()) value_error("[", kName, "] sorter.size must equal x.size");
    const int64_t* ps = s.data<int64_t>();
    for (int64_t i = 0; i < s.size(); ++i) {
      if (ps[i] < 0 || ps[i] >= x.size()) raise(ErrorKind::Index, "[SearchsortedOp] sorter index ", ps[i], " is out of bounds");
      sorted[i] = px[ps[i]];
    }
  }
  NDArray& out = prepare_output(outputs[0], DType::Int64, v.shape());
  const double* pv = v.data<double>();
  int64_t* po = out.data<int64_t>();
  for (int64_t i = 0; i < v.size(); ++i) {
    auto it = params_.right ? std::upper_bound(sorted.begin(), sorted.end(), pv[i], [](double a, double b) { return a < b || (std::isnan(b) && !std::isnan(a)); })
                            : std::lower_bound(sorted.begin(), sorted.end(), pv[i], [](double a, double b) { return a < b || (std::isnan(b) && !std::isnan(a)); });
    po[i] = it - sorted.begin();
  }
}
std::optional<std::vector<ShapeVec>> SearchsortedOp::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[1]};
}
std::vector<std::vector<bool>> SearchsortedOp::connection_pattern(const Apply& node) const { return all_connected(node); }
std::vector<Var> SearchsortedOp::vjp(const Apply& node, const std::vector<Var>&) const {
  std::vector<Var> r{zero_grad(node.input(0)), zero_grad(node.input(1))};
  if (node.nin() == 3) r.push_back(disconnected_var());
  return r;
}

// ---------------------------------------------------------------- Unique

std::string Unique::str() const {
  return str_cat("Unique{", params_.return_index, ", ", params_.return_inverse, ", ", params_.return_counts, "}");
}
ApplyPtr Unique::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_tensor_input(inputs[0], kName);
  if (is_complex(t.elem())) type_error("[", kName, "] complex values have no ordering");
  std::vector<TypePtr> outs{TensorType::make(t.elem(), {false})};
  for (bool b : {params_.return_index, params_.return_inverse, params_.return_counts})
    if (b) outs.push_back(TensorType::make(DType::Int64, {false}));
  return Apply::create(ptr(), inputs, outs);
}
void Unique::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& x0 = as_array(*inputs[0], kName);
  NDArray x = x0.contiguous();
  const int64_t n = x.size();
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::vector<int64_t> group_of(n);  // unique index of each element
  std::vector<int64_t> firsts, counts;
  NDArray* uniq = nullptr;
  dispatch_numeric(x.dtype(), kName, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, complex64> || std::is_same_v<T, complex128>) {
      throw Error(ErrorKind::Type, "[Unique] complex values have no ordering");
    } else {
    const T* p = x.data<T>();
    auto less = [&](int64_t a, int64_t b) {
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(p[a])) return false;
        if (std::isnan(p[b])) return true;
      }
      return p[a] < p[b];
    };
    std::stable_sort(order.begin(), order.end(), less);
    for (int64_t k = 0; k < n; ++k) {
      int64_t i = order[k];
      if (k == 0 || less(order[k - 1], i)) {
        firsts.push_back(i);
        counts.push_back(0);
      }
      counts.back() += 1;
      group_of[i] = static_cast<int64_t>(firsts.size()) - 1;
    }
    NDArray& u = prepare_output(outputs[0], x.dtype(), {static_cast<int64_t>(firsts.size())});
    for (size_t j = 0; j < firsts.size(); ++j) u.data<T>()[j] = p[firsts[j]];
    uniq = &u;
    }
  });
  (void)uniq;
  int k = 1;
  auto put = [&](const std::vector<int64_t>& v) {
    NDArray& o = prepare_output(outputs[k++], DType::Int64, {static_cast<int64_t>(v.size())});
    std::copy(v.begin(), v.end(), o.data<int64_t>());
  };
  if (params_.return_index) put(firsts);
  if (params_.return_inverse) put(group_of);
  if (params_.return_counts) put(counts);
}
std::optional<std::vector<ShapeVec>> Unique::infer_shape(const Apply&, const std::vector<ShapeVec>&) const {
  return std::nullopt;  // data dependent
}
std::vector<std::vector<bool>> Unique::connection_pattern(const Apply& node) const { return all_connected(node); }
std::vector<Var> Unique::vjp(const Apply&, const std::vector<Var>&) const {
  return {grad_undefined(*this, 0, "unique is not differentiable")};
}

// ---------------------------------------------------------------- OneHot

std::string OneHot::str() const { return str_cat("OneHot{nb_class=", params_.nb_class, ", dtype=", dtype_name(params_.dtype), "}"); }
ApplyPtr OneHot::make_node_checked(const std::vector<Var>& inputs) const {
  check_int_tensor(inputs[0], kName, "y");
  if (inputs[0].type()->ndim() != 1) type_error("[", kName, "] y must be a vector");
  if (params_.nb_class < 0) value_error("[", kName, "] nb_class must be non-negative");
  return Apply::create(ptr(), inputs, {TensorType::make(params_.dtype, {false, params_.nb_class == 1})});
}
void OneHot::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  NDArray y = as_array(*inputs[0], kName).astype(DType::Int64);
  const int64_t n = y.size(), c = params_.nb_class;
  NDArray tmp = NDArray::zeros(params_.dtype, {n, c});
  NDArray one = NDArray::full(params_.dtype, {}, 1.0);
  const int64_t isz = itemsize(params_.dtype);
  for (int64_t i = 0; i < n; ++i) {
    int64_t k = y.data<int64_t>()[i];
    if (k < 0) k += c;
    if (k < 0 || k >= c) raise(ErrorKind::Index, "[OneHot] index ", y.data<int64_t>()[i], " is out of bounds for ", c, " classes");
    std::memcpy(static_cast<char*>(tmp.raw()) + (i * c + k) * isz, one.raw(), isz);
  }
  NDArray& out = prepare_output(outputs[0], params_.dtype, {n, c});
  out.assign(tmp);
}
std::optional<std::vector<ShapeVec>> OneHot::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{ShapeVec{s[0][0], int64_constant(params_.nb_class)}};
}
std::vector<std::vector<bool>> OneHot::connection_pattern(const Apply& node) const { return all_connected(node); }
std::vector<Var> OneHot::vjp(const Apply&, const std::vector<Var>&) const { return {disconnected_var()}; }

}  // namespace hypatia
