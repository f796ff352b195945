// Sorting along an axis (stable, NaN last like numpy), gather/scatter along an axis, nonzero.
#include "hypatia/tensor/ops/sort.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <type_traits>

#include <omp.h>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/kernels/radix_sort.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/shape.h"
#include "hypatia/util/parallel.h"

namespace hypatia {

namespace {
int normalize_axis(int axis, int ndim, const char* who) {
  if (axis < -ndim || axis >= ndim) value_error("[", who, "] axis ", axis, " is out of bounds for a tensor of dimension ", ndim);
  return axis < 0 ? axis + ndim : axis;
}

// Calls f(base_offset_in_elements_of_each_line, stride) for every 1-d line along `axis` of a
// C-contiguous array of `shape`.
template <class F>
void for_each_line(const Shape& shape, int axis, F&& f) {
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= shape[d];
  for (int d = axis + 1; d < static_cast<int>(shape.size()); ++d) inner *= shape[d];
  const int64_t n = shape[axis];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) f(o * n * inner + i, inner);
}

template <class T>
bool less_nan_last(const T& a, const T& b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
    return a < b;
  } else if constexpr (std::is_same_v<T, half>) {
    return less_nan_last(static_cast<float>(a), static_cast<float>(b));
  } else if constexpr (std::is_same_v<T, complex64> || std::is_same_v<T, complex128>) {
    return a.real() < b.real() || (a.real() == b.real() && a.imag() < b.imag());
  } else {
    return a < b;
  }
}

void check_index_input(const Var& idx, const Var& like, const char* who) {
  const TensorType& t = expect_tensor(idx, who);
  if (!is_int(t.elem())) type_error("[", who, "] indices must be integers, got ", t.str());
  if (t.ndim() != expect_tensor(like, who).ndim())
    type_error("[", who, "] indices must have the rank of the values (", expect_tensor(like, who).ndim(), "), got ", t.ndim());
}
}  // namespace

ApplyPtr ArgSortOp::make_node_checked(const std::vector<Var>& in) const {
  const TensorType& t = expect_tensor(in.at(0), kName);
  if (t.ndim() == 0) type_error("[", kName, "] cannot sort a 0-d tensor");
  normalize_axis(params_.axis, t.ndim(), kName);
  return Apply::create(ptr(), in, {TensorType::make(DType::Int64, t.broadcastable())});
}

namespace {
// Calls f(base, stride, scratch) for every line along `axis` of a C-contiguous array of `shape`,
// lines split over threads (each line's sort is its own, so the thread count changes nothing),
// each thread with its own radix scratch.
template <class F>
void for_each_line_parallel(const Shape& shape, int64_t size, int axis, F&& f) {
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= shape[d];
  for (int d = axis + 1; d < static_cast<int>(shape.size()); ++d) inner *= shape[d];
  const int64_t n = shape[axis], lines = outer * inner;
  const bool par = lines > 1 && size >= ::hypatia::elemwise_minsize() && ::hypatia::max_threads() > 1;
#pragma omp parallel if (par) num_threads(::hypatia::max_threads())
  {
    kernels::RadixScratch scratch;
#pragma omp for schedule(static)
    for (int64_t l = 0; l < lines; ++l) f((l / inner) * n * inner + l % inner, inner, scratch);
  }
}
}  // namespace

void ArgSortOp::perform(const Apply&, const Value* const* in, Value* out) const {
  const NDArray x = as_array(*in[0]).contiguous();
  const int axis = normalize_axis(params_.axis, x.ndim(), kName);
  NDArray& o = prepare_output(out[0], DType::Int64, x.shape());
  int64_t* po = o.data<int64_t>();
  const int64_t n = x.shape(axis);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    if constexpr (std::is_arithmetic_v<T>) {
      if (n < (int64_t{1} << 32)) {  // real dtypes: a stable radix sort per line (kernels/radix_sort.h)
        for_each_line_parallel(x.shape(), x.size(), axis, [&](int64_t base, int64_t stride, kernels::RadixScratch& s) {
          kernels::radix_argsort(px + base, n, stride, po + base, stride, s);
        });
        return;
      }
    }
    std::vector<int64_t> perm(n);
    for_each_line(x.shape(), axis, [&](int64_t base, int64_t stride) {
      std::iota(perm.begin(), perm.end(), 0);
      std::stable_sort(perm.begin(), perm.end(),
                       [&](int64_t a, int64_t b) { return less_nan_last(px[base + a * stride], px[base + b * stride]); });
      for (int64_t k = 0; k < n; ++k) po[base + k * stride] = perm[k];
    });
  });
}

