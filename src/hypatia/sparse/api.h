// The generic part of the sparse API that builds no op: the sparse dtypes and types, fresh
// sparse variables, constants and the sparse/dense variable tests. The op builders live next to
// their ops in ops/<family>.h; sparse/sparse.h includes them all.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/sparse/sparse_type.h"

namespace hypatia::sparse {

// ---- types, variables, constants ----
/// The sparse dtypes: the twelve of scipy (Theano's sparse.all_dtypes); bool is accepted too
/// (docs/semantics.md, "Dtypes and constants") but, as in Theano, not listed.
const std::vector<DType>& all_dtypes();
/// A sparse matrix type; TypeError for float16.
std::shared_ptr<const SparseType> sparse_type_of(SparseFormat format, DType dtype);
/// A fresh sparse variable (dtype defaults to floatX).
Var matrix(SparseFormat format, std::string name = "", std::optional<DType> dtype = std::nullopt);
Var csr_matrix(std::string name = "", std::optional<DType> dtype = std::nullopt);
Var csc_matrix(std::string name = "", std::optional<DType> dtype = std::nullopt);
bool is_sparse_variable(const Var& v);
bool is_dense_variable(const Var& v);  // a TensorType variable
/// A constant holding a (validated, copied) sparse value; printed "SparseConstant{...}".
Var constant(const SparseMatrix& value, std::string name = "");
/// v when it is sparse; TypeError otherwise (use csr_from_dense / csc_from_dense).
Var as_sparse_variable(const Var& v);

}  // namespace hypatia::sparse
