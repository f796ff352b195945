// Python bindings of issue 12's extra part: the rest of tensor.extra_ops (choose,
// ravel_multi_index, unravel_index, bartlett, CpuContiguous, chi2sf), tensor.fft, and the MRG31k3p
// stream helpers and ops behind hypatia.sandbox.rng_mrg.
#include "bindings.h"
#include "hypatia/random/api.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/extra_ops_index.h"
#include "hypatia/tensor/ops/fft.h"
#include "hypatia/tensor/ops/random.h"
#include "hypatia/util/parallel.h"

namespace hypatia::py {

namespace {
bool is_sequence(nb::handle h) { return PyList_Check(h.ptr()) || PyTuple_Check(h.ptr()); }
std::vector<Var> var_list(nb::handle h) {
  std::vector<Var> out;
  for (auto x : h) out.push_back(as_var(x));
  return out;
}
std::vector<std::string> modes_of(nb::handle h) {
  if (PyUnicode_Check(h.ptr())) return {nb::cast<std::string>(h)};
  std::vector<std::string> out;
  for (auto x : h) out.push_back(nb::cast<std::string>(x));
  return out;
}
kernels::mrg::State state_of(nb::handle h) {
  std::vector<int64_t> v;
  for (auto x : h) v.push_back(nb::cast<int64_t>(x));
  return mrg_seed_state(v);
}
nb::list list_of(const kernels::mrg::State& s) {
  nb::list l;
  for (int32_t x : s) l.append(x);
  return l;
}
std::optional<std::string> opt_str(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  return nb::cast<std::string>(h);
}
// A size argument: an int, a tuple/list of ints and integer scalar variables, or an integer
// vector variable (x.shape) whose length ndim gives when the graph does not show it.
std::vector<Var> size_arg(nb::handle size, std::optional<int> ndim) {
  if (nb::isinstance<Var>(size)) {
    Var v = nb::cast<Var>(size);
    if (v.type()->ndim() == 0) return {v};
    return size_from_vector(v, ndim, "mrg_uniform");
  }
  if (is_sequence(size)) return var_list(size);
  return {as_var(size)};
}
}  // namespace

void init_extra(nb::module_& m) {
  using nb::arg;
  m.def("choose", [](nb::handle a, nb::handle choices, const std::string& mode) {
    if (is_sequence(choices)) return choose(as_var(a), var_list(choices), mode);
    return choose(as_var(a), as_var(choices), mode);
  }, arg("a"), arg("choices"), arg("mode") = "raise",
     "numpy.choose: choices a list of tensors, or one tensor whose first axis holds them; mode raise, wrap or clip.");
  m.def("ravel_multi_index", [](nb::handle multi_index, nb::handle dims, nb::handle mode, const std::string& order) {
    if (!is_sequence(multi_index)) type_error("[ravel_multi_index] multi_index must be a tuple of index arrays");
    return ravel_multi_index(var_list(multi_index), as_var(dims), modes_of(mode), order);
  }, arg("multi_index"), arg("dims"), arg("mode") = "raise", arg("order") = "C",
     "numpy.ravel_multi_index: flat int64 indices of a tuple of index arrays into dims.");
  m.def("unravel_index", [](nb::handle indices, nb::handle dims, const std::string& order, std::optional<int> ndim) {
    nb::list l;
    for (const Var& v : unravel_index(as_var(indices), as_var(dims), order, ndim)) l.append(nb::cast(v));
    return nb::tuple(l);
  }, arg("indices"), arg("dims"), arg("order") = "C", arg("ndim") = nb::none(),
     "numpy.unravel_index: a tuple of int64 coordinate arrays shaped like indices.");
  m.def("bartlett", [](nb::handle M) { return bartlett(as_var(M)); }, arg("M"),
        "numpy.bartlett(M): the triangular window, a float64 vector (empty for M <= 0).");
  m.def("cpu_contiguous", [](nb::handle x) { return cpu_contiguous(as_var(x)); }, arg("x"),
        "x, or a C-contiguous copy of it (Theano's CpuContiguous).");
  m.def("chi2sf", [](nb::handle x, nb::handle k) { return chi2sf(as_var(x), as_var(k)); }, arg("x"), arg("k"),
        "The chi-square survival function scipy.stats.chi2.sf(x, k), elementwise.");
  m.def("gammaincc", &gammaincc, arg("a"), arg("x"), "The regularized upper incomplete gamma function (a float).");
  m.def("rfft", [](nb::handle x, nb::handle norm) { return rfft(as_var(x), opt_str(norm)); }, arg("inp"),
        arg("norm") = nb::none(), "theano.tensor.fft.rfft: (m, ..., n) -> (m, ..., n//2+1, 2).");
  m.def("irfft", [](nb::handle x, nb::handle norm, bool is_odd) { return irfft(as_var(x), opt_str(norm), is_odd); },
        arg("inp"), arg("norm") = nb::none(), arg("is_odd") = false,
        "theano.tensor.fft.irfft: (m, ..., n//2+1, 2) -> (m, ..., n).");

  // MRG31k3p
  m.def("mrg_seed_state", [](nb::handle seed) {
    if (is_sequence(seed)) return list_of(state_of(seed));
    return list_of(mrg_seed_state(nb::cast<int64_t>(seed)));
  }, arg("seed"), "The 6-int state of MRG_RandomStreams(seed) (an int, or 6 ints), checked as Theano.");
  m.def("mrg_substream_states", [](nb::handle state, int64_t n) { return to_numpy(mrg_substream_states(state_of(state), n)); },
        arg("state"), arg("n_streams"), "n_streams x 6 int32 states spaced 2**72 steps apart (get_substream_rstates).");
  m.def("mrg_next_stream", [](nb::handle state) { return list_of(mrg_next_stream(state_of(state))); }, arg("state"),
        "The state 2**134 steps ahead (inc_rstate).");
  m.def("mrg_jump", [](nb::handle state, int e) { return list_of(kernels::mrg::jump(state_of(state), e)); },
        arg("state"), arg("e"), "The state 2**e steps ahead.");
  m.def("mrg_guess_n_streams", &mrg_guess_n_streams, arg("n_elements"), "Theano's guess_n_streams for a known size.");
  m.def("mrg_uniform", [](nb::handle rstate, nb::handle size, nb::handle dtype, std::optional<int> ndim) {
    auto r = mrg_uniform(as_var(rstate), size_arg(size, ndim), dtype_arg(dtype));
    return nb::make_tuple(r.first, r.second);
  }, arg("rstate"), arg("size"), arg("dtype") = nb::none(), arg("ndim") = nb::none(),
     "(new rstate, sample) of the mrg_uniform op over an int32 state matrix.");
  m.def("multinomial_from_uniform", [](nb::handle p, nb::handle u, nb::handle n, nb::handle dtype) {
    return multinomial_from_uniform(as_var(p), as_var(u), as_var(n), dtype_arg(dtype));
  }, arg("pvals"), arg("unis"), arg("n"), arg("dtype") = "int64", "Theano's MultinomialFromUniform.");
  m.def("choice_from_uniform", [](nb::handle p, nb::handle u, nb::handle n, nb::handle dtype) {
    return choice_from_uniform(as_var(p), as_var(u), as_var(n), dtype_arg(dtype));
  }, arg("pvals"), arg("unis"), arg("n"), arg("dtype") = "int64", "Theano's ChoiceFromUniform (without replacement).");
}

}  // namespace hypatia::py
