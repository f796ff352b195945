// Graphviz dot text of a graph as Theano's pydotprint draws it (and d3viz's extra attributes).
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "hypatia/graph/print.h"
#include "hypatia/graph/traversal.h"

namespace hypatia {

const std::map<std::string, std::string>& default_dot_colors() {
  static const std::map<std::string, std::string> colors = {
      {"GpuFromHost", "red"},   {"HostFromGpu", "red"},    {"Scan", "yellow"},     {"Shape", "brown"},       {"Shape_i", "brown"},
      {"IfElse", "magenta"},    {"Elemwise", "#FFAABB"},   {"Subtensor", "#FFAAFF"}, {"Alloc", "#FFAA22"},
      {"Output", "blue"}};
  return colors;
}

namespace {

std::string dot_escape(const std::string& s) {
  std::string r;
  for (char c : s) {
    if (c == '\n') {
      r += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') r += '\\';
    r += c;
  }
  return r;
}

std::string cut_label(std::string s, int max_size) {
  if (max_size >= 3 && static_cast<int>(s.size()) > max_size) s = s.substr(0, max_size - 3) + "...";
  return s;
}

std::string shape_str(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += str_cat(i ? ", " : "", shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

/// The shape known without running the graph: a constant's or shared variable's value,
/// otherwise one '?' per dimension.
std::string static_shape(const Variable& v) {
  try {
    if (v.is_constant()) return shape_str(value_shape(*v.constant));
    if (v.is_shared()) {
      Value val = v.container->get();
      if (!is_empty(val)) return shape_str(value_shape(val));
    }
  } catch (const Error&) {
    // opaque values (random state) have no shape
  }
  std::string s = "(";
  for (int i = 0; i < v.type->ndim(); ++i) s += i ? ", ?" : "?";
  return s + (v.type->ndim() == 1 ? ",)" : ")");
}

/// The colour key of an op: its class name, and the text before '{' when they differ.
std::string op_color(const Op& op, const std::map<std::string, std::string>& colors) {
  auto it = colors.find(op.name());
  if (it != colors.end()) return it->second;
  std::string s = op.str();
  it = colors.find(s.substr(0, s.find('{')));
  return it != colors.end() ? it->second : "";
}

bool in_map(const ViewMap& m, int input) {
  for (const auto& [out, ins] : m)
    for (int i : ins)
      if (i == input) return true;
  return false;
}

class DotWriter {
 public:
  DotWriter(const std::vector<Var>& inputs, const std::vector<Var>& outputs, const DotOptions& opts)
      : outputs_(outputs), opts_(opts), colors_(default_dot_colors()) {
    for (const auto& [k, v] : opts.color_codes) colors_[k] = v;
    order_ = io_toposort(inputs, outputs);
    for (const auto& o : outputs) is_output_.insert(o.get());
    for (Apply* a : order_)
      for (const auto& in : a->inputs()) ++uses_[in.get()];
    for (size_t k = 0; k < order_.size(); ++k) apply_index_[order_[k]] = k;
  }

  std::string write() {
    std::ostringstream os;
    os << "digraph G {\n  graph [bgcolor=white];\n";
    for (size_t k = 0; k < order_.size(); ++k) apply_node(os, k);
    for (const auto& o : outputs_)
      if (!o->owner) var_node(os, o.get());  // outputs that are inputs or constants
    if (opts_.cond_highlight) clusters(os);
    os << "}\n";
    return os.str();
  }

  const std::vector<Apply*>& order() const { return order_; }
  static std::string apply_id(size_t k) { return str_cat("n", k); }

 private:
  std::string unique(std::string label) {
    if (opts_.with_ids || labels_.count(label)) label += str_cat(" id=", labels_.size());
    labels_.insert(label);
    return label;
  }

  std::string var_label(const Variable* v) {
    std::string s;
    if (!v->name.empty()) s = opts_.var_with_name_simple ? v->name : "name=" + v->name + " " + v->type->str();
    else if (v->is_constant()) s = "val=" + constant_value_str(*v->constant) + " " + v->type->str();
    else s = v->type->str();
    return unique(cut_label(s, opts_.max_label_size));
  }

  std::string attrs_of_var(const Variable* v, const std::string& kind) {
    if (!opts_.d3_attributes) return "";
    std::string type = v->type->str(), shape = static_shape(*v);
    return str_cat(", kind=\"", kind, "\", vtype=\"", dot_escape(type), "\", vshape=\"", shape, "\", tooltip=\"",
                   dot_escape(type + " " + shape), "\"");
  }

  /// The box of variable v (once), coloured by its role; returns its dot id.
  const std::string& var_node(std::ostringstream& os, const Variable* v) {
    auto it = var_ids_.find(v);
    if (it != var_ids_.end()) return it->second;
    std::string id = str_cat("v", var_ids_.size()), color, kind = "variable";
    if (is_output_.count(v)) color = colors_.at("Output"), kind = "output";
    else if (!v->owner) {
      color = v->is_shared() ? "cyan" : "green";
      kind = v->is_shared() ? "shared" : v->is_constant() ? "constant" : "input";
    } else if (!uses_.count(v)) color = "grey";
    os << "  " << id << " [label=\"" << dot_escape(var_label(v)) << "\", shape=box";
    os << style(color) << attrs_of_var(v, kind) << "];\n";
    return var_ids_.emplace(v, id).first->second;
  }

  std::string style(const std::string& color) const {
    if (color.empty()) return "";
    return opts_.high_contrast ? ", style=filled, fillcolor=\"" + color + "\"" : ", color=\"" + color + "\"";
  }

  void apply_node(std::ostringstream& os, size_t k) {
    Apply* a = order_[k];
    const Op& op = *a->op();
    std::string id = apply_id(k);
    std::string label = cut_label(op.str(), opts_.max_label_size);
    if (opts_.with_ids || labels_.count(label)) label += str_cat(" id=", k);
    labels_.insert(label);
    os << "  " << id << " [label=\"" << dot_escape(label) << "\", shape=ellipse" << style(op_color(op, colors_));
    if (opts_.d3_attributes) {
      std::string types, shapes, node = op.str() + "(";
      for (int i = 0; i < a->nout(); ++i) {
        types += str_cat(i ? ", " : "", a->out(i)->type->str());
        shapes += str_cat(i ? ", " : "", static_shape(*a->out(i)));
      }
      for (int i = 0; i < a->nin(); ++i) node += str_cat(i ? ", " : "", a->input(i)->str());
      os << ", kind=\"apply\", vtype=\"" << dot_escape(types) << "\", vshape=\"" << shapes << "\", vnode=\""
         << dot_escape(node + ")") << "\", apply_index=\"" << k << "\", inner=\"" << op.inner_graphs().size()
         << "\", tooltip=\"" << dot_escape(op.str() + " -> " + types) << "\"";
    }
    os << "];\n";
    const ViewMap views = op.view_map(), destroys = op.destroy_map();
    for (int i = 0; i < a->nin(); ++i) {
      const Variable* v = a->input(i).get();
      std::string label = a->nin() > 1 ? std::to_string(i) : "", from;
      if (!v->owner || !v->name.empty() || !opts_.compact || is_output_.count(v)) {
        from = v->owner ? var_node_after_owner(os, v) : var_node(os, v);
      } else {
        from = apply_id(apply_index_.at(v->owner));
        if (v->owner->nout() > 1) label += str_cat(label.empty() ? "" : " ", "out", v->index);
        label = cut_label(str_cat(label, label.empty() ? "" : " ", v->type->str()), opts_.max_label_size);
      }
      std::string color = in_map(destroys, i) ? "red" : in_map(views, i) ? colors_.at("Output") : "";
      os << "  " << from << " -> " << id << " [label=\"" << dot_escape(label) << "\"";
      if (!color.empty()) os << ", color=\"" << color << "\"";
      os << "];\n";
    }
    // Outputs drawn as boxes: graph outputs, unused outputs, and named or (not compact) all.
    for (int i = 0; i < a->nout(); ++i) {
      const Variable* v = a->out(i);
      if (is_output_.count(v) || !uses_.count(v) || !v->name.empty() || !opts_.compact) var_node_after_owner(os, v);
    }
  }

  /// The box of a computed variable, with the edge from its apply drawn once.
  std::string var_node_after_owner(std::ostringstream& os, const Variable* v) {
    bool fresh = !var_ids_.count(v);
    std::string id = var_node(os, v);
    if (fresh) {
      std::string label = v->owner->nout() > 1 ? std::to_string(v->index) : "";
      os << "  " << apply_id(apply_index_.at(v->owner)) << " -> " << id << " [label=\"" << label << "\"];\n";
    }
    return id;
  }

  /// Apply nodes (by toposort index) that `roots` depend on.
  std::unordered_set<size_t> applies_above(const std::vector<Var>& roots) {
    std::unordered_set<size_t> out;
    for (const Var& v : ancestors(roots))
      if (v->owner && apply_index_.count(v->owner)) out.insert(apply_index_.at(v->owner));
    return out;
  }

  /// theano's cond_highlight: the nodes of each lazy op's branches in bordered clusters.
  void clusters(std::ostringstream& os) {
    std::unordered_set<size_t> left, right;
    for (Apply* a : order_) {
      auto lazy = a->op()->lazy_branches(*a);
      if (!lazy || lazy->branches.size() < 2) continue;
      for (size_t b = 0; b < lazy->branches.size(); ++b) {
        std::vector<Var> roots;
        for (int i : lazy->branches[b]) roots.push_back(a->input(i));
        for (size_t k : applies_above(roots)) (b == 0 ? left : right).insert(k);
      }
    }
    std::vector<size_t> only_left, only_right, both;
    for (size_t k = 0; k < order_.size(); ++k) {
      bool l = left.count(k) > 0, r = right.count(k) > 0;
      if (l && r) both.push_back(k);
      else if (l) only_left.push_back(k);
      else if (r) only_right.push_back(k);
    }
    auto cluster = [&](const char* name, const char* color, const std::vector<size_t>& nodes) {
      if (nodes.empty()) return;
      os << "  subgraph cluster_" << name << " {\n    label=\"" << name << "\";\n    color=" << color << ";\n";
      for (size_t k : nodes) os << "    " << apply_id(k) << ";\n";
      os << "  }\n";
    };
    cluster("left", "red", only_left);
    cluster("right", "blue", only_right);
    cluster("both", "green", both);
  }

  std::vector<Var> outputs_;
  DotOptions opts_;
  std::map<std::string, std::string> colors_;
  std::vector<Apply*> order_;
  std::unordered_set<const Variable*> is_output_;
  std::unordered_map<const Variable*, int> uses_;
  std::unordered_map<const Apply*, size_t> apply_index_;
  std::unordered_map<const Variable*, std::string> var_ids_;
  std::unordered_set<std::string> labels_;
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  if (!f) raise(ErrorKind::Runtime, "[write_dot] cannot open '", path, "' for writing");
  f << text;
  if (!f) raise(ErrorKind::Runtime, "[write_dot] failed writing '", path, "'");
}

DotTree tree_impl(const std::vector<Var>& inputs, const std::vector<Var>& outputs, const DotOptions& opts, int depth) {
  DotWriter w(inputs, outputs, opts);
  DotTree t;
  t.dot = w.write();
  if (depth > 64) return t;  // inner graphs do not nest this deep in practice
  for (size_t k = 0; k < w.order().size(); ++k) {
    const Apply* a = w.order()[k];
    int g = 0;
    for (const FunctionGraphPtr& inner : a->op()->inner_graphs()) {
      DotTree sub = tree_impl(inner->inputs(), inner->outputs(), opts, depth + 1);
      sub.op = a->op()->str();
      sub.apply_index = static_cast<int>(k);
      sub.key = str_cat(DotWriter::apply_id(k), ".", g++);
      t.inner.push_back(std::move(sub));
    }
  }
  return t;
}

}  // namespace

std::string dot_graph(const std::vector<Var>& outputs, const DotOptions& opts) {
  return DotWriter({}, outputs, opts).write();
}
std::string dot_graph(const FunctionGraph& fg, const DotOptions& opts) {
  return DotWriter(fg.inputs(), fg.outputs(), opts).write();
}
void write_dot(const std::string& path, const std::vector<Var>& outputs) { write_file(path, dot_graph(outputs)); }
void write_dot(const std::string& path, const FunctionGraph& fg) { write_file(path, dot_graph(fg)); }
DotTree dot_tree(const std::vector<Var>& outputs, const DotOptions& opts) { return tree_impl({}, outputs, opts, 0); }
DotTree dot_tree(const FunctionGraph& fg, const DotOptions& opts) {
  return tree_impl(fg.inputs(), fg.outputs(), opts, 0);
}

}  // namespace hypatia
