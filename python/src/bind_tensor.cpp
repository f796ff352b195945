// Python bindings of the dense tensor API: constructors, starter ops, and Variable operators.
#include <atomic>

#include "bindings.h"
#include "hypatia/compile/function.h"
#include "hypatia/graph/variable_hook.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/sort.h"
#include "hypatia/tensor/ops/nnet.h"

namespace hypatia::py {

namespace {
// config.cast_policy: false is Theano's 'custom' (the narrowest dtype holding a Python scalar),
// true is 'numpy+floatX' (Python ints are int64 as in numpy, Python floats are floatX).
std::atomic<bool> g_numpy_floatX_casts{false};
}  // namespace

Var as_var(nb::handle obj) {
  if (nb::isinstance<Var>(obj)) return nb::cast<Var>(obj);
  if (obj.is_none()) type_error("[as_tensor_variable] cannot convert None to a tensor variable");
  if (PyBool_Check(obj.ptr())) return constant(NDArray::scalar<bool>(obj.ptr() == Py_True));
  if (PyLong_Check(obj.ptr())) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(obj.ptr(), &overflow);
    if (overflow) value_error("[as_tensor_variable] integer out of int64 range");
    if (g_numpy_floatX_casts.load(std::memory_order_relaxed)) return constant(NDArray::scalar<int64_t>(x));
    return constant_int(x);
  }
  if (PyFloat_Check(obj.ptr())) {
    const double x = PyFloat_AsDouble(obj.ptr());
    if (!g_numpy_floatX_casts.load(std::memory_order_relaxed)) return constant(x);
    return floatX() == DType::Float64 ? constant(NDArray::scalar<double>(x)) : constant(NDArray::full(floatX(), {}, x));
  }
  if (is_scipy_sparse(obj))
    type_error("[as_tensor_variable] got a scipy.sparse matrix; use hypatia.sparse (as_sparse_variable) for sparse constants");
  // Constants own their data: a later change to the caller's array must not change the graph.
  return constant(to_ndarray(obj).copy());
}

std::optional<std::vector<int>> as_axes(nb::handle obj) {
  if (obj.is_none()) return std::nullopt;
  if (PyLong_Check(obj.ptr())) return std::vector<int>{nb::cast<int>(obj)};
  std::vector<int> axes;
  for (auto a : obj) axes.push_back(nb::cast<int>(a));
  return axes;
}

namespace {
std::vector<int> dimshuffle_pattern(nb::handle args) {
  std::vector<int> pat;
  nb::object seq = nb::borrow(args);
  if (nb::len(args) == 1 && !PyLong_Check(nb::borrow<nb::tuple>(args)[0].ptr()) && !nb::isinstance<nb::str>(nb::borrow<nb::tuple>(args)[0]))
    seq = nb::borrow<nb::tuple>(args)[0];
  for (auto a : seq) {
    if (nb::isinstance<nb::str>(a)) {
      if (nb::cast<std::string>(a) != "x") value_error("[DimShuffle] pattern entries must be integers or 'x'");
      pat.push_back(-1);
    } else {
      // A float or other object is a user mistake, not an internal bad_cast.
      if (!PyIndex_Check(a.ptr()))
        type_error("[DimShuffle] pattern entries must be integers or 'x', got ", nb::str(nb::repr(a)).c_str());
      pat.push_back(nb::cast<int>(a));
    }
  }
  return pat;
}
std::vector<Var> shape_vars(nb::handle shape) {
  std::vector<Var> out;
  if (nb::isinstance<Var>(shape)) {
    Var s = nb::cast<Var>(shape);
    if (s.type()->ndim() == 0) return {s};
    // A symbolic shape vector: one element per entry of its static length is unknown here,
    // so callers pass ndim; handled by reshape_sym below.
    type_error("[Reshape] pass the new shape as a tuple/list (of ints or scalar variables)");
  }
  if (PyLong_Check(shape.ptr())) return {constant_int(nb::cast<int64_t>(shape))};
  for (auto d : shape) out.push_back(as_var(d));
  return out;
}
}  // namespace

