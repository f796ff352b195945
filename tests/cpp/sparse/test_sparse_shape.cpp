// Shapes of sparse graphs: every sparse op's shape rule (x.shape compiles to a graph without the
// op), csr_from_dense of a vector, specify_shape on sparse variables, and the round-trip
// rewrites local_dense_from_sparse_of_sparse_from_dense and local_csm_properties_csm.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "hypatia/grad/grad.h"
#include "hypatia/compile/verify_grad.h"
#include "hypatia/compile/function.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/value/sparse_view.h"
#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/math.h"
#include "hypatia/sparse/ops/dot.h"
#include "hypatia/sparse/products.h"
#include "hypatia/sparse/select.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/random.h"
#include "hypatia/tensor/reduce.h"
#include "hypatia/tensor/shape.h"
#include "hypatia/tensor/indexing.h"
#include "support/check_op.h"
#include "support/sparse_random.h"

using namespace hypatia;
using namespace hypatia::testing;
namespace sk = hypatia::sparse_kernels;

namespace {

// ---- values ----
std::mt19937_64& rng() {
  static std::mt19937_64 r(2024);
  return r;
}
SparseMatrix sp(SparseFormat f, int64_t r, int64_t c, double p = 0.5) {
  RandomSparseOptions o;
  o.p = p;
  return random_sparse(f, r, c, DType::Float64, rng(), o);
}
NDArray dense(int64_t r, int64_t c) { return dense_reference(sp(SparseFormat::CSR, r, c, 0.7)); }
NDArray vec(int64_t n, double base = 0.5) {
  std::vector<double> v;
  for (int64_t i = 0; i < n; ++i) v.push_back(base + 0.25 * static_cast<double>(i));
  return NDArray::from_vector(v, {n});
}
NDArray ivec(const std::vector<int64_t>& v) { return NDArray::from_vector(v, {static_cast<int64_t>(v.size())}); }
NDArray i64(int64_t v) { return NDArray::scalar<int64_t>(v); }

Var typed_like(const Value& v, const std::string& name) {
  if (const auto* s = std::get_if<SparseMatrix>(&v)) return make_variable(SparseType::make(s->format(), s->dtype()), name);
  const NDArray& a = std::get<NDArray>(v);
  return tensor(a.dtype(), std::vector<bool>(a.ndim(), false), name);
}

// The names of the ops a compiled function runs.
std::set<std::string> ops_run(const Function& f) {
  std::set<std::string> r;
  for (const Apply* node : f.fgraph().toposort()) r.insert(node->op()->name());
  return r;
}

/// One row of the shape table: the op's inputs (non-square where the op allows) and a builder
/// returning the op's outputs.
struct ShapeRow {
  std::string what;
  std::vector<Value> inputs;
  std::function<std::vector<Var>(const std::vector<Var>&)> build;
};

std::vector<Var> just(Var v) { return {std::move(v)}; }
std::vector<Var> pair_out(const RandomPair& p) { return {p.first, p.second}; }

std::vector<ShapeRow> shape_table() {
  using F = SparseFormat;
  const SparseMatrix x = sp(F::CSR, 3, 5), y = sp(F::CSR, 3, 5), xc = sp(F::CSC, 3, 5);
  const SparseMatrix x54 = sp(F::CSR, 5, 4), sq = sp(F::CSR, 4, 4, 0.6);
  const SparseMatrix x2 = sk::with_data(x, x.data().copy());  // x's pattern, for AddSSData
  const NDArray d35 = dense(3, 5), d54 = dense(5, 4), d34 = dense(3, 4);
  const SparseMatrix xs = sk::from_dense(d35, F::CSR);
  auto arrays = [](const SparseMatrix& m) {
    return std::vector<Value>{m.data().copy(), m.indices().astype(DType::Int32), m.indptr().astype(DType::Int32),
                              ivec({m.rows(), m.cols()})};
  };
  std::vector<Value> csm_grad_in = arrays(x);
  for (const Value& v : arrays(y)) csm_grad_in.push_back(v);
  std::vector<ShapeRow> t;
  auto add = [&](std::string what, std::vector<Value> in, std::function<std::vector<Var>(const std::vector<Var>&)> b) {
    t.push_back({std::move(what), std::move(in), std::move(b)});
  };
  // convert
  add("DenseFromSparse", {x}, [](auto v) { return just(sparse::dense_from_sparse(v[0])); });
  add("SparseFromDense csc", {d35}, [](auto v) { return just(sparse::csc_from_dense(v[0])); });
  add("SparseFromDense of a vector", {vec(5)}, [](auto v) { return just(sparse::csr_from_dense(v[0])); });
  add("AsFormat", {x}, [](auto v) { return just(sparse::as_format(v[0], F::CSC)); });
  add("SampleDense", {x, d35}, [](auto v) { return just(sparse::sample_dense(v[0], v[1])); });
  // csm
  add("CSM with a shape input", arrays(x), [](auto v) { return just(sparse::csm(F::CSR, v[0], v[1], v[2], v[3])); });
  add("CSM csc", arrays(xc), [](auto v) { return just(sparse::csm(F::CSC, v[0], v[1], v[2], v[3])); });
  add("CSMProperties csr", {x}, [](auto v) { return sparse::csm_properties(v[0]); });
  add("CSMProperties csc", {xc}, [](auto v) { return sparse::csm_properties(v[0]); });
  add("CSMGrad", csm_grad_in, [](auto v) { return just(sparse::csm_grad(v)); });
  add("SparseNnz", {x}, [](auto v) { return just(sparse::nnz(v[0])); });
  // unary, diag
  add("Cast", {x}, [](auto v) { return just(sparse::cast(v[0], DType::Float32)); });
  add("Transpose", {x}, [](auto v) { return just(sparse::transpose(v[0])); });
  add("Neg", {x}, [](auto v) { return just(sparse::neg(v[0])); });
  add("Remove0", {x}, [](auto v) { return just(sparse::remove0(v[0])); });
  add("EnsureSortedIndices", {xc}, [](auto v) { return just(sparse::ensure_sorted_indices(v[0])); });
  add("SquareDiagonal", {vec(4)}, [](auto v) { return just(sparse::square_diagonal(v[0])); });
  add("Diag", {sq}, [](auto v) { return just(sparse::diag(v[0])); });
  // arithmetic, comparisons, sums
  add("AddSS", {x, y}, [](auto v) { return just(sparse::add_s_s(v[0], v[1])); });
  add("AddSSData", {x, x2}, [](auto v) { return just(sparse::add_s_s_data(v[0], v[1])); });
  add("AddSD", {x, d35}, [](auto v) { return just(sparse::add_s_d(v[0], v[1])); });
  add("StructuredAddSV", {x, vec(5)}, [](auto v) { return just(sparse::structured_add_s_v(v[0], v[1])); });
  add("MulSS", {x, y}, [](auto v) { return just(sparse::mul_s_s(v[0], v[1])); });
  add("MulSD", {x, d35}, [](auto v) { return just(sparse::mul_s_d(v[0], v[1])); });
  add("MulSV", {x, vec(5)}, [](auto v) { return just(sparse::mul_s_v(v[0], v[1])); });
  add("ColScale", {x, vec(5)}, [](auto v) { return just(sparse::col_scale(v[0], v[1])); });
  add("RowScale", {x, vec(3)}, [](auto v) { return just(sparse::row_scale(v[0], v[1])); });
  add("CompareSS", {x, y}, [](auto v) { return just(sparse::lt(v[0], v[1])); });
  add("CompareSD", {x, d35}, [](auto v) { return just(sparse::lt(v[0], v[1])); });
  add("SpSum axis 0", {x}, [](auto v) { return just(sparse::sp_sum(v[0], 0)); });
  add("SpSum axis 1", {x}, [](auto v) { return just(sparse::sp_sum(v[0], 1)); });
  // products
  add("StructuredDot", {x, d54}, [](auto v) { return just(sparse::structured_dot(v[0], v[1])); });
  // The op itself takes (a_indices, a_indptr, b, g_ab); structured_dot_grad wraps its data in a CSM.
  auto sdg = [](SparseFormat f) {
    return [f](auto v) {
      std::vector<Var> p = sparse::csm_properties(v[0]);
      return just(apply1(*std::make_shared<StructuredDotGrad>(StructuredDotGradParams{f}), {p[1], p[2], v[1], v[2]}));
    };
  };
  add("StructuredDotGrad", {x, d54, d34}, sdg(SparseFormat::CSR));
  add("StructuredDotGrad csc", {xc, d54, d34}, sdg(SparseFormat::CSC));
  add("structured_dot_grad", {x, d54, d34}, [](auto v) { return just(sparse::structured_dot_grad(v[0], v[1], v[2])); });
  add("Dot", {x, d54}, [](auto v) { return just(sparse::dot(v[0], v[1])); });
  add("TrueDot", {x, x54}, [](auto v) { return just(sparse::true_dot(v[0], v[1])); });
  add("SamplingDot", {dense(3, 2), dense(5, 2), x}, [](auto v) { return just(sparse::sampling_dot(v[0], v[1], v[2])); });
  add("SampleSparse", {x, d35}, [](auto v) { return just(sparse::sample_sparse(v[0], v[1], true)); });
  add("Usmm", {NDArray::scalar<double>(2.0), x, d54, d34},
      [](auto v) { return just(sparse::usmm(v[0], v[1], v[2], v[3])); });
  add("UsmmCscDense", {NDArray::scalar<double>(2.0), xc, d54, d34},
      [](auto v) { return just(sparse::usmm_csc_dense(v[0], v[1], v[2], v[3], false)); });
  // selection, stacking, construction
  add("GetItem2d", {x}, [](auto v) {
    return just(sparse::get_item_2d(v[0], {IndexEntry::slice(1, 3), IndexEntry::slice(0, 5, 2)}));
  });
  add("GetItemScalar", {x, i64(1), i64(2)}, [](auto v) { return just(sparse::get_item_scalar(v[0], v[1], v[2])); });
  add("GetItemList", {x, ivec({2, 0, 2, 1})}, [](auto v) { return just(sparse::get_item_list(v[0], v[1])); });
  add("GetItemListGrad", {x, ivec({2, 0}), sp(F::CSR, 2, 5)},
      [](auto v) { return just(sparse::get_item_list_grad(v[0], v[1], v[2])); });
  add("GetItem2Lists", {x, ivec({0, 2}), ivec({4, 1})}, [](auto v) { return just(sparse::get_item_2lists(v[0], v[1], v[2])); });
  add("GetItem2ListsGrad", {x, ivec({0, 2}), ivec({4, 1}), vec(2)},
      [](auto v) { return just(sparse::get_item_2lists_grad(v[0], v[1], v[2], v[3])); });
  add("HStack", {x, sp(F::CSC, 3, 4)}, [](auto v) { return just(sparse::hstack({v[0], v[1]})); });
  add("VStack", {x, sp(F::CSR, 2, 5)}, [](auto v) { return just(sparse::vstack({v[0], v[1]})); });
  add("ConstructSparseFromList", {dense(6, 5), dense(2, 5), ivec({4, 1})},
      [](auto v) { return just(sparse::construct_sparse_from_list(v[0], v[1], v[2])); });
  // random (the state is a shared variable; the sample's shape is checked)
  add("Poisson", {xs}, [](auto v) { return pair_out(sparse::random_poisson(shared_random_state(3), v[0])); });
  add("Binomial", {ivec({3, 5})}, [](auto v) {
    return pair_out(sparse::random_binomial(shared_random_state(4), F::CSR, DType::Float64, constant_int(2), constant(0.5), v[0]));
  });
  const NDArray probs = NDArray::from_vector(std::vector<double>{0.5, 0, 0.5, 0, 0, 0, 0.25, 0, 0.75, 0, 0.2, 0.2, 0.2, 0.2, 0.2},
                                             {3, 5});
  add("Multinomial", {sk::from_dense(probs, F::CSR)}, [](auto v) {
    return pair_out(sparse::random_multinomial(shared_random_state(5), constant_int(4), v[0]));
  });
  return t;
}

// Every op class of src/hypatia/sparse/ops (by Op::name(); the comparisons share one class
// per operand kind): the table must reach them all.
const std::set<std::string> kAllSparseOps = {
    "DenseFromSparse", "SparseFromDense", "AsFormat", "SampleDense", "CSM", "CSMProperties", "CSMGrad", "SparseNnz",
    "Cast", "Transpose", "Neg", "Remove0", "EnsureSortedIndices", "SquareDiagonal", "Diag", "AddSS", "AddSSData",
    "AddSD", "StructuredAddSV", "MulSS", "MulSD", "MulSV", "ColScaleCSC", "RowScaleCSC", "LessThanSS", "LessThanSD",
    "SpSum", "StructuredDot", "StructuredDotGradCSR", "StructuredDotGradCSC", "Dot", "TrueDot", "SamplingDot", "SampleSparse", "Usmm",
    "UsmmCscDense", "GetItem2d", "GetItemScalar", "GetItemList", "GetItemListGrad", "GetItem2Lists",
    "GetItem2ListsGrad", "HStack", "VStack", "ConstructSparseFromList", "Poisson", "Binomial", "Multinomial"};

bool has_shape(const Var& v) { return v.type()->kind() == TypeKind::Tensor || v.type()->kind() == TypeKind::Sparse; }

}  // namespace

