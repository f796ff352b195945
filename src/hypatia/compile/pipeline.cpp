// The standard optdb on one screen: phases, their positions, and the explicit registration calls.
#include "hypatia/compile/pipeline.h"

#include <chrono>
#include <map>
#include <unordered_map>
#include <set>
#include <mutex>
#include <sstream>

#include "hypatia/control/rewrites/ifelse.h"
#include "hypatia/control/rewrites/scan.h"
#include "hypatia/linalg/rewrites/solve.h"
#include "hypatia/control/rewrites/op_from_graph.h"
#include "hypatia/nnet/rewrites/conv.h"
#include "hypatia/nnet/rewrites/losses.h"
#include "hypatia/rewrite/constant_folding.h"
#include "hypatia/rewrite/inplace.h"
#include "hypatia/rewrite/merge.h"
#include "hypatia/rewrite/user_rewrites.h"
#include "hypatia/sparse/rewrites/simplify.h"
#include "hypatia/sparse/rewrites/specialize.h"
#include "hypatia/tensor/rewrites/blas.h"
#include "hypatia/tensor/rewrites/rewrites.h"
#include "hypatia/tensor/rewrites/shape.h"
#include "hypatia/tensor/rewrites/stabilize.h"

namespace hypatia {

namespace {

// Phase positions (Theano's optdb numbers), the only place they are written: every phase is
// a database here, and the families only add their rewrites into those databases.
constexpr double kMerge1 = 0;          // CSE first, so later phases see each subexpression once
constexpr double kCanonicalize = 1;    // equilibrium: constant folding + canonical forms
constexpr double kStabilize = 1.5;     // numerically safer forms (log1p, softplus, ...)
constexpr double kSpecialize = 2;      // faster special cases of general ops (gemm, usmm, ...)
constexpr double kFusion = 48;         // elementwise fusion, once the graph's final ops are known
constexpr double kMerge2 = 49;         // CSE again over what the phases above created
constexpr double kInplace = 60;        // in-place variants on the final graph (rewrite/inplace.h)
constexpr double kMerge3 = 100;        // final CSE

std::unique_ptr<SequenceDB> build_optdb() {
  auto canonicalize = std::make_shared<EquilibriumDB>("canonicalize");
  auto stabilize = std::make_shared<EquilibriumDB>("stabilize");
  auto specialize = std::make_shared<EquilibriumDB>("specialize");
  auto fusion = std::make_shared<SequenceDB>("fusion");

  // Each family registers into the phase databases, one call per family and phase, e.g.
  // register_sparse_specialize(*specialize); none writes into optdb.
  register_core_canonicalize(*canonicalize);
  register_tensor_canonicalize(*canonicalize);
  register_shape_canonicalize(*canonicalize);
  register_sparse_canonicalize(*canonicalize);
  register_ifelse_canonicalize(*canonicalize);
  register_scan_canonicalize(*canonicalize);
  register_control_canonicalize(*canonicalize);
  register_tensor_stabilize(*stabilize);
  register_linalg_stabilize(*stabilize);
  register_nnet_stabilize(*stabilize);
  register_tensor_specialize(*specialize);
  register_blas_specialize(*specialize);
  register_usmm_specialize(*specialize);
  register_sparse_specialize(*specialize);
  register_nnet_conv_specialize(*specialize);
  register_scan_specialize(*specialize);  // save_mem late, as Theano (after stabilize)
  register_tensor_fusion(*fusion);
  // Users' own local rewrites (Python's register_canonicalize, ...), added at run time.
  register_user_rewrites(*canonicalize, "canonicalize");
  register_user_rewrites(*stabilize, "stabilize");
  register_user_rewrites(*specialize, "specialize");

  auto optdb = std::make_unique<SequenceDB>("optdb");
  optdb->register_rewrite("merge1", std::make_shared<MergeOptimizer>("merge1"), {"fast_run", "fast_compile", "merge"}, kMerge1);
  optdb->register_rewrite("canonicalize", canonicalize, {"fast_run", "fast_compile"}, kCanonicalize);
  optdb->register_rewrite("stabilize", stabilize, {"fast_run"}, kStabilize);
  optdb->register_rewrite("specialize", specialize, {"fast_run"}, kSpecialize);
  optdb->register_rewrite("fusion", fusion, {"fast_run"}, kFusion);
  optdb->register_rewrite("merge2", std::make_shared<MergeOptimizer>("merge2"), {"fast_run", "merge"}, kMerge2);
  optdb->register_rewrite("inplace", inplace_rewriter(), {"fast_run", "inplace"}, kInplace);
  optdb->register_rewrite("merge3", std::make_shared<MergeOptimizer>("merge3"), {"fast_run", "merge"}, kMerge3);
  return optdb;
}

}  // namespace

void register_core_canonicalize(RewriteDatabase& db) {
  // Merging inside the equilibrium lets folded constants and rewritten nodes meet again.
  db.register_rewrite("canonicalize_merge", std::make_shared<MergeOptimizer>("canonicalize_merge"), {"fast_run", "fast_compile", "merge"});
  db.register_rewrite("constant_folding", constant_folding_rewriter(), {"fast_run", "fast_compile"});
}

const SequenceDB& standard_optdb() {
  static const std::unique_ptr<SequenceDB> db = build_optdb();
  return *db;
}

ModeSpec parse_mode(const std::string& mode) {
  // "FAST_RUN-fusion+tag&tag2": a base mode, then tags each led by - (exclude), + (include)
  // or & (require), as Theano's mode.excluding / including / requiring.
  static const char* kSigns = "-+&";
  ModeSpec spec;
  size_t pos = mode.find_first_of(kSigns);
  spec.base = mode.substr(0, pos);
  if (spec.base != "FAST_RUN" && spec.base != "FAST_COMPILE" && spec.base != "None")
    value_error("[function] unknown mode '", mode, "'; expected FAST_RUN, FAST_COMPILE or None, optionally followed by "
                "-tag (exclude), +tag (include) or &tag (require) rewrite tags");
  while (pos != std::string::npos) {
    size_t next = mode.find_first_of(kSigns, pos + 1);
    std::string tag = mode.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
    if (tag.empty()) value_error("[function] empty tag in mode '", mode, "'; expected a rewrite tag after '", mode[pos], "'");
    (mode[pos] == '-' ? spec.excluding : mode[pos] == '+' ? spec.including : spec.requiring).push_back(tag);
    pos = next;
  }
  if (spec.base == "None" && !(spec.excluding.empty() && spec.including.empty() && spec.requiring.empty()))
    value_error("[function] mode '", mode, "' adds rewrite tags to None, which runs no rewrites; expected FAST_RUN or FAST_COMPILE with tags");
  return spec;
}

std::optional<Query> mode_query(const std::string& mode) {
  ModeSpec spec = parse_mode(mode);
  if (spec.base == "None") return std::nullopt;
  Query q{{spec.base == "FAST_RUN" ? "fast_run" : "fast_compile"}, {}, {}};
  q.include.insert(spec.including.begin(), spec.including.end());
  q.require.insert(spec.requiring.begin(), spec.requiring.end());
  q.exclude.insert(spec.excluding.begin(), spec.excluding.end());
  return q;
}

GraphRewriterPtr mode_rewriter(const std::string& mode) {
  std::optional<Query> q = mode_query(mode);
  if (!q) return nullptr;
  static std::mutex mu;
  static std::map<std::string, GraphRewriterPtr> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(mode);
  if (it == cache.end()) it = cache.emplace(mode, standard_optdb().query(*q)).first;
  return it->second;
}

void optimize_graph(FunctionGraph& fg, const std::string& mode, std::map<std::string, double>* phase_seconds) {
  GraphRewriterPtr rw = mode_rewriter(mode);
  if (!rw) return;
  const auto* seq = dynamic_cast<const SequentialGraphRewriter*>(rw.get());
  if (!phase_seconds || !seq) {
    rw->apply(fg);
    optimize_inner_graphs(fg, mode);
    return;
  }
  auto timed = [&](const std::string& name, auto&& run) {
    const auto t0 = std::chrono::steady_clock::now();
    run();
    (*phase_seconds)[name] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  for (const GraphRewriterPtr& phase : seq->rewriters()) timed(phase->name(), [&] { phase->apply(fg); });
  timed("inner_graphs", [&] { optimize_inner_graphs(fg, mode); });
}

void optimize_inner_graphs(FunctionGraph& fg, const std::string& mode) {
  // One op applied by several nodes is rewritten once, and they keep sharing the result.
  std::unordered_map<const Op*, OpPtr> done;
  for (Apply* node : fg.toposort()) {
    std::vector<FunctionGraphPtr> inner = node->op()->inner_graphs();
    if (inner.empty()) continue;
    OpPtr& op = done[node->op().get()];
    if (!op) {
      std::vector<FunctionGraphPtr> rewritten;
      for (const FunctionGraphPtr& g : inner) {
        auto copy = std::make_shared<FunctionGraph>(g->inputs(), g->outputs(), true);
        copy->set_update_mapping(g->update_mapping());  // carried values may be updated in place
        optimize_graph(*copy, mode);  // nested inner graphs too
        rewritten.push_back(std::move(copy));
      }
      op = node->op()->with_inner_graphs(rewritten);
    }
    if (!op) continue;
    std::vector<TypePtr> types;
    for (int i = 0; i < node->nout(); ++i) types.push_back(node->out(i)->type);
    ApplyPtr neu = Apply::create(op, node->inputs(), types);
    std::vector<std::pair<Var, Var>> pairs;
    for (int i = 0; i < node->nout(); ++i) pairs.emplace_back(node->output(i), neu->output(i));
    for (const auto& [old, out] : pairs) fg.replace(old, out, "optimize_inner_graphs");
  }
}

std::string describe_pipeline(const std::string& mode) {
  std::ostringstream os;
  os << "optdb phases:\n";
  for (const auto& e : standard_optdb().entries()) {
    os << "  " << e.position << "\t" << e.name << "\t[";
    bool first = true;
    for (const auto& t : e.tags) os << (first ? "" : ", ") << t, first = false;
    os << "]\n";
  }
  os << "mode " << mode << " runs:\n";
  if (GraphRewriterPtr rw = mode_rewriter(mode)) rw->print(os, 2);
  else os << "  (nothing)\n";
  return os.str();
}

}  // namespace hypatia
