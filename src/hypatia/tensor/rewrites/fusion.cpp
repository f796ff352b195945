// local_elemwise_fusion: merges trees of float Elemwise nodes into one FusedElemwise node.
#include <array>
#include <unordered_map>
#include <unordered_set>

#include "hypatia/rewrite/rewriter.h"
#include "hypatia/tensor/ops/fused_elemwise.h"
#include "hypatia/tensor/ops/fused_reduce.h"
#include "hypatia/tensor/ops/reduce.h"
#include "hypatia/tensor/rewrites/rewrites.h"

namespace hypatia {

namespace {

// The Elemwise op of a node when it can join a fused float program, else null.
const Elemwise* fusable(const Apply* node) {
  if (!node) return nullptr;
  const auto* e = dynamic_cast<const Elemwise*>(node->op().get());
  if (!e || !fusable_scalar_op(e->params().scalar_op) || node->nout() != 1) return nullptr;
  DType d = tensor_type(node->output(0))->elem();
  return (d == DType::Float32 || d == DType::Float64) ? e : nullptr;
}

/// local_elemwise_fusion: a tree of fusable Elemwise nodes whose inner results have exactly
/// one client and the same type as the root -> one FusedElemwise over the tree's leaves.
/// Valid because each inner result is used only inside the tree, so nothing else needs it
/// materialised, and equal types mean no broadcasting happens inside the tree.
class ElemwiseFusion final : public GraphRewriter {
 public:
  std::string name() const override { return "local_elemwise_fusion"; }
  bool apply(FunctionGraph& fg) const override {
    bool changed = false;
    std::vector<Apply*> order = fg.toposort();
    std::unordered_set<Apply*> absorbed;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      Apply* root = *it;
      if (absorbed.count(root) || !fg.contains(root) || !fusable(root)) continue;
      const TypePtr& root_type = root->output(0).type();
      // Grow the tree from the root through single-client inputs of the same type.
      std::vector<Apply*> tree{root};
      std::unordered_set<Apply*> in_tree{root};
      for (size_t k = 0; k < tree.size(); ++k) {
        for (const Var& in : tree[k]->inputs()) {
          Apply* m = in->owner;
          if (!fusable(m) || in_tree.count(m) || absorbed.count(m)) continue;
          if (!same_type(in.type(), root_type) || fg.clients(in.get()).size() != 1) continue;
          tree.push_back(m);
          in_tree.insert(m);
        }
      }
      if (tree.size() < 2) continue;
      // Program in dependency order (reverse of discovery is a valid order for a tree).
      std::vector<Var> leaves;
      std::unordered_map<Variable*, int> leaf_index, step_index;
      std::vector<Apply*> steps(tree.rbegin(), tree.rend());
      for (Apply* n : steps)
        for (const Var& in : n->inputs())
          if (!(in->owner && in_tree.count(in->owner)) && !leaf_index.count(in.get())) {
            leaf_index[in.get()] = static_cast<int>(leaves.size());
            leaves.push_back(in);
          }
      FusedElemwiseParams p;
      p.n_inputs = static_cast<int>(leaves.size());
      p.dtype = tensor_type(root->output(0))->elem();
      for (size_t s = 0; s < steps.size(); ++s) {
        Apply* n = steps[s];
        const auto* e = static_cast<const Elemwise*>(n->op().get());
        int args[2] = {0, 0};
        for (int k = 0; k < n->nin(); ++k) {
          Variable* v = n->input(k).get();
          args[k] = step_index.count(v) ? p.n_inputs + step_index[v] : leaf_index.at(v);
        }
        p.program.insert(p.program.end(), {static_cast<int64_t>(e->params().scalar_op), n->nin(), args[0], args[1]});
        step_index[n->out(0)] = static_cast<int>(s);
      }
      Var fused = apply1(*std::make_shared<FusedElemwise>(p), leaves);
      if (!same_type(fused.type(), root_type)) continue;
      if (fg.replace_validate({{root->output(0), fused}}, "local_elemwise_fusion")) {
        for (Apply* n : tree) absorbed.insert(n);
        changed = true;
      }
    }
    return changed;
  }
};

bool float_dtype(DType d) { return d == DType::Float32 || d == DType::Float64; }

// Ops cheap enough to recompute inside every reduction that reads their result.
bool cheap_scalar_op(ScalarOpId id) {
  switch (id) {
    case ScalarOpId::Add: case ScalarOpId::Sub: case ScalarOpId::Mul: case ScalarOpId::Neg:
    case ScalarOpId::Sqr: case ScalarOpId::Maximum: case ScalarOpId::Minimum: case ScalarOpId::Abs:
      return true;
    default:
      return false;
  }
}

// The elementwise program of a Sum's input, grown through its producers; leaves deduplicated.
class SumProgram {
 public:
  static constexpr size_t kMaxSteps = 32;
  SumProgram(const FunctionGraph& fg, DType dt, int nd) : fg_(fg), dt_(dt), nd_(nd) {}

