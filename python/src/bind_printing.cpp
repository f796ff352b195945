// Python bindings of graph printing: debugprint, pprint and Graphviz text.
#include "bindings.h"
#include "hypatia/graph/print.h"

namespace hypatia::py {

void init_printing(nb::module_& m) {
  m.def("debugprint_vars", [](std::vector<Var> vars, int depth, bool print_type, const std::string& ids, bool stop_on_name) {
    DebugPrintOptions o;
    o.depth = depth;
    o.print_type = print_type;
    o.ids = ids == "CHAR" ? DebugPrintOptions::Ids::Char : ids == "int" ? DebugPrintOptions::Ids::Int : DebugPrintOptions::Ids::None;
    o.stop_on_name = stop_on_name;
    return debugprint(vars, o);
  },
        "Theano's debugprint of variables: one line per node, indented by depth.");
  m.def("debugprint_fgraph", [](const FunctionGraph& fg, int depth, bool print_type, const std::string& ids, bool stop_on_name) {
    DebugPrintOptions o;
    o.depth = depth;
    o.print_type = print_type;
    o.ids = ids == "CHAR" ? DebugPrintOptions::Ids::Char : ids == "int" ? DebugPrintOptions::Ids::Int : DebugPrintOptions::Ids::None;
    o.stop_on_name = stop_on_name;
    return debugprint(fg, o);
  },
        "Theano's debugprint of a FunctionGraph (its outputs, toposorted ids).");
  m.def("pprint", [](const Var& v) { return pprint(v); },
        "A readable infix form of the expression (theano.pp).");
  m.def("dot_graph_vars", [](std::vector<Var> vars) { return dot_graph(vars); },
        "Graphviz dot text of the graph of the given variables.");
  m.def("dot_graph_fgraph", [](const FunctionGraph& fg) { return dot_graph(fg); },
        "Graphviz dot text of a FunctionGraph.");
}

}  // namespace hypatia::py
