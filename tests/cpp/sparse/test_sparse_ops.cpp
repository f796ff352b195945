// Sparse ops through the one harness (check_op): values against plain dense references, output
// type and format, infer_shape, and structured/regular gradients; plus the reference's worked
// examples and error messages.
#include <gtest/gtest.h>

#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/ops/convert.h"
#include "hypatia/sparse/products.h"
#include "support/check_op.h"
#include "support/sparse_random.h"

using namespace hypatia;
using namespace hypatia::testing;
namespace sk = hypatia::sparse_kernels;

namespace {
const SparseFormat kFormats[] = {SparseFormat::CSR, SparseFormat::CSC};
SparseFormat other(SparseFormat f) { return f == SparseFormat::CSR ? SparseFormat::CSC : SparseFormat::CSR; }


using Case = SparseCase;
std::vector<Case> cases() { return sparse_cases(11); }


Var one(const std::vector<Var>& v) { return v[0]; }
}  // namespace

TEST(SparseOps, DenseFromSparseStructuredAndRegular) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(trace(c));
    auto ref = [](const std::vector<Value>& v) -> Value { return dense_reference(std::get<SparseMatrix>(v[0])); };
    CheckOpOptions s;
    s.structured = true;
    check_op([](const std::vector<Var>& v) { return sparse::dense_from_sparse(v[0]); }, {c.value}, ref, s);
    check_op([](const std::vector<Var>& v) { return sparse::dense_from_sparse(v[0], false); }, {c.value}, ref);
  }
}

TEST(SparseOps, SparseFromDenseBothFormats) {
  std::mt19937_64 rng(5);
  for (SparseFormat f : kFormats)
    for (DType d : {DType::Float32, DType::Float64})
      for (auto [r, c] : {std::pair<int64_t, int64_t>{3, 5}, {5, 3}}) {
        SCOPED_TRACE(str_cat(format_name(f), dtype_name(d), r, "x", c));
        NDArray dense = dense_reference(random_sparse(f, r, c, d, rng));  // has zeros
        auto ref = [f](const std::vector<Value>& v) -> Value { return sk::from_dense(std::get<NDArray>(v[0]), f); };
        check_op([f](const std::vector<Var>& v) { return f == SparseFormat::CSR ? sparse::csr_from_dense(v[0]) : sparse::csc_from_dense(v[0]); },
                 {dense}, ref);
      }
}

TEST(SparseOps, StructurePreservingUnaryOps) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(trace(c));
    const SparseMatrix& x = c.value;
    auto d = [](const std::vector<Value>& v) { return dense_reference(std::get<SparseMatrix>(v[0])); };
    // transpose: other format, no copy.
    check_op([](const std::vector<Var>& v) { return sparse::transpose(v[0]); }, {x},
             [&](const std::vector<Value>& v) -> Value { return sk::from_dense(d(v).transpose().copy(), other(c.format)); });
    // neg
    check_op([](const std::vector<Var>& v) { return sparse::neg(v[0]); }, {x}, [&](const std::vector<Value>& v) -> Value {
      NDArray n = d(v);
      dispatch_dtype(n.dtype(), [&](auto t) {
        using T = decltype(t);
        if constexpr (std::is_floating_point_v<T>)
          for (int64_t k = 0; k < n.size(); ++k) n.data<T>()[k] = -n.data<T>()[k];
      });
      return sk::from_dense(n, c.format);
    });
    // remove0, ensure_sorted_indices, clean, as_format
    auto same = [&](const std::vector<Value>& v) -> Value { return sk::from_dense(d(v), c.format); };
    check_op([](const std::vector<Var>& v) { return sparse::remove0(v[0]); }, {x}, same);
    check_op([](const std::vector<Var>& v) { return sparse::ensure_sorted_indices(v[0]); }, {x}, same);
    check_op([](const std::vector<Var>& v) { return sparse::clean(v[0]); }, {x}, same);
    SparseFormat of = other(c.format);
    check_op([of](const std::vector<Var>& v) { return sparse::as_format(v[0], of); }, {x},
             [&](const std::vector<Value>& v) -> Value { return sk::from_dense(d(v), of); });
    // cast to the other float dtype
    DType to = c.dtype == DType::Float32 ? DType::Float64 : DType::Float32;
    CheckOpOptions loose;
    loose.rtol = 1e-6;
    check_op([to](const std::vector<Var>& v) { return sparse::cast(v[0], to); }, {x},
             [&](const std::vector<Value>& v) -> Value { return sk::from_dense(d(v).astype(to), c.format); }, loose);
    // sp_ones_like / sp_zeros_like
    check_op([](const std::vector<Var>& v) { return sparse::sp_ones_like(v[0]); }, {x}, [&](const std::vector<Value>&) -> Value {
      return sk::with_data(x, NDArray::full(c.dtype, {x.nnz()}, 1.0));
    });
    check_op([](const std::vector<Var>& v) { return sparse::sp_zeros_like(v[0]); }, {x}, [&](const std::vector<Value>&) -> Value {
      return SparseMatrix::zeros(c.format, c.rows, c.cols, c.dtype);
    });
  }
}