TEST(SparseShape, EveryOpHasAShapeRuleThatDoesNotRunIt) {
  std::set<std::string> seen;
  for (const ShapeRow& row : shape_table()) {
    SCOPED_TRACE(row.what);
    std::vector<Var> vars;
    for (size_t i = 0; i < row.inputs.size(); ++i) vars.push_back(typed_like(row.inputs[i], "in" + std::to_string(i)));
    std::vector<Var> outs = row.build(vars);
    ASSERT_FALSE(outs.empty());
    Apply* node = outs.back().owner();
    ASSERT_NE(node, nullptr);
    const std::string op = node->op()->name();
    seen.insert(op);
    std::vector<In> ins(vars.begin(), vars.end());
    FunctionOptions none;
    none.mode = Mode::None;
    none.on_unused_input = OnUnusedInput::Ignore;
    FunctionOptions fast;
    fast.on_unused_input = OnUnusedInput::Ignore;
    fast.no_default_updates = true;
    none.no_default_updates = true;
    for (size_t k = 0; k < outs.size(); ++k) {
      if (!has_shape(outs[k])) continue;
      SCOPED_TRACE(str_cat(op, " output ", k));
      Shape real = value_shape((*function(ins, {outs[k]}, none))(row.inputs)[0]);
      auto f = function(ins, {shape(outs[k])}, fast);
      EXPECT_EQ(ops_run(*f).count(op), 0u) << op << " runs to compute its output's shape";
      NDArray got = std::get<NDArray>((*f)(row.inputs)[0]);
      ASSERT_EQ(got.size(), static_cast<int64_t>(real.size()));
      for (size_t d = 0; d < real.size(); ++d) EXPECT_EQ(got.data<int64_t>()[d], real[d]) << "axis " << d;
      // The op's own rule, evaluated without rewrites, agrees too.
      std::vector<ShapeVec> in_shapes;
      for (const Var& i : node->inputs()) {
        ShapeVec s;
        if (has_shape(i))
          for (int d = 0; d < i.type()->ndim(); ++d) s.push_back(shape_i(i, d));
        in_shapes.push_back(s);
      }
      auto inferred = node->op()->infer_shape(*node, in_shapes);
      ASSERT_TRUE(inferred.has_value()) << op << " has no shape rule";
      const ShapeVec& s = (*inferred)[outs[k]->index];
      ASSERT_EQ(s.size(), real.size());
      for (size_t d = 0; d < real.size(); ++d) {
        NDArray v = std::get<NDArray>((*function(ins, {s[d]}, none))(row.inputs)[0]);
        EXPECT_EQ(v.item<int64_t>(), real[d]) << "infer_shape axis " << d;
      }
    }
  }
  for (const std::string& name : kAllSparseOps) EXPECT_TRUE(seen.count(name)) << name << " is missing from the table";
}

