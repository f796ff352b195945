// theano.scan and its relatives: from a step function to a Scan node (placeholders, taps, implicit inputs, updates).
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "hypatia/control/ops/scan.h"
#include "hypatia/tensor/api.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/indexing.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

namespace {

TypePtr drop_first_axis(const TypePtr& t) {
  if (t->kind() == TypeKind::Sparse) return t;
  const auto& tt = static_cast<const TensorType&>(*t);
  return TensorType::make(*tt.dtype(), std::vector<bool>(tt.broadcastable().begin() + 1, tt.broadcastable().end()));
}

std::string tap_name(const Var& v, int tap) {
  if (v->name.empty()) return "";
  return tap == 0 ? str_cat(v->name, "[t]") : str_cat(v->name, tap > 0 ? "[t+" : "[t", tap, "]");
}

}  // namespace

std::vector<Var> make_scan(const ScanInfo& info, const std::vector<Var>& inner_inputs,
                           const std::vector<Var>& inner_outputs, const std::vector<Var>& outer_inputs) {
  const std::string who = str_cat("[scan ", info.label(), "]");
  const size_t n_in = info.n_seq_slices() + info.n_state_slices() + info.n_shared + info.n_non_seqs;
  const size_t n_out = info.n_states() + info.n_nit_sot + info.n_shared + (info.as_while ? 1 : 0);
  if (inner_inputs.size() != n_in) type_error(who, " the inner graph has ", inner_inputs.size(), " inputs, expected ", n_in);
  if (inner_outputs.size() != n_out) type_error(who, " the inner graph has ", inner_outputs.size(), " outputs, expected ", n_out);
  auto fg = std::make_shared<FunctionGraph>(inner_inputs, inner_outputs, true);
  // A carried value's next value replaces it after each step, as a function's update replaces
  // a shared variable: the in-place phase may then overwrite the old one (Scan::perform hands
  // the inner graph a private copy of the initial value).
  std::map<int, int> carried;
  const int out0 = info.n_states() + info.n_nit_sot, in0 = info.n_seq_slices() + info.n_state_slices();
  for (int k = 0; k < info.n_shared; ++k) carried[out0 + k] = in0 + k;
  fg->set_update_mapping(std::move(carried));
  auto op = std::make_shared<Scan>(info, std::move(fg));
  return apply_op(*op, outer_inputs);
}

