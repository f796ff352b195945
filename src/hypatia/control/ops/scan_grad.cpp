// Scan's derivatives: back-propagation through time (vjp) as a reversed scan, and R_op (jvp) as a forward one.
#include <algorithm>

#include "hypatia/control/ops/scan.h"
#include "hypatia/grad/grad.h"
#include "hypatia/tensor/api.h"
#include "hypatia/tensor/ops/creation.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/indexing.h"
#include "hypatia/tensor/ops/join.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

namespace {

int min_tap0(const std::vector<int>& taps) { return std::min(0, *std::min_element(taps.begin(), taps.end())); }

bool is_float_var(const Var& v) {
  auto d = v.type()->dtype();
  return d && is_inexact(*d) && (v.type()->kind() == TypeKind::Tensor || v.type()->kind() == TypeKind::Sparse);
}

Var i64(int64_t v) { return int64_constant(v); }
Var rows(const Var& x, const Var& a, const Var& b) { return subtensor(x, {IndexEntry::slice(a, b)}); }
Var reversed(const Var& x) { return subtensor(x, {IndexEntry::slice({}, {}, -1)}); }
Var fresh(const Var& v) { return make_variable(v.type(), v->name); }

/// The type of one step of a trace-shaped gradient (the first axis dropped).
TypePtr step_type_of(const Var& trace) {
  const auto& tt = static_cast<const TensorType&>(*trace.type());
  return TensorType::make(*tt.dtype(), std::vector<bool>(tt.broadcastable().begin() + 1, tt.broadcastable().end()));
}

/// Whether any of `exprs` is computed from `v`.
bool depends_on_var(const std::vector<Var>& exprs, const Var& v) {
  for (const Var& a : ancestors(exprs))
    if (a == v) return true;
  return false;
}

/// Dense zeros of a (sparse) variable's shape and dtype: the accumulator of a dense gradient.
Var dense_zeros_like(const Var& w) {
  std::vector<Var> shape;
  for (int d = 0; d < w.type()->ndim(); ++d) shape.push_back(shape_i(w, d));
  return zeros(shape, w.type()->dtype());
}

/// `init` in the dtype of the gradient `g` it accumulates (dense accumulators only).
Var cast_like_grad(const Var& init, const Var& g) {
  if (init.type()->kind() != TypeKind::Tensor || init.type()->dtype() == g.type()->dtype()) return init;
  return cast(init, *g.type()->dtype());
}

}  // namespace