TEST(SparseShape, SizeOfASparseVariableDoesNotRunCsmProperties) {
  // x.size (Theano's csm_data(x).size) compiles to SparseNnz, not CSMProperties.
  Var x = sparse::csc_matrix("x", DType::Float64);
  auto f = function({In(x)}, {shape_i(sparse::csm_data(x), 0), shape(sparse::csm_indptr(x))});
  EXPECT_EQ(ops_run(*f).count("CSMProperties"), 0u);
  SparseMatrix v = sp(SparseFormat::CSC, 3, 5);
  std::vector<Value> r = (*f)({v});
  EXPECT_EQ(std::get<NDArray>(r[0]).item<int64_t>(), v.nnz());
  EXPECT_EQ(std::get<NDArray>(r[1]).data<int64_t>()[0], 6);  // csc: columns + 1
}

// ---------------------------------------------------------------- csr_from_dense of a vector

TEST(SparseShape, CsrFromDenseOfAVectorIsOneRow) {
  for (SparseFormat f : {SparseFormat::CSR, SparseFormat::CSC}) {
    SCOPED_TRACE(format_name(f));
    NDArray v = NDArray::from_vector(std::vector<double>{0.0, 1.5, 0.0, -2.0}, {4});
    auto build = [f](const std::vector<Var>& x) { return sparse::sparse_from_dense(x[0], f); };
    // values, format, infer_shape and the gradient back to the vector (check_op)
    check_op(build, {v}, [f](const std::vector<Value>& in) -> Value {
      return sk::from_dense(std::get<NDArray>(in[0]).reshape({1, 4}), f);
    });
    Var x = vector(DType::Float64, "x");
    Var s = sparse::sparse_from_dense(x, f);
    Value got = (*function({In(x)}, {s}))({v})[0];
    EXPECT_EQ(std::get<SparseMatrix>(got).shape(), (Shape{1, 4}));
    // d/dx sum(csr_from_dense(x) ** 2) = 2 x, as a vector
    Var cost = sum(sqr(sparse::dense_from_sparse(s)));
    Var g = grad(cost, {x})[0];
    EXPECT_EQ(g.type()->ndim(), 1);
    NDArray gv = std::get<NDArray>((*function({In(x)}, {g}))({v})[0]);
    EXPECT_TRUE(allclose(gv, NDArray::from_vector(std::vector<double>{0.0, 3.0, 0.0, -4.0}, {4}), 1e-12, 0, true));
  }
  // a 0-d tensor gives a 1 x 1 matrix (Theano's dimshuffle('x', 'x'))
  Var a = scalar(DType::Float64, "a");
  Value one = (*function({In(a)}, {sparse::csr_from_dense(a)}))({NDArray::scalar<double>(3.0)})[0];
  EXPECT_EQ(std::get<SparseMatrix>(one).shape(), (Shape{1, 1}));
  // 3-d still raises TypeError naming the op
  ErrorKind k{};
  std::string m = error_of([] { sparse::csr_from_dense(tensor(DType::Float64, {false, false, false})); }, &k);
  EXPECT_EQ(k, ErrorKind::Type);
  EXPECT_EQ(m.rfind("[SparseFromDense]", 0), 0u) << m;
}

