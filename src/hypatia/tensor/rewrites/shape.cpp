// Shape-family rewrites (Theano's ShapeFeature at work): lengths read through infer_shape, and
// useless Join / SpecifyShape / Rebroadcast nodes.
#include <exception>
#include <unordered_set>

#include "hypatia/tensor/ops/join.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/rewrites/rewrites.h"
#include "hypatia/tensor/rewrites/shape.h"
#include "hypatia/tensor/rewrites/util.h"

namespace hypatia {
namespace tensor_rewrites {
namespace {

const std::vector<std::string> kTags = {"fast_run", "tensor", "shape"};

// Whether `v` is computed only from what the graph already has: root constants, variables of
// fg, and Shape_i of variables of fg, through at most `budget` new nodes.
bool built_from_graph(const Var& v, const FunctionGraph& fg, int& budget, std::unordered_set<const Variable*>& seen) {
  if (!v) return false;
  if (!seen.insert(v.get()).second) return true;
  if (is_root_constant(v) || fg.contains(v.get())) return true;
  Apply* node = v.owner();
  if (!node) return false;  // a fresh input would be a new graph input
  if (dynamic_cast<const ShapeI*>(node->op().get())) return fg.contains(node->input(0).get()) || built_from_graph(node->input(0), fg, budget, seen);
  if (--budget < 0) return false;
  for (const Var& in : node->inputs())
    if (!built_from_graph(in, fg, budget, seen)) return false;
  return true;
}

/// local_shape_i_infer: Shape_i{i}(f(a, b, ...)) -> the expression f's infer_shape gives for
/// axis i, when it is built only from constants, variables already in the graph and lengths of
/// f's inputs (a small new subgraph: additions for Join, a division for Reshape, ...). Applied
/// repeatedly, lengths walk up to the graph inputs, so z.shape no longer runs z's ops (the
/// manual's "Shape Information" section; like Theano it drops f's own shape checks). f's
/// output may be a dense tensor or a sparse matrix.
Result local_shape_i_infer(FunctionGraph& fg, Apply* node) {
  const auto* op = dynamic_cast<const ShapeI*>(node->op().get());
  if (!op) return std::nullopt;
  const Var& v = node->input(0);
  Apply* owner = v.owner();
  if (!owner || (!tensor_type(v) && v.type()->kind() != TypeKind::Sparse)) return std::nullopt;
  const std::vector<ShapeVec> shapes = symbolic_input_shapes(*owner);
  std::optional<std::vector<ShapeVec>> inferred;
  try {
    inferred = owner->op()->infer_shape(*owner, shapes);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!inferred || static_cast<int>(inferred->size()) <= v->index) return std::nullopt;
  const ShapeVec& s = (*inferred)[v->index];
  if (static_cast<int>(s.size()) <= op->params().i) return std::nullopt;
  Var r = s[op->params().i];
  if (!r || !same_type(r.type(), node->out(0)->type)) return std::nullopt;
  // Shape_i{i}(f(...)) inferred as itself (an op that only knows its own shape) is no progress.
  if (r.owner() && r.owner()->op()->equals(*op) && r.owner()->input(0).get() == v.get()) return std::nullopt;
  int budget = 32;
  std::unordered_set<const Variable*> seen;
  if (!built_from_graph(r, fg, budget, seen)) return std::nullopt;
  return one(r);
}

/// local_join_1: Join(axis, x) -> x (a join of one tensor is that tensor).
Result local_join_1(FunctionGraph&, Apply* node) {
  if (!dynamic_cast<const Join*>(node->op().get()) || node->nin() != 2) return std::nullopt;
  const Var& x = node->input(1);
  if (!same_type(x.type(), node->out(0)->type)) return std::nullopt;
  return one(x);
}

/// local_useless_specify_shape: SpecifyShape(x, s) -> x when x's own shape is s, entry by
/// entry (the check cannot fail).
Result local_useless_specify_shape(FunctionGraph&, Apply* node) {
  if (!dynamic_cast<const SpecifyShape*>(node->op().get())) return std::nullopt;
  const Var& x = node->input(0);
  auto e = shape_vector_entries(node->input(1));
  if (!e || static_cast<int>(e->size()) != x.type()->ndim()) return std::nullopt;
  for (int d = 0; d < x.type()->ndim(); ++d) {
    const Var& len = (*e)[d];
    Apply* o = len.owner();
    const auto* si = o ? dynamic_cast<const ShapeI*>(o->op().get()) : nullptr;
    if (!si || si->params().i != d || o->input(0).get() != x.get()) return std::nullopt;
  }
  return one(x);
}

}  // namespace
}  // namespace tensor_rewrites

void register_shape_canonicalize(RewriteDatabase& db) {
  using namespace tensor_rewrites;
  auto add = [&](const char* name, Tracks t, TransformFn fn) { db.add(name, std::move(t), std::move(fn), kTags); };
  add("local_shape_i_infer", tracks_of<ShapeI>(), local_shape_i_infer);
  add("local_join_1", tracks_of<Join>(), local_join_1);
  add("local_useless_specify_shape", tracks_of<SpecifyShape>(), local_useless_specify_shape);
}

}  // namespace hypatia
