// Python bindings of the sparse module (hypatia._core.sparse): op objects, builders, constants.
// The Python package hypatia.sparse wraps these under Theano's names.
#include "bindings.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/ops/convert.h"
#include "hypatia/sparse/ops/csm.h"
#include "hypatia/sparse/ops/diag.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"

namespace hypatia::py {

namespace {


SparseFormat format_arg(const std::string& f) {
  if (f != "csr" && f != "csc") type_error("[sparse] unknown sparse format '", f, "'; expected 'csr' or 'csc'");
  return format_from_name(f);
}



}  // namespace

std::optional<DType> opt_dtype(nb::handle d) {
  if (d.is_none()) return std::nullopt;
  std::string s = nb::cast<std::string>(nb::str(d));
  if (s == "floatX") return floatX();
  return dtype_from_name(s);
}

DType dtype_arg(nb::handle d) {
  if (d.is_none()) return floatX();
  if (nb::isinstance<nb::str>(d) && nb::cast<std::string>(d) == "floatX") return floatX();
  return dtype_from_name(nb::cast<std::string>(nb::module_::import_("numpy").attr("dtype")(d).attr("name")));
}

// numpy's ComplexWarning when a cast of x to `to` drops imaginary parts (complex -> real or
// integer; bool is a plain non-zero test in numpy and does not warn). Theano's sparse Cast
// calls scipy's astype, which warns; here the warning comes when the cast is built.
void warn_if_discarding_imaginary(const Var& x, DType to) {
  const std::optional<DType> from = x.type()->dtype();
  if (!from || !is_complex(*from) || is_complex(to) || to == DType::Bool) return;
  nb::module_ np = nb::module_::import_("numpy");
  nb::object category = nb::hasattr(np, "exceptions") && nb::hasattr(np.attr("exceptions"), "ComplexWarning")
                            ? np.attr("exceptions").attr("ComplexWarning")
                            : np.attr("ComplexWarning");
  if (PyErr_WarnEx(category.ptr(), "Casting complex values to real discards the imaginary part", 1) < 0)
    throw nb::python_error();
}

Var sparse_operand(nb::handle x, const char* who) {
  if (nb::isinstance<Var>(x)) return nb::cast<Var>(x);
  if (is_scipy_sparse(x)) return as_operand(x, who);
  type_error("[", who, "] expected a sparse matrix variable or a scipy.sparse matrix, got ",
             nb::type_name(x.type()).c_str());
}

void init_sparse(nb::module_& root) {
  nb::module_ m = root.def_submodule("sparse", "Native half of hypatia.sparse.");

  // ---- op objects (Theano's classes: sparse.CSM('csr')(data, indices, indptr, shape)) ----
  m.def("DenseFromSparse", [](bool structured) { return make_op<DenseFromSparse>(DenseFromSparseParams{structured}); },
        nb::arg("structured") = true,
        "Theano's op class DenseFromSparse: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op. ``structured``: whether the gradient is structured (the default) or regular.");
  m.def("SparseFromDense", [](const std::string& f) { return make_op<SparseFromDense>(SparseFormatParams{format_arg(f)}); },
        nb::arg("format"),
        "Theano's op class SparseFromDense: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op. ``format``: 'csr' or 'csc' (TypeError otherwise).");
  m.def("AsFormat", [](const std::string& f) { return make_op<AsFormat>(SparseFormatParams{format_arg(f)}); }, nb::arg("format"),
        "Theano's op class AsFormat: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op. ``format``: the target format, 'csr' or 'csc' (TypeError otherwise).");
  m.def("SampleDense", [] { return make_op<SampleDense>(); },
        "Theano's op class SampleDense: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("CSM", [](const std::string& f) { return make_op<CSM>(SparseFormatParams{format_arg(f)}); }, nb::arg("format"),
        "Theano's op class CSM: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("CSMProperties", [] { return make_op<CSMProperties>(); },
        "Theano's op class CSMProperties: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("CSMGrad", [](const std::string& f) { return make_op<CSMGrad>(SparseFormatParams{format_arg(f)}); },
        nb::arg("format") = "csr",
        "Theano's op class CSMGrad: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op. ``format``: 'csr' or 'csc' (TypeError otherwise).");
  m.def("Cast", [](nb::handle d) { return make_op<SparseCast>(SparseCastParams{dtype_arg(d)}); }, nb::arg("out_type"),
        "Theano's op class Cast: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op. ``out_type``: the dtype to cast to (a sparse dtype).");
  m.def("Transpose", [] { return make_op<SparseTranspose>(); },
        "Theano's op class Transpose: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("Neg", [] { return make_op<SparseNeg>(); },
        "Theano's op class Neg: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("Remove0", [] { return make_op<Remove0>(); },
        "Theano's op class Remove0: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("EnsureSortedIndices", [] { return make_op<EnsureSortedIndices>(); },
        "Theano's op class EnsureSortedIndices: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("SquareDiagonal", [] { return make_op<SquareDiagonal>(); },
        "Theano's op class SquareDiagonal: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("Diag", [] { return make_op<SparseDiag>(); },
        "Theano's op class Diag: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");

  // ---- variables and constants ----
  m.def("matrix", [](const std::string& f, std::optional<std::string> name, nb::handle dtype) {
    return sparse::matrix(format_arg(f), name.value_or(""), dtype_arg(dtype));
  }, nb::arg("format"), nb::arg("name") = nb::none(), nb::arg("dtype") = nb::none(),
        "A sparse matrix variable of the given format (dtype defaults to floatX).");
  m.def("constant", [](nb::handle x, std::optional<std::string> name) {
    if (!is_scipy_sparse(x)) type_error("[as_sparse_variable] expected a scipy.sparse matrix, got ", nb::type_name(x.type()).c_str());
    Var v = sparse_operand(x, "as_sparse_variable");
    if (name) v->name = *name;
    return v;
  }, nb::arg("x"), nb::arg("name") = nb::none(),
        "A sparse constant holding a copy of the scipy csr/csc matrix x. ``name`` names the constant. Raises TypeError when ``x`` is not a scipy csr/csc matrix, ValueError when it is not a valid one.");
  m.def("as_sparse_variable", [](nb::handle x, std::optional<std::string> name) {
    Var v = sparse::as_sparse_variable(sparse_operand(x, "as_sparse_variable"));
    if (name && v->is_constant()) v->name = *name;
    return v;
  }, nb::arg("x"), nb::arg("name") = nb::none(),
        "x itself for a sparse variable; a sparse constant for a scipy csr/csc matrix. ``name`` names a new constant. Raises TypeError when ``x`` is neither a sparse variable nor a scipy csr/csc matrix.");
  m.def("is_sparse_variable", [](nb::handle x) { return nb::isinstance<Var>(x) && sparse::is_sparse_variable(nb::cast<Var>(x)); },
        "True for a symbolic sparse variable.");
  m.def("is_dense_variable", [](nb::handle x) { return nb::isinstance<Var>(x) && sparse::is_dense_variable(nb::cast<Var>(x)); },
        "True for a symbolic dense tensor variable.");
  m.def("all_dtypes", [] {
    std::vector<std::string> r;
    for (DType d : sparse::all_dtypes()) r.push_back(dtype_name(d));
    return r;
  },
        "The dtypes a sparse matrix may have.");

  // ---- builders ----
  auto un = [&](const char* name, Var (*f)(const Var&), const char* doc) {
    m.def(name, [f, name](nb::handle x) { return f(sparse_operand(x, name)); }, nb::arg("x"),
          joined_doc(doc, " ``x``: a sparse variable or a scipy csr/csc matrix. Raises TypeError when x is not sparse."));
  };
  un("transpose", &sparse::transpose, "The transpose of a sparse matrix, in the other format (no copy).");
  un("neg", &sparse::neg, "-x of a sparse matrix (same pattern).");
  un("remove0", &sparse::remove0, "The sparse matrix without its explicitly stored zeros.");
  un("ensure_sorted_indices", &sparse::ensure_sorted_indices, "The sparse matrix with sorted indices in each row/column.");
  un("clean", &sparse::clean, "remove0 then ensure_sorted_indices: explicit zeros removed, indices sorted.");
  un("sp_ones_like", &sparse::sp_ones_like, "x's pattern with every stored value 1.");
  un("sp_zeros_like", &sparse::sp_zeros_like, "An all-zero sparse matrix of x's shape and format.");
  un("diag", &sparse::diag, "The diagonal of a square sparse matrix, as a dense vector.");
  un("csm_data", &sparse::csm_data, "The data vector of a sparse matrix (CSMProperties output 0).");
  un("csm_indices", &sparse::csm_indices, "The indices vector of a sparse matrix (CSMProperties output 1).");
  un("csm_indptr", &sparse::csm_indptr, "The index-pointer vector of a sparse matrix (CSMProperties output 2).");
  un("csm_shape", &sparse::csm_shape, "The shape of a sparse matrix as an int vector (CSMProperties output 3).");
  m.def("csm_properties", [](nb::handle x) {
    auto p = sparse::csm_properties(sparse_operand(x, "CSMProperties"));
    return nb::make_tuple(p[0], p[1], p[2], p[3]);
  }, nb::arg("csm"),
        "(data, indices, indptr, shape) of a sparse matrix (CSMProperties). ``csm``: a sparse variable or scipy matrix. Raises TypeError when it is not sparse.");
  m.def("dense_from_sparse", [](nb::handle x, bool structured) {
    return sparse::dense_from_sparse(sparse_operand(x, "DenseFromSparse"), structured);
  }, nb::arg("x"), nb::arg("structured") = true,
        "The dense matrix of x (structured grad by default). Raises TypeError when ``x`` is not sparse.");
  m.def("sparse_from_dense", [](nb::handle x, const std::string& f) { return sparse::sparse_from_dense(as_var(x), format_arg(f)); },
        nb::arg("x"), nb::arg("format"),
        "The dense matrix x as a sparse matrix of the given format.");
  m.def("as_format", [](nb::handle x, const std::string& f) { return sparse::as_format(sparse_operand(x, "AsFormat"), format_arg(f)); },
        nb::arg("x"), nb::arg("format"),
        "x in the given format (x itself when it already is). Raises TypeError when ``x`` is not sparse or ``format`` is not 'csr' or 'csc'.");
  m.def("sample_dense", [](nb::handle p, nb::handle d) { return sparse::sample_dense(sparse_operand(p, "SampleDense"), as_var(d)); },
        nb::arg("pattern"), nb::arg("dense"),
        "The values of ``dense`` at the stored positions of ``pattern`` (pattern's format). Raises TypeError when ``pattern`` is not sparse or ``dense`` not a dense matrix; the compiled function raises ValueError when their shapes differ.");
  m.def("csm", [](const std::string& f, nb::handle data, nb::handle indices, nb::handle indptr, nb::handle shape) {
    return sparse::csm(format_arg(f), as_var(data), as_var(indices), as_var(indptr), as_var(shape));
  }, nb::arg("format"), nb::arg("data"), nb::arg("indices"), nb::arg("indptr"), nb::arg("shape"),
        "A csr matrix from its compressed arrays (regular grad w.r.t. data).");
  m.def("square_diagonal", [](nb::handle v) { return sparse::square_diagonal(as_var(v)); }, nb::arg("diag"),
        "The square sparse matrix with the vector v on its diagonal. ``diag``: the dense vector v. Raises TypeError when it is not a dense vector.");
  m.def("cast", [](nb::handle x, nb::handle d) {
    Var v = sparse_operand(x, "Cast");
    const DType to = dtype_arg(d);
    Var r = sparse::cast(v, to);
    warn_if_discarding_imaginary(v, to);
    return r;
  }, nb::arg("variable"), nb::arg("dtype"), "Cast{dtype}(x); complex -> real keeps the real parts (ComplexWarning).");

  // ---- Theano's make_node input names (keyword inputs of op instances) and call hooks ----
  op_params<DenseFromSparse>({{"x"}});
  op_params<SparseFromDense>({{"x"}});
  op_params<AsFormat>({{"x"}});
  op_params<SampleDense>({{"pattern"}, {"dense"}});
  op_params<CSM>({{"data"}, {"indices"}, {"indptr"}, {"shape"}});
  op_params<CSMProperties>({{"csm"}});
  op_params<CSMGrad>({{"x_data"}, {"x_indices"}, {"x_indptr"}, {"x_shape"}, {"g_data"}, {"g_indices"}, {"g_indptr"},
                      {"g_shape"}});
  op_params<SparseCast>({{"x"}});
  op_params<SparseTranspose>({{"x"}});
  op_params<SparseNeg>({{"x"}});
  op_params<Remove0>({{"x"}});
  op_params<EnsureSortedIndices>({{"x"}});
  op_params<SquareDiagonal>({{"diag"}});
  op_params<SparseDiag>({{"x"}});
  register_op_call_hook(typeid(SparseCast), [](const Op& op, const std::vector<Var>& ins) {
    if (ins.size() == 1) warn_if_discarding_imaginary(ins[0], static_cast<const SparseCast&>(op).params().dtype);
  });
}

}  // namespace hypatia::py
