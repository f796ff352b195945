// Theano semantics of the sparse C++ API that ported programs rely on: structured_dot with a
// dense left operand, StructuredDotGradCSR/CSC on (a_indices, a_indptr, b, g_ab), complex ->
// real Cast, Multinomial's numpy acceptance rules, sparse conj, and values_eq / values_eq_approx
// of TensorType and SparseType.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "hypatia/grad/grad.h"
#include "hypatia/compile/function.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/math.h"
#include "hypatia/sparse/ops/dot.h"
#include "hypatia/sparse/products.h"
#include "hypatia/sparse/select.h"
#include "hypatia/tensor/basic.h"
#include "support/check_op.h"
#include "support/sparse_random.h"

using namespace hypatia;
namespace sk = hypatia::sparse_kernels;
using namespace hypatia::testing;

namespace {

const SparseFormat kFormats[] = {SparseFormat::CSR, SparseFormat::CSC};

NDArray random_dense(Shape shape, DType d, std::mt19937_64& rng) {
  NDArray a(DType::Float64, shape);
  std::normal_distribution<double> n(0, 1);
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = n(rng);
  return a.astype(d);
}

// Plain x . m for a dense x (matrix or vector) and the dense m, in float64, cast to d.
NDArray dense_times(const NDArray& x, const NDArray& m, DType d) {
  NDArray a = x.astype(DType::Float64), b = m.astype(DType::Float64);
  const int64_t rows = a.ndim() == 2 ? a.shape(0) : 1, k = b.shape(0), n = b.shape(1);
  NDArray out = NDArray::zeros(DType::Float64, a.ndim() == 2 ? Shape{rows, n} : Shape{n});
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t t = 0; t < k; ++t)
      for (int64_t j = 0; j < n; ++j)
        out.data<double>()[i * n + j] += a.data<double>()[i * k + t] * b.data<double>()[t * n + j];
  return out.astype(d);
}

Var ivec(const std::vector<int64_t>& v) { return constant(NDArray::from_vector(v, {static_cast<int64_t>(v.size())})); }

Value run1(const Var& out) { return (*function(std::vector<In>{}, {out}))({})[0]; }

}  // namespace

// structured_dot(dense, sparse) = (sparse^T . dense^T)^T: values, shapes, and gradients (the
// sparse operand's structured, the dense operand's regular) on every standard sparse input.
TEST(SparseTheanoApi, StructuredDotDenseTimesSparse) {
  std::mt19937_64 rng(11);
  for (const SparseCase& c : sparse_cases(21, {{3, 5}})) {
    SCOPED_TRACE(trace(c));
    CheckOpOptions o;
    o.structured = true;
    if (c.dtype == DType::Float32) o.rtol = o.atol = 1e-4;
    auto fun = [](const std::vector<Var>& v) { return sparse::structured_dot(v[0], v[1]); };
    const DType d = c.dtype;
    auto ref = [d](const std::vector<Value>& v) -> Value {
      return dense_times(std::get<NDArray>(v[0]), dense_reference(std::get<SparseMatrix>(v[1])), d);
    };
    check_op(fun, {random_dense({4, 3}, d, rng), c.value}, ref, o);
    check_op(fun, {random_dense({3}, d, rng), c.value}, ref, o);
  }
}

