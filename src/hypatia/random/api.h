// The random family's builder API: MRG31k3p stream states (Theano's seeding, substreams and
// stream jumps) and the graph builders MRG_RandomStreams composes its distributions from.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "hypatia/graph/variable.h"
#include "hypatia/random/kernels/mrg31k3p.h"
#include "hypatia/value/ndarray.h"

namespace hypatia {

/// The state of MRG_RandomStreams(seed): the seed six times. ValueError for 0 or a seed not
/// below 2147462579 (Theano's checks).
kernels::mrg::State mrg_seed_state(int64_t seed);
/// A state from six values; ValueError naming what is wrong (Theano's checks).
kernels::mrg::State mrg_seed_state(const std::vector<int64_t>& seed);
/// n_streams x 6 int32 states, the first `start`, each 2^72 steps after the previous one
/// (get_substream_rstates). ValueError unless n_streams >= 1.
NDArray mrg_substream_states(const kernels::mrg::State& start, int64_t n_streams);
/// `s` 2^134 steps ahead: the start of the next stream (inc_rstate).
kernels::mrg::State mrg_next_stream(const kernels::mrg::State& s);
/// Theano's guess_n_streams for a known sample size: size/6 above 6, at most 60*256.
int64_t mrg_guess_n_streams(int64_t n_elements);

/// (new rstate, sample) of mrg_uniform over the state variable `rstate` (an int32 matrix)
/// with shape `size` (int scalars); dtype float32 or float64 (TypeError otherwise).
std::pair<Var, Var> mrg_uniform(const Var& rstate, const std::vector<Var>& size, DType dtype);
/// Counts (k, m) of n draws per row of pvals from the uniforms unis (k*n,).
Var multinomial_from_uniform(const Var& pvals, const Var& unis, const Var& n, DType odtype = DType::Int64);
/// n outcomes per row of pvals drawn without replacement from the uniforms unis (k*n,).
Var choice_from_uniform(const Var& pvals, const Var& unis, const Var& n, DType odtype = DType::Int64);

}  // namespace hypatia