TEST(SparseOps, StructureOpsOutputsAreCanonical) {
  std::mt19937_64 rng(2);
  RandomSparseOptions o;
  o.unsorted_indices = true;
  o.explicit_zero = true;
  o.p = 0.9;
  SparseMatrix x = random_sparse(SparseFormat::CSR, 4, 6, DType::Float64, rng, o);
  ASSERT_FALSE(sk::has_sorted_indices(x));
  ASSERT_TRUE(sk::has_explicit_zeros(x));
  Var v = sparse::csr_matrix("x");
  auto run = [&](const Var& out) { return std::get<SparseMatrix>((*function({v}, {out}))({x})[0]); };
  EXPECT_TRUE(sk::has_sorted_indices(run(sparse::ensure_sorted_indices(v))));
  EXPECT_TRUE(sk::has_explicit_zeros(run(sparse::ensure_sorted_indices(v))));
  EXPECT_FALSE(sk::has_explicit_zeros(run(sparse::remove0(v))));
  SparseMatrix c = run(sparse::clean(v));
  EXPECT_TRUE(sk::has_sorted_indices(c));
  EXPECT_FALSE(sk::has_explicit_zeros(c));
  EXPECT_EQ(c.nnz(), x.nnz() - 1);
}

TEST(SparseOps, CsmPropertiesAndCsmRoundTrip) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(trace(c));
    const SparseMatrix& x = c.value;
    CheckOpOptions s;
    s.structured = true;  // the data vector only depends on stored entries
    check_op([](const std::vector<Var>& v) { return sparse::csm_data(v[0]); }, {x},
             [&](const std::vector<Value>&) -> Value { return sk::stored_data(x); }, s);
    SparseFormat f = c.format;
    // csm_properties -> CSM of the same format rebuilds x (regular grad through CSMGrad).
    check_op([f](const std::vector<Var>& v) {
      auto p = sparse::csm_properties(v[0]);
      return sparse::csm(f, p[0], p[1], p[2], p[3]);
    }, {x}, [&](const std::vector<Value>&) -> Value { return sk::from_dense(dense_reference(x), f); }, s);
  }
}

TEST(SparseOps, CsmFromArraysWithGradientWrtData) {
  // data is the differentiated input; the structure is constant.
  for (SparseFormat f : kFormats) {
    SCOPED_TRACE(format_name(f));
    NDArray idx = NDArray::from_vector<int32_t>({2, 0, 4, 1, 1}, {5});  // unsorted slice 0, duplicate in slice 2
    NDArray ptr = NDArray::from_vector<int32_t>({0, 2, 3, 5}, {4});
    const int64_t outer = 3, inner = 5;
    NDArray shp = f == SparseFormat::CSR ? NDArray::from_vector<int64_t>({outer, inner}, {2})
                                         : NDArray::from_vector<int64_t>({inner, outer}, {2});
    NDArray data = NDArray::from_vector<double>({1.5, -2, 3, 0.5, 0.25}, {5});
    auto ref = [&](const std::vector<Value>& v) -> Value {
      SparseMatrix m(f, shp.data<int64_t>()[0], shp.data<int64_t>()[1], std::get<NDArray>(v[0]), idx, ptr);
      return sk::from_dense(dense_reference(m), f);
    };
    check_op([&](const std::vector<Var>& v) { return sparse::csm(f, v[0], constant(idx), constant(ptr), constant(shp)); },
             {data}, ref);
  }
}

