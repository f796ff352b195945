// Python bindings of graph printing: debugprint, pprint and Graphviz text.
#include "bindings.h"
#include "hypatia/graph/print.h"

namespace hypatia::py {

namespace {

using IdMap = std::map<std::uintptr_t, std::string>;

DebugPrintOptions::Ids parse_ids(const std::string& ids) {
  if (ids == "CHAR") return DebugPrintOptions::Ids::Char;
  if (ids == "int") return DebugPrintOptions::Ids::Int;
  if (ids == "id") return DebugPrintOptions::Ids::Ptr;
  if (ids.empty()) return DebugPrintOptions::Ids::None;
  value_error("[debugprint] ids must be 'CHAR', 'int', 'id' or '' (no ids), got '", ids, "'");
}

IdMap from_dict(const nb::object& d) {
  IdMap m;
  if (d.is_none()) return m;
  for (auto [k, v] : nb::cast<nb::dict>(d)) m[nb::cast<std::uintptr_t>(k)] = nb::cast<std::string>(v);
  return m;
}

void to_dict(const IdMap& m, const nb::object& d) {
  if (d.is_none()) return;
  nb::dict out = nb::cast<nb::dict>(d);
  for (const auto& [k, v] : m) out[nb::int_(k)] = nb::str(v.c_str());
}

/// Runs debugprint on `print` with the options; done/used_ids are Python dicts (or None)
/// mapping node addresses to ids, read before and updated after.
template <class F>
std::string run_debugprint(F&& print, int depth, bool print_type, const std::string& ids, bool stop_on_name,
                           const nb::object& done, const nb::object& used_ids, bool print_clients, bool print_storage) {
  DebugPrintOptions o;
  o.depth = depth;
  o.print_type = print_type;
  o.ids = parse_ids(ids);
  o.stop_on_name = stop_on_name;
  IdMap done_map = from_dict(done), used_map = from_dict(used_ids);
  if (!done.is_none()) o.done = &done_map;
  if (!used_ids.is_none()) o.used_ids = &used_map;
  o.print_clients = print_clients;
  o.print_storage = print_storage;
  std::string text = print(o);
  to_dict(done_map, done);
  to_dict(used_map, used_ids);
  return text;
}

DotOptions dot_options(bool compact, bool with_ids, bool high_contrast, const std::map<std::string, std::string>& colors,
                       int max_label_size, bool var_with_name_simple, bool cond_highlight, bool d3_attributes) {
  if (max_label_size < 4) value_error("[pydotprint] max_label_size must be at least 4, got ", max_label_size);
  DotOptions o;
  o.compact = compact;
  o.with_ids = with_ids;
  o.high_contrast = high_contrast;
  o.color_codes = colors;
  o.max_label_size = max_label_size;
  o.var_with_name_simple = var_with_name_simple;
  o.cond_highlight = cond_highlight;
  o.d3_attributes = d3_attributes;
  return o;
}

nb::dict tree_to_dict(const DotTree& t) {
  nb::dict d;
  d["dot"] = t.dot;
  d["op"] = t.op;
  d["apply_index"] = t.apply_index;
  nb::list inner;
  for (const DotTree& sub : t.inner) {
    nb::dict s = tree_to_dict(sub);
    s["key"] = sub.key;
    inner.append(s);
  }
  d["inner"] = inner;
  return d;
}

}  // namespace

void init_printing(nb::module_& m) {
  const char* dp_doc =
      "Theano's debugprint: one line per node, indented by depth. ids: 'CHAR', 'int', 'id' or ''. done and "
      "used_ids: dicts (node address -> id) shared between calls, updated in place.";
  m.def("debugprint_vars",
        [](std::vector<Var> vars, int depth, bool print_type, const std::string& ids, bool stop_on_name,
           nb::object done, nb::object used_ids, bool print_clients, bool print_storage) {
          return run_debugprint([&](const DebugPrintOptions& o) { return debugprint(vars, o); }, depth, print_type,
                                ids, stop_on_name, done, used_ids, print_clients, print_storage);
        },
        nb::arg("vars"), nb::arg("depth") = -1, nb::arg("print_type") = false, nb::arg("ids") = "CHAR",
        nb::arg("stop_on_name") = false, nb::arg("done").none() = nb::none(), nb::arg("used_ids").none() = nb::none(),
        nb::arg("print_clients") = false, nb::arg("print_storage") = false, dp_doc);
  m.def("debugprint_fgraph",
        [](const FunctionGraph& fg, int depth, bool print_type, const std::string& ids, bool stop_on_name,
           nb::object done, nb::object used_ids, bool print_clients, bool print_storage) {
          return run_debugprint([&](const DebugPrintOptions& o) { return debugprint(fg, o); }, depth, print_type, ids,
                                stop_on_name, done, used_ids, print_clients, print_storage);
        },
        nb::arg("fg"), nb::arg("depth") = -1, nb::arg("print_type") = false, nb::arg("ids") = "CHAR",
        nb::arg("stop_on_name") = false, nb::arg("done").none() = nb::none(), nb::arg("used_ids").none() = nb::none(),
        nb::arg("print_clients") = false, nb::arg("print_storage") = false,
        "Theano's debugprint of a FunctionGraph (its outputs, with each node's toposort position); options as "
        "debugprint_vars.");
  m.def("pprint", [](const Var& v) { return pprint(v); },
        "A readable infix form of the expression (theano.pp).");
  m.def("default_dot_colors", []() { return default_dot_colors(); },
        "pydotprint's default colours: op class name -> Graphviz colour ('Output' colours outputs and view edges).");

  const char* dot_doc =
      "Graphviz dot text as pydotprint draws it: apply nodes ellipses coloured by op class, variables boxes "
      "(inputs green, shared cyan, outputs blue, unused grey); options as theano.printing.pydotprint's. "
      "d3_attributes adds kind/vtype/vshape/node/tooltip attributes for d3viz.";
#define HY_DOT_ARGS                                                                                            \
  nb::arg("compact") = true, nb::arg("with_ids") = false, nb::arg("high_contrast") = true,                     \
  nb::arg("color_codes") = std::map<std::string, std::string>{}, nb::arg("max_label_size") = 70,              \
  nb::arg("var_with_name_simple") = false, nb::arg("cond_highlight") = false, nb::arg("d3_attributes") = false
  m.def("dot_graph_vars",
        [](std::vector<Var> vars, bool compact, bool with_ids, bool high_contrast,
           std::map<std::string, std::string> colors, int max_label_size, bool simple, bool cond, bool d3) {
          return dot_graph(vars, dot_options(compact, with_ids, high_contrast, colors, max_label_size, simple, cond, d3));
        },
        nb::arg("vars"), HY_DOT_ARGS, dot_doc);
  m.def("dot_graph_fgraph",
        [](const FunctionGraph& fg, bool compact, bool with_ids, bool high_contrast,
           std::map<std::string, std::string> colors, int max_label_size, bool simple, bool cond, bool d3) {
          return dot_graph(fg, dot_options(compact, with_ids, high_contrast, colors, max_label_size, simple, cond, d3));
        },
        nb::arg("fg"), HY_DOT_ARGS, dot_doc);
  const char* tree_doc =
      "The dot text of a graph and, recursively, of its apply nodes' inner graphs (scan, OpFromGraph) as nested "
      "dicts {dot, op, apply_index, key, inner}; key is the apply's dot node id and the inner graph's index.";
  m.def("dot_tree_vars",
        [](std::vector<Var> vars, bool compact, bool with_ids, bool high_contrast,
           std::map<std::string, std::string> colors, int max_label_size, bool simple, bool cond, bool d3) {
          return tree_to_dict(
              dot_tree(vars, dot_options(compact, with_ids, high_contrast, colors, max_label_size, simple, cond, d3)));
        },
        nb::arg("vars"), HY_DOT_ARGS, tree_doc);
  m.def("dot_tree_fgraph",
        [](const FunctionGraph& fg, bool compact, bool with_ids, bool high_contrast,
           std::map<std::string, std::string> colors, int max_label_size, bool simple, bool cond, bool d3) {
          return tree_to_dict(
              dot_tree(fg, dot_options(compact, with_ids, high_contrast, colors, max_label_size, simple, cond, d3)));
        },
        nb::arg("fg"), HY_DOT_ARGS, tree_doc);
#undef HY_DOT_ARGS
}

}  // namespace hypatia::py
