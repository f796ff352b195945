// Sparse arithmetic through the one harness (check_op) against plain dense references: AddSS,
// AddSD, sub, MulSS, MulSD (scalar/vector/matrix), MulSV, col/row scaling, StructuredAddSV,
// comparisons, the structured functions and SpSum; plus the manual's worked example and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/kernels/elemwise.h"
#include "hypatia/sparse/math.h"
#include "support/check_op.h"
#include "support/sparse_random.h"

using namespace hypatia;
using namespace hypatia::testing;
namespace sk = hypatia::sparse_kernels;

namespace {
const SparseFormat kFormats[] = {SparseFormat::CSR, SparseFormat::CSC};


using Case = SparseCase;
std::vector<Case> cases() { return sparse_cases(23, {{3, 5}}, -1.0); }


CheckOpOptions tol(DType d, bool structured = false) {
  CheckOpOptions o;
  o.structured = structured;
  if (d == DType::Float32) o.rtol = 1e-4, o.atol = 1e-5;
  return o;
}

NDArray dense_of_sparse(const Value& v) { return dense_reference(std::get<SparseMatrix>(v)); }

// f(a[i,j], b[i,j]) in double over two arrays broadcast to (rows, cols), cast to `out`.
template <class F>
NDArray map2(const NDArray& a, const NDArray& b, DType out, F f) {
  const int64_t r = a.shape(0), c = a.shape(1);
  NDArray x = a.astype(DType::Float64), y = b.broadcast_to({r, c}).astype(DType::Float64);
  NDArray o(DType::Float64, {r, c});
  for (int64_t k = 0; k < r * c; ++k) o.data<double>()[k] = f(x.data<double>()[k], y.data<double>()[k]);
  return o.astype(out);
}

NDArray random_dense(Shape s, DType d, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1, 1);
  NDArray a(DType::Float64, s);
  for (int64_t k = 0; k < a.size(); ++k) a.data<double>()[k] = u(rng);
  return a.astype(d);
}

Value sparse_of(const NDArray& d, SparseFormat f) { return sk::from_dense(d, f); }

}  // namespace

TEST(SparseArith, AddSubSparseSparse) {
  std::mt19937_64 rng(1);
  for (const Case& c : cases()) {
    SCOPED_TRACE(trace(c));
    SparseMatrix y = random_sparse(c.format, 3, 5, c.dtype, rng, {.p = 0.5, .lo = -1, .hi = 1, .unsorted_indices = true});
    const SparseFormat f = c.format;
    auto ref = [f](auto op) {
      return [f, op](const std::vector<Value>& v) -> Value {
        NDArray a = dense_of_sparse(v[0]), b = dense_of_sparse(v[1]);
        return sparse_of(map2(a, b, a.dtype(), op), f);
      };
    };
    check_op([](const std::vector<Var>& v) { return sparse::add(v[0], v[1]); }, {c.value, y},
             ref([](double a, double b) { return a + b; }), tol(c.dtype));
    check_op([](const std::vector<Var>& v) { return sparse::sub(v[0], v[1]); }, {c.value, y},
             ref([](double a, double b) { return a - b; }), tol(c.dtype));
    // the result is canonical (sorted, no duplicates, no zeros) as scipy's
    SparseMatrix s = sk::binary_ss(c.value, y, sk::SpBinary::Add, c.dtype);
    EXPECT_TRUE(sk::has_canonical_format(s));
    EXPECT_FALSE(sk::has_explicit_zeros(s));
  }
}

TEST(SparseArith, AddSparseDenseIsDense) {
  std::mt19937_64 rng(2);
  for (const Case& c : cases()) {
    SCOPED_TRACE(trace(c));
    NDArray d = random_dense({3, 5}, c.dtype, rng);
    auto ref = [](const std::vector<Value>& v) -> Value {
      NDArray a = dense_of_sparse(v[0]);
      return map2(a, std::get<NDArray>(v[1]), a.dtype(), [](double x, double y) { return x + y; });
    };
    // AddSD's gradient for the sparse operand is structured (Theano: sp_ones_like(x) * gz).
    check_op([](const std::vector<Var>& v) { return sparse::add(v[0], v[1]); }, {c.value, d}, ref, tol(c.dtype, true));
    check_op([](const std::vector<Var>& v) { return sparse::add_s_d(v[0], v[1]); }, {c.value, d}, ref,
             tol(c.dtype, true));
    check_op([](const std::vector<Var>& v) { return sparse::sub(v[1], v[0]); }, {c.value, d},
             [](const std::vector<Value>& v) -> Value {
               NDArray a = dense_of_sparse(v[0]);
               return map2(a, std::get<NDArray>(v[1]), a.dtype(), [](double x, double y) { return y - x; });
             },
             tol(c.dtype, true));
  }
}

