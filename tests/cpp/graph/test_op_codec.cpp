// Op codec: OpBase ops written from their params' fields() and rebuilt by class, with no code of their own.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "hypatia/graph/op_codec.h"
#include "hypatia/graph/op_codec_graphs.h"
#include "support/test_ops.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {
enum class Colour { Red = 3, Blue = 7 };

// Every field kind the codec handles, in a params struct of the usual form.
struct RichParams {
  int64_t n = 0;
  double x = 0;
  bool flag = false;
  Colour colour = Colour::Red;
  std::string label;
  std::vector<int> axes;
  std::optional<std::vector<int>> maybe_axes;
  std::optional<DType> dtype;
  std::vector<bool> bits;
  auto fields() const { return std::tie(n, x, flag, colour, label, axes, maybe_axes, dtype, bits); }
};

// An op declared as any other: no pickling code.
class RichOp final : public OpBase<RichOp, RichParams> {
  HYPATIA_OP(RichOp, 1, make_node, perform)
};
ApplyPtr RichOp::make_node_checked(const std::vector<Var>& inputs) const {
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}
void RichOp::perform(const Apply&, const Value* const* inputs, Value* outputs) const { outputs[0] = *inputs[0]; }

// fields() computing a value rather than tying members cannot be read back.
struct ComputedParams {
  int a = 0;
  auto fields() const { return std::make_tuple(a * 2); }
};
class ComputedOp final : public OpBase<ComputedOp, ComputedParams> {
  HYPATIA_OP(ComputedOp, 1, make_node, perform)
};
ApplyPtr ComputedOp::make_node_checked(const std::vector<Var>& inputs) const {
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}
void ComputedOp::perform(const Apply&, const Value* const* inputs, Value* outputs) const { outputs[0] = *inputs[0]; }

// Like ComputedOp, but given a hand-written codec (as IfElse is).
class CustomOp final : public OpBase<CustomOp, ComputedParams> {
  HYPATIA_OP(CustomOp, 1, make_node, perform)
};
ApplyPtr CustomOp::make_node_checked(const std::vector<Var>& inputs) const {
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}
void CustomOp::perform(const Apply&, const Value* const* inputs, Value* outputs) const { outputs[0] = *inputs[0]; }
void encode_custom(const Op& op, ParamWriter& w) { w.i64(static_cast<const CustomOp&>(op).params().a); }
std::shared_ptr<const Op> decode_custom(ParamReader& r) {
  ComputedParams p;
  p.a = static_cast<int>(r.i64());
  r.finish();
  return std::make_shared<CustomOp>(p);
}

ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  return ErrorKind::Runtime;
}
}  // namespace

TEST(OpCodec, RoundTripsEveryFieldKind) {
  RichParams p;
  p.n = -1234567890123;
  p.x = 0.1;
  p.flag = true;
  p.colour = Colour::Blue;
  p.label = std::string("a\0b", 3);
  p.axes = {0, -2, 5};
  p.maybe_axes = std::vector<int>{1};
  p.dtype = DType::Float32;
  p.bits = {true, false, true};
  auto op = std::make_shared<RichOp>(p);
  auto [key, bytes] = encode_op(*op);
  EXPECT_EQ(op_class_name(key), "RichOp");
  auto back = decode_op(key, bytes);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->equals(*op));
  EXPECT_EQ(back->hash(), op->hash());
  const auto& q = static_cast<const RichOp&>(*back).params();
  EXPECT_EQ(q.label, p.label);
  EXPECT_EQ(q.maybe_axes, p.maybe_axes);
  EXPECT_EQ(q.bits, p.bits);
  // Empty optionals and containers too.
  auto empty = std::make_shared<RichOp>(RichParams{});
  auto [k2, b2] = encode_op(*empty);
  EXPECT_TRUE(decode_op(k2, b2)->equals(*empty));
  EXPECT_FALSE(decode_op(k2, b2)->equals(*op));
}

TEST(OpCodec, RebuiltOpBuildsTheSameGraph) {
  Var x = dvec("x");
  Var y = scale(x, 2.5);
  auto [key, bytes] = encode_op(*y.owner()->op());
  auto op = decode_op(key, bytes);
  Var z = apply1(*op, {x});
  EXPECT_TRUE(z.owner()->op()->equals(*y.owner()->op()));
  EXPECT_FALSE(op->equals(*scale(x, 2.0).owner()->op()));
}

TEST(OpCodec, MalformedBytesAreValueErrors) {
  auto op = std::make_shared<RichOp>(RichParams{});
  // Not a structured binding: clang 14 cannot capture those in the lambdas below.
  const auto encoded = encode_op(*op);
  const std::string& key = encoded.first;
  const std::string& bytes = encoded.second;
  EXPECT_EQ(kind_of([&] { decode_op(key, bytes.substr(0, bytes.size() - 1)); }), ErrorKind::Value);
  EXPECT_EQ(kind_of([&] { decode_op(key, bytes + "x"); }), ErrorKind::Value);
  EXPECT_EQ(kind_of([&] { decode_op("no such op", bytes); }), ErrorKind::Value);
  // A corrupt huge container length is refused before allocating.
  std::string huge = bytes;
  int64_t n = int64_t(1) << 60;
  std::memcpy(huge.data() + 32, &n, 8);  // the label's length (after n, x, flag, colour)
  EXPECT_EQ(kind_of([&] { decode_op(key, huge); }), ErrorKind::Value);
  try {
    decode_op(key, bytes.substr(0, 4));
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[pickle]"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("RichOp"), std::string::npos);
  }
}

TEST(OpCodec, OpsWhoseParamsCannotBeReadBackAreTypeErrors) {
  auto op = std::make_shared<ComputedOp>(ComputedParams{1});
  try {
    encode_op(*op);
    FAIL() << "expected a TypeError";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Type);
    EXPECT_NE(std::string(e.what()).find("[pickle] cannot serialise op ComputedOp"), std::string::npos);
  }
}

TEST(OpCodec, CustomCodecTakesPrecedenceOverOpBaseRegistration) {
  auto op = std::make_shared<CustomOp>(ComputedParams{3});
  register_custom_op_class(typeid(CustomOp).name(), "CustomOp", &encode_custom, &decode_custom);
  // OpBase's automatic registration coming later (static initialisation is unordered) keeps it.
  register_op_class(typeid(CustomOp).name(), "CustomOp", nullptr, nullptr, "automatic");
  auto [key, bytes] = encode_op(*op);
  auto back = decode_op(key, bytes);
  EXPECT_TRUE(back->equals(*op));
  EXPECT_FALSE(back->equals(*std::make_shared<CustomOp>(ComputedParams{4})));
}