// ---------------------------------------------------------------- specify_shape

TEST(SparseShape, SpecifyShapeOnSparseVariables) {
  for (SparseFormat f : {SparseFormat::CSR, SparseFormat::CSC}) {
    SCOPED_TRACE(format_name(f));
    Var x = sparse::matrix(f, "x", DType::Float64);
    Var r = scalar(DType::Int64, "r"), c = scalar(DType::Int64, "c");
    Var y = specify_shape(x, {r, c});
    EXPECT_TRUE(same_type(y.type(), x.type())) << y.type()->str();
    SparseMatrix v = sp(f, 3, 5);
    auto fn = function({In(x), In(r), In(c)}, {y});
    Value got = (*fn)({v, i64(3), i64(5)})[0];
    EXPECT_TRUE(allclose(dense_reference(std::get<SparseMatrix>(got)), dense_reference(v), 0, 0, true));
    ErrorKind k{};
    std::string m = error_of([&] { (*fn)({v, i64(5), i64(3)}); }, &k);
    EXPECT_EQ(k, ErrorKind::Value);
    EXPECT_EQ(m.rfind("[SpecifyShape]", 0), 0u) << m;
    // infer_shape gives the specified shape: y.shape is (r, c) without reading x
    auto sh = function({In(x), In(r), In(c)}, {shape(y)});
    EXPECT_EQ(ops_run(*sh).count("SpecifyShape"), 0u);
    NDArray s = std::get<NDArray>((*sh)({v, i64(7), i64(9)})[0]);
    EXPECT_EQ(s.data<int64_t>()[0], 7);
    EXPECT_EQ(s.data<int64_t>()[1], 9);
    // the gradient passes through (structured, as without specify_shape)
    Var z = sparse::matrix(f, "z", DType::Float64);
    Var cost = sum(sqr(sparse::dense_from_sparse(specify_shape(z, {constant_int(3), constant_int(5)}))));
    Var g = grad(cost, {z})[0];
    EXPECT_TRUE(sparse_type(g) != nullptr);
    Var ref = grad(sum(sqr(sparse::dense_from_sparse(z))), {z})[0];
    std::vector<Value> both = (*function({In(z)}, {g, ref}))({v});
    EXPECT_TRUE(allclose(dense_of(both[0]), dense_of(both[1]), 1e-12, 0, true));
    VerifyGradOptions vo;
    vo.structured = true;
    verify_grad([&](const std::vector<Var>& in) {
      return sparse::dense_from_sparse(specify_shape(in[0], {constant_int(3), constant_int(5)}));
    }, {v}, vo);
  }
}

