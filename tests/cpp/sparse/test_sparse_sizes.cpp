// Valid matrices too big to densify or convert: every size computation is checked, so ops raise
// ValueError / MemoryError naming the shape instead of wrapping around, corrupting the heap or
// returning a wrong answer. The same cases run from Python, in subprocesses, in
// tests/python/test_crash_cases.py.
#include <gtest/gtest.h>

#include "hypatia/compile/function.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/kernels/elemwise.h"
#include "hypatia/sparse/math.h"
#include "hypatia/sparse/products.h"
#include "hypatia/tensor/basic.h"
#include "support/sparse_random.h"

using namespace hypatia;
namespace sk = hypatia::sparse_kernels;
using namespace hypatia::testing;

namespace {

constexpr int64_t kHuge = int64_t{1} << 62;

// A (2**62, 4) CSC matrix (or its (4, 2**62) CSR transpose) with one stored 1.0 in the corner:
// valid, and cheap, as long as nothing allocates per row.
SparseMatrix huge(SparseFormat f) {
  SparseMatrix csc(SparseFormat::CSC, kHuge, 4, NDArray::from_vector<double>({1.0}, {1}),
                   NDArray::from_vector<int64_t>({kHuge - 1}, {1}), NDArray::from_vector<int64_t>({0, 0, 0, 0, 1}, {5}));
  return f == SparseFormat::CSC ? csc : sk::transpose(csc);
}

// Runs f and returns the kind of the hypatia::Error it raises; fails when it raises none.
ErrorKind kind_of(const std::function<void()>& f, const std::string& must_contain = "") {
  ErrorKind kind = ErrorKind::Runtime;
  std::string msg = error_of(f, &kind);
  EXPECT_FALSE(msg.empty()) << "no error raised";
  EXPECT_EQ(msg.rfind("[", 0), 0u) << msg;
  if (!must_contain.empty()) EXPECT_NE(msg.find(must_contain), std::string::npos) << msg;
  return kind;
}

bool too_big(ErrorKind k) { return k == ErrorKind::Value || k == ErrorKind::Memory; }

}  // namespace

TEST(SparseSizes, HugeMatricesAreValidAndTransposeForFree) {
  for (SparseFormat f : {SparseFormat::CSC, SparseFormat::CSR}) {
    SparseMatrix m = huge(f);
    EXPECT_NO_THROW(m.validate());
    SparseMatrix t = sk::transpose(m);
    EXPECT_EQ(t.rows(), m.cols());
    EXPECT_EQ(t.cols(), m.rows());
  }
}

TEST(SparseSizes, DensifyingRaisesInsteadOfWrappingAround) {
  // rows * cols = 2**64 wrapped to 0: an empty dense array, so a sum of 0.0 instead of 1.0.
  for (SparseFormat f : {SparseFormat::CSC, SparseFormat::CSR})
    EXPECT_EQ(kind_of([&] { huge(f).to_dense(); }, "4611686018427387904"), ErrorKind::Value);
}

TEST(SparseSizes, ConvertingFormatNeedsAnIndptrTooBigToAllocate) {
  // csc (2**62, 4) -> csr needs 2**62 + 1 int64 indptr entries.
  EXPECT_EQ(kind_of([&] { sk::convert_format(huge(SparseFormat::CSC), SparseFormat::CSR); }), ErrorKind::Memory);
  EXPECT_EQ(kind_of([&] { sk::convert_format(huge(SparseFormat::CSR), SparseFormat::CSC); }), ErrorKind::Memory);
}

TEST(SparseSizes, SumAlongTheHugeAxisIsAMemoryErrorTheOthersWork) {
  const SparseMatrix m = huge(SparseFormat::CSC);
  EXPECT_EQ(kind_of([&] { sparse_kernels::sum(m, 1, DType::Float64); }, "(4611686018427387904,)"), ErrorKind::Memory);
  EXPECT_DOUBLE_EQ(sparse_kernels::sum(m, -1, DType::Float64).item<double>(), 1.0);
  NDArray cols = sparse_kernels::sum(m, 0, DType::Float64);
  EXPECT_TRUE(allclose(cols, NDArray::from_vector<double>({0, 0, 0, 1}, {4})));
}

TEST(SparseSizes, CompiledOpsRaiseWithTheirNodeInTheMessage) {
  Var x = sparse::csc_matrix("x", DType::Float64);
  Var y = matrix(DType::Float64, "y");
  const Value xv = huge(SparseFormat::CSC);
  const Value yv = NDArray::full(DType::Float64, {4, 3}, 1.0);
  struct Case {
    const char* op;
    Var out;
  };
  const Case cases[] = {
      {"StructuredDot", sparse::structured_dot(x, y)},
      {"Dot", sparse::dot(x, y)},
      {"SpSum", sparse::sp_sum(x, 1)},
  };
  FunctionOptions ignore_unused;
  ignore_unused.on_unused_input = OnUnusedInput::Ignore;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op);
    auto f = function({In(x), In(y)}, {Out(c.out)}, ignore_unused);
    EXPECT_TRUE(too_big(kind_of([&] { (*f)({xv, yv}); }, "Apply node that caused the error")));
  }
  // dense_from_sparse(x).sum(): 1.0 when a rewrite avoids the dense matrix, an error otherwise.
  auto f = function({In(x)}, {Out(sum(sparse::dense_from_sparse(x)))});
  try {
    EXPECT_DOUBLE_EQ(std::get<NDArray>((*f)({xv})[0]).item<double>(), 1.0);
  } catch (const Error& e) {
    EXPECT_TRUE(too_big(e.kind())) << e.what();
  }
  // The transpose is a reinterpretation and works; converting it is not.
  auto tf = function({In(x)}, {Out(sparse::transpose(x))});
  EXPECT_EQ(value_shape((*tf)({xv})[0]), (Shape{4, kHuge}));
  auto cf = function({In(x)}, {Out(sparse::as_format(x, SparseFormat::CSR))});
  EXPECT_EQ(kind_of([&] { (*cf)({xv}); }), ErrorKind::Memory);
}

TEST(SparseSizes, SparseProductWithAHugeInnerDimensionIsAMemoryError) {
  // (4, 2**62) csr . (2**62, 4) csc: the product converts an operand to csr (indptr 2**62 + 1).
  EXPECT_EQ(kind_of([&] {
              Var a = sparse::csr_matrix("a", DType::Float64), b = sparse::csc_matrix("b", DType::Float64);
              auto f = function({In(a), In(b)}, {Out(sparse::structured_dot(a, b))});
              (*f)({huge(SparseFormat::CSR), huge(SparseFormat::CSC)});
            }),
            ErrorKind::Memory);
}
