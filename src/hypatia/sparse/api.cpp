// The generic sparse API (sparse/api.h): dtypes, types, variables and constants.
#include "hypatia/sparse/api.h"

#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/tensor/basic.h"

namespace hypatia::sparse {

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

}  // namespace hypatia::sparse
