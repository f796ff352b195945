// Scan: the op's typing, printing, shapes and native execution of the inner graph step by step.
#include "hypatia/control/ops/scan.h"

#include <algorithm>
#include <numeric>

#include "hypatia/graph/op_codec_graphs.h"
#include "hypatia/rewrite/inplace.h"
#include "hypatia/sparse/kernels/select.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

namespace {
// Scan pickles as its ScanInfo plus its inner graph (graph/op_codec_graphs.h).
const bool kScanCodecRegistered = register_info_graph_op<Scan, ScanInfo>();
}  // namespace

int ScanInfo::n_seq_slices() const {
  int n = 0;
  for (const auto& t : seq_taps) n += static_cast<int>(t.size());
  return n;
}

int ScanInfo::n_state_slices() const {
  int n = 0;
  for (const auto& t : state_taps) n += static_cast<int>(t.size());
  return n;
}

int ScanInfo::state_depth(const std::vector<int>& taps) { return -*std::min_element(taps.begin(), taps.end()); }

namespace {

int min_tap0(const std::vector<int>& taps) { return std::min(0, *std::min_element(taps.begin(), taps.end())); }
int max_tap0(const std::vector<int>& taps) { return std::max(0, *std::max_element(taps.begin(), taps.end())); }

/// The type of one step of a sequence (or of a mit_sot initial): the first axis dropped.
TypePtr step_type(const TypePtr& t) {
  if (t->kind() == TypeKind::Sparse) return t;  // a sparse sequence gives 1-row matrices
  const auto& tt = static_cast<const TensorType&>(*t);
  std::vector<bool> bc(tt.broadcastable().begin() + 1, tt.broadcastable().end());
  return TensorType::make(*tt.dtype(), bc);
}

/// The type of a trace of steps of type `t`: one more, non-broadcastable, leading axis.
TypePtr trace_type(const TypePtr& t) {
  const auto& tt = static_cast<const TensorType&>(*t);
  std::vector<bool> bc{false};
  bc.insert(bc.end(), tt.broadcastable().begin(), tt.broadcastable().end());
  return TensorType::make(*tt.dtype(), bc);
}

/// Types agree for scan's purposes: same kind, dtype and rank (broadcastable flags may differ:
/// a step's value is checked at run time).
bool compatible(const TypePtr& a, const TypePtr& b) {
  if (a->kind() != b->kind()) return false;
  if (a->kind() == TypeKind::Tensor) return a->dtype() == b->dtype() && a->ndim() == b->ndim();
  return same_type(a, b);
}

}  // namespace

Scan::Scan(ScanInfo info, FunctionGraphPtr inner) : info_(std::move(info)), inner_(std::move(inner)) {}

std::string Scan::str() const {
  return str_cat(info_.as_while ? "while" : "for", "{cpu,", info_.label(), "}");
}

bool Scan::equals(const Op& other) const {
  const auto* o = dynamic_cast<const Scan*>(&other);
  return o && o->inner_ == inner_ && o->info_.fields() == info_.fields();
}

size_t Scan::hash() const { return hash_combine(std::hash<const void*>()(inner_.get()), std::hash<std::string>()(info_.name)); }

OpPtr Scan::with_inner_graphs(const std::vector<FunctionGraphPtr>& graphs) const {
  return std::make_shared<Scan>(info_, graphs.at(0));
}

