// Sparse ops declared once (HYPATIA_OP): the name comes from kName, OpBase checks the input
// count from kArity with one message, and variadic ops keep their own check.
#include <gtest/gtest.h>

#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/math.h"
#include "hypatia/sparse/ops/arith.h"
#include "hypatia/sparse/ops/csm.h"
#include "hypatia/sparse/ops/dot.h"
#include "hypatia/sparse/ops/getitem.h"
#include "hypatia/sparse/ops/reduce.h"
#include "hypatia/sparse/ops/stack.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/sparse/ops/usmm.h"
#include "support/sparse_random.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {
// The error text of make_node on `n` sparse matrix inputs (a TypeError unless `want` says otherwise).
std::string arity_error(const Op& op, size_t n, ErrorKind want = ErrorKind::Type) {
  std::vector<Var> in;
  for (size_t i = 0; i < n; ++i) in.push_back(sparse::csr_matrix());
  ErrorKind kind{};
  std::string m = error_of([&] { op.make_node(in); }, &kind);
  EXPECT_EQ(kind, want) << m;
  return m;
}
}  // namespace

TEST(SparseOpDecl, ArityCheckedFromKArityWithOneMessage) {
  // (op, its arity): one op per header, the printed name differing from the class name included.
  const std::vector<std::pair<OpPtr, int>> ops = {
      {std::make_shared<SparseDot>(), 2},   {std::make_shared<StructuredDot>(), 2},
      {std::make_shared<TrueDot>(), 2},     {std::make_shared<ColScale>(), 2},
      {std::make_shared<SparseCast>(), 1},  {std::make_shared<SpSum>(), 1},
      {std::make_shared<CSMGrad>(), 8},     {std::make_shared<GetItemScalar>(), 3},
      {std::make_shared<UsmmCscDense>(), 4}, {std::make_shared<CSM>(), 4},
  };
  for (const auto& [op, n] : ops) {
    SCOPED_TRACE(op->name());
    const std::string plural = n == 1 ? " input" : " inputs";
    EXPECT_EQ(arity_error(*op, n + 1), str_cat("[", op->name(), "] expected ", n, plural, ", got ", n + 1));
  }
}

TEST(SparseOpDecl, NamesComeFromKName) {
  EXPECT_EQ(SparseDot().name(), "Dot");
  EXPECT_STREQ(SparseDot::kName, "Dot");
  EXPECT_EQ(ColScale().name(), "ColScaleCSC");
  EXPECT_EQ(SparseTranspose().name(), "Transpose");
  EXPECT_EQ(SparseCast::kArity, 1);
  EXPECT_EQ(HStack::kArity, kVariadic);
  EXPECT_EQ(GetItem2d::kArity, kVariadic);
}

TEST(SparseOpDecl, ParamDependentNameInTheArityMessage) {
  // StructuredDotGrad prints its format; the base arity check uses that name.
  auto csc = std::make_shared<StructuredDotGrad>(StructuredDotGradParams{SparseFormat::CSC});
  EXPECT_EQ(arity_error(*csc, 3), "[StructuredDotGradCSC] expected 4 inputs, got 3");
}

TEST(SparseOpDecl, VariadicOpsCheckTheirOwnCounts) {
  EXPECT_EQ(arity_error(*std::make_shared<HStack>(), 0, ErrorKind::Value).rfind("[HStack]", 0), 0u);
  // GetItem2d takes x and one input per slice component present (here: row start and col step).
  auto op = std::make_shared<GetItem2d>(GetItem2dParams{0b100001});
  EXPECT_EQ(arity_error(*op, 0), "[GetItem2d] expected 3 inputs, got 0");
  EXPECT_EQ(arity_error(*std::make_shared<GetItem2d>(), 2), "[GetItem2d] expected 1 input, got 2");
}

TEST(SparseOpDecl, SpSumAxisCheckedByTheOp) {
  const Var x = sparse::csr_matrix("x");
  for (int axis : {2, -3, 5}) {
    ErrorKind kind{};
    std::string m = error_of([&] { sparse::sp_sum(x, axis); }, &kind);
    EXPECT_EQ(kind, ErrorKind::Value) << m;
    EXPECT_EQ(m, str_cat("[SpSum] axis must be None, 0 or 1 for a sparse matrix, got ", axis));
  }
  // -1 and -2 count from the end: the same ops as axes 1 and 0.
  EXPECT_TRUE(sparse::sp_sum(x, -1).owner()->op()->equals(*sparse::sp_sum(x, 1).owner()->op()));
  EXPECT_TRUE(sparse::sp_sum(x, -2).owner()->op()->equals(*sparse::sp_sum(x, 0).owner()->op()));
}
