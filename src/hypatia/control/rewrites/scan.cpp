// Scan's rewrites: remove unused outputs/inputs, push loop-invariant code out, merge loops and their outputs, save memory.
#include "hypatia/control/rewrites/scan.h"

#include <algorithm>
#include <typeindex>
#include <unordered_set>

#include "hypatia/control/rewrites/scan_parts.h"
#include "hypatia/tensor/api.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/indexing.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/ops/subtensor.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

namespace {

using namespace scan_rewrites;
using Result = std::optional<std::vector<Var>>;
using VarSet = std::unordered_set<Variable*>;

/// The loop's non-sequences as the first loop invariants, and each one's outer variable.
std::pair<VarSet, VarMap> non_seq_invariants(const ScanParts& p) {
  std::pair<VarSet, VarMap> r;
  for (const auto& n : p.non_seqs) {
    r.first.insert(n.inner.get());
    r.second[n.inner.get()] = n.outer;
  }
  return r;
}

const std::vector<std::string> kTags{"fast_run", "scan"};

Tracks scan_tracks() { return Tracks{{}, {std::type_index(typeid(Scan))}}; }

VarSet ancestor_set(const std::vector<Var>& roots) {
  VarSet s;
  for (const Var& v : ancestors(roots)) s.insert(v.get());
  return s;
}

bool any_in(const std::vector<Var>& vs, const VarSet& s) {
  return std::any_of(vs.begin(), vs.end(), [&](const Var& v) { return s.count(v.get()) > 0; });
}

/// The node rewriter's answer from build_scan's (old, new) pairs: one entry per output of
/// `node`, null where the output went away (it had no client).
Result per_output(const Apply* node, const std::vector<std::pair<Var, Var>>& pairs) {
  std::vector<Var> out(node->nout());
  for (const auto& [old, neu] : pairs)
    if (old.owner() == node) out[old->index] = neu;
  return out;
}

// ---- local_scan_remove_unused ----

Result local_scan_remove_unused(FunctionGraph& fg, Apply* node) {
  if (!scan_op(node)) return std::nullopt;
  ScanParts p = scan_parts(*node);
  bool changed = false;
  auto used = [&](const Var& old) { return !fg.clients(old.get()).empty(); };

  // Outputs: an entry is needed when its outer output has a client, or when a needed inner
  // output (or the until condition) reads one of its inner inputs. Its own next value
  // reading itself does not count.
  std::vector<char> st(p.states.size()), nit(p.nit_sots.size()), car(p.carried.size());
  for (size_t i = 0; i < p.states.size(); ++i) st[i] = used(p.states[i].old);
  for (size_t i = 0; i < p.nit_sots.size(); ++i) nit[i] = used(p.nit_sots[i].old);
  for (size_t i = 0; i < p.carried.size(); ++i) car[i] = used(p.carried[i].old);
  for (bool grew = true; grew;) {
    grew = false;
    std::vector<Var> roots;
    if (p.until) roots.push_back(p.until);
    for (size_t i = 0; i < p.states.size(); ++i)
      if (st[i]) roots.push_back(p.states[i].next);
    for (size_t i = 0; i < p.nit_sots.size(); ++i)
      if (nit[i]) roots.push_back(p.nit_sots[i].value);
    for (size_t i = 0; i < p.carried.size(); ++i)
      if (car[i]) roots.push_back(p.carried[i].next);
    const VarSet reads = ancestor_set(roots);
    for (size_t i = 0; i < p.states.size(); ++i)
      if (!st[i] && any_in(p.states[i].inner, reads)) st[i] = grew = true;
    for (size_t i = 0; i < p.carried.size(); ++i)
      if (!car[i] && reads.count(p.carried[i].inner.get())) car[i] = grew = true;
  }
  auto keep = [&](auto& vec, const std::vector<char>& flags) {
    size_t j = 0;
    for (size_t i = 0; i < vec.size(); ++i)
      if (flags[i]) {
        if (i != j) vec[j] = std::move(vec[i]);
        ++j;
      }
    changed |= j != vec.size();
    vec.resize(j);
  };
  keep(p.states, st);
  keep(p.nit_sots, nit);
  keep(p.carried, car);

  // Inputs: sequences and non-sequences the remaining inner outputs do not read, repeated
  // outer inputs (the later one reads the earlier one's inner input), constant non-sequences
  // (inlined into the inner graph, where constant folding can use them).
  const VarSet reads = ancestor_set(p.inner_outputs());
  VarMap repl;
  std::vector<ScanParts::Seq> seqs;
  for (auto& s : p.seqs) {
    if (!any_in(s.inner, reads)) {
      changed = true;
      continue;
    }
    auto same = std::find_if(seqs.begin(), seqs.end(), [&](const auto& k) { return k.outer == s.outer && k.taps == s.taps; });
    if (same != seqs.end() && std::equal(s.inner.begin(), s.inner.end(), same->inner.begin(),
                                         [](const Var& a, const Var& b) { return same_type(a.type(), b.type()); })) {
      for (size_t k = 0; k < s.inner.size(); ++k) repl[s.inner[k].get()] = same->inner[k];
      changed = true;
      continue;
    }
    seqs.push_back(std::move(s));
  }
  p.seqs = std::move(seqs);
  std::vector<ScanParts::NonSeq> non_seqs;
  for (auto& n : p.non_seqs) {
    if (!reads.count(n.inner.get())) {
      changed = true;
      continue;
    }
    if (n.outer->is_constant() && same_type(n.outer.type(), n.inner.type())) {
      repl[n.inner.get()] = n.outer;
      changed = true;
      continue;
    }
    auto same = std::find_if(non_seqs.begin(), non_seqs.end(), [&](const auto& k) { return k.outer == n.outer; });
    if (same != non_seqs.end() && same_type(same->inner.type(), n.inner.type())) {
      repl[n.inner.get()] = same->inner;
      changed = true;
      continue;
    }
    non_seqs.push_back(std::move(n));
  }
  p.non_seqs = std::move(non_seqs);
  if (!changed) return std::nullopt;
  if (!repl.empty()) p.replace_inner(repl);
  return per_output(node, build_scan(p));
}

// ---- local_scan_push_out_non_seq ----

Result local_scan_push_out_non_seq(FunctionGraph&, Apply* node) {
  const Scan* op = scan_op(node);
  if (!op) return std::nullopt;
  const FunctionGraph& g = op->inner();
  ScanParts p = scan_parts(*node);
  // Loop-invariant variables: the non-sequences, and outputs of nodes that read only
  // invariant variables and constants (at least one variable: constant-only nodes are left
  // to constant folding). Nodes that overwrite an input stay inside.
  auto invariants = non_seq_invariants(p);  // not a structured binding: clang 14 cannot capture those
  VarSet& inv = invariants.first;
  VarMap& to_outer = invariants.second;
  std::unordered_set<const Apply*> inv_nodes;
  std::vector<Apply*> order;
  for (Apply* n : g.toposort()) {
    bool all = true, any_var = false;
    for (const Var& in : n->inputs()) {
      if (in->is_constant()) continue;
      if (inv.count(in.get())) any_var = true;
      else all = false;
    }
    if (!all || !any_var || !n->op()->destroy_map().empty()) continue;
    for (int i = 0; i < n->nout(); ++i) inv.insert(n->out(i));
    inv_nodes.insert(n);
    order.push_back(n);
  }
  // The frontier: invariant outputs read by a per-step node or returned by the step.
  std::vector<Var> frontier;
  for (Apply* n : order)
    for (int i = 0; i < n->nout(); ++i) {
      const auto& cl = g.clients(n->out(i));
      if (std::any_of(cl.begin(), cl.end(), [&](const Client& c) { return !c.node || !inv_nodes.count(c.node); }))
        frontier.push_back(n->output(i));
    }
  if (frontier.empty()) return std::nullopt;
  std::vector<Var> outer = clone_replace(frontier, to_outer);
  VarMap repl;
  for (size_t i = 0; i < frontier.size(); ++i) {
    Var fresh = make_variable(frontier[i].type(), frontier[i]->name);
    repl[frontier[i].get()] = fresh;
    p.non_seqs.push_back({outer[i], fresh});
  }
  p.replace_inner(repl);
  return per_output(node, build_scan(p));
}

// ---- local_scan_push_out_seq ----

/// Theano's PushOutSeqScan for elementwise work: an Elemwise node reading only slices of
/// tap-0 sequences (or such nodes' outputs), loop invariants and constants is computed once
/// over the n_steps rows the loop walks, and the loop reads its rows as a new sequence. Not
/// for while loops (they may stop early; the whole sequence would be computed).
Result local_scan_push_out_seq(FunctionGraph&, Apply* node) {
  const Scan* op = scan_op(node);
  if (!op || op->info().as_while) return std::nullopt;
  const FunctionGraph& g = op->inner();
  ScanParts p = scan_parts(*node);
  // Loop invariants (non-sequences, constants and what only they compute) and their outer
  // expressions, made on demand.
  auto invariants = non_seq_invariants(p);  // not a structured binding: clang 14 cannot capture those
  VarSet& inv = invariants.first;
  VarMap& to_outer = invariants.second;
  auto invariant = [&](const Var& v) { return v->is_constant() || inv.count(v.get()) > 0; };
  // Per step-indexed inner variable: the whole-loop outer value (row t is its value at step t).
  VarMap whole;
  const Var n = p.n_steps;
  for (const auto& s : p.seqs) {
    if (s.taps != std::vector<int>{0} || s.outer.type()->kind() != TypeKind::Tensor) continue;
    Var rows = p.flags.go_backwards
                   ? subtensor(s.outer, {IndexEntry::slice(sub(shape_i(s.outer, 0), n), {})})
                   : subtensor(s.outer, {IndexEntry::slice(int64_constant(0), n)});
    whole[s.inner[0].get()] = rows;
  }
  if (whole.empty()) return std::nullopt;
  std::unordered_set<const Apply*> pushed;
  std::vector<Apply*> order;
  for (Apply* m : g.toposort()) {
    bool all_inv = true, ok = true, any_seq = false;
    for (const Var& in : m->inputs()) {
      all_inv = all_inv && invariant(in);
      if (whole.count(in.get())) any_seq = true;
      else if (!invariant(in)) ok = false;
    }
    if (all_inv) {
      for (int i = 0; i < m->nout(); ++i) inv.insert(m->out(i));
      continue;
    }
    if (!ok || !any_seq || !dynamic_cast<const Elemwise*>(m->op().get()) || !m->op()->destroy_map().empty()) continue;
    std::vector<Var> outer_in;
    for (const Var& in : m->inputs()) {
      auto it = whole.find(in.get());
      outer_in.push_back(it != whole.end() ? it->second : clone_replace({in}, to_outer)[0]);
    }
    std::vector<Var> outs = apply_op(*m->op(), outer_in);
    for (int i = 0; i < m->nout(); ++i) whole[m->out(i)] = outs[i];
    pushed.insert(m);
    order.push_back(m);
  }
  // The frontier: pushed outputs read by a node left in the loop or returned by the step.
  VarMap repl;
  for (Apply* m : order)
    for (int i = 0; i < m->nout(); ++i) {
      const auto& cl = g.clients(m->out(i));
      if (std::none_of(cl.begin(), cl.end(), [&](const Client& c) { return !c.node || !pushed.count(c.node); })) continue;
      Var fresh = make_variable(m->out(i)->type, m->out(i)->name);
      repl[m->out(i)] = fresh;
      p.seqs.push_back({whole[m->out(i)], {0}, {fresh}});
    }
  if (repl.empty()) return std::nullopt;
  p.replace_inner(repl);
  return per_output(node, build_scan(p));
}

// ---- local_scan_merge_inouts ----

Result local_scan_merge_inouts(FunctionGraph&, Apply* node) {
  if (!scan_op(node)) return std::nullopt;
  ScanParts p = scan_parts(*node);
  std::vector<std::pair<Var, Var>> alias;  // (dropped old output, kept old output)
  VarMap repl;
  // States with the same taps, equal initial values and equal next values once their taps
  // are taken as equal hold equal values at every step (by induction over the steps).
  for (size_t j = 0; j < p.states.size(); ++j)
    for (size_t i = 0; i < j; ++i) {
      auto& a = p.states[i];
      auto& b = p.states[j];
      if (!a.old || !b.old || a.taps != b.taps || !same_type(a.init.type(), b.init.type()) ||
          !same_computation(a.init, b.init))
        continue;
      std::unordered_map<Variable*, Variable*> equiv;
      for (size_t k = 0; k < a.inner.size(); ++k) equiv[b.inner[k].get()] = a.inner[k].get();
      if (!same_computation(a.next, b.next, equiv)) continue;
      for (size_t k = 0; k < a.inner.size(); ++k) repl[b.inner[k].get()] = a.inner[k];
      alias.emplace_back(b.old, a.old);
      b.old = Var();
      break;
    }
  for (size_t j = 0; j < p.nit_sots.size(); ++j)
    for (size_t i = 0; i < j; ++i) {
      auto& a = p.nit_sots[i];
      auto& b = p.nit_sots[j];
      if (!a.old || !b.old || !same_type(a.value.type(), b.value.type()) || !same_computation(a.value, b.value)) continue;
      alias.emplace_back(b.old, a.old);
      b.old = Var();
      break;
    }
  if (alias.empty()) return std::nullopt;
  std::erase_if(p.states, [](const auto& s) { return !s.old; });
  std::erase_if(p.nit_sots, [](const auto& n) { return !n.old; });
  if (!repl.empty()) p.replace_inner(repl);
  std::vector<std::pair<Var, Var>> pairs = build_scan(p);
  for (const auto& [dropped, kept] : alias)
    for (const auto& [old, neu] : std::vector<std::pair<Var, Var>>(pairs))
      if (old == kept) pairs.emplace_back(dropped, neu);
  return per_output(node, pairs);
}

// ---- local_scan_merge ----

/// Theano's ScanMerge: loops with equal n_steps, direction and truncation, no until, and
/// neither reading the other's outputs, become one loop computing both (the inner graphs
/// side by side; the inner merge phase then shares what they compute alike).
class ScanMergeRewriter final : public GraphRewriter {
 public:
  std::string name() const override { return "local_scan_merge"; }
  bool apply(FunctionGraph& fg) const override {
    bool any = false;
    while (merge_one(fg)) any = true;
    return any;
  }