TEST(SparseOps, ReferenceLayoutExamples) {
  // theano-sparse-reference: data [7,8,9], indices [0,1,2], indptr [0,2,3,3], shape (3,3).
  Var data = constant(NDArray::from_vector<int64_t>({7, 8, 9}, {3}));
  Var indices = constant(NDArray::from_vector<int32_t>({0, 1, 2}, {3}));
  Var indptr = constant(NDArray::from_vector<int32_t>({0, 2, 3, 3}, {4}));
  Var shape = constant(NDArray::from_vector<int64_t>({3, 3}, {2}));
  auto dense = [](const Var& m) { return std::get<NDArray>(eval(sparse::dense_from_sparse(m))); };
  EXPECT_TRUE(allclose(dense(sparse::CSC(data, indices, indptr, shape)),
                       NDArray::from_vector<int64_t>({7, 0, 0, 8, 0, 0, 0, 9, 0}, {3, 3})));
  EXPECT_TRUE(allclose(dense(sparse::CSR(data, indices, indptr, shape)),
                       NDArray::from_vector<int64_t>({7, 8, 0, 0, 0, 9, 0, 0, 0}, {3, 3})));
}

TEST(SparseOps, TutorialCsmPropertiesToCsrIsTheTranspose) {
  Var x = sparse::csc_matrix("x", DType::Int64);
  auto p = sparse::csm_properties(x);
  Var y = sparse::CSR(p[0], p[1], p[2], p[3]);
  auto f = function({x}, {y});
  SparseMatrix a = SparseMatrix::from_dense(NDArray::from_vector<int64_t>({0, 1, 1, 0, 0, 0, 1, 0, 0}, {3, 3}), SparseFormat::CSC);
  SparseMatrix out = std::get<SparseMatrix>((*f)({a})[0]);
  EXPECT_EQ(out.format(), SparseFormat::CSR);
  EXPECT_TRUE(allclose(out.to_dense(), NDArray::from_vector<int64_t>({0, 0, 1, 1, 0, 0, 1, 0, 0}, {3, 3})));
  // The property outputs: data keeps the dtype, indices/indptr int32, shape int64.
  auto g = function({x}, {p[0], p[1], p[2], p[3]});
  auto r = (*g)({a});
  EXPECT_EQ(std::get<NDArray>(r[0]).dtype(), DType::Int64);
  EXPECT_TRUE(allclose(std::get<NDArray>(r[1]), NDArray::from_vector<int32_t>({2, 0, 0}, {3})));
  EXPECT_TRUE(allclose(std::get<NDArray>(r[2]), NDArray::from_vector<int32_t>({0, 1, 2, 3}, {4})));
  EXPECT_TRUE(allclose(std::get<NDArray>(r[3]), NDArray::from_vector<int64_t>({3, 3}, {2})));
}

TEST(SparseOps, SquareDiagonalAndDiag) {
  for (DType d : {DType::Float32, DType::Float64}) {
    NDArray v = NDArray::from_vector<double>({1.5, 0, -2, 3}, {4}).astype(d);
    check_op([](const std::vector<Var>& x) { return sparse::square_diagonal(x[0]); }, {v},
             [&](const std::vector<Value>&) -> Value {
               NDArray m = NDArray::zeros(d, {4, 4});
               for (int i = 0; i < 4; ++i) m.index(0, i).index(0, i).assign(v.index(0, i));
               SparseMatrix s = sk::from_dense(m, SparseFormat::CSC);
               return s;
             });
    std::mt19937_64 rng(9);
    for (SparseFormat f : kFormats) {
      RandomSparseOptions o;
      o.unsorted_indices = true;
      o.p = 0.8;
      SparseMatrix x = random_sparse(f, 4, 4, d, rng, o);
      check_op([](const std::vector<Var>& a) { return sparse::diag(a[0]); }, {x}, [&](const std::vector<Value>&) -> Value {
        NDArray dn = dense_reference(x), out(d, {4});
        for (int i = 0; i < 4; ++i) out.index(0, i).assign(dn.index(0, i).index(0, i));
        return out;
      });
    }
  }
  ErrorKind k;
  Var x = sparse::csr_matrix("x");
  auto f = function({x}, {sparse::diag(x)});
  std::string msg = error_of([&] { (*f)({SparseMatrix::zeros(SparseFormat::CSR, 3, 5, DType::Float64)}); }, &k);
  EXPECT_EQ(msg.rfind("[Diag]", 0), 0u) << msg;
  EXPECT_EQ(k, ErrorKind::Value);
}