  /// A leaf (>= 0) or step (-(s + 1)) standing for v; `root` marks the Sum's own input.
  int64_t ref(const Var& v, bool root = false) {
    if (auto it = memo_.find(v.get()); it != memo_.end()) return it->second;
    if (root) root_bc_ = tensor_type(v)->broadcastable();
    int64_t r = inlinable(v, root) ? inline_node(v->owner) : leaf(v);
    memo_[v.get()] = r;
    return r;
  }
  bool empty() const { return steps_.empty(); }
  const std::vector<Var>& leaves() const { return leaves_; }
  std::vector<int64_t> program() const {
    std::vector<int64_t> p;
    const int64_t n = static_cast<int64_t>(leaves_.size());
    auto arg = [&](int64_t r) { return r >= 0 ? r : n + (-r - 1); };
    for (const auto& s : steps_) p.insert(p.end(), {s[0], s[1], arg(s[2]), arg(s[3])});
    return p;
  }

 private:
  bool fits(const Var& v) const {
    const TensorType* t = tensor_type(v);
    return t && t->elem() == dt_ && t->ndim() == nd_;
  }
  // Whether every reader of v can fold it into its own program (so it need not exist).
  bool readers_fuse(const Var& v) const {
    for (const Client& c : fg_.clients(v.get())) {
      if (!c.node) return false;
      const Op* op = c.node->op().get();
      if (!dynamic_cast<const Sum*>(op) && !dynamic_cast<const FusedElemwise*>(op) && !fusable(c.node)) return false;
    }
    return true;
  }
  bool inlinable(const Var& v, bool root) const {
    Apply* m = v->owner;
    if (!m || m->nout() != 1 || !fits(v)) return false;
    for (const Var& in : m->inputs())
      if (!fits(in)) return false;
    bool cheap = false;
    size_t nsteps = 0;
    if (const auto* f = dynamic_cast<const FusedElemwise*>(m->op().get())) {
      if (f->params().inplace >= 0 || f->params().dtype != dt_) return false;
      cheap = true;
      for (const FusedStep& st : f->steps()) cheap = cheap && cheap_scalar_op(st.op), ++nsteps;
    } else if (const Elemwise* e = fusable(m)) {
      if (e->params().inplace >= 0) return false;
      cheap = cheap_scalar_op(e->params().scalar_op);
      nsteps = 1;
    } else {
      return false;
    }
    if (steps_.size() + nsteps > kMaxSteps) return false;
    // A costly op on an operand smaller than the summed shape (broadcast in it) stays a leaf:
    // inlined, it would be recomputed for every element it is broadcast over.
    if (!root && !cheap && tensor_type(v)->broadcastable() != root_bc_) return false;
    // A result read elsewhere too is recomputed here only when cheap and when every reader
    // fuses it likewise, so that the full-size array disappears from the graph.
    return root || fg_.clients(v.get()).size() == 1 || (cheap && readers_fuse(v));
  }
  int64_t leaf(const Var& v) {
    auto [it, fresh] = leaf_index_.emplace(v.get(), static_cast<int64_t>(leaves_.size()));
    if (fresh) leaves_.push_back(v);
    return it->second;
  }
  int64_t push(int64_t op, int64_t arity, int64_t a0, int64_t a1) {
    steps_.push_back({op, arity, a0, a1});
    return -static_cast<int64_t>(steps_.size());
  }
  int64_t inline_node(Apply* m) {
    std::vector<int64_t> in;
    for (const Var& v : m->inputs()) in.push_back(ref(v));
    if (const auto* f = dynamic_cast<const FusedElemwise*>(m->op().get())) {
      const int n = f->params().n_inputs;
      std::vector<int64_t> local;  // refs of the fused node's own steps
      int64_t last = 0;
      for (const FusedStep& st : f->steps()) {
        auto map = [&](int a) { return a < n ? in[a] : local[a - n]; };
        last = push(static_cast<int64_t>(st.op), st.arity, map(st.args[0]), st.arity > 1 ? map(st.args[1]) : map(st.args[0]));
        local.push_back(last);
      }
      return last;
    }
    const auto* e = static_cast<const Elemwise*>(m->op().get());
    return push(static_cast<int64_t>(e->params().scalar_op), m->nin(), in[0], m->nin() > 1 ? in[1] : in[0]);
  }

