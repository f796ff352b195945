// A Scan node taken apart into its groups (sequences, states, nit_sots, carried values, non-sequences) and rebuilt: what scan's rewrites edit.
#pragma once
#include <unordered_map>
#include <utility>
#include <vector>

#include "hypatia/control/ops/scan.h"

namespace hypatia::scan_rewrites {

/// One Scan node as editable lists, one entry per sequence, state, nit_sot, carried value and
/// non-sequence, each with its outer and inner variables. Rewrites drop, add or move entries
/// and substitute inner variables, then build_scan() makes the new node. `old` is the outer
/// output an entry came from (null for a new entry): build_scan pairs it with the new one.
struct ScanParts {
  ScanInfo flags;  // the loop's flags (name, as_while, go_backwards, truncate_gradient, allow_gc);
                   // its group sizes are ignored (rebuilt from the lists)
  Var n_steps;
  struct Seq {
    Var outer;
    std::vector<int> taps;
    std::vector<Var> inner;  // one slice per tap
  };
  struct State {
    Var init;
    std::vector<int> taps;
    std::vector<Var> inner;  // one per tap
    Var next;                // the inner output fed back
    Var old;
  };
  struct NitSot {
    Var value;
    Var old;
  };
  struct Carried {
    Var init;
    Var inner;
    Var next;
    Var old;
  };
  struct NonSeq {
    Var outer;
    Var inner;
  };
  std::vector<Seq> seqs;
  std::vector<State> states;
  std::vector<NitSot> nit_sots;
  std::vector<Carried> carried;
  std::vector<NonSeq> non_seqs;
  Var until;  // the inner stop condition (as_while)

  /// Every inner output (state nexts, nit_sot values, carried nexts, until), in that order.
  std::vector<Var> inner_outputs() const;
  /// Substitutes inner variables in every inner output at once (one clone, so subgraphs the
  /// outputs share stay shared).
  void replace_inner(const std::unordered_map<Variable*, Var>& repl);
};

/// The parts of a Scan node. With `fresh_inner`, the inner graph is copied with new input
/// variables, so that two nodes of the same op can be merged into one.
ScanParts scan_parts(const Apply& node, bool fresh_inner = false);

/// A new Scan node from `parts`; returns (old outer output, new outer output) for every entry
/// that has `old`, and sets `*node_outputs` (when given) to all of the new node's outputs.
std::vector<std::pair<Var, Var>> build_scan(const ScanParts& parts, std::vector<Var>* node_outputs = nullptr);

/// The Scan op of `node`, or nullptr.
const Scan* scan_op(const Apply* node);

/// Theano's equal_computations: a and b compute the same value (same variable, equal
/// constants, or equal ops over equal inputs), where `equiv` pairs inner inputs taken as equal.
bool same_computation(const Var& a, const Var& b, const std::unordered_map<Variable*, Variable*>& equiv = {});

}  // namespace hypatia::scan_rewrites
