// Selection, stacking, construction and sampling kernels of the sparse module (GetItem*,
// HStack/VStack, ConstructSparseFromList, Poisson/Binomial/Multinomial). Written once in
// outer/inner terms (see README.md): CSR and CSC share every loop. Index lists given to these
// kernels are already normalised (non-negative, in range); the ops check and normalise them.
#pragma once
#include <vector>

#include "hypatia/value/sparse_view.h"

namespace hypatia {
class RandomStateValue;
}

namespace hypatia::sparse_kernels {

// ---- selection ----
/// The matrix of outer slices `outer_sel` (null: all, in order) and inner positions
/// `inner_sel` (null: all): out[k, p] = m[outer_sel[k], inner_sel[p]] in outer/inner terms.
/// Lists may repeat and be in any order (a repeated position is copied each time). Stored
/// entries (explicit zeros, duplicates) are kept in their order; m's format and dtype.
SparseMatrix select(const SparseMatrix& m, const std::vector<int64_t>* outer_sel, const std::vector<int64_t>* inner_sel);
/// select() in matrix terms: rows `rows` (null: all) and columns `cols` (null: all).
SparseMatrix select_rows_cols(const SparseMatrix& m, const std::vector<int64_t>* rows, const std::vector<int64_t>* cols);
/// The positions start, start+step, ... of a normalised Python slice (step != 0) of length len.
std::vector<int64_t> slice_positions(int64_t start, int64_t step, int64_t len);
/// m[rows[k], cols[k]] for every k (duplicates summed; 0 where nothing is stored), a dense
/// vector of m's dtype. Parallel over k.
NDArray gather_elements(const SparseMatrix& m, const std::vector<int64_t>& rows, const std::vector<int64_t>& cols);

// ---- construction ----
/// A rows x cols matrix of `format` from coordinate triplets (r[k], c[k], values[k]); entries
/// at the same position are summed (np.add.at / scipy's coo -> csr). Canonical output.
SparseMatrix from_triplets(SparseFormat format, int64_t rows, int64_t cols, const std::vector<int64_t>& r,
                           const std::vector<int64_t>& c, const NDArray& values);
/// The scatter of the rows of a sparse `g` (len(rows_of_g) x cols) into a rows x cols matrix
/// of `format`: out[rows_of_g[k], :] += g[k, :] (repeats accumulate). GetItemListGrad's kernel.
SparseMatrix scatter_rows(const SparseMatrix& g, const std::vector<int64_t>& rows_of_g, int64_t rows, SparseFormat format);
/// Theano's ConstructSparseFromList: the rows x cols csc matrix with values[k, :] stored in row
/// ilist[k] of every column (all entries stored; repeated rows are duplicates, summed when read).
SparseMatrix rows_to_csc(int64_t rows, int64_t cols, const NDArray& values, const std::vector<int64_t>& ilist);

// ---- stacking ----
/// scipy's vstack (vertical) / hstack of blocks into `format` and `dtype`. ValueError
/// "[who] ..." when the shapes do not agree or the list is empty.
SparseMatrix stack(const std::vector<SparseMatrix>& blocks, bool vertical, SparseFormat format, DType dtype,
                   const char* who);

// ---- sampling (sequential over one generator, so a seeded state gives the same result) ----
/// The matrix with x's structure whose data are Poisson(x.data) draws (x's dtype); draws that
/// are 0 are removed afterwards (Theano's eliminate_zeros). ValueError for a negative mean.
SparseMatrix poisson(const SparseMatrix& x, RandomStateValue& g);
/// A rows x cols matrix of Binomial(n, p) draws in `format` and `dtype`, zeros not stored.
SparseMatrix binomial(int64_t rows, int64_t cols, int64_t n, double p, SparseFormat format, DType dtype,
                      RandomStateValue& g);
/// For every row i of p, a Multinomial(n[i], p's stored values of row i) draw stored at p's
/// positions (p's format, structure and dtype). n has 1 entry (every row) or p.rows().
SparseMatrix multinomial(const std::vector<int64_t>& n, const SparseMatrix& p, RandomStateValue& g);

}  // namespace hypatia::sparse_kernels
