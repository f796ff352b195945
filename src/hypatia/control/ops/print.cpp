// PrintOp: identity forward and backward, printing its input's attributes when it runs.
#include "hypatia/control/ops/print.h"

#include <algorithm>
#include <iostream>
#include <mutex>
#include <sstream>

#include "hypatia/graph/op_codec.h"
#include "hypatia/value/dtype.h"

namespace hypatia {

namespace {
// Print pickles as its message and attributes; a custom printer (a callable) cannot be written.
void encode_print(const Op& op, ParamWriter& w) {
  const auto& p = static_cast<const PrintOp&>(op);
  if (p.has_custom_printer())
    type_error("[pickle] cannot serialise op ", p.str(), ": expected the native printer, not a custom global_fn");
  op_codec_detail::put(w, p.message());
  op_codec_detail::put(w, p.attrs());
}
std::shared_ptr<const Op> decode_print(ParamReader& r) {
  std::string message;
  std::vector<std::string> attrs;
  op_codec_detail::get(r, message);
  op_codec_detail::get(r, attrs);
  r.finish();
  return std::make_shared<PrintOp>(message, attrs);
}
const bool kPrintCodecRegistered = register_op_class(typeid(PrintOp).name(), "Print", &encode_print, &decode_print, "");
const std::vector<std::string> kNativeAttrs = {"__str__", "shape", "dtype", "ndim", "size"};
}  // namespace

PrintOp::PrintOp(std::string message, std::vector<std::string> attrs, PrintFn fn)
    : message_(std::move(message)), attrs_(std::move(attrs)), fn_(std::move(fn)) {
  if (!fn_)
    for (const auto& a : attrs_)
      if (std::find(kNativeAttrs.begin(), kNativeAttrs.end(), a) == kNativeAttrs.end())
        value_error("[Print] attribute '", a, "' is not known to the native printer; expected one of __str__, shape, "
                    "dtype, ndim, size (or give a print function)");
}

std::string PrintOp::str() const { return str_cat("Print{", message_, "}"); }

ApplyPtr PrintOp::make_node(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) type_error("[Print] expected 1 input, got ", inputs.size());
  if (!inputs[0]) type_error("[Print] expected an input variable, got None");
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}

std::string PrintOp::attr_text(const Value& x, const std::string& attr) {
  if (attr == "__str__") return value_repr(x);
  if (attr == "shape") return shape_str(value_shape(x));
  if (attr == "ndim") return std::to_string(value_shape(x).size());
  if (attr == "size") {
    int64_t n = 1;
    for (int64_t d : value_shape(x)) n *= d;
    return std::to_string(n);
  }
  if (attr == "dtype") {
    if (const auto* a = std::get_if<NDArray>(&x)) return dtype_name(a->dtype());
    if (const auto* s = std::get_if<SparseMatrix>(&x)) return dtype_name(s->dtype());
    return "object";
  }
  value_error("[Print] unknown attribute '", attr, "'");
}

void PrintOp::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const Value& x = *inputs[0];
  if (fn_) {
    fn_(*this, x);
  } else {
    std::ostringstream os;
    for (const auto& a : attrs_) os << message_ << " " << a << " = " << attr_text(x, a) << "\n";
    static std::mutex mu;  // whole lines, even from concurrent calls
    std::lock_guard<std::mutex> lock(mu);
    std::cout << os.str() << std::flush;
  }
  outputs[0] = x;  // a view (view_map)
}

std::optional<std::vector<ShapeVec>> PrintOp::infer_shape(const Apply&, const std::vector<ShapeVec>& input_shapes) const {
  return std::vector<ShapeVec>{input_shapes[0]};
}

std::vector<Var> PrintOp::vjp(const Apply&, const std::vector<Var>& output_grads) const { return {output_grads[0]}; }

std::vector<Var> PrintOp::jvp(const Apply&, const std::vector<Var>& eval_points) const { return {eval_points[0]}; }

Var print_value(const Var& x, const std::string& message, const std::vector<std::string>& attrs, PrintFn fn) {
  auto op = std::make_shared<PrintOp>(message, attrs, std::move(fn));
  return apply1(*op, {x});
}

}  // namespace hypatia
