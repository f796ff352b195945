// Selection (GetItem*), stacking (HStack/VStack), ConstructSparseFromList / sparse_grad and the
// random sparse ops, through the one harness (check_op) against plain dense references.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "hypatia/grad/grad.h"
#include "hypatia/compile/function.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/kernels/select.h"
#include "hypatia/sparse/ops/getitem.h"
#include "hypatia/sparse/select.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/indexing.h"
#include "support/check_op.h"
#include "support/sparse_random.h"

using namespace hypatia;
using namespace hypatia::testing;
namespace sk = hypatia::sparse_kernels;

namespace {
const SparseFormat kFormats[] = {SparseFormat::CSR, SparseFormat::CSC};


using Case = SparseCase;
std::vector<Case> cases() { return sparse_cases(5); }



// Python's slice positions for an axis of length n (None = nullopt).
std::vector<int64_t> py_slice(int64_t n, std::optional<int64_t> a, std::optional<int64_t> b, std::optional<int64_t> s) {
  const int64_t step = s.value_or(1);
  auto adj = [&](std::optional<int64_t> v, int64_t dflt, int64_t lo, int64_t hi) {
    if (!v) return dflt;
    int64_t x = *v < 0 ? *v + n : *v;
    return std::clamp(x, lo, hi);
  };
  int64_t start = step > 0 ? adj(a, 0, 0, n) : adj(a, n - 1, -1, n - 1);
  int64_t stop = step > 0 ? adj(b, n, 0, n) : adj(b, -1, -1, n - 1);
  std::vector<int64_t> r;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) r.push_back(i);
  return r;
}

NDArray dense_pick(const NDArray& d, const std::vector<int64_t>& rows, const std::vector<int64_t>& cols) {
  NDArray out = NDArray::zeros(d.dtype(), {static_cast<int64_t>(rows.size()), static_cast<int64_t>(cols.size())});
  dispatch_dtype(d.dtype(), [&](auto t) {
    using T = decltype(t);
    for (size_t i = 0; i < rows.size(); ++i)
      for (size_t j = 0; j < cols.size(); ++j) out.data<T>()[i * cols.size() + j] = d.data<T>()[rows[i] * d.shape(1) + cols[j]];
  });
  return out;
}

Var ivec(const std::vector<int64_t>& v) { return constant(NDArray::from_vector(v, {static_cast<int64_t>(v.size())})); }
NDArray ivec_value(const std::vector<int64_t>& v) { return NDArray::from_vector(v, {static_cast<int64_t>(v.size())}); }
}  // namespace

TEST(SparseSelect, GetItem2dSlicesWithNegativeAndNoneBoundsAndSteps) {
  using O = std::optional<int64_t>;
  struct S { O a, b, s; };
  const std::vector<std::pair<S, S>> slices = {
      {{1, {}, {}}, {{}, -1, {}}}, {{{}, {}, 2}, {-1, {}, -2}}, {{-4, 4, 1}, {{}, {}, -1}},
      {{{}, {}, -2}, {1, 100, 2}}, {{2, 2, {}}, {{}, {}, {}}}, {{-100, {}, 3}, {3, 0, -1}}};
  for (const Case& c : cases()) {
    SCOPED_TRACE(trace(c));
    for (const auto& rq : slices) {
      const auto& r = rq.first;  // no structured binding: clang 14 cannot capture those
      const auto& q = rq.second;
      auto fun = [&](const std::vector<Var>& v) {
        auto sb = [](O o) { return o ? SliceBound(*o) : SliceBound(); };
        return sparse::get_item_2d(v[0], {IndexEntry::slice(sb(r.a), sb(r.b), sb(r.s)), IndexEntry::slice(sb(q.a), sb(q.b), sb(q.s))});
      };
      auto ref = [&](const std::vector<Value>& v) -> Value {
        const SparseMatrix& x = std::get<SparseMatrix>(v[0]);
        NDArray d = dense_pick(dense_reference(x), py_slice(x.rows(), r.a, r.b, r.s), py_slice(x.cols(), q.a, q.b, q.s));
        return SparseMatrix::from_dense(d, x.format());
      };
      CheckOpOptions o;
      o.check_grad = false;
      check_op(fun, {c.value}, ref, o);
    }
  }
}

