// Sparse kernels against plain dense references: every dtype, both formats and index dtypes,
// unsorted indices, explicit zeros, duplicates, empty slices, and sizes that run in parallel.
#include <gtest/gtest.h>

#include "hypatia/sparse/kernels/kernels.h"
#include "support/sparse_random.h"

using namespace hypatia;
using namespace hypatia::testing;
namespace sk = hypatia::sparse_kernels;

namespace {
const std::vector<DType> kAllDtypes = {DType::Bool,   DType::Int8,    DType::Int16,   DType::Int32,     DType::Int64,
                                       DType::UInt8,  DType::UInt16,  DType::UInt32,  DType::UInt64,    DType::Float32,
                                       DType::Float64, DType::Complex64, DType::Complex128};
const SparseFormat kFormats[] = {SparseFormat::CSR, SparseFormat::CSC};

bool same_dense(const NDArray& a, const NDArray& b) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
  return std::memcmp(a.contiguous().raw(), b.contiguous().raw(), a.nbytes()) == 0;
}

// The 3x4 CSR matrix [[1,0,2,0],[0,0,0,0],[0,3,0,4]] with duplicates: (0,0) stored twice
// (1 = 0.25 + 0.75), (2,3) stored as 4 and an explicit 0, unsorted row 2.
SparseMatrix with_duplicates(DType idt) {
  NDArray data = NDArray::from_vector<double>({0.25, 2, 0.75, 4, 3, 0}, {6});
  NDArray idx = NDArray::from_vector<int64_t>({0, 2, 0, 3, 1, 3}, {6}).astype(idt);
  NDArray ptr = NDArray::from_vector<int64_t>({0, 3, 3, 6}, {4}).astype(idt);
  return SparseMatrix(SparseFormat::CSR, 3, 4, data, idx, ptr);
}
NDArray duplicates_dense() { return NDArray::from_vector<double>({1, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 4}, {3, 4}); }
}  // namespace

TEST(SparseKernels, RoundTripsEveryDtypeFormatAndIndexDtype) {
  std::mt19937_64 rng(1);
  for (DType d : kAllDtypes)
    for (SparseFormat f : kFormats)
      for (DType idt : {DType::Int32, DType::Int64})
        for (int variant = 0; variant < 3; ++variant) {
          SCOPED_TRACE(str_cat(dtype_name(d), " ", format_name(f), " ", dtype_name(idt), " variant ", variant));
          RandomSparseOptions o;
          o.index_dtype = idt;
          o.unsorted_indices = variant == 1;
          o.explicit_zero = variant == 2;
          SparseMatrix m = random_sparse(f, 5, 3, d, rng, o);
          ASSERT_NO_THROW(m.validate());
          NDArray want = dense_reference(m);
          EXPECT_TRUE(same_dense(sk::to_dense(m), want));
          SparseFormat other = f == SparseFormat::CSR ? SparseFormat::CSC : SparseFormat::CSR;
          SparseMatrix c = sk::convert_format(m, other);
          EXPECT_EQ(c.format(), other);
          EXPECT_NO_THROW(c.validate());
          EXPECT_TRUE(sk::has_sorted_indices(c));
          EXPECT_TRUE(same_dense(dense_reference(c), want));
          SparseMatrix s = sk::sort_indices(m);
          EXPECT_TRUE(sk::has_sorted_indices(s));
          EXPECT_TRUE(same_dense(dense_reference(s), want));
          SparseMatrix z = sk::remove_zeros(m);
          EXPECT_FALSE(sk::has_explicit_zeros(z));
          EXPECT_EQ(z.indices().dtype(), idt);
          EXPECT_TRUE(same_dense(dense_reference(z), want));
          SparseMatrix back = sk::from_dense(want, f);
          EXPECT_TRUE(sk::has_canonical_format(back));
          EXPECT_FALSE(sk::has_explicit_zeros(back));
          EXPECT_TRUE(same_dense(dense_reference(back), want));
          SparseMatrix t = sk::transpose(m);
          EXPECT_EQ(t.format(), other);
          EXPECT_TRUE(t.data().may_share_memory(m.data()));
          EXPECT_TRUE(same_dense(dense_reference(t), want.transpose().copy()));
        }
}

