// SparseMatrix: validation messages, and the structure queries and conversions on it (sparse
// kernels since issue 9), for CSR and CSC alike.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "hypatia/util/parallel.h"
#include "hypatia/value/sparse_matrix.h"
#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/sparse_type.h"

using namespace hypatia;
namespace sk = hypatia::sparse_kernels;

namespace {
// The 3x4 matrix [[1,0,2,0],[0,0,0,0],[0,3,0,4]] in CSR.
SparseMatrix example_csr() {
  return SparseMatrix(SparseFormat::CSR, 3, 4, NDArray::from_vector<double>({1, 2, 3, 4}, {4}),
                      NDArray::from_vector<int32_t>({0, 2, 1, 3}, {4}), NDArray::from_vector<int32_t>({0, 2, 2, 4}, {4}));
}
NDArray example_dense() { return NDArray::from_vector<double>({1, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 4}, {3, 4}); }

std::string validate_message(const SparseMatrix& m) {
  try {
    m.validate();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind() == ErrorKind::Value || e.kind() == ErrorKind::Type, true);
    return e.what();
  }
  return "";
}
}  // namespace

TEST(SparseMatrix, DenseRoundTripBothFormats) {
  for (SparseFormat f : {SparseFormat::CSR, SparseFormat::CSC}) {
    SparseMatrix m = SparseMatrix::from_dense(example_dense(), f);
    EXPECT_EQ(m.format(), f);
    EXPECT_EQ(m.nnz(), 4);
    EXPECT_EQ(m.outer_size(), f == SparseFormat::CSR ? 3 : 4);
    EXPECT_NO_THROW(m.validate());
    EXPECT_TRUE(allclose(m.to_dense(), example_dense()));
    EXPECT_TRUE(allclose(sk::convert_format(m, f == SparseFormat::CSR ? SparseFormat::CSC : SparseFormat::CSR).to_dense(), example_dense()));
  }
}

TEST(SparseMatrix, FromDenseSkipsZeroRunsBySignlessBits) {
  // Rows of 53 (three runs of 16 and a tail): -0.0 is zero, NaN, subnormals and the largest
  // values are not, wherever they sit in a run; float32 and float64 alike, both formats.
  for (DType dt : {DType::Float32, DType::Float64})
    for (SparseFormat f : {SparseFormat::CSR, SparseFormat::CSC}) {
      NDArray d = NDArray::zeros(DType::Float64, {3, 53});
      double* p = d.data<double>();
      p[0 * 53 + 15] = -0.0;
      p[0 * 53 + 16] = std::numeric_limits<double>::quiet_NaN();
      p[1 * 53 + 0] = -0.0;
      p[1 * 53 + 31] = dt == DType::Float32 ? 1e-40 : 4.9e-324;  // subnormal
      p[1 * 53 + 52] = -1.0;
      p[2 * 53 + 47] = -std::numeric_limits<double>::max();
      const NDArray dd = d.astype(dt);
      SparseMatrix m = SparseMatrix::from_dense(dd, f);
      EXPECT_EQ(m.nnz(), 4) << dtype_name(dt) << " " << format_name(f);
      const NDArray back = m.to_dense().astype(DType::Float64);
      for (int64_t k = 0; k < 3 * 53; ++k) {
        const double want = p[k] == 0 ? 0.0 : p[k];
        const double got = back.data<double>()[k];
        if (std::isnan(want)) EXPECT_TRUE(std::isnan(got)) << k;
        else if (dt == DType::Float64) EXPECT_EQ(got, want) << k;
        else EXPECT_EQ(got, static_cast<double>(static_cast<float>(want))) << k;
      }
    }
}

TEST(SparseMatrix, TransposeIsAReinterpretation) {
  SparseMatrix m = example_csr();
  SparseMatrix t = sk::transpose(m);
  EXPECT_EQ(t.format(), SparseFormat::CSC);
  EXPECT_EQ(t.rows(), 4);
  EXPECT_TRUE(t.data().may_share_memory(m.data()));
  EXPECT_TRUE(allclose(t.to_dense(), example_dense().transpose().copy()));
}