TEST(SparseSelect, GetItem2dSymbolicBoundsAndOneEntry) {
  std::mt19937_64 rng(1);
  SparseMatrix x = random_sparse(SparseFormat::CSC, 5, 3, DType::Float64, rng, {0.6});
  Var xv = sparse::csc_matrix("x"), a = scalar(DType::Int32, "a"), b = scalar(DType::Int64, "b");
  Var y = sparse::get_item_2d(xv, {IndexEntry::slice(SliceBound(a), SliceBound(b))});
  EXPECT_EQ(y.owner()->op()->name(), "GetItem2d");
  auto f = function({xv, a, b}, {sparse::dense_from_sparse(y)});
  NDArray got = std::get<NDArray>((*f)({x, NDArray::scalar<int32_t>(-4), NDArray::scalar<int64_t>(4)})[0]);
  EXPECT_TRUE(allclose(got, dense_pick(x.to_dense(), {1, 2, 3}, {0, 1, 2}), 0, 0, true));
  // A zero step is a ValueError naming the op (a constant one is already refused by
  // IndexEntry::slice, "[Subtensor] ...").
  ErrorKind k{};
  std::string m = error_of([&] { sparse::get_item_2d(xv, {IndexEntry::all(), IndexEntry::slice(0, 3, 0)}); }, &k);
  EXPECT_EQ(m.rfind("[", 0), 0u) << m;
  EXPECT_EQ(k, ErrorKind::Value);
  Var s = scalar(DType::Int64, "s");
  auto g = function({xv, s}, {sparse::get_item_2d(xv, {IndexEntry::all(), IndexEntry::slice({}, {}, SliceBound(s))})});
  m = error_of([&] { (*g)({x, NDArray::scalar<int64_t>(0)}); }, &k);
  EXPECT_EQ(m.rfind("[GetItem2d]", 0), 0u) << m;
  EXPECT_EQ(k, ErrorKind::Value);
}

TEST(SparseSelect, GetItemScalarEveryPositionAndNegative) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(trace(c));
    Var x = sparse::matrix(c.format, "x", c.dtype), i = scalar(DType::Int64, "i"), j = scalar(DType::Int32, "j");
    Var y = sparse::get_item_scalar(x, i, j);
    EXPECT_EQ(y.type()->ndim(), 0);
    EXPECT_EQ(*y.type()->dtype(), c.dtype);
    auto f = function({x, i, j}, {y});
    NDArray d = dense_reference(c.value).astype(DType::Float64);
    for (int64_t r = -c.rows; r < c.rows; ++r)
      for (int64_t q = -c.cols; q < c.cols; ++q) {
        NDArray got = std::get<NDArray>((*f)({c.value, NDArray::scalar<int64_t>(r), NDArray::scalar<int32_t>(q)})[0]);
        const int64_t rr = r < 0 ? r + c.rows : r, qq = q < 0 ? q + c.cols : q;
        EXPECT_EQ(got.astype(DType::Float64).item<double>(), d.data<double>()[rr * c.cols + qq]);
      }
    ErrorKind k{};
    std::string m = error_of([&] { (*f)({c.value, NDArray::scalar<int64_t>(c.rows), NDArray::scalar<int32_t>(0)}); }, &k);
    EXPECT_EQ(m.rfind("[GetItemScalar]", 0), 0u) << m;
    EXPECT_EQ(k, ErrorKind::Index);
    m = error_of([&] { (*f)({c.value, NDArray::scalar<int64_t>(0), NDArray::scalar<int32_t>(-c.cols - 1)}); }, &k);
    EXPECT_EQ(k, ErrorKind::Index) << m;
  }
}

TEST(SparseSelect, GetItemScalarDuplicatesSummed) {
  // Two stored entries at (0, 1): 1 + 2.
  SparseMatrix x(SparseFormat::CSR, 2, 3, NDArray::from_vector<double>({1, 2, 5}, {3}),
                 NDArray::from_vector<int32_t>({1, 1, 0}, {3}), NDArray::from_vector<int32_t>({0, 2, 3}, {3}));
  Var xv = sparse::csr_matrix("x");
  auto f = function({xv}, {sparse::get_item_scalar(xv, constant_int(0), constant_int(1)),
                           sparse::get_item_2lists(xv, ivec({0, 1, 0}), ivec({1, 0, 2}))});
  auto r = (*f)({x});
  EXPECT_EQ(std::get<NDArray>(r[0]).item<double>(), 3.0);
  NDArray v = std::get<NDArray>(r[1]);
  EXPECT_EQ(v.data<double>()[0], 3.0);
  EXPECT_EQ(v.data<double>()[1], 5.0);
  EXPECT_EQ(v.data<double>()[2], 0.0);
}

