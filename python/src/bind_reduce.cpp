// Python bindings of the tensor reduce family: reductions, extra_ops, and Variable methods.
#include "bindings.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/extra_ops.h"
#include "hypatia/tensor/reduce.h"

namespace hypatia::py {

namespace {
std::optional<int> opt_axis(nb::handle a) {
  if (a.is_none()) return std::nullopt;
  return nb::cast<int>(a);
}
nb::object tuple_or_single(const std::vector<Var>& v) {
  if (v.size() == 1) return nb::cast(v[0]);
  nb::list l;
  for (const Var& x : v) l.append(nb::cast(x));
  return nb::tuple(l);
}
}  // namespace

void init_reduce(nb::module_& root) {
  nb::module_ m = root.def_submodule("reduce", "Theano's reductions and tensor.extra_ops");
  using nb::arg;
  auto none = nb::none();

  m.def("sum", [](nb::handle x, nb::handle axis, nb::handle dtype, bool keepdims, nb::handle acc) {
    return sum(as_var(x), as_axes(axis), keepdims, opt_dtype(dtype), opt_dtype(acc));
  }, arg("x"), arg("axis") = none, arg("dtype") = none, arg("keepdims") = false, arg("acc_dtype") = none,
        "Sum over axis (None: all); Theano's output and accumulator dtypes. ``x``: the tensor; ``axis``: an int, a list of ints or None; ``keepdims`` keeps the reduced axes with length 1; ``dtype`` and ``acc_dtype``: the output's and the accumulator's dtypes (Theano's defaults when None). Raises TypeError when ``x`` is not a dense tensor, ValueError when an axis is out of range.");
  m.def("prod", [](nb::handle x, nb::handle axis, nb::handle dtype, bool keepdims, nb::handle acc, bool nz) {
    return prod(as_var(x), as_axes(axis), keepdims, opt_dtype(dtype), opt_dtype(acc), nz);
  }, arg("x"), arg("axis") = none, arg("dtype") = none, arg("keepdims") = false, arg("acc_dtype") = none,
     arg("no_zeros_in_input") = false,
        "Product over axis (None: all). ``x``: the tensor; ``axis``: an int, a list of ints or None; ``keepdims`` keeps the reduced axes with length 1; ``dtype`` and ``acc_dtype``: the output's and the accumulator's dtypes (Theano's defaults when None). Raises TypeError when ``x`` is not a dense tensor, ValueError when an axis is out of range. ``no_zeros_in_input`` promises no zero entries, for a cheaper gradient.");
  m.def("mean", [](nb::handle x, nb::handle axis, nb::handle dtype, bool keepdims, nb::handle acc) {
    return mean(as_var(x), as_axes(axis), keepdims, opt_dtype(dtype), opt_dtype(acc));
  }, arg("x"), arg("axis") = none, arg("dtype") = none, arg("keepdims") = false, arg("acc_dtype") = none,
        "Theano's mean over axis (None: all). ``x``: the tensor; ``axis``: an int, a list of ints or None; ``keepdims`` keeps the reduced axes with length 1; ``dtype`` and ``acc_dtype``: the output's and the accumulator's dtypes (Theano's defaults when None). Raises TypeError when ``x`` is not a dense tensor, ValueError when an axis is out of range.");
  m.def("var", [](nb::handle x, nb::handle axis, int ddof, bool keepdims, bool corrected) {
    return var(as_var(x), as_axes(axis), ddof, keepdims, corrected);
  }, arg("x"), arg("axis") = none, arg("ddof") = 0, arg("keepdims") = false, arg("corrected") = false,
        "Variance over axis (None: all), with ddof. ``x``: the tensor; ``keepdims`` keeps the reduced axes; ``corrected`` uses the two-pass corrected algorithm. Raises TypeError when ``x`` is not a dense tensor, ValueError when an axis is out of range.");
  m.def("std", [](nb::handle x, nb::handle axis, int ddof, bool keepdims, bool corrected) {
    return std_(as_var(x), as_axes(axis), ddof, keepdims, corrected);
  }, arg("x"), arg("axis") = none, arg("ddof") = 0, arg("keepdims") = false, arg("corrected") = false,
        "Standard deviation over axis (None: all), with ddof. ``x``: the tensor; ``keepdims`` keeps the reduced axes; ``corrected`` uses the two-pass corrected algorithm. Raises TypeError when ``x`` is not a dense tensor, ValueError when an axis is out of range.");
  auto simple = [&](const char* name, Var (*f)(const Var&, std::optional<std::vector<int>>, bool), const char* doc) {
    m.def(name, [f](nb::handle x, nb::handle axis, bool keepdims) { return f(as_var(x), as_axes(axis), keepdims); },
          arg("x"), arg("axis") = nb::none(), arg("keepdims") = false,
          joined_doc(doc, " ``x``: the tensor; ``axis``: an int, a list of ints or None; ``keepdims`` keeps the reduced axes with length 1. Raises TypeError when ``x`` is not a dense tensor, ValueError when an axis is out of range."));
  };
  simple("max", &hypatia::max, "Maximum over axis (None: all axes); keepdims keeps reduced axes as length 1.");
  simple("min", &hypatia::min, "Minimum over axis (None: all axes); keepdims keeps reduced axes as length 1.");
  simple("argmax", &argmax, "Indices of the maxima over axis (None: flattened).");
  simple("argmin", &argmin, "Indices of the minima over axis (None: flattened).");
  simple("all", &hypatia::all, "True where all elements over axis are non-zero.");
  simple("any", &hypatia::any, "True where any element over axis is non-zero.");
  simple("ptp", &ptp, "max - min over axis.");
  m.def("max_and_argmax", [](nb::handle x, nb::handle axis, bool keepdims) {
    auto r = max_and_argmax(as_var(x), as_axes(axis), keepdims);
    return nb::make_tuple(r.first, r.second);
  }, arg("x"), arg("axis") = none, arg("keepdims") = false,
        "(max, argmax) over axis in one op. ``x``: the tensor; ``keepdims`` keeps the reduced axes with length 1. Raises TypeError when ``x`` is not a dense tensor, ValueError when an axis is out of range.");
  m.def("norm", [](nb::handle x, double L, nb::handle axis, bool keepdims) {
    return norm(as_var(x), L, as_axes(axis), keepdims);
  }, arg("x"), arg("L"), arg("axis") = none, arg("keepdims") = false,
        "The L-norm over axis (None: all elements). ``x``: the tensor; ``L``: the order; ``keepdims`` keeps the reduced axes with length 1. Raises TypeError when ``x`` is not a dense tensor, ValueError when an axis is out of range.");
  m.def("allclose", [](nb::handle a, nb::handle b, double rtol, double atol, bool equal_nan) {
    return allclose(as_var(a), as_var(b), rtol, atol, equal_nan);
  }, arg("a"), arg("b"), arg("rtol") = 1e-5, arg("atol") = 1e-8, arg("equal_nan") = false,
        "True where a and b are equal within rtol/atol (numpy.allclose), as a bool scalar. ``equal_nan`` counts NaNs at the same place as equal. Raises TypeError when a or b is not a dense tensor; the compiled function raises ValueError when their shapes do not broadcast.");

  // extra_ops
  m.def("cumsum", [](nb::handle x, nb::handle axis) { return cumsum(as_var(x), opt_axis(axis)); }, arg("x"), arg("axis") = none,
        "Cumulative sum along axis (None: flattened). ``x``: the tensor. Raises TypeError when ``x`` is not a dense tensor, ValueError when an axis is out of range.");
  m.def("cumprod", [](nb::handle x, nb::handle axis) { return cumprod(as_var(x), opt_axis(axis)); }, arg("x"), arg("axis") = none,
        "Cumulative product along axis (None: flattened). ``x``: the tensor. Raises TypeError when ``x`` is not a dense tensor, ValueError when an axis is out of range.");
  m.def("diff", [](nb::handle x, int n, int axis) { return diff(as_var(x), n, axis); }, arg("x"), arg("n") = 1, arg("axis") = -1,
        "The n-th discrete difference along axis. ``x``: the tensor. Raises TypeError when ``x`` is not a dense tensor, ValueError when an axis is out of range.");
  m.def("bincount", [](nb::handle x, nb::handle w, nb::handle minlength, bool nonneg) {
    std::optional<Var> wv;
    if (!w.is_none()) wv = as_var(w);
    return bincount(as_var(x), wv, minlength.is_none() ? -1 : nb::cast<int64_t>(minlength), nonneg);
  }, arg("x"), arg("weights") = none, arg("minlength") = none, arg("assert_nonneg") = false,
        "numpy.bincount: counts (or summed weights) of each non-negative integer. ``x``: a non-negative integer vector; ``minlength``: the least number of bins; ``assert_nonneg`` checks x >= 0 at run time. Raises TypeError when x is not an integer vector; the compiled function raises ValueError for a negative entry (with assert_nonneg).");
  m.def("searchsorted", [](nb::handle x, nb::handle v, const std::string& side, nb::handle sorter) {
    std::optional<Var> s;
    if (!sorter.is_none()) s = as_var(sorter);
    return searchsorted(as_var(x), as_var(v), side, s);
  }, arg("x"), arg("v"), arg("side") = "left", arg("sorter") = none,
        "numpy.searchsorted: insertion indices of v into the sorted x. ``side``: 'left' or 'right'; ``sorter``: indices that sort x (optional). Raises TypeError when x is not a vector, ValueError for another side.");
  m.def("unique", [](nb::handle x, bool ri, bool rinv, bool rc) {
    return tuple_or_single(unique(as_var(x), ri, rinv, rc));
  }, arg("ar"), arg("return_index") = false, arg("return_inverse") = false, arg("return_counts") = false,
        "numpy.unique: the sorted unique values, with optional indices/inverse/counts. ``ar``: the tensor (flattened); ``return_index``, ``return_inverse`` and ``return_counts`` add numpy's extra outputs. Raises TypeError when ar is not a dense tensor.");
  m.def("to_one_hot", [](nb::handle y, int64_t nb_class, nb::handle dtype) {
    return to_one_hot(as_var(y), nb_class, opt_dtype(dtype));
  }, arg("y"), arg("nb_class"), arg("dtype") = none,
        "One-hot rows of an integer vector with nb_class columns. ``y``: an integer vector; ``dtype``: the result's dtype (floatX by default). Raises TypeError when y is not an integer vector.");
  m.def("fill_diagonal", [](nb::handle a, nb::handle val) {
    Var av = as_var(a);
    return fill_diagonal(av, as_var(val));
  }, arg("a"), arg("val"),
        "a with its main diagonal set to val. Raises TypeError when ``a`` is not a matrix (or tensor of equal sides) or ``val`` not a scalar.");
  m.def("fill_diagonal_offset", [](nb::handle a, nb::handle val, nb::handle off) {
    return fill_diagonal_offset(as_var(a), as_var(val), as_var(off));
  }, arg("a"), arg("val"), arg("offset"),
        "a with the diagonal at offset set to val. Raises TypeError when ``a`` is not a matrix or ``val``/``offset`` are not scalars.");
  m.def("squeeze", [](nb::handle x, nb::handle axis) { return squeeze(as_var(x), as_axes(axis)); }, arg("x"), arg("axis") = none,
        "x without its broadcastable axes. Raises TypeError when ``x`` is not a dense tensor, ValueError when a given axis is not broadcastable.");
  m.def("compress", [](nb::handle c, nb::handle x, nb::handle axis) {
    return compress(as_var(c), as_var(x), opt_axis(axis));
  }, arg("condition"), arg("x"), arg("axis") = none,
        "numpy.compress: the slices along axis where condition is true. ``x``: the tensor. Raises TypeError when the condition is not a vector, ValueError when an axis is out of range.");
  m.def("repeat", [](nb::handle x, nb::handle r, nb::handle axis) {
    return repeat(as_var(x), as_var(r), opt_axis(axis));
  }, arg("x"), arg("repeats"), arg("axis") = none,
        "numpy.repeat along axis (None: flattened). ``x``: the tensor; ``repeats``: an int or an integer vector. Raises TypeError when ``x`` is not a dense tensor, ValueError when an axis is out of range.");

  // Variable methods (Theano's _tensor_py_operators).
  nb::handle cls = nb::type<Var>();
  auto method = [&](const char* name, auto&& f, const auto&... extra) {
    nb::setattr(cls, name, nb::cpp_function(f, nb::is_method(), nb::name(name), extra...));
  };
  method("sum", [](const Var& x, nb::handle axis, nb::handle dtype, bool keepdims, nb::handle acc, bool sparse_grad) {
    if (sparse_grad) {  // only a sparse matrix's sum (SpSum) has a structured gradient
      OperatorOptions o{as_axes(axis), opt_dtype(dtype), opt_dtype(acc), keepdims, true};
      if (Var r = dispatch_operator(Operator::Sum, {x}, o)) return r;
    }
    return sum(x, as_axes(axis), keepdims, opt_dtype(dtype), opt_dtype(acc));
  }, arg("axis") = none, arg("dtype") = none, arg("keepdims") = false, arg("acc_dtype") = none,
     arg("sparse_grad") = false,
     "Sum over axis (None: all). A sparse matrix gives sp_sum (dense); sparse_grad=True its structured grad.");
  method("prod", [](const Var& x, nb::handle axis, nb::handle dtype, bool keepdims, nb::handle acc, bool nz) {
    return prod(x, as_axes(axis), keepdims, opt_dtype(dtype), opt_dtype(acc), nz);
  }, arg("axis") = none, arg("dtype") = none, arg("keepdims") = false, arg("acc_dtype") = none,
     arg("no_zeros_in_input") = false, "Product over axis (None: all); no_zeros_in_input allows the cheaper gradient.");
  method("mean", [](const Var& x, nb::handle axis, nb::handle dtype, bool keepdims, nb::handle acc) {
    return mean(x, as_axes(axis), keepdims, opt_dtype(dtype), opt_dtype(acc));
  }, arg("axis") = none, arg("dtype") = none, arg("keepdims") = false, arg("acc_dtype") = none,
     "Theano's mean over axis (None: all); a sparse matrix's mean counts its implicit zeros.");
  method("var", [](const Var& x, nb::handle axis, int ddof, bool keepdims, bool corrected) {
    return var(x, as_axes(axis), ddof, keepdims, corrected);
  }, arg("axis") = none, arg("ddof") = 0, arg("keepdims") = false, arg("corrected") = false, "Variance over axis (None: all), with ddof; corrected applies the two-pass correction.");
  method("std", [](const Var& x, nb::handle axis, int ddof, bool keepdims, bool corrected) {
    return std_(x, as_axes(axis), ddof, keepdims, corrected);
  }, arg("axis") = none, arg("ddof") = 0, arg("keepdims") = false, arg("corrected") = false, "Standard deviation over axis (None: all), with ddof.");
  auto simple_m = [&](const char* name, Var (*f)(const Var&, std::optional<std::vector<int>>, bool), const char* doc) {
    method(name, [f](const Var& x, nb::handle axis, bool keepdims) { return f(x, as_axes(axis), keepdims); },
           arg("axis") = nb::none(), arg("keepdims") = false, doc);
  };
  simple_m("max", &hypatia::max, "Maximum over axis (None: all axes); keepdims keeps reduced axes as length 1.");
  simple_m("min", &hypatia::min, "Minimum over axis (None: all axes); keepdims keeps reduced axes as length 1.");
  simple_m("argmax", &argmax, "Indices of the maxima over axis (None: flattened).");
  simple_m("argmin", &argmin, "Indices of the minima over axis (None: flattened).");
  simple_m("all", &hypatia::all, "True where all elements over axis are non-zero.");
  simple_m("any", &hypatia::any, "True where any element over axis is non-zero.");
  simple_m("ptp", &ptp, "max - min over axis.");
  method("norm", [](const Var& x, double L, nb::handle axis, bool keepdims) { return norm(x, L, as_axes(axis), keepdims); },
         arg("L"), arg("axis") = none, arg("keepdims") = false, "The L-norm over axis (None: all elements).");
  method("cumsum", [](const Var& x, nb::handle axis) { return cumsum(x, opt_axis(axis)); }, arg("axis") = none, "Cumulative sum along axis (None: the flattened array).");
  method("cumprod", [](const Var& x, nb::handle axis) { return cumprod(x, opt_axis(axis)); }, arg("axis") = none, "Cumulative product along axis (None: the flattened array).");
  method("repeat", [](const Var& x, nb::handle r, nb::handle axis) { return repeat(x, as_var(r), opt_axis(axis)); },
         arg("repeats"), arg("axis") = none, "numpy.repeat: each element repeated `repeats` times along axis (None: flattened).");
  method("compress", [](const Var& x, nb::handle c, nb::handle axis) { return compress(as_var(c), x, opt_axis(axis)); },
         arg("condition"), arg("axis") = none, "numpy.compress: the slices along axis where condition is true.");
  method("searchsorted", [](const Var& x, nb::handle v, const std::string& side, nb::handle sorter) {
    std::optional<Var> s;
    if (!sorter.is_none()) s = as_var(sorter);
    return searchsorted(x, as_var(v), side, s);
  }, arg("v"), arg("side") = "left", arg("sorter") = none, "numpy.searchsorted: insertion indices of v into this sorted vector (side 'left'/'right').");
}

}  // namespace hypatia::py