void init_tensor(nb::module_& m) {
  m.def("floatX", [] { return std::string(dtype_name(floatX())); },
        "The default float dtype for Python floats (config.floatX).");
  m.def("set_floatX", [](const std::string& d) { set_floatX(dtype_from_name(d)); },
        "Sets config.floatX: float16, float32 or float64.");
  m.def("set_cast_policy", [](const std::string& p) {
    if (p != "custom" && p != "numpy+floatX")
      value_error("[config] cast_policy must be 'custom' or 'numpy+floatX', got '", p, "'");
    g_numpy_floatX_casts.store(p == "numpy+floatX", std::memory_order_relaxed);
  }, nb::arg("policy"),
        "Sets config.cast_policy: 'custom' (a Python int or float becomes the narrowest dtype\n"
        "holding it, float32 at least) or 'numpy+floatX' (int64 for ints, floatX for floats).");
  m.def("set_float64_hook", [](nb::object callback) {
    if (callback.is_none()) return set_variable_type_hook({});
    // The last copy of the hook may die on a thread without the GIL, or after the interpreter
    // has finalised (then the reference is leaked on purpose).
    std::shared_ptr<nb::object> held(new nb::object(std::move(callback)), [](nb::object* o) {
      if (!Py_IsInitialized()) return;
      nb::gil_scoped_acquire gil;
      delete o;
    });
    set_variable_type_hook([cb = std::move(held)](const TypePtr& t) {
      auto tt = std::dynamic_pointer_cast<const TensorType>(t);
      if (!tt || tt->dtype() != DType::Float64) return;
      nb::gil_scoped_acquire gil;
      (*cb)(tt->str());
    });
  }, nb::arg("callback").none(),
        "Calls callback(type_name) whenever a float64 tensor variable is made (config.warn_float64);\n"
        "an exception it raises fails the creation. None removes it.");
  m.def("tensor", [](const std::string& dtype, std::vector<bool> bc, std::optional<std::string> name) {
    return tensor(dtype_from_name(dtype), std::move(bc), name.value_or(""));
  }, nb::arg("dtype"), nb::arg("broadcastable"), nb::arg("name") = nb::none(),
        "A new input tensor variable of the given dtype and broadcastable pattern.");
  m.def("as_tensor_variable", [](nb::handle x) { return as_tensor_variable(as_var(x)); },
        "x as a dense tensor variable (numbers and arrays become constants; sparse is a TypeError).");
  m.def("constant", [](nb::handle x, std::optional<std::string> name) {
    Var c = as_var(x);
    if (name) c->name = *name;
    return c;
  }, nb::arg("x"), nb::arg("name") = nb::none(),
        "A constant holding x (a copy), optionally named.");

  auto bin = [&](const char* name, Var (*f)(const Var&, const Var&), const char* doc) {
    m.def(name, [f](nb::handle a, nb::handle b) { return f(as_var(a), as_var(b)); }, nb::arg("a"), nb::arg("b"),
          joined_doc(doc, " Raises TypeError when ``a`` or ``b`` is not a dense tensor or a value that becomes one (sparse operands are refused: use hypatia.sparse); the compiled function raises ValueError when their shapes do not broadcast."));
  };
  bin("add", &add, "a + b elementwise, broadcasting (numpy dtype promotion).");
  bin("sub", &sub, "a - b elementwise, broadcasting.");
  bin("mul", &mul, "a * b elementwise, broadcasting.");
  bin("true_div", &true_div, "a / b elementwise; int / int gives floatX.");
  bin("pow", &hypatia::pow, "a ** b elementwise.");
  bin("eq", &eq, "a == b elementwise (bool).");
  bin("neq", &neq, "a != b elementwise (bool).");
  bin("lt", &lt, "a < b elementwise (bool).");
  bin("gt", &gt, "a > b elementwise (bool).");
  bin("le", &le, "a <= b elementwise (bool).");
  bin("ge", &ge, "a >= b elementwise (bool).");
  bin("fill", &fill, "An array shaped like model filled with value (Theano's fill / second).");
  auto un = [&](const char* name, Var (*f)(const Var&), const char* doc) {
    m.def(name, [f](nb::handle a) { return f(as_var(a)); }, nb::arg("x"), joined_doc(doc, " Raises TypeError when ``x`` is not a dense tensor or a value that becomes one (a sparse variable is refused: use hypatia.sparse)."));
  };
  un("neg", &neg, "-x elementwise.");
  un("exp", &hypatia::exp, "e ** x elementwise.");
  un("log", &hypatia::log, "Natural logarithm elementwise.");
  un("sqr", &sqr, "x * x elementwise.");
  un("sqrt", &hypatia::sqrt, "Square root elementwise.");
  un("sigmoid", &sigmoid, "1 / (1 + exp(-x)) elementwise.");
  un("softplus", &softplus, "log(1 + exp(x)) elementwise, stable for large x.");
  un("log1p", &hypatia::log1p, "log(1 + x), accurate for tiny x.");
  un("expm1", &hypatia::expm1, "exp(x) - 1, accurate for tiny x.");
  un("tanh", &hypatia::tanh, "Hyperbolic tangent elementwise.");
  un("abs_", &abs_, "``|x|`` elementwise, keeping the dtype (Theano's ``abs_``).");
  un("zeros_like", &zeros_like, "Zeros shaped like x, of x's dtype.");
  un("ones_like", &ones_like, "Ones shaped like x, of x's dtype.");
  m.def("cast", [](nb::handle x, const std::string& d) { return cast(as_var(x), dtype_from_name(d)); }, nb::arg("x"), nb::arg("dtype"),
        "x cast to dtype (a sparse matrix stays sparse). ``x``: the variable; ``dtype``: the dtype name. Raises TypeError for an unknown dtype or a sparse dtype sparse matrices do not take.");
  m.def("dot", [](nb::handle a, nb::handle b) { return dot(as_operand(a, "dot"), as_operand(b, "dot")); },
        nb::arg("l"), nb::arg("r"),
        "theano.dot(l, r): with a sparse operand sparse.structured_dot (sparse . sparse is sparse; the sparse "
        "operand's gradient is structured), else tensor.dot. Raises TypeError when an operand is not a dense tensor or sparse matrix; the compiled function raises ValueError when the inner dimensions differ.");
  m.def("tensor_dot", [](nb::handle a, nb::handle b) {
    Var x = as_var(a), y = as_var(b);
    check_tensor_input(x, "dot");
    check_tensor_input(y, "dot");
    return dot(x, y);
  }, nb::arg("a"), nb::arg("b"),
        "tensor.dot(a, b) of dense operands: matrix/vector products through BLAS, N-d as tensordot over the last "
        "axis of a and the second-to-last of b. A sparse operand is a TypeError (see hypatia.dot). Raises TypeError when an operand is not a dense tensor or a value that becomes one (sparse operands go to hypatia.dot); the compiled function raises ValueError when the inner dimensions differ.");
  m.def("shape_i", [](nb::handle x, int i) { return shape_i(as_var(x), i); }, nb::arg("x"), nb::arg("i"),
        "The length of axis i of x (an int64 scalar). ``x``: the tensor; ``i``: the axis. Raises TypeError when an operand is not a dense tensor, IndexError when i is out of range.");
  m.def("reshape", [](nb::handle x, nb::handle shp) { return reshape(as_var(x), shape_vars(shp)); },
        "x with a new shape: a tuple of ints or scalar variables; -1 infers one axis.");
  m.def("dimshuffle", [](nb::handle x, nb::args pattern) { return dimshuffle(as_var(x), dimshuffle_pattern(pattern)); },
        nb::arg("x"), nb::arg("pattern"),
        "Theano's DimShuffle of x: a permutation of axes, 'x' inserting broadcastable ones. ``x``: the tensor "
        "(or a value that becomes one); ``pattern``: the new order, as separate arguments or one list/tuple, each "
        "entry an axis of x or 'x'. Raises TypeError when x is not a dense tensor or an entry is neither an int nor "
        "a string; ValueError for a string other than 'x', an axis out of range or repeated, or a "
        "non-broadcastable axis left out.");
  m.def("transpose", [](nb::handle x, nb::handle axes) { return transpose(as_var(x), as_axes(axes)); },
        nb::arg("x"), nb::arg("axes") = nb::none(),
        "x with its axes permuted (default: reversed); a sparse matrix becomes the other format. Raises TypeError when an operand is not a dense tensor or a value that becomes one, ValueError when ``axes`` is not a permutation of the axes.");
  m.def("infer_shape_of_node", [](const Var& out) -> nb::object {
    // The final node's infer_shape, fed symbolic input shapes (Shape_i of each input): what
    // the test harness compiles and compares with the real shape.
    Apply* node = out->owner;
    if (!node) return nb::none();
    std::vector<ShapeVec> shapes;
    for (const Var& i : node->inputs()) {
      ShapeVec s;
      for (int d = 0; d < i.type()->ndim(); ++d) s.push_back(shape_i(i, d));
      shapes.push_back(s);
    }
    auto inferred = node->op()->infer_shape(*node, shapes);
    if (!inferred) return nb::none();
    return nb::cast((*inferred)[out->index]);
  }, "Symbolic output shape from the op's infer_shape (None when the op has none).");
  m.def("alloc", [](nb::handle v, nb::args shp) {
    std::vector<Var> s;
    for (auto d : shp) s.push_back(as_var(d));
    return alloc(as_var(v), s);
  }, nb::arg("value"), nb::arg("shape"),
        "value broadcast to the given shape (each an int or scalar variable). ``value``: the tensor (or number) "
        "to broadcast; ``shape``: the lengths of the result's axes, one argument each (the trailing ones "
        "broadcast value's axes). Raises TypeError when value cannot become a tensor or a length is not an "
        "integer scalar; the compiled function raises ValueError when value does not broadcast to the shape.");

  auto opt_axis = [](nb::handle a) -> std::optional<int> {
    if (a.is_none()) return std::nullopt;
    return nb::cast<int>(a);
  };
  m.def("sort", [opt_axis](nb::handle x, nb::handle axis) { return hypatia::sort(as_var(x), opt_axis(axis)); },
        nb::arg("a"), nb::arg("axis").none() = -1, "numpy.sort along axis (None: flattened); differentiable. ``a``: the tensor. Raises TypeError when an operand is not a dense tensor or a value that becomes one, ValueError when axis is out of range.");
  m.def("argsort", [opt_axis](nb::handle x, nb::handle axis) { return argsort(as_var(x), opt_axis(axis)); },
        nb::arg("a"), nb::arg("axis").none() = -1, "Stable indices that sort along axis (None: flattened). ``a``: the tensor. Raises TypeError when an operand is not a dense tensor or a value that becomes one, ValueError when axis is out of range.");
  auto nonzero_of = [](nb::handle x, bool return_matrix) -> nb::object {
    std::vector<Var> idx = nonzero(as_var(x));
    if (!return_matrix) return nb::tuple(nb::cast(idx));
    std::vector<Var> rows;
    for (const Var& v : idx) rows.push_back(dimshuffle(v, {-1, 0}));
    nb::object join = nb::module_::import_("hypatia.tensor").attr("concatenate");
    return join(nb::cast(rows), 0);
  };
  m.def("nonzero", nonzero_of, nb::arg("a"), nb::arg("return_matrix") = false,
        "numpy.nonzero: a tuple of int64 index vectors, or a (ndim, nnz) matrix. ``a``: the tensor; ``return_matrix`` returns the (ndim, nnz) matrix instead of a tuple. Raises TypeError when an operand is not a dense tensor.");
  m.def("flatnonzero", [](nb::handle x) { return flatnonzero(as_var(x)); }, nb::arg("x"),
        "Indices of the non-zero elements of the flattened x. ``x``: the tensor. Raises TypeError when an operand is not a dense tensor.");
  m.def("tensor_copy", [](nb::handle x) { return elemwise(ScalarOpId::Identity, {as_var(x)}); }, nb::arg("x"),
        "A copy of x (an Identity node). ``x``: the tensor (or a value that becomes one). Raises TypeError when x "
        "is None or cannot become a tensor.");

  // Operators and methods of Variable (Theano's _tensor_py_operators and, for sparse operands,
  // _sparse_py_operators). Each calls the C++ builder, which decides dense or sparse from the
  // operand types (Type::apply_operator); scipy csr/csc operands become sparse constants.
  nb::handle cls = nb::type<Var>();
  auto method = [&](const char* name, auto&& f, const auto&... extra) {
    nb::setattr(cls, name, nb::cpp_function(f, nb::is_method(), nb::name(name), extra...));
  };
  using Bin = Var (*)(const Var&, const Var&);
  auto binop = [&](const char* name, const char* rname, Bin f, const char* doc) {
    method(name, [f, name](const Var& a, nb::handle b) { return f(a, as_operand(b, name)); }, doc);
    if (rname) method(rname, [f, rname](const Var& a, nb::handle b) { return f(as_operand(b, rname), a); }, doc);
  };
  binop("__add__", "__radd__", &add, "x + y (sparse + sparse is sparse, sparse + dense dense).");
  binop("__sub__", "__rsub__", &sub, "x - y (sparse - sparse is sparse, with a dense operand dense).");
  binop("__mul__", "__rmul__", &mul, "x * y elementwise (a sparse operand gives a sparse result).");
  binop("__truediv__", "__rtruediv__", &true_div, "x / y (int / int gives a float; sparse / dense is sparse).");
  binop("__pow__", "__rpow__", &hypatia::pow, "x ** y (dense only; for sparse see hypatia.sparse.structured_pow).");
  binop("__matmul__", "__rmatmul__", &matmul, "x @ y: tensor dot; with a sparse operand the regular sparse Dot.");
  binop("dot", nullptr, &matmul, "x.dot(y): tensor dot; with a sparse operand the regular sparse Dot (dense result).");
  binop("__dot__", "__rdot__", &dot, "theano.dot(x, y): structured_dot when an operand is sparse, else tensor dot.");
  auto cmp = [&](const char* name, const char* sparse_name, Bin f, const char* doc) {
    method(name, [f, sparse_name](const Var& a, nb::handle b) {
      Var y = as_operand(b, sparse_name);
      warn_sparse_comparison(sparse_name, nb::cast(a), b);
      return f(a, y);
    }, doc);
  };
  cmp("__lt__", "lt", &lt, "x < y (bool); with a sparse operand see hypatia.sparse.lt.");
  cmp("__le__", "le", &le, "x <= y (bool); with a sparse operand see hypatia.sparse.le.");
  cmp("__gt__", "gt", &gt, "x > y (bool); with a sparse operand see hypatia.sparse.gt.");
  cmp("__ge__", "ge", &ge, "x >= y (bool); with a sparse operand see hypatia.sparse.ge.");
  method("__neg__", [](const Var& a) { return neg(a); }, "-x.");
  method("__abs__", [](const Var& a) { return abs_(a); }, "abs(x), keeping the dtype.");
  method("__pos__", [](const Var& a) { return a; }, "+x (x itself).");
  method("dimshuffle", [](const Var& a, nb::args pattern) {
    if (Var r = dispatch_operator(Operator::DimShuffle, {a})) return r;  // sparse: TypeError (always 2-d)
    return dimshuffle(a, dimshuffle_pattern(pattern));
  }, "Theano's DimShuffle: x.dimshuffle(1, 'x', 0) permutes axes, 'x' inserts a broadcastable one.");
  method("transpose", [](const Var& a, nb::args axes) {
    if (nb::len(axes) == 0) return transpose(a);
    return transpose(a, as_axes(nb::len(axes) == 1 && !PyLong_Check(axes[0].ptr()) ? axes[0] : axes));
  }, "``x.transpose(*axes)``: reversed axes by default; a sparse matrix becomes the other format.");
  method("nonzero", [nonzero_of](const Var& a, bool return_matrix) { return nonzero_of(nb::cast(a), return_matrix); },
         nb::arg("return_matrix") = false, "numpy.nonzero: a tuple of int64 index vectors, or a (ndim, nnz) matrix.");
  method("sort", [opt_axis](const Var& a, nb::handle axis) { return hypatia::sort(a, opt_axis(axis)); },
         nb::arg("axis").none() = -1, "numpy.sort along axis (None: flattened).");
  method("argsort", [opt_axis](const Var& a, nb::handle axis) { return argsort(a, opt_axis(axis)); },
         nb::arg("axis").none() = -1, "Stable indices that sort along axis (None: flattened).");
  method("copy", [](const Var& a, std::optional<std::string> name) {
    Var c = elemwise(ScalarOpId::Identity, {a});
    if (name) c->name = *name;
    return c;
  }, nb::arg("name") = nb::none(), "A copy of x (tensor_copy), optionally named.");
  method("astype", [](const Var& a, nb::handle d) {
    DType to = dtype_arg(d);
    if (a.type()->kind() == TypeKind::Sparse) warn_if_discarding_imaginary(a, to);
    return cast(a, to);
  }, "x cast to dtype (a numpy dtype, its name or 'floatX').");
  method("toarray", [](const Var& a) {
    if (a.type()->kind() != TypeKind::Sparse) type_error("[toarray] the variable is already dense (", a.type()->str(), ")");
    return sparse::dense_from_sparse(a, true);
  }, "The dense matrix of a sparse variable (sparse.dense_from_sparse).");
  auto property = [&](const char* name, auto&& f, const char* doc) {
    nb::setattr(cls, name, nb::module_::import_("builtins").attr("property")(
        nb::cpp_function(f, nb::is_method()), nb::none(), nb::none(), doc));
  };
  property("T", [](const Var& a) { return transpose(a); }, "The transpose (a sparse matrix: the other format, no copy).");
  property("shape", [](const Var& a) { return shape(a); }, "The symbolic shape (an int64 vector).");
  property("format", [](const Var& a) -> std::string {
    if (a.type()->kind() != TypeKind::Sparse)
      throw nb::attribute_error("'Variable' object has no attribute 'format' (only sparse variables have it)");
    return format_name(sparse_type(a)->format());
  }, "'csr' or 'csc' (sparse variables only). ``x``: the tensor. Raises TypeError when an operand is not a dense tensor.");
}

