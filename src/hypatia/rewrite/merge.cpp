// MergeOptimizer: constants by (type, value), then nodes by (op, input identities), via hash buckets.
#include "hypatia/rewrite/merge.h"

#include <cstring>
#include <unordered_map>
#include <unordered_set>

namespace hypatia {

namespace {

size_t bytes_hash(const NDArray& a) {
  size_t h = hash_combine(std::hash<int>()(static_cast<int>(a.dtype())), hash_value(a.shape()));
  if (!a.defined() || a.size() == 0) return h;
  NDArray c = a.contiguous();
  std::string_view bytes(static_cast<const char*>(c.raw()), static_cast<size_t>(c.nbytes()));
  return hash_combine(h, std::hash<std::string_view>()(bytes));
}

bool arrays_identical(const NDArray& a, const NDArray& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape() || a.defined() != b.defined()) return false;
  if (!a.defined() || a.size() == 0) return true;
  NDArray x = a.contiguous(), y = b.contiguous();
  return std::memcmp(x.raw(), y.raw(), static_cast<size_t>(x.nbytes())) == 0;
}

}  // namespace

size_t value_hash(const Value& v) {
  if (is_array(v)) return bytes_hash(std::get<NDArray>(v));
  if (is_sparse(v)) {
    const auto& s = std::get<SparseMatrix>(v);
    size_t h = hash_combine(static_cast<size_t>(s.format()), hash_value(s.shape()));
    h = hash_combine(h, bytes_hash(s.data()));
    h = hash_combine(h, bytes_hash(s.indices()));
    return hash_combine(h, bytes_hash(s.indptr()));
  }
  if (std::holds_alternative<OpaquePtr>(v)) return std::hash<const void*>()(std::get<OpaquePtr>(v).get());
  return 0;
}

bool values_identical(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  if (is_array(a)) return arrays_identical(std::get<NDArray>(a), std::get<NDArray>(b));
  if (is_sparse(a)) {
    const auto& x = std::get<SparseMatrix>(a);
    const auto& y = std::get<SparseMatrix>(b);
    return x.format() == y.format() && x.shape() == y.shape() && arrays_identical(x.data(), y.data()) &&
           arrays_identical(x.indices(), y.indices()) && arrays_identical(x.indptr(), y.indptr());
  }
  if (std::holds_alternative<OpaquePtr>(a)) return std::get<OpaquePtr>(a) == std::get<OpaquePtr>(b);
  return true;  // both empty
}

bool MergeOptimizer::apply(FunctionGraph& fg) const {
  bool any = false;
  for (;;) {
    bool changed = false;
    std::vector<Apply*> order = fg.toposort();

    // 1. Constants: the first of each (type, value) class in toposort order is kept.
    std::vector<Var> constants;
    std::unordered_set<Variable*> seen;
    auto collect = [&](const Var& v) {
      if (!v->owner && v->is_constant() && seen.insert(v.get()).second) constants.push_back(v);
    };
    for (Apply* n : order)
      for (const auto& in : n->inputs()) collect(in);
    for (const auto& o : fg.outputs()) collect(o);
    std::unordered_map<size_t, std::vector<Var>> const_buckets;
    for (const Var& c : constants) {
      size_t key = hash_combine(c.type()->hash(), value_hash(*c->constant));
      auto& bucket = const_buckets[key];
      bool merged = false;
      for (const Var& k : bucket) {
        if (!same_type(k.type(), c.type()) || !values_identical(*k->constant, *c->constant)) continue;
        if (fg.replace_validate({{c, k}}, name_)) {
          merged = changed = true;
          break;
        }
      }
      if (!merged) bucket.push_back(c);
    }

    // 2. Nodes. Merging creates no node, so a pruned node's address is never reused here and
    // fg.contains() is a safe liveness test for the raw pointers in `order` and the buckets.
    std::unordered_map<size_t, std::vector<Apply*>> buckets;
    for (Apply* n : order) {
      if (!fg.contains(n) || !n->op()->destroy_map().empty()) continue;
      size_t key = n->op()->hash();
      for (const auto& in : n->inputs()) key = hash_combine(key, std::hash<const void*>()(in.get()));
      auto& bucket = buckets[key];
      bool merged = false;
      for (Apply* c : bucket) {
        if (!fg.contains(c) || c->nin() != n->nin() || c->nout() != n->nout()) continue;
        bool same = c->op() == n->op() || c->op()->equals(*n->op());
        for (int i = 0; same && i < n->nin(); ++i) same = c->input(i) == n->input(i);
        for (int i = 0; same && i < n->nout(); ++i) same = same_type(c->out(i)->type, n->out(i)->type);
        if (!same) continue;
        std::vector<std::pair<Var, Var>> pairs;
        for (int i = 0; i < n->nout(); ++i) pairs.emplace_back(n->output(i), c->output(i));
        if (fg.replace_validate(pairs, name_)) {
          merged = changed = true;
          break;
        }
      }
      if (!merged) bucket.push_back(n);
    }
    if (!changed) return any;
    any = true;
  }
}

}  // namespace hypatia