// The sparse operand's gradient through hypatia's structured_dot(dense, sparse) is structured:
// a's pattern only, where sparse::dot's regular gradient covers every position.
TEST(SparseTheanoApi, StructuredDotDenseSparseGradientIsStructured) {
  std::mt19937_64 rng(3);
  for (SparseFormat f : kFormats) {
    RandomSparseOptions ro;
    ro.p = 0.3;
    ro.explicit_zero = true;
    SparseMatrix a = random_sparse(f, 4, 6, DType::Float64, rng, ro);
    Var av = sparse::matrix(f, "a", DType::Float64), x = matrix(DType::Float64, "x");
    Var gs = grad(sum(sparse::structured_dot(x, av)), av);
    Var gr = grad(sum(sparse::dot(x, av)), av);
    ASSERT_NE(sparse_type(gs), nullptr);
    EXPECT_EQ(sparse_type(gs)->format(), f);
    auto fn = function({x, av}, {gs, gr});
    auto r = (*fn)({random_dense({2, 4}, DType::Float64, rng), a});
    const SparseMatrix& s = std::get<SparseMatrix>(r[0]);
    EXPECT_EQ(s.nnz(), a.nnz());
    NDArray sd = s.to_dense(), rd = std::get<SparseMatrix>(r[1]).to_dense();
    bool differs = false;
    NDArray pattern = dense_reference(sparse_kernels::with_data(a, NDArray::full(DType::Float64, {a.nnz()}, 1.0)));
    for (int64_t k = 0; k < sd.size(); ++k) {
      if (pattern.data<double>()[k] == 0) EXPECT_EQ(sd.data<double>()[k], 0.0) << "off-pattern entry " << k;
      else EXPECT_NEAR(sd.data<double>()[k], rd.data<double>()[k], 1e-12);
      differs |= pattern.data<double>()[k] == 0 && rd.data<double>()[k] != 0;
    }
    EXPECT_TRUE(differs) << "the regular gradient should have off-pattern entries here";
  }
}

// Theano's StructuredDotGradCSR/CSC take (a_indices, a_indptr, b, g_ab) and give the data vector.
TEST(SparseTheanoApi, StructuredDotGradTakesIndicesAndIndptr) {
  std::mt19937_64 rng(5);
  for (SparseFormat f : kFormats) {
    RandomSparseOptions ro;
    ro.unsorted_indices = true;
    ro.explicit_zero = true;
    SparseMatrix a = random_sparse(f, 4, 5, DType::Float64, rng, ro);
    NDArray b = random_dense({5, 3}, DType::Float64, rng), g = random_dense({4, 3}, DType::Float64, rng);
    auto op = std::make_shared<StructuredDotGrad>(StructuredDotGradParams{f});
    Var out = apply1(*op, {constant(a.indices()), constant(a.indptr()), constant(b), constant(g)});
    const TensorType* t = tensor_type(out);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->ndim(), 1);
    NDArray data = std::get<NDArray>(run1(out));
    ASSERT_EQ(data.size(), a.nnz());
    const bool csr = f == SparseFormat::CSR;
    for (int64_t o = 0; o < a.outer_size(); ++o)
      for (int64_t k = index_at(a.indptr(), o); k < index_at(a.indptr(), o + 1); ++k) {
        const int64_t i = csr ? o : index_at(a.indices(), k), j = csr ? index_at(a.indices(), k) : o;
        double want = 0;
        for (int64_t q = 0; q < 3; ++q) want += g.data<double>()[i * 3 + q] * b.data<double>()[j * 3 + q];
        EXPECT_NEAR(data.data<double>()[k], want, 1e-12);
      }
    // structured_dot_grad wraps it as Theano does: CSx(data, indices, indptr, shape).
    Var sg = sparse::structured_dot_grad(sparse::constant(a), constant(b), constant(g));
    ASSERT_NE(sparse_type(sg), nullptr);
    EXPECT_EQ(sparse_type(sg)->format(), f);
    ASSERT_NE(sg.owner(), nullptr);
    EXPECT_EQ(sg.owner()->op()->name(), "CSM");
    // Three inputs (the old signature) is a TypeError naming the op.
    ErrorKind kind{};
    std::string m = error_of([&] { apply1(*op, {sparse::constant(a), constant(b), constant(g)}); }, &kind);
    EXPECT_EQ(m.rfind(csr ? "[StructuredDotGradCSR]" : "[StructuredDotGradCSC]", 0), 0u) << m;
    EXPECT_EQ(kind, ErrorKind::Type);
  }
}