TEST(SparseArith, MulSparseSparseAndDense) {
  std::mt19937_64 rng(3);
  for (const Case& c : cases()) {
    SCOPED_TRACE(trace(c));
    const SparseFormat f = c.format;
    SparseMatrix y = random_sparse(c.format, 3, 5, c.dtype, rng, {.p = 0.6, .lo = -1, .hi = 1});
    auto mul_ref = [f](const std::vector<Value>& v) -> Value {
      NDArray a = dense_of_sparse(v[0]);
      NDArray b = is_sparse(v[1]) ? dense_of_sparse(v[1]) : std::get<NDArray>(v[1]);
      return sparse_of(map2(a, b, a.dtype(), [](double x, double z) { return x * z; }), f);
    };
    check_op([](const std::vector<Var>& v) { return sparse::mul(v[0], v[1]); }, {c.value, y}, mul_ref, tol(c.dtype));
    for (Shape s : {Shape{3, 5}, Shape{}, Shape{5}}) {
      NDArray d = random_dense(s, c.dtype, rng);
      check_op([](const std::vector<Var>& v) { return sparse::mul(v[0], v[1]); }, {c.value, d}, mul_ref, tol(c.dtype));
    }
    NDArray v5 = random_dense({5}, c.dtype, rng), v3 = random_dense({3}, c.dtype, rng);
    check_op([](const std::vector<Var>& v) { return sparse::mul_s_v(v[0], v[1]); }, {c.value, v5}, mul_ref, tol(c.dtype));
    check_op([](const std::vector<Var>& v) { return sparse::col_scale(v[0], v[1]); }, {c.value, v5}, mul_ref,
             tol(c.dtype, true));
    check_op([](const std::vector<Var>& v) { return sparse::row_scale(v[0], v[1]); }, {c.value, v3},
             [f](const std::vector<Value>& v) -> Value {
               NDArray a = dense_of_sparse(v[0]);
               return sparse_of(map2(a, std::get<NDArray>(v[1]).reshape({3, 1}), a.dtype(),
                                     [](double x, double z) { return x * z; }),
                                f);
             },
             tol(c.dtype, true));
  }
}

TEST(SparseArith, StructuredAddSV) {
  std::mt19937_64 rng(4);
  for (const Case& c : cases()) {
    SCOPED_TRACE(trace(c));
    NDArray v5 = random_dense({5}, c.dtype, rng);
    const SparseMatrix x = c.value;
    check_op([](const std::vector<Var>& v) { return sparse::structured_add_s_v(v[0], v[1]); }, {x, v5},
             [&](const std::vector<Value>& v) -> Value {
               return sk::map_dense(x, std::get<NDArray>(v[1]), sk::SpMap::Add, x.dtype());
             },
             tol(c.dtype, true));
    // values: v[j] added to the stored entries only
    SparseMatrix out = sk::map_dense(x, v5, sk::SpMap::Add, x.dtype());
    EXPECT_EQ(out.nnz(), x.nnz());
    NDArray dx = dense_reference(x).astype(DType::Float64), dout = dense_reference(out).astype(DType::Float64);
    NDArray dv = v5.astype(DType::Float64);
    NDArray pattern = dense_reference(sk::with_data(x, NDArray::full(DType::Float64, {x.nnz()}, 1.0)));
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 5; ++j) {
        const double p = pattern.data<double>()[i * 5 + j];
        EXPECT_NEAR(dout.data<double>()[i * 5 + j], dx.data<double>()[i * 5 + j] + p * dv.data<double>()[j], 1e-5);
      }
  }
}

TEST(SparseArith, Comparisons) {
  std::mt19937_64 rng(5);
  using Cmp = Var (*)(const Var&, const Var&);
  const std::pair<Cmp, std::function<bool(double, double)>> ops[] = {
      {&sparse::lt, [](double a, double b) { return a < b; }},  {&sparse::gt, [](double a, double b) { return a > b; }},
      {&sparse::neq, [](double a, double b) { return a != b; }}, {&sparse::eq, [](double a, double b) { return a == b; }},
      {&sparse::le, [](double a, double b) { return a <= b; }}, {&sparse::ge, [](double a, double b) { return a >= b; }}};
  for (const Case& c : cases()) {
    SCOPED_TRACE(trace(c));
    const SparseFormat f = c.format;
    SparseMatrix y = random_sparse(c.format, 3, 5, c.dtype, rng, {.p = 0.5, .lo = -1, .hi = 1});
    NDArray d = random_dense({3, 5}, c.dtype, rng);
    for (const auto& op_fn : ops) {
      const auto& op = op_fn.first;  // no structured binding: clang 14 cannot capture those
      const auto& fn = op_fn.second;
      auto cmp = [fn](const NDArray& a, const NDArray& b) { return map2(a, b, DType::Bool, [fn](double x, double z) { return fn(x, z) ? 1.0 : 0.0; }); };
      check_op([op](const std::vector<Var>& v) { return op(v[0], v[1]); }, {c.value, y},
               [&](const std::vector<Value>& v) -> Value { return sparse_of(cmp(dense_of_sparse(v[0]), dense_of_sparse(v[1])), f); });
      check_op([op](const std::vector<Var>& v) { return op(v[0], v[1]); }, {c.value, d},
               [&](const std::vector<Value>& v) -> Value { return cmp(dense_of_sparse(v[0]), std::get<NDArray>(v[1])); });
      check_op([op](const std::vector<Var>& v) { return op(v[1], v[0]); }, {c.value, d},
               [&](const std::vector<Value>& v) -> Value { return cmp(std::get<NDArray>(v[1]), dense_of_sparse(v[0])); });
    }
  }
}

