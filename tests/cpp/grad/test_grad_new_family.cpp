// A type family the core has never heard of (a pair of float64 numbers) differentiates through
// the unchanged gradient driver: its Type supplies zeros and the sum of gradient terms.
#include <gtest/gtest.h>

#include "grad_test_ops.h"
#include "hypatia/tensor/basic.h"

namespace hypatia::gradtest {
namespace {

/// Values: float64 arrays of shape (2,). Gradients of pairs are pairs.
class PairType final : public Type {
 public:
  static TypePtr make() {
    static const TypePtr t = std::make_shared<const PairType>();
    return t;
  }
  TypeKind kind() const override { return TypeKind::Opaque; }
  std::string str() const override { return "PairType"; }
  bool equals(const Type& o) const override { return dynamic_cast<const PairType*>(&o) != nullptr; }
  size_t hash() const override { return 0x50414952; }
  Value filter(const Value& v, bool, bool) const override {
    const NDArray& a = as_array(v, "PairType");
    if (a.dtype() != DType::Float64 || a.shape() != Shape{2}) type_error("[PairType] expected float64 of shape (2,)");
    return v;
  }
  std::optional<DType> dtype() const override { return DType::Float64; }
  int ndim() const override { return 1; }
  Var zeros_like(const Var& x, bool float_dtype = true) const override;
  Var add_grad(const Var& a, const Var& b) const override;
};

/// (a, b) -> pair; vjp: the pair gradient's components.
class MakePair final : public OpBase<MakePair> {
  HYPATIA_OP(MakePair, 2, make_node, perform, vjp)
};
/// pair -> component i (a float64 scalar); vjp: a pair holding g at i.
struct IndexParams {
  int i = 0;
  auto fields() const { return std::tie(i); }
};
class PairItem final : public OpBase<PairItem, IndexParams> {
  HYPATIA_OP(PairItem, 1, make_node, perform, vjp)
};
/// pair + pair: the sum of two gradient terms of a pair.
class PairAdd final : public OpBase<PairAdd> {
  HYPATIA_OP(PairAdd, 2, make_node, perform, vjp)
};
/// zeros shaped like a pair.
class PairZeros final : public OpBase<PairZeros> {
  HYPATIA_OP(PairZeros, 1, make_node, perform, vjp)
};

int g_adds = 0, g_zeros = 0;  // how often the driver used the pair algebra

Var PairType::zeros_like(const Var& x, bool) const {
  ++g_zeros;
  return apply1(*std::make_shared<PairZeros>(), {x});
}
Var PairType::add_grad(const Var& a, const Var& b) const {
  ++g_adds;
  return apply1(*std::make_shared<PairAdd>(), {a, b});
}

NDArray pair_of(double a, double b) {
  NDArray p(DType::Float64, {2});
  p.data<double>()[0] = a;
  p.data<double>()[1] = b;
  return p;
}
double at(const Value& v, int i) { return as_array(v).contiguous().data<double>()[i]; }

ApplyPtr MakePair::make_node_checked(const std::vector<Var>& in) const {
  return Apply::create(ptr(), in, {PairType::make()});
}
void MakePair::perform(const Apply&, const Value* const* in, Value* out) const {
  out[0] = pair_of(num(*in[0]), num(*in[1]));
}
std::vector<Var> MakePair::vjp(const Apply&, const std::vector<Var>& g) const {
  return {apply1(*std::make_shared<PairItem>(IndexParams{0}), {g[0]}),
          apply1(*std::make_shared<PairItem>(IndexParams{1}), {g[0]})};
}

ApplyPtr PairItem::make_node_checked(const std::vector<Var>& in) const {
  return Apply::create(ptr(), in, {TensorType::make(DType::Float64, {})});
}
void PairItem::perform(const Apply&, const Value* const* in, Value* out) const {
  out[0] = s64(at(*in[0], params_.i));
}
std::vector<Var> PairItem::vjp(const Apply&, const std::vector<Var>& g) const {
  Var zero = constant(0.0);
  return {apply1(*std::make_shared<MakePair>(), params_.i == 0 ? std::vector<Var>{g[0], zero}
                                                                : std::vector<Var>{zero, g[0]})};
}

ApplyPtr PairAdd::make_node_checked(const std::vector<Var>& in) const {
  return Apply::create(ptr(), in, {PairType::make()});
}
void PairAdd::perform(const Apply&, const Value* const* in, Value* out) const {
  out[0] = pair_of(at(*in[0], 0) + at(*in[1], 0), at(*in[0], 1) + at(*in[1], 1));
}
std::vector<Var> PairAdd::vjp(const Apply&, const std::vector<Var>& g) const { return {g[0], g[0]}; }

ApplyPtr PairZeros::make_node_checked(const std::vector<Var>& in) const {
  return Apply::create(ptr(), in, {PairType::make()});
}
void PairZeros::perform(const Apply&, const Value* const*, Value* out) const { out[0] = pair_of(0, 0); }
std::vector<Var> PairZeros::vjp(const Apply&, const std::vector<Var>&) const { return {disconnected_var()}; }

Var item(const Var& p, int i) { return apply1(*std::make_shared<PairItem>(IndexParams{i}), {p}); }

TEST(GradNewFamily, TermsOfAPairAddWithThePairsOwnAdd) {
  g_adds = g_zeros = 0;
  Var a = dscalar("a"), b = dscalar("b");
  Var p = apply1(*std::make_shared<MakePair>(), {a, b});
  Var cost = mul(item(p, 0), item(p, 1));  // p is used twice: two pair-typed terms
  auto g = grad(cost, std::vector<Var>{a, b, p});
  EXPECT_EQ(g_adds, 1);  // the driver summed p's two terms with PairType::add_grad
  auto f = function({In(a), In(b)}, {Out(g[0]), Out(g[1]), Out(g[2])});
  auto r = (*f)({s64(3.0), s64(5.0)});
  EXPECT_DOUBLE_EQ(num(r[0]), 5.0);  // d(ab)/da = b
  EXPECT_DOUBLE_EQ(num(r[1]), 3.0);
  EXPECT_DOUBLE_EQ(at(r[2], 0), 5.0);  // d cost / d p = (b, a)
  EXPECT_DOUBLE_EQ(at(r[2], 1), 3.0);
}

TEST(GradNewFamily, ADisconnectedPairGetsThePairsZeros) {
  g_adds = g_zeros = 0;
  Var a = dscalar("a"), b = dscalar("b");
  Var p = apply1(*std::make_shared<MakePair>(), {a, b});
  Var q = apply1(*std::make_shared<MakePair>(), {b, a});
  GradOptions o;
  o.disconnected_inputs = OnDisconnected::Ignore;
  Var gq = grad(item(p, 0), std::vector<Var>{q}, o)[0];  // q does not reach the cost
  EXPECT_EQ(g_zeros, 1);
  EXPECT_TRUE(same_type(gq.type(), PairType::make()));
  auto f = function({In(a), In(b)}, {Out(gq), Out(item(p, 0))});
  auto r = (*f)({s64(3.0), s64(5.0)});
  EXPECT_DOUBLE_EQ(num(r[1]), 3.0);
  EXPECT_DOUBLE_EQ(at(r[0], 0), 0.0);
  EXPECT_DOUBLE_EQ(at(r[0], 1), 0.0);
}

TEST(GradNewFamily, ATypeWithoutGradientAlgebraSaysSo) {
  // The defaults of Type: a type that carries no gradient raises a TypeError naming it.
  auto t = std::make_shared<const NullType>("test");
  Var x = make_variable(t, "x");
  EXPECT_EQ(kind_of([&] { t->zeros_like(x); }), ErrorKind::Type);
  EXPECT_NE(message_of([&] { t->add_grad(x, x); }).find("[grad] variables of type NullType carry no gradient"),
            std::string::npos);
}

}  // namespace
}  // namespace hypatia::gradtest
