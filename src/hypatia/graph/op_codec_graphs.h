// Op codecs for ops over inner graphs (scan): an info struct with fields() plus the inner graph.
#pragma once
#include <memory>
#include <vector>

#include "hypatia/graph/function_graph.h"
#include "hypatia/graph/op_codec.h"

namespace hypatia {

using OpDecodeGraphsFn = std::shared_ptr<const Op> (*)(ParamReader&, const std::vector<FunctionGraphPtr>&);

/// Registers an op class whose identity is an info struct plus inner graphs: `encode` writes
/// the info, the inner graphs travel beside the bytes (Op::inner_graphs()), `decode` rebuilds
/// the op from both.
bool register_inner_graph_op_class(const char* key, const char* name, OpEncodeFn encode, OpDecodeGraphsFn decode);

/// The op of class `key` from its params bytes and inner graphs (as Op::inner_graphs() gave
/// them). ValueError "[pickle] ..." for an unknown class, malformed bytes or a wrong number of graphs.
std::shared_ptr<const Op> decode_op(const std::string& key, const std::string& bytes,
                                    const std::vector<FunctionGraphPtr>& graphs);

/// Registers a hand-written codec for an op class. It takes precedence over the automatic one
/// OpBase registers, whatever the order of static initialisation: for params that must travel
/// but stay out of fields() (IfElse's name, which equality ignores).
bool register_custom_op_class(const char* key, const char* name, OpEncodeFn encode, OpDecodeFn decode);

/// One registered op class: its key (typeid name, which op_class_key gives for an instance), its
/// printed name, whether it can be pickled, and why not.
struct OpClassInfo {
  std::string key;
  std::string name;
  bool serialisable = false;
  std::string why;
};
/// Every op class registered with the codec (each OpBase class, scan), by name.
std::vector<OpClassInfo> registered_op_classes();

namespace op_codec_detail {
template <class D>
void encode_info(const Op& op, ParamWriter& w) {
  std::apply([&](const auto&... f) { (put(w, f), ...); }, static_cast<const D&>(op).info().fields());
}
template <class D, class Info>
std::shared_ptr<const Op> decode_info(ParamReader& r, const std::vector<FunctionGraphPtr>& graphs) {
  Info p{};
  std::apply([&](const auto&... f) { (get(r, const_cast<std::remove_cvref_t<decltype(f)>&>(f)), ...); }, p.fields());
  r.finish();
  return std::make_shared<D>(std::move(p), graphs.at(0));
}
}  // namespace op_codec_detail

/// Registers D, built as D(Info, FunctionGraphPtr) with info() returning its Info (Scan). One
/// line in the op's source file: `const bool registered = register_info_graph_op<D, Info>();`.
template <class D, class Info>
bool register_info_graph_op() {
  static_assert(op_codec_detail::fields_ok<decltype(std::declval<const Info&>().fields())>::decodable,
                "the info struct's fields() must tie members of kinds the op codec writes");
  return register_inner_graph_op_class(typeid(D).name(), D::kName, &op_codec_detail::encode_info<D>,
                                       &op_codec_detail::decode_info<D, Info>);
}

}  // namespace hypatia