// ---------------------------------------------------------------- round-trip rewrites

TEST(SparseShape, DenseFromSparseOfSparseFromDenseIsRemoved) {
  for (SparseFormat f : {SparseFormat::CSR, SparseFormat::CSC}) {
    SCOPED_TRACE(format_name(f));
    Var m = matrix(DType::Float32, "m");
    Var out = sparse::dense_from_sparse(sparse::sparse_from_dense(m, f));
    auto fast = function({In(m)}, {out});
    FunctionOptions none;
    none.mode = Mode::None;
    auto raw = function({In(m)}, {out}, none);
    EXPECT_EQ(ops_run(*fast).count("SparseFromDense"), 0u);
    EXPECT_EQ(ops_run(*fast).count("DenseFromSparse"), 0u);
    EXPECT_EQ(ops_run(*raw).count("SparseFromDense"), 1u);
    NDArray v = dense(3, 5).astype(DType::Float32);
    NDArray a = std::get<NDArray>((*fast)({v})[0]), b = std::get<NDArray>((*raw)({v})[0]);
    EXPECT_EQ(a.dtype(), DType::Float32);
    EXPECT_EQ(a.shape(), (Shape{3, 5}));
    EXPECT_TRUE(allclose(a, b, 0, 0, true));
    EXPECT_TRUE(allclose(a, v, 0, 0, true));
    // A vector goes through its 1 x n matrix: the result stays 1 x n.
    Var x = vector(DType::Float64, "x");
    Var ov = sparse::dense_from_sparse(sparse::sparse_from_dense(x, f));
    auto fv = function({In(x)}, {ov});
    EXPECT_EQ(ops_run(*fv).count("SparseFromDense"), 0u);
    EXPECT_TRUE(same_type(fv->fgraph().outputs()[0].type(), ov.type()));
    NDArray r = std::get<NDArray>((*fv)({vec(4)})[0]);
    EXPECT_EQ(r.shape(), (Shape{1, 4}));
    EXPECT_TRUE(allclose(r, vec(4).reshape({1, 4}), 0, 0, true));
    // the gradient still flows (structured DenseFromSparse: only non-zeros get it, as before)
    Var gx = grad(sum(ov), {x})[0];
    NDArray g1 = std::get<NDArray>((*function({In(x)}, {gx}))({vec(4)})[0]);
    EXPECT_TRUE(allclose(g1, NDArray::full(DType::Float64, {4}, 1.0), 0, 0, true));
  }
}

