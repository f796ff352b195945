// Scan: the manual's loop examples, taps, until, updates and errors, against plain C++ loops.
#include <gtest/gtest.h>

#include <cmath>

#include "hypatia/compile/function.h"
#include "hypatia/control/ops/scan.h"
#include "hypatia/tensor/tensor.h"

namespace hypatia {
namespace {

NDArray vec(std::vector<double> v) { return NDArray::from_vector(v, {static_cast<int64_t>(v.size())}); }

TEST(Scan, PowerAk) {  // the manual's A**k: result[-1] after k steps of prior * A
  Var A = vector(DType::Float64, "A");
  Var k = scalar(DType::Int64, "k");
  ScanOptions o;
  o.n_steps = k;
  ScanResult r = scan([](const std::vector<Var>& a) { return ScanStep(mul(a[0], a[1])); }, {},
                      {ScanOutputInfo(ones_like(A, std::nullopt))}, {A}, o);
  auto f = function({A, k}, {subtensor(r.outputs[0], -1)});
  NDArray out = as_array((*f)({vec({0, 1, 2, 3}), NDArray::scalar<int64_t>(3)})[0]);
  EXPECT_EQ(out.data<double>()[2], 8.0);
  EXPECT_EQ(out.data<double>()[3], 27.0);
}

}  // namespace
}  // namespace hypatia