std::vector<Var> ArgSortOp::vjp(const Apply&, const std::vector<Var>&) const { return {disconnected_var()}; }

ApplyPtr SortOp::make_node_checked(const std::vector<Var>& in) const {
  const TensorType& t = expect_tensor(in.at(0), kName);
  if (t.ndim() == 0) type_error("[", kName, "] cannot sort a 0-d tensor");
  normalize_axis(params_.axis, t.ndim(), kName);
  return Apply::create(ptr(), in, {in[0].type()});
}

void SortOp::perform(const Apply&, const Value* const* in, Value* out) const {
  const NDArray x = as_array(*in[0]).contiguous();
  const int axis = normalize_axis(params_.axis, x.ndim(), kName);
  NDArray& o = prepare_output(out[0], x.dtype(), x.shape());
  const int64_t n = x.shape(axis);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* po = o.data<T>();
    if constexpr (std::is_arithmetic_v<T>) {
      if (n < (int64_t{1} << 32)) {  // real dtypes: a radix sort of the values per line
        for_each_line_parallel(x.shape(), x.size(), axis, [&](int64_t base, int64_t stride, kernels::RadixScratch& s) {
          kernels::radix_sort(px + base, n, stride, po + base, stride, s);
        });
        return;
      }
    }
    std::vector<T> line(n);  // half and complex: a stable comparison sort of each line's values
    for_each_line(x.shape(), axis, [&](int64_t base, int64_t stride) {
      for (int64_t k = 0; k < n; ++k) line[k] = px[base + k * stride];
      std::stable_sort(line.begin(), line.end(), [](const T& a, const T& b) { return less_nan_last(a, b); });
      for (int64_t k = 0; k < n; ++k) po[base + k * stride] = line[k];
    });
  });
}

// The sorted values are x gathered through argsort(x) (stable), so the gradient scatters back
// through it, as Theano's SortOp.grad does with the inverse permutation.
std::vector<Var> SortOp::vjp(const Apply& node, const std::vector<Var>& g) const {
  return {apply1(*std::make_shared<ScatterAlongAxis>(params_), {g[0], argsort(node.input(0), params_.axis)})};
}

std::vector<Var> SortOp::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (ev.empty() || !ev[0]) return {Var()};
  return {apply1(*std::make_shared<TakeAlongAxis>(params_), {ev[0], argsort(node.input(0), params_.axis)})};
}

ApplyPtr TakeAlongAxis::make_node_checked(const std::vector<Var>& in) const {
  const TensorType& t = expect_tensor(in.at(0), kName);
  check_index_input(in.at(1), in[0], kName);
  normalize_axis(params_.axis, t.ndim(), kName);
  return Apply::create(ptr(), in, {TensorType::make(t.elem(), tensor_type(in[1])->broadcastable())});
}

namespace {
// out[line k] = x[line idx[k]] (take) or out[line idx[k]] = x[line k] (scatter), per line.
void along_axis(const NDArray& x_in, const NDArray& idx_in, int axis, bool scatter, NDArray& o, const char* who) {
  const NDArray x = x_in.contiguous();
  const NDArray idx = idx_in.astype(DType::Int64);
  if (x.shape() != idx.shape())
    value_error("[", who, "] indices of shape ", shape_str(idx.shape()), " do not match values of shape ", shape_str(x.shape()));
  const int64_t n = x.shape(axis);
  const int64_t* pi = idx.data<int64_t>();
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* po = o.data<T>();
    if (scatter) std::fill(po, po + o.size(), T{});
    for_each_line(x.shape(), axis, [&](int64_t base, int64_t stride) {
      for (int64_t k = 0; k < n; ++k) {
        int64_t j = pi[base + k * stride];
        if (j < 0) j += n;
        if (j < 0 || j >= n) raise(ErrorKind::Index, "[", who, "] index ", pi[base + k * stride], " is out of bounds for size ", n);
        if (scatter) po[base + j * stride] = px[base + k * stride];
        else po[base + k * stride] = px[base + j * stride];
      }
    });
  });
}
}  // namespace

void TakeAlongAxis::perform(const Apply&, const Value* const* in, Value* out) const {
  const NDArray& x = as_array(*in[0]);
  NDArray& o = prepare_output(out[0], x.dtype(), as_array(*in[1]).shape());
  along_axis(x, as_array(*in[1]), normalize_axis(params_.axis, x.ndim(), kName), false, o, kName);
}

std::vector<Var> TakeAlongAxis::vjp(const Apply& node, const std::vector<Var>& g) const {
  return {apply1(*std::make_shared<ScatterAlongAxis>(params_), {g[0], node.input(1)}), disconnected_var()};
}

