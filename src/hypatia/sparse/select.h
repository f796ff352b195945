// Builders of the sparse selection, stacking, construction and probability ops
// (theano.sparse: get_item_*, hstack/vstack, construct_sparse_from_list, sparse_grad, poisson,
// csr_fbinomial ..., multinomial). Each checks its inputs and raises "[OpName] ...".
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/ops/random.h"
#include "hypatia/tensor/indexing.h"

namespace hypatia::sparse {

// ---- selection ----
/// x[index] for 1 or 2 slice entries (GetItem2d; the missing one is `:`): Python slice rules,
/// None / negative / symbolic bounds and steps. An integer entry mixed with a slice raises
/// NotImplemented (no sparse vectors: use x[M:M+1, N:O] / x[M:N, O:O+1]); arrays raise TypeError.
Var get_item_2d(const Var& x, const std::vector<IndexEntry>& index);
/// x[i, j] as a tensor scalar (GetItemScalar); i, j integer scalars (negative from the end).
Var get_item_scalar(const Var& x, const Var& i, const Var& j);
/// The rows idx of x (GetItemList); idx an integer vector.
Var get_item_list(const Var& x, const Var& idx);
/// The dense vector of x[ind1[k], ind2[k]] (GetItem2Lists).
Var get_item_2lists(const Var& x, const Var& ind1, const Var& ind2);
Var get_item_list_grad(const Var& x, const Var& idx, const Var& gz);
Var get_item_2lists_grad(const Var& x, const Var& ind1, const Var& ind2, const Var& gz);
/// Theano's SparseVariable.__getitem__: two integer scalars -> get_item_scalar; two integer
/// vectors -> get_item_2lists; one integer vector -> get_item_list; slices -> get_item_2d;
/// an integer with a slice -> NotImplemented naming x[M:M+1, N:O].
Var getitem(const Var& x, const std::vector<IndexEntry>& index);

// ---- stacking ----
/// scipy's hstack / vstack of sparse blocks (HStack / VStack): format defaults to csc, dtype
/// to the upcast of the blocks' dtypes. Regular grad: the output gradient's column (row)
/// block of each input, in the input's format (disconnected for integer inputs).
Var hstack(const std::vector<Var>& blocks, std::optional<SparseFormat> format = std::nullopt,
           std::optional<DType> dtype = std::nullopt);
Var vstack(const std::vector<Var>& blocks, std::optional<SparseFormat> format = std::nullopt,
           std::optional<DType> dtype = std::nullopt);

// ---- construction and sparse gradients ----
/// ConstructSparseFromList(shape(x), values, ilist): the csc matrix of x's shape and dtype
/// whose row ilist[k] holds values[k, :] (repeated rows add up). Regular grad w.r.t. values
/// (values' gradient is g[ilist]); x only gives the shape.
Var construct_sparse_from_list(const Var& x, const Var& values, const Var& ilist);
/// Registers construct_sparse_from_list as the sparse-gradient builder of AdvancedSubtensor1
/// (tensor's set_sparse_grad_builder). Idempotent. Called explicitly (no static initialiser)
/// by sparse_grad() below and by the Python module's initialisation (init_sparse_select).
void register_sparse_grad_builder();
/// theano.sparse_grad(x[int_vector]): the same selection whose gradient w.r.t. the (matrix) x
/// is a sparse csc matrix (ConstructSparseFromList). Registers the builder first.
Var sparse_grad(const Var& subtensor_result);

// ---- probability (docs/semantics.md, "Random numbers") ----
// The raw forms take a generator-state variable (RandomStateType) and return (new state,
// sample), like the tensor RandomFunction. The plain forms make a shared state seeded with
// `seed` (fresh entropy when nullopt) whose default_update advances it at every call, so a
// seeded graph reproduces its sequence and an unseeded one draws fresh values; the
// RandomStreams forms take their state from the stream (reseeded by streams.seed()).
/// Poisson: x's structure with data ~ Poisson(x.data) (x's dtype); zero draws are not stored.
RandomPair random_poisson(const Var& rng, const Var& x);
Var poisson(const Var& x, std::optional<uint64_t> seed = std::nullopt);
Var poisson(RandomStreams& streams, const Var& x);
/// Binomial{format, dtype}(n, p, shape): a shape[0] x shape[1] matrix of Binomial(n, p) draws
/// (zeros not stored). n an integer scalar, p a float scalar, shape an integer vector of 2.
RandomPair random_binomial(const Var& rng, SparseFormat format, DType dtype, const Var& n, const Var& p, const Var& shape);
Var binomial(SparseFormat format, DType dtype, const Var& n, const Var& p, const Var& shape,
             std::optional<uint64_t> seed = std::nullopt);
Var binomial(RandomStreams& streams, SparseFormat format, DType dtype, const Var& n, const Var& p, const Var& shape);
/// Multinomial(n, p): for every row i of the sparse p, Multinomial(n[i] (or n), p's stored
/// values of row i) counts at p's stored positions (p's type). Works for csr and csc p.
RandomPair random_multinomial(const Var& rng, const Var& n, const Var& p);
Var multinomial(const Var& n, const Var& p, std::optional<uint64_t> seed = std::nullopt);
Var multinomial(RandomStreams& streams, const Var& n, const Var& p);

}  // namespace hypatia::sparse