// Back-propagation through time. For forward steps t = T-1 down to T-T' (T' = T, or
// truncate_gradient steps), a reversed scan recomputes the step from its recorded inputs
// (sequence slices, state taps read from [initial; trace], non-sequences) and takes the
// step's vjp. Gradients flowing into a state from later steps ride in a carried window of K
// rows (K = the state's deepest tap): row j holds what h[t-j] has received so far. Sequence
// gradients are per-step outputs placed back into the sequence's rows; non-sequence gradients
// are carried sums; initial states get the window left after step 0.
std::vector<Var> Scan::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  std::vector<Var> result(node.nin());
  result[0] = disconnected_var();
  if (info_.n_shared > 0) return carried_vjp(node, output_grads);
  if (node.nout() == 0) return result;
  const FunctionGraph& g = *inner_;
  const int n_states = info_.n_states(), n_nit = info_.n_nit_sot;
  // The steps run, and those the gradient goes back through.
  const Var T = shape_i(node.output(0), 0);
  const Var Tb = info_.truncate_gradient > 0 ? minimum(T, i64(info_.truncate_gradient)) : T;
  const Var skip = sub(T, Tb);  // forward steps the truncated gradient does not reach

  // Inner inputs of the backward step, with the outer sequences that feed them.
  std::vector<Var> b_seq_inner, b_seq_outer;
  std::vector<Var> fwd_seq_ph, fwd_state_ph, fwd_ns_ph;
  std::vector<Var> seq_fw(info_.n_seqs());
  int slot = 0;
  for (int s = 0; s < info_.n_seqs(); ++s) {
    const Var& S = node.input(outer_seq_begin() + s);
    seq_fw[s] = info_.go_backwards ? reversed(S) : S;
    const int off = -min_tap0(info_.seq_taps[s]);
    for (int tap : info_.seq_taps[s]) {
      Var p = fresh(g.inputs()[slot++]);
      fwd_seq_ph.push_back(p);
      b_seq_inner.push_back(p);
      b_seq_outer.push_back(reversed(rows(seq_fw[s], add(skip, i64(tap + off)), add(T, i64(tap + off)))));
    }
  }
  std::vector<Var> full(n_states);  // [initial rows; trace] per state
  std::vector<int> depth(n_states);
  for (int s = 0; s < n_states; ++s) {
    const auto& taps = info_.state_taps[s];
    depth[s] = ScanInfo::state_depth(taps);
    const Var& X = node.input(outer_state_begin() + s);
    Var init_rows = ScanInfo::is_sit_sot(taps) ? shape_padleft(X) : rows(X, i64(0), i64(depth[s]));
    full[s] = concatenate({cast(init_rows, *node.out(s)->type->dtype()), node.output(s)}, 0);
    for (int tap : taps) {
      Var p = fresh(g.inputs()[slot++]);
      fwd_state_ph.push_back(p);
      b_seq_inner.push_back(p);
      const int k = depth[s] + tap;
      b_seq_outer.push_back(reversed(rows(full[s], add(skip, i64(k)), add(T, i64(k)))));
    }
  }
  for (int j = 0; j < info_.n_non_seqs; ++j) fwd_ns_ph.push_back(fresh(g.inputs()[inner_non_seq_begin() + j]));

  // The step recomputed on the placeholders.
  VarMap repl;
  {
    size_t i = 0;
    for (const Var& p : fwd_seq_ph) repl[g.inputs()[i++].get()] = p;
    for (const Var& p : fwd_state_ph) repl[g.inputs()[i++].get()] = p;
    for (const Var& p : fwd_ns_ph) repl[g.inputs()[i++].get()] = p;
  }
  std::vector<Var> outs = clone_replace(std::vector<Var>(g.outputs().begin(), g.outputs().end()), repl);

  // Output gradients: one reversed sequence per float output with a connected gradient.
  GradOptions go;
  go.disconnected_inputs = OnDisconnected::Ignore;
  go.return_disconnected = ReturnDisconnected::Zero;
  go.null_gradients = OnNullGradient::Return;
  go.add_names = false;
  std::vector<Var> window_in(n_states), window_tot(n_states);
  for (int s = 0; s < n_states; ++s) {
    // The carried window and this step's total gradient of h[t]: dY[t] + what later steps sent.
    window_in[s] = make_variable(full[s].type(), "window");
    Var total = subtensor(window_in[s], 0);
    const Var& gy = output_grads[s];
    if (gy && !is_disconnected(gy) && !is_null(gy)) {
      Var p = make_variable(step_type_of(gy), "dy");
      b_seq_inner.push_back(p);
      b_seq_outer.push_back(reversed(rows(gy, skip, T)));
      total = add(total, p);
    }
    window_tot[s] = total;
    if (is_float_var(outs[s])) go.known_grads.emplace_back(outs[s], cast(total, *outs[s].type()->dtype()));
  }
  for (int k = 0; k < n_nit; ++k) {
    const Var& gz = output_grads[nit_sot_begin() + k];
    if (!gz || is_disconnected(gz) || is_null(gz) || !is_float_var(outs[nit_sot_begin() + k])) continue;
    Var p = make_variable(step_type_of(gz), "dz");
    b_seq_inner.push_back(p);
    b_seq_outer.push_back(reversed(rows(gz, skip, T)));
    go.known_grads.emplace_back(outs[nit_sot_begin() + k], cast(p, *outs[nit_sot_begin() + k].type()->dtype()));
  }
  std::vector<Var> wrt = fwd_seq_ph;
  wrt.insert(wrt.end(), fwd_state_ph.begin(), fwd_state_ph.end());
  wrt.insert(wrt.end(), fwd_ns_ph.begin(), fwd_ns_ph.end());
  std::vector<Var> gin = go.known_grads.empty() ? std::vector<Var>(wrt.size()) : grad(Var(), wrt, go);
  // Where the step's gradient reads the step's own outputs (tanh's does), it reads the forward
  // trace instead of recomputing them: the recomputation then keeps only what the outputs
  // do not give.
  {
    std::vector<Var> live;
    for (const Var& v : gin)
      if (v) live.push_back(v);
    VarMap from_trace;
    for (int o = 0; o < n_states + n_nit; ++o) {
      if (!is_float_var(outs[o]) || !outs[o]->owner || !depends_on_var(live, outs[o])) continue;
      Var p = make_variable(step_type_of(node.output(o)), "y");
      b_seq_inner.push_back(p);
      b_seq_outer.push_back(reversed(rows(node.output(o), skip, T)));
      from_trace[outs[o].get()] = p;
    }
    if (!from_trace.empty()) {
      std::vector<Var> replaced = clone_replace(live, from_trace);
      for (size_t i = 0, j = 0; i < gin.size(); ++i)
        if (gin[i]) gin[i] = replaced[j++];
    }
  }

  // Backward outputs: per-step sequence gradients (nit_sot), then carried windows and sums.
  std::vector<Var> b_nit;
  std::vector<std::pair<int, int>> b_nit_of;  // (sequence, tap index) per nit output
  slot = 0;
  for (int s = 0; s < info_.n_seqs(); ++s)
    for (size_t k = 0; k < info_.seq_taps[s].size(); ++k, ++slot)
      if (gin[slot] && !is_null(gin[slot]) && is_float_var(node.input(outer_seq_begin() + s)) &&
          gin[slot].type()->kind() == TypeKind::Tensor) {
        b_nit.push_back(gin[slot]);
        b_nit_of.emplace_back(s, static_cast<int>(k));
      }
  std::vector<Var> carried_inner, carried_next, carried_init;
  int state_slot = info_.n_seq_slices();
  for (int s = 0; s < n_states; ++s) {
    const auto& taps = info_.state_taps[s];
    const DType dt = *full[s].type()->dtype();
    std::vector<Var> next_rows;
    for (int j = 0; j < depth[s]; ++j) {
      Var r = j + 1 < depth[s] ? subtensor(window_in[s], j + 1) : zeros_like(subtensor(window_in[s], 0), std::nullopt);
      for (size_t k = 0; k < taps.size(); ++k) {
        const Var& gt = gin[state_slot + static_cast<int>(k)];
        if (taps[k] == -(j + 1) && gt && !is_null(gt)) r = add(r, gt);
      }
      next_rows.push_back(cast(r, dt));
    }
    state_slot += static_cast<int>(taps.size());
    carried_inner.push_back(window_in[s]);
    carried_next.push_back(patternbroadcast(stack(next_rows, 0),
                                            static_cast<const TensorType&>(*full[s].type()).broadcastable()));
    carried_init.push_back(zeros_like(rows(full[s], i64(0), i64(depth[s])), std::nullopt));
  }
  std::vector<int> ns_with_grad;
  const int ns_slot = info_.n_seq_slices() + info_.n_state_slices();
  for (int j = 0; j < info_.n_non_seqs; ++j) {
    const Var& gw = gin[ns_slot + j];
    const Var& W = node.input(outer_non_seq_begin() + j);
    if (!gw || is_null(gw) || !is_float_var(W)) continue;
    Var init = gw.type()->kind() == W.type()->kind() ? W.type()->zeros_like(W, true)
                                                      : dense_zeros_like(W);
    init = cast_like_grad(init, gw);
    Var acc = make_variable(init.type(), "acc");
    carried_inner.push_back(acc);
    carried_next.push_back(acc.type()->add_grad(acc, gw));
    carried_init.push_back(init);
    ns_with_grad.push_back(j);
  }

  // The backward scan.
  ScanInfo bi;
  bi.seq_taps.assign(b_seq_inner.size(), {0});
  bi.n_nit_sot = static_cast<int>(b_nit.size());
  bi.n_shared = static_cast<int>(carried_inner.size());
  bi.n_non_seqs = info_.n_non_seqs;
  bi.name = str_cat("grad_of_", info_.label());
  bi.allow_gc = info_.allow_gc;
  std::vector<Var> b_in = b_seq_inner;
  b_in.insert(b_in.end(), carried_inner.begin(), carried_inner.end());
  b_in.insert(b_in.end(), fwd_ns_ph.begin(), fwd_ns_ph.end());
  std::vector<Var> b_out = b_nit;
  b_out.insert(b_out.end(), carried_next.begin(), carried_next.end());
  std::vector<Var> b_outer{Tb};
  b_outer.insert(b_outer.end(), b_seq_outer.begin(), b_seq_outer.end());
  b_outer.insert(b_outer.end(), carried_init.begin(), carried_init.end());
  for (int j = 0; j < info_.n_non_seqs; ++j) b_outer.push_back(node.input(outer_non_seq_begin() + j));
  std::vector<Var> bo = make_scan(bi, b_in, b_out, b_outer);

  // Sequence gradients: each tap's per-step gradients placed back where the forward read them.
  for (int s = 0; s < info_.n_seqs(); ++s) {
    const Var& S = node.input(outer_seq_begin() + s);
    Var gs;
    const int off = -min_tap0(info_.seq_taps[s]);
    for (size_t k = 0; k < b_nit.size(); ++k) {
      if (b_nit_of[k].first != s) continue;
      const int tap = info_.seq_taps[s][b_nit_of[k].second];
      if (!gs) gs = zeros_like(seq_fw[s], std::nullopt);
      gs = inc_subtensor(rows(gs, add(skip, i64(tap + off)), add(T, i64(tap + off))), reversed(bo[k]));
    }
    if (gs) result[outer_seq_begin() + s] = info_.go_backwards ? reversed(gs) : gs;
    else result[outer_seq_begin() + s] = is_float_var(S) ? S.type()->zeros_like(S, true) : disconnected_var();
  }
  // Initial states: the window after step 0 (zero when truncation stopped short of it).
  for (int s = 0; s < n_states; ++s) {
    const Var& X = node.input(outer_state_begin() + s);
    Var w = bo[b_nit.size() + s];
    Var gx = ScanInfo::is_sit_sot(info_.state_taps[s])
                 ? subtensor(w, 0)
                 : inc_subtensor(rows(zeros_like(X, std::nullopt), i64(0), i64(depth[s])), reversed(w));
    if (info_.truncate_gradient > 0) gx = switch_(le(T, i64(info_.truncate_gradient)), gx, zeros_like(gx, std::nullopt));
    result[outer_state_begin() + s] = is_float_var(X) ? cast(gx, *X.type()->dtype()) : disconnected_var();
  }
  for (int j = 0; j < info_.n_non_seqs; ++j) {
    const Var& W = node.input(outer_non_seq_begin() + j);
    auto it = std::find(ns_with_grad.begin(), ns_with_grad.end(), j);
    if (it != ns_with_grad.end()) result[outer_non_seq_begin() + j] = bo[b_nit.size() + n_states + (it - ns_with_grad.begin())];
    else if (is_null(gin[ns_slot + j])) result[outer_non_seq_begin() + j] = gin[ns_slot + j];
    else result[outer_non_seq_begin() + j] = is_float_var(W) ? W.type()->zeros_like(W, true) : disconnected_var();
  }
  return result;
}