ScanResult scan(const ScanFn& fn, const std::vector<ScanSequence>& sequences,
                const std::vector<ScanOutputInfo>& outputs_info, const std::vector<Var>& non_sequences,
                const ScanOptions& opts) {
  const std::string who = str_cat("[scan ", opts.name.empty() ? "scan_fn" : opts.name, "]");
  ScanInfo info;
  info.truncate_gradient = opts.truncate_gradient;
  info.go_backwards = opts.go_backwards;
  info.name = opts.name;
  info.allow_gc = opts.allow_gc.value_or(true);
  if (opts.truncate_gradient == 0 || opts.truncate_gradient < -1)
    value_error(who, " truncate_gradient must be -1 (full back-propagation) or a positive number of steps, got ", opts.truncate_gradient);

  // 1. Placeholders for the taps of sequences and fed-back outputs; non-sequences go to fn as
  // they are (Theano: fn may differentiate with respect to them).
  std::vector<Var> args, seq_slices, state_slices;
  for (size_t s = 0; s < sequences.size(); ++s) {
    const ScanSequence& seq = sequences[s];
    if (!seq.input) type_error(who, " sequence ", s, " is None");
    if (seq.input.type()->kind() == TypeKind::Tensor && seq.input.type()->ndim() < 1)
      type_error(who, " sequence ", s, " (", seq.input->str(), ") is a scalar; a sequence needs an axis to iterate over");
    if (seq.taps.empty()) value_error(who, " sequence ", s, " has no taps");
    if (std::set<int>(seq.taps.begin(), seq.taps.end()).size() != seq.taps.size())
      value_error(who, " sequence ", s, " repeats a tap");
    for (int tap : seq.taps) {
      Var p = make_variable(drop_first_axis(seq.input.type()), tap_name(seq.input, tap));
      seq_slices.push_back(p);
      args.push_back(p);
    }
    info.seq_taps.push_back(seq.taps);
  }
  std::vector<int> state_of_info;  // per outputs_info entry: its state index, or -1 (nit_sot)
  std::vector<Var> inits;
  for (size_t o = 0; o < outputs_info.size(); ++o) {
    const ScanOutputInfo& oi = outputs_info[o];
    if (!oi.initial) {
      if (!oi.taps.empty()) value_error(who, " outputs_info[", o, "] has taps but no initial state");
      state_of_info.push_back(-1);
      continue;
    }
    std::vector<int> taps = oi.taps.empty() ? std::vector<int>{-1} : oi.taps;
    for (int tap : taps)
      if (tap >= 0) value_error(who, " outputs_info[", o, "] has the tap ", tap, "; taps of outputs must be negative");
    if (std::set<int>(taps.begin(), taps.end()).size() != taps.size()) value_error(who, " outputs_info[", o, "] repeats a tap");
    const bool sit = ScanInfo::is_sit_sot(taps);
    Var init = oi.initial;
    if (init.type()->kind() != TypeKind::Tensor)
      type_error(who, " outputs_info[", o, "] must be a tensor (the initial state), got ", init.type()->str());
    if (!sit && init.type()->ndim() < 1)
      type_error(who, " outputs_info[", o, "] uses taps down to ", *std::min_element(taps.begin(), taps.end()),
                 ", so its initial state needs a leading axis covering them, got ", init.type()->str());
    TypePtr step = sit ? init.type() : drop_first_axis(init.type());
    for (int tap : taps) {
      Var p = make_variable(step, tap_name(init, tap));
      state_slices.push_back(p);
      args.push_back(p);
    }
    state_of_info.push_back(static_cast<int>(info.state_taps.size()));
    info.state_taps.push_back(taps);
    inits.push_back(init);
  }
  for (const Var& v : non_sequences) {
    if (!v) type_error(who, " a non-sequence is None");
    args.push_back(v);
  }

  // 2. One step.
  ScanStep step = fn(args);
  std::vector<Var> outs = step.outputs;
  if (opts.outputs_info_given && outs.size() != outputs_info.size())
    value_error(who, " fn returned ", outs.size(), " outputs, but outputs_info has ", outputs_info.size(),
                " entries; give one entry per output (None for an output that is not fed back)");
  if (!opts.outputs_info_given) state_of_info.assign(outs.size(), -1);
  for (size_t o = 0; o < outs.size(); ++o) {
    if (!outs[o]) type_error(who, " fn returned None as output ", o);
    const int s = state_of_info[o];
    if (s < 0) continue;
    const Var& init = inits[s];
    const bool sit = ScanInfo::is_sit_sot(info.state_taps[s]);
    const int want_nd = init.type()->ndim() - (sit ? 0 : 1);
    if (outs[o].type()->kind() != TypeKind::Tensor)
      type_error(who, " output ", o, " of fn is ", outs[o].type()->str(), ", but its initial state is a tensor");
    if (outs[o].type()->ndim() != want_nd)
      type_error(who, " the initial state (outputs_info) of output ", o, " has ", init.type()->ndim(),
                 " dimension(s), while fn returns ", outs[o].type()->ndim(), " dimension(s) for it (",
                 sit ? "it should be the same" : "it should be one less than the initial state", ")");
    if (outs[o].type()->dtype() != init.type()->dtype())
      type_error(who, " the initial state (outputs_info) of output ", o, " has dtype ", dtype_name(*init.type()->dtype()),
                 ", while fn returns dtype ", dtype_name(*outs[o].type()->dtype()),
                 " for it. This can happen if fn upcasts or downcasts; cast the initial state or the result");
  }
  if (step.until && (step.until.type()->kind() != TypeKind::Tensor || step.until.type()->ndim() != 0))
    type_error(who, " the until condition must be a scalar, got ", step.until.type()->str());
  info.as_while = static_cast<bool>(step.until);

  // 3. Shared variables the step updates: explicit updates, then the default updates of
  // shared variables it reads (random streams), repeated until no new one appears.
  std::vector<std::pair<Var, Var>> updates;
  std::unordered_set<Variable*> updated;
  for (const auto& [s, e] : step.updates) {
    if (!s || !s->is_shared()) type_error(who, " fn returned an update for ", s ? s->str() : "None", ", which is not a shared variable");
    if (!same_type(s.type(), e.type()))
      type_error(who, " the update of ", s->str(), " has type ", e.type()->str(), ", expected ", s.type()->str());
    if (!updated.insert(s.get()).second) value_error(who, " fn returned two updates for ", s->str());
    updates.emplace_back(s, e);
  }
  auto roots_of_step = [&] {
    std::vector<Var> all = outs;
    for (const auto& u : updates) all.push_back(u.second);
    if (step.until) all.push_back(step.until);
    return graph_inputs(all);
  };
  for (bool added = true; added;) {
    added = false;
    for (const Var& v : roots_of_step()) {
      if (!v->is_shared() || updated.count(v.get())) continue;
      Var upd = get_default_update(v);
      if (!upd || !same_type(v.type(), upd.type())) continue;
      updated.insert(v.get());
      updates.emplace_back(v, upd);
      added = true;
    }
  }

  // 4. Inner inputs: slices, shared states, explicit then implicit non-sequences.
  VarMap repl;
  std::vector<Var> shared_inner, shared_outer;
  for (const auto& [s, e] : updates) {
    Var p = make_variable(s.type(), s->name);
    repl[s.get()] = p;
    shared_inner.push_back(p);
    shared_outer.push_back(s);
  }
  std::vector<Var> ns_inner, ns_outer;
  std::unordered_set<Variable*> placeholders;
  for (const Var& v : seq_slices) placeholders.insert(v.get());
  for (const Var& v : state_slices) placeholders.insert(v.get());
  for (const Var& v : non_sequences) {
    Var p = make_variable(v.type(), v->name);
    if (!repl.count(v.get())) repl[v.get()] = p;
    ns_inner.push_back(p);
    ns_outer.push_back(v);
  }
  for (const Var& v : roots_of_step()) {
    if (v->is_constant() || placeholders.count(v.get()) || repl.count(v.get())) continue;
    if (v->is_shared() && opts.strict)
      raise(ErrorKind::MissingInput, who, " fn uses the shared variable ", v->str(),
            " without it being passed in non_sequences (strict=True needs every shared variable fn reads there)");
    Var p = make_variable(v.type(), v->name);
    repl[v.get()] = p;
    ns_inner.push_back(p);
    ns_outer.push_back(v);
  }
  info.n_shared = static_cast<int>(shared_inner.size());
  info.n_non_seqs = static_cast<int>(ns_inner.size());

  // 5. Inner outputs in ScanInfo's order: states, nit_sots, shared, until.
  std::vector<Var> exprs;
  std::vector<int> state_out(info.n_states()), nit_out;
  for (size_t o = 0; o < outs.size(); ++o)
    if (state_of_info[o] >= 0) state_out[state_of_info[o]] = static_cast<int>(o);
  for (size_t o = 0; o < outs.size(); ++o)
    if (state_of_info[o] < 0) nit_out.push_back(static_cast<int>(o));
  info.n_nit_sot = static_cast<int>(nit_out.size());
  for (int o : state_out) exprs.push_back(outs[o]);
  for (int o : nit_out) exprs.push_back(outs[o]);
  for (const auto& u : updates) exprs.push_back(u.second);
  if (step.until) exprs.push_back(step.until);
  exprs = clone_replace(exprs, repl);

  std::vector<Var> inner_inputs = seq_slices;
  inner_inputs.insert(inner_inputs.end(), state_slices.begin(), state_slices.end());
  inner_inputs.insert(inner_inputs.end(), shared_inner.begin(), shared_inner.end());
  inner_inputs.insert(inner_inputs.end(), ns_inner.begin(), ns_inner.end());

  // 6. The number of steps: given, or the shortest sequence (less the span of its taps).
  Var n_steps;
  if (opts.n_steps) {
    n_steps = as_tensor_variable(opts.n_steps);
    if (n_steps.type()->ndim() != 0 || !is_int(*n_steps.type()->dtype()))
      type_error(who, " n_steps must be an integer scalar, got ", n_steps.type()->str());
    n_steps = cast(n_steps, DType::Int64);
  } else {
    if (sequences.empty())
      value_error(who, " cannot tell the number of steps: give n_steps or at least one sequence");
    for (size_t s = 0; s < sequences.size(); ++s) {
      const auto& taps = sequences[s].taps;
      const int span = std::max(0, *std::max_element(taps.begin(), taps.end())) -
                       std::min(0, *std::min_element(taps.begin(), taps.end()));
      Var len = shape_i(sequences[s].input, 0);
      if (span) len = sub(len, int64_constant(span));
      n_steps = n_steps ? minimum(n_steps, len) : len;
    }
    n_steps = maximum(n_steps, int64_constant(0));
  }
  std::vector<Var> outer{n_steps};
  for (const auto& seq : sequences) outer.push_back(seq.input);
  outer.insert(outer.end(), inits.begin(), inits.end());
  outer.insert(outer.end(), shared_outer.begin(), shared_outer.end());
  outer.insert(outer.end(), ns_outer.begin(), ns_outer.end());
  std::vector<Var> node_outs = make_scan(info, inner_inputs, exprs, outer);

  ScanResult result;
  result.outputs.resize(outs.size());
  for (int s = 0; s < info.n_states(); ++s) result.outputs[state_out[s]] = node_outs[s];
  for (int k = 0; k < info.n_nit_sot; ++k) result.outputs[nit_out[k]] = node_outs[info.n_states() + k];
  for (int k = 0; k < info.n_shared; ++k)
    result.updates.emplace_back(shared_outer[k], node_outs[info.n_states() + info.n_nit_sot + k]);
  return result;
}