TEST(SparseShape, CsmPropertiesOfCsmIsItsInputsWhenCanonical) {
  for (SparseFormat f : {SparseFormat::CSR, SparseFormat::CSC}) {
    SCOPED_TRACE(format_name(f));
    Var x = sparse::matrix(f, "x", DType::Float64);
    // Chained structured functions: CSM(f(csm_data(CSM(g(csm_data(x)), ...))), ...)
    Var y = sparse::structured_exp(sparse::structured_sigmoid(x));
    std::vector<Var> props = sparse::csm_properties(y);
    std::vector<Out> outs = {y, props[0], props[1], props[2], props[3]};
    auto fast = function({In(x)}, outs);
    FunctionOptions none;
    none.mode = Mode::None;
    auto raw = function({In(x)}, outs, none);
    int csm_fast = 0, csm_raw = 0;
    for (const Apply* n : fast->fgraph().toposort()) csm_fast += n->op()->name() == "CSM";
    for (const Apply* n : raw->fgraph().toposort()) csm_raw += n->op()->name() == "CSM";
    EXPECT_EQ(csm_raw, 2);
    EXPECT_EQ(csm_fast, 1) << "the inner CSM is read back through local_csm_properties_csm";
    for (const char* what : {"sorted", "unsorted", "explicit zero", "all zero"}) {
      SCOPED_TRACE(what);
      RandomSparseOptions o;
      o.unsorted_indices = std::string(what) == "unsorted";
      o.explicit_zero = std::string(what) == "explicit zero";
      o.p = std::string(what) == "all zero" ? 0.0 : 0.6;
      SparseMatrix v = random_sparse(f, 3, 5, DType::Float64, rng(), o);
      std::vector<Value> a = (*fast)({v});
      std::vector<Value> b = (*raw)({v});
      EXPECT_TRUE(allclose(dense_of(a[0]), dense_of(b[0]), 0, 0, true));
      for (int i = 1; i < 5; ++i) {
        const NDArray& p = std::get<NDArray>(a[i]);
        const NDArray& q = std::get<NDArray>(b[i]);
        EXPECT_EQ(p.dtype(), q.dtype()) << "output " << i;
        EXPECT_EQ(p.shape(), q.shape()) << "output " << i;
        EXPECT_TRUE(allclose(p, q, 0, 0, true)) << "output " << i;
      }
    }
  }
}

