// Print (theano.printing.Print): an identity op that prints a message and attributes of its input when it runs.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "hypatia/graph/op.h"

namespace hypatia {

class PrintOp;
/// What a Print does with the value (Theano's global_fn(op, x)). Called from the thread
/// running the function, once per evaluation of the node.
using PrintFn = std::function<void(const PrintOp& op, const Value& x)>;

/// Returns its input unchanged (a view) and, each time it runs, prints
/// "<message> <attr> = <value>" for every attribute (default "__str__": the value itself).
/// The native printer (no `fn`) writes to std::cout and knows "__str__", "shape", "dtype",
/// "ndim" and "size"; the Python binding passes a printer that evaluates any numpy attribute.
///
/// Semantics that keep prints from disappearing: never constant-folded, and two Print ops
/// are equal only when they are the same object, so merge never fuses two different prints
/// (the same op applied twice to the same variable is one computation and prints once).
/// The gradient passes through unchanged; so does R_op.
class PrintOp final : public Op {
 public:
  PrintOp(std::string message, std::vector<std::string> attrs = {"__str__"}, PrintFn fn = nullptr);
  std::string name() const override { return "Print"; }
  /// "Print{<message>}".
  std::string str() const override;
  bool equals(const Op& other) const override { return this == &other; }
  size_t hash() const override { return std::hash<const void*>()(this); }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node,
                                                   const std::vector<ShapeVec>& input_shapes) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
  ViewMap view_map() const override { return {{0, {0}}}; }
  bool constant_foldable(const Apply&) const override { return false; }

  const std::string& message() const { return message_; }
  const std::vector<std::string>& attrs() const { return attrs_; }
  /// Whether a custom printer (Theano's global_fn, maybe a Python callable) replaces the native one.
  bool has_custom_printer() const { return static_cast<bool>(fn_); }
  /// The custom printer (empty for the native one): pickling saves a Python printer with the op.
  const PrintFn& printer() const { return fn_; }
  /// The native printer's text for one attribute of a value ("[Print] ..." ValueError for an
  /// attribute it does not know).
  static std::string attr_text(const Value& x, const std::string& attr);

 private:
  std::string message_;
  std::vector<std::string> attrs_;
  PrintFn fn_;
};

/// Print(message, attrs)(x): x, printed when evaluated.
Var print_value(const Var& x, const std::string& message = "", const std::vector<std::string>& attrs = {"__str__"},
                PrintFn fn = nullptr);

}  // namespace hypatia
