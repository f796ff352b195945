// The sparse API users and other sparse ops build graphs with (theano.sparse): variables,
// constants, conversions, construction from/to the compressed arrays, and the basic ops.
// Every builder checks its inputs and raises TypeError/ValueError starting "[OpName]".
#pragma once
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

// ---- moving from and to sparse ----
/// DenseFromSparse{structured}: the dense matrix (duplicates summed). Structured grad by default.
Var dense_from_sparse(const Var& x, bool structured = true);
/// SparseFromDense{format}: only the non-zero values are stored; structured grad. A dense
/// vector gives a 1 x n matrix (a scalar 1 x 1), as scipy.sparse.csr_matrix(v) and Theano.
Var sparse_from_dense(const Var& x, SparseFormat format);
Var csr_from_dense(const Var& x);
Var csc_from_dense(const Var& x);
/// AsFormat{format}: the same matrix in the given format (x itself when already so). Regular grad.
Var as_format(const Var& x, SparseFormat format);
/// SampleDense: the sparse matrix with pattern's structure holding dense[i, j] at each stored
/// (i, j) of pattern (dense's dtype). Equal to Theano's mul(sp_ones_like(pattern), dense); the
/// building block of structured gradients. Grad w.r.t. dense: dense_from_sparse of the output
/// gradient; pattern is not differentiated (disconnected).
Var sample_dense(const Var& pattern, const Var& dense);

// ---- construction and properties ----
/// CSM{format}(data, indices, indptr, shape): a matrix from its compressed arrays (integer
/// vectors; shape has 2 entries). The arrays are validated at run time (ValueError "[CSM] ...").
/// Regular grad w.r.t. data through CSMGrad.
Var csm(SparseFormat format, const Var& data, const Var& indices, const Var& indptr, const Var& shape);
Var CSR(const Var& data, const Var& indices, const Var& indptr, const Var& shape);
Var CSC(const Var& data, const Var& indices, const Var& indptr, const Var& shape);
/// CSMProperties: (data, indices, indptr, shape) of x. data has x's dtype and holds nnz values;
/// indices and indptr are int32 (Theano's ivector; ValueError if a value does not fit); shape is
/// int64 (as Shape). Regular grad (w.r.t. data only).
std::vector<Var> csm_properties(const Var& x);
Var csm_data(const Var& x);
Var csm_indices(const Var& x);
Var csm_indptr(const Var& x);
Var csm_shape(const Var& x);
/// SparseNnz: the number of stored entries of x (explicit zeros included), an int64 scalar
/// (what x.size gives; the length of csm_data(x)).
Var nnz(const Var& x);
/// CSMGrad(x_data, x_indices, x_indptr, x_shape, g_data, g_indices, g_indptr, g_shape): for each
/// stored entry of x, the value of g (same format as x, duplicates summed) at its position.
Var csm_grad(const std::vector<Var>& inputs);
/// Ones at the stored positions of x (x's dtype and format); built as Theano does, from
/// csm_properties and CSM, so the grad is regular.
Var sp_ones_like(const Var& x);
/// An all-zero matrix of x's shape, format and dtype (no stored entries).
Var sp_zeros_like(const Var& x);
/// SquareDiagonal: the square csc matrix with the dense vector v on its diagonal (every entry
/// of v stored, zeros included, as Theano). Regular grad (diag of the output gradient).
Var square_diagonal(const Var& v);
/// Diag: the main diagonal of a square sparse matrix as a dense vector (ValueError "[Diag] ..."
/// for a non-square matrix). Regular grad.
Var diag(const Var& x);

// ---- cast, transpose, negation, internal representation ----
/// Cast{dtype}: same format, new dtype. Complex to real keeps the real parts (numpy). Regular grad.
Var cast(const Var& x, DType dtype);
/// Transpose: swaps the format (csr <-> csc) without copying. Regular grad.
Var transpose(const Var& x);
/// Neg: -x on the stored values. Regular grad. TypeError for bool.
Var neg(const Var& x);
/// Remove0: x without explicit zeros. Regular grad.
Var remove0(const Var& x);
/// EnsureSortedIndices: indices sorted within each row (csr) / column (csc). Regular grad.
Var ensure_sorted_indices(const Var& x);
/// ensure_sorted_indices(remove0(x)).
Var clean(const Var& x);

}  // namespace hypatia::sparse