// ---- nnet (theano.tensor.nnet): activations, softmax, crossentropies ----
void init_nnet(nb::module_& m) {
  auto un = [&](const char* name, Var (*f)(const Var&), const char* doc) {
    m.def(name, [f](nb::handle a) { return f(as_var(a)); }, nb::arg("x"), joined_doc(doc, " Raises TypeError when ``x`` is not a dense tensor or a value that becomes one (a sparse variable is refused: use hypatia.sparse)."));
  };
  un("softsign", &softsign, "``x / (1 + |x|)`` elementwise.");
  un("selu", &selu, "Scaled exponential linear unit elementwise.");
  un("hard_sigmoid", &hard_sigmoid, "Piecewise-linear sigmoid approximation: clip(0.2 x + 0.5, 0, 1).");
  un("ultra_fast_sigmoid", &ultra_fast_sigmoid, "Theano's fast piecewise sigmoid approximation.");
  un("softmax", &softmax, "Row-wise softmax of a matrix (a vector: of the vector).");
  un("log_softmax", &log_softmax, "Row-wise log(softmax(x)), computed stably.");
  m.def("relu", [](nb::handle x, double alpha) { return relu(as_var(x), alpha); }, nb::arg("x"), nb::arg("alpha") = 0.0,
        "max(x, alpha * x) elementwise (alpha = 0: the plain ReLU). ``alpha`` is the slope for x < 0. Raises TypeError when an operand is not a dense tensor of the rank the function expects.");
  m.def("elu", [](nb::handle x, double alpha) { return elu(as_var(x), alpha); }, nb::arg("x"), nb::arg("alpha") = 1.0,
        "x where x > 0, alpha * (exp(x) - 1) elsewhere. ``alpha`` scales the negative part. Raises TypeError when an operand is not a dense tensor of the rank the function expects.");
  m.def("binary_crossentropy", [](nb::handle o, nb::handle t) { return binary_crossentropy(as_var(o), as_var(t)); },
        nb::arg("output"), nb::arg("target"),
        "-(target log(output) + (1 - target) log(1 - output)) elementwise. Raises TypeError when an operand is not a dense tensor of the rank the function expects; the compiled function raises ValueError when the shapes do not agree.");
  m.def("sigmoid_binary_crossentropy", [](nb::handle o, nb::handle t) {
    return sigmoid_binary_crossentropy(as_var(o), as_var(t));
  }, nb::arg("output"), nb::arg("target"),
        "binary_crossentropy(sigmoid(output), target), computed stably from the logits. Raises TypeError when an operand is not a dense tensor of the rank the function expects; the compiled function raises ValueError when the shapes do not agree.");
  m.def("categorical_crossentropy", [](nb::handle c, nb::handle t) {
    return categorical_crossentropy(as_var(c), as_var(t));
  }, nb::arg("coding_dist"), nb::arg("true_dist"),
        "-sum(true_dist * log(coding_dist)) per row; true_dist may be integer class labels. ``coding_dist``: the predicted distributions (rows); ``true_dist``: the target distributions or integer labels. Raises TypeError when an operand is not a dense tensor of the rank the function expects; the compiled function raises ValueError for a label out of range.");
}

}  // namespace hypatia::py