// A structure the kernel must not trust: out-of-range indices or a bad indptr are ValueErrors.
TEST(SparseTheanoApi, StructuredDotGradValidatesTheStructure) {
  auto op = std::make_shared<StructuredDotGrad>(StructuredDotGradParams{SparseFormat::CSR});
  NDArray b = NDArray::full(DType::Float64, {3, 2}, 1.0), g = NDArray::full(DType::Float64, {2, 2}, 1.0);
  for (const auto& structure : {std::pair<std::vector<int64_t>, std::vector<int64_t>>{{0, 7}, {0, 1, 2}},
                                {{0, 1}, {0, 2, 1}},
                                {{0, 1}, {0, 1, 5}},
                                {{0, 1}, {0, 1, 2, 2}}}) {
    const auto& idx = structure.first;  // not a structured binding: clang 14 cannot capture those
    const auto& ptr = structure.second;
    ErrorKind kind{};
    std::string m = error_of([&] { run1(apply1(*op, {ivec(idx), ivec(ptr), constant(b), constant(g)})); }, &kind);
    EXPECT_EQ(m.rfind("[StructuredDotGradCSR]", 0), 0u) << m;
    EXPECT_EQ(kind, ErrorKind::Value) << m;
  }
  // Entries past indptr[-1] (indices longer than the stored count) read 0, as Theano's zeros.
  NDArray r = std::get<NDArray>(run1(apply1(*op, {ivec({1, 2, 0}), ivec({0, 1, 2}), constant(b), constant(g)})));
  ASSERT_EQ(r.size(), 3);
  EXPECT_EQ(r.data<double>()[0], 2.0);
  EXPECT_EQ(r.data<double>()[2], 0.0);
}

// Complex -> real Cast keeps the real parts (numpy's astype) and the structure.
TEST(SparseTheanoApi, CastComplexToRealDropsImaginaryParts) {
  NDArray d = NDArray::zeros(DType::Complex128, {2, 3});
  d.data<complex128>()[0] = {1.5, 2.0};
  d.data<complex128>()[4] = {-3.0, -1.0};
  d.data<complex128>()[5] = {0.0, 4.0};
  for (SparseFormat f : kFormats) {
    SparseMatrix m = SparseMatrix::from_dense(d, f);
    for (DType to : {DType::Float64, DType::Float32, DType::Int32}) {
      Var c = sparse::cast(sparse::constant(m), to);
      EXPECT_EQ(*c.type()->dtype(), to);
      SparseMatrix r = std::get<SparseMatrix>(run1(c));
      EXPECT_EQ(r.nnz(), 3);
      NDArray rd = r.to_dense().astype(DType::Float64);
      EXPECT_EQ(rd.data<double>()[0], to == DType::Int32 ? 1.0 : 1.5);
      EXPECT_EQ(rd.data<double>()[4], -3.0);
      EXPECT_EQ(rd.data<double>()[5], 0.0);
    }
  }
}