TEST(SparseSelect, GetItemListRowsWithRepeatsAndGrad) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(trace(c));
    const std::vector<int64_t> idx = {2, 0, 2, -1, 1};
    auto fun = [&](const std::vector<Var>& v) { return sparse::get_item_list(v[0], v[1]); };
    auto ref = [&](const std::vector<Value>& v) -> Value {
      const SparseMatrix& x = std::get<SparseMatrix>(v[0]);
      std::vector<int64_t> rows;
      for (int64_t i : idx) rows.push_back(i < 0 ? i + x.rows() : i);
      std::vector<int64_t> cols(x.cols());
      std::iota(cols.begin(), cols.end(), 0);
      return SparseMatrix::from_dense(dense_pick(dense_reference(x), rows, cols), x.format());
    };
    CheckOpOptions o;
    o.grad_inputs = {0};
    o.rtol = c.dtype == DType::Float32 ? 1e-5 : 1e-6;
    check_op(fun, {c.value, ivec_value(idx)}, ref, o);
  }
}

TEST(SparseSelect, GetItemListGradAccumulatesRepeats) {
  std::mt19937_64 rng(3);
  for (SparseFormat f : kFormats) {
    SparseMatrix x = random_sparse(f, 4, 3, DType::Float64, rng, {0.7});
    Var xv = sparse::matrix(f, "x", DType::Float64);
    Var cost = sum(sparse::dense_from_sparse(sparse::get_item_list(xv, ivec({1, 1, 3})), false));
    Var g = grad(cost, xv);
    ASSERT_NE(sparse_type(g), nullptr);
    EXPECT_EQ(sparse_type(g)->format(), f);
    NDArray got = std::get<SparseMatrix>((*function({xv}, {g}))({x})[0]).to_dense();
    NDArray want = NDArray::zeros(DType::Float64, {4, 3});
    for (int j = 0; j < 3; ++j) want.data<double>()[3 + j] = 2, want.data<double>()[9 + j] = 1;
    EXPECT_TRUE(allclose(got, want, 0, 0, true)) << got.repr();
  }
}

TEST(SparseSelect, GetItem2ListsAndGrad) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(trace(c));
    const std::vector<int64_t> r = {0, -1, 2, 0, 1}, q = {1, 2, -3, 1, 0};
    auto fun = [&](const std::vector<Var>& v) { return sparse::get_item_2lists(v[0], v[1], v[2]); };
    auto ref = [&](const std::vector<Value>& v) -> Value {
      const SparseMatrix& x = std::get<SparseMatrix>(v[0]);
      NDArray d = dense_reference(x);
      NDArray out(x.dtype(), {5});
      dispatch_dtype(x.dtype(), [&](auto t) {
        using T = decltype(t);
        for (int k = 0; k < 5; ++k) {
          int64_t i = r[k] < 0 ? r[k] + x.rows() : r[k], j = q[k] < 0 ? q[k] + x.cols() : q[k];
          out.data<T>()[k] = d.data<T>()[i * x.cols() + j];
        }
      });
      return out;
    };
    CheckOpOptions o;
    o.grad_inputs = {0};
    o.rtol = c.dtype == DType::Float32 ? 1e-5 : 1e-6;
    check_op(fun, {c.value, ivec_value(r), ivec_value(q)}, ref, o);
  }
}