TEST(SparseShape, CsmPropertiesOfCsmFromUserArraysKeepsTheValidation) {
  // Arrays the graph cannot vouch for: CSM must still run and raise its own error.
  Var data = vector(DType::Float64, "data");
  Var ind = vector(DType::Int32, "ind"), ptr = vector(DType::Int32, "ptr"), shp = vector(DType::Int64, "shp");
  std::vector<Var> p = sparse::csm_properties(sparse::CSR(data, ind, ptr, shp));
  auto f = function({In(data), In(ind), In(ptr), In(shp)}, {p[0], p[1]});
  EXPECT_EQ(ops_run(*f).count("CSM"), 1u);
  ErrorKind k{};
  std::string m = error_of([&] {
    (*f)({vec(2), NDArray::from_vector(std::vector<int32_t>{0, 9}, {2}), NDArray::from_vector(std::vector<int32_t>{0, 1, 2}, {3}),
          ivec({2, 3})});
  }, &k);
  EXPECT_EQ(k, ErrorKind::Value);
  EXPECT_EQ(m.rfind("[CSM]", 0), 0u) << m;
  // A canonical structure with data of the wrong length still raises (ValueError).
  Var x = sparse::csr_matrix("x", DType::Float64);
  Var d = vector(DType::Float64, "d");
  std::vector<Var> px = sparse::csm_properties(x);
  std::vector<Var> q = sparse::csm_properties(sparse::CSR(d, px[1], px[2], px[3]));
  auto g = function({In(x), In(d)}, {q[0]});
  SparseMatrix v = sp(SparseFormat::CSR, 3, 5, 0.6);
  ASSERT_GT(v.nnz(), 1);
  NDArray ok = std::get<NDArray>((*g)({v, vec(v.nnz())})[0]);
  EXPECT_TRUE(allclose(ok, vec(v.nnz()), 0, 0, true));
  k = ErrorKind{};
  error_of([&] { (*g)({v, vec(v.nnz() + 1)}); }, &k);
  EXPECT_EQ(k, ErrorKind::Value);
}
