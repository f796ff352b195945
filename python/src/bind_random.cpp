// Python bindings of the tensor random family: RandomState values, raw_random functions,
// RandomStreams, and the rng / update / default_update attributes of variables.
#include <random>

#include "bindings.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/random.h"

namespace hypatia::py {

namespace {

// Theano's size argument: None, an int, a tuple/list mixing ints and integer scalar variables,
// or one integer vector variable such as x.shape (size_from_vector finds its entries).
SizeArg as_size(nb::handle size, const char* who) {
  if (size.is_none()) return std::nullopt;
  if (PyLong_Check(size.ptr())) return std::vector<Var>{as_var(size)};
  if (!nb::isinstance<Var>(size) && PyIndex_Check(size.ptr())) return std::vector<Var>{as_var(size)};  // numpy ints
  if (nb::isinstance<Var>(size)) {
    Var v = nb::cast<Var>(size);
    if (v.type()->ndim() == 0) return std::vector<Var>{v};
    return size_from_vector(v, std::nullopt, who);
  }
  if (PyFloat_Check(size.ptr()) || PyUnicode_Check(size.ptr()) || !PyObject_HasAttrString(size.ptr(), "__iter__"))
    type_error("[", who, "] size must be an int, a tuple of integers or integer scalar variables, or an integer "
               "vector variable such as x.shape; got ", nb::cast<std::string>(nb::repr(size)));
  std::vector<Var> out;
  for (auto d : size) out.push_back(as_var(d));
  return out;
}


Var opt_var(nb::handle h) { return h.is_none() ? Var() : as_var(h); }
nb::tuple as_tuple(const RandomPair& p) { return nb::make_tuple(p.first, p.second); }

uint64_t seed_of(nb::handle seed) {
  if (seed.is_none()) {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }
  nb::object v = nb::steal(PyNumber_Index(seed.ptr()));
  if (!v.is_valid()) {
    PyErr_Clear();
    type_error("[RandomState] seed must be an integer or None");
  }
  if (PyObject_RichCompareBool(v.ptr(), nb::int_(0).ptr(), Py_LT) == 1) value_error("[RandomState] seed must be non-negative");
  return static_cast<uint64_t>(PyLong_AsUnsignedLongLongMask(v.ptr()));
}

std::optional<uint64_t> opt_seed(nb::handle seed) {
  if (seed.is_none()) return std::nullopt;
  return seed_of(seed);
}

}  // namespace

void init_random(nb::module_& m) {
  nb::class_<OpaqueValue>(m, "OpaqueValue", "A runtime value that is not an array (e.g. a random state).")
      .def("__repr__", &OpaqueValue::repr);
  nb::class_<RandomStateValue, OpaqueValue>(m, "RandomState",
      "A random generator state (xoshiro256** seeded by splitmix64), the value of the shared "
      "variables RandomStreams makes. RandomState(seed=None) seeds it with the non-negative int seed (None: a "
      "random seed). Raises TypeError when seed is not an integer or None, ValueError when it is negative; "
      "set_state raises ValueError for a state get_state did not return.")
      .def("__init__", [](RandomStateValue* self, nb::handle seed) { new (self) RandomStateValue(seed_of(seed)); },
           nb::arg("seed") = nb::none(), "RandomState(seed=None): a generator seeded with seed (None: a random seed).")
      .def("seed", [](RandomStateValue& s, nb::handle seed) { s.seed(seed_of(seed)); }, nb::arg("seed") = nb::none(),
           "Resets the state as a fresh generator with this seed (in place).")
      .def("get_state", [](const RandomStateValue& s) {
        const auto& w = s.words();
        return nb::make_tuple("xoshiro256**", nb::make_tuple(w[0], w[1], w[2], w[3]));
      }, "The generator state as a tuple (for set_state).")
      .def("set_state", [](RandomStateValue& s, nb::tuple st) {
        if (nb::len(st) != 2 || nb::cast<std::string>(st[0]) != "xoshiro256**")
          value_error("[RandomState] set_state expects ('xoshiro256**', (w0, w1, w2, w3)) as get_state returns");
        nb::tuple w = nb::cast<nb::tuple>(st[1]);
        if (nb::len(w) != 4) value_error("[RandomState] the state has 4 words");
        s.set_words({nb::cast<uint64_t>(w[0]), nb::cast<uint64_t>(w[1]), nb::cast<uint64_t>(w[2]), nb::cast<uint64_t>(w[3])});
      }, "Restores a state returned by get_state.")
      .def("random_sample", [](RandomStateValue& s) { return s.uniform01(); }, "One float in [0, 1) (advances the state).")
      .def("randint", [](RandomStateValue& s, int64_t low, std::optional<int64_t> high) {
        int64_t lo = high ? low : 0, hi = high ? *high : low;
        if (hi <= lo) value_error("[RandomState] randint needs low < high");
        return lo + static_cast<int64_t>(s.below(static_cast<uint64_t>(hi - lo)));
      }, nb::arg("low"), nb::arg("high") = nb::none(), "An integer in [low, high) (advances the state).")
      .def("__copy__", [](const RandomStateValue& s) { return std::make_shared<RandomStateValue>(s); })
      .def("__deepcopy__", [](const RandomStateValue& s, nb::handle) { return std::make_shared<RandomStateValue>(s); })
      .def("__eq__", [](const RandomStateValue& a, nb::handle b) {
        return nb::isinstance<RandomStateValue>(b) && a == nb::cast<const RandomStateValue&>(b);
      })
      .def("__hash__", [](const RandomStateValue& s) { return static_cast<Py_ssize_t>(s.words()[0] >> 1); });

  // Random variables (theano.tensor.raw_random): _core.random.<distribution>.
  nb::module_ r = m.def_submodule("random", "Random states and distributions (hypatia.tensor.raw_random).");
  r.def("shared_random_state", [](nb::handle seed, std::optional<std::string> name) {
    return shared_random_state(seed_of(seed), name.value_or(""));
  }, nb::arg("seed") = nb::none(), nb::arg("name") = nb::none(), "A shared variable holding a random state seeded with seed (None: a random seed).");

  r.def("uniform", [](const Var& r, nb::handle size, nb::handle low, nb::handle high, nb::handle dtype) {
    return as_tuple(random_uniform(r, as_size(size, "uniform"), opt_var(low), opt_var(high), opt_dtype(dtype)));
  }, nb::arg("random_state"), nb::arg("size") = nb::none(), nb::arg("low") = nb::none(), nb::arg("high") = nb::none(), nb::arg("dtype") = nb::none(), "(new state, samples): uniform samples in [low, high) drawn from the state r.");
  r.def("normal", [](const Var& r, nb::handle size, nb::handle avg, nb::handle std, nb::handle dtype) {
    return as_tuple(random_normal(r, as_size(size, "normal"), opt_var(avg), opt_var(std), opt_dtype(dtype)));
  }, nb::arg("random_state"), nb::arg("size") = nb::none(), nb::arg("avg") = nb::none(), nb::arg("std") = nb::none(), nb::arg("dtype") = nb::none(), "(new state, samples): normal samples (avg, std) drawn from the state r.");
  r.def("binomial", [](const Var& r, nb::handle size, nb::handle n, nb::handle p, nb::handle dtype) {
    return as_tuple(random_binomial(r, as_size(size, "binomial"), opt_var(n), opt_var(p), opt_dtype(dtype)));
  }, nb::arg("random_state"), nb::arg("size") = nb::none(), nb::arg("n") = nb::none(), nb::arg("p") = nb::none(), nb::arg("dtype") = nb::none(), "(new state, samples): binomial samples (n, p) drawn from the state r.");
  r.def("integers", [](const Var& r, nb::handle size, nb::handle low, nb::handle high, nb::handle dtype) {
    return as_tuple(random_integers(r, as_size(size, "random_integers"), opt_var(low), opt_var(high), opt_dtype(dtype)));
  }, nb::arg("random_state"), nb::arg("size") = nb::none(), nb::arg("low") = nb::none(), nb::arg("high") = nb::none(), nb::arg("dtype") = nb::none(), "(new state, samples): integers in [low, high] drawn from the state r.");
  r.def("poisson", [](const Var& r, nb::handle size, nb::handle lam, nb::handle dtype) {
    return as_tuple(random_poisson(r, as_size(size, "poisson"), opt_var(lam), opt_dtype(dtype)));
  }, nb::arg("random_state"), nb::arg("size") = nb::none(), nb::arg("lam") = nb::none(), nb::arg("dtype") = nb::none(), "(new state, samples): Poisson samples (lam) drawn from the state r.");
  r.def("choice", [](const Var& r, nb::handle size, nb::handle a, bool replace, nb::handle p, nb::handle dtype) {
    return as_tuple(random_choice(r, as_size(size, "choice"), opt_var(a), replace, opt_var(p), opt_dtype(dtype)));
  }, nb::arg("random_state"), nb::arg("size") = nb::none(), nb::arg("a") = nb::none(), nb::arg("replace") = true,
     nb::arg("p") = nb::none(), nb::arg("dtype") = nb::none(), "(new state, samples): choices from a (replace, p) drawn from the state r.");
  r.def("permutation", [](const Var& r, nb::handle size, nb::handle n, nb::handle dtype) {
    return as_tuple(random_permutation(r, as_size(size, "permutation"), opt_var(n), opt_dtype(dtype)));
  }, nb::arg("random_state"), nb::arg("size") = nb::none(), nb::arg("n") = nb::none(), nb::arg("dtype") = nb::none(), "(new state, samples): permutations of range(n) drawn from the state r.");
  r.def("multinomial", [](const Var& r, nb::handle size, nb::handle n, nb::handle pvals, nb::handle dtype) {
    return as_tuple(random_multinomial(r, as_size(size, "multinomial"), opt_var(n), opt_var(pvals), opt_dtype(dtype)));
  }, nb::arg("random_state"), nb::arg("size") = nb::none(), nb::arg("n") = nb::none(), nb::arg("pvals") = nb::none(), nb::arg("dtype") = nb::none(), "(new state, samples): multinomial counts (n, pvals) drawn from the state r.");

  r.def("size_from_vector", [](const Var& size, std::optional<int> ndim, const std::string& who) {
    return size_from_vector(size, ndim, who.c_str());
  }, nb::arg("size"), nb::arg("ndim") = nb::none(), nb::arg("who") = "size",
     "The entries of a symbolic sample shape (an integer vector such as x.shape) as int64 scalars; "
     "ndim gives the length when the graph does not (then checked at run time).", "A symbolic size vector as a list of scalars (its length must be known; ndim checks it).");

  nb::class_<RandomStreams>(m, "RandomStreams", "Theano's shared RandomStreams: random variables whose states are shared variables advanced by default updates.")
      .def("__init__", [](RandomStreams* self, nb::handle seed) { new (self) RandomStreams(opt_seed(seed)); },
           nb::arg("seed") = nb::none(), "RandomStreams(seed=None): streams seeded from seed (None: a random seed).")
      .def("seed", [](RandomStreams& s, nb::handle seed) { s.seed(opt_seed(seed)); }, nb::arg("seed") = nb::none(), "Re-seeds the generator(s) (None: a fresh random seed).")
      .def("updates", [](const RandomStreams& s) { return s.updates(); }, "The (state, new state) pairs that advance every stream's random state.")
      .def_prop_ro("state_updates", [](const RandomStreams& s) { return s.state_updates(); }, "The (state variable, new state) pairs of the streams made so far.")
      .def("uniform", [](RandomStreams& s, nb::handle size, nb::handle low, nb::handle high, nb::handle dtype) {
        return s.uniform(as_size(size, "uniform"), opt_var(low), opt_var(high), opt_dtype(dtype));
      }, nb::arg("size") = nb::none(), nb::arg("low") = nb::none(), nb::arg("high") = nb::none(), nb::arg("dtype") = nb::none(), "Uniform samples in [low, high) of the given size (Theano's RandomStreams.uniform).")
      .def("normal", [](RandomStreams& s, nb::handle size, nb::handle avg, nb::handle std, nb::handle dtype) {
        return s.normal(as_size(size, "normal"), opt_var(avg), opt_var(std), opt_dtype(dtype));
      }, nb::arg("size") = nb::none(), nb::arg("avg") = nb::none(), nb::arg("std") = nb::none(), nb::arg("dtype") = nb::none(), "Normal samples with mean avg and deviation std of the given size.")
      .def("binomial", [](RandomStreams& s, nb::handle size, nb::handle n, nb::handle p, nb::handle dtype) {
        return s.binomial(as_size(size, "binomial"), opt_var(n), opt_var(p), opt_dtype(dtype));
      }, nb::arg("size") = nb::none(), nb::arg("n") = nb::none(), nb::arg("p") = nb::none(), nb::arg("dtype") = nb::none(), "Binomial samples (n trials, probability p) of the given size.")
      .def("random_integers", [](RandomStreams& s, nb::handle size, nb::handle low, nb::handle high, nb::handle dtype) {
        return s.random_integers(as_size(size, "random_integers"), opt_var(low), opt_var(high), opt_dtype(dtype));
      }, nb::arg("size") = nb::none(), nb::arg("low") = nb::none(), nb::arg("high") = nb::none(), nb::arg("dtype") = nb::none(), "Integers uniform in [low, high] (inclusive) of the given size.")
      .def("poisson", [](RandomStreams& s, nb::handle size, nb::handle lam, nb::handle dtype) {
        return s.poisson(as_size(size, "poisson"), opt_var(lam), opt_dtype(dtype));
      }, nb::arg("size") = nb::none(), nb::arg("lam") = nb::none(), nb::arg("dtype") = nb::none(), "Poisson samples with rate lam of the given size.")
      .def("choice", [](RandomStreams& s, nb::handle size, nb::handle a, bool replace, nb::handle p, nb::handle dtype) {
        return s.choice(as_size(size, "choice"), opt_var(a), replace, opt_var(p), opt_dtype(dtype));
      }, nb::arg("size") = nb::none(), nb::arg("a") = nb::none(), nb::arg("replace") = true, nb::arg("p") = nb::none(),
         nb::arg("dtype") = nb::none(), "Samples from a (an int n: range(n)), with or without replacement, probabilities p.")
      .def("permutation", [](RandomStreams& s, nb::handle size, nb::handle n, nb::handle dtype) {
        return s.permutation(as_size(size, "permutation"), opt_var(n), opt_dtype(dtype));
      }, nb::arg("size") = nb::none(), nb::arg("n") = nb::none(), nb::arg("dtype") = nb::none(), "Random permutations of range(n), one per element of size.")
      .def("multinomial", [](RandomStreams& s, nb::handle size, nb::handle n, nb::handle pvals, nb::handle dtype) {
        return s.multinomial(as_size(size, "multinomial"), opt_var(n), opt_var(pvals), opt_dtype(dtype));
      }, nb::arg("size") = nb::none(), nb::arg("n") = nb::none(), nb::arg("pvals") = nb::none(), nb::arg("dtype") = nb::none(), "Multinomial counts of n draws over probabilities pvals.");

  // Variable attributes: .rng and .update of a random sample; default_update of shared variables.
  nb::handle cls = nb::type<Var>();
  nb::object property = nb::module_::import_("builtins").attr("property");
  nb::setattr(cls, "rng", property(nb::cpp_function([](const Var& v) -> Var {
    Var r = random_rng_of(v);
    if (!r) throw nb::attribute_error("[rng] this variable is not the sample of a random op");
    return r;
  }, nb::is_method()), nb::none(), nb::none(), "The random state a random variable was drawn from."));
  nb::setattr(cls, "update", property(nb::cpp_function([](const Var& v) {
    Var r = random_rng_of(v);
    if (!r) throw nb::attribute_error("[update] this variable is not the sample of a random op");
    return nb::make_tuple(r, random_new_state_of(v));
  }, nb::is_method()), nb::none(), nb::none(), "The (state, new state) pair that advances a random variable's state."));
  nb::setattr(cls, "default_update", property(
      nb::cpp_function([](const Var& v) -> nb::object {
        Var u = get_default_update(v);
        if (!u) return nb::none();
        return nb::cast(u);
      }, nb::is_method()),
      nb::cpp_function([](const Var& v, nb::handle u) {
        if (!v->is_shared()) type_error("[default_update] ", v->str(), " is not a shared variable");
        if (u.is_none()) {
          set_default_update(v, Var());
          return;
        }
        Var e = as_var(u);
        if (!same_type(v.type(), e.type()))
          type_error("[default_update] the update has type ", e.type()->str(), ", expected ", v.type()->str());
        set_default_update(v, e);
      }, nb::is_method(), nb::arg("value").none()),
      nb::none(), "A shared variable's default update (Theano's default_update), applied by functions that give none."));
}

}  // namespace hypatia::py
