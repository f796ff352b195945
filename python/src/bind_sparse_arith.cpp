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
  // hypatia.sparse.math's subclass of scipy's class: scipy's filters catch it, and it has its own doc.
  nb::object category = nb::module_::import_("hypatia.sparse.math").attr("SparseEfficiencyWarning");
  if (PyErr_WarnEx(category.ptr(), msg.c_str(), 1) < 0) throw nb::python_error();
}

void init_sparse_arith(nb::module_& root) {
  nb::module_ m = nb::borrow<nb::module_>(root.attr("sparse"));

  // ---- op objects under Theano's class names ----
  m.def("AddSS", [] { return make_op<AddSS>(); },
        "Theano's op class AddSS: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("AddSSData", [] { return make_op<AddSSData>(); },
        "Theano's op class AddSSData: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("AddSD", [] { return make_op<AddSD>(); },
        "Theano's op class AddSD: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("StructuredAddSV", [] { return make_op<StructuredAddSV>(); },
        "Theano's op class StructuredAddSV: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("MulSS", [] { return make_op<MulSS>(); },
        "Theano's op class MulSS: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("MulSD", [] { return make_op<MulSD>(); },
        "Theano's op class MulSD: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("MulSV", [] { return make_op<MulSV>(); },
        "Theano's op class MulSV: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("ColScaleCSC", [] { return make_op<ColScale>(); },
        "Theano's op class ColScaleCSC: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("RowScaleCSC", [] { return make_op<RowScale>(); },
        "Theano's op class RowScaleCSC: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("SpSum", [](nb::handle axis, bool sparse_grad) {
    int a = axis.is_none() ? -1 : nb::cast<int>(axis);
    if (a < -1 || a > 1) value_error("[SpSum] axis must be None, 0 or 1, got ", a);
    return make_op<SpSum>(SpSumParams{a, sparse_grad});
  }, nb::arg("axis") = nb::none(), nb::arg("sparse_grad") = true,
        "SpSum{axis, sparse_grad} (Theano's class default sparse_grad=True; sp_sum's is False). ``axis`` (None, 0 or 1) and ``sparse_grad`` are the op's parameters. Raises ValueError for another axis; calling the op raises TypeError when its input is not sparse.");
  const std::pair<const char*, sk::SpBinary> cmps[] = {
      {"Equal", sk::SpBinary::Eq},     {"NotEqual", sk::SpBinary::Ne},  {"LessThan", sk::SpBinary::Lt},
      {"GreaterThan", sk::SpBinary::Gt}, {"LessEqual", sk::SpBinary::Le}, {"GreaterEqual", sk::SpBinary::Ge}};
  for (const auto& [name, op] : cmps) {
    sk::SpBinary o = op;
    m.def((std::string(name) + "SS").c_str(), [o] { return make_op<CompareSS>(SparseCompareParams{o}); },
          "Theano's comparison op of two sparse matrices (a sparse bool result); call it on (x, y), which raises TypeError unless both are sparse.");
    m.def((std::string(name) + "SD").c_str(), [o] { return make_op<CompareSD>(SparseCompareParams{o}); },
          "Theano's comparison op of a sparse and a dense matrix (a dense bool result); call it on (x, y), which raises TypeError unless x is sparse and y dense.");
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
  auto bin = [&](const char* name, Bin f, const char* doc) {
    m.def(name, [f, name](nb::handle x, nb::handle y) { return f(as_operand(x, name), as_operand(y, name)); },
          nb::arg("x"), nb::arg("y"),
          joined_doc(doc, " ``x`` and ``y``: variables, scipy sparse matrices or numpy arrays. Raises TypeError when the operands' kinds, dtypes or ranks do not fit the operation; the compiled function raises ValueError when their shapes do not match."));
  };
  bin("add", &sparse::add, "x + y, at least one sparse: sparse if both are sparse (AddSS), else dense (AddSD).");
  bin("sub", &sparse::sub, "x - y, at least one sparse (x + (-y), as Theano).");
  bin("mul", &sparse::mul, "x * y elementwise, at least one sparse; a sparse result (MulSS or MulSD).");
  bin("add_s_s", &sparse::add_s_s, "AddSS: sparse + sparse of one format (sparse result).");
  bin("add_s_d", &sparse::add_s_d, "AddSD: sparse + dense (dense result; structured grad for the sparse operand).");
  bin("add_s_s_data", &sparse::add_s_s_data, "AddSSData: adds the data of two sparse matrices of the same pattern (sparse result).");
  bin("structured_add_s_v", &sparse::structured_add_s_v, "StructuredAddSV: sparse x with a dense vector added to its stored entries, by column.");
  bin("mul_s_s", &sparse::mul_s_s, "MulSS: sparse * sparse elementwise (sparse result).");
  bin("mul_s_d", &sparse::mul_s_d, "MulSD: sparse * dense elementwise (sparse result).");
  bin("mul_s_v", &sparse::mul_s_v, "MulSV: sparse x times a dense vector along its columns (sparse result).");
  bin("col_scale", &sparse::col_scale, "Column j of the sparse x multiplied by s[j] (same format). Structured grad.");
  bin("row_scale", &sparse::row_scale, "Row i of the sparse x multiplied by s[i] (same format). Structured grad.");
  // Comparisons, at least one operand sparse: a sparse bool matrix when both are sparse, else a
  // dense one, with scipy's values and a SparseEfficiencyWarning (hypatia's subclass of scipy's) where scipy warns.
  const std::pair<const char*, Bin> sparse_cmps[] = {{"eq", &sparse::eq}, {"neq", &sparse::neq}, {"lt", &sparse::lt},
                                                     {"gt", &sparse::gt}, {"le", &sparse::le}, {"ge", &sparse::ge}};
  for (const auto& [name, f] : sparse_cmps) {
    m.def(name, [f = f, name = name](nb::handle x, nb::handle y) {
      Var a = as_operand(x, name), b = as_operand(y, name);
      warn_sparse_comparison(name, x, y);
      return f(a, b);
    }, nb::arg("x"), nb::arg("y"),
          "The comparison of x and y, at least one sparse: a sparse bool matrix if both are sparse, else a dense "
          "one (scipy's values, and scipy's SparseEfficiencyWarning where scipy warns). Raises TypeError when neither operand is sparse or their dtypes or ranks do not fit; the compiled function raises ValueError when the shapes differ.");
  }
  bin("structured_pow", &sparse::structured_pow, "x's stored values raised to p (the pattern kept). Structured grad.");
  bin("structured_minimum", &sparse::structured_minimum, "min(stored value, y) at x's stored entries. Structured grad.");
  bin("structured_maximum", &sparse::structured_maximum, "max(stored value, y) at x's stored entries. Structured grad.");
  bin("structured_add", &sparse::structured_add, "y added to x's stored values only. Structured grad.");
  using Un = Var (*)(const Var&);
  auto un = [&](const char* name, Un f, const char* doc) {
    m.def(name, [f, name](nb::handle x) { return f(as_operand(x, name)); }, nb::arg("x"),
          joined_doc(doc, " ``x``: a sparse variable or a scipy csr/csc matrix. Raises TypeError when x is not sparse or its dtype does not fit the function."));
  };
  un("structured_sigmoid", &sparse::structured_sigmoid, "sigmoid of x's stored values (pattern kept). Structured grad.");
  un("structured_exp", &sparse::structured_exp, "exp of x's stored values (pattern kept). Structured grad.");
  un("structured_log", &sparse::structured_log, "log of x's stored values (pattern kept). Structured grad.");
  un("sin", &sparse::sin, "The structured sin of x's stored values (pattern kept; sparse result).");
  un("arcsin", &sparse::arcsin, "The structured arcsin of x's stored values (pattern kept; sparse result).");
  un("tan", &sparse::tan, "The structured tan of x's stored values (pattern kept; sparse result).");
  un("arctan", &sparse::arctan, "The structured arctan of x's stored values (pattern kept; sparse result).");
  un("sinh", &sparse::sinh, "The structured sinh of x's stored values (pattern kept; sparse result).");
  un("arcsinh", &sparse::arcsinh, "The structured arcsinh of x's stored values (pattern kept; sparse result).");
  un("tanh", &sparse::tanh, "The structured tanh of x's stored values (pattern kept; sparse result).");
  un("arctanh", &sparse::arctanh, "The structured arctanh of x's stored values (pattern kept; sparse result).");
  un("rad2deg", &sparse::rad2deg, "The structured rad2deg of x's stored values (pattern kept; sparse result).");
  un("deg2rad", &sparse::deg2rad, "The structured deg2rad of x's stored values (pattern kept; sparse result).");
  un("rint", &sparse::rint, "The structured rint of x's stored values (pattern kept; sparse result).");
  un("ceil", &sparse::ceil, "The structured ceil of x's stored values (pattern kept; sparse result).");
  un("floor", &sparse::floor, "The structured floor of x's stored values (pattern kept; sparse result).");
  un("trunc", &sparse::trunc, "The structured trunc of x's stored values (pattern kept; sparse result).");
  un("sgn", &sparse::sgn, "The structured sgn of x's stored values (pattern kept; sparse result).");
  un("log1p", &sparse::log1p, "The structured log1p of x's stored values (pattern kept; sparse result).");
  un("expm1", &sparse::expm1, "The structured expm1 of x's stored values (pattern kept; sparse result).");
  un("sqr", &sparse::sqr, "The structured sqr of x's stored values (pattern kept; sparse result).");
  un("sqrt", &sparse::sqrt, "The structured sqrt of x's stored values (pattern kept; sparse result).");
  un("abs_", &sparse::abs_, "The structured ``abs_`` of x's stored values (pattern kept; sparse result).");
  un("conj", &sparse::conj, "The structured conj of x's stored values (pattern kept; sparse result).");
  m.def("sp_sum", [](nb::handle x, nb::handle axis, bool sparse_grad) {
    std::optional<int> a;
    if (!axis.is_none()) a = nb::cast<int>(axis);
    return sparse::sp_sum(as_operand(x, "SpSum"), a, sparse_grad);
  }, nb::arg("x"), nb::arg("axis") = nb::none(), nb::arg("sparse_grad") = false,
        "The sum of a sparse matrix over all entries (axis=None), columns (0) or rows (1), dense. sparse_grad=True gives the structured grad; both grads are sparse of x's format. Raises TypeError when ``x`` is not sparse, ValueError when ``axis`` is not None, 0 or 1.");
  (void)root;
}

}  // namespace hypatia::py
