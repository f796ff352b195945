// The random family's builders and MRG31k3p state helpers.
#include "hypatia/random/api.h"

#include "hypatia/random/ops/mrg_uniform.h"
#include "hypatia/tensor/basic.h"

namespace hypatia {

kernels::mrg::State mrg_seed_state(int64_t seed) {
  if (seed == 0) value_error("[MRG_RandomStreams] seed should not be 0");
  if (seed < 0) value_error("[MRG_RandomStreams] seed should be positive, got ", seed);
  if (seed >= kernels::mrg::kM2) value_error("[MRG_RandomStreams] seed should be less than ", kernels::mrg::kM2, ", got ", seed);
  const int32_t s = static_cast<int32_t>(seed);
  return {s, s, s, s, s, s};
}

kernels::mrg::State mrg_seed_state(const std::vector<int64_t>& seed) {
  if (seed.size() != 6) type_error("[MRG_RandomStreams] seed should be 1 integer or 6 integers, got ", seed.size());
  kernels::mrg::State s{};
  for (int k = 0; k < 6; ++k) {
    if (seed[k] < 0 || seed[k] >= kernels::mrg::kM1)
      value_error("[MRG_RandomStreams] seed value ", seed[k], " is out of range [0, 2147483647)");
    s[k] = static_cast<int32_t>(seed[k]);
  }
  std::string bad = kernels::mrg::check_state(s);
  if (!bad.empty()) value_error("[MRG_RandomStreams] ", bad);
  return s;
}

NDArray mrg_substream_states(const kernels::mrg::State& start, int64_t n_streams) {
  if (n_streams < 1) value_error("[MRG_RandomStreams] the number of streams must be at least 1, got ", n_streams);
  NDArray out(DType::Int32, {n_streams, 6});
  kernels::mrg::substream_states(start, n_streams, out.data<int32_t>());
  return out;
}

kernels::mrg::State mrg_next_stream(const kernels::mrg::State& s) { return kernels::mrg::jump(s, 134); }

int64_t mrg_guess_n_streams(int64_t n) {
  if (n > 6) n /= 6;
  return std::min<int64_t>(n, 60 * 256);
}

std::pair<Var, Var> mrg_uniform(const Var& rstate, const std::vector<Var>& size, DType dtype) {
  std::vector<Var> ins{rstate};
  for (const Var& s : size) {
    const TensorType& t = check_tensor_input(s, "mrg_uniform");
    if (t.ndim() != 0 || !is_int(t.elem())) type_error("[mrg_uniform] each size entry must be an integer scalar, got ", t.str());
    ins.push_back(t.elem() == DType::Int64 ? s : cast(s, DType::Int64));
  }
  auto outs = apply_op(*std::make_shared<MRGUniform>(MRGUniformParams{dtype, static_cast<int>(size.size())}), ins);
  return {outs[0], outs[1]};
}

Var multinomial_from_uniform(const Var& pvals, const Var& unis, const Var& n, DType odtype) {
  return apply1(*std::make_shared<MultinomialFromUniform>(FromUniformParams{odtype, false}),
                {as_tensor_variable(pvals), as_tensor_variable(unis), as_tensor_variable(n)});
}
Var choice_from_uniform(const Var& pvals, const Var& unis, const Var& n, DType odtype) {
  return apply1(*std::make_shared<ChoiceFromUniform>(FromUniformParams{odtype, false}),
                {as_tensor_variable(pvals), as_tensor_variable(unis), as_tensor_variable(n)});
}

}  // namespace hypatia