TEST(SparseOps, ShapeOfSparseVariables) {
  for (SparseFormat f : kFormats) {
    Var x = sparse::matrix(f, "x");
    SparseMatrix v = SparseMatrix::zeros(f, 3, 5, DType::Float64);
    auto fn = function({x}, {shape(x), shape_i(x, 0), shape_i(x, 1), shape(sparse::transpose(x))});
    auto r = (*fn)({v});
    EXPECT_TRUE(allclose(std::get<NDArray>(r[0]), NDArray::from_vector<int64_t>({3, 5}, {2})));
    EXPECT_EQ(std::get<NDArray>(r[1]).item<int64_t>(), 3);
    EXPECT_EQ(std::get<NDArray>(r[2]).item<int64_t>(), 5);
    EXPECT_TRUE(allclose(std::get<NDArray>(r[3]), NDArray::from_vector<int64_t>({5, 3}, {2})));
  }
}

TEST(SparseOps, TypeErrorsNameTheOp) {
  Var s = sparse::csr_matrix("s"), d = matrix(DType::Float64, "d"), v = vector(DType::Float64, "v");
  ErrorKind k = ErrorKind::Runtime;
  auto starts = [&](const std::function<void()>& f, const std::string& prefix, ErrorKind want) {
    std::string m = error_of(f, &k);
    EXPECT_EQ(m.rfind(prefix, 0), 0u) << prefix << ": " << m;
    EXPECT_EQ(k, want) << m;
  };
  starts([&] { sparse::dense_from_sparse(d); }, "[DenseFromSparse]", ErrorKind::Type);
  starts([&] { sparse::csr_from_dense(s); }, "[SparseFromDense]", ErrorKind::Type);
  // (a vector is accepted: a 1 x n matrix, as scipy; see test_sparse_shape)
  starts([&] { sparse::csr_from_dense(tensor(DType::Float64, {false, false, false})); }, "[SparseFromDense]",
         ErrorKind::Type);
  starts([&] { sparse::transpose(d); }, "[Transpose]", ErrorKind::Type);
  starts([&] { sparse::neg(sparse::csr_matrix("b", DType::Bool)); }, "[Neg]", ErrorKind::Type);
  starts([&] { sparse::cast(d, DType::Float32); }, "[Cast]", ErrorKind::Type);
  starts([&] { sparse::csr_matrix("h", DType::Float16); }, "[SparseType]", ErrorKind::Type);
  starts([&] { sparse::CSR(d, v, v, v); }, "[CSM]", ErrorKind::Type);
  starts([&] { sparse::CSR(v, v, v, v); }, "[CSM]", ErrorKind::Type);
  starts([&] { sparse::square_diagonal(d); }, "[SquareDiagonal]", ErrorKind::Type);
  starts([&] { sparse::diag(d); }, "[Diag]", ErrorKind::Type);
  starts([&] { sparse::csm_properties(d); }, "[CSMProperties]", ErrorKind::Type);
  // dense ops without a sparse meaning, given a sparse input, point to the sparse module
  std::string m = error_of([&] { exp(s); }, &k);
  EXPECT_NE(m.find("hypatia.sparse"), std::string::npos) << m;
  EXPECT_EQ(k, ErrorKind::Type);
}

// The tensor builders hand a sparse operand to the sparse family (SparseType::apply_operator),
// in either operand position, with Theano's _sparse_py_operators meanings.
TEST(SparseOps, TensorBuildersDispatchSparseOperands) {
  Var s = sparse::csr_matrix("s"), d = matrix(DType::Float64, "d");
  auto op_of = [](const Var& v) { return v.owner()->op()->name(); };
  EXPECT_EQ(op_of(add(s, d)), "AddSD");
  EXPECT_EQ(op_of(d + s), "AddSD");
  EXPECT_EQ(op_of(s * s), "MulSS");
  EXPECT_EQ(op_of(dot(s, d)), "StructuredDot");   // theano.dot: structured
  EXPECT_EQ(op_of(matmul(d, s)), op_of(sparse::dot(d, s)));  // x @ y: the regular sparse Dot
  EXPECT_EQ(op_of(sum(s, std::vector<int>{1})), "SpSum");
  EXPECT_EQ(sparse_type(transpose(s))->format(), SparseFormat::CSC);
  EXPECT_EQ(sparse_type(neg(s))->format(), SparseFormat::CSR);
  EXPECT_EQ(sparse_type(cast(s, DType::Float32))->elem(), DType::Float32);
  // mean = sp_sum / count (dense), and sparse / number stays sparse, keeping float32
  Var f = sparse::csr_matrix("f", DType::Float32);
  EXPECT_EQ(mean(s).type()->kind(), TypeKind::Tensor);
  EXPECT_EQ(sparse_type(f / 2)->elem(), DType::Float32);
  EXPECT_EQ(sparse_type(f / 3.0)->elem(), DType::Float64);  // 1/3 is not exact in float32
  const std::vector<std::pair<std::function<void()>, std::string>> refusals = {
      {[&] { true_div(d, s); }, "[truediv]"}, {[&] { pow(s, d); }, "[pow]"}};
  for (const auto& [f2, prefix] : refusals) EXPECT_EQ(error_of(f2, nullptr).rfind(prefix, 0), 0u) << prefix;
  EXPECT_FALSE(dispatch_operator(Operator::Add, {d, d}));  // dense operands: nobody takes it
}