TEST(SparseKernels, DuplicatesAreSummedWhereValuesAreRead) {
  for (DType idt : {DType::Int32, DType::Int64}) {
    SparseMatrix m = with_duplicates(idt);
    EXPECT_FALSE(sk::has_canonical_format(m));
    EXPECT_TRUE(allclose(sk::to_dense(m), duplicates_dense()));
    SparseMatrix c = sk::sum_duplicates(m);
    EXPECT_TRUE(sk::has_canonical_format(c));
    EXPECT_EQ(c.nnz(), 4);  // (0,0), (0,2), (2,1), (2,3): the 4 + 0 sum is kept
    EXPECT_TRUE(allclose(sk::to_dense(c), duplicates_dense()));
    EXPECT_TRUE(allclose(sk::to_dense(sk::convert_format(m, SparseFormat::CSC)), duplicates_dense()));
    NDArray diag = sk::diagonal(m);
    EXPECT_TRUE(allclose(diag, NDArray::from_vector<double>({1, 0, 0}, {3})));
    // gather_sparse: values summed over duplicates, read at every stored entry of the pattern.
    NDArray g = sk::gather_sparse(m, m);
    EXPECT_TRUE(allclose(g, NDArray::from_vector<double>({1, 2, 1, 4, 3, 4}, {6})));
    NDArray gd = sk::gather_dense(m, duplicates_dense());
    EXPECT_TRUE(allclose(gd, NDArray::from_vector<double>({1, 2, 1, 4, 3, 4}, {6})));
  }
}

TEST(SparseKernels, MixedIndexDtypesAndTrailingData) {
  // indices int32, indptr int64, and data/indices longer than nnz (scipy allows it).
  SparseMatrix m(SparseFormat::CSC, 2, 3, NDArray::from_vector<float>({5, 6, 99}, {3}),
                 NDArray::from_vector<int32_t>({1, 0, 0}, {3}), NDArray::from_vector<int64_t>({0, 1, 1, 2}, {4}));
  ASSERT_NO_THROW(m.validate());
  NDArray want = NDArray::from_vector<float>({0, 0, 6, 5, 0, 0}, {2, 3});
  EXPECT_TRUE(allclose(sk::to_dense(m), want));
  EXPECT_TRUE(allclose(sk::to_dense(sk::convert_format(m, SparseFormat::CSR)), want));
  EXPECT_EQ(sk::stored_data(m).size(), 2);
  EXPECT_EQ(sk::deep_copy(m).data().size(), 2);
}

TEST(SparseKernels, EmptyAndAllZeroMatrices) {
  for (SparseFormat f : kFormats) {
    SparseMatrix z = SparseMatrix::zeros(f, 3, 5, DType::Float64);
    EXPECT_TRUE(allclose(sk::to_dense(z), NDArray::zeros(DType::Float64, {3, 5})));
    EXPECT_EQ(sk::convert_format(z, f == SparseFormat::CSR ? SparseFormat::CSC : SparseFormat::CSR).nnz(), 0);
    EXPECT_EQ(sk::from_dense(NDArray::zeros(DType::Float32, {0, 4}), f).nnz(), 0);
    EXPECT_EQ(sk::sum_duplicates(z).nnz(), 0);
  }
}

TEST(SparseKernels, LargeMatricesTakeTheParallelPathAndAgree) {
  std::mt19937_64 rng(3);
  for (SparseFormat f : kFormats) {
    RandomSparseOptions o;
    o.p = 0.7;
    o.unsorted_indices = true;
    SparseMatrix m = random_sparse(f, 400, 350, DType::Float64, rng, o);
    ASSERT_GT(m.nnz(), sk::kParallelWork);
    NDArray want = dense_reference(m);
    EXPECT_TRUE(same_dense(sk::to_dense(m), want));
    SparseMatrix c = sk::convert_format(m, f == SparseFormat::CSR ? SparseFormat::CSC : SparseFormat::CSR);
    EXPECT_TRUE(sk::has_sorted_indices(c));
    EXPECT_TRUE(same_dense(dense_reference(c), want));
    EXPECT_TRUE(same_dense(dense_reference(sk::sort_indices(m)), want));
    EXPECT_TRUE(sk::has_sorted_indices(sk::sort_indices(m)));
    EXPECT_TRUE(same_dense(dense_reference(sk::from_dense(want, f)), want));
    EXPECT_TRUE(same_dense(dense_reference(sk::sum_duplicates(m)), want));
  }
}