ApplyPtr Scan::make_node(const std::vector<Var>& inputs) const {
  const std::string who = str_cat("[scan ", info_.label(), "]");
  const int n_in = outer_non_seq_begin() + info_.n_non_seqs;
  if (static_cast<int>(inputs.size()) != n_in) type_error(who, " expected ", n_in, " inputs, got ", inputs.size());
  const FunctionGraph& g = *inner_;
  const Var& n = inputs[0];
  if (n.type()->kind() != TypeKind::Tensor || n.type()->ndim() != 0 || !is_int(*n.type()->dtype()))
    type_error(who, " n_steps must be an integer scalar, got ", n.type()->str());
  int slot = 0;
  for (int s = 0; s < info_.n_seqs(); ++s) {
    const Var& seq = inputs[outer_seq_begin() + s];
    if (seq.type()->kind() == TypeKind::Tensor && seq.type()->ndim() < 1)
      type_error(who, " sequence ", s, " must have at least one dimension to iterate over, got ", seq.type()->str());
    for (size_t k = 0; k < info_.seq_taps[s].size(); ++k, ++slot)
      if (!compatible(step_type(seq.type()), g.inputs()[slot].type()))
        type_error(who, " sequence ", s, " (", seq.type()->str(), ") does not match the inner input ",
                   g.inputs()[slot].type()->str());
  }
  std::vector<TypePtr> out_types;
  for (int s = 0; s < info_.n_states(); ++s) {
    const Var& init = inputs[outer_state_begin() + s];
    const TypePtr& out = g.outputs()[s].type();
    if (out->kind() != TypeKind::Tensor)
      type_error(who, " output ", s, " is fed back and must be a tensor, got ", out->str());
    TypePtr init_step = ScanInfo::is_sit_sot(info_.state_taps[s]) ? init.type() : step_type(init.type());
    if (init.type()->kind() != TypeKind::Tensor || !compatible(init_step, out))
      type_error(who, " the initial state (outputs_info) of output ", s, " has type ", init.type()->str(),
                 ", which does not match what fn returns (", out->str(), ")");
    out_types.push_back(trace_type(out));
  }
  for (int k = 0; k < info_.n_nit_sot; ++k) {
    const TypePtr& out = g.outputs()[nit_sot_begin() + k].type();
    if (out->kind() != TypeKind::Tensor)
      type_error(who, " output ", nit_sot_begin() + k, " must be a tensor (scan stacks one value per step), got ", out->str());
    out_types.push_back(trace_type(out));
  }
  for (int k = 0; k < info_.n_shared; ++k) {
    const Var& init = inputs[outer_shared_begin() + k];
    if (!compatible(init.type(), g.outputs()[shared_out_begin() + k].type()))
      type_error(who, " the update of ", init->str(), " has type ", g.outputs()[shared_out_begin() + k].type()->str(),
                 ", expected ", init.type()->str());
    out_types.push_back(init.type());
  }
  for (int k = 0; k < info_.n_non_seqs; ++k) {
    const Var& v = inputs[outer_non_seq_begin() + k];
    if (!compatible(v.type(), g.inputs()[inner_non_seq_begin() + k].type()))
      type_error(who, " non-sequence ", k, " (", v.type()->str(), ") does not match the inner input ",
                 g.inputs()[inner_non_seq_begin() + k].type()->str());
  }
  return Apply::create(ptr(), inputs, out_types);
}

std::vector<std::vector<bool>> Scan::connection_pattern(const Apply& node) const {
  // Every input reaches every output through the loop unless the inner graph says otherwise;
  // n_steps is connected to everything (it sets the trace lengths) but carries no gradient.
  return std::vector<std::vector<bool>>(node.nin(), std::vector<bool>(node.nout(), true));
}

std::optional<std::vector<ShapeVec>> Scan::infer_shape(const Apply& node, const std::vector<ShapeVec>& in) const {
  if (info_.as_while) return std::nullopt;  // the length is known only after running
  // A trace is (n_steps, step shape); the step shape is the initial's (states) or unknown.
  std::vector<ShapeVec> out;
  const Var& n = node.input(0);
  for (int s = 0; s < info_.n_states(); ++s) {
    const ShapeVec& init = in[outer_state_begin() + s];
    ShapeVec sh{n};
    if (ScanInfo::is_sit_sot(info_.state_taps[s])) sh.insert(sh.end(), init.begin(), init.end());
    else sh.insert(sh.end(), init.begin() + 1, init.end());
    out.push_back(sh);
  }
  for (int k = 0; k < info_.n_nit_sot; ++k) {
    ShapeVec sh{n};
    for (int d = 0; d < node.out(nit_sot_begin() + k)->type->ndim() - 1; ++d)
      sh.push_back(shape_i(node.output(nit_sot_begin() + k), d + 1));
    out.push_back(sh);
  }
  for (int k = 0; k < info_.n_shared; ++k) out.push_back(in[outer_shared_begin() + k]);
  return out;
}

// ---- execution ----

struct Scan::Runtime {
  std::unique_ptr<VM> vm;
  std::vector<int> in_slots, out_slots;
  std::vector<bool> carried_destroyed;  // per carried value: the inner graph overwrites it
  std::mutex mu;
  std::vector<std::unique_ptr<VM::Frame>> pool;
};

