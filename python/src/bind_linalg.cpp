// Python bindings of the linear-algebra families: tensordot, batched products, outer, the
// explicit BLAS ops (gemm, gemv, ger), and nlinalg/slinalg (hypatia/linalg) with their op classes.
#include <cmath>

#include "bindings.h"
#include "hypatia/linalg/api.h"
#include "hypatia/tensor/linalg.h"

namespace hypatia::py {
namespace {

// axes: an int, or a pair of sequences of ints (a single int per side is accepted too).
std::pair<std::vector<int>, std::vector<int>> axes_pair(nb::handle axes, const char* who) {
  auto side = [&](nb::handle h) {
    std::vector<int> r;
    if (nb::isinstance<nb::int_>(h)) {
      r.push_back(nb::cast<int>(h));
      return r;
    }
    for (nb::handle e : h) r.push_back(nb::cast<int>(e));
    return r;
  };
  std::vector<nb::handle> parts;
  for (nb::handle e : axes) parts.push_back(e);
  if (parts.size() != 2) value_error("[", who, "] axes must be an int or a pair of axis lists");
  return {side(parts[0]), side(parts[1])};
}

// numpy.linalg.norm's ord: None, a number (inf included) or a string.
NormOrd norm_ord(nb::handle ord) {
  if (ord.is_none()) return std::monostate{};
  if (nb::isinstance<nb::str>(ord)) return nb::cast<std::string>(ord);
  if (nb::isinstance<nb::bool_>(ord)) type_error("[norm] ord must be None, a number or a string, got a bool");
  try {
    return nb::cast<double>(ord);
  } catch (const nb::cast_error&) {
    type_error("[norm] ord must be None, a number or a string, got ", nb::cast<std::string>(nb::str(ord.type())));
  }
}

// Theano's Solve(A_structure=...) or scipy's assume_a, as SolveParams.
SolveParams solve_params(const std::string& structure, bool lower) {
  if (structure == "general" || structure == "symmetric" || structure == "gen") return {"gen", lower, false};
  if (structure == "lower_triangular") return {"tri", true, false};
  if (structure == "upper_triangular") return {"tri", false, false};
  if (structure == "sym" || structure == "her") return {"sym", lower, false};
  if (structure == "pos") return {"pos", lower, false};
  if (structure == "tri") return {"tri", lower, false};
  value_error("[Solve] A_structure must be 'general', 'symmetric', 'lower_triangular' or 'upper_triangular' (or "
              "assume_a 'gen', 'sym', 'her', 'pos'), got '", structure, "'");
}

void init_linalg_ops(nb::module_& m) {
  const char* doc = "Theano's op class of that name: returns the op object; call it on its inputs (op(x, ...)).";
  m.def("MatrixInverse", [] { return make_op<MatrixInverse>(); }, joined_doc(doc, " The inverse of a square matrix; the compiled function raises ValueError for a singular one. Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("Det", [] { return make_op<Det>(); }, joined_doc(doc, " The determinant of a square matrix. Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("MatrixPinv", [](double rcond) { return make_op<MatrixPinv>(PinvParams{rcond}); }, nb::arg("rcond") = 1e-15, joined_doc(doc, " The pseudo-inverse; ``rcond`` cuts off small singular values. Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("Eig", [] { return make_op<Eig>(); }, joined_doc(doc, " Eigenvalues and eigenvectors; the compiled function raises ValueError for complex eigenvalues. Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("Eigh", [](const std::string& uplo) { return make_op<Eigh>(UploParams{uplo}); }, nb::arg("UPLO") = "L", joined_doc(doc, " Symmetric eigendecomposition reading the ``UPLO`` ('L' or 'U') triangle. Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("EighGrad", [](const std::string& uplo) { return make_op<EighGrad>(UploParams{uplo}); }, nb::arg("UPLO") = "L", joined_doc(doc, " The gradient op of Eigh, for the ``UPLO`` ('L' or 'U') triangle. Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("SVD", [](bool full, bool uv) { return make_op<SVD>(SVDParams{full, uv}); }, nb::arg("full_matrices") = true,
        nb::arg("compute_uv") = true,
        joined_doc(doc, " The singular value decomposition: ``full_matrices`` gives square u and vt, ``compute_uv`` False gives s alone." " Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("QRFull", [](const std::string& mode) { return make_op<QRFull>(QRParams{mode}); }, nb::arg("mode") = "reduced",
        joined_doc(doc, " QR with q and r; ``mode``: numpy.linalg.qr's ('reduced', 'complete')." " Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("QRIncomplete", [](const std::string& mode) { return make_op<QRIncomplete>(QRParams{mode}); }, nb::arg("mode") = "r",
        joined_doc(doc, " QR giving r alone (or raw); ``mode``: numpy.linalg.qr's ('r', 'raw')." " Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("Lstsq", [] { return make_op<Lstsq>(); }, joined_doc(doc, " Least squares, numpy.linalg.lstsq's four outputs. Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("Solve", [](const std::string& structure, bool lower, bool, bool, std::optional<std::string> assume_a) {
    return make_op<Solve>(solve_params(assume_a.value_or(structure), lower));
  }, nb::arg("A_structure") = "general", nb::arg("lower") = false, nb::arg("overwrite_A") = false,
        nb::arg("overwrite_b") = false, nb::arg("assume_a") = nb::none(),
        joined_doc(doc, " A linear solve: ``assume_a`` ('gen', 'sym', 'her', 'pos') or Theano's ``A_structure`` chooses the factorisation, ``lower`` the triangle read; ``overwrite_A`` and ``overwrite_b`` are accepted and ignored. Raises ValueError for an unknown structure." " Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("Cholesky", [](bool lower, const std::string& on_error) {
    if (on_error != "raise" && on_error != "nan") value_error("[Cholesky] on_error must be 'raise' or 'nan', got '", on_error, "'");
    return make_op<Cholesky>(CholeskyParams{lower, on_error == "nan"});
  }, nb::arg("lower") = true, nb::arg("on_error") = "raise",
        joined_doc(doc, " The Cholesky factor, ``lower`` or upper; ``on_error``: 'raise' (the compiled function raises ValueError for a matrix that is not positive definite) or 'nan' (the result is NaN). Raises ValueError for another on_error." " Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("CholeskyGrad", [](bool lower) { return make_op<CholeskyGrad>(CholeskyParams{lower, false}); }, nb::arg("lower") = true, joined_doc(doc, " The gradient op of Cholesky, for the ``lower`` (or upper) factor. Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("Eigvalsh", [](bool lower) { return make_op<Eigvalsh>(LowerParams{lower}); }, nb::arg("lower") = true, joined_doc(doc, " Eigenvalues of a symmetric matrix (or pencil) reading its ``lower`` (or upper) triangle. Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("EigvalshGrad", [](bool lower) { return make_op<EigvalshGrad>(LowerParams{lower}); }, nb::arg("lower") = true, joined_doc(doc, " The gradient op of Eigvalsh, for the ``lower`` (or upper) triangle. Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("Expm", [] { return make_op<Expm>(); }, joined_doc(doc, " The matrix exponential. Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
  m.def("ExpmGrad", [] { return make_op<ExpmGrad>(); }, joined_doc(doc, " The gradient op of Expm. Calling the op raises TypeError when its input is not a real matrix it accepts (complex inputs are refused)."));
}

}  // namespace

void init_linalg(nb::module_& m) {
  m.def("tensordot", [](nb::handle a, nb::handle b, nb::handle axes) {
    if (nb::isinstance<nb::int_>(axes)) return tensordot(as_var(a), as_var(b), nb::cast<int>(axes));
    auto [la, lb] = axes_pair(axes, "tensordot");
    return tensordot(as_var(a), as_var(b), la, lb);
  }, nb::arg("a"), nb::arg("b"), nb::arg("axes") = 2,
        "numpy.tensordot: sums over the given axes of a and b (an int n: the last n of a, first n of b). Raises TypeError when an operand is not a dense tensor, ValueError when the summed axes do not match.");
  m.def("batched_dot", [](nb::handle x, nb::handle y) { return batched_dot(as_var(x), as_var(y)); }, nb::arg("a"), nb::arg("b"),
        "dot of a[i] and b[i] for each i along the first axis. ``a`` and ``b``: the batched operands. Raises TypeError when an operand is not a dense tensor; the compiled function raises ValueError when the batch sizes or inner dimensions differ.");
  m.def("batched_tensordot", [](nb::handle x, nb::handle y, nb::handle axes) {
    if (nb::isinstance<nb::int_>(axes)) return batched_tensordot(as_var(x), as_var(y), nb::cast<int>(axes));
    auto [la, lb] = axes_pair(axes, "batched_tensordot");
    return batched_tensordot(as_var(x), as_var(y), la, lb);
  }, nb::arg("x"), nb::arg("y"), nb::arg("axes") = 2,
        "tensordot of a[i] and b[i] for each i along the first axis. ``x`` and ``y``: the batched operands; ``axes``: as tensordot's. Raises TypeError when an operand is not a dense tensor; the compiled function raises ValueError when the batch sizes or summed axes differ.");
  m.def("outer", [](nb::handle x, nb::handle y) { return outer(as_var(x), as_var(y)); }, nb::arg("x"), nb::arg("y"),
        "The outer product of two vectors. ``x`` and ``y``: the vectors. Raises TypeError when an operand is not a dense tensor.");
  m.def("gemm", [](nb::handle z, nb::handle a, nb::handle x, nb::handle y, nb::handle b) {
    return gemm(as_var(z), as_var(a), as_var(x), as_var(y), as_var(b));
  }, nb::arg("z"), nb::arg("alpha"), nb::arg("x"), nb::arg("y"), nb::arg("beta"),
        "Theano's Gemm: alpha * dot(x, y) + beta * z. ``z``, ``x``, ``y``: matrices; ``alpha``, ``beta``: scalars. Raises TypeError when an operand is not a dense tensor of the expected rank; the compiled function raises ValueError when the shapes do not agree.");
  m.def("gemv", [](nb::handle y, nb::handle alpha, nb::handle a, nb::handle x, nb::handle beta) {
    return gemv(as_var(y), as_var(alpha), as_var(a), as_var(x), as_var(beta));
  }, nb::arg("y"), nb::arg("alpha"), nb::arg("A"), nb::arg("x"), nb::arg("beta"),
        "Theano's Gemv: alpha * dot(A, x) + beta * y. ``y``, ``x``: vectors, ``A`` a matrix; ``alpha``, ``beta``: scalars. Raises TypeError when an operand is not a dense tensor of the expected rank; the compiled function raises ValueError when the shapes do not agree.");
  m.def("ger", [](nb::handle a, nb::handle alpha, nb::handle x, nb::handle y) {
    return ger(as_var(a), as_var(alpha), as_var(x), as_var(y));
  }, nb::arg("A"), nb::arg("alpha"), nb::arg("x"), nb::arg("y"),
        "Theano's Ger: A + alpha * outer(x, y). ``A`` a matrix, ``x``, ``y`` vectors, ``alpha`` a scalar. Raises TypeError when an operand is not a dense tensor of the expected rank; the compiled function raises ValueError when the shapes do not agree.");
  init_linalg_ops(m);
  // ---- nlinalg ----
  m.def("matrix_inverse", [](nb::handle a) { return matrix_inverse(as_var(a)); }, nb::arg("a"),
        "The inverse of a square matrix (ValueError '[MatrixInverse] singular matrix ...'). Raises TypeError when the input is not a real matrix (complex inputs are refused); the compiled function raises ValueError for a singular matrix. ``a``: the matrix.");
  m.def("det", [](nb::handle a) { return det(as_var(a)); }, nb::arg("a"), "The determinant of a square matrix. Raises TypeError when the input is not a real matrix (complex inputs are refused). ``a``: the matrix.");
  m.def("pinv", [](nb::handle a, double rcond) { return pinv(as_var(a), rcond); }, nb::arg("a"), nb::arg("rcond") = 1e-15,
        "numpy.linalg.pinv: the Moore-Penrose pseudo-inverse of an (M, N) matrix, (N, M). ``a``: the matrix; ``rcond``: singular values below rcond times the largest are treated as zero. Raises TypeError when the input is not a real matrix (complex inputs are refused).");
  m.def("eig", [](nb::handle a) { return eig(as_var(a)); }, nb::arg("a"),
        "numpy.linalg.eig: [w, v], real eigenvalues and unit right eigenvectors (ValueError for complex ones). Raises TypeError when the input is not a real matrix (complex inputs are refused). ``a``: the matrix.");
  m.def("eigh", [](nb::handle a, const std::string& uplo) { return eigh(as_var(a), uplo); }, nb::arg("a"),
        nb::arg("UPLO") = "L", "numpy.linalg.eigh: [w, v] of a symmetric matrix, reading the UPLO triangle. Raises TypeError when the input is not a real matrix (complex inputs are refused), ValueError when UPLO is not 'L' or 'U'.");
  m.def("svd", [](nb::handle a, bool full, bool uv) -> nb::object {
    auto r = svd(as_var(a), full, uv);
    if (r.size() == 1) return nb::cast(r[0]);
    return nb::cast(r);
  }, nb::arg("a"), nb::arg("full_matrices") = true, nb::arg("compute_uv") = true,
        "numpy.linalg.svd: [u, s, vt], or s alone without compute_uv. ``a``: the matrix; ``full_matrices`` gives square u and vt. Raises TypeError when the input is not a real matrix (complex inputs are refused).");
  m.def("qr", [](nb::handle a, const std::string& mode) -> nb::object {
    auto r = qr(as_var(a), mode);
    if (r.size() == 1) return nb::cast(r[0]);
    return nb::cast(r);
  }, nb::arg("a"), nb::arg("mode") = "reduced", "numpy.linalg.qr: [q, r], r ('r') or [h, tau] ('raw'). ``a``: the matrix; ``mode``: 'reduced', 'complete', 'r' or 'raw'. Raises TypeError when the input is not a real matrix (complex inputs are refused), ValueError for another mode.");
  m.def("lstsq", [](nb::handle a, nb::handle b, nb::handle rcond) {
    return lstsq(as_var(a), as_var(b), rcond.is_none() ? Var() : as_var(rcond));
  }, nb::arg("a"), nb::arg("b"), nb::arg("rcond") = nb::none(),
        "numpy.linalg.lstsq: [x, residuals, rank, s]; rcond None (or negative) is eps * max(M, N).");
  m.def("matrix_dot", [](nb::args args) {
    std::vector<Var> vs;
    for (nb::handle h : args) vs.push_back(as_var(h));
    return matrix_dot(vs);
  }, "The product A0 . A1 . ... . An of the given matrices, in order. Raises TypeError when an argument is not a dense tensor; the compiled function raises ValueError when inner dimensions differ.");
  m.def("matrix_power", [](nb::handle m, int n) { return matrix_power(as_var(m), n); }, nb::arg("M"), nb::arg("n"),
        "A square matrix raised to the integer power n (by repeated squaring; n < 0 inverts first). ``M``: the square matrix. Raises TypeError when M is not a matrix; the compiled function raises ValueError for a singular matrix with n < 0.");
  m.def("norm", [](nb::handle x, nb::handle ord) { return linalg_norm(as_var(x), norm_ord(ord)); }, nb::arg("x"),
        nb::arg("ord") = nb::none(),
        "numpy.linalg.norm without axis, for a vector or a matrix; ord None, 'fro', 'nuc', inf, -inf, 0, 1, -1, 2, -2, p.");
  m.def("tensorinv", [](nb::handle a, int ind) { return tensorinv(as_var(a), ind); }, nb::arg("a"), nb::arg("ind") = 2,
        "numpy.linalg.tensorinv: the inverse of a for tensordot over ind axes; shape a.shape[ind:] + a.shape[:ind]. Raises TypeError when the input is not a real tensor (complex inputs are refused).");
  m.def("tensorsolve", [](nb::handle a, nb::handle b, std::optional<std::vector<int>> axes) {
    return tensorsolve(as_var(a), as_var(b), axes);
  }, nb::arg("a"), nb::arg("b"), nb::arg("axes") = nb::none(), "numpy.linalg.tensorsolve: x with tensordot(a, x, x.ndim) = b. ``axes``: axes of a moved to the end first (numpy's). Raises TypeError when an input is not a real tensor (complex inputs are refused).");
  // ---- slinalg ----
  m.def("solve", [](nb::handle a, nb::handle b, const std::string& assume_a, bool lower) {
    return solve(as_var(a), as_var(b), assume_a, lower);
  }, nb::arg("a"), nb::arg("b"), nb::arg("assume_a") = "gen", nb::arg("lower") = false,
        "x with dot(a, x) = b (a square); assume_a 'gen', 'sym', 'her', 'pos' or an A_structure name.");
  m.def("solve_triangular", [](nb::handle a, nb::handle b, int trans, bool lower, bool unit) {
    return solve_triangular(as_var(a), as_var(b), trans, lower, unit);
  }, nb::arg("a"), nb::arg("b"), nb::arg("trans") = 0, nb::arg("lower") = false, nb::arg("unit_diagonal") = false,
        "scipy.linalg.solve_triangular: x with a x = b (trans=1: a^T x = b) for a triangular a.");
  m.def("cho_solve", [](nb::handle c, nb::handle b, bool lower) { return cho_solve(as_var(c), as_var(b), lower); },
        nb::arg("c"), nb::arg("b"), nb::arg("lower") = false,
        "scipy.linalg.cho_solve: x with A x = b given A's Cholesky factor c (lower or upper).");
  m.def("cholesky", [](nb::handle a, bool lower, const std::string& on_error) {
    return cholesky(as_var(a), lower, on_error);
  }, nb::arg("a"), nb::arg("lower") = true, nb::arg("on_error") = "raise",
        "The lower (or upper) Cholesky factor of a symmetric positive-definite matrix. ``on_error``: 'raise' (the compiled function raises ValueError for a matrix that is not positive definite) or 'nan'. Raises TypeError when the input is not a real matrix (complex inputs are refused), ValueError for another on_error.");
  m.def("eigvalsh", [](nb::handle a, nb::handle b, bool lower) {
    return eigvalsh(as_var(a), b.is_none() ? Var() : as_var(b), lower);
  }, nb::arg("a"), nb::arg("b") = nb::none(), nb::arg("lower") = true,
        "scipy.linalg.eigvalsh: ascending eigenvalues of a symmetric a (or of the pencil (a, b)). ``lower``: read the lower (or upper) triangle. Raises TypeError when the input is not a real matrix (complex inputs are refused); the compiled function raises ValueError when b is not positive definite.");
  m.def("expm", [](nb::handle a) { return expm(as_var(a)); }, nb::arg("a"), "scipy.linalg.expm: the matrix exponential. Raises TypeError when the input is not a real matrix (complex inputs are refused). ``a``: the matrix.");
  m.def("kron", [](nb::handle a, nb::handle b) { return kron(as_var(a), as_var(b)); }, nb::arg("a"), nb::arg("b"),
        "Theano's slinalg.kron: the Kronecker product (scipy.linalg.kron for matrices). ``a`` and ``b``: the two "
        "operands, whose dimensions must add up to 3 or more (for two vectors use tensor.outer). Raises TypeError "
        "when an operand is not a dense tensor or the dimensions add up to less than 3.");
}

}  // namespace hypatia::py