// Forward mode: one scan computing the loop and, beside each float sequence, state and
// non-sequence, its tangent (the given eval point, else zeros); the inner tangents come from
// Rop of the step.
// A scan with carried values (final value only) is differentiated through an equivalent scan
// that keeps their traces: the carried values become sit_sot states (their inner inputs and
// initials are already where states' would be; their inner outputs move before the nit_sots),
// and the final value's gradient lands on the last row of the trace. Carried values of other
// than dense float type (a generator state) have no gradient.
std::vector<Var> Scan::carried_vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  std::vector<Var> result(node.nin());
  result[0] = disconnected_var();
  const FunctionGraph& g = *inner_;
  for (int k = 0; k < info_.n_shared; ++k)
    if (g.outputs()[shared_out_begin() + k].type()->kind() != TypeKind::Tensor) {
      for (int i = 1; i < node.nin(); ++i)
        result[i] = grad_not_implemented(*this, i, "the gradient through a scan that updates shared variables of "
                                                   "non-tensor type (random streams in the loop) is not implemented");
      return result;
    }
  ScanInfo ti = info_;
  for (int k = 0; k < info_.n_shared; ++k) ti.state_taps.push_back({-1});
  ti.n_shared = 0;
  std::vector<Var> outs;
  for (int s = 0; s < info_.n_states(); ++s) outs.push_back(g.outputs()[s]);
  for (int k = 0; k < info_.n_shared; ++k) outs.push_back(g.outputs()[shared_out_begin() + k]);
  for (int k = 0; k < info_.n_nit_sot; ++k) outs.push_back(g.outputs()[nit_sot_begin() + k]);
  if (info_.as_while) outs.push_back(g.outputs().back());
  std::vector<Var> traced = make_scan(ti, std::vector<Var>(g.inputs().begin(), g.inputs().end()), outs, node.inputs());
  const Apply& tnode = *traced[0]->owner;
  std::vector<Var> tgrads(tnode.nout());
  for (int s = 0; s < info_.n_states(); ++s) tgrads[s] = output_grads[s];
  for (int k = 0; k < info_.n_shared; ++k) {
    const Var& gf = output_grads[shared_out_begin() + k];
    if (!gf || is_disconnected(gf) || is_null(gf)) continue;
    const Var& trace = traced[info_.n_states() + k];
    tgrads[info_.n_states() + k] = inc_subtensor(subtensor(zeros_like(trace, std::nullopt), -1), gf);
  }
  for (int k = 0; k < info_.n_nit_sot; ++k) tgrads[info_.n_states() + info_.n_shared + k] = output_grads[nit_sot_begin() + k];
  for (Var& tg : tgrads)
    if (!tg) tg = disconnected_var();
  return static_cast<const Scan&>(*tnode.op()).vjp(tnode, tgrads);
}

