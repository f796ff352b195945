// Taking a Scan node apart into its groups and building a new one from them (scan's rewrites).
#include "hypatia/control/rewrites/scan_parts.h"

#include <optional>

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

}  // namespace

bool same_computation(const Var& a, const Var& b, const std::unordered_map<Variable*, Variable*>& equiv) {
  // Depth-first over pairs of variables with an explicit stack (inner graphs may be deep);
  // a pair is decided once every pair of its owners' inputs is.
  std::unordered_map<std::pair<Variable*, Variable*>, bool, PairHash> memo;
  auto decided = [&](Variable* x, Variable* y) -> std::optional<bool> {
    if (x == y) return true;
    if (auto it = equiv.find(x); it != equiv.end() && it->second == y) return true;
    if (auto it = equiv.find(y); it != equiv.end() && it->second == x) return true;
    if (x->is_constant() && y->is_constant()) return same_type(x->type, y->type) && values_identical(*x->constant, *y->constant);
    if (!x->owner || !y->owner || x->index != y->index) return false;
    if (auto it = memo.find({x, y}); it != memo.end()) return it->second;
    if (x->owner->nin() != y->owner->nin() || !x->owner->op()->equals(*y->owner->op())) return memo[{x, y}] = false;
    return std::nullopt;
  };
  std::vector<std::pair<Variable*, Variable*>> stack{{a.get(), b.get()}};
  while (!stack.empty()) {
    auto [x, y] = stack.back();
    if (decided(x, y)) {
      stack.pop_back();
      continue;
    }
    bool pending = false, eq = true;
    for (int i = 0; eq && i < x->owner->nin(); ++i) {
      Variable* xi = x->owner->input(i).get();
      Variable* yi = y->owner->input(i).get();
      std::optional<bool> r = decided(xi, yi);
      if (!r) {
        stack.emplace_back(xi, yi);
        pending = true;
      } else if (!*r) {
        eq = false;
      }
    }
    if (pending && eq) continue;
    memo[{x, y}] = eq;
    stack.pop_back();
  }
  return *decided(a.get(), b.get());
}

}  // namespace hypatia::scan_rewrites
