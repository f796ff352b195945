// Bindings for pickling: native ops to and from (class key, parameter bytes) (hypatia._pickle).
#include <cxxabi.h>

#include <cstdlib>

#include <nanobind/stl/array.h>

#include "bindings.h"
#include "hypatia/graph/op_codec_graphs.h"
#include "hypatia/graph/shared.h"
#include "hypatia/tensor/ops/random.h"

namespace hypatia::py {

/// hypatia.Type's handle, as bind_graph.cpp defines it (the same definition, so the same class).
struct PyType {
  TypePtr t;
};

void init_pickle(nb::module_& root) {
  nb::module_ m = root.def_submodule("pickle", "The native half of hypatia._pickle: op serialisation.");
  m.def("encode_op", [](const PyOp& op) {
    auto [key, bytes] = encode_op(*op.op);
    nb::list graphs;
    for (const FunctionGraphPtr& g : op.op->inner_graphs()) graphs.append(nb::cast(std::const_pointer_cast<FunctionGraph>(g)));
    return nb::make_tuple(nb::str(key.c_str()), nb::bytes(bytes.data(), bytes.size()), graphs);
  }, nb::arg("op"),
     "(class key, params bytes, inner FunctionGraphs) of a native op: written from its params struct's fields(), "
     "so every op declared with OpBase pickles without code of its own (scan: its info and inner graph). "
     "TypeError for ops that cannot be written.");
  m.def("decode_op", [](const std::string& key, nb::bytes bytes, std::vector<std::shared_ptr<FunctionGraph>> graphs) {
    std::vector<FunctionGraphPtr> gs(graphs.begin(), graphs.end());
    return op_to_python(decode_op(key, std::string(bytes.c_str(), bytes.size()), gs));
  }, nb::arg("key"), nb::arg("params"), nb::arg("graphs") = std::vector<std::shared_ptr<FunctionGraph>>{},
     "The native op of class `key` rebuilt from the bytes (and inner graphs) encode_op gave. ValueError for an "
     "unknown class, malformed bytes or the wrong number of graphs.");
  m.def("make_constant", [](const PyType& t, nb::handle value, std::optional<std::string> name) {
    return make_constant(t.t, t.t->filter(to_value(value, t.t.get()), false, false), name.value_or(""));
  }, nb::arg("type"), nb::arg("value"), nb::arg("name").none() = nb::none(),
     "A constant of exactly this type holding value (TypeError/ValueError when the value does not fit it).");
  m.def("make_shared", [](const PyType& t, nb::handle value, std::optional<std::string> name) {
    return make_shared_variable(to_value(value, t.t.get()), t.t, name.value_or(""), false);
  }, nb::arg("type"), nb::arg("value"), nb::arg("name").none() = nb::none(),
     "A shared variable of exactly this type (broadcastable flags included) holding a copy of value.");
  m.def("streams_state", [](const RandomStreams& s) {
    const auto& w = s.seed_generator().words();
    return nb::make_tuple(s.default_seed() ? nb::cast(*s.default_seed()) : nb::none(),
                          nb::make_tuple(w[0], w[1], w[2], w[3]), s.state_updates());
  }, nb::arg("streams"), "(seed or None, seed generator words, (state, new state) pairs) of RandomStreams.");
  m.def("restore_streams", [](std::optional<uint64_t> seed, std::array<uint64_t, 4> words,
                              std::vector<std::pair<Var, Var>> state_updates) {
    RandomStateValue g;
    g.set_words(words);
    return RandomStreams::restore(seed, g, std::move(state_updates));
  }, nb::arg("seed").none(), nb::arg("words"), nb::arg("state_updates"),
     "RandomStreams rebuilt from what streams_state returned (the state variables already rebuilt).");
  m.def("registered_op_classes", [] {
    nb::list l;
    for (const OpClassInfo& c : registered_op_classes()) l.append(nb::make_tuple(c.name, c.serialisable, c.why));
    return l;
  }, "(name, serialisable, why not) for every op class the codec knows (each OpBase class, and scan).");
  m.def("op_class_keys", [] {
    nb::list l;
    for (const OpClassInfo& c : registered_op_classes()) {
      int status = 0;
      char* d = abi::__cxa_demangle(c.key.c_str(), nullptr, nullptr, &status);
      l.append(nb::make_tuple(c.key, c.name, status == 0 && d ? std::string(d) : c.key));
      std::free(d);
    }
    return l;
  }, "(key, printed name, C++ class) for every op class the codec knows: an op instance's _class_key is "
     "one of the keys, which is how Theano's op classes (hypatia.sparse.StructuredDot, hypatia.tensor.Elemwise) "
     "answer isinstance.");
  m.def("op_class_name", [](const std::string& key) { return op_class_name(key); }, nb::arg("key"),
        "The printed class name registered under an encode_op key ('' when unknown).");
}

}  // namespace hypatia::py