TEST(SparseMatrix, ValidateNamesTheProblem) {
  SparseMatrix good = example_csr();
  EXPECT_EQ(validate_message(good), "");
  SparseMatrix short_ptr(SparseFormat::CSR, 3, 4, good.data(), good.indices(), NDArray::from_vector<int32_t>({0, 2, 4}, {3}));
  EXPECT_NE(validate_message(short_ptr).find("indptr has length 3"), std::string::npos);
  SparseMatrix non_mono(SparseFormat::CSR, 3, 4, good.data(), good.indices(), NDArray::from_vector<int32_t>({0, 3, 2, 4}, {4}));
  EXPECT_NE(validate_message(non_mono).find("non-decreasing"), std::string::npos);
  SparseMatrix out_of_range(SparseFormat::CSR, 3, 4, good.data(), NDArray::from_vector<int32_t>({0, 2, 1, 9}, {4}), good.indptr());
  EXPECT_NE(validate_message(out_of_range).find("out of range"), std::string::npos);
  SparseMatrix mismatch(SparseFormat::CSR, 3, 4, NDArray::from_vector<double>({1, 2, 3}, {3}), good.indices(), good.indptr());
  EXPECT_NE(validate_message(mismatch).find("data has 3"), std::string::npos);
  SparseMatrix bad_dtype(SparseFormat::CSR, 3, 4, good.data(), good.indices().astype(DType::Float64), good.indptr());
  EXPECT_NE(validate_message(bad_dtype).find("int32 or int64"), std::string::npos);
  SparseMatrix bad_start(SparseFormat::CSR, 3, 4, good.data(), good.indices(), NDArray::from_vector<int32_t>({1, 2, 2, 4}, {4}));
  EXPECT_NE(validate_message(bad_start).find("indptr[0]"), std::string::npos);
}

// The indptr check runs in blocks of 64k steps across threads: a step down at a block's first or
// last step, between blocks or at the very end is found, and the message names the first one,
// for both index dtypes, with OpenMP on and off.
TEST(SparseMatrix, ValidateFindsTheFirstStepDownOfALongIndptr) {
  const int64_t outer = 3 * 65536 + 5;
  for (DType it : {DType::Int32, DType::Int64})
    for (bool omp : {true, false}) {
      set_openmp(omp);
      for (int64_t at : {int64_t{0}, int64_t{65535}, int64_t{65536}, int64_t{131071}, int64_t{2 * 65536 + 7}, outer - 1}) {
        std::vector<int64_t> ptr(outer + 1);
        for (int64_t o = 0; o <= outer; ++o) ptr[o] = o;
        ptr[at + 1] = ptr[at] - 1;  // step `at` goes down (to -1 at the first step)
        const int64_t first = at;
        const int64_t nnz = ptr[outer];
        SparseMatrix m(SparseFormat::CSR, outer, 4, NDArray::zeros(DType::Float64, {nnz}),
                       NDArray::zeros(DType::Int32, {nnz}), NDArray::from_vector<int64_t>(ptr, {outer + 1}).astype(it));
        const std::string msg = validate_message(m);
        const std::string want = "indptr[" + std::to_string(first + 1) + "] = " + std::to_string(ptr[first + 1]) +
                                 " < indptr[" + std::to_string(first) + "] = " + std::to_string(ptr[first]);
        EXPECT_NE(msg.find(want), std::string::npos) << msg << " / " << want;
        // A second step down further on does not change which one is named.
        if (first + 10 < outer) {
          ptr[first + 10] = ptr[first + 9] - 1;
          SparseMatrix m2(SparseFormat::CSR, outer, 4, NDArray::zeros(DType::Float64, {ptr[outer]}),
                          NDArray::zeros(DType::Int32, {ptr[outer]}), NDArray::from_vector<int64_t>(ptr, {outer + 1}).astype(it));
          EXPECT_NE(validate_message(m2).find(want), std::string::npos) << validate_message(m2);
        }
      }
    }
  set_openmp(true);
}

// Found by tests/fuzz/fuzz_sparse_boundary (UBSan): the expected indptr length outer + 1
// overflowed int64 for an outer size of INT64_MAX.
TEST(SparseMatrix, ValidateHugeShapeWithoutOverflow) {
  const int64_t huge = INT64_MAX;
  SparseMatrix csr(SparseFormat::CSR, huge, 4, NDArray(DType::Float64, {0}), NDArray(DType::Int32, {0}),
                   NDArray::from_vector<int32_t>({0}, {1}));
  EXPECT_NE(validate_message(csr).find("needs 9223372036854775808"), std::string::npos) << validate_message(csr);
  SparseMatrix csc(SparseFormat::CSC, 4, huge, NDArray(DType::Float64, {0}), NDArray(DType::Int32, {0}),
                   NDArray::from_vector<int32_t>({0}, {1}));
  EXPECT_NE(validate_message(csc).find("indptr has length 1"), std::string::npos);
}

