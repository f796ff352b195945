// FusedElemwise: blocked evaluation of a small elementwise program, parallel over blocks.
#include "hypatia/tensor/ops/fused_elemwise.h"

#include <omp.h>

#include <memory>

#include "hypatia/grad/grad.h"
#include "hypatia/scalar/vector_math.h"
#include "hypatia/tensor/kernels/elemwise_loop.h"
#include "hypatia/util/parallel.h"

namespace hypatia {

namespace {
constexpr int64_t kBlock = 2048;           // elements per block: every temporary stays in L1/L2

template <class T>
void run_step(ScalarOpId id, const T* a, const T* b, T* o, int64_t n) {
  using namespace scalar_fn;
#define HYP_UN(OP)                                   \
  case ScalarOpId::OP: {                             \
    OP f;                                            \
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);  \
    return;                                          \
  }
#define HYP_BIN(OP)                                        \
  case ScalarOpId::OP: {                                   \
    OP f;                                                  \
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);  \
    return;                                                \
  }
  if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
    // The block's arguments are contiguous temporaries or input slices: the vector kernels apply.
    if (id == ScalarOpId::Tanh) return vector_math::tanh(a, o, n);
    if (id == ScalarOpId::Exp) return vector_math::exp(a, o, n);
    if (id == ScalarOpId::Log) return vector_math::log(a, o, n);
    if (id == ScalarOpId::Sigmoid) return vector_math::sigmoid(a, o, n);
    if (id == ScalarOpId::Softplus) return vector_math::softplus(a, o, n);
    if (id == ScalarOpId::Pow) return vector_math::pow(a, b, o, n);
  }
  // The loops in their AVX2 build where the CPU has it (kernels::detail::run_flat): maximum,
  // minimum and abs vectorise there, not at baseline x86-64.
  bool fused = true;
  kernels::detail::run_flat(HYP_FLAT_LOOP {
    switch (id) {
      HYP_BIN(Add) HYP_BIN(Sub) HYP_BIN(Mul) HYP_BIN(TrueDiv) HYP_BIN(Pow) HYP_BIN(Maximum) HYP_BIN(Minimum)
      HYP_UN(Neg) HYP_UN(Sqr) HYP_UN(Exp) HYP_UN(Log) HYP_UN(Sqrt) HYP_UN(Sigmoid) HYP_UN(Softplus)
      HYP_UN(Log1p) HYP_UN(Expm1) HYP_UN(Tanh) HYP_UN(Abs)
      default: fused = false;
    }
  });
  if (!fused) throw Error(ErrorKind::Runtime, "[FusedElemwise] scalar op cannot be fused");
#undef HYP_UN
#undef HYP_BIN
}

// Inputs of run_program: a full-size array (period 0), a single value broadcast everywhere
// (period 1), or an array whose values repeat with period p along the flat output (a row
// broadcast over the leading axes, such as a bias): element e reads in[e % p].
template <class T>
void run_program(const std::vector<FusedStep>& steps, int n_inputs, const std::vector<const T*>& in,
                 const std::vector<int64_t>& period, T* out, int64_t n) {
  const int64_t nblocks = (n + std::min(kBlock, std::max<int64_t>(n, 1)) - 1) / std::min(kBlock, std::max<int64_t>(n, 1));
  const int nsteps = static_cast<int>(steps.size());
  // Blocks never exceed the array: a long program over a small array needs small buffers.
  const int64_t block = std::min(kBlock, std::max<int64_t>(n, 1));
#pragma omp parallel if (n >= ::hypatia::elemwise_minsize()) num_threads(::hypatia::max_threads())
  {
    // Per thread, uninitialised: one block buffer per step and one per broadcast scalar input.
    std::unique_ptr<T[]> temps(new T[static_cast<size_t>(nsteps) * block]);
    std::unique_ptr<T[]> bcast(new T[static_cast<size_t>(n_inputs) * block]);
    for (int k = 0; k < n_inputs; ++k)
      if (period[k] == 1) std::fill(bcast.get() + k * block, bcast.get() + (k + 1) * block, in[k][0]);
#pragma omp for schedule(static)
    for (int64_t blk = 0; blk < nblocks; ++blk) {
      const int64_t start = blk * block, len = std::min(block, n - start);
      // A periodic input's block is laid out in its buffer (L1-sized) by contiguous segments.
      for (int k = 0; k < n_inputs; ++k) {
        const int64_t p = period[k];
        if (p <= 1) continue;
        T* dst = bcast.get() + static_cast<size_t>(k) * block;
        for (int64_t i = 0, off = start % p; i < len; off = 0) {
          const int64_t m = std::min(p - off, len - i);
          std::copy(in[k] + off, in[k] + off + m, dst + i);
          i += m;
        }
      }
      auto arg = [&](int a) -> const T* {
        if (a < n_inputs) return period[a] ? bcast.get() + static_cast<size_t>(a) * block : in[a] + start;
        return temps.get() + static_cast<size_t>(a - n_inputs) * block;
      };
      for (int s = 0; s < nsteps; ++s) {
        const FusedStep& st = steps[s];
        T* dst = s == nsteps - 1 ? out + start : temps.get() + static_cast<size_t>(s) * block;
        run_step<T>(st.op, arg(st.args[0]), st.arity > 1 ? arg(st.args[1]) : nullptr, dst, len);
      }
    }
  }
}
}  // namespace

