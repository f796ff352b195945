// Helpers shared by sparse ops: input type checks, output preparation, gradient conversion.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia::sparse_ops {

/// The SparseType of v; TypeError "[who] expected a sparse matrix variable, got ..." otherwise
/// (naming csr_from_dense/csc_from_dense when v is a dense tensor).
const SparseType& expect_sparse(const Var& v, const std::string& who);
/// The TensorType of v (a dense tensor of rank `ndim`, when ndim >= 0); TypeError naming
/// dense_from_sparse when v is sparse.
const TensorType& expect_dense(const Var& v, const std::string& who, int ndim = -1);
/// TypeError unless d is a sparse dtype: the twelve of scipy plus bool (not float16).
void check_sparse_dtype(DType d, const std::string& who);
/// The runtime sparse value of input i, with a "[who]" message when it is not sparse.
const SparseMatrix& sparse_input(const Value* const* inputs, int i, const std::string& who);

/// A gradient for a sparse input `x` from `g`: g itself when it is sparse of x's format; a
/// format conversion when it is sparse of the other format; a sparse matrix of x's format
/// (zeros dropped) when g is dense. Null/disconnected g pass through.
Var as_sparse_grad(const Var& g, const Var& x);
/// Whether an output gradient carries nothing (absent, disconnected or null), so that the
/// inputs' gradients are disconnected without building a graph.
bool no_grad(const Var& g);
/// g as a dense tensor: the regular densification (dense_from_sparse) when it is sparse.
Var dense_grad(const Var& g);
/// A dense tensor type of dtype d and rank ndim, with no broadcastable axis.
TypePtr dense_type(DType d, int ndim);
/// a itself when it already has dtype d, else a converted copy (kernels take one dtype).
NDArray as_dtype(const NDArray& a, DType d);
/// The same without a copy on the common path: a itself when it has dtype d, else its converted
/// copy, held in `tmp`. For the per-call code of small inputs, where every copy of an array's
/// descriptor is two allocations.
const NDArray& in_dtype(const NDArray& a, DType d, std::optional<NDArray>& tmp);
const SparseMatrix& in_dtype(const SparseMatrix& m, DType d, std::optional<SparseMatrix>& tmp);

/// The single output of a fresh op O (built from params) applied to inputs: what most builders do.
template <class O, class... P>
Var apply_new(const std::vector<Var>& inputs, P... params) {
  return apply1(*std::make_shared<O>(params...), inputs);
}
/// Which of the two operands of a sparse builder are sparse; TypeError "[who] ..." when neither
/// is (or one is None). The dispatch of add, sub, mul and the comparisons.
std::pair<bool, bool> sparse_operands(const Var& x, const Var& y, const std::string& who);

}  // namespace hypatia::sparse_ops