  const FunctionGraph& fg_;
  DType dt_;
  int nd_;
  std::vector<bool> root_bc_;
  std::vector<Var> leaves_;
  std::unordered_map<Variable*, int64_t> leaf_index_, memo_;
  std::vector<std::array<int64_t, 4>> steps_;
};

/// local_sum_mul_factor_out: sum_R(f1 * ... * fn) -> (product of the factors constant along
/// every reduced axis R) * sum_R(product of the others), Theano's local_sum_prod_mul_by_scalar
/// generalised from scalars to any factor broadcast over R. Valid because a factor of
/// length 1 on every reduced axis takes one value per output element. It turns
/// sum_j(hh[i,k] * W[j,k] * W[j,k]) (the contractive autoencoder's penalty gradient) from
/// 20x784x500 terms into hh * sum_j(W * W). Products only (a rounding change like any
/// reassociation); runs before the fusions.
class SumMulFactorOut final : public GraphRewriter {
 public:
  std::string name() const override { return "local_sum_mul_factor_out"; }
  bool apply(FunctionGraph& fg) const override {
    bool changed = false;
    for (Apply* node : fg.toposort()) {
      if (!fg.contains(node)) continue;
      const auto* s = dynamic_cast<const Sum*>(node->op().get());
      if (!s) continue;
      const Var& x = node->input(0);
      const TensorType* xt = tensor_type(x);
      if (!xt || !float_dtype(xt->elem())) continue;
      const int nd = xt->ndim();
      std::vector<bool> red(nd, !s->params().axis);
      if (s->params().axis)
        for (int a : *s->params().axis) red[a] = true;
      std::vector<Var> factors;
      collect(x, xt, factors, true);
      std::vector<Var> outer, inner;
      for (const Var& f : factors) {
        bool constant = true;
        for (int d = 0; d < nd; ++d) constant = constant && (!red[d] || tensor_type(f)->broadcastable()[d]);
        (constant ? outer : inner).push_back(f);
      }
      if (outer.empty() || inner.empty()) continue;
      Var in = inner[0], out = outer[0];
      for (size_t i = 1; i < inner.size(); ++i) in = in * inner[i];
      for (size_t i = 1; i < outer.size(); ++i) out = out * outer[i];
      std::vector<int> keep;
      for (int d = 0; d < nd; ++d)
        if (!red[d]) keep.push_back(d);
      const ReduceParams& rp = s->params();
      std::optional<DType> odt;
      if (rp.dtype) odt = rp.dtype;
      std::vector<int> axes;
      for (int d = 0; d < nd; ++d)
        if (red[d]) axes.push_back(d);
      Var r = dimshuffle(out, keep) * sum(in, axes, false, odt, rp.acc_dtype);
      if (!same_type(r.type(), node->output(0).type())) continue;
      if (fg.replace_validate({{node->output(0), r}}, "local_sum_mul_factor_out")) changed = true;
    }
    return changed;
  }

