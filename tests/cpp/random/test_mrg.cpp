// MRG31k3p: the recurrence and jumps against plain modular arithmetic, Theano's published jump
// matrices, the fill on 1 and 2 threads, and the MRGUniform / from-uniform ops in graphs.
#include <gtest/gtest.h>

#include <cmath>

#include "hypatia/compile/function.h"
#include "hypatia/random/api.h"
#include "hypatia/random/kernels/mrg31k3p.h"
#include "hypatia/random/ops/mrg_uniform.h"
#include "hypatia/tensor/basic.h"

using namespace hypatia;
namespace mrg = hypatia::kernels::mrg;

namespace {

constexpr int64_t M1 = 2147483647, M2 = 2147462579;

// The published recurrence, written with plain 64-bit modular arithmetic.
int64_t ref_step(std::array<int64_t, 6>& s) {
  const int64_t x1 = ((1LL << 22) % M1 * s[1] % M1 + 129 * s[2]) % M1;
  const int64_t x2 = ((1LL << 15) * s[3] % M2 + 32769 * s[5]) % M2;
  s = {x1, s[0], s[1], x2, s[3], s[4]};
  const int64_t z = ((x1 - x2) % M1 + M1) % M1;
  return z == 0 ? M1 : z;
}

std::vector<Value> none;

NDArray run(const std::vector<Var>& outs, std::vector<NDArray>* more = nullptr) {
  FunctionOptions o;
  auto f = function({}, std::vector<Out>(outs.begin(), outs.end()), o);
  auto vals = (*f)(none);
  if (more)
    for (auto& v : vals) more->push_back(std::get<NDArray>(v));
  return std::get<NDArray>(vals.back());
}

}  // namespace

TEST(Mrg31k3p, StepMatchesTheRecurrence) {
  mrg::State s{12345, 12345, 12345, 12345, 12345, 12345};
  std::array<int64_t, 6> r{12345, 12345, 12345, 12345, 12345, 12345};
  for (int i = 0; i < 5000; ++i) {
    const int32_t z = mrg::next(s.data());
    ASSERT_EQ(z, ref_step(r)) << "step " << i;
    for (int k = 0; k < 6; ++k) ASSERT_EQ(s[k], r[k]);
  }
  // Large components too (all bits of the shifts exercised).
  mrg::State t{M1 - 1, M1 - 2, M1 - 3, static_cast<int32_t>(M2 - 1), static_cast<int32_t>(M2 - 2), static_cast<int32_t>(M2 - 3)};
  std::array<int64_t, 6> q{M1 - 1, M1 - 2, M1 - 3, M2 - 1, M2 - 2, M2 - 3};
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(mrg::next(t.data()), ref_step(q));
}

TEST(Mrg31k3p, JumpsAreRepeatedSteps) {
  mrg::State s{1, 2, 3, 4, 5, 6};
  mrg::State j = mrg::jump(s, 10);
  for (int i = 0; i < 1024; ++i) mrg::next(s.data());
  EXPECT_EQ(j, s);
  // Theano's published A1p72 / A2p134 (theano/sandbox/rng_mrg.py), as computed by squaring.
  mrg::Mat3 a72 = mrg::a1_pow2(72), b134 = mrg::a2_pow2(134);
  EXPECT_EQ(a72[0][0], 1516919229);
  EXPECT_EQ(a72[0][1], 758510237);
  EXPECT_EQ(a72[2][2], 358115744);
  EXPECT_EQ(b134[0][0], 796789021);
  EXPECT_EQ(b134[2][1], 1178684362);
  NDArray sub = mrg_substream_states(mrg_seed_state(12345), 3);
  ASSERT_EQ(sub.shape(), (Shape{3, 6}));
  mrg::State second = mrg::jump(mrg_seed_state(12345), 72);
  for (int k = 0; k < 6; ++k) EXPECT_EQ(sub.data<int32_t>()[6 + k], second[k]);
}