Scan::Runtime& Scan::runtime() const {
  std::call_once(once_, [&] {
    auto rt = std::make_shared<Runtime>();
    rt->vm = std::make_unique<VM>(*inner_, info_.allow_gc);
    for (const auto& v : inner_->inputs()) rt->in_slots.push_back(rt->vm->slot_of(v.get()));
    for (const auto& v : inner_->outputs()) rt->out_slots.push_back(rt->vm->slot_of(v.get()));
    rt->carried_destroyed.assign(info_.n_shared, false);
    for (Variable* d : destroyed_graph_inputs(*inner_))
      for (int k = 0; k < info_.n_shared; ++k)
        if (inner_->inputs()[inner_shared_begin() + k].get() == d) rt->carried_destroyed[k] = true;
    rt_ = std::move(rt);
  });
  return *rt_;
}

std::unique_ptr<VM::Frame> Scan::take_frame() const {
  Runtime& rt = runtime();
  {
    std::lock_guard<std::mutex> lock(rt.mu);
    if (!rt.pool.empty()) {
      auto f = std::move(rt.pool.back());
      rt.pool.pop_back();
      return f;
    }
  }
  return rt.vm->make_frame();
}

void Scan::give_frame(std::unique_ptr<VM::Frame> f) const {
  Runtime& rt = runtime();
  // Inputs and outputs of the last step are dropped so the pool holds no caller data.
  for (int s : rt.in_slots) f->slot(s) = std::monostate{};
  for (int s : rt.out_slots) f->slot(s) = std::monostate{};
  std::lock_guard<std::mutex> lock(rt.mu);
  rt.pool.push_back(std::move(f));
}

namespace {

/// Row `i` of a sequence: a view of a dense row, or a 1-row sparse matrix.
Value sequence_row(const Value& seq, int64_t i) {
  if (const auto* a = std::get_if<NDArray>(&seq)) return a->index(0, i);
  const std::vector<int64_t> rows{i};
  return sparse_kernels::select_rows_cols(std::get<SparseMatrix>(seq), &rows, nullptr);
}

int64_t rows_of(const Value& v) { return value_shape(v).at(0); }

}  // namespace

