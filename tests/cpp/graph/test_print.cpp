// Tests of debugprint, pprint and dot_graph with stand-in ops that print as Theano's do.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "hypatia/graph/print.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {
namespace {

TypePtr fvec() { return TensorType::make(DType::Float64, {false}); }
TypePtr fmat() { return TensorType::make(DType::Float64, {false, false}); }
TypePtr fscal() { return TensorType::make(DType::Float64, {}); }

// A stand-in for Elemwise: prints "Elemwise{<scalar>,no_inplace}", output typed as input 0.
struct EwParams {
  std::string scalar;
  auto fields() const { return std::tie(scalar); }
};
class Ew final : public OpBase<Ew, EwParams> {
 public:
  using OpBase::OpBase;
  static constexpr const char* kName = "Elemwise";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  std::string str() const override { return "Elemwise{" + params_.scalar + ",no_inplace}"; }
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    return Apply::create(ptr(), in, {in.back().type()});
  }
  void perform(const Apply&, const Value* const*, Value*) const override {}
};
Var ew(const std::string& s, std::vector<Var> in) { return apply1(*std::make_shared<Ew>(EwParams{s}), in); }

// Any other op: its name, its printed form, its output type and output count are parameters.
struct GenParams {
  std::string name, str;
  int nout = 1;
  auto fields() const { return std::tie(name, str, nout); }
};
class Gen final : public OpBase<Gen, GenParams> {
 public:
  static constexpr const char* kName = "Gen";
  static constexpr int kArity = kVariadic;
  using OpBase::OpBase;
  std::string name() const override { return params_.name; }
  std::string str() const override { return params_.str; }
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    return Apply::create(ptr(), in, std::vector<TypePtr>(params_.nout, in.at(0).type()));
  }
  void perform(const Apply&, const Value* const*, Value*) const override {}
};
std::vector<Var> gen(const std::string& name, const std::string& str, std::vector<Var> in, int nout = 1) {
  return apply_op(*std::make_shared<Gen>(GenParams{name, str, nout}), in);
}

Var vec(const std::string& n) { return make_variable(fvec(), n); }
Var cst(double v) { return make_constant(fscal(), NDArray::scalar(v)); }
Var cst_int(int64_t v) { return make_constant(TensorType::make(DType::Int8, {}), NDArray::scalar<int8_t>(static_cast<int8_t>(v))); }

// ---- debugprint ----

TEST(DebugPrint, ManualExampleFormat) {
  Var x = vec("x");
  EXPECT_EQ(debugprint(ew("mul", {cst(2.0), x})),
            "Elemwise{mul,no_inplace} [id A] ''   \n"
            " |TensorConstant{2.0} [id B]\n"
            " |x [id C]\n");
}

TEST(DebugPrint, NestedPrefixesAndLastChild) {
  Var x = vec("x"), y = vec("y"), z = vec("z");
  EXPECT_EQ(debugprint(ew("mul", {z, ew("add", {x, y})})),
            "Elemwise{mul,no_inplace} [id A] ''   \n"
            " |z [id B]\n"
            " |Elemwise{add,no_inplace} [id C] ''   \n"
            "   |x [id D]\n"
            "   |y [id E]\n");
  EXPECT_EQ(debugprint(ew("mul", {ew("add", {x, y}), z})),
            "Elemwise{mul,no_inplace} [id A] ''   \n"
            " |Elemwise{add,no_inplace} [id B] ''   \n"
            " | |x [id C]\n"
            " | |y [id D]\n"
            " |z [id E]\n");
}

TEST(DebugPrint, SharedSubgraphPrintedOnceThenById) {
  Var x = vec("x"), y = vec("y");
  Var t = ew("add", {x, y});
  EXPECT_EQ(debugprint(ew("mul", {t, t})),
            "Elemwise{mul,no_inplace} [id A] ''   \n"
            " |Elemwise{add,no_inplace} [id B] ''   \n"
            " | |x [id C]\n"
            " | |y [id D]\n"
            " |Elemwise{add,no_inplace} [id B] ''   \n");
  // Ids are shared across the outputs of one call.
  EXPECT_EQ(debugprint(std::vector<Var>{t, ew("neg", {t})}),
            "Elemwise{add,no_inplace} [id A] ''   \n"
            " |x [id B]\n"
            " |y [id C]\n"
            "Elemwise{neg,no_inplace} [id D] ''   \n"
            " |Elemwise{add,no_inplace} [id A] ''   \n");
}