TEST(SparseOps, MalformedArraysRaiseValueErrorsNamingCsm) {
  Var data = vector(DType::Float64, "data"), idx = vector(DType::Int32, "idx"), ptr = vector(DType::Int32, "ptr"),
      shp = vector(DType::Int64, "shp");
  auto f = function({data, idx, ptr, shp}, {sparse::CSR(data, idx, ptr, shp)});
  auto d = [](std::vector<double> x) { return NDArray::from_vector<double>(x, {(int64_t)x.size()}); };
  auto i = [](std::vector<int32_t> x) { return NDArray::from_vector<int32_t>(x, {(int64_t)x.size()}); };
  NDArray s23 = NDArray::from_vector<int64_t>({2, 3}, {2});
  struct Bad {
    std::vector<Value> args;
    const char* needle;
  } bads[] = {
      {{d({1, 2}), i({0, 1}), i({0, 2}), s23}, "indptr has length 2"},              // short indptr
      {{d({1, 2}), i({0, 1}), i({0, 2, 1}), s23}, "non-decreasing"},                // non-monotone
      {{d({1, 2}), i({0, 7}), i({0, 1, 2}), s23}, "out of range"},                  // index >= cols
      {{d({1, 2}), i({0, -1}), i({0, 1, 2}), s23}, "out of range"},                 // negative index
      {{d({1}), i({0, 1}), i({0, 1, 2}), s23}, "data has 1"},                       // length mismatch
      {{d({1, 2}), i({0, 1}), i({1, 1, 2}), s23}, "indptr[0] must be 0"},
      {{d({1, 2}), i({0, 1}), i({0, 1, 2}), NDArray::from_vector<int64_t>({2}, {1})}, "shape must have 2"},
  };
  for (const Bad& b : bads) {
    ErrorKind k = ErrorKind::Runtime;
    std::string m = error_of([&] { (*f)(b.args); }, &k);
    EXPECT_EQ(m.rfind("[CSM]", 0), 0u) << m;
    EXPECT_NE(m.find(b.needle), std::string::npos) << m;
    EXPECT_EQ(k, ErrorKind::Value) << m;
  }
}

TEST(SparseOps, OpsCompareByParams) {
  EXPECT_TRUE(DenseFromSparse(DenseFromSparseParams{true}).equals(DenseFromSparse(DenseFromSparseParams{true})));
  EXPECT_FALSE(DenseFromSparse(DenseFromSparseParams{true}).equals(DenseFromSparse(DenseFromSparseParams{false})));
  EXPECT_FALSE(SparseFromDense(SparseFormatParams{SparseFormat::CSR}).equals(SparseFromDense(SparseFormatParams{SparseFormat::CSC})));
  EXPECT_EQ(SparseFromDense(SparseFormatParams{SparseFormat::CSC}).str(), "SparseFromDense{csc}");
}

TEST(SparseOps, VarTransposeMethodSwapsTheFormat) {
  Var x = sparse::csr_matrix("x");
  EXPECT_EQ(sparse_type(transpose(x))->format(), SparseFormat::CSC);
  EXPECT_EQ(tensor_type(transpose(matrix(DType::Float64)))->ndim(), 2);
}

TEST(SparseOps, SampleDenseGradientOnlyReachesThePattern) {
  std::mt19937_64 rng(4);
  for (SparseFormat f : kFormats) {
    SparseMatrix p = random_sparse(f, 3, 5, DType::Float64, rng);
    NDArray d = dense_reference(random_sparse(f, 3, 5, DType::Float64, rng, RandomSparseOptions{1.0}));
    CheckOpOptions o;
    o.grad_inputs = {1};
    check_op([](const std::vector<Var>& v) { return sparse::sample_dense(v[0], v[1]); }, {p, d},
             [&](const std::vector<Value>&) -> Value { return sk::with_data(p, sk::gather_dense(p, d)); }, o);
  }
}
