// Builders of the sparse API (sparse/basic.h): each applies one op, or composes a few as Theano does.
#include "hypatia/sparse/basic.h"

#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/convert.h"
#include "hypatia/sparse/ops/csm.h"
#include "hypatia/sparse/ops/diag.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"

namespace hypatia::sparse {

namespace {
template <class O, class... P>
Var apply_new(const std::vector<Var>& inputs, P... params) {
  return apply1(*std::make_shared<O>(params...), inputs);
}
}  // namespace

const std::vector<DType>& all_dtypes() {
  static const std::vector<DType> d = {DType::Int8,   DType::Int16,   DType::Int32,     DType::Int64,
                                       DType::UInt8,  DType::UInt16,  DType::UInt32,    DType::UInt64,
                                       DType::Float32, DType::Float64, DType::Complex64, DType::Complex128};
  return d;
}

std::shared_ptr<const SparseType> sparse_type_of(SparseFormat format, DType dtype) {
  sparse_ops::check_sparse_dtype(dtype, "SparseType");
  return SparseType::make(format, dtype);
}

Var matrix(SparseFormat format, std::string name, std::optional<DType> dtype) {
  return make_variable(sparse_type_of(format, dtype.value_or(floatX())), std::move(name));
}
Var csr_matrix(std::string name, std::optional<DType> dtype) { return matrix(SparseFormat::CSR, std::move(name), dtype); }
Var csc_matrix(std::string name, std::optional<DType> dtype) { return matrix(SparseFormat::CSC, std::move(name), dtype); }

bool is_sparse_variable(const Var& v) { return v && v.type()->kind() == TypeKind::Sparse; }
bool is_dense_variable(const Var& v) { return v && v.type()->kind() == TypeKind::Tensor; }

Var constant(const SparseMatrix& value, std::string name) {
  value.validate("SparseConstant");
  SparseMatrix own = sparse_kernels::deep_copy(value);
  return make_constant(sparse_type_of(own.format(), own.dtype()), own, std::move(name));
}

Var as_sparse_variable(const Var& v) {
  sparse_ops::expect_sparse(v, "as_sparse_variable");
  return v;
}

// ---- moving from and to sparse

Var dense_from_sparse(const Var& x, bool structured) {
  return apply_new<DenseFromSparse>({x}, DenseFromSparseParams{structured});
}
Var sparse_from_dense(const Var& x, SparseFormat format) {
  return apply_new<SparseFromDense>({x}, SparseFormatParams{format});
}
Var csr_from_dense(const Var& x) { return sparse_from_dense(x, SparseFormat::CSR); }
Var csc_from_dense(const Var& x) { return sparse_from_dense(x, SparseFormat::CSC); }
Var as_format(const Var& x, SparseFormat format) {
  const SparseType& t = sparse_ops::expect_sparse(x, "AsFormat");
  if (t.format() == format) return x;
  return apply_new<AsFormat>({x}, SparseFormatParams{format});
}
Var sample_dense(const Var& pattern, const Var& dense) { return apply_new<SampleDense>({pattern, dense}); }

// ---- construction and properties

Var csm(SparseFormat format, const Var& data, const Var& indices, const Var& indptr, const Var& shape) {
  return apply_new<CSM>({data, indices, indptr, shape}, SparseFormatParams{format});
}
Var CSR(const Var& data, const Var& indices, const Var& indptr, const Var& shape) {
  return csm(SparseFormat::CSR, data, indices, indptr, shape);
}
Var CSC(const Var& data, const Var& indices, const Var& indptr, const Var& shape) {
  return csm(SparseFormat::CSC, data, indices, indptr, shape);
}
std::vector<Var> csm_properties(const Var& x) { return apply_op(*std::make_shared<CSMProperties>(), {x}); }
Var csm_data(const Var& x) { return csm_properties(x)[0]; }
Var csm_indices(const Var& x) { return csm_properties(x)[1]; }
Var csm_indptr(const Var& x) { return csm_properties(x)[2]; }
Var csm_shape(const Var& x) { return csm_properties(x)[3]; }
Var nnz(const Var& x) { return apply1(*std::make_shared<SparseNnz>(), {x}); }
Var csm_grad(const std::vector<Var>& inputs) {
  // The format only decides how the arrays are read; infer it from the shapes is impossible for
  // square matrices, so CSMGrad is CSR-read here: both matrices are read the same way, which
  // gives the same result in either format.
  return apply_new<CSMGrad>(inputs, SparseFormatParams{SparseFormat::CSR});
}

Var sp_ones_like(const Var& x) {
  const SparseType& t = sparse_ops::expect_sparse(x, "sp_ones_like");
  std::vector<Var> p = csm_properties(x);
  return csm(t.format(), ones_like(p[0]), p[1], p[2], p[3]);
}

Var sp_zeros_like(const Var& x) {
  const SparseType& t = sparse_ops::expect_sparse(x, "sp_zeros_like");
  std::vector<Var> p = csm_properties(x);
  return csm(t.format(), hypatia::constant(NDArray(t.elem(), {0})), hypatia::constant(NDArray(DType::Int32, {0})),
             zeros_like(p[2]), p[3]);
}

Var square_diagonal(const Var& v) { return apply_new<SquareDiagonal>({v}); }
Var diag(const Var& x) { return apply_new<SparseDiag>({x}); }

// ---- cast, transpose, negation, internal representation

Var cast(const Var& x, DType dtype) { return apply_new<SparseCast>({x}, SparseCastParams{dtype}); }
Var transpose(const Var& x) { return apply_new<SparseTranspose>({x}); }
Var neg(const Var& x) { return apply_new<SparseNeg>({x}); }
Var remove0(const Var& x) { return apply_new<Remove0>({x}); }
Var ensure_sorted_indices(const Var& x) { return apply_new<EnsureSortedIndices>({x}); }
Var clean(const Var& x) { return ensure_sorted_indices(remove0(x)); }

}  // namespace hypatia::sparse
