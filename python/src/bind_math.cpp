// Python bindings of the tensor math family (hypatia/tensor/math.h) and Variable's operators
// //, %, &, |, ^, ~ (with reflected forms) and methods clip, round, conj, real, imag.
#include "bindings.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/math.h"

namespace hypatia::py {

void init_math(nb::module_& m) {
  auto un = [&](const char* name, Var (*f)(const Var&)) {
    m.def(name, [f](nb::handle a) { return f(as_var(a)); }, nb::arg("a"));
  };
  auto bin = [&](const char* name, Var (*f)(const Var&, const Var&)) {
    m.def(name, [f](nb::handle a, nb::handle b) { return f(as_var(a), as_var(b)); }, nb::arg("a"), nb::arg("b"));
  };
  un("exp2", &exp2); un("log2", &log2); un("log10", &log10); un("inv", &inv);
  un("sin", &sin); un("cos", &cos); un("tan", &tan);
  un("arcsin", &arcsin); un("arccos", &arccos); un("arctan", &arctan);
  un("sinh", &sinh); un("cosh", &cosh); un("arcsinh", &arcsinh); un("arccosh", &arccosh); un("arctanh", &arctanh);
  un("deg2rad", &deg2rad); un("rad2deg", &rad2deg);
  un("erf", &erf); un("erfc", &erfc); un("erfinv", &erfinv); un("erfcinv", &erfcinv);
  un("gamma", &gamma); un("gammaln", &gammaln); un("psi", &psi); un("tri_gamma", &tri_gamma);
  un("rint", &rint); un("ceil", &ceil); un("floor", &floor); un("trunc", &trunc); un("sgn", &sgn);
  un("real", &real); un("imag", &imag); un("angle", &angle); un("conj", &conj);
  un("isnan", &isnan); un("isinf", &isinf); un("invert", &invert);
  bin("arctan2", &arctan2); bin("maximum", &maximum); bin("minimum", &minimum);
  bin("int_div", &int_div); bin("mod", &mod);
  bin("and_", &and_); bin("or_", &or_); bin("xor", &xor_);
  m.def("round", [](nb::handle a, std::optional<std::string> mode) {
    return round(as_var(a), mode.value_or("half_away_from_zero"));
  }, nb::arg("a"), nb::arg("mode") = nb::none());
  m.def("iround", [](nb::handle a, std::optional<std::string> mode) {
    return iround(as_var(a), mode.value_or("half_away_from_zero"));
  }, nb::arg("a"), nb::arg("mode") = nb::none());
  m.def("isclose", [](nb::handle a, nb::handle b, double rtol, double atol, bool equal_nan) {
    return isclose(as_var(a), as_var(b), rtol, atol, equal_nan);
  }, nb::arg("a"), nb::arg("b"), nb::arg("rtol") = 1e-5, nb::arg("atol") = 1e-8, nb::arg("equal_nan") = false);
  m.def("switch", [](nb::handle c, nb::handle a, nb::handle b) { return switch_(as_var(c), as_var(a), as_var(b)); },
        nb::arg("cond"), nb::arg("ift"), nb::arg("iff"));
  m.def("clip", [](nb::handle x, nb::handle lo, nb::handle hi) { return clip(as_var(x), as_var(lo), as_var(hi)); },
        nb::arg("x"), nb::arg("min"), nb::arg("max"));

  // Operators and methods of Variable. == and != stay Python identity (Theano's rule).
  nb::handle cls = nb::type<Var>();
  auto method = [&](const char* name, auto&& f, const auto&... extra) {
    nb::setattr(cls, name, nb::cpp_function(f, nb::is_method(), nb::name(name), extra...));
  };
  method("__floordiv__", [](const Var& a, nb::handle b) { return int_div(a, as_var(b)); });
  method("__rfloordiv__", [](const Var& a, nb::handle b) { return int_div(as_var(b), a); });
  method("__mod__", [](const Var& a, nb::handle b) { return mod(a, as_var(b)); });
  method("__rmod__", [](const Var& a, nb::handle b) { return mod(as_var(b), a); });
  method("__and__", [](const Var& a, nb::handle b) { return and_(a, as_var(b)); });
  method("__rand__", [](const Var& a, nb::handle b) { return and_(as_var(b), a); });
  method("__or__", [](const Var& a, nb::handle b) { return or_(a, as_var(b)); });
  method("__ror__", [](const Var& a, nb::handle b) { return or_(as_var(b), a); });
  method("__xor__", [](const Var& a, nb::handle b) { return xor_(a, as_var(b)); });
  method("__rxor__", [](const Var& a, nb::handle b) { return xor_(as_var(b), a); });
  method("__invert__", [](const Var& a) { return invert(a); });
  method("clip", [](const Var& a, nb::handle lo, nb::handle hi) { return clip(a, as_var(lo), as_var(hi)); },
         nb::arg("a_min"), nb::arg("a_max"));
  method("round", [](const Var& a, std::optional<std::string> mode) {
    return round(a, mode.value_or("half_away_from_zero"));
  }, nb::arg("mode") = nb::none());
  method("conj", [](const Var& a) { return conj(a); });
  method("conjugate", [](const Var& a) { return conj(a); });
  nb::object property = nb::module_::import_("builtins").attr("property");
  nb::setattr(cls, "real", property(nb::cpp_function([](const Var& a) { return real(a); }, nb::is_method())));
  nb::setattr(cls, "imag", property(nb::cpp_function([](const Var& a) { return imag(a); }, nb::is_method())));
}

}  // namespace hypatia::py
