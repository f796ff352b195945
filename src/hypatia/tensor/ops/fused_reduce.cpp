// FusedSum: strided, broadcasting sum of a fused elementwise program, row by row in cache.
#include "hypatia/tensor/ops/fused_reduce.h"

#include <omp.h>

#include <algorithm>
#include <memory>

#include "hypatia/grad/grad.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/kernels/extreme.h"
#include "hypatia/tensor/ops/reduce.h"
#include "hypatia/util/parallel.h"

namespace hypatia {

namespace {
constexpr int64_t kChunk = 2048;          // elements of a row computed at once (stays in L1/L2)
constexpr int64_t kMaxParts = 16;          // partial accumulators when outputs are too few to split

// The iteration space after dropping length-1 axes and merging axes that walk memory alike.
struct Plan {
  Shape shape;
  std::vector<bool> red;
  std::vector<std::vector<int64_t>> istr;  // element strides per input (0 where broadcast)
  std::vector<int64_t> ostr;               // element strides into the accumulator (0 if reduced)
};

Plan make_plan(const Shape& S, const std::vector<bool>& reduce, const std::vector<NDArray>& in) {
  const int nd = static_cast<int>(S.size());
  const size_t n = in.size();
  std::vector<std::vector<int64_t>> istr(n, std::vector<int64_t>(nd));
  for (size_t i = 0; i < n; ++i) {
    const int isz = itemsize(in[i].dtype());
    for (int d = 0; d < nd; ++d) istr[i][d] = in[i].shape(d) == 1 ? 0 : in[i].strides()[d] / isz;
  }
  std::vector<int64_t> ostr(nd, 0);
  int64_t acc = 1;
  for (int d = nd - 1; d >= 0; --d)
    if (!reduce[d]) ostr[d] = acc, acc *= S[d];
  Plan p;
  p.istr.resize(n);
  for (int d = 0; d < nd; ++d) {
    if (S[d] == 1) continue;
    const int last = static_cast<int>(p.shape.size()) - 1;
    bool merge = last >= 0 && p.red[last] == reduce[d] && p.ostr[last] == ostr[d] * S[d];
    for (size_t i = 0; i < n && merge; ++i) merge = p.istr[i][last] == istr[i][d] * S[d];
    if (merge) {
      p.shape[last] *= S[d];
      p.ostr[last] = ostr[d];
      for (size_t i = 0; i < n; ++i) p.istr[i][last] = istr[i][d];
      continue;
    }
    p.shape.push_back(S[d]);
    p.red.push_back(reduce[d]);
    p.ostr.push_back(ostr[d]);
    for (size_t i = 0; i < n; ++i) p.istr[i].push_back(istr[i][d]);
  }
  if (p.shape.empty()) {  // a single term
    p.shape.push_back(1);
    p.red.push_back(true);
    p.ostr.push_back(0);
    for (size_t i = 0; i < n; ++i) p.istr[i].push_back(0);
  }
  return p;
}

// op-fold of r[0, n) in A over eight partials (terms k mod 8), combined in a fixed tree: the
// order every sum and product of a row takes, whatever the thread count.
template <class A, class T, class Op>
A fold8_row(const T* r, int64_t n, A init, Op op) {
  A s[8] = {init, init, init, init, init, init, init, init};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) s[k] = op(s[k], static_cast<A>(r[i + k]));
  for (; i < n; ++i) s[0] = op(s[0], static_cast<A>(r[i]));
  return op(op(op(s[0], s[1]), op(s[2], s[3])), op(op(s[4], s[5]), op(s[6], s[7])));
}

template <class A, class T>
A dot_row(const T* x, const T* y, int64_t n) {
  A s[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) s[k] += static_cast<A>(x[i + k] * y[i + k]);
  for (; i < n; ++i) s[0] += static_cast<A>(x[i] * y[i]);
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

// How terms combine: a sum or a product, or a maximum or minimum that NaN wins
// (kernels::Extreme, the vectorised folds numpy's max and min agree with). Max and min are
// exact in any order; the plan fixes the order of sums and products.
template <FoldKind F, class A>
struct Folder {
  using E = kernels::Extreme<F == FoldKind::Max, A>;
  static constexpr bool kArith = F == FoldKind::Sum || F == FoldKind::Prod;
  static A init() {
    if constexpr (F == FoldKind::Sum) return A(0);
    else if constexpr (F == FoldKind::Prod) return A(1);
    else return E::init();
  }
  static A combine(A a, A b) {
    if constexpr (F == FoldKind::Sum) return a + b;
    else if constexpr (F == FoldKind::Prod) return a * b;
    else return E::combine(a, b);
  }
  template <class T>
  static A row(const T* r, int64_t n) {
    if constexpr (kArith) {
      return fold8_row<A>(r, n, init(), [](A a, A b) { return combine(a, b); });
    } else if constexpr (std::is_same_v<T, A>) {
      return E::row(r, n);
    } else {
      A m = init();
      for (int64_t i = 0; i < n; ++i) m = combine(m, static_cast<A>(r[i]));
      return m;
    }
  }
  // o[e] = combine(o[e], r[e]) for e < n.
  template <class T>
  static void lanes(A* o, const T* r, int64_t n) {
    if constexpr (!kArith && std::is_same_v<T, A>) {
      E::lanes(o, r, n);
    } else {
      for (int64_t e = 0; e < n; ++e) o[e] = combine(o[e], static_cast<A>(r[e]));
    }
  }
};

template <FoldKind F, class T, class A>
void run(const std::vector<FusedStep>& prog, const std::vector<const T*>& base, const Plan& p, A* acc, int64_t nout) {
  using Fo = Folder<F, A>;
  const int nd = static_cast<int>(p.shape.size());
  const int dl = nd - 1;
  const int64_t L = p.shape[dl];
  const bool last_red = p.red[dl];
  std::vector<int> kd, rd;  // outer kept / reduced axes
  int64_t K = 1, R = 1;
  for (int d = 0; d < dl; ++d) {
    if (p.red[d]) rd.push_back(d), R *= p.shape[d];
    else kd.push_back(d), K *= p.shape[d];
  }
  const int64_t B = std::min(kChunk, L), nchunks = (L + B - 1) / B;
  const int64_t O = K * (last_red ? 1 : nchunks), Q = R * (last_red ? nchunks : 1);
  const int nin = static_cast<int>(base.size()), nsteps = static_cast<int>(prog.size());
  // Below openmp_elemwise_minsize terms one thread does everything (starting threads costs
  // more); the path taken depends on the size only, so the sums never depend on the threads.
  const bool big = K * R * L >= ::hypatia::elemwise_minsize();
  const bool par = big && ::hypatia::max_threads() > 1;

  std::vector<char> scalar(nin);  // inputs broadcast along every axis
  for (int i = 0; i < nin; ++i) {
    scalar[i] = 1;
    for (int d = 0; d < nd; ++d) scalar[i] = scalar[i] && p.istr[i][d] == 0;
  }
  // Per-thread scratch: one block per step and one per input read through a non-unit stride.
  struct Work {
    std::unique_ptr<T[]> temps, bufs;
  };
  auto make_work = [&] {
    Work w;
    w.temps.reset(new T[static_cast<size_t>(std::max(nsteps, 1)) * B]);
    w.bufs.reset(new T[static_cast<size_t>(nin) * B]);
    for (int i = 0; i < nin; ++i)
      if (scalar[i]) std::fill(w.bufs.get() + static_cast<size_t>(i) * B, w.bufs.get() + static_cast<size_t>(i + 1) * B, *base[i]);
    return w;
  };
  // Folds the terms of (kept item o, reduced item q) into acc.
  auto step = [&](Work& w, int64_t o, int64_t q, A* out) {
    const int64_t k = last_red ? o : o / nchunks, r = last_red ? q / nchunks : q;
    const int64_t c = last_red ? q % nchunks : o % nchunks;
    const int64_t start = c * B, len = std::min(B, L - start);
    int64_t off_out = 0;
    const T* ptr[64];
    std::vector<const T*> ptrv;
    const T** ptrs = nin <= 64 ? ptr : (ptrv.resize(nin), ptrv.data());
    for (int i = 0; i < nin; ++i) ptrs[i] = base[i];
    int64_t kk = k, rr = r;
    for (int j = static_cast<int>(kd.size()) - 1; j >= 0; --j) {
      const int d = kd[j];
      const int64_t idx = kk % p.shape[d];
      kk /= p.shape[d];
      off_out += idx * p.ostr[d];
      for (int i = 0; i < nin; ++i) ptrs[i] += idx * p.istr[i][d];
    }
    for (int j = static_cast<int>(rd.size()) - 1; j >= 0; --j) {
      const int d = rd[j];
      const int64_t idx = rr % p.shape[d];
      rr /= p.shape[d];
      for (int i = 0; i < nin; ++i) ptrs[i] += idx * p.istr[i][d];
    }
    for (int i = 0; i < nin; ++i) {
      if (scalar[i]) {  // one value everywhere: its block was filled once per thread
        ptrs[i] = w.bufs.get() + static_cast<size_t>(i) * B;
        continue;
      }
      const int64_t st = p.istr[i][dl];
      const T* src = ptrs[i] + start * st;
      if (st == 1) {
        ptrs[i] = src;
        continue;
      }
      T* b = w.bufs.get() + static_cast<size_t>(i) * B;
      if (st == 0) std::fill(b, b + len, *src);
      else
        for (int64_t e = 0; e < len; ++e) b[e] = src[e * st];
      ptrs[i] = b;
    }
    auto arg = [&](int a) -> const T* { return a < nin ? ptrs[a] : w.temps.get() + static_cast<size_t>(a - nin) * B; };
    // Every step but a final product or square writes its block; that one is folded
    // straight into the accumulator (one pass less over the block).
    const int fold = F == FoldKind::Sum && nsteps > 0 &&
                             (prog[nsteps - 1].op == ScalarOpId::Mul || prog[nsteps - 1].op == ScalarOpId::Sqr)
                         ? nsteps - 1 : nsteps;
    const T* row = ptrs[0];
    for (int s = 0; s < fold; ++s) {
      const FusedStep& fs = prog[s];
      T* dst = w.temps.get() + static_cast<size_t>(s) * B;
      fused_step(fs.op, arg(fs.args[0]), fs.arity > 1 ? arg(fs.args[1]) : arg(fs.args[0]), dst, len);
      row = dst;
    }
    if (fold < nsteps) {
      const FusedStep& fs = prog[fold];
      const T* x = arg(fs.args[0]);
      const T* y = fs.op == ScalarOpId::Sqr ? x : arg(fs.args[1]);
      if (last_red) {
        out[off_out] += dot_row<A>(x, y, len);
      } else {
        A* o2 = out + off_out + start;
        for (int64_t e = 0; e < len; ++e) o2[e] += static_cast<A>(x[e] * y[e]);
      }
      return;
    }
    if (last_red) {
      out[off_out] = Fo::combine(out[off_out], Fo::row(row, len));
    } else {
      Fo::lanes(out + off_out + start, row, len);
    }
  };
  std::fill(acc, acc + nout, Fo::init());
  if (!big || O >= 4 || Q == 1) {
    // Every item owns distinct outputs: split the items, each sums its terms in order.
#pragma omp parallel if (par && O > 1) num_threads(::hypatia::max_threads())
    {
      Work w = make_work();
#pragma omp for schedule(static)
      for (int64_t o = 0; o < O; ++o)
        for (int64_t q = 0; q < Q; ++q) step(w, o, q, acc);
    }
    return;
  }
  // Too few outputs to split: a fixed number of partial sums (the same at any thread count).
  const int64_t P = std::min(Q, kMaxParts);
  std::vector<A> parts(static_cast<size_t>(P * nout), Fo::init());
#pragma omp parallel if (par) num_threads(::hypatia::max_threads())
  {
    Work w = make_work();
#pragma omp for schedule(static)
    for (int64_t part = 0; part < P; ++part) {
      const int64_t q0 = Q * part / P, q1 = Q * (part + 1) / P;
      // Reduced items outer: each input row is read through once, in memory order (a chunk
      // of every row and then the next chunk restarted the prefetchers at every chunk: sum
      // and max over axis 0 of 4000 x 4000 float64 ran 1.7x numpy's time). Each output
      // element still takes its terms in the order of q.
      for (int64_t q = q0; q < q1; ++q)
        for (int64_t o = 0; o < O; ++o) step(w, o, q, parts.data() + part * nout);
    }
  }
  for (int64_t part = 0; part < P; ++part)
    for (int64_t e = 0; e < nout; ++e) acc[e] = Fo::combine(acc[e], parts[part * nout + e]);
}

std::string axis_text(const std::vector<int>& a) {
  std::string s;
  for (size_t i = 0; i < a.size(); ++i) s += str_cat(i ? ", " : "", a[i]);
  return s;
}
}  // namespace

void fused_sum(const std::vector<FusedStep>& prog, const std::vector<NDArray>& inputs, DType prog_dtype,
               const std::vector<bool>& reduce, DType acc, NDArray& out) {
  fused_fold(FoldKind::Sum, prog, inputs, prog_dtype, reduce, acc, out);
}

void fused_fold(FoldKind kind, const std::vector<FusedStep>& prog, const std::vector<NDArray>& inputs, DType prog_dtype,
                const std::vector<bool>& reduce, DType acc, NDArray& out) {
  const int nd = static_cast<int>(reduce.size());
  Shape S(nd, 1);
  for (const NDArray& a : inputs) {
    if (a.ndim() != nd || a.dtype() != prog_dtype)
      throw Error(ErrorKind::Runtime, "[CAReduce] fused inputs must share the program's rank and dtype");
    for (int d = 0; d < nd; ++d) {
      if (a.shape(d) == 1) continue;
      if (S[d] != 1 && S[d] != a.shape(d))
        value_error("[CAReduce] input shapes ", shape_str(inputs[0].shape()), " and ", shape_str(a.shape()),
                    " do not broadcast (axis ", d, ")");
      S[d] = a.shape(d);
    }
  }
  Shape oshape;
  int64_t total = 1;
  for (int d = 0; d < nd; ++d) {
    total *= S[d];
    if (!reduce[d]) oshape.push_back(S[d]);
  }
  if (out.shape() != oshape) throw Error(ErrorKind::Runtime, "[CAReduce] output shape mismatch");
  NDArray accum = out.dtype() == acc ? out : NDArray(acc, oshape);
  const int64_t nout = accum.size();
  // Strides must be whole elements (always so for arrays made here and for numpy's own).
  std::vector<NDArray> in = inputs;
  for (NDArray& a : in)
    for (int d = 0; d < nd; ++d)
      if (a.strides()[d] % itemsize(a.dtype()) != 0) {
        a = a.copy();
        break;
      }
  dispatch_dtype(acc, [&](auto atag) {
    using A = decltype(atag);
    if constexpr (std::is_same_v<A, float> || std::is_same_v<A, double>) {
      A* pa = accum.template data<A>();
      if (total == 0) {  // an empty sum is 0, an empty product 1 (an empty max or min is refused)
        std::fill(pa, pa + nout, A(kind == FoldKind::Prod ? 1 : 0));
        return;
      }
      const Plan plan = make_plan(S, reduce, in);
      dispatch_dtype(prog_dtype, [&](auto ttag) {
        using T = decltype(ttag);
        if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
          std::vector<const T*> base;
          for (const NDArray& a : in) base.push_back(a.template data<T>());
          switch (kind) {
            case FoldKind::Sum: run<FoldKind::Sum, T, A>(prog, base, plan, pa, nout); break;
            case FoldKind::Max: run<FoldKind::Max, T, A>(prog, base, plan, pa, nout); break;
            case FoldKind::Min: run<FoldKind::Min, T, A>(prog, base, plan, pa, nout); break;
            case FoldKind::Prod: run<FoldKind::Prod, T, A>(prog, base, plan, pa, nout); break;
          }
        } else {
          throw Error(ErrorKind::Runtime, "[CAReduce] fused programs are float32/float64");
        }
      });
    } else {
      throw Error(ErrorKind::Runtime, "[CAReduce] fused sums accumulate in float32/float64");
    }
  });
  if (accum.buffer() != out.buffer()) out.assign(accum);
}