void fused_step(ScalarOpId id, const double* a, const double* b, double* o, int64_t n) { run_step<double>(id, a, b, o, n); }
void fused_step(ScalarOpId id, const float* a, const float* b, float* o, int64_t n) { run_step<float>(id, a, b, o, n); }

bool fusable_scalar_op(ScalarOpId id) {
  switch (id) {
    case ScalarOpId::Add: case ScalarOpId::Sub: case ScalarOpId::Mul: case ScalarOpId::TrueDiv:
    case ScalarOpId::Pow: case ScalarOpId::Maximum: case ScalarOpId::Minimum: case ScalarOpId::Neg:
    case ScalarOpId::Sqr: case ScalarOpId::Exp: case ScalarOpId::Log: case ScalarOpId::Sqrt:
    case ScalarOpId::Sigmoid: case ScalarOpId::Softplus: case ScalarOpId::Log1p: case ScalarOpId::Expm1:
    case ScalarOpId::Tanh: case ScalarOpId::Abs:
      return true;
    default:
      return false;
  }
}

std::vector<FusedStep> FusedElemwise::steps() const {
  std::vector<FusedStep> out;
  const auto& p = params_.program;
  for (size_t i = 0; i + 3 < p.size(); i += 4)
    out.push_back({static_cast<ScalarOpId>(p[i]), static_cast<int>(p[i + 1]), {static_cast<int>(p[i + 2]), static_cast<int>(p[i + 3])}});
  return out;
}

std::string FusedElemwise::str() const {
  // Theano's form, e.g. Elemwise{Composite{(exp(i0) + i1)}}.
  std::vector<std::string> text;
  const int n = params_.n_inputs;
  auto arg = [&](int a) { return a < n ? str_cat("i", a) : text[a - n]; };
  for (const FusedStep& s : steps()) {
    const char* name = scalar_op_info(s.op).name;
    std::string sym;
    switch (s.op) {
      case ScalarOpId::Add: sym = "+"; break;
      case ScalarOpId::Sub: sym = "-"; break;
      case ScalarOpId::Mul: sym = "*"; break;
      case ScalarOpId::TrueDiv: sym = "/"; break;
      case ScalarOpId::Pow: sym = "**"; break;
      default: break;
    }
    if (!sym.empty()) text.push_back(str_cat("(", arg(s.args[0]), " ", sym, " ", arg(s.args[1]), ")"));
    else if (s.op == ScalarOpId::Neg) text.push_back(str_cat("(-", arg(s.args[0]), ")"));
    else if (s.arity == 1) text.push_back(str_cat(name, "(", arg(s.args[0]), ")"));
    else text.push_back(str_cat(name, "(", arg(s.args[0]), ", ", arg(s.args[1]), ")"));
  }
  return str_cat("Elemwise{Composite{", text.empty() ? "" : text.back(), "}}",
                 params_.inplace >= 0 ? str_cat("[(0, ", params_.inplace, ")]") : std::string());
}

ViewMap FusedElemwise::destroy_map() const {
  if (params_.inplace < 0) return {};
  return {{0, {params_.inplace}}};
}

std::shared_ptr<const Op> FusedElemwise::inplace_variant(const std::vector<int>& allowed) const {
  // Each block's last step writes the output where every input of that block was read, so
  // the output may overwrite any input of its type (the in-place phase offers only those).
  if (params_.inplace >= 0 || allowed.empty()) return nullptr;
  FusedElemwiseParams p = params_;
  p.inplace = allowed.front();
  return std::make_shared<FusedElemwise>(p);
}

ApplyPtr FusedElemwise::make_node_checked(const std::vector<Var>& inputs) const {
  if (static_cast<int>(inputs.size()) != params_.n_inputs)
    type_error("[", str(), "] expected ", params_.n_inputs, " inputs, got ", inputs.size());
  int nd = -1;
  std::vector<bool> bc;
  for (const Var& v : inputs) {
    const TensorType& t = check_tensor_input(v, "FusedElemwise");
    if (nd < 0) {
      nd = t.ndim();
      bc = t.broadcastable();
    } else if (t.ndim() != nd) {
      type_error("[FusedElemwise] all inputs must have the same rank");
    } else {
      for (int d = 0; d < nd; ++d) bc[d] = bc[d] && t.broadcastable()[d];
    }
  }
  return Apply::create(ptr(), inputs, {TensorType::make(params_.dtype, bc)});
}