TEST(SparseSelect, HStackVStackFormatsDtypesAndGrad) {
  std::mt19937_64 rng(9);
  for (SparseFormat fa : kFormats)
    for (SparseFormat out : kFormats)
      for (bool vertical : {false, true}) {
        SCOPED_TRACE(str_cat(format_name(fa), "->", format_name(out), vertical ? " vstack" : " hstack"));
        RandomSparseOptions uo;
        uo.unsorted_indices = true;
        uo.p = 0.7;
        SparseMatrix a = random_sparse(fa, 3, 5, DType::Float32, rng, uo);
        SparseMatrix b = vertical ? random_sparse(fa == SparseFormat::CSR ? SparseFormat::CSC : SparseFormat::CSR, 2, 5,
                                                  DType::Float64, rng, {0.0})
                                  : random_sparse(SparseFormat::CSC, 3, 2, DType::Float64, rng, {0.5, 0, 1, true});
        SparseMatrix c = vertical ? random_sparse(fa, 4, 5, DType::Float64, rng) : random_sparse(fa, 3, 4, DType::Float64, rng);
        auto fun = [&](const std::vector<Var>& v) {
          return vertical ? sparse::vstack(v, out) : sparse::hstack(v, out);
        };
        auto ref = [&](const std::vector<Value>& v) -> Value {
          std::vector<NDArray> ds;
          for (const Value& x : v) ds.push_back(dense_reference(std::get<SparseMatrix>(x)).astype(DType::Float64));
          int64_t R = vertical ? 0 : 3, C = vertical ? 5 : 0;
          for (auto& d : ds) (vertical ? R : C) += d.shape(vertical ? 0 : 1);
          NDArray o = NDArray::zeros(DType::Float64, {R, C});
          int64_t off = 0;
          for (auto& d : ds) {
            for (int64_t i = 0; i < d.shape(0); ++i)
              for (int64_t j = 0; j < d.shape(1); ++j)
                o.data<double>()[(vertical ? i + off : i) * C + (vertical ? j : j + off)] = d.data<double>()[i * d.shape(1) + j];
            off += d.shape(vertical ? 0 : 1);
          }
          return SparseMatrix::from_dense(o, out);
        };
        CheckOpOptions o;
        o.rtol = 1e-5;
        check_op(fun, {a, b, c}, ref, o);
      }
  // dtype argument and the default format (csc).
  Var x = sparse::csr_matrix("x", DType::Float32), y = sparse::csr_matrix("y", DType::Float32);
  Var h = sparse::hstack({x, y});
  EXPECT_EQ(sparse_type(h)->format(), SparseFormat::CSC);
  EXPECT_EQ(sparse_type(h)->elem(), DType::Float32);
  EXPECT_EQ(sparse_type(sparse::vstack({x, y}, SparseFormat::CSR, DType::Float64))->elem(), DType::Float64);
  // Shapes that do not agree: ValueError naming the op.
  ErrorKind k{};
  auto f = function({x, y}, {h});
  std::string m = error_of([&] {
    (*f)({SparseMatrix::zeros(SparseFormat::CSR, 2, 3, DType::Float32), SparseMatrix::zeros(SparseFormat::CSR, 3, 3, DType::Float32)});
  }, &k);
  EXPECT_EQ(m.rfind("[HStack]", 0), 0u) << m;
  EXPECT_EQ(k, ErrorKind::Value);
  m = error_of([&] { sparse::vstack({}); }, &k);
  EXPECT_EQ(m.rfind("[VStack]", 0), 0u) << m;
  m = error_of([&] { sparse::hstack({x, matrix(DType::Float32, "d")}); }, &k);
  EXPECT_EQ(m.rfind("[HStack]", 0), 0u) << m;
  EXPECT_EQ(k, ErrorKind::Type);
}

TEST(SparseSelect, ConstructSparseFromListAndGrad) {
  for (DType d : {DType::Float32, DType::Float64}) {
    SCOPED_TRACE(dtype_name(d));
    const std::vector<int64_t> il = {3, 0, 3, -1};
    NDArray xs = NDArray::zeros(d, {5, 3});
    std::mt19937_64 rng(2);
    NDArray vals = dense_reference(random_sparse(SparseFormat::CSR, 4, 3, d, rng, {1.0}));
    auto fun = [&](const std::vector<Var>& v) { return sparse::construct_sparse_from_list(v[0], v[1], v[2]); };
    auto ref = [&](const std::vector<Value>& v) -> Value {
      NDArray out = NDArray::zeros(DType::Float64, {5, 3});
      NDArray vv = std::get<NDArray>(v[1]).astype(DType::Float64);
      for (size_t k = 0; k < il.size(); ++k) {
        int64_t r = il[k] < 0 ? il[k] + 5 : il[k];
        for (int j = 0; j < 3; ++j) out.data<double>()[r * 3 + j] += vv.data<double>()[k * 3 + j];
      }
      return SparseMatrix::from_dense(out.astype(d), SparseFormat::CSC);
    };
    CheckOpOptions o;
    o.grad_inputs = {1};
    o.rtol = 1e-5;
    check_op(fun, {xs, vals, ivec_value(il)}, ref, o);
  }
  ErrorKind k{};
  std::string m = error_of([&] { sparse::construct_sparse_from_list(vector(DType::Float64), matrix(DType::Float64), ivec({0})); }, &k);
  EXPECT_EQ(m.rfind("[ConstructSparseFromList]", 0), 0u) << m;
  EXPECT_EQ(k, ErrorKind::Type);
  Var x = matrix(DType::Float64, "x"), v = matrix(DType::Float64, "v");
  auto f = function({x, v}, {sparse::construct_sparse_from_list(x, v, ivec({0, 7}))});
  m = error_of([&] { (*f)({NDArray::zeros(DType::Float64, {3, 2}), NDArray::zeros(DType::Float64, {2, 2})}); }, &k);
  EXPECT_EQ(m.rfind("[ConstructSparseFromList]", 0), 0u) << m;
  EXPECT_EQ(k, ErrorKind::Index);
}