std::vector<FusedStep> FusedSum::steps() const {
  std::vector<FusedStep> out;
  const auto& p = params_.program;
  for (size_t i = 0; i + 3 < p.size(); i += 4)
    out.push_back({static_cast<ScalarOpId>(p[i]), static_cast<int>(p[i + 1]), {static_cast<int>(p[i + 2]), static_cast<int>(p[i + 3])}});
  return out;
}

std::string FusedSum::str() const {
  std::string inner = "i0";
  if (!params_.program.empty()) {
    FusedElemwiseParams fp{params_.program, params_.n_inputs, params_.dtype, -1};
    const std::string e = FusedElemwise(fp).str();  // Elemwise{Composite{...}}
    inner = e.substr(9, e.size() - 10);
  }
  return str_cat("CAReduce{", inner, ", add, axis=[", axis_text(params_.axis), "], acc_dtype=",
                 dtype_name(params_.acc_dtype), "}");
}

ApplyPtr FusedSum::make_node_checked(const std::vector<Var>& inputs) const {
  if (static_cast<int>(inputs.size()) != params_.n_inputs || (params_.program.empty() && params_.n_inputs != 1))
    type_error("[CAReduce] expected ", params_.n_inputs, " inputs, got ", inputs.size());
  int nd = -1;
  std::vector<bool> bc;
  for (const Var& v : inputs) {
    const TensorType& t = check_tensor_input(v, "CAReduce");
    if (t.elem() != params_.dtype)
      type_error("[CAReduce] fused inputs must be ", dtype_name(params_.dtype), ", got ", dtype_name(t.elem()));
    if (nd < 0) {
      nd = t.ndim();
      bc = t.broadcastable();
    } else if (t.ndim() != nd) {
      type_error("[CAReduce] all fused inputs must have the same rank");
    } else {
      for (int d = 0; d < nd; ++d) bc[d] = bc[d] && t.broadcastable()[d];
    }
  }
  std::vector<bool> obc;
  for (int d = 0; d < nd; ++d) {
    const bool r = std::find(params_.axis.begin(), params_.axis.end(), d) != params_.axis.end();
    if (!r) obc.push_back(bc[d]);
  }
  for (int a : params_.axis)
    if (a < 0 || a >= nd) value_error("[CAReduce] axis ", a, " is out of bounds for rank ", nd);
  return Apply::create(ptr(), inputs, {TensorType::make(params_.out_dtype, obc)});
}