TEST(DebugPrint, DepthTypesAndNames) {
  Var x = vec("x"), y = vec("y");
  Var out = ew("mul", {ew("add", {x, y}), ew("exp", {x})}).named("out");
  EXPECT_EQ(debugprint(out, 2),
            "Elemwise{mul,no_inplace} [id A] 'out'   \n"
            " |Elemwise{add,no_inplace} [id B] ''   \n"
            " |Elemwise{exp,no_inplace} [id C] ''   \n");
  EXPECT_EQ(debugprint(ew("neg", {x}), -1, true),
            "Elemwise{neg,no_inplace} [id A] <TensorType(float64, vector)> ''   \n"
            " |x [id B] <TensorType(float64, vector)>\n");
  DebugPrintOptions o;
  o.ids = DebugPrintOptions::Ids::Int;
  o.stop_on_name = true;
  EXPECT_EQ(debugprint(std::vector<Var>{ew("neg", {out})}, o),
            "Elemwise{neg,no_inplace} [id 0] ''   \n"
            " |Elemwise{mul,no_inplace} [id 1] 'out'   \n");
}

TEST(DebugPrint, MultipleOutputsShareTheNodeId) {
  Var x = vec("x");
  auto outs = gen("Split", "Split{2}", {x}, 2);
  EXPECT_EQ(debugprint(std::vector<Var>{outs[1], outs[0]}),
            "Split{2}.1 [id A] ''   \n"
            " |x [id B]\n"
            "Split{2}.0 [id A] ''   \n");
}

TEST(DebugPrint, FunctionGraphShowsToposortPositions) {
  Var x = vec("x"), y = vec("y");
  FunctionGraph fg({x, y}, {ew("mul", {ew("add", {x, y}), y})});
  EXPECT_EQ(debugprint(fg),
            "Elemwise{mul,no_inplace} [id A] ''   1\n"
            " |Elemwise{add,no_inplace} [id B] ''   0\n"
            " | |x [id C]\n"
            " | |y [id D]\n"
            " |y [id D]\n");
}

TEST(DebugPrint, IdsPastZAndDeepGraphs) {
  Var acc = vec("v0");
  for (int i = 1; i < 30; ++i) acc = ew("add", {acc, vec("v" + std::to_string(i))});
  std::string s = debugprint(acc);
  EXPECT_NE(s.find("[id Z]"), std::string::npos);
  EXPECT_NE(s.find("[id BA]"), std::string::npos);  // Theano's base-26 ids: 26 -> BA

  Var deep = vec("x");
  for (int i = 0; i < 4000; ++i) deep = ew("neg", {deep});
  std::string d = debugprint(deep, 3);
  EXPECT_EQ(std::count(d.begin(), d.end(), '\n'), 3);
  d = debugprint(deep);  // no recursion: a full print of a deep chain works
  EXPECT_EQ(std::count(d.begin(), d.end(), '\n'), 4001);
  EXPECT_FALSE(pprint(deep).empty());
}

// ---- pprint ----

TEST(PPrint, InfixOperatorsAndConstants) {
  Var x = vec("x"), y = vec("y"), z = vec("z");
  EXPECT_EQ(pprint(ew("mul", {ew("add", {x, y}), z})), "((x + y) * z)");
  EXPECT_EQ(pprint(ew("mul", {cst(2.0), x})), "(2.0 * x)");
  EXPECT_EQ(pprint(ew("pow", {x, cst_int(2)})), "(x ** 2)");
  EXPECT_EQ(pprint(ew("true_div", {ew("sub", {x, y}), cst(0.5)})), "((x - y) / 0.5)");
  EXPECT_EQ(pprint(ew("add", {x, ew("add", {y, z})})), "(x + (y + z))");
}