void Scan::perform(const Apply& node, const Value* const* in, Value* out) const {
  const std::string who = str_cat("[scan ", info_.label(), "]");
  const int64_t n_steps = as_array(*in[0], "n_steps").astype(DType::Int64).item<int64_t>();
  if (n_steps < 0) value_error(who, " n_steps must be >= 0, got ", n_steps);
  // Sequences, reversed when going backwards; each must cover its taps for n_steps steps.
  std::vector<Value> seqs(info_.n_seqs());
  for (int s = 0; s < info_.n_seqs(); ++s) {
    Value v = *in[outer_seq_begin() + s];
    const auto& taps = info_.seq_taps[s];
    const int64_t need = n_steps + max_tap0(taps) - min_tap0(taps);
    if (rows_of(v) < need)
      value_error(who, " sequence ", s, " has ", rows_of(v), " entries along its first axis, but ", n_steps,
                  " steps with taps [", taps.front(), "..", taps.back(), "] need ", need);
    if (info_.go_backwards) {
      if (auto* a = std::get_if<NDArray>(&v)) v = a->slice(0, a->shape(0) - 1, -1, -1);
      else {
        const auto& m = std::get<SparseMatrix>(v);
        std::vector<int64_t> rows(m.rows());
        for (int64_t i = 0; i < m.rows(); ++i) rows[i] = m.rows() - 1 - i;
        v = sparse_kernels::select_rows_cols(m, &rows, nullptr);
      }
    }
    seqs[s] = std::move(v);
  }
  // State buffers: K initial rows followed by one row per step; the trace is a view of the rows
  // after the initial ones.
  std::vector<NDArray> bufs(info_.n_states());
  std::vector<int> depth(info_.n_states());
  for (int s = 0; s < info_.n_states(); ++s) {
    const NDArray& init = as_array(*in[outer_state_begin() + s], "initial state");
    const auto& taps = info_.state_taps[s];
    const bool sit = ScanInfo::is_sit_sot(taps);
    depth[s] = ScanInfo::state_depth(taps);
    const DType dt = *inner_->outputs()[s].type()->dtype();
    if (!sit && (init.ndim() == 0 || init.shape(0) < depth[s]))
      value_error(who, " the initial state of output ", s, " must provide ", depth[s], " rows for taps down to ",
                  -depth[s], ", got shape ", shape_str(init.shape()));
    Shape step = sit ? init.shape() : Shape(init.shape().begin() + 1, init.shape().end());
    Shape shape{depth[s] + n_steps};
    shape.insert(shape.end(), step.begin(), step.end());
    bufs[s] = NDArray(dt, shape);
    if (sit) bufs[s].index(0, 0).assign(init.astype(dt));
    else bufs[s].slice(0, 0, depth[s], 1).assign(init.slice(0, 0, depth[s], 1).astype(dt));
  }
  Runtime& rt = runtime();
  // Carried values the inner graph updates in place start from a private copy.
  std::vector<Value> shared(info_.n_shared);
  for (int k = 0; k < info_.n_shared; ++k)
    shared[k] = rt.carried_destroyed[k] ? deep_copy(*in[outer_shared_begin() + k]) : *in[outer_shared_begin() + k];
  std::vector<NDArray> nit(info_.n_nit_sot);

  std::unique_ptr<VM::Frame> frame = take_frame();
  int64_t steps_done = n_steps;
  try {
    for (int k = 0; k < info_.n_non_seqs; ++k)
      frame->slot(rt.in_slots[inner_non_seq_begin() + k]) = *in[outer_non_seq_begin() + k];
    for (int64_t t = 0; t < n_steps; ++t) {
      int slot = 0;
      for (int s = 0; s < info_.n_seqs(); ++s) {
        const int off = -min_tap0(info_.seq_taps[s]);
        for (int tap : info_.seq_taps[s]) frame->slot(rt.in_slots[slot++]) = sequence_row(seqs[s], t + tap + off);
      }
      for (int s = 0; s < info_.n_states(); ++s)
        for (int tap : info_.state_taps[s]) frame->slot(rt.in_slots[slot++]) = bufs[s].index(0, depth[s] + t + tap);
      for (int k = 0; k < info_.n_shared; ++k) frame->slot(rt.in_slots[slot++]) = shared[k];
      rt.vm->run(*frame);
      for (int s = 0; s < info_.n_states(); ++s) {
        const NDArray& v = as_array(frame->slot(rt.out_slots[s]), "scan output");
        NDArray row = bufs[s].index(0, depth[s] + t);
        if (v.shape() != row.shape())
          value_error(who, " output ", s, " has shape ", shape_str(v.shape()), " at step ", t,
                      ", but its initial state (outputs_info) gives steps of shape ", shape_str(row.shape()));
        row.assign(v);
      }
      for (int k = 0; k < info_.n_nit_sot; ++k) {
        const NDArray& v = as_array(frame->slot(rt.out_slots[nit_sot_begin() + k]), "scan output");
        if (t == 0) {
          Shape shape{n_steps};
          shape.insert(shape.end(), v.shape().begin(), v.shape().end());
          nit[k] = NDArray(v.dtype(), shape);
        }
        NDArray row = nit[k].index(0, t);
        if (v.shape() != row.shape())
          value_error(who, " output ", nit_sot_begin() + k, " has shape ", shape_str(v.shape()), " at step ", t,
                      " but ", shape_str(row.shape()), " at step 0; scan stacks outputs of one shape");
        row.assign(v);
      }
      for (int k = 0; k < info_.n_shared; ++k) shared[k] = frame->slot(rt.out_slots[shared_out_begin() + k]);
      if (info_.as_while) {
        const NDArray& c = as_array(frame->slot(rt.out_slots.back()), "until condition");
        if (c.astype(DType::Float64).item<double>() != 0) {
          steps_done = t + 1;
          break;
        }
      }
    }
  } catch (...) {
    give_frame(std::move(frame));
    throw;
  }
  give_frame(std::move(frame));
  for (int s = 0; s < info_.n_states(); ++s) out[s] = bufs[s].slice(0, depth[s], depth[s] + steps_done, 1);
  for (int k = 0; k < info_.n_nit_sot; ++k) {
    if (!nit[k].defined()) {  // no step ran: (0, 0, ...) of the right rank
      const auto& tt = static_cast<const TensorType&>(*node.out(nit_sot_begin() + k)->type);
      nit[k] = NDArray(*tt.dtype(), Shape(tt.ndim(), 0));
    }
    out[nit_sot_begin() + k] = steps_done == n_steps ? nit[k] : nit[k].slice(0, 0, steps_done, 1);
  }
  for (int k = 0; k < info_.n_shared; ++k) out[shared_out_begin() + k] = std::move(shared[k]);
}

}  // namespace hypatia