// Multinomial follows numpy.random.multinomial (Theano draws each row with it): a float n is
// truncated; a float32 row whose float64 sum is a little off 1 is accepted; only the entries
// but the last must sum to at most 1; values outside [0, 1] or NaN are refused.
TEST(SparseTheanoApi, MultinomialAcceptsWhatNumpyAccepts) {
  for (SparseFormat f : kFormats) {
    NDArray pd = NDArray::zeros(DType::Float32, {4, 3});
    float* q = pd.data<float>();
    q[0] = 0.1f, q[1] = 0.2f, q[2] = 0.7f;  // sums to 1 + 7.5e-9 in float64
    q[3] = 0.6f, q[5] = 0.6f;               // numpy accepts: only 0.6 is summed
    q[7] = 1.0f;
    q[9] = 0.3f, q[10] = 0.3f, q[11] = 0.4f;  // sums to 1 + 3e-8 in float64
    SparseMatrix p = SparseMatrix::from_dense(pd, f);
    Var pv = sparse::matrix(f, "p", DType::Float32);
    Var y = sparse::multinomial(constant(5.7), pv, 3);
    auto fn = function({pv}, {y});
    NDArray r = std::get<SparseMatrix>((*fn)({p})[0]).to_dense().astype(DType::Float64);
    for (int row = 0; row < 4; ++row) {
      double s = 0;
      for (int j = 0; j < 3; ++j) s += r.data<double>()[row * 3 + j];
      EXPECT_EQ(s, 5.0) << "row " << row;
    }
    Var n = vector(DType::Float64, "n");
    auto fn2 = function({n, pv}, {sparse::multinomial(n, pv, 1)});
    NDArray r2 = std::get<SparseMatrix>((*fn2)({NDArray::from_vector<double>({2.0, 3.9, 1.0, 0.0}, {4}), p})[0])
                     .to_dense()
                     .astype(DType::Float64);
    EXPECT_EQ(r2.data<double>()[3] + r2.data<double>()[5], 3.0);
    for (float bad : {1.5f, -0.1f, std::numeric_limits<float>::quiet_NaN()}) {
      NDArray bd = pd.copy();
      bd.data<float>()[1] = bad;
      ErrorKind kind{};
      std::string m = error_of([&] { (*fn)({SparseMatrix::from_dense(bd, f)}); }, &kind);
      EXPECT_EQ(m.rfind("[Multinomial]", 0), 0u) << m;
      EXPECT_EQ(kind, ErrorKind::Value);
    }
    NDArray over = pd.copy();
    over.data<float>()[0] = 0.5f, over.data<float>()[1] = 0.6f;  // 0.5 + 0.6 > 1 before the last
    ErrorKind kind{};
    std::string m = error_of([&] { (*fn)({SparseMatrix::from_dense(over, f)}); }, &kind);
    EXPECT_EQ(m.rfind("[Multinomial]", 0), 0u) << m;
    m = error_of([&] { (*fn2)({NDArray::from_vector<double>({NAN, 1, 1, 1}, {4}), p}); }, &kind);
    EXPECT_EQ(m.rfind("[Multinomial]", 0), 0u) << m;
    EXPECT_EQ(kind, ErrorKind::Value);
  }
}

// Theano's sparse conj: the conjugate of the stored values, same pattern; real values unchanged;
// structured gradient for a real input.
TEST(SparseTheanoApi, Conj) {
  std::mt19937_64 rng(9);
  for (SparseFormat f : kFormats) {
    SparseMatrix z = random_sparse(f, 3, 4, DType::Complex128, rng);
    SparseMatrix r = std::get<SparseMatrix>(run1(sparse::conj(sparse::constant(z))));
    EXPECT_EQ(r.nnz(), z.nnz());
    NDArray got = r.to_dense(), want = dense_reference(z);
    for (int64_t k = 0; k < want.size(); ++k) EXPECT_EQ(got.data<complex128>()[k], std::conj(want.data<complex128>()[k]));
  }
  for (const SparseCase& c : sparse_cases(4, {{3, 5}})) {
    SCOPED_TRACE(trace(c));
    CheckOpOptions o;
    o.structured = true;
    check_op([](const std::vector<Var>& v) { return sparse::conj(v[0]); }, {c.value},
             [](const std::vector<Value>& v) -> Value { return std::get<SparseMatrix>(v[0]); }, o);
  }
}