std::vector<Var> TakeAlongAxis::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (ev.empty() || !ev[0]) return {Var()};
  return {apply1(*this, {ev[0], node.input(1)})};
}

ApplyPtr ScatterAlongAxis::make_node_checked(const std::vector<Var>& in) const {
  const TensorType& t = expect_tensor(in.at(0), kName);
  check_index_input(in.at(1), in[0], kName);
  normalize_axis(params_.axis, t.ndim(), kName);
  return Apply::create(ptr(), in, {in[0].type()});
}

void ScatterAlongAxis::perform(const Apply&, const Value* const* in, Value* out) const {
  const NDArray& g = as_array(*in[0]);
  NDArray& o = prepare_output(out[0], g.dtype(), g.shape());
  along_axis(g, as_array(*in[1]), normalize_axis(params_.axis, g.ndim(), kName), true, o, kName);
}

std::vector<Var> ScatterAlongAxis::vjp(const Apply& node, const std::vector<Var>& g) const {
  return {apply1(*std::make_shared<TakeAlongAxis>(params_), {g[0], node.input(1)}), disconnected_var()};
}

ApplyPtr Nonzero::make_node_checked(const std::vector<Var>& in) const {
  const TensorType& t = expect_tensor(in.at(0), kName);
  if (t.ndim() == 0) type_error("[", kName, "] nonzero of a 0-d tensor is not supported; use x.flatten() first");
  std::vector<TypePtr> outs(t.ndim(), TensorType::make(DType::Int64, {false}));
  return Apply::create(ptr(), in, outs);
}

// Two passes: a count (one compare per element, no branch) sizes the outputs exactly; then each
// run of 512 along the last axis lists its non-zero positions branch-free in a local buffer,
// which goes to the last axis's output while the leading axes' outputs take the run's fixed
// indices. Pushing flat indices one by one and dividing them back out took 1.8x numpy's time.
void Nonzero::perform(const Apply& node, const Value* const* in, Value* out) const {
  const NDArray x = as_array(*in[0]).contiguous();
  const int nd = x.ndim();
  const int64_t size = x.size(), last = x.shape(nd - 1);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = x.data<T>();
    auto nz = [](const T& v) -> int64_t { return scalar_cast<bool>(v) ? 1 : 0; };
    int64_t m = 0;
    for (int64_t i = 0; i < size; ++i) m += nz(p[i]);
    std::vector<int64_t*> po(nd);
    for (int d = 0; d < nd; ++d) po[d] = prepare_output(out[d], DType::Int64, {m}).template data<int64_t>();
    if (m == 0) return;
    constexpr int64_t kRun = 512;
    int64_t buf[kRun];
    std::vector<int64_t> lead(nd > 1 ? nd - 1 : 0, 0);  // the leading axes' indices of the current line
    int64_t k = 0;
    for (int64_t base = 0; base < size; base += last) {
      for (int64_t c0 = 0; c0 < last; c0 += kRun) {
        const int64_t ce = std::min(last, c0 + kRun);
        int64_t cnt = 0;
        for (int64_t c = c0; c < ce; ++c) {
          buf[cnt] = c;
          cnt += nz(p[base + c]);
        }
        std::copy(buf, buf + cnt, po[nd - 1] + k);
        for (int d = 0; d + 1 < nd; ++d) std::fill(po[d] + k, po[d] + k + cnt, lead[d]);
        k += cnt;
      }
      for (int d = nd - 2; d >= 0 && ++lead[d] == x.shape(d); --d) lead[d] = 0;
    }
  });
  (void)node;
}

std::vector<Var> Nonzero::vjp(const Apply&, const std::vector<Var>&) const { return {disconnected_var()}; }

Var argsort(const Var& x, std::optional<int> axis) {
  if (!axis) return argsort(flatten(x, 1), 0);
  const int nd = expect_tensor(x, "argsort").ndim();
  return apply1(*std::make_shared<ArgSortOp>(AxisParams{normalize_axis(*axis, nd, "ArgSortOp")}), {x});
}

Var sort(const Var& x, std::optional<int> axis) {
  if (!axis) return sort(flatten(x, 1), 0);
  const int nd = expect_tensor(x, "sort").ndim();
  return apply1(*std::make_shared<SortOp>(AxisParams{normalize_axis(*axis, nd, "SortOp")}), {x});
}

std::vector<Var> nonzero(const Var& x) { return apply_op(*std::make_shared<Nonzero>(), {x}); }

Var flatnonzero(const Var& x) { return nonzero(flatten(x, 1))[0]; }

}  // namespace hypatia
