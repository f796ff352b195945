// Taking a Scan node apart into its groups and building a new one from them (scan's rewrites).
#include "hypatia/control/rewrites/scan_parts.h"

#include "hypatia/rewrite/merge.h"

namespace hypatia::scan_rewrites {

const Scan* scan_op(const Apply* node) { return node ? dynamic_cast<const Scan*>(node->op().get()) : nullptr; }

std::vector<Var> ScanParts::inner_outputs() const {
  std::vector<Var> outs;
  for (const auto& s : states) outs.push_back(s.next);
  for (const auto& n : nit_sots) outs.push_back(n.value);
  for (const auto& c : carried) outs.push_back(c.next);
  if (until) outs.push_back(until);
  return outs;
}

void ScanParts::replace_inner(const std::unordered_map<Variable*, Var>& repl) {
  std::vector<Var> outs = clone_replace(inner_outputs(), repl);
  size_t i = 0;
  for (auto& s : states) s.next = outs[i++];
  for (auto& n : nit_sots) n.value = outs[i++];
  for (auto& c : carried) c.next = outs[i++];
  if (until) until = outs[i++];
}

ScanParts scan_parts(const Apply& node, bool fresh_inner) {
  const Scan& op = *scan_op(&node);
  const ScanInfo& info = op.info();
  const FunctionGraph& g = op.inner();
  std::vector<Var> in(g.inputs().begin(), g.inputs().end());
  std::vector<Var> out(g.outputs().begin(), g.outputs().end());
  if (fresh_inner) {
    VarMap repl;
    for (Var& v : in) {
      Var p = make_variable(v.type(), v->name);
      repl[v.get()] = p;
      v = p;
    }
    out = clone_replace(out, repl);
  }
  ScanParts p;
  p.flags = info;
  p.n_steps = node.input(0);
  int slot = 0;
  for (int s = 0; s < info.n_seqs(); ++s) {
    ScanParts::Seq e{node.input(op.outer_seq_begin() + s), info.seq_taps[s], {}};
    for (size_t k = 0; k < e.taps.size(); ++k) e.inner.push_back(in[slot++]);
    p.seqs.push_back(std::move(e));
  }
  for (int s = 0; s < info.n_states(); ++s) {
    ScanParts::State e{node.input(op.outer_state_begin() + s), info.state_taps[s], {}, out[s], node.output(s)};
    for (size_t k = 0; k < e.taps.size(); ++k) e.inner.push_back(in[slot++]);
    p.states.push_back(std::move(e));
  }
  for (int k = 0; k < info.n_nit_sot; ++k)
    p.nit_sots.push_back({out[op.nit_sot_begin() + k], node.output(op.nit_sot_begin() + k)});
  for (int k = 0; k < info.n_shared; ++k)
    p.carried.push_back({node.input(op.outer_shared_begin() + k), in[slot++], out[op.shared_out_begin() + k],
                         node.output(op.shared_out_begin() + k)});
  for (int k = 0; k < info.n_non_seqs; ++k) p.non_seqs.push_back({node.input(op.outer_non_seq_begin() + k), in[slot++]});
  if (info.as_while) p.until = out.back();
  return p;
}

std::vector<std::pair<Var, Var>> build_scan(const ScanParts& p, std::vector<Var>* node_outputs) {
  ScanInfo info = p.flags;
  info.seq_taps.clear();
  info.state_taps.clear();
  info.n_nit_sot = static_cast<int>(p.nit_sots.size());
  info.n_shared = static_cast<int>(p.carried.size());
  info.n_non_seqs = static_cast<int>(p.non_seqs.size());
  info.as_while = static_cast<bool>(p.until);
  std::vector<Var> inner_in, outer_in{p.n_steps};
  for (const auto& s : p.seqs) {
    info.seq_taps.push_back(s.taps);
    inner_in.insert(inner_in.end(), s.inner.begin(), s.inner.end());
    outer_in.push_back(s.outer);
  }
  for (const auto& s : p.states) {
    info.state_taps.push_back(s.taps);
    inner_in.insert(inner_in.end(), s.inner.begin(), s.inner.end());
    outer_in.push_back(s.init);
  }
  for (const auto& c : p.carried) {
    inner_in.push_back(c.inner);
    outer_in.push_back(c.init);
  }
  for (const auto& n : p.non_seqs) {
    inner_in.push_back(n.inner);
    outer_in.push_back(n.outer);
  }
  std::vector<Var> outs = make_scan(info, inner_in, p.inner_outputs(), outer_in);
  std::vector<std::pair<Var, Var>> pairs;
  size_t i = 0;
  for (const auto& s : p.states) {
    if (s.old) pairs.emplace_back(s.old, outs[i]);
    ++i;
  }
  for (const auto& n : p.nit_sots) {
    if (n.old) pairs.emplace_back(n.old, outs[i]);
    ++i;
  }
  for (const auto& c : p.carried) {
    if (c.old) pairs.emplace_back(c.old, outs[i]);
    ++i;
  }
  if (node_outputs) *node_outputs = std::move(outs);
  return pairs;
}

namespace {

struct PairHash {
  size_t operator()(const std::pair<Variable*, Variable*>& p) const {
    return std::hash<const void*>()(p.first) * 31 + std::hash<const void*>()(p.second);
  }
};

bool same_rec(Variable* a, Variable* b, const std::unordered_map<Variable*, Variable*>& equiv,
              std::unordered_map<std::pair<Variable*, Variable*>, bool, PairHash>& memo) {
  if (a == b) return true;
  if (auto it = equiv.find(a); it != equiv.end() && it->second == b) return true;
  if (auto it = equiv.find(b); it != equiv.end() && it->second == a) return true;
  if (a->is_constant() && b->is_constant())
    return same_type(a->type, b->type) && values_identical(*a->constant, *b->constant);
  if (!a->owner || !b->owner || a->index != b->index) return false;
  auto key = std::make_pair(a, b);
  if (auto it = memo.find(key); it != memo.end()) return it->second;
  const Apply* na = a->owner;
  const Apply* nb = b->owner;
  bool eq = na->nin() == nb->nin() && na->op()->equals(*nb->op());
  for (int i = 0; eq && i < na->nin(); ++i) eq = same_rec(na->input(i).get(), nb->input(i).get(), equiv, memo);
  memo[key] = eq;
  return eq;
}

}  // namespace

bool same_computation(const Var& a, const Var& b, const std::unordered_map<Variable*, Variable*>& equiv) {
  std::unordered_map<std::pair<Variable*, Variable*>, bool, PairHash> memo;
  return same_rec(a.get(), b.get(), equiv, memo);
}

}  // namespace hypatia::scan_rewrites