 private:
  // The factors of v's product tree (Elemwise mul nodes of v's dtype and rank).
  static void collect(const Var& v, const TensorType* t, std::vector<Var>& out, bool root) {
    Apply* m = v->owner;
    const auto* e = m ? dynamic_cast<const Elemwise*>(m->op().get()) : nullptr;
    bool ok = e && e->params().scalar_op == ScalarOpId::Mul && e->params().inplace < 0 && m->nout() == 1 &&
              m->nin() == 2 && (root || tensor_type(v)->elem() == t->elem());
    for (int i = 0; ok && i < m->nin(); ++i) {
      const TensorType* it = tensor_type(m->input(i));
      ok = it && it->elem() == t->elem() && it->ndim() == t->ndim();
    }
    if (!ok) {
      out.push_back(v);
      return;
    }
    for (const Var& in : m->inputs()) collect(in, t, out, false);
  }
};

/// local_careduce_fusion: Sum(elementwise tree over leaves) -> one FusedSum over the leaves,
/// Theano/PyTensor's fusion of Elemwise into CAReduce. The tree grows through the Sum's
/// producers (Elemwise and FusedElemwise) whose results no one else reads, and through cheap
/// ones (add, mul, sqr, ...) read elsewhere when every other reader is a sum or an elementwise
/// op that fuses them too: recomputing a broadcast product in each reduction costs far less
/// than writing and rereading it (the contractive autoencoder's 20x784x500 Jacobian, 63 MB,
/// feeds three sums and is never materialised). Valid because each term is the same scalar
/// expression of the same leaf values. Runs after local_elemwise_fusion.
class CAReduceFusion final : public GraphRewriter {
 public:
  std::string name() const override { return "local_careduce_fusion"; }
  bool apply(FunctionGraph& fg) const override {
    bool changed = false;
    std::vector<Apply*> order = fg.toposort();
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      Apply* node = *it;
      if (!fg.contains(node)) continue;
      const auto* s = dynamic_cast<const Sum*>(node->op().get());
      if (!s) continue;
      const Var& x = node->input(0);
      if (!x->owner || fg.clients(x.get()).size() != 1) continue;
      const DType dt = tensor_type(x)->elem(), out_dt = tensor_type(node->output(0))->elem();
      const ReduceParams& rp = s->params();
      if (!float_dtype(dt) || !float_dtype(out_dt) || !float_dtype(rp.acc_dtype)) continue;
      const int nd = tensor_type(x)->ndim();
      SumProgram prog(fg, dt, nd);
      if (prog.ref(x, true) >= 0 || prog.empty()) continue;
      FusedSumParams p;
      p.dtype = dt;
      p.acc_dtype = rp.acc_dtype;
      p.out_dtype = out_dt;
      p.program = prog.program();
      p.n_inputs = static_cast<int>(prog.leaves().size());
      if (rp.axis) p.axis = *rp.axis;
      else
        for (int d = 0; d < nd; ++d) p.axis.push_back(d);
      Var fused = apply1(*std::make_shared<FusedSum>(p), prog.leaves());
      if (!same_type(fused.type(), node->output(0).type())) continue;
      if (fg.replace_validate({{node->output(0), fused}}, "local_careduce_fusion")) changed = true;
    }
    return changed;
  }
};

}  // namespace

void register_tensor_fusion(RewriteDatabase& db) {
  db.register_rewrite("local_elemwise_fusion", std::make_shared<ElemwiseFusion>(), {"fast_run", "fusion"});
  db.register_rewrite("local_sum_mul_factor_out", std::make_shared<SumMulFactorOut>(), {"fast_run", "fusion", "careduce_fusion"}, -1);
  db.register_rewrite("local_careduce_fusion", std::make_shared<CAReduceFusion>(), {"fast_run", "fusion", "careduce_fusion"}, 1);
}

}  // namespace hypatia
