// Python bindings of the tensor math family (hypatia/tensor/math.h) and Variable's operators
// //, %, &, |, ^, ~ (with reflected forms) and methods clip, round, conj, real, imag.
#include "bindings.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/math.h"

namespace hypatia::py {

void init_math(nb::module_& m) {
  auto un = [&](const char* name, Var (*f)(const Var&), const char* doc) {
    m.def(name, [f](nb::handle a) { return f(as_var(a)); }, nb::arg("a"), joined_doc(doc, " Raises TypeError when ``a`` is not a dense tensor or a value that becomes one (a sparse variable is refused: use hypatia.sparse)."));
  };
  auto bin = [&](const char* name, Var (*f)(const Var&, const Var&), const char* doc) {
    m.def(name, [f](nb::handle a, nb::handle b) { return f(as_var(a), as_var(b)); }, nb::arg("a"), nb::arg("b"),
          joined_doc(doc, " Raises TypeError when ``a`` or ``b`` is not a dense tensor or a value that becomes one (sparse operands are refused: use hypatia.sparse); the compiled function raises ValueError when their shapes do not broadcast."));
  };
  un("exp2", &exp2, "2 ** x elementwise.");
  un("log2", &log2, "Base-2 logarithm elementwise.");
  un("log10", &log10, "Base-10 logarithm elementwise.");
  un("inv", &inv, "1 / x elementwise.");
  un("sin", &sin, "Sine elementwise.");
  un("cos", &cos, "Cosine elementwise.");
  un("tan", &tan, "Tangent elementwise.");
  un("arcsin", &arcsin, "Inverse sine elementwise.");
  un("arccos", &arccos, "Inverse cosine elementwise.");
  un("arctan", &arctan, "Inverse tangent elementwise.");
  un("sinh", &sinh, "Hyperbolic sine elementwise.");
  un("cosh", &cosh, "Hyperbolic cosine elementwise.");
  un("arcsinh", &arcsinh, "Inverse hyperbolic sine elementwise.");
  un("arccosh", &arccosh, "Inverse hyperbolic cosine elementwise.");
  un("arctanh", &arctanh, "Inverse hyperbolic tangent elementwise.");
  un("deg2rad", &deg2rad, "Degrees to radians elementwise.");
  un("rad2deg", &rad2deg, "Radians to degrees elementwise.");
  un("erf", &erf, "The error function elementwise.");
  un("erfc", &erfc, "1 - erf(x) elementwise.");
  un("erfinv", &erfinv, "Inverse error function elementwise.");
  un("erfcinv", &erfcinv, "Inverse complementary error function elementwise.");
  un("gamma", &gamma, "The gamma function elementwise.");
  un("gammaln", &gammaln, "log|gamma(x)| elementwise.");
  un("psi", &psi, "The digamma function elementwise.");
  un("tri_gamma", &tri_gamma, "The trigamma function elementwise.");
  un("rint", &rint, "Round to the nearest integer (half to even).");
  un("ceil", &ceil, "Ceiling elementwise.");
  un("floor", &floor, "Floor elementwise.");
  un("trunc", &trunc, "Truncation toward zero elementwise.");
  un("sgn", &sgn, "The sign (-1, 0 or 1) elementwise.");
  un("real", &real, "The real part of ``a`` (real inputs pass through unchanged).");
  un("imag", &imag, "The imaginary part.");
  un("angle", &angle, "The complex argument elementwise.");
  un("conj", &conj, "The complex conjugate elementwise.");
  un("isnan", &isnan, "True where x is NaN.");
  un("isinf", &isinf, "True where x is infinite.");
  un("invert", &invert, "Bitwise / logical not.");
  bin("arctan2", &arctan2, "arctan(a / b) with the quadrant from the signs, elementwise.");
  bin("maximum", &maximum, "The larger of a and b elementwise.");
  bin("minimum", &minimum, "The smaller of a and b elementwise.");
  bin("int_div", &int_div, "a // b elementwise (floor division).");
  bin("mod", &mod, "a % b elementwise (numpy's sign rule).");
  bin("and_", &and_, "a & b elementwise (bitwise / logical).");
  bin("or_", &or_, "a | b elementwise (bitwise / logical).");
  bin("xor", &xor_, "a ^ b elementwise (bitwise / logical).");
  m.def("round", [](nb::handle a, std::optional<std::string> mode) {
    return round(as_var(a), mode.value_or("half_away_from_zero"));
  }, nb::arg("a"), nb::arg("mode") = nb::none(),
        "Rounds in a's dtype; mode 'half_away_from_zero' (default) or 'half_to_even'. Raises TypeError when an operand is not a dense tensor or a value that becomes one, ValueError for another mode.");
  m.def("iround", [](nb::handle a, std::optional<std::string> mode) {
    return iround(as_var(a), mode.value_or("half_away_from_zero"));
  }, nb::arg("a"), nb::arg("mode") = nb::none(),
        "cast(round(a, mode), 'int64'). ``mode``: 'half_away_from_zero' (default) or 'half_to_even'. Raises TypeError when an operand is not a dense tensor or a value that becomes one, ValueError for another mode.");
  m.def("isclose", [](nb::handle a, nb::handle b, double rtol, double atol, bool equal_nan) {
    return isclose(as_var(a), as_var(b), rtol, atol, equal_nan);
  }, nb::arg("a"), nb::arg("b"), nb::arg("rtol") = 1e-5, nb::arg("atol") = 1e-8, nb::arg("equal_nan") = false,
        "numpy.isclose as a graph: ``|a - b| <= atol + rtol * |b|`` (bool). ``equal_nan`` counts NaNs at the same place as equal. Raises TypeError when an operand is not a dense tensor or a value that becomes one; the compiled function raises ValueError when the shapes do not broadcast.");
  m.def("switch", [](nb::handle c, nb::handle a, nb::handle b) { return switch_(as_var(c), as_var(a), as_var(b)); },
        nb::arg("cond"), nb::arg("ift"), nb::arg("iff"),
        "Elementwise cond ? ift : iff, broadcasting. Raises TypeError when an operand is not a dense tensor or a value that becomes one; the compiled function raises ValueError when the shapes do not broadcast.");
  m.def("clip", [](nb::handle x, nb::handle lo, nb::handle hi) { return clip(as_var(x), as_var(lo), as_var(hi)); },
        nb::arg("x"), nb::arg("min"), nb::arg("max"),
        "x clipped to [min, max] elementwise. Raises TypeError when an operand is not a dense tensor or a value that becomes one.");

  // Operators and methods of Variable. == and != stay Python identity (Theano's rule).
  nb::handle cls = nb::type<Var>();
  auto method = [&](const char* name, auto&& f, const auto&... extra) {
    nb::setattr(cls, name, nb::cpp_function(f, nb::is_method(), nb::name(name), extra...));
  };
  method("__floordiv__", [](const Var& a, nb::handle b) { return int_div(a, as_var(b)); }, "x // y (integer division).");
  method("__rfloordiv__", [](const Var& a, nb::handle b) { return int_div(as_var(b), a); }, "y // x (integer division).");
  method("__mod__", [](const Var& a, nb::handle b) { return mod(a, as_var(b)); }, "x % y.");
  method("__rmod__", [](const Var& a, nb::handle b) { return mod(as_var(b), a); }, "y % x.");
  method("__and__", [](const Var& a, nb::handle b) { return and_(a, as_var(b)); }, "x & y (bitwise / logical).");
  method("__rand__", [](const Var& a, nb::handle b) { return and_(as_var(b), a); }, "y & x.");
  method("__or__", [](const Var& a, nb::handle b) { return or_(a, as_var(b)); }, "x | y (bitwise / logical).");
  method("__ror__", [](const Var& a, nb::handle b) { return or_(as_var(b), a); }, "y | x.");
  method("__xor__", [](const Var& a, nb::handle b) { return xor_(a, as_var(b)); }, "x ^ y (bitwise / logical).");
  method("__rxor__", [](const Var& a, nb::handle b) { return xor_(as_var(b), a); }, "y ^ x.");
  method("__invert__", [](const Var& a) { return invert(a); }, "~x (bitwise not).");
  method("clip", [](const Var& a, nb::handle lo, nb::handle hi) { return clip(a, as_var(lo), as_var(hi)); },
         nb::arg("a_min"), nb::arg("a_max"), "x clipped to [min, max] elementwise (theano.tensor.clip).");
  method("round", [](const Var& a, std::optional<std::string> mode) {
    return round(a, mode.value_or("half_away_from_zero"));
  }, nb::arg("mode") = nb::none(), "x rounded elementwise; mode 'half_to_even' (default) or 'half_away_from_zero'.");
  method("conj", [](const Var& a) { return conj(a); }, "The complex conjugate (real inputs: themselves).");
  method("conjugate", [](const Var& a) { return conj(a); }, "The complex conjugate (real inputs: themselves).");
  nb::object property = nb::module_::import_("builtins").attr("property");
  nb::setattr(cls, "real", property(nb::cpp_function([](const Var& a) { return real(a); }, nb::is_method()), nb::none(),
                                     nb::none(), "The real part."));
  nb::setattr(cls, "imag", property(nb::cpp_function([](const Var& a) { return imag(a); }, nb::is_method()), nb::none(),
                                     nb::none(), "The imaginary part."));
}

}  // namespace hypatia::py