TEST(SparseSelect, SparseGradOfAdvancedSubtensor1) {
  Var x = matrix(DType::Float64, "x");
  Var idx = vector(DType::Int64, "idx");
  Var sel = sparse::sparse_grad(subtensor(x, {IndexEntry::at(idx)}));
  EXPECT_EQ(sel.owner()->op()->str(), "AdvancedSubtensor1{sparse_grad}");
  Var w = constant(NDArray::from_vector<double>({1, 2, 3}, {3}));
  Var cost = sum(mul(sqr(sel), w));
  Var g = grad(cost, x);
  ASSERT_NE(sparse_type(g), nullptr) << g.type()->str();
  Var gd = grad(sum(mul(sqr(advanced_subtensor1(x, idx)), w)), x);
  auto f = function({x, idx}, {sparse::dense_from_sparse(g), gd});
  NDArray xv = NDArray::from_vector<double>({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {4, 3});
  auto r = (*f)({xv, NDArray::from_vector<int64_t>({2, 0, 2, -1}, {4})});
  EXPECT_TRUE(allclose(std::get<NDArray>(r[0]), std::get<NDArray>(r[1]), 1e-12, 0, true));
}

TEST(SparseSelect, GetItemErrors) {
  Var x = sparse::csr_matrix("x"), d = matrix(DType::Float64, "d");
  ErrorKind k{};
  auto starts = [&](const std::function<void()>& f, const std::string& prefix, ErrorKind want) {
    std::string m = error_of(f, &k);
    EXPECT_EQ(m.rfind(prefix, 0), 0u) << prefix << ": " << m;
    EXPECT_EQ(k, want) << m;
    return m;
  };
  std::string m = starts([&] { sparse::getitem(x, {IndexEntry::at(1), IndexEntry::slice(0, 2)}); }, "[GetItem2d]", ErrorKind::NotImplemented);
  EXPECT_NE(m.find("[M:M+1, N:O]"), std::string::npos) << m;
  starts([&] { sparse::getitem(x, {IndexEntry::slice(0, 2), IndexEntry::at(1)}); }, "[GetItem2d]", ErrorKind::NotImplemented);
  starts([&] { sparse::get_item_list(d, ivec({0})); }, "[GetItemList]", ErrorKind::Type);
  starts([&] { sparse::get_item_list(x, constant(NDArray::from_vector<double>({0}, {1}))); }, "[GetItemList]", ErrorKind::Type);
  starts([&] { sparse::get_item_scalar(x, constant(1.5), constant_int(0)); }, "[GetItemScalar]", ErrorKind::Type);
  starts([&] { sparse::get_item_2lists(x, ivec({0}), constant_int(0)); }, "[GetItem2Lists]", ErrorKind::Type);
  std::mt19937_64 rng(4);
  SparseMatrix xv = random_sparse(SparseFormat::CSR, 3, 5, DType::Float64, rng);
  auto f = function({x}, {sparse::get_item_list(x, ivec({0, 3}))});
  starts([&] { (*f)({xv}); }, "[GetItemList]", ErrorKind::Index);
  auto g = function({x}, {sparse::get_item_2lists(x, ivec({0, 1}), ivec({0}))});
  starts([&] { (*g)({xv}); }, "[GetItem2Lists]", ErrorKind::Value);
}

TEST(SparseSelect, KernelsAgreeAcrossFormatsAndIndexDtypes) {
  std::mt19937_64 rng(21);
  for (DType idt : {DType::Int32, DType::Int64}) {
    RandomSparseOptions o;
    o.index_dtype = idt;
    o.unsorted_indices = true;
    SparseMatrix a = random_sparse(SparseFormat::CSR, 300, 400, DType::Float64, rng, o);  // above kParallelWork
    SparseMatrix b = sk::convert_format(a, SparseFormat::CSC);
    std::vector<int64_t> rows = {5, 299, 5, 0}, cols = sk::slice_positions(399, -3, 100);
    NDArray want = dense_pick(dense_reference(a), rows, cols);
    EXPECT_TRUE(allclose(sk::select_rows_cols(a, &rows, &cols).to_dense(), want, 0, 0, true));
    EXPECT_TRUE(allclose(sk::select_rows_cols(b, &rows, &cols).to_dense(), want, 0, 0, true));
    SparseMatrix s1 = sk::stack({a, b}, true, SparseFormat::CSC, DType::Float64, "VStack");
    SparseMatrix s2 = sk::stack({a, b}, true, SparseFormat::CSR, DType::Float64, "VStack");
    EXPECT_TRUE(allclose(s1.to_dense(), s2.to_dense(), 0, 0, true));
    EXPECT_NO_THROW(s1.validate());
  }
}

// ---- probability ----

TEST(SparseRandom, PoissonKeepsPatternAndIsSeedable) {
  std::mt19937_64 rng(8);
  for (SparseFormat f : kFormats)
    for (DType d : {DType::Float32, DType::Float64}) {
      SparseMatrix x = random_sparse(f, 40, 30, d, rng, {0.3, 1.0, 20.0});
      Var xv = sparse::matrix(f, "x", d);
      Var y1 = sparse::poisson(xv, 42), y2 = sparse::poisson(xv, 42), y3 = sparse::poisson(xv);
      EXPECT_EQ(sparse_type(y1)->format(), f);
      EXPECT_EQ(sparse_type(y1)->elem(), d);
      auto fn = function({xv}, {y1, y2, y3});
      auto r = (*fn)({x});
      auto r2 = (*fn)({x});
      NDArray a = std::get<SparseMatrix>(r[0]).to_dense(), b = std::get<SparseMatrix>(r[1]).to_dense();
      EXPECT_TRUE(allclose(a, b, 0, 0, true)) << "same seed, same draws";
      EXPECT_FALSE(allclose(a, std::get<SparseMatrix>(r2[0]).to_dense(), 0, 0, true)) << "the state advances";
      EXPECT_FALSE(allclose(std::get<SparseMatrix>(r[2]).to_dense(), std::get<SparseMatrix>(r2[2]).to_dense(), 0, 0, true));
      // Draws only where x stores a value; integer values; mean close to x's.
      NDArray xd = x.to_dense().astype(DType::Float64), ad = a.astype(DType::Float64);
      double sx = 0, sa = 0;
      for (int64_t k = 0; k < xd.size(); ++k) {
        if (xd.data<double>()[k] == 0) EXPECT_EQ(ad.data<double>()[k], 0);
        EXPECT_EQ(ad.data<double>()[k], std::floor(ad.data<double>()[k]));
        sx += xd.data<double>()[k], sa += ad.data<double>()[k];
      }
      EXPECT_NEAR(sa / sx, 1.0, 0.1);
      EXPECT_FALSE(sk::has_explicit_zeros(std::get<SparseMatrix>(r[0])));
    }
}

TEST(SparseRandom, BinomialFormatsDtypesMeanAndStreams) {
  for (SparseFormat f : kFormats)
    for (DType d : {DType::Float32, DType::Float64}) {
      Var n = scalar(DType::Int64, "n"), p = scalar(DType::Float64, "p"), shp = vector(DType::Int64, "shape");
      Var y = sparse::binomial(f, d, n, p, shp, 7), y2 = sparse::binomial(f, d, n, p, shp, 7);
      EXPECT_EQ(sparse_type(y)->format(), f);
      EXPECT_EQ(sparse_type(y)->elem(), d);
      EXPECT_EQ(y.owner()->op()->str(), str_cat("Binomial{", format_name(f), ",", dtype_name(d), "}"));
      auto fn = function({n, p, shp}, {y, y2});
      auto r = (*fn)({NDArray::scalar<int64_t>(10), NDArray::scalar<double>(0.3), NDArray::from_vector<int64_t>({60, 50}, {2})});
      const SparseMatrix& a = std::get<SparseMatrix>(r[0]);
      EXPECT_EQ(a.rows(), 60);
      EXPECT_EQ(a.cols(), 50);
      EXPECT_EQ(a.format(), f);
      EXPECT_EQ(a.dtype(), d);
      EXPECT_TRUE(allclose(a.to_dense(), std::get<SparseMatrix>(r[1]).to_dense(), 0, 0, true));
      NDArray ad = a.to_dense().astype(DType::Float64);
      double s = 0;
      for (int64_t k = 0; k < ad.size(); ++k) s += ad.data<double>()[k];
      EXPECT_NEAR(s / 3000.0, 3.0, 0.15);
    }
  RandomStreams rs(5), rs2(5);
  Var n = constant_int(1), p = constant(0.5), shp = ivec({4, 6});
  Var a = sparse::binomial(rs, SparseFormat::CSR, DType::Float64, n, p, shp);
  Var b = sparse::binomial(rs2, SparseFormat::CSR, DType::Float64, n, p, shp);
  auto fn = function(std::vector<In>{}, {a, b});
  auto r = (*fn)({});
  EXPECT_TRUE(allclose(std::get<SparseMatrix>(r[0]).to_dense(), std::get<SparseMatrix>(r[1]).to_dense(), 0, 0, true));
}

TEST(SparseRandom, MultinomialRowsSumToNAndStayInPattern) {
  for (SparseFormat f : kFormats) {
    // Rows of p: [0.2, 0.8 at cols 0, 3], [1.0 at col 2], [], [0.5, 0.25, 0.25].
    NDArray pd = NDArray::zeros(DType::Float64, {4, 4});
    double* q = pd.data<double>();
    q[0] = 0.2, q[3] = 0.8, q[6] = 1.0, q[12] = 0.5, q[13] = 0.25, q[15] = 0.25;
    SparseMatrix p = SparseMatrix::from_dense(pd, f);
    Var pv = sparse::matrix(f, "p", DType::Float64), n = vector(DType::Int64, "n");
    Var y = sparse::multinomial(n, pv, 3), y2 = sparse::multinomial(n, pv, 3);
    auto fn = function({n, pv}, {y, y2});
    auto r = (*fn)({NDArray::from_vector<int64_t>({1000, 7, 0, 400}, {4}), p});
    const SparseMatrix& a = std::get<SparseMatrix>(r[0]);
    EXPECT_EQ(a.format(), f);
    NDArray ad = a.to_dense();
    EXPECT_TRUE(allclose(ad, std::get<SparseMatrix>(r[1]).to_dense(), 0, 0, true));
    const double* v = ad.data<double>();
    EXPECT_EQ(v[0] + v[3], 1000);
    EXPECT_NEAR(v[3] / 1000.0, 0.8, 0.06);
    EXPECT_EQ(v[6], 7);
    EXPECT_EQ(v[12] + v[13] + v[15], 400);
    for (int k : {1, 2, 4, 5, 7, 8, 9, 10, 11, 14}) EXPECT_EQ(v[k], 0);
    // A scalar n applies to every row; a wrong-length n is a ValueError naming the op.
    ErrorKind k{};
    std::string m = error_of([&] { (*fn)({NDArray::from_vector<int64_t>({1, 2}, {2}), p}); }, &k);
    EXPECT_EQ(m.rfind("[Multinomial]", 0), 0u) << m;
    EXPECT_EQ(k, ErrorKind::Value);
  }
}

TEST(SparseRandom, NoGradientsAndTypeErrors) {
  Var x = sparse::csr_matrix("x");
  Var y = sparse::poisson(x, 1);
  Var cost = sum(sparse::dense_from_sparse(y));
  EXPECT_THROW(grad(cost, x), Error);
  ErrorKind k{};
  std::string m = error_of([&] { sparse::poisson(matrix(DType::Float64)); }, &k);
  EXPECT_EQ(m.rfind("[Poisson]", 0), 0u) << m;
  m = error_of([&] { sparse::binomial(SparseFormat::CSR, DType::Float64, constant(0.5), constant(0.5), ivec({2, 2})); }, &k);
  EXPECT_EQ(m.rfind("[Binomial]", 0), 0u) << m;
  EXPECT_EQ(k, ErrorKind::Type);
  m = error_of([&] { sparse::multinomial(constant_int(3), matrix(DType::Float64)); }, &k);
  EXPECT_EQ(m.rfind("[Multinomial]", 0), 0u) << m;
}