std::vector<Var> Scan::jvp(const Apply& node, const std::vector<Var>& eval_points) const {
  if (info_.n_shared > 0)
    raise(ErrorKind::NotImplemented, "[scan] R_op through a scan that updates shared variables is not implemented");
  const FunctionGraph& g = *inner_;
  auto tangent_of = [&](int i) {
    const Var& x = node.input(i);
    const Var& e = eval_points[i];
    if (e && !is_null(e) && !is_disconnected(e)) return e;
    return x.type()->zeros_like(x, false);
  };
  // Groups, each original then tangent: sequences, states, non-sequences.
  std::vector<int> f_seqs, f_states, f_ns;
  for (int s = 0; s < info_.n_seqs(); ++s)
    if (is_float_var(node.input(outer_seq_begin() + s))) f_seqs.push_back(s);
  for (int s = 0; s < info_.n_states(); ++s)
    if (is_float_var(node.input(outer_state_begin() + s))) f_states.push_back(s);
  for (int j = 0; j < info_.n_non_seqs; ++j)
    if (is_float_var(node.input(outer_non_seq_begin() + j))) f_ns.push_back(j);
  ScanInfo ji = info_;
  std::vector<Var> in_seq, in_state, in_ns, wrt, ev, outer{node.input(0)};
  std::vector<int> seq_first(info_.n_seqs()), state_first(info_.n_states());
  VarMap repl;
  int slot = 0;
  for (int s = 0; s < info_.n_seqs(); ++s) {
    seq_first[s] = slot;
    for (size_t k = 0; k < info_.seq_taps[s].size(); ++k) {
      Var p = fresh(g.inputs()[slot++]);
      repl[g.inputs()[slot - 1].get()] = p;
      in_seq.push_back(p);
    }
    outer.push_back(node.input(outer_seq_begin() + s));
  }
  for (int s : f_seqs) {
    ji.seq_taps.push_back(info_.seq_taps[s]);
    for (size_t k = 0; k < info_.seq_taps[s].size(); ++k) {
      Var p = fresh(in_seq[seq_first[s] + k]);
      wrt.push_back(in_seq[seq_first[s] + k]);
      ev.push_back(p);
      in_seq.push_back(p);
    }
    outer.push_back(tangent_of(outer_seq_begin() + s));
  }
  const int state0 = slot;
  for (int s = 0; s < info_.n_states(); ++s) {
    state_first[s] = slot - state0;
    for (size_t k = 0; k < info_.state_taps[s].size(); ++k) {
      Var p = fresh(g.inputs()[slot++]);
      repl[g.inputs()[slot - 1].get()] = p;
      in_state.push_back(p);
    }
    outer.push_back(node.input(outer_state_begin() + s));
  }
  for (int s : f_states) {
    ji.state_taps.push_back(info_.state_taps[s]);
    for (size_t k = 0; k < info_.state_taps[s].size(); ++k) {
      Var p = fresh(in_state[state_first[s] + k]);
      wrt.push_back(in_state[state_first[s] + k]);
      ev.push_back(p);
      in_state.push_back(p);
    }
    outer.push_back(tangent_of(outer_state_begin() + s));
  }
  for (int j = 0; j < info_.n_non_seqs; ++j) {
    Var p = fresh(g.inputs()[slot++]);
    repl[g.inputs()[slot - 1].get()] = p;
    in_ns.push_back(p);
    outer.push_back(node.input(outer_non_seq_begin() + j));
  }
  for (int j : f_ns) {
    Var p = fresh(in_ns[j]);
    wrt.push_back(in_ns[j]);
    ev.push_back(p);
    in_ns.push_back(p);
    outer.push_back(tangent_of(outer_non_seq_begin() + j));
  }
  ji.n_non_seqs = static_cast<int>(in_ns.size());
  std::vector<Var> outs = clone_replace(std::vector<Var>(g.outputs().begin(), g.outputs().end()), repl);
  // Tangents of the fed-back float states (their taps are inputs) and of float nit_sots.
  std::vector<Var> targets;
  for (int s : f_states) targets.push_back(outs[s]);
  std::vector<int> f_nit;
  for (int k = 0; k < info_.n_nit_sot; ++k)
    if (is_float_var(outs[nit_sot_begin() + k])) {
      f_nit.push_back(k);
      targets.push_back(outs[nit_sot_begin() + k]);
    }
  RopOptions ro;
  ro.disconnected_outputs = OnDisconnected::Ignore;
  ro.return_disconnected = ReturnDisconnected::Zero;
  std::vector<Var> tan = targets.empty() || wrt.empty() ? std::vector<Var>() : Rop(targets, wrt, ev, ro);
  if (tan.size() != targets.size())  // nothing to differentiate with respect to: zero tangents
    for (const Var& t : targets) tan.push_back(zeros_like(t, std::nullopt));
  ji.n_nit_sot = info_.n_nit_sot + static_cast<int>(f_nit.size());
  std::vector<Var> j_out;
  for (int s = 0; s < info_.n_states(); ++s) j_out.push_back(outs[s]);
  for (size_t i = 0; i < f_states.size(); ++i) j_out.push_back(cast(tan[i], *outs[f_states[i]].type()->dtype()));
  for (int k = 0; k < info_.n_nit_sot; ++k) j_out.push_back(outs[nit_sot_begin() + k]);
  for (size_t i = 0; i < f_nit.size(); ++i) j_out.push_back(tan[f_states.size() + i]);
  if (info_.as_while) j_out.push_back(outs.back());
  std::vector<Var> j_in = in_seq;
  j_in.insert(j_in.end(), in_state.begin(), in_state.end());
  j_in.insert(j_in.end(), in_ns.begin(), in_ns.end());
  ji.name = str_cat("rop_of_", info_.label());
  std::vector<Var> jo = make_scan(ji, j_in, j_out, outer);
  std::vector<Var> result(node.nout());
  const int n_states_j = static_cast<int>(ji.state_taps.size());
  for (size_t i = 0; i < f_states.size(); ++i) result[f_states[i]] = jo[info_.n_states() + i];
  for (size_t i = 0; i < f_nit.size(); ++i) result[nit_sot_begin() + f_nit[i]] = jo[n_states_j + info_.n_nit_sot + i];
  return result;
}

}  // namespace hypatia
