// Selection ops on sparse matrices (theano.sparse.basic): GetItem2d (x[a:b:s, c:d:t]),
// GetItemScalar (x[i, j]), GetItemList (x[int_vector]) with GetItemListGrad, and GetItem2Lists
// (x[ind1, ind2]) with GetItem2ListsGrad. Negative indices count from the end; an index out
// of range raises IndexError "[Op] ...".
#pragma once
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/indexing.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

struct GetItem2dParams {
  /// Bit b (0..5 = row start, stop, step, col start, stop, step) set: that slice component
  /// is an input (an integer scalar, in this order after x); unset: None.
  int present = 0;
  auto fields() const { return std::tie(present); }
};

/// GetItem2d(x, [row start, stop, step], [col start, stop, step]): the sub-matrix x[a:b:s, c:d:t]
/// as a sparse matrix of x's format (Python slice rules: None, negative bounds and steps).
/// No gradient (as Theano). infer_shape through SliceLength.
class GetItem2d final : public OpBase<GetItem2d, GetItem2dParams> {
  HYPATIA_OP(GetItem2d, kVariadic, make_node, perform, infer_shape, vjp, connection_pattern)
};

namespace sparse {
/// x[index] for 1 or 2 slice entries (GetItem2d; the missing one is `:`): Python slice rules,
/// None / negative / symbolic bounds and steps. An integer entry mixed with a slice raises
/// NotImplemented (no sparse vectors: use x[M:M+1, N:O] / x[M:N, O:O+1]); arrays raise TypeError.
Var get_item_2d(const Var& x, const std::vector<IndexEntry>& index);
}  // namespace sparse

/// GetItemScalar(x, i, j): x[i, j] (duplicates summed) as a tensor scalar of x's dtype. No gradient.
class GetItemScalar final : public OpBase<GetItemScalar> {
  HYPATIA_OP(GetItemScalar, 3, make_node, perform, infer_shape, vjp, connection_pattern)
};

namespace sparse {
/// x[i, j] as a tensor scalar (GetItemScalar); i, j integer scalars (negative from the end).
Var get_item_scalar(const Var& x, const Var& i, const Var& j);
}  // namespace sparse

/// GetItemList(x, idx): the rows idx of x (an integer vector; repeats allowed) as a sparse
/// matrix of x's format. Grad w.r.t. x: GetItemListGrad; w.r.t. idx: undefined.
class GetItemList final : public OpBase<GetItemList> {
  HYPATIA_OP(GetItemList, 2, make_node, perform, infer_shape, vjp, jvp)
};

namespace sparse {
/// The rows idx of x (GetItemList); idx an integer vector.
Var get_item_list(const Var& x, const Var& idx);
}  // namespace sparse

/// GetItemListGrad(x, idx, gz): a matrix of x's type and shape with row idx[k] += gz[k]
/// (gz sparse; repeated rows accumulate, the true gradient of GetItemList).
class GetItemListGrad final : public OpBase<GetItemListGrad> {
  HYPATIA_OP(GetItemListGrad, 3, make_node, perform, infer_shape, vjp, connection_pattern)
};

namespace sparse {
Var get_item_list_grad(const Var& x, const Var& idx, const Var& gz);
}  // namespace sparse

/// GetItem2Lists(x, ind1, ind2): the dense vector [x[ind1[k], ind2[k]] for k] of x's dtype
/// (integer vectors of equal length). Grad w.r.t. x: GetItem2ListsGrad; indices: undefined.
class GetItem2Lists final : public OpBase<GetItem2Lists> {
  HYPATIA_OP(GetItem2Lists, 3, make_node, perform, infer_shape, vjp)
};

namespace sparse {
/// The dense vector of x[ind1[k], ind2[k]] (GetItem2Lists).
Var get_item_2lists(const Var& x, const Var& ind1, const Var& ind2);
}  // namespace sparse

/// GetItem2ListsGrad(x, ind1, ind2, gz): a matrix of x's type and shape holding gz[k] at
/// (ind1[k], ind2[k]) (repeated pairs accumulate).
class GetItem2ListsGrad final : public OpBase<GetItem2ListsGrad> {
  HYPATIA_OP(GetItem2ListsGrad, 4, make_node, perform, infer_shape, vjp, connection_pattern)
};

namespace sparse {
Var get_item_2lists_grad(const Var& x, const Var& ind1, const Var& ind2, const Var& gz);
/// Theano's SparseVariable.__getitem__: two integer scalars -> get_item_scalar; two integer
/// vectors -> get_item_2lists; one integer vector -> get_item_list; slices -> get_item_2d;
/// an integer with a slice -> NotImplemented naming x[M:M+1, N:O].
Var getitem(const Var& x, const std::vector<IndexEntry>& index);
}  // namespace sparse

namespace sparse_ops {
/// The integer vector value `v` with negative entries wrapped (i + n) and every entry checked
/// against [0, n): IndexError "[who] index i is out of bounds for axis `axis` with size n".
std::vector<int64_t> normalized_indices(const Value& v, int64_t n, int axis, const std::string& who);
/// An integer index var (ndim 0 or 1, per `ndim`): TypeError "[who] ..." otherwise.
Var expect_int_index(const Var& v, int ndim, const std::string& who, const char* what);
}  // namespace sparse_ops

}  // namespace hypatia
