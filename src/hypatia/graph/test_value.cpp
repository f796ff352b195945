// Test values: a side table keyed by variable id (weakly held), and their computation per new node.
#include "hypatia/graph/test_value.h"

#include <mutex>
#include <unordered_map>

#include "hypatia/graph/op.h"

namespace hypatia {

namespace {

struct Entry {
  std::weak_ptr<Variable> var;  // the entry is stale once the variable is gone
  std::shared_ptr<const Value> value;
};

std::mutex g_mu;
TestValueHooks g_hooks;
std::unordered_map<uint64_t, Entry> g_values;  // by Variable::id, never reused
size_t g_prune_at = 1024;
thread_local int g_suspended = 0;

std::string node_text(const Apply& node) {
  std::string s = node.op()->str() + "(";
  for (int i = 0; i < node.nin(); ++i) s += str_cat(i ? ", " : "", node.input(i)->str());
  return s + ")";
}

std::string where() {
  TestValueHooks h;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    h = g_hooks;
  }
  std::string loc = h.location ? h.location() : "";
  return loc.empty() ? "" : "\nThe node was built at: " + loc;
}

}  // namespace

void set_test_value_hooks(TestValueHooks hooks) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_hooks = std::move(hooks);
}

TestValueMode test_value_mode() {
  if (g_suspended) return TestValueMode::Off;
  std::function<TestValueMode()> mode;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    mode = g_hooks.mode;
  }
  return mode ? mode() : TestValueMode::Off;
}

std::shared_ptr<const Value> get_test_value(const Var& v) {
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = g_values.find(v->id);
    if (it != g_values.end() && !it->second.var.expired()) return it->second.value;
  }
  if (v->is_constant()) return v->constant;
  if (v->is_shared()) return std::make_shared<const Value>(v->container->get());
  return nullptr;
}

void set_test_value(const Var& v, std::shared_ptr<const Value> value) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!value) {
    g_values.erase(v->id);
    return;
  }
  g_values[v->id] = Entry{v.ptr(), std::move(value)};
  if (g_values.size() >= g_prune_at) {
    for (auto it = g_values.begin(); it != g_values.end();) it = it->second.var.expired() ? g_values.erase(it) : std::next(it);
    g_prune_at = std::max<size_t>(1024, 2 * g_values.size());
  }
}

TestValueSuspend::TestValueSuspend() { ++g_suspended; }
TestValueSuspend::~TestValueSuspend() { --g_suspended; }

void compute_test_values(Apply& node) {
  const TestValueMode mode = test_value_mode();
  if (mode == TestValueMode::Off) return;
  std::vector<Value> ins;
  for (int i = 0; i < node.nin(); ++i) {
    std::shared_ptr<const Value> tv = get_test_value(node.input(i));
    if (tv) {
      ins.push_back(deep_copy(*tv));  // perform may overwrite its inputs (destroy_map)
      continue;
    }
    if (mode == TestValueMode::Ignore) return;
    const std::string msg = str_cat("[compute_test_value] input ", i, " (", node.input(i)->str(), ") of ", node_text(node),
                                    " has no test value; expected one in its tag.test_value (config.compute_test_value='",
                                    mode == TestValueMode::Warn ? "warn" : mode == TestValueMode::Pdb ? "pdb" : "raise",
                                    "'; 'ignore' skips such nodes)", where());
    if (mode == TestValueMode::Raise) value_error(msg);
    TestValueHooks h;
    {
      std::lock_guard<std::mutex> lock(g_mu);
      h = g_hooks;
    }
    if (h.report) h.report(mode, msg);
    return;
  }
  std::vector<const Value*> ptrs;
  for (const Value& v : ins) ptrs.push_back(&v);
  std::vector<Value> outs(node.nout());
  TestValueSuspend inner;  // an op whose perform builds graphs (scan) must not recurse here
  try {
    node.op()->perform(node, ptrs.data(), outs.data());
  } catch (const std::exception& e) {
    std::string shapes;
    for (size_t i = 0; i < ins.size(); ++i) shapes += str_cat(i ? ", " : "", shape_str(value_shape(ins[i])));
    const Error err = as_error(e, node.op()->str());
    throw Error(err.kind(), str_cat("[compute_test_value] computing the test value of ", node_text(node),
                                    " failed: ", err.what(), "\nInput test value shapes: [", shapes, "]", where()));
  }
  for (int i = 0; i < node.nout(); ++i) set_test_value(node.output(i), std::make_shared<const Value>(std::move(outs[i])));
}

}  // namespace hypatia