// values_eq / values_eq_approx as Theano defines them for TensorType.
TEST(SparseTheanoApi, TensorTypeValuesEq) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  auto t64 = TensorType::make(DType::Float64, {false});
  auto v = [](std::vector<double> x) { return NDArray::from_vector(x, {static_cast<int64_t>(x.size())}); };
  EXPECT_TRUE(t64->values_eq(v({1, nan, 3}), v({1, nan, 3})));
  EXPECT_FALSE(t64->values_eq(v({1, nan, 3}), v({1, 2, 3})));
  EXPECT_FALSE(t64->values_eq(v({1, 2}), v({1, 2.0000001})));
  EXPECT_FALSE(t64->values_eq(v({1, 2}), v({1, 2, 3})));
  EXPECT_FALSE(t64->values_eq(v({1, 2}), v({1, 2}).astype(DType::Float32)));
  EXPECT_TRUE(array_values_eq(v({1, 2}), v({1, 2}).astype(DType::Float32), false));
  EXPECT_TRUE(t64->values_eq_approx(v({1, 2}), v({1, 2.000001})));
  EXPECT_FALSE(t64->values_eq_approx(v({1, 2}), v({1, 2.001})));
  EXPECT_TRUE(t64->values_eq_approx(v({1, nan, inf}), v({1, nan, inf})));
  EXPECT_FALSE(t64->values_eq_approx(v({1, nan}), v({1, 2})));       // allow_remove_nan=False
  EXPECT_FALSE(t64->values_eq_approx(v({1, inf}), v({1, -inf})));
  EXPECT_TRUE(array_values_eq_approx(v({1, nan}), v({1, 2}), false, true));
  EXPECT_TRUE(array_values_eq_approx(v({1, inf}), v({1, 5}), true, false));
  EXPECT_FALSE(t64->values_eq_approx(v({1, 2}), v({1, 2}).astype(DType::Float32)));
  EXPECT_FALSE(t64->values_eq_approx(v({1}), v({1, 1})));
  // float32 tolerances are Theano's 1e-5 / 1e-5 (numpy's atol 1e-8 would refuse this pair).
  auto t32 = TensorType::make(DType::Float32, {false});
  EXPECT_TRUE(t32->values_eq_approx(v({0, 1}).astype(DType::Float32), v({5e-6, 1}).astype(DType::Float32)));
  EXPECT_FALSE(t64->values_eq_approx(v({0, 1}), v({5e-6, 1})));
  // Discrete dtypes compare exactly.
  auto ti = TensorType::make(DType::Int64, {false});
  EXPECT_FALSE(ti->values_eq_approx(v({1, 2}).astype(DType::Int64), v({1, 3}).astype(DType::Int64)));
  EXPECT_TRUE(ti->values_eq_approx(v({1, 2}).astype(DType::Int64), v({1, 2}).astype(DType::Int64)));
}

// values_eq / values_eq_approx for SparseType: storage does not matter, values do.
TEST(SparseTheanoApi, SparseTypeValuesEq) {
  auto t = SparseType::make(SparseFormat::CSR, DType::Float64);
  NDArray d = NDArray::from_vector<double>({0, 1.5, 0, 2, 0, -1}, {2, 3});
  SparseMatrix a = SparseMatrix::from_dense(d, SparseFormat::CSR);
  // The same matrix stored unsorted, with a duplicate pair and an explicit zero.
  SparseMatrix b(SparseFormat::CSR, 2, 3, NDArray::from_vector<double>({1.0, 0.5, 0.0, -1, 2}, {5}),
                 NDArray::from_vector<int32_t>({1, 1, 2, 2, 0}, {5}), NDArray::from_vector<int32_t>({0, 3, 5}, {3}));
  EXPECT_TRUE(t->values_eq(a, b));
  EXPECT_TRUE(t->values_eq(a, sk::convert_format(a, SparseFormat::CSC)));
  NDArray d2 = d.copy();
  d2.data<double>()[1] = 1.5000001;
  SparseMatrix c = SparseMatrix::from_dense(d2, SparseFormat::CSR);
  EXPECT_FALSE(t->values_eq(a, c));
  EXPECT_TRUE(t->values_eq_approx(a, c));
  d2.data<double>()[1] = 1.6;
  EXPECT_FALSE(t->values_eq_approx(a, SparseMatrix::from_dense(d2, SparseFormat::CSR)));
  EXPECT_FALSE(t->values_eq(a, SparseMatrix::from_dense(NDArray::zeros(DType::Float64, {3, 2}), SparseFormat::CSR)));
  EXPECT_FALSE(t->values_eq(a, d));  // a dense value is not a sparse one
  NDArray dn = d.copy();
  dn.data<double>()[3] = NAN;
  SparseMatrix n1 = SparseMatrix::from_dense(dn, SparseFormat::CSR);
  EXPECT_TRUE(t->values_eq(n1, SparseMatrix::from_dense(dn, SparseFormat::CSC)));
  EXPECT_FALSE(t->values_eq_approx(n1, a));
}
