// Python bindings of the tensor shape family: shaping, joining, splitting and creation builders
// (the _core.shape submodule, wrapped by hypatia/tensor/_shape.py) and Variable methods.
#include "bindings.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/shape.h"

namespace hypatia::py {
namespace {


Var opt_var(nb::handle v) { return v.is_none() ? Var() : as_var(v); }

std::vector<Var> var_list(nb::handle seq) {
  std::vector<Var> out;
  for (auto e : seq) out.push_back(as_var(e));
  return out;
}

// A reshape/zeros shape: an int, a sequence of ints/scalars, or (for reshape) a vector variable.
Var reshape_any(const Var& x, nb::handle shp, nb::handle ndim) {
  std::optional<int> nd;
  if (!ndim.is_none()) nd = nb::cast<int>(ndim);
  if (nb::isinstance<Var>(shp)) {
    Var s = nb::cast<Var>(shp);
    if (s.type()->ndim() == 0) return reshape(x, std::vector<Var>{s});
    return reshape_vec(x, s, nd);
  }
  if (PyLong_Check(shp.ptr())) return reshape(x, std::vector<Var>{as_var(shp)});
  std::vector<Var> dims = var_list(shp);
  Var r = reshape(x, dims);
  if (nd && *nd != r.type()->ndim())
    value_error("[Reshape] ndim=", *nd, " does not match the ", dims.size(), " entries of the shape");
  return r;
}

}  // namespace

void init_shape(nb::module_& root) {
  // Shape manipulation (theano.tensor's shape family): _core.shape.<name>.
  nb::module_ m = root.def_submodule("shape", "Shape manipulation: reshape, flatten, join/stack/split, tile, ...");
  m.def("shape", [](nb::handle x) { return shape(as_var(x)); }, nb::arg("x"), "The symbolic shape of x (an int64 vector). Raises TypeError when ``x`` is not a variable or a value that becomes one.");
  m.def("flatten", [](nb::handle x, int ndim) { return flatten(as_var(x), ndim); },
        "x reshaped to ndim dimensions, the trailing ones merged.");
  m.def("padleft", [](nb::handle x, int n) { return shape_padleft(as_var(x), n); },
        "x with n broadcastable axes added on the left.");
  m.def("padright", [](nb::handle x, int n) { return shape_padright(as_var(x), n); },
        "x with n broadcastable axes added on the right.");
  m.def("padaxis", [](nb::handle x, int axis) { return shape_padaxis(as_var(x), axis); },
        "x with a broadcastable axis inserted at axis.");
  m.def("squeeze", [](nb::handle x) { return squeeze(as_var(x)); },
        "Drops every broadcastable axis.");
  m.def("swapaxes", [](nb::handle x, int a, int b) { return swapaxes(as_var(x), a, b); },
        "x with two axes exchanged.");
  m.def("specify_shape", [](nb::handle x, nb::handle shp) {
    if (nb::isinstance<Var>(shp)) return specify_shape_vec(as_var(x), nb::cast<Var>(shp));
    return specify_shape(as_var(x), var_list(shp));
  },
        "x, checked at run time to have the given shape.");
  m.def("addbroadcast", [](nb::handle x, std::vector<int> axes) { return addbroadcast(as_var(x), axes); },
        "x with the given axes marked broadcastable (checked to be length 1 at run time).");
  m.def("unbroadcast", [](nb::handle x, std::vector<int> axes) { return unbroadcast(as_var(x), axes); },
        "x with the given axes marked not broadcastable.");
  m.def("patternbroadcast", [](nb::handle x, std::vector<bool> p) { return patternbroadcast(as_var(x), p); },
        "x with the given broadcastable pattern.");
  m.def("as_tensor_variable", [](nb::handle x, int ndim) { return as_tensor_variable(as_var(x), ndim); },
        "x as a dense tensor variable (numbers and arrays become constants; sparse is a TypeError).");
  m.def("reshape", [](nb::handle x, nb::handle shp, nb::handle ndim) { return reshape_any(as_var(x), shp, ndim); }, nb::arg("x"), nb::arg("shape"), nb::arg("ndim").none(),
        "Reshape to a tuple/list (ints or scalar variables) or a symbolic int vector; ndim is required when a symbolic vector's length cannot be inferred.");
  m.def("join", [](nb::handle axis, nb::handle tensors) { return join(as_var(axis), var_list(tensors)); },
        "The tensors concatenated along axis (Theano's join).");
  m.def("stack", [](nb::handle tensors, int axis) { return stack(var_list(tensors), axis); },
        "The tensors stacked along a new axis.");
  m.def("split", [](nb::handle x, nb::handle splits, int n, nb::handle axis) {
    Var s = nb::isinstance<Var>(splits) ? nb::cast<Var>(splits) : make_vector(var_list(splits));
    return split(as_var(x), s, n, as_var(axis));
  },
        "x split along axis into n parts of the given sizes.");
  m.def("tile", [](nb::handle x, std::vector<int64_t> reps) { return tile(as_var(x), reps); },
        "numpy.tile: x repeated reps times along each axis.");
  m.def("roll", [](nb::handle x, nb::handle shift, std::optional<int> axis) { return roll(as_var(x), as_var(shift), axis); },
        "numpy.roll: x shifted along axis (None: flattened), wrapping around.");
  m.def("zeros", [](nb::handle shp, nb::handle dtype) { return zeros(var_list(shp), opt_dtype(dtype)); }, nb::arg("shape"), nb::arg("dtype").none(),
        "Zeros of the given shape and dtype (default floatX).");
  m.def("ones", [](nb::handle shp, nb::handle dtype) { return ones(var_list(shp), opt_dtype(dtype)); }, nb::arg("shape"), nb::arg("dtype").none(),
        "Ones of the given shape and dtype (default floatX).");
  m.def("zeros_like", [](nb::handle x, nb::handle dtype) { return zeros_like(as_var(x), opt_dtype(dtype)); }, nb::arg("x"), nb::arg("dtype").none(),
        "Zeros shaped like x (dtype: x's unless given).");
  m.def("ones_like", [](nb::handle x, nb::handle dtype) { return ones_like(as_var(x), opt_dtype(dtype)); }, nb::arg("x"), nb::arg("dtype").none(),
        "Ones shaped like x (dtype: x's unless given).");
  m.def("eye", [](nb::handle n, nb::handle mm, nb::handle k, nb::handle dtype) {
    return eye(as_var(n), opt_var(mm), as_var(k), opt_dtype(dtype));
  }, nb::arg("n"), nb::arg("m").none(), nb::arg("k"), nb::arg("dtype").none(),
        "An N x M matrix with ones on the k-th diagonal.");
  m.def("identity_like", [](nb::handle x) { return identity_like(as_var(x)); },
        "The identity matrix shaped like the matrix x.");
  m.def("arange", [](nb::handle a, nb::handle b, nb::handle c, nb::handle dtype) {
    return arange(as_var(a), opt_var(b), as_var(c), opt_dtype(dtype));
  }, nb::arg("start"), nb::arg("stop").none(), nb::arg("step"), nb::arg("dtype").none(),
        "numpy.arange; int64 for integer arguments, floatX for float ones unless dtype is given.");
  m.def("diag", [](nb::handle x, int k) { return diag(as_var(x), k); },
        "vector -> matrix with v on diagonal k; matrix -> its diagonal k.");
  m.def("diagonal", [](nb::handle x, int o, int a1, int a2) { return diagonal(as_var(x), o, a1, a2); },
        "The diagonal of x with an offset over two axes.");
  m.def("trace", [](nb::handle x) { return trace(as_var(x)); },
        "The sum of the main diagonal of a matrix.");
  m.def("tri", [](nb::handle n, nb::handle mm, nb::handle k, nb::handle dtype) {
    return tri(as_var(n), opt_var(mm), as_var(k), opt_dtype(dtype));
  }, nb::arg("N"), nb::arg("M").none(), nb::arg("k"), nb::arg("dtype").none(),
        "An N x M matrix with ones at and below the k-th diagonal.");
  m.def("tril", [](nb::handle x, int k) { return tril(as_var(x), k); },
        "The lower triangle of x (below the k-th diagonal zeroed above).");
  m.def("triu", [](nb::handle x, int k) { return triu(as_var(x), k); },
        "The upper triangle of x (below the k-th diagonal zeroed).");
  m.def("size", [](nb::handle x) { return size(as_var(x)); },
        "The number of elements of x (an int64 scalar).");

  // Variable methods (Theano's _tensor_py_operators).
  nb::handle cls = nb::type<Var>();
  auto method = [&](const char* name, auto&& f, const auto&... extra) {
    nb::setattr(cls, name, nb::cpp_function(f, nb::is_method(), nb::name(name), extra...));
  };
  method("flatten", [](const Var& a, int ndim) { return flatten(a, ndim); }, nb::arg("ndim") = 1, "x reshaped to ndim dimensions, the trailing ones merged (default: a vector).");
  method("ravel", [](const Var& a) { return flatten(a, 1); }, "x as a vector (flatten(1)).");
  method("squeeze", [](const Var& a) { return squeeze(a); }, "x without its broadcastable (length-1) axes.");
  method("swapaxes", [](const Var& a, int x, int y) { return swapaxes(a, x, y); }, "x with axes axis1 and axis2 exchanged.");
  method("reshape", [](const Var& a, nb::handle shp, nb::handle ndim) {
    if (Var r = dispatch_operator(Operator::Reshape, {a})) return r;  // sparse: TypeError (always 2-d)
    return reshape_any(a, shp, ndim);
  },
         nb::arg("shape"), nb::arg("ndim").none() = nb::none(), "x with a new shape (ints or scalar variables, -1 infers one axis; or a shape vector with ndim). Sparse matrices cannot be reshaped (TypeError).");
  method("diagonal", [](const Var& a, int o, int a1, int a2) { return diagonal(a, o, a1, a2); },
         nb::arg("offset") = 0, nb::arg("axis1") = 0, nb::arg("axis2") = 1, "The diagonal with the given offset over axis1 and axis2.");
  method("trace", [](const Var& a) { return trace(a); }, "The sum of the main diagonal.");
  method("fill", [](const Var& a, nb::handle v) { return fill(a, as_var(v)); }, "An array shaped like x filled with value (Theano's fill).");
  method("zeros_like", [](const Var& a, nb::handle d) { return zeros_like(a, opt_dtype(d)); }, nb::arg("dtype").none() = nb::none(), "Zeros shaped like x (dtype: x's unless given).");
  method("ones_like", [](const Var& a, nb::handle d) { return ones_like(a, opt_dtype(d)); }, nb::arg("dtype").none() = nb::none(), "Ones shaped like x (dtype: x's unless given).");
  method("__len__", [](const Var&) -> int64_t {
    throw nb::type_error("object of type 'TensorVariable' has no len()");
  }, "Refuses: a symbolic variable has no length (TypeError).");
  // Truth testing stays as before (len() raising must not make `if var:` raise).
  method("__bool__", [](const Var&) { return true; }, "Always True (a variable is a graph node, not a value).");
  nb::setattr(cls, "size", nb::module_::import_("builtins").attr("property")(
      nb::cpp_function([](const Var& a) {
        // A sparse matrix's size is its number of stored entries (Theano's csm_data(x).size).
        if (a.type()->kind() == TypeKind::Sparse) return shape_i(sparse::csm_data(a), 0);
        return size(a);
      }, nb::is_method()), nb::none(), nb::none(),
      "The number of elements (int64 scalar); for a sparse matrix, its stored entries (explicit zeros included)."));
}

}  // namespace hypatia::py
