// Graph printing: Theano's debugprint and pprint, and Graphviz dot text (pydotprint's role).
#pragma once
#include <functional>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hypatia/graph/function_graph.h"

namespace hypatia {

// ---- debugprint ----

/// Options of debugprint, as theano.printing.debugprint's keyword arguments.
struct DebugPrintOptions {
  int depth = -1;            // levels shown below each output; -1 shows everything
  bool print_type = false;   // append " <Type>" after each id
  /// "[id A]", "[id 0]", "[id 94823...]" (the node's address, Theano's 'id') or nothing.
  enum class Ids { Char, Int, Ptr, None } ids = Ids::Char;
  bool stop_on_name = false; // do not expand variables that have a name
  /// Theano's done: node address -> id of the nodes already printed. Given, later calls
  /// reuse its ids and do not expand its nodes again; new ids continue after its entries.
  std::map<std::uintptr_t, std::string>* done = nullptr;
  /// Theano's used_ids: ids given to nodes that were only referred to; reused, not printed.
  std::map<std::uintptr_t, std::string>* used_ids = nullptr;
  /// After an apply whose output has more than one client, list the clients (by op and id).
  bool print_clients = false;
  /// Append " storage=<value>" to the lines of constants and shared variables.
  bool print_storage = false;
};

/// Theano's debugprint, one line per variable, children indented under " |":
///   Elemwise{mul,no_inplace} [id A] ''   
///    |TensorConstant{2.0} [id B]
///    |x [id C]
/// A node reached twice is expanded once; later it shows only its line with the same id.
/// A FunctionGraph's outputs are printed with each node's toposort position at the end of its line.
std::string debugprint(const Var& var, int depth = -1, bool print_type = false);
std::string debugprint(const std::vector<Var>& vars, int depth = -1, bool print_type = false);
std::string debugprint(const FunctionGraph& fg, int depth = -1, bool print_type = false);
std::string debugprint(const std::vector<Var>& vars, const DebugPrintOptions& opts);
std::string debugprint(const FunctionGraph& fg, const DebugPrintOptions& opts);

// ---- pprint ----

/// One printed sub-expression. `prefix_op` marks an unparenthesised prefix form ("-x",
/// "-2.0") that an enclosing operator must put in parentheses.
struct PrettyExpr {
  std::string text;
  bool prefix_op = false;
};
/// Prints output `output` of `node` from its already printed inputs.
using PrettyPrinterFn = std::function<PrettyExpr(const Apply& node, int output, const std::vector<PrettyExpr>& inputs)>;

/// Theano's pretty printer: infix for + - * / // % ** (binary forms always parenthesised,
/// as Theano does: "((x + y) * z)"), "-x" for negation, "name(args)" otherwise ("exp(x)",
/// "fill(a, b)", "Sum{acc_dtype=float64}(x)"), constants by value ("2.0"), leaves by name.
/// Automatic broadcasting DimShuffles are hidden and transposes print as "x.T".
std::string pprint(const Var& var);
std::string pprint(const std::vector<Var>& vars);  // one expression per line

/// Registers a printer under a key, replacing any earlier one. pprint looks a node up by
/// Op::str() ("Elemwise{add,no_inplace}"), then by the elemwise scalar name ("add"), then
/// by Op::name() ("Sum").
void register_pprinter(const std::string& key, PrettyPrinterFn fn);
/// An infix operator printer ("+" gives "(a + b)"); with one input a prefix form ("-a").
PrettyPrinterFn operator_printer(std::string symbol);
/// A function-call printer: name(args).
PrettyPrinterFn function_printer(std::string name);

/// "add" for "Elemwise{add,no_inplace}", "Composite{...}" for a fused elemwise; "" when the
/// op is not an Elemwise.
std::string elemwise_scalar_name(const Op& op);

/// A constant value as Python and Theano print it: "2.0", "3", "True" for one element,
/// numpy-like "[1., 2.]" for small arrays; "" when the value is too large to show.
std::string constant_value_str(const Value& v);

// ---- Graphviz ----

/// Options of pydotprint (theano.printing.pydotprint's keyword arguments that shape the text).
struct DotOptions {
  /// Leave out intermediate variables that have no name: their apply nodes are joined
  /// directly, the edge labelled with the input index and the variable's type.
  bool compact = true;
  /// Append " id=N" to every label (toposort position for apply nodes, a counter for
  /// variables); labels that would repeat get one anyway so that no two nodes merge.
  bool with_ids = false;
  /// Fill nodes with their colour (true) or colour only their border (false).
  bool high_contrast = true;
  /// Op class name (Op::name(), or the op text before '{') -> colour; replaces the default
  /// of the same key: Scan yellow, Shape brown, IfElse magenta, Elemwise #FFAABB (dark pink),
  /// Subtensor #FFAAFF (purple), Alloc #FFAA22 (orange), GpuFromHost/HostFromGpu red,
  /// Output blue (output variables and view edges).
  std::map<std::string, std::string> color_codes;
  /// Labels longer than this are cut to max_label_size - 3 characters and "...".
  int max_label_size = 70;
  /// A named variable shows only its name, not "name=x TensorType(...)".
  bool var_with_name_simple = false;
  /// Surround the nodes computing only a lazy if's true branch, only its false branch, or
  /// both, with a border each (theano's cond_highlight).
  bool cond_highlight = false;
  /// Add the attributes d3viz reads: kind (apply/input/shared/constant/output/variable),
  /// vtype (types), vshape (shape known at build time), vnode (the VM's node text) and
  /// tooltip. Graphviz ignores them when drawing.
  bool d3_attributes = false;
};

/// The default pydotprint colours (DotOptions::color_codes documents them).
const std::map<std::string, std::string>& default_dot_colors();

/// Graphviz dot text as Theano's pydotprint draws the graph computing `outputs`: apply nodes
/// are ellipses labelled with the op (coloured by op class), variables boxes (inputs and
/// constants green, shared variables cyan, outputs blue, unused outputs grey). Edges carry
/// the input index when a node has several inputs; an edge is blue when the node's output
/// views that input and red when it destroys it.
std::string dot_graph(const std::vector<Var>& outputs, const DotOptions& opts = {});
std::string dot_graph(const FunctionGraph& fg, const DotOptions& opts = {});
/// Writes dot_graph(...) to `path`; raises a Runtime error when the file can't be written.
void write_dot(const std::string& path, const std::vector<Var>& outputs);
void write_dot(const std::string& path, const FunctionGraph& fg);

/// A graph's dot text and those of the inner graphs (scan's step, OpFromGraph's body) of its
/// apply nodes, recursively, keyed by the dot node id of the apply ("n3") and the index of
/// the inner graph: what scan_graphs and d3viz's nested graphs draw.
struct DotTree {
  std::string dot;
  std::string key;  // "n3.0": the apply's dot id and the inner graph's index; "" at the top
  std::string op;  // the op of the apply whose inner graph this is; "" at the top
  int apply_index = -1;  // that apply's toposort position in the enclosing graph
  std::vector<DotTree> inner;  // (a vector of the type itself: clang's libstdc++ refuses pairs)
};
DotTree dot_tree(const std::vector<Var>& outputs, const DotOptions& opts = {});
DotTree dot_tree(const FunctionGraph& fg, const DotOptions& opts = {});

}  // namespace hypatia