ScanResult map(const ScanFn& fn, const std::vector<ScanSequence>& sequences, const std::vector<Var>& non_sequences,
               bool go_backwards, const std::string& name) {
  ScanOptions o;
  o.go_backwards = go_backwards;
  o.name = name;
  o.outputs_info_given = false;
  return scan(fn, sequences, {}, non_sequences, o);
}

ScanResult reduce(const ScanFn& fn, const std::vector<ScanSequence>& sequences,
                  const std::vector<ScanOutputInfo>& outputs_info, const std::vector<Var>& non_sequences,
                  bool go_backwards, const std::string& name) {
  ScanOptions o;
  o.go_backwards = go_backwards;
  o.name = name;
  ScanResult r = scan(fn, sequences, outputs_info, non_sequences, o);
  for (Var& v : r.outputs) v = subtensor(v, -1);
  return r;
}

ScanResult foldl(const ScanFn& fn, const std::vector<ScanSequence>& sequences,
                 const std::vector<ScanOutputInfo>& outputs_info, const std::vector<Var>& non_sequences,
                 const std::string& name) {
  return reduce(fn, sequences, outputs_info, non_sequences, false, name);
}

ScanResult foldr(const ScanFn& fn, const std::vector<ScanSequence>& sequences,
                 const std::vector<ScanOutputInfo>& outputs_info, const std::vector<Var>& non_sequences,
                 const std::string& name) {
  return reduce(fn, sequences, outputs_info, non_sequences, true, name);
}

}  // namespace hypatia
