// The op codec registry: op classes by typeid name, and the byte format of their params.
#include "hypatia/graph/op_codec.h"
#include "hypatia/graph/op_codec_graphs.h"

#include <cstring>
#include <map>
#include <mutex>

#include "hypatia/graph/op.h"
#include "hypatia/util/error.h"

namespace hypatia {

namespace {
struct Entry {
  std::string name;
  OpEncodeFn encode = nullptr;
  OpDecodeFn decode = nullptr;
  OpDecodeGraphsFn decode_graphs = nullptr;  // ops over inner graphs (op_codec_graphs.h)
  std::string why;
  bool custom = false;  // hand-written (register_custom_op_class): OpBase's registration leaves it
};
// Filled during static initialisation (one entry per OpBase class), read afterwards.
std::map<std::string, Entry>& registry() {
  static std::map<std::string, Entry> r;
  return r;
}
std::mutex& registry_mu() {
  static std::mutex mu;
  return mu;
}
}  // namespace

void ParamWriter::i64(int64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  bytes.append(b, 8);
}
void ParamWriter::f64(double v) {
  char b[8];
  std::memcpy(b, &v, 8);
  bytes.append(b, 8);
}
void ParamWriter::str(const std::string& s) {
  i64(static_cast<int64_t>(s.size()));
  bytes += s;
}

void ParamReader::need(size_t n) const {
  if (n > b_.size() - pos_)
    value_error("[pickle] the parameters of op ", op_, " are truncated (expected ", n, " more bytes, ",
                b_.size() - pos_, " left)");
}
int64_t ParamReader::i64() {
  need(8);
  int64_t v;
  std::memcpy(&v, b_.data() + pos_, 8);
  pos_ += 8;
  return v;
}
double ParamReader::f64() {
  need(8);
  double v;
  std::memcpy(&v, b_.data() + pos_, 8);
  pos_ += 8;
  return v;
}
size_t ParamReader::count() {
  int64_t n = i64();
  // Every element takes at least 8 bytes.
  if (n < 0 || static_cast<uint64_t>(n) > (b_.size() - pos_) / 8 + 1)
    value_error("[pickle] the parameters of op ", op_, " hold a bad length ", n, " (expected at most ",
                (b_.size() - pos_) / 8, ")");
  return static_cast<size_t>(n);
}
std::string ParamReader::str() {
  int64_t n = i64();
  if (n < 0) value_error("[pickle] the parameters of op ", op_, " hold a negative string length ", n);
  need(static_cast<size_t>(n));
  std::string s = b_.substr(pos_, static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n);
  return s;
}
void ParamReader::finish() const {
  if (pos_ != b_.size())
    value_error("[pickle] the parameters of op ", op_, " have ", b_.size() - pos_,
                " bytes left over (expected none: a pickle from another version?)");
}

bool register_op_class(const char* key, const char* name, OpEncodeFn encode, OpDecodeFn decode, const char* why) {
  std::lock_guard<std::mutex> lock(registry_mu());
  auto it = registry().find(key);
  if (it != registry().end() && it->second.custom) return true;
  registry()[key] = Entry{name, encode, decode, nullptr, why};
  return true;
}

bool register_custom_op_class(const char* key, const char* name, OpEncodeFn encode, OpDecodeFn decode) {
  std::lock_guard<std::mutex> lock(registry_mu());
  registry()[key] = Entry{name, encode, decode, nullptr, "", true};
  return true;
}

bool register_inner_graph_op_class(const char* key, const char* name, OpEncodeFn encode, OpDecodeGraphsFn decode) {
  std::lock_guard<std::mutex> lock(registry_mu());
  Entry e;
  e.name = name;
  e.encode = encode;
  e.decode_graphs = decode;
  registry()[key] = e;
  return true;
}

std::pair<std::string, std::string> encode_op(const Op& op) {
  const char* key = typeid(op).name();
  Entry e;
  {
    std::lock_guard<std::mutex> lock(registry_mu());
    auto it = registry().find(key);
    if (it == registry().end())
      type_error("[pickle] cannot serialise op ", op.str(),
                 ": expected an op declared with OpBase or scan (OpFromGraph, whose gradient overrides may be "
                 "Python callables, and Print, whose printer may be one, cannot be pickled)");
    e = it->second;
  }
  if (!e.encode) type_error("[pickle] cannot serialise op ", op.str(), ": ", e.why);
  ParamWriter w;
  e.encode(op, w);
  return {key, std::move(w.bytes)};
}

std::shared_ptr<const Op> decode_op(const std::string& key, const std::string& bytes) {
  return decode_op(key, bytes, {});
}

std::shared_ptr<const Op> decode_op(const std::string& key, const std::string& bytes,
                                    const std::vector<FunctionGraphPtr>& graphs) {
  Entry e;
  {
    std::lock_guard<std::mutex> lock(registry_mu());
    auto it = registry().find(key);
    if (it == registry().end())
      value_error("[pickle] unknown op class '", key, "': expected one of this Hypatia build's ops (",
                  registry().size(), " registered); the pickle comes from another version");
    e = it->second;
  }
  ParamReader r(bytes, e.name);
  if (e.decode_graphs) {
    if (graphs.size() != 1)
      value_error("[pickle] op ", e.name, " expected 1 inner graph, got ", graphs.size());
    return e.decode_graphs(r, graphs);
  }
  if (!e.decode) value_error("[pickle] cannot rebuild op ", e.name, ": ", e.why);
  if (!graphs.empty()) value_error("[pickle] op ", e.name, " has no inner graphs, got ", graphs.size());
  return e.decode(r);
}

std::vector<OpClassInfo> registered_op_classes() {
  std::lock_guard<std::mutex> lock(registry_mu());
  std::vector<OpClassInfo> out;
  for (const auto& [key, e] : registry()) out.push_back({key, e.name, e.encode != nullptr, e.why});
  return out;
}

std::string op_class_name(const std::string& key) {
  std::lock_guard<std::mutex> lock(registry_mu());
  auto it = registry().find(key);
  return it == registry().end() ? std::string() : it->second.name;
}

}  // namespace hypatia