void FusedElemwise::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const int n = node.nin();
  std::vector<const NDArray*> arrays(n);
  for (int i = 0; i < n; ++i) arrays[i] = &as_array(*inputs[i], "FusedElemwise");
  const Shape shape = elemwise_output_shape(node, arrays.data(), n);
  const int k = params_.inplace;
  const bool in_place = k >= 0 && k < n && arrays[k]->shape() == shape && overwritable(*arrays[k], params_.dtype);
  if (in_place) outputs[0] = *arrays[k];  // destroy_map {0: [k]}
  NDArray& out = in_place ? std::get<NDArray>(outputs[0]) : prepare_output(outputs[0], params_.dtype, shape);
  const int64_t total = out.size();
  // Inputs become contiguous full-size arrays, single values, or contiguous rows broadcast over
  // the leading axes (read with a period, never copied to full size), of the program's dtype.
  std::vector<NDArray> keep(n);
  std::vector<int64_t> period(n, 0);
  for (int i = 0; i < n; ++i) {
    const NDArray& a = as_array(*inputs[i]);
    NDArray x = a.dtype() == params_.dtype ? a : a.astype(params_.dtype);
    if (x.size() == 1) {
      period[i] = 1;
    } else if (!(x.shape() == shape && x.is_c_contiguous())) {
      // Periodic when x, its leading size-1 axes dropped, is C-contiguous and equals the
      // output's trailing axes.
      const Shape& xs = x.shape();
      int lead = 0;
      while (lead < static_cast<int>(xs.size()) && xs[lead] == 1) ++lead;
      const int rest = static_cast<int>(xs.size()) - lead;
      bool periodic = x.is_c_contiguous() && rest > 0 && rest <= static_cast<int>(shape.size());
      for (int d = 0; periodic && d < rest; ++d) periodic = xs[lead + d] == shape[shape.size() - rest + d];
      // A row read during the run must not be one the output overwrites (in place).
      if (periodic && !(in_place && x.may_share_memory(out))) period[i] = x.size();
      else x = x.broadcast_to(shape).copy();
    }
    keep[i] = x;
  }
  const std::vector<FusedStep> prog = steps();
  dispatch_dtype(params_.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      std::vector<const T*> ptrs(n);
      for (int i = 0; i < n; ++i) ptrs[i] = keep[i].template data<T>();
      run_program<T>(prog, n, ptrs, period, out.template data<T>(), total);
    } else {
      throw Error(ErrorKind::Runtime, "[FusedElemwise] only float32/float64 programs are fused");
    }
  });
}

std::optional<std::vector<ShapeVec>> FusedElemwise::infer_shape(const Apply& node,
                                                               const std::vector<ShapeVec>& shapes) const {
  return elemwise_infer_shape(node, shapes);
}

Var FusedElemwise::expand(const std::vector<Var>& inputs) const {
  std::vector<Var> vals = inputs;
  for (const FusedStep& s : steps()) {
    std::vector<Var> args;
    for (int k = 0; k < s.arity; ++k) args.push_back(vals[s.args[k]]);
    vals.push_back(elemwise(s.op, args));
  }
  return vals.back();
}

std::vector<Var> vjp_of_expansion(const Apply& node, const Var& expanded, const std::vector<Var>& output_grads) {
  std::vector<Var> res(node.nin());
  if (!output_grads[0] || is_disconnected(output_grads[0])) {
    for (auto& r : res) r = disconnected_var();
    return res;
  }
  GradOptions o;
  o.disconnected_inputs = OnDisconnected::Ignore;
  return Lop(std::vector<Var>{expanded}, node.inputs(), output_grads, o);
}

std::vector<Var> jvp_of_expansion(const Apply& node, const Var& expanded, const std::vector<Var>& eval_points) {
  std::vector<Var> wrt, ev;
  for (int i = 0; i < node.nin(); ++i)
    if (i < static_cast<int>(eval_points.size()) && eval_points[i]) {
      wrt.push_back(node.input(i));
      ev.push_back(eval_points[i]);
    }
  return Rop(std::vector<Var>{expanded}, wrt, ev);
}

std::vector<Var> FusedElemwise::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  return vjp_of_expansion(node, expand(node.inputs()), output_grads);
}

std::vector<Var> FusedElemwise::jvp(const Apply& node, const std::vector<Var>& eval_points) const {
  return jvp_of_expansion(node, expand(node.inputs()), eval_points);
}

}  // namespace hypatia