TEST(SparseArith, SpSum) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(trace(c));
    for (std::optional<int> axis : {std::optional<int>{}, std::optional<int>{0}, std::optional<int>{1}})
      for (bool sg : {false, true}) {
        auto ref = [axis](const std::vector<Value>& v) -> Value {
          NDArray a = dense_of_sparse(v[0]);
          NDArray x = a.astype(DType::Float64);
          NDArray o = NDArray::zeros(DType::Float64, axis ? Shape{*axis == 0 ? 5 : 3} : Shape{});
          for (int64_t i = 0; i < 3; ++i)
            for (int64_t j = 0; j < 5; ++j) o.data<double>()[axis ? (*axis == 0 ? j : i) : 0] += x.data<double>()[i * 5 + j];
          return o.astype(a.dtype());
        };
        check_op([axis, sg](const std::vector<Var>& v) { return sparse::sp_sum(v[0], axis, sg); }, {c.value}, ref,
                 tol(c.dtype, sg));
      }
  }
}

TEST(SparseArith, StructuredFunctions) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(trace(c));
    const SparseMatrix x = c.value;
    auto mapped = [&](double (*f)(double)) {
      return [&x, f](const std::vector<Value>&) -> Value {
        NDArray d = sk::stored_data(x).astype(DType::Float64);
        for (int64_t k = 0; k < d.size(); ++k) d.data<double>()[k] = f(d.data<double>()[k]);
        return sk::with_data(x, d.astype(x.dtype()));
      };
    };
    check_op([](const std::vector<Var>& v) { return sparse::structured_exp(v[0]); }, {x},
             mapped([](double a) { return std::exp(a); }), tol(c.dtype, true));
    check_op([](const std::vector<Var>& v) { return sparse::tanh(v[0]); }, {x}, mapped([](double a) { return std::tanh(a); }),
             tol(c.dtype, true));
    check_op([](const std::vector<Var>& v) { return sparse::structured_add(v[0], constant(NDArray::scalar<int8_t>(2))); },
             {x}, mapped([](double a) { return a + 2; }), tol(c.dtype, true));
  }
}

TEST(SparseArith, ManualStructuredAddExample) {
  NDArray a = NDArray::from_vector<float>({0, 0, -1, 0, -2, 1, 3, 0, 0}, {3, 3});
  Var x = sparse::csc_matrix("x", DType::Float32);
  Var y = sparse::structured_add(x, constant(NDArray::scalar<int8_t>(2)));
  Value out = (*function({In(x)}, {y}))({sk::from_dense(a, SparseFormat::CSC)})[0];
  const SparseMatrix& m = std::get<SparseMatrix>(out);
  EXPECT_EQ(m.format(), SparseFormat::CSC);
  EXPECT_EQ(m.dtype(), DType::Float32);
  NDArray want = NDArray::from_vector<float>({0, 0, 1, 0, 0, 3, 5, 0, 0}, {3, 3});
  EXPECT_TRUE(allclose(m.to_dense(), want, 0, 0, false)) << m.to_dense().repr();
}

TEST(SparseArith, Errors) {
  Var x = sparse::csr_matrix("x"), y = sparse::csc_matrix("y"), d = tensor(DType::Float64, {false, false}, "d");
  Var v = tensor(DType::Float64, {false}, "v");
  EXPECT_EQ(error_of([&] { sparse::add_s_s(x, d); }).rfind("[AddSS]", 0), 0u);
  EXPECT_EQ(error_of([&] { sparse::add_s_d(d, x); }).rfind("[AddSD]", 0), 0u);
  EXPECT_EQ(error_of([&] { sparse::add_s_s_data(x, y); }).rfind("[AddSSData]", 0), 0u);
  EXPECT_EQ(error_of([&] { sparse::mul_s_v(x, d); }).rfind("[MulSV]", 0), 0u);
  EXPECT_EQ(error_of([&] { sparse::sp_sum(d); }).rfind("[SpSum]", 0), 0u);
  EXPECT_EQ(error_of([&] { sparse::add(d, d); }).rfind("[add]", 0), 0u);
  std::mt19937_64 rng(9);
  SparseMatrix a = random_sparse(SparseFormat::CSR, 3, 5, DType::Float64, rng);
  SparseMatrix b = random_sparse(SparseFormat::CSR, 5, 3, DType::Float64, rng);
  Var z = sparse::csr_matrix("z");
  auto f = function({In(x), In(z)}, {sparse::mul(x, z)});
  EXPECT_EQ(error_of([&] { (*f)({a, b}); }).rfind("[MulSS]", 0), 0u);
  auto g = function({In(x), In(v)}, {sparse::col_scale(x, v)});
  EXPECT_EQ(error_of([&] { (*g)({a, random_dense({3}, DType::Float64, rng)}); }).rfind("[ColScaleCSC]", 0), 0u);
}