TEST(PPrint, NegationIsPrefixedAndParenthesisedAsAnOperand) {
  Var x = vec("x"), y = vec("y");
  EXPECT_EQ(pprint(ew("neg", {x})), "-x");
  EXPECT_EQ(pprint(ew("neg", {ew("add", {x, y})})), "-(x + y)");
  EXPECT_EQ(pprint(ew("mul", {ew("neg", {x}), y})), "((-x) * y)");
  EXPECT_EQ(pprint(ew("pow", {cst(-2.0), x})), "((-2.0) ** x)");
  EXPECT_EQ(pprint(ew("exp", {ew("neg", {x})})), "exp(-x)");
}

TEST(PPrint, FunctionForms) {
  Var x = vec("x"), y = vec("y");
  Var m = make_variable(fmat(), "w");
  EXPECT_EQ(pprint(ew("exp", {x})), "exp(x)");
  EXPECT_EQ(pprint(ew("second", {x, cst(1.0)})), "fill(x, 1.0)");
  EXPECT_EQ(pprint(gen("Sum", "Sum{acc_dtype=float64}", {x})[0]), "Sum{acc_dtype=float64}(x)");
  EXPECT_EQ(pprint(gen("Dot", "dot", {m, x})[0]), "dot(w, x)");
  EXPECT_EQ(pprint(ew("Composite{(i0 + i1)}", {x, y})), "Composite{(i0 + i1)}(x, y)");
  EXPECT_EQ(pprint(ew("add", {make_variable(fvec()), x})), "(<TensorType(float64, vector)> + x)");
}

TEST(PPrint, DimShuffles) {
  Var x = vec("x");
  Var m = make_variable(fmat(), "m");
  Var bc = gen("DimShuffle", "InplaceDimShuffle{x}", {cst(1.0)})[0];
  EXPECT_EQ(pprint(ew("add", {bc, x})), "(1.0 + x)");  // broadcasting is hidden
  EXPECT_EQ(pprint(gen("DimShuffle", "DimShuffle{1,0}", {m})[0]), "m.T");
  EXPECT_EQ(pprint(gen("DimShuffle", "DimShuffle{x,0}", {x})[0]), "x");
  EXPECT_EQ(pprint(gen("DimShuffle", "DimShuffle{0,x}", {x})[0]), "DimShuffle{0,x}(x)");
}

TEST(PPrint, TableIsExtendable) {
  Var x = vec("x"), y = vec("y");
  register_pprinter("MyOp", function_printer("my_op"));
  register_pprinter("maximum", operator_printer("max"));
  EXPECT_EQ(pprint(gen("MyOp", "MyOp{p=1}", {x})[0]), "my_op(x)");
  EXPECT_EQ(pprint(ew("maximum", {x, y})), "(x max y)");
  register_pprinter("MyOp{p=2}", [](const Apply&, int, const std::vector<PrettyExpr>& in) {
    return PrettyExpr{"|" + in[0].text + "|", false};
  });
  EXPECT_EQ(pprint(gen("MyOp", "MyOp{p=2}", {x})[0]), "|x|");  // Op::str() wins over Op::name()
}

TEST(PPrint, ConstantsByValue) {
  EXPECT_EQ(constant_value_str(NDArray::scalar(2.0)), "2.0");
  EXPECT_EQ(constant_value_str(NDArray::scalar(0.1f)), "0.1");
  EXPECT_EQ(constant_value_str(NDArray::scalar(1e20)), "1e+20");
  EXPECT_EQ(constant_value_str(NDArray::scalar<int64_t>(-3)), "-3");
  EXPECT_EQ(constant_value_str(NDArray::scalar(true)), "True");
  EXPECT_EQ(constant_value_str(NDArray::from_vector<double>({1, 2}, {2})), "[1., 2.]");
  EXPECT_EQ(cst(2.0)->str(), "TensorConstant{2.0}");
  EXPECT_EQ(pprint(make_constant(fscal(), NDArray::scalar(3.0), "three")), "three");
  EXPECT_EQ(elemwise_scalar_name(Ew(EwParams{"add"})), "add");
  EXPECT_EQ(elemwise_scalar_name(Gen(GenParams{"Sum", "Sum{acc_dtype=float64}", 1})), "");
}

// ---- Graphviz ----