 private:
  static bool mergeable(const Apply* a, const Apply* b) {
    const ScanInfo& x = scan_op(a)->info();
    const ScanInfo& y = scan_op(b)->info();
    if (x.as_while || y.as_while || x.go_backwards != y.go_backwards || x.truncate_gradient != y.truncate_gradient)
      return false;
    if (!same_computation(a->input(0), b->input(0))) return false;
    const std::vector<Var> a_outs = a->outputs();
    return std::none_of(b->inputs().begin(), b->inputs().end(), [&](const Var& v) { return depends_on(v, a_outs); });
  }

  static bool merge_one(FunctionGraph& fg) {
    std::vector<Apply*> scans;
    for (Apply* n : fg.toposort())
      if (scan_op(n)) scans.push_back(n);
    for (size_t j = 0; j < scans.size(); ++j)
      for (size_t i = 0; i < j; ++i) {  // toposort: scans[i] cannot read scans[j]
        if (!mergeable(scans[i], scans[j])) continue;
        ScanParts p = scan_parts(*scans[i]);
        ScanParts q = scan_parts(*scans[j], /*fresh_inner=*/true);
        p.flags.name = p.flags.label() + "&" + q.flags.label();
        p.flags.allow_gc = p.flags.allow_gc && q.flags.allow_gc;
        p.seqs.insert(p.seqs.end(), q.seqs.begin(), q.seqs.end());
        p.states.insert(p.states.end(), q.states.begin(), q.states.end());
        p.nit_sots.insert(p.nit_sots.end(), q.nit_sots.begin(), q.nit_sots.end());
        p.carried.insert(p.carried.end(), q.carried.begin(), q.carried.end());
        p.non_seqs.insert(p.non_seqs.end(), q.non_seqs.begin(), q.non_seqs.end());
        if (fg.replace_validate(build_scan(p), "local_scan_merge")) return true;
      }
    return false;
  }
};

// ---- local_scan_save_mem ----

/// Whether `c` is x[-1] (a Subtensor taking the last row by a constant index).
bool is_last_row(const Client& c) {
  if (!c.node || c.index != 0 || c.node->nin() != 1) return false;
  const auto* sub = dynamic_cast<const Subtensor*>(c.node->op().get());
  if (!sub) return false;
  const auto items = sub->items();
  return items.size() == 1 && items[0].kind == IdxKind::Int && items[0].c[0].kind == CompKind::Const &&
         items[0].c[0].value == -1;
}

/// Theano's ScanSaveMem for its main case: a sit_sot state whose trace only x[-1] reads
/// moves to the carried group, whose final value only is kept (one step of memory, not a
/// trace of n_steps). With n_steps = 0, x[-1] of the empty trace was an IndexError; the
/// carried value is then the initial state.
class ScanSaveMemRewriter final : public GraphRewriter {
 public:
  std::string name() const override { return "local_scan_save_mem"; }
  bool apply(FunctionGraph& fg) const override {
    bool any = false;
    while (save_one(fg)) any = true;
    return any;
  }

