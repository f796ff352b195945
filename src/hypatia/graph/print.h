// Graph printing: Theano's debugprint and pprint, and Graphviz dot text (pydotprint's role).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "hypatia/graph/function_graph.h"

namespace hypatia {

// ---- debugprint ----

/// Options of debugprint, as theano.printing.debugprint's keyword arguments.
struct DebugPrintOptions {
  int depth = -1;            // levels shown below each output; -1 shows everything
  bool print_type = false;   // append " <Type>" after each id
  enum class Ids { Char, Int, None } ids = Ids::Char;  // "[id A]", "[id 0]" or nothing
  bool stop_on_name = false; // do not expand variables that have a name
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

/// Graphviz dot text for the graph computing `outputs`: apply nodes as boxes (in toposort
/// order), variables as ellipses (inputs green, constants grey, outputs blue), and edges
/// labelled with the input index they feed.
std::string dot_graph(const std::vector<Var>& outputs);
std::string dot_graph(const FunctionGraph& fg);
/// Writes dot_graph(...) to `path`; raises a Runtime error when the file can't be written.
void write_dot(const std::string& path, const std::vector<Var>& outputs);
void write_dot(const std::string& path, const FunctionGraph& fg);

}  // namespace hypatia
