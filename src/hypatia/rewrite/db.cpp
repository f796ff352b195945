// Rewrite databases: registration, tag queries, and turning a query's selection into a rewriter.
#include "hypatia/rewrite/db.h"

#include <algorithm>

namespace hypatia {

bool Query::matches(const std::string& name, const std::set<std::string>& tags) const {
  auto has = [&](const std::string& t) { return t == name || tags.count(t) > 0; };
  if (std::none_of(include.begin(), include.end(), has)) return false;
  if (!std::all_of(require.begin(), require.end(), has)) return false;
  return std::none_of(exclude.begin(), exclude.end(), has);
}

Query Query::including(const std::string& tag) const {
  Query q = *this;
  q.include.insert(tag);
  return q;
}
Query Query::excluding(const std::string& tag) const {
  Query q = *this;
  q.exclude.insert(tag);
  return q;
}
Query Query::requiring(const std::string& tag) const {
  Query q = *this;
  q.require.insert(tag);
  return q;
}

void RewriteDatabase::register_rewrite(std::string name, Item item, std::vector<std::string> tags, double position) {
  for (const auto& e : entries_)
    if (e.name == name) value_error("[RewriteDatabase] '", name, "' is already registered in ", name_);
  bool null = std::visit([](const auto& p) { return p == nullptr; }, item);
  if (null) value_error("[RewriteDatabase] '", name, "' registered in ", name_, " without a rewriter");
  entries_.push_back(Entry{std::move(name), std::move(item), std::set<std::string>(tags.begin(), tags.end()), position});
}

void RewriteDatabase::add(const std::string& name, Tracks tracks, TransformFn fn, std::vector<std::string> tags) {
  register_rewrite(name, make_node_rewriter(name, std::move(tracks), std::move(fn)), std::move(tags));
}

std::shared_ptr<RewriteDatabase> RewriteDatabase::sub(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name)
      if (auto* db = std::get_if<std::shared_ptr<RewriteDatabase>>(&e.item)) return *db;
  value_error("[RewriteDatabase] ", name_, " has no nested database '", name, "'");
}

std::vector<const RewriteDatabase::Entry*> RewriteDatabase::select(const Query& q) const {
  std::vector<const Entry*> out;
  for (const auto& e : entries_)
    if (q.matches(e.name, e.tags)) out.push_back(&e);
  return out;
}

GraphRewriterPtr RewriteDatabase::as_graph_rewriter(const Entry& e, const Query& q) {
  if (auto* g = std::get_if<GraphRewriterPtr>(&e.item)) return *g;
  if (auto* n = std::get_if<NodeRewriterPtr>(&e.item)) return in2out(e.name, {*n});
  return std::get<std::shared_ptr<RewriteDatabase>>(e.item)->query(q);
}

GraphRewriterPtr RewriteDatabase::query(const Query& q) const {
  std::vector<GraphRewriterPtr> graph;
  std::vector<NodeRewriterPtr> nodes;
  for (const Entry* e : select(q)) {
    if (auto* n = std::get_if<NodeRewriterPtr>(&e->item)) nodes.push_back(*n);
    else if (auto g = as_graph_rewriter(*e, q)) graph.push_back(std::move(g));
  }
  if (!nodes.empty()) graph.push_back(in2out(name_ + "_local", std::move(nodes)));
  if (graph.empty()) return nullptr;
  return std::make_shared<SequentialGraphRewriter>(name_, std::move(graph));
}

GraphRewriterPtr EquilibriumDB::query(const Query& q) const {
  std::vector<GraphRewriterPtr> graph;
  std::vector<NodeRewriterPtr> nodes;
  for (const Entry* e : select(q)) {
    if (auto* n = std::get_if<NodeRewriterPtr>(&e->item)) nodes.push_back(*n);
    else if (auto g = as_graph_rewriter(*e, q)) graph.push_back(std::move(g));
  }
  if (graph.empty() && nodes.empty()) return nullptr;
  return std::make_shared<EquilibriumGraphRewriter>(name_, std::move(nodes), std::move(graph), max_rounds_);
}

GraphRewriterPtr SequenceDB::query(const Query& q) const {
  std::vector<const Entry*> sel = select(q);
  std::stable_sort(sel.begin(), sel.end(), [](const Entry* a, const Entry* b) { return a->position < b->position; });
  std::vector<GraphRewriterPtr> phases;
  for (const Entry* e : sel)
    if (auto g = as_graph_rewriter(*e, q)) phases.push_back(std::move(g));
  if (phases.empty()) return nullptr;
  return std::make_shared<SequentialGraphRewriter>(name_, std::move(phases));
}

}  // namespace hypatia
