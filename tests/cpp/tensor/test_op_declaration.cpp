// Ops declared once (HYPATIA_OP): the base checks the input count and gives name() from kName,
// the CAReduce kinds keep distinct identities, and every scalar op has a derivative rule.
#include "helpers.h"
#include "hypatia/tensor/ops/gradient.h"
#include "hypatia/tensor/ops/blas.h"
#include "hypatia/tensor/ops/dot.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/extra_ops.h"
#include "hypatia/tensor/ops/nnet.h"
#include "hypatia/tensor/ops/reduce.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/ops/sort.h"

using namespace hypatia;
using namespace hypatia::test;

namespace {
// `n` float64 matrices.
std::vector<Var> mats(int n) {
  std::vector<Var> v;
  for (int i = 0; i < n; ++i) v.push_back(matrix(DType::Float64));
  return v;
}

template <class O>
void expect_arity_checked(int arity) {
  auto op = std::make_shared<O>();
  const std::string name = O::kName;
  EXPECT_EQ(O::kArity, arity) << name;
  for (int n : {arity - 1, arity + 1}) {
    const std::string want = str_cat("[", name, "] expected ", arity, arity == 1 ? " input" : " inputs", ", got ", n);
    expect_error(ErrorKind::Type, [&] { op->make_node(mats(n)); }, want);
  }
}
}  // namespace

// The sort ops and DiffGrad read inputs with .at() and had no count check: a wrong count threw
// std::out_of_range (not a hypatia::Error). Every op now gets the base's TypeError.
TEST(OpDeclaration, BaseChecksTheInputCount) {
  expect_arity_checked<ArgSortOp>(1);
  expect_arity_checked<TakeAlongAxis>(2);
  expect_arity_checked<ScatterAlongAxis>(2);
  expect_arity_checked<Nonzero>(1);
  expect_arity_checked<DiffGrad>(1);
  expect_arity_checked<Gemm>(5);
  expect_arity_checked<Ger>(4);
  expect_arity_checked<Dot>(2);
  expect_arity_checked<Sum>(1);
  expect_arity_checked<Max>(1);
  expect_arity_checked<Argmax>(1);
  expect_arity_checked<Softmax>(1);
  expect_arity_checked<ZeroGradOp>(1);
  expect_arity_checked<GradClipOp>(1);
  expect_arity_checked<ClipConstOp>(1);
}

TEST(OpDeclaration, NameComesFromKNameUnlessParamsChangeIt) {
  EXPECT_EQ(std::make_shared<Sum>()->name(), "Sum");
  EXPECT_EQ(std::make_shared<ShapeI>()->name(), "Shape_i");
  EXPECT_EQ(std::make_shared<ZeroGradOp>()->name(), "ZeroGrad");
  EXPECT_EQ(std::make_shared<GradScaleOp>(GradScaleParams{2.0})->name(), "GradScale");
  // Softmax prints its variant; kName stays the family name used in arity errors.
  EXPECT_EQ(std::make_shared<Softmax>(SoftmaxParams{true})->name(), "LogSoftmax");
  EXPECT_STREQ(Softmax::kName, "Softmax");
}

// The reduction kinds share one implementation; identity is still the class and the params.
TEST(OpDeclaration, ReductionKindsAreDistinctOps) {
  ReduceParams p;
  p.axis = std::vector<int>{0};
  auto s1 = std::make_shared<Sum>(p), s2 = std::make_shared<Sum>(p);
  auto pr = std::make_shared<Prod>(p);
  auto all = std::make_shared<All>(p);
  EXPECT_TRUE(s1->equals(*s2));
  EXPECT_EQ(s1->hash(), s2->hash());
  EXPECT_FALSE(s1->equals(*pr));
  EXPECT_FALSE(pr->equals(*all));
  EXPECT_FALSE(s1->equals(*std::make_shared<Sum>()));
  EXPECT_EQ(s1->str(), "Sum{axis=[0], acc_dtype=float64}");
  EXPECT_EQ(std::make_shared<Max>(p)->str(), "Max{maximum}{0}");
  EXPECT_EQ(Sum::kind(), ReduceKind::Sum);
  EXPECT_EQ(Any::kind(), ReduceKind::Any);
}

// The derivative table lives with the tensor family; it has a rule for every scalar op, and
// the rules build gradients of the op's arity.
TEST(OpDeclaration, EveryScalarOpHasADerivativeRule) {
  for (size_t i = 0; i < kNumScalarOps; ++i) {
    const auto id = static_cast<ScalarOpId>(i);
    ASSERT_NE(scalar_grad(id), nullptr) << scalar_op_info(id).name;
  }
  Var x = vector(DType::Float64), y = vector(DType::Float64);
  Var out = elemwise(ScalarOpId::Mul, {x, y});
  EXPECT_EQ(scalar_grad(ScalarOpId::Mul)({x, y}, out, out).size(), 2u);
}