void FusedSum::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const int n = node.nin();
  std::vector<NDArray> in(n);
  for (int i = 0; i < n; ++i) in[i] = as_array(*inputs[i], "CAReduce");
  const int nd = in.empty() ? 0 : in[0].ndim();
  std::vector<bool> red(nd, false);
  for (int a : params_.axis) red[a] = true;
  Shape oshape;
  for (int d = 0; d < nd; ++d) {
    int64_t s = 1;
    for (const NDArray& a : in)
      if (a.shape(d) != 1) s = a.shape(d);
    if (!red[d]) oshape.push_back(s);
  }
  NDArray& out = prepare_output(outputs[0], params_.out_dtype, oshape);
  fused_sum(steps(), in, params_.dtype, red, params_.acc_dtype, out);
}

std::optional<std::vector<ShapeVec>> FusedSum::infer_shape(const Apply& node, const std::vector<ShapeVec>& shapes) const {
  const int nd = node.input(0).type()->ndim();
  ShapeVec out;
  for (int d = 0; d < nd; ++d) {
    if (std::find(params_.axis.begin(), params_.axis.end(), d) != params_.axis.end()) continue;
    // The first input not broadcast along d gives the length (all broadcast: 1).
    int pick = -1;
    for (int i = 0; i < node.nin() && pick < 0; ++i)
      if (!tensor_type(node.input(i))->broadcastable()[d]) pick = i;
    out.push_back(shapes[pick < 0 ? 0 : pick][d]);
  }
  return std::vector<ShapeVec>{out};
}

Var FusedSum::expand(const std::vector<Var>& inputs) const {
  Var x = inputs[0];
  if (!params_.program.empty()) {
    FusedElemwiseParams fp{params_.program, params_.n_inputs, params_.dtype, -1};
    x = FusedElemwise(fp).expand(inputs);
  }
  std::optional<DType> dt;
  if (params_.out_dtype != sum_out_dtype(params_.dtype)) dt = params_.out_dtype;
  return sum(x, params_.axis, false, dt, params_.acc_dtype);
}

std::vector<Var> FusedSum::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  return vjp_of_expansion(node, expand(node.inputs()), output_grads);
}

std::vector<Var> FusedSum::jvp(const Apply& node, const std::vector<Var>& eval_points) const {
  return jvp_of_expansion(node, expand(node.inputs()), eval_points);
}

}  // namespace hypatia