TEST(SparseMatrix, SortedIndicesAndExplicitZeros) {
  // Row 0 stores columns 2 then 0 (unsorted) and an explicit zero at column 1 of row 2.
  SparseMatrix m(SparseFormat::CSR, 3, 4, NDArray::from_vector<double>({2, 1, 0, 4}, {4}),
                 NDArray::from_vector<int64_t>({2, 0, 1, 3}, {4}), NDArray::from_vector<int64_t>({0, 2, 2, 4}, {4}));
  EXPECT_NO_THROW(m.validate());
  EXPECT_FALSE(sk::has_sorted_indices(m));
  EXPECT_TRUE(sk::has_explicit_zeros(m));
  SparseMatrix s = sk::sort_indices(m);
  EXPECT_TRUE(sk::has_sorted_indices(s));
  EXPECT_EQ(index_at(s.indices(), 0), 0);
  EXPECT_EQ(s.data().data<double>()[0], 1.0);
  EXPECT_FALSE(sk::has_sorted_indices(m));  // the original is untouched
  SparseMatrix z = sk::remove_zeros(m);
  EXPECT_EQ(z.nnz(), 3);
  EXPECT_FALSE(sk::has_explicit_zeros(z));
  EXPECT_TRUE(allclose(z.to_dense(), m.to_dense()));
}

TEST(SparseMatrix, DuplicatesSumInToDenseAndCanonicalFormIsDetected) {
  SparseMatrix m(SparseFormat::CSC, 2, 2, NDArray::from_vector<float>({1, 2, 5}, {3}),
                 NDArray::from_vector<int32_t>({1, 1, 0}, {3}), NDArray::from_vector<int32_t>({0, 2, 3}, {3}));
  EXPECT_FALSE(sk::has_canonical_format(m));
  NDArray d = m.to_dense();
  EXPECT_EQ(d.data<float>()[2], 3.0f);  // (1, 0) holds 1 + 2
  EXPECT_EQ(d.data<float>()[1], 5.0f);  // (0, 1)
}

TEST(SparseMatrix, EmptyAndAllZero) {
  SparseMatrix z = SparseMatrix::zeros(SparseFormat::CSC, 5, 3, DType::Float32);
  EXPECT_NO_THROW(z.validate());
  EXPECT_EQ(z.nnz(), 0);
  EXPECT_EQ(z.to_dense().shape(), (Shape{5, 3}));
  SparseMatrix fd = SparseMatrix::from_dense(NDArray::zeros(DType::Float64, {2, 7}), SparseFormat::CSR);
  EXPECT_EQ(fd.nnz(), 0);
  EXPECT_NO_THROW(fd.validate());
}

TEST(SparseMatrix, AstypeAndComplex) {
  SparseMatrix c = example_csr().astype(DType::Complex128);
  EXPECT_EQ(c.dtype(), DType::Complex128);
  EXPECT_TRUE(allclose(c.to_dense(), example_dense()));
}

TEST(SparseType, FilterChecksFormatDtypeAndStructure) {
  auto t = SparseType::make(SparseFormat::CSR, DType::Float64);
  EXPECT_EQ(t->str(), "Sparse[float64, csr]");
  EXPECT_NO_THROW(t->filter(example_csr()));
  // Non-strict: the other format and a dense 2-d array convert (docs/semantics.md, "Sparse values at the boundary";
  // test_sparse_filter.cpp covers the rules in full).
  EXPECT_EQ(std::get<SparseMatrix>(t->filter(sk::convert_format(example_csr(), SparseFormat::CSC))).format(), SparseFormat::CSR);
  EXPECT_EQ(std::get<SparseMatrix>(t->filter(Value(example_dense()))).format(), SparseFormat::CSR);
  EXPECT_THROW(t->filter(sk::convert_format(example_csr(), SparseFormat::CSC), true), Error);
  EXPECT_THROW(t->filter(Value(example_dense()), true), Error);
  SparseMatrix f32 = example_csr().astype(DType::Float32);
  EXPECT_EQ(std::get<SparseMatrix>(t->filter(f32)).dtype(), DType::Float64);  // safe upcast
  auto t32 = SparseType::make(SparseFormat::CSR, DType::Float32);
  EXPECT_THROW(t32->filter(example_csr()), Error);  // float64 -> float32 needs allow_downcast
  EXPECT_NO_THROW(t32->filter(example_csr(), false, true));
  SparseMatrix broken(SparseFormat::CSR, 3, 4, example_csr().data(), NDArray::from_vector<int32_t>({0, 2, 1, 9}, {4}), example_csr().indptr());
  EXPECT_THROW(t->filter(broken), Error);
  EXPECT_TRUE(t->values_eq_approx(example_csr(), sk::sort_indices(example_csr())));
}