TEST(DotGraph, PydotprintShapesColoursAndIndexedEdges) {
  Var x = vec("x"), y = vec("y");
  Var out = ew("sub", {x, ew("mul", {cst(2.0), y})});
  std::string dot = dot_graph(std::vector<Var>{out});
  EXPECT_EQ(dot.rfind("digraph G {\n", 0), 0u);
  EXPECT_EQ(dot.substr(dot.size() - 2), "}\n");
  // Apply nodes are ellipses, dark pink for Elemwise; variables are boxes.
  EXPECT_NE(dot.find("[label=\"Elemwise{mul,no_inplace}\", shape=ellipse, style=filled, fillcolor=\"#FFAABB\"]"),
            std::string::npos);
  EXPECT_NE(dot.find("[label=\"name=x TensorType(float64, vector)\", shape=box, style=filled, fillcolor=\"green\"]"),
            std::string::npos);
  EXPECT_NE(dot.find("[label=\"val=2.0 TensorType(float64, scalar)\", shape=box"), std::string::npos);
  EXPECT_NE(dot.find("fillcolor=\"blue\""), std::string::npos);  // the output
  // compact: the unnamed intermediate is an edge labelled with index and type.
  EXPECT_NE(dot.find("n0 -> n1 [label=\"1 TensorType(float64, vector)\"]"), std::string::npos);
  EXPECT_EQ(std::count(dot.begin(), dot.end(), ';'), 1 /*graph attributes*/ + 2 /*applies*/ + 4 /*boxes*/ + 5 /*edges*/);

  DotOptions o;
  o.compact = false;
  o.var_with_name_simple = true;
  o.high_contrast = false;
  o.with_ids = true;
  std::string full = dot_graph(std::vector<Var>{out}, o);
  EXPECT_NE(full.find("[label=\"x id="), std::string::npos);
  EXPECT_NE(full.find("shape=ellipse, color=\"#FFAABB\""), std::string::npos);
  EXPECT_NE(full.find("Elemwise{sub,no_inplace} id=1"), std::string::npos);
  EXPECT_EQ(std::count(full.begin(), full.end(), ';'), 1 + 2 + 5 + 6);  // the intermediate is a box now

  o = DotOptions{};
  o.max_label_size = 10;
  o.color_codes["Elemwise"] = "gold";
  std::string cut = dot_graph(std::vector<Var>{out}, o);
  EXPECT_NE(cut.find("[label=\"Elemwis...\", shape=ellipse, style=filled, fillcolor=\"gold\"]"), std::string::npos);

  FunctionGraph fg({x, y}, {out});
  std::string path = ::testing::TempDir() + "hypatia_print_test.dot";
  write_dot(path, fg);
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), dot_graph(fg));
  std::remove(path.c_str());
  EXPECT_THROW(write_dot("/nonexistent-dir/x.dot", fg), Error);
}

TEST(DebugPrint, DoneAndUsedIdsAreSharedBetweenCalls) {
  Var x = vec("x");
  Var a = ew("exp", {x});
  std::map<std::uintptr_t, std::string> done;
  DebugPrintOptions o;
  o.done = &done;
  std::string first = debugprint(std::vector<Var>{a}, o);
  EXPECT_EQ(first, "Elemwise{exp,no_inplace} [id A] ''   \n |x [id B]\n");
  std::string second = debugprint(std::vector<Var>{ew("neg", {a})}, o);
  // a keeps its id and is not expanded again; the new node takes the next letter.
  EXPECT_EQ(second, "Elemwise{neg,no_inplace} [id C] ''   \n |Elemwise{exp,no_inplace} [id A] ''   \n");
  o.done = nullptr;
  o.ids = DebugPrintOptions::Ids::None;
  o.print_clients = true;
  std::string clients = debugprint(std::vector<Var>{ew("add", {a, ew("neg", {a})})}, o);
  EXPECT_NE(clients.find("Elemwise{exp,no_inplace}  '' "), std::string::npos);
  EXPECT_NE(clients.find("clients:["), std::string::npos);
  EXPECT_NE(clients.find("'Elemwise{add,no_inplace}'"), std::string::npos);
  EXPECT_NE(clients.find("'Elemwise{neg,no_inplace}'"), std::string::npos);
  EXPECT_EQ(clients.find("clients:", clients.find("clients:") + 1), std::string::npos);  // only exp has two
}

}  // namespace
}  // namespace hypatia
