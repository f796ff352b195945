// Python bindings of the sparse arithmetic ops (hypatia._core.sparse): add/sub/mul families,
// comparisons, scalings, structured elementwise functions and sp_sum.
#include "bindings.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/math.h"
#include "hypatia/sparse/ops/arith.h"
#include "hypatia/sparse/ops/compare.h"
#include "hypatia/sparse/ops/reduce.h"

namespace hypatia::py {

namespace {
namespace sk = sparse_kernels;

}  // namespace

namespace {
bool sparse_handle(nb::handle h) {
  return (nb::isinstance<Var>(h) && nb::cast<Var>(h).type()->kind() == TypeKind::Sparse) || is_scipy_sparse(h);
}
}  // namespace

void warn_sparse_comparison(const char* name_in, nb::handle x, nb::handle y) {
  struct Cmp { const char *name, *swapped, *inverse, *sym, *np; };
  static const Cmp table[] = {{"eq", "eq", "neq", "==", "equal"},      {"neq", "neq", "eq", "!=", "not_equal"},
                              {"lt", "gt", "ge", "<", "less"},         {"gt", "lt", "le", ">", "greater"},
                              {"le", "ge", "gt", "<=", "less_equal"}, {"ge", "le", "lt", ">=", "greater_equal"}};
  auto find = [](std::string_view n) -> const Cmp& {
    for (const Cmp& c : table)
      if (n == c.name) return c;
    throw std::logic_error("warn_sparse_comparison: unknown comparison");
  };
  const Cmp* c = &find(name_in);
  bool xs = sparse_handle(x), ys = sparse_handle(y);
  if (ys && !xs) {  // dense (op) sparse is sparse (swapped op) dense
    std::swap(x, y);
    std::swap(xs, ys);
    c = &find(c->swapped);
  }
  if (!xs) return;
  const char* sym_inv = find(c->inverse).sym;
  std::string msg;
  if (ys) {
    const std::string_view n = c->name;
    if (n != "eq" && n != "le" && n != "ge") return;  // scipy computes these as a complement
    msg = std::string("Comparing two sparse matrices using ") + c->sym + " is inefficient. Try using " + sym_inv +
          " instead.";
  } else {
    nb::module_ np = nb::module_::import_("numpy");
    nb::object s;
    if (nb::isinstance(y, np.attr("ndarray"))) {
      if (nb::cast<int>(y.attr("ndim")) != 0) return;
      s = y.attr("__getitem__")(nb::tuple());
    } else if (nb::isinstance(y, nb::module_::import_("numbers").attr("Number")) ||
               nb::isinstance(y, np.attr("number")) || nb::isinstance(y, np.attr("bool_"))) {
      s = nb::borrow(y);
    } else {
      return;
    }
    // scipy's rule for a scalar: the comparison holds at every implicit zero.
    if (!nb::cast<bool>(nb::bool_(np.attr(c->np)(0, s)))) return;
    msg = "Comparing a sparse matrix with " + nb::cast<std::string>(nb::str(s)) + " using " + c->sym +
          " is inefficient. Try using " + sym_inv + " instead.";
  }
  nb::object category = nb::module_::import_("scipy.sparse").attr("SparseEfficiencyWarning");
  if (PyErr_WarnEx(category.ptr(), msg.c_str(), 1) < 0) throw nb::python_error();
}

void init_sparse_arith(nb::module_& root) {
  nb::module_ m = nb::borrow<nb::module_>(root.attr("sparse"));

  // ---- op objects under Theano's class names ----
  m.def("AddSS", [] { return make_op<AddSS>(); });
  m.def("AddSSData", [] { return make_op<AddSSData>(); });
  m.def("AddSD", [] { return make_op<AddSD>(); });
  m.def("StructuredAddSV", [] { return make_op<StructuredAddSV>(); });
  m.def("MulSS", [] { return make_op<MulSS>(); });
  m.def("MulSD", [] { return make_op<MulSD>(); });
  m.def("MulSV", [] { return make_op<MulSV>(); });
  m.def("ColScaleCSC", [] { return make_op<ColScale>(); });
  m.def("RowScaleCSC", [] { return make_op<RowScale>(); });
  m.def("SpSum", [](nb::handle axis, bool sparse_grad) {
    int a = axis.is_none() ? -1 : nb::cast<int>(axis);
    if (a < -1 || a > 1) value_error("[SpSum] axis must be None, 0 or 1, got ", a);
    return make_op<SpSum>(SpSumParams{a, sparse_grad});
  }, nb::arg("axis") = nb::none(), nb::arg("sparse_grad") = true);
  const std::pair<const char*, sk::SpBinary> cmps[] = {
      {"Equal", sk::SpBinary::Eq},     {"NotEqual", sk::SpBinary::Ne},  {"LessThan", sk::SpBinary::Lt},
      {"GreaterThan", sk::SpBinary::Gt}, {"LessEqual", sk::SpBinary::Le}, {"GreaterEqual", sk::SpBinary::Ge}};
  for (const auto& [name, op] : cmps) {
    sk::SpBinary o = op;
    m.def((std::string(name) + "SS").c_str(), [o] { return make_op<CompareSS>(SparseCompareParams{o}); });
    m.def((std::string(name) + "SD").c_str(), [o] { return make_op<CompareSD>(SparseCompareParams{o}); });
  }

  // Theano's make_node input names (keyword inputs of op instances).
  for (auto t : {std::type_index(typeid(AddSS)), std::type_index(typeid(AddSSData)), std::type_index(typeid(AddSD)),
                 std::type_index(typeid(StructuredAddSV)), std::type_index(typeid(MulSS)), std::type_index(typeid(MulSD)),
                 std::type_index(typeid(MulSV)), std::type_index(typeid(CompareSS)), std::type_index(typeid(CompareSD))})
    register_op_params(t, {{"x"}, {"y"}});
  op_params<ColScale>({{"x"}, {"s"}});
  op_params<RowScale>({{"x"}, {"s"}});
  op_params<SpSum>({{"x"}});

  // ---- builders ----
  using Bin = Var (*)(const Var&, const Var&);
  auto bin = [&](const char* name, Bin f) {
    m.def(name, [f, name](nb::handle x, nb::handle y) { return f(as_operand(x, name), as_operand(y, name)); },
          nb::arg("x"), nb::arg("y"));
  };
  bin("add", &sparse::add);
  bin("sub", &sparse::sub);
  bin("mul", &sparse::mul);
  bin("add_s_s", &sparse::add_s_s);
  bin("add_s_d", &sparse::add_s_d);
  bin("add_s_s_data", &sparse::add_s_s_data);
  bin("structured_add_s_v", &sparse::structured_add_s_v);
  bin("mul_s_s", &sparse::mul_s_s);
  bin("mul_s_d", &sparse::mul_s_d);
  bin("mul_s_v", &sparse::mul_s_v);
  bin("col_scale", &sparse::col_scale);
  bin("row_scale", &sparse::row_scale);
  // Comparisons, at least one operand sparse: a sparse bool matrix when both are sparse, else a
  // dense one, with scipy's values and scipy's SparseEfficiencyWarning where scipy warns.
  const std::pair<const char*, Bin> sparse_cmps[] = {{"eq", &sparse::eq}, {"neq", &sparse::neq}, {"lt", &sparse::lt},
                                                     {"gt", &sparse::gt}, {"le", &sparse::le}, {"ge", &sparse::ge}};
  for (const auto& [name, f] : sparse_cmps) {
    m.def(name, [f = f, name = name](nb::handle x, nb::handle y) {
      Var a = as_operand(x, name), b = as_operand(y, name);
      warn_sparse_comparison(name, x, y);
      return f(a, b);
    }, nb::arg("x"), nb::arg("y"));
  }
  bin("structured_pow", &sparse::structured_pow);
  bin("structured_minimum", &sparse::structured_minimum);
  bin("structured_maximum", &sparse::structured_maximum);
  bin("structured_add", &sparse::structured_add);
  using Un = Var (*)(const Var&);
  auto un = [&](const char* name, Un f) {
    m.def(name, [f, name](nb::handle x) { return f(as_operand(x, name)); }, nb::arg("x"));
  };
  un("structured_sigmoid", &sparse::structured_sigmoid);
  un("structured_exp", &sparse::structured_exp);
  un("structured_log", &sparse::structured_log);
  un("sin", &sparse::sin);
  un("arcsin", &sparse::arcsin);
  un("tan", &sparse::tan);
  un("arctan", &sparse::arctan);
  un("sinh", &sparse::sinh);
  un("arcsinh", &sparse::arcsinh);
  un("tanh", &sparse::tanh);
  un("arctanh", &sparse::arctanh);
  un("rad2deg", &sparse::rad2deg);
  un("deg2rad", &sparse::deg2rad);
  un("rint", &sparse::rint);
  un("ceil", &sparse::ceil);
  un("floor", &sparse::floor);
  un("trunc", &sparse::trunc);
  un("sgn", &sparse::sgn);
  un("log1p", &sparse::log1p);
  un("expm1", &sparse::expm1);
  un("sqr", &sparse::sqr);
  un("sqrt", &sparse::sqrt);
  un("abs_", &sparse::abs_);
  un("conj", &sparse::conj);
  m.def("sp_sum", [](nb::handle x, nb::handle axis, bool sparse_grad) {
    std::optional<int> a;
    if (!axis.is_none()) a = nb::cast<int>(axis);
    return sparse::sp_sum(as_operand(x, "SpSum"), a, sparse_grad);
  }, nb::arg("x"), nb::arg("axis") = nb::none(), nb::arg("sparse_grad") = false);
  (void)root;
}

}  // namespace hypatia::py