TEST(Mrg31k3p, FillGivesTheSameNumbersOnOneAndTwoThreads) {
  const int64_t streams = 37, n = 20000;
  NDArray s1 = mrg_substream_states(mrg_seed_state(99), streams), s2 = s1.copy();
  std::vector<double> a(n), b(n);
  mrg::uniform_fill(s1.data<int32_t>(), streams, a.data(), n, 1);
  mrg::uniform_fill(s2.data<int32_t>(), streams, b.data(), n, 2);
  EXPECT_EQ(a, b);
  for (int64_t k = 0; k < streams * 6; ++k) ASSERT_EQ(s1.data<int32_t>()[k], s2.data<int32_t>()[k]);
  for (double v : a) ASSERT_TRUE(v > 0.0 && v < 1.0);
  // Element i comes from stream i % streams, in order.
  NDArray s3 = mrg_substream_states(mrg_seed_state(99), streams);
  int32_t* st = s3.data<int32_t>() + 6 * 5;
  EXPECT_EQ(a[5], mrg::to_unit_double(mrg::next(st)));
  EXPECT_EQ(a[5 + streams], mrg::to_unit_double(mrg::next(st)));
  std::vector<float> f1(n), f2(n);
  NDArray s4 = mrg_substream_states(mrg_seed_state(99), streams), s5 = s4.copy();
  mrg::uniform_fill(s4.data<int32_t>(), streams, f1.data(), n, 1);
  mrg::uniform_fill(s5.data<int32_t>(), streams, f2.data(), n, 2);
  EXPECT_EQ(f1, f2);
  for (float v : f1) ASSERT_TRUE(v > 0.0f && v < 1.0f);
}

TEST(Mrg31k3p, SeedChecks) {
  EXPECT_THROW(mrg_seed_state(0), Error);
  EXPECT_THROW(mrg_seed_state(M2), Error);
  EXPECT_THROW(mrg_seed_state(std::vector<int64_t>{0, 0, 0, 1, 1, 1}), Error);
  EXPECT_THROW(mrg_seed_state(std::vector<int64_t>{1, 1, 1, 0, 0, 0}), Error);
  EXPECT_THROW(mrg_seed_state(std::vector<int64_t>{1, 1}), Error);
  EXPECT_THROW(mrg_substream_states(mrg_seed_state(1), 0), Error);
  EXPECT_EQ(mrg_guess_n_streams(5), 5);
  EXPECT_EQ(mrg_guess_n_streams(600), 100);
  EXPECT_EQ(mrg_guess_n_streams(1 << 30), 60 * 256);
}

TEST(MRGUniformOp, SamplesAndNewStateInAGraph) {
  NDArray states = mrg_substream_states(mrg_seed_state(7), 4);
  Var rs = constant(states);
  auto [ns, u] = mrg_uniform(rs, {int64_constant(3), int64_constant(5)}, DType::Float32);
  std::vector<NDArray> outs;
  NDArray got = run({ns, u}, &outs);
  ASSERT_EQ(got.shape(), (Shape{3, 5}));
  ASSERT_EQ(got.dtype(), DType::Float32);
  NDArray ref = states.copy();
  std::vector<float> want(15);
  mrg::uniform_fill(ref.data<int32_t>(), 4, want.data(), 15, 1);
  for (int i = 0; i < 15; ++i) EXPECT_EQ(got.data<float>()[i], want[i]);
  for (int k = 0; k < 24; ++k) EXPECT_EQ(outs[0].data<int32_t>()[k], ref.data<int32_t>()[k]);
  // Not differentiable, and the state must be an int32 matrix with 6 columns.
  EXPECT_THROW(mrg_uniform(constant(NDArray::zeros(DType::Int64, {2, 6})), {int64_constant(2)}, DType::Float64), Error);
  EXPECT_THROW(mrg_uniform(rs, {int64_constant(2)}, DType::Int32), Error);
  auto [n2, u2] = mrg_uniform(constant(NDArray::zeros(DType::Int32, {2, 5})), {int64_constant(2)}, DType::Float64);
  EXPECT_THROW(run({u2}), Error);
}

TEST(FromUniformOps, MultinomialCountsAndChoiceWithoutReplacement) {
  NDArray p = NDArray::from_vector<double>({0.2, 0.3, 0.5, 0.6, 0.3, 0.1}, {2, 3});
  NDArray u = NDArray::from_vector<double>({0.1, 0.95, 0.45, 0.7}, {4});
  NDArray m = run({multinomial_from_uniform(constant(p), constant(u), int64_constant(2))});
  // row 0 draws 0.1 -> 0, 0.45 -> 1; row 1 draws 0.95 -> 2, 0.7 -> 1.
  std::vector<int64_t> want_m{1, 1, 0, 0, 1, 1};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(m.data<int64_t>()[i], want_m[i]);
  NDArray c = run({choice_from_uniform(constant(p), constant(u), int64_constant(2))});
  // row 0: 0.1 -> 0; then p = (0, .375, .625): 0.45 -> 2. row 1: 0.95 -> 2; then (2/3, 1/3, 0): 0.7 -> 1.
  std::vector<int64_t> want_c{0, 2, 2, 1};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(c.data<int64_t>()[i], want_c[i]);
  NDArray u6 = NDArray::from_vector<double>({0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}, {8});
  EXPECT_THROW(run({choice_from_uniform(constant(p), constant(u6), int64_constant(4))}), Error);
  EXPECT_THROW(run({multinomial_from_uniform(constant(p), constant(u6), int64_constant(3))}), Error);
}
