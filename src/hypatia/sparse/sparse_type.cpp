// SparseType: printing, equality, value checking and value comparison (values_eq[_approx]), its
// gradient algebra, and apply_operator (what the tensor builders build on a sparse operand).
#include "hypatia/sparse/sparse_type.h"

#include <climits>
#include <cmath>
#include <vector>

#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/ops/arith.h"
#include "hypatia/sparse/ops/compare.h"
#include "hypatia/sparse/ops/csm.h"
#include "hypatia/sparse/ops/dot.h"
#include "hypatia/sparse/ops/reduce.h"
#include "hypatia/sparse/ops/structured.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/util/hash.h"

namespace hypatia {

std::string SparseType::str() const {
  return str_cat("Sparse[", dtype_name(dtype_), ", ", format_name(format_), "]");
}

bool SparseType::equals(const Type& other) const {
  if (other.kind() != TypeKind::Sparse) return false;
  const auto& o = static_cast<const SparseType&>(other);
  return o.format_ == format_ && o.dtype_ == dtype_;
}

size_t SparseType::hash() const {
  return hash_combine(0x5350 + static_cast<size_t>(format_), static_cast<size_t>(dtype_));
}

// Theano's SparseType.filter (docs/semantics.md, "Sparse values at the boundary"). Strict: the exact format and dtype only.
// Otherwise a dense 2-d array or the other compressed format converts to this format, and the
// dtype converts when the cast is safe or allow_downcast. Either way the arrays are validated
// first: no path hands unchecked index arrays to a kernel (or to the format conversion).
Value SparseType::filter(const Value& v, bool strict, bool allow_downcast) const {
  return filter_checked(v, strict, allow_downcast, true, true);
}

Value SparseType::filter_deferring_checks(const Value& v, bool strict, bool allow_downcast, bool defer_steps) const {
  return filter_checked(v, strict, allow_downcast, false, !defer_steps);
}

bool SparseType::filter_keeps(const Value& v, bool, bool, bool defer_checks, bool defer_steps) const {
  const SparseMatrix* m = std::get_if<SparseMatrix>(&v);
  if (!m || m->format() != format_ || m->dtype() != dtype_) return false;
  // filter_checked's checks for such a matrix, which it would return unchanged.
  m->validate_structure("SparseMatrix", !(defer_checks && defer_steps));
  if (!defer_checks) m->validate_indices("SparseMatrix");
  return true;
}

Value SparseType::filter_checked(const Value& v, bool strict, bool allow_downcast, bool check_indices,
                                 bool check_steps) const {
  const SparseMatrix* m = std::get_if<SparseMatrix>(&v);
  const NDArray* dense = std::get_if<NDArray>(&v);
  if (!m && !dense) type_error("[", str(), "] expected a sparse matrix value, got ", value_repr(v));
  const DType got_dtype = m ? m->dtype() : dense->dtype();
  if (strict && (!m || m->format() != format_ || got_dtype != dtype_))
    type_error("[", str(), "] a strict input takes only a ", format_name(format_), " matrix of dtype ",
               dtype_name(dtype_), ", got ",
               m ? str_cat("a ", format_name(m->format()), " matrix") : std::string("a dense array"), " of dtype ",
               dtype_name(got_dtype));
  if (dense && dense->ndim() != 2)
    type_error("[", str(), "] expected a sparse matrix or a 2-d array, got a ", dense->ndim(),
               "-d array of shape ", shape_str(dense->shape()));
  if (m) {
    // The kernels that consume the value check its indices themselves only when they read it as
    // it is; a format conversion reads (scatters by) the indices first.
    const bool converts = m->format() != format_;
    m->validate_structure("SparseMatrix", check_steps || check_indices || converts);
    if (check_indices || converts) m->validate_indices("SparseMatrix");
  }
  // The dtype rule before any conversion work: a refused downcast costs nothing.
  if (got_dtype != dtype_ && !allow_downcast && !can_cast_safe(got_dtype, dtype_))
    type_error("[", str(), "] cannot store a value of dtype ", dtype_name(got_dtype),
               " without risking loss of precision; cast it to ", dtype_name(dtype_),
               " first or allow the downcast (allow_input_downcast=True)");
  if (strict) return v;
  SparseMatrix r = m ? *m : SparseMatrix::from_dense(*dense, format_);
  if (r.format() != format_) r = sparse_kernels::convert_format(r, format_);
  if (r.dtype() != dtype_) r = r.astype(dtype_);
  return r;
}

namespace {

bool has_nan(complex128 v) { return std::isnan(v.real()) || std::isnan(v.imag()); }
bool has_inf(complex128 v) { return std::isinf(v.real()) || std::isinf(v.imag()); }

// One row of a matrix in canonical form: sorted column numbers, duplicates summed.
struct Row {
  std::vector<int64_t> cols;
  std::vector<complex128> vals;
};

Row canonical_row(const SparseMatrix& csr, int64_t r) {
  Row out;
  const complex128* d = csr.data().data<complex128>();
  const int64_t b = index_at(csr.indptr(), r), e = index_at(csr.indptr(), r + 1);
  for (int64_t k = b; k < e; ++k) {
    const int64_t c = index_at(csr.indices(), k);
    if (!out.cols.empty() && out.cols.back() == c) out.vals.back() += d[k];
    else out.cols.push_back(c), out.vals.push_back(d[k]);
  }
  return out;
}

// ok(a[i, j], b[i, j]) at every position stored in a or b (the other side reads 0 where it
// stores nothing), without densifying: both are read row by row in sorted csr form.
template <class F>
bool all_sparse_pairs(const SparseMatrix& a, const SparseMatrix& b, F ok) {
  if (a.shape() != b.shape()) return false;
  a.validate("SparseType.values_eq");
  b.validate("SparseType.values_eq");
  auto prepare = [](const SparseMatrix& m) {
    return sparse_kernels::sort_indices(sparse_kernels::convert_format(m.astype(DType::Complex128), SparseFormat::CSR));
  };
  const SparseMatrix x = prepare(a), y = prepare(b);
  for (int64_t r = 0; r < x.rows(); ++r) {
    const Row p = canonical_row(x, r), q = canonical_row(y, r);
    size_t i = 0, j = 0;
    while (i < p.cols.size() || j < q.cols.size()) {
      const int64_t ci = i < p.cols.size() ? p.cols[i] : INT64_MAX, cj = j < q.cols.size() ? q.cols[j] : INT64_MAX;
      const complex128 u = ci <= cj ? p.vals[i] : complex128(0), v = cj <= ci ? q.vals[j] : complex128(0);
      if (!ok(u, v)) return false;
      if (ci <= cj) ++i;
      if (cj <= ci) ++j;
    }
  }
  return true;
}

}  // namespace

bool SparseType::values_eq(const Value& a, const Value& b) const {
  if (!is_sparse(a) || !is_sparse(b)) return false;
  return all_sparse_pairs(std::get<SparseMatrix>(a), std::get<SparseMatrix>(b), [](complex128 u, complex128 v) {
    const bool nu = has_nan(u), nv = has_nan(v);
    if (nu || nv) return nu && nv;
    return u == v;
  });
}

bool SparseType::values_eq_approx(const Value& a, const Value& b, std::optional<double> rtol,
                                  std::optional<double> atol) const {
  if (!is_sparse(a) || !is_sparse(b)) return false;
  const double rt = rtol.value_or(0.0), at = atol.value_or(1e-6);
  return all_sparse_pairs(std::get<SparseMatrix>(a), std::get<SparseMatrix>(b), [&](complex128 u, complex128 v) {
    const bool nu = has_nan(u), nv = has_nan(v);
    if (nu || nv) return nu && nv;
    if (has_inf(u) || has_inf(v)) return u == v;
    return std::abs(u - v) <= at + rt * std::abs(v);
  });
}

const SparseType* sparse_type(const Var& v) {
  if (!v || v.type()->kind() != TypeKind::Sparse) return nullptr;
  return static_cast<const SparseType*>(v.type().get());
}

// ---------------------------------------------------------------- gradient algebra

Var SparseType::zeros_like(const Var& x, bool float_dtype) const {  // Theano's SparseVariable.zeros_like
  Var z = sparse::sp_zeros_like(x);
  return float_dtype && !is_inexact(dtype_) ? sparse::cast(z, floatX()) : z;
}

Var SparseType::add_grad(const Var& a, const Var& b) const { return sparse::add(a, b); }  // AddSS / AddSD

bool SparseType::mixes_grad_with(const Type& other) const {
  return other.kind() == TypeKind::Sparse || other.kind() == TypeKind::Tensor;
}

// Theano's _sparse_py_operators: what the tensor builders (hypatia::add, dot, sum, ...) build
// when an operand is sparse (see Type::apply_operator).
Var SparseType::apply_operator(Operator op, const std::vector<Var>& args, const OperatorOptions& opts) const {
  auto refuse_reshape = [](const char* name, const char* verb) -> Var {
    type_error("[", name, "] sparse matrices are always 2-d and cannot be ", verb, "; densify first: x.toarray().",
               name, "(...)");
  };
  switch (op) {
    case Operator::Add: return sparse::add(args[0], args[1]);
    case Operator::Sub: return sparse::sub(args[0], args[1]);
    case Operator::Mul: return sparse::mul(args[0], args[1]);
    case Operator::TrueDiv: return sparse::true_div(args[0], args[1]);
    case Operator::Lt: return sparse::lt(args[0], args[1]);
    case Operator::Le: return sparse::le(args[0], args[1]);
    case Operator::Gt: return sparse::gt(args[0], args[1]);
    case Operator::Ge: return sparse::ge(args[0], args[1]);
    case Operator::Pow:
      raise(ErrorKind::NotImplemented, "[pow] a sparse operand of '**' is handled by hypatia.sparse.structured_pow "
                                       "(the stored values only); densify explicitly with x.toarray() to use the dense op");
    case Operator::Neg: return sparse::neg(args[0]);
    case Operator::Abs: return sparse::abs_(args[0]);
    case Operator::Dot: return sparse::structured_dot(args[0], args[1]);
    case Operator::MatMul: return sparse::dot(args[0], args[1]);
    case Operator::Transpose:
      if (opts.axis && !(opts.axis->size() == 2 && (*opts.axis)[0] == 1 && (*opts.axis)[1] == 0)) {
        std::string axes;
        for (int a : *opts.axis) axes += (axes.empty() ? "" : ", ") + std::to_string(a);
        if (opts.axis->size() == 1) axes += ",";
        value_error("[Transpose] a sparse matrix can only be transposed with axes (1, 0), got (", axes, ")");
      }
      return sparse::transpose(args[0]);
    case Operator::Sum:
    case Operator::Mean: {
      std::optional<int> axis;
      if (opts.axis) {
        if (opts.axis->size() != 1)
          value_error("[SpSum] axis must be None, 0 or 1 for a sparse matrix, got ", opts.axis->size(), " axes");
        axis = (*opts.axis)[0];
      }
      return op == Operator::Sum ? sparse::sp_sum(args[0], axis, opts.sparse_grad) : sparse::mean(args[0], axis);
    }
    case Operator::Cast: return sparse::cast(args[0], *opts.dtype);
    case Operator::Reshape: return refuse_reshape("reshape", "reshaped");
    case Operator::DimShuffle: return refuse_reshape("dimshuffle", "dimshuffled");
  }
  return {};
}

}  // namespace hypatia
