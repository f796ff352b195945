// SparseType::filter as Theano's SparseType.filter (docs/semantics.md, "Sparse values at the boundary"): conversions of the
// other format and of dense arrays, the dtype rules, strict inputs, and validation on every path.
#include <gtest/gtest.h>

#include "hypatia/sparse/sparse_type.h"
#include "support/sparse_random.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {

const SparseFormat kFormats[] = {SparseFormat::CSR, SparseFormat::CSC};

// [[1, 0, 2, 0], [0, 0, 0, 0], [0, 3, 0, 4]]
NDArray example_dense(DType dtype = DType::Float64) {
  return NDArray::from_vector<double>({1, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 4}, {3, 4}).astype(dtype);
}

// The example in `format`, with an out-of-range index when `broken` (inner size is 4 for CSR,
// 3 for CSC: index 9 is out of range for both).
SparseMatrix example(SparseFormat format, DType dtype = DType::Float64, bool broken = false) {
  SparseMatrix m = SparseMatrix::from_dense(example_dense(dtype), format);
  if (!broken) return m;
  NDArray idx = m.indices().copy();
  idx.data<int32_t>()[m.nnz() - 1] = 9;
  return SparseMatrix(format, m.rows(), m.cols(), m.data(), idx, m.indptr());
}

SparseMatrix filtered(const SparseType& t, const Value& v, bool strict = false, bool downcast = false) {
  Value r = t.filter(v, strict, downcast);
  EXPECT_TRUE(std::holds_alternative<SparseMatrix>(r));
  return std::get<SparseMatrix>(r);
}

}  // namespace

TEST(SparseFilter, EitherFormatConvertsToTheDeclaredOne) {
  for (SparseFormat declared : kFormats)
    for (SparseFormat given : kFormats) {
      SCOPED_TRACE(str_cat(format_name(given), " into ", format_name(declared)));
      SparseType t(declared, DType::Float64);
      SparseMatrix r = filtered(t, example(given));
      EXPECT_EQ(r.format(), declared);
      EXPECT_EQ(r.dtype(), DType::Float64);
      EXPECT_NO_THROW(r.validate());
      EXPECT_TRUE(allclose(r.to_dense(), example_dense()));
    }
}

TEST(SparseFilter, ExactMatchIsReturnedWithoutCopying) {
  for (SparseFormat f : kFormats) {
    SparseType t(f, DType::Float64);
    SparseMatrix m = example(f);
    for (bool strict : {false, true}) {
      SparseMatrix r = filtered(t, m, strict);
      EXPECT_EQ(r.data().raw(), m.data().raw());
      EXPECT_EQ(r.indices().raw(), m.indices().raw());
    }
  }
}

TEST(SparseFilter, DenseTwoDimensionalArraysConvert) {
  for (SparseFormat f : kFormats) {
    SparseType t(f, DType::Float64);
    SparseMatrix r = filtered(t, Value(example_dense()));
    EXPECT_EQ(r.format(), f);
    EXPECT_EQ(r.nnz(), 4);  // zeros are not stored
    EXPECT_TRUE(allclose(r.to_dense(), example_dense()));
    // A strided (transposed) dense array converts by value too.
    SparseMatrix rt = filtered(t, Value(example_dense().transpose()));
    EXPECT_TRUE(allclose(rt.to_dense(), example_dense().transpose()));
  }
}

TEST(SparseFilter, DenseOfTheWrongRankIsATypeError) {
  SparseType t(SparseFormat::CSR, DType::Float64);
  for (Shape s : {Shape{}, Shape{4}, Shape{2, 2, 2}}) {
    ErrorKind kind = ErrorKind::Runtime;
    std::string msg = error_of([&] { t.filter(Value(NDArray::zeros(DType::Float64, s))); }, &kind);
    EXPECT_EQ(kind, ErrorKind::Type) << msg;
    EXPECT_NE(msg.find("2-d"), std::string::npos) << msg;
  }
}

TEST(SparseFilter, SafeUpcastConvertsAndDowncastNeedsPermission) {
  for (SparseFormat f : kFormats) {
    SparseType t64(f, DType::Float64), t32(f, DType::Float32);
    // int32 and float32 -> float64 are safe, sparse or dense.
    for (DType from : {DType::Int32, DType::Float32}) {
      EXPECT_EQ(filtered(t64, example(f, from)).dtype(), DType::Float64);
      EXPECT_EQ(filtered(t64, Value(example_dense(from))).dtype(), DType::Float64);
    }
    // float64 -> float32 and int64 -> float32 lose precision: TypeError unless allowed.
    for (DType from : {DType::Float64, DType::Int64}) {
      ErrorKind kind = ErrorKind::Runtime;
      std::string msg = error_of([&] { t32.filter(example(f, from)); }, &kind);
      EXPECT_EQ(kind, ErrorKind::Type) << msg;
      EXPECT_NE(msg.find("[Sparse[float32, "), std::string::npos) << msg;
      kind = ErrorKind::Runtime;
      error_of([&] { t32.filter(Value(example_dense(from))); }, &kind);
      EXPECT_EQ(kind, ErrorKind::Type);
      SparseMatrix r = filtered(t32, example(f == SparseFormat::CSR ? SparseFormat::CSC : SparseFormat::CSR, from), false, true);
      EXPECT_EQ(r.dtype(), DType::Float32);
      EXPECT_EQ(r.format(), f);
      EXPECT_TRUE(allclose(r.to_dense(), example_dense(DType::Float32)));
      EXPECT_EQ(filtered(t32, Value(example_dense(from)), false, true).dtype(), DType::Float32);
    }
  }
}

TEST(SparseFilter, StrictTakesOnlyTheExactFormatAndDtype) {
  for (SparseFormat f : kFormats) {
    SparseType t(f, DType::Float64);
    const SparseFormat other = f == SparseFormat::CSR ? SparseFormat::CSC : SparseFormat::CSR;
    for (const Value& bad : {Value(example(other)), Value(example(f, DType::Float32)), Value(example_dense())}) {
      for (bool downcast : {false, true}) {
        ErrorKind kind = ErrorKind::Runtime;
        std::string msg = error_of([&] { t.filter(bad, true, downcast); }, &kind);
        EXPECT_EQ(kind, ErrorKind::Type) << msg;
        EXPECT_NE(msg.find("strict"), std::string::npos) << msg;
      }
    }
  }
}

TEST(SparseFilter, BadIndicesRaiseValueErrorStrictOrNot) {
  // Strict inputs used to skip validation and hand the arrays to kernels unchecked.
  for (SparseFormat f : kFormats)
    for (bool strict : {false, true}) {
      SparseType t(f, DType::Float64);
      ErrorKind kind = ErrorKind::Runtime;
      std::string msg = error_of([&] { t.filter(example(f, DType::Float64, true), strict); }, &kind);
      EXPECT_EQ(kind, ErrorKind::Value) << msg;
      EXPECT_NE(msg.find("out of range"), std::string::npos) << msg;
    }
  // Validation comes before a format conversion, which would otherwise read the bad index.
  SparseType t(SparseFormat::CSC, DType::Float64);
  ErrorKind kind = ErrorKind::Runtime;
  error_of([&] { t.filter(example(SparseFormat::CSR, DType::Float64, true)); }, &kind);
  EXPECT_EQ(kind, ErrorKind::Value);
}
