// Rewrite databases (Theano's optdb machinery): named, tagged entries selected by queries.
#pragma once
#include <memory>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "hypatia/rewrite/rewriter.h"

namespace hypatia {

/// Selects database entries by tag, as Theano's Query: an entry is selected when it has at
/// least one `include` tag, every `require` tag and no `exclude` tag. An entry's own name
/// counts as one of its tags, so a query can name a rewrite directly. A selected nested
/// database is queried with the same query.
struct Query {
  std::set<std::string> include;
  std::set<std::string> require;
  std::set<std::string> exclude;
  /// Whether an entry called `name` with `tags` is selected.
  bool matches(const std::string& name, const std::set<std::string>& tags) const;
  Query including(const std::string& tag) const;
  Query excluding(const std::string& tag) const;
  Query requiring(const std::string& tag) const;
};

/// A set of named, tagged rewrites (Theano's DB / LocalGroupDB). Databases are filled by
/// explicit calls to `register_<family>_<phase>(db)` functions, never by static initialisers.
class RewriteDatabase {
 public:
  using Item = std::variant<NodeRewriterPtr, GraphRewriterPtr, std::shared_ptr<RewriteDatabase>>;
  struct Entry {
    std::string name;
    Item item;
    std::set<std::string> tags;
    double position = 0;  // order in a SequenceDB; unused elsewhere
  };

  explicit RewriteDatabase(std::string name) : name_(std::move(name)) {}
  virtual ~RewriteDatabase() = default;
  const std::string& name() const { return name_; }
  /// Adds an entry. Raises ValueError when the name is already taken in this database.
  void register_rewrite(std::string name, Item item, std::vector<std::string> tags = {}, double position = 0);
  /// Registers the node rewriter `fn` tracking `tracks` under `name`, written once (the entry
  /// and the rewriter share it): `db.add("local_neg_neg", tracks_of<Elemwise>(), fn, tags)`.
  void add(const std::string& name, Tracks tracks, TransformFn fn, std::vector<std::string> tags);
  const std::vector<Entry>& entries() const { return entries_; }
  /// The nested database registered as `name`; ValueError when there is none.
  std::shared_ptr<RewriteDatabase> sub(const std::string& name) const;
  /// Entries the query selects, in the database's running order.
  std::vector<const Entry*> select(const Query& q) const;
  /// The rewriter that runs what `q` selects, or nullptr when it selects nothing. Here: the
  /// graph rewriters (and nested databases) in registration order, then one in-to-out walk
  /// with all selected node rewriters.
  virtual GraphRewriterPtr query(const Query& q) const;

 protected:
  /// The selected entry's item as a graph rewriter (nullptr for an empty nested database).
  static GraphRewriterPtr as_graph_rewriter(const Entry& e, const Query& q);

  std::string name_;
  std::vector<Entry> entries_;
};

/// Rewrites applied together until none fires (Theano's EquilibriumDB): the query builds an
/// EquilibriumGraphRewriter with the selected node and graph rewriters.
class EquilibriumDB final : public RewriteDatabase {
 public:
  explicit EquilibriumDB(std::string name, int max_rounds = 100) : RewriteDatabase(std::move(name)), max_rounds_(max_rounds) {}
  GraphRewriterPtr query(const Query& q) const override;

 private:
  int max_rounds_;
};

/// Phases run once each, in order of their float positions (Theano's SequenceDB, as optdb).
class SequenceDB final : public RewriteDatabase {
 public:
  explicit SequenceDB(std::string name) : RewriteDatabase(std::move(name)) {}
  GraphRewriterPtr query(const Query& q) const override;
};

}  // namespace hypatia