 private:
  static bool save_one(FunctionGraph& fg) {
    for (Apply* node : fg.toposort()) {
      if (!scan_op(node)) continue;
      ScanParts p = scan_parts(*node);
      std::vector<std::vector<Var>> readers;  // per new carried entry: the x[-1] it replaces
      std::vector<ScanParts::State> states;
      for (auto& s : p.states) {
        const auto& cl = fg.clients(s.old.get());
        const bool last_only = ScanInfo::is_sit_sot(s.taps) && !cl.empty() &&
                               std::all_of(cl.begin(), cl.end(), is_last_row) &&
                               s.init.type()->kind() == TypeKind::Tensor && s.init.type()->dtype() == s.next.type()->dtype() &&
                               s.init.type()->ndim() == s.next.type()->ndim();
        if (!last_only) {
          states.push_back(std::move(s));
          continue;
        }
        std::vector<Var> outs;
        for (const Client& c : cl) outs.push_back(c.node->output(0));
        readers.push_back(std::move(outs));
        p.carried.push_back({s.init, s.inner[0], s.next, Var()});
      }
      if (readers.empty()) continue;
      p.states = std::move(states);
      std::vector<Var> node_outs;
      std::vector<std::pair<Var, Var>> pairs = build_scan(p, &node_outs);
      const size_t first = node_outs.size() - readers.size();
      for (size_t k = 0; k < readers.size(); ++k)
        for (const Var& r : readers[k]) {
          Var v = node_outs[first + k];
          if (!same_type(v.type(), r.type()))
            v = patternbroadcast(v, static_cast<const TensorType&>(*r.type()).broadcastable());
          pairs.emplace_back(r, v);
        }
      if (fg.replace_validate(pairs, "local_scan_save_mem")) return true;
    }
    return false;
  }
};

}  // namespace

void register_scan_canonicalize(RewriteDatabase& db) {
  db.add("local_scan_remove_unused", scan_tracks(), local_scan_remove_unused, kTags);
  db.add("local_scan_push_out_non_seq", scan_tracks(), local_scan_push_out_non_seq, kTags);
  db.add("local_scan_push_out_seq", scan_tracks(), local_scan_push_out_seq, kTags);
  db.add("local_scan_merge_inouts", scan_tracks(), local_scan_merge_inouts, kTags);
  db.register_rewrite("local_scan_merge", std::make_shared<ScanMergeRewriter>(), kTags);
}

void register_scan_specialize(RewriteDatabase& db) {
  db.register_rewrite("local_scan_save_mem", std::make_shared<ScanSaveMemRewriter>(), kTags);
  db.add("local_scan_remove_unused", scan_tracks(), local_scan_remove_unused, kTags);
}

}  // namespace hypatia
