// debugprint, pprint and dot_graph; all walks use explicit stacks so deep graphs print too.
#include "hypatia/graph/print.h"

#include <algorithm>

#include <charconv>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "hypatia/graph/traversal.h"

namespace hypatia {

// ---- debugprint ----

namespace {

/// Theano's char_from_number: 0 -> A, 25 -> Z, 26 -> BA (base 26 with A as zero).
std::string char_id(size_t n) {
  if (n == 0) return "A";
  std::string s;
  while (n) {
    s.insert(s.begin(), static_cast<char>('A' + n % 26));
    n /= 26;
  }
  return s;
}

std::string debugprint_impl(const std::vector<Var>& vars, const DebugPrintOptions& opts,
                            const std::vector<Apply*>* order) {
  std::unordered_map<Apply*, size_t> position;
  if (order)
    for (size_t i = 0; i < order->size(); ++i) position[(*order)[i]] = i;
  // Ids are keyed by Apply for computed variables (all outputs of a node share one) and by
  // Variable for leaves, as in Theano. Ids from an earlier call (done, used_ids) are reused.
  std::unordered_map<const void*, std::string> ids;
  std::unordered_set<const void*> done;
  size_t next_id = 0;
  for (auto* m : {opts.done, opts.used_ids})
    if (m) next_id += m->size();
  auto key_of = [](const void* p) { return reinterpret_cast<std::uintptr_t>(p); };
  auto id_of = [&](const void* key) -> std::string {
    auto it = ids.find(key);
    if (it != ids.end()) return it->second;
    for (auto* m : {opts.done, opts.used_ids}) {
      if (!m) continue;
      auto found = m->find(key_of(key));
      if (found != m->end()) return ids.emplace(key, found->second).first->second;
    }
    std::string s;
    size_t n = next_id++;
    if (opts.ids == DebugPrintOptions::Ids::Char) s = "[id " + char_id(n) + "]";
    else if (opts.ids == DebugPrintOptions::Ids::Int) s = str_cat("[id ", n, "]");
    else if (opts.ids == DebugPrintOptions::Ids::Ptr) s = str_cat("[id ", key_of(key), "]");
    ids.emplace(key, s);
    if (opts.used_ids) (*opts.used_ids)[key_of(key)] = s;
    return s;
  };
  auto was_done = [&](const void* key) {
    return done.count(key) > 0 || (opts.done && opts.done->count(key_of(key)) > 0);
  };
  auto mark_done = [&](const void* key) {
    done.insert(key);
    if (opts.done) (*opts.done)[key_of(key)] = id_of(key);
  };
  // Clients of each variable within the printed graph (for print_clients).
  std::unordered_map<const Variable*, std::vector<Apply*>> clients;
  std::unordered_set<const Variable*> is_output;
  if (opts.print_clients) {
    for (const Var& v : vars) is_output.insert(v.get());
    for (const Var& v : ancestors(vars))
      if (v->owner)
        for (const auto& in : v->owner->inputs()) {
          auto& c = clients[in.get()];
          if (std::find(c.begin(), c.end(), v->owner) == c.end()) c.push_back(v->owner);
        }
  }
  auto storage = [&](const Variable* v) -> std::string {
    if (!opts.print_storage) return "";
    if (v->is_constant()) return " storage=" + value_repr(*v->constant);
    if (v->is_shared()) return " storage=" + value_repr(v->container->get());
    return "";
  };

  struct Frame {
    Variable* var;
    std::string prefix, prefix_child;
    int depth;
  };
  std::ostringstream os;
  std::vector<Apply*> with_inner;  // nodes whose inner graphs are printed after the graph
  for (const Var& top : vars) {
    std::vector<Frame> stack{{top.get(), "", "", opts.depth}};
    while (!stack.empty()) {
      Frame f = std::move(stack.back());
      stack.pop_back();
      if (f.depth == 0) continue;
      Variable* v = f.var;
      std::string type_str = opts.print_type ? " <" + v->type->str() + ">" : "";
      if (Apply* a = v->owner) {
        bool already = was_done(a);
        std::string id = id_of(a);
        mark_done(a);
        std::string idx = a->nout() == 1 ? "" : str_cat(".", v->index);
        std::string o = order && position.count(a) ? std::to_string(position[a]) : "";
        // Theano: '%s%s%s %s%s \'%s\' %s %s %s' (prefix, op, idx, id, type, name, destroy_map, view_map, order)
        os << f.prefix << a->op()->str() << idx << " " << id << type_str << " '" << v->name << "'   " << o;
        if (opts.print_clients && !already) {
          const auto& c = clients[v];
          size_t n = c.size() + (is_output.count(v) ? 1 : 0);
          if (n > 1) {
            os << " clients:[";
            for (size_t i = 0; i < c.size(); ++i) {
              std::string cid = id_of(c[i]);
              os << (i ? ", " : "") << "'" << c[i]->op()->str() << (cid.empty() ? "" : " " + cid) << "'";
            }
            if (is_output.count(v)) os << (c.empty() ? "" : ", ") << "'output'";
            os << "]";
          }
        }
        os << "\n";
        if (!already && !a->op()->inner_graphs().empty()) with_inner.push_back(a);
        if (already || (opts.stop_on_name && !v->name.empty())) continue;
        for (int i = a->nin() - 1; i >= 0; --i) {
          bool last = i == a->nin() - 1;
          stack.push_back({a->input(i).get(), f.prefix_child + " |", f.prefix_child + (last ? "  " : " |"), f.depth - 1});
        }
      } else {
        std::string id = id_of(v);
        mark_done(v);
        os << f.prefix << v->str() << " " << id << type_str << storage(v) << "\n";
      }
    }
  }
  // Theano's "Inner graphs of the scan ops:": each op with inner graphs, then the outputs of
  // its graphs, every line under " >".
  if (!with_inner.empty()) os << "\nInner graphs:\n";
  for (Apply* a : with_inner) {
    os << "\n" << a->op()->str() << " " << id_of(a) << " ''\n";
    for (const FunctionGraphPtr& g : a->op()->inner_graphs()) {
      std::istringstream lines(debugprint_impl(g->outputs(), opts, nullptr));
      for (std::string line; std::getline(lines, line);) os << " >" << line << "\n";
    }
  }
  return os.str();
}

}  // namespace

std::string debugprint(const Var& var, int depth, bool print_type) {
  return debugprint(std::vector<Var>{var}, depth, print_type);
}
std::string debugprint(const std::vector<Var>& vars, int depth, bool print_type) {
  DebugPrintOptions o;
  o.depth = depth;
  o.print_type = print_type;
  return debugprint_impl(vars, o, nullptr);
}
std::string debugprint(const FunctionGraph& fg, int depth, bool print_type) {
  DebugPrintOptions o;
  o.depth = depth;
  o.print_type = print_type;
  return debugprint(fg, o);
}
std::string debugprint(const std::vector<Var>& vars, const DebugPrintOptions& opts) {
  return debugprint_impl(vars, opts, nullptr);
}
std::string debugprint(const FunctionGraph& fg, const DebugPrintOptions& opts) {
  std::vector<Apply*> order = fg.toposort();
  return debugprint_impl(fg.outputs(), opts, &order);
}

// ---- constants ----

namespace {

template <class F>
std::string shortest_float(F x) {
  if (x != x) return "nan";
  if (x == std::numeric_limits<F>::infinity()) return "inf";
  if (x == -std::numeric_limits<F>::infinity()) return "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), x);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string element_str(const NDArray& a) {
  switch (a.dtype()) {
    case DType::Bool:
      return a.item<bool>() ? "True" : "False";
    case DType::Float32:
      return shortest_float(*a.data<float>());
    case DType::Float64:
      return shortest_float(*a.data<double>());
    case DType::Complex64:
    case DType::Complex128:
      return "";
    default:
      return dispatch_dtype(a.dtype(), [&](auto tag) -> std::string {
        using T = decltype(tag);
        if constexpr (std::is_integral_v<T>) return std::to_string(*a.data<T>());
        else return "";
      });
  }
}

}  // namespace

std::string constant_value_str(const Value& v) {
  if (is_array(v)) {
    const NDArray& a = std::get<NDArray>(v);
    if (a.ndim() == 0) {
      std::string s = element_str(a);
      if (!s.empty()) return s;
    }
  }
  std::string r = value_repr(v);
  if (r.rfind("array(", 0) == 0 && r.back() == ')') r = r.substr(6, r.size() - 7);
  return r.size() > 40 ? "" : r;
}

// ---- pprint ----

std::string elemwise_scalar_name(const Op& op) {
  std::string s = op.str();
  const std::string head = "Elemwise{";
  if (s.rfind(head, 0) != 0) return "";
  int depth = 0;
  for (size_t i = head.size(); i < s.size(); ++i) {
    char c = s[i];
    if (c == '{' || c == '(') ++depth;
    else if ((c == '}' || c == ')') && depth > 0) --depth;
    else if (depth == 0 && (c == ',' || c == '}')) return s.substr(head.size(), i - head.size());
  }
  return "";
}

PrettyPrinterFn operator_printer(std::string symbol) {
  return [symbol](const Apply&, int, const std::vector<PrettyExpr>& in) -> PrettyExpr {
    auto operand = [](const PrettyExpr& e) { return e.prefix_op ? "(" + e.text + ")" : e.text; };
    if (in.size() == 1) return {symbol + operand(in[0]), true};
    std::string s = "(";
    for (size_t i = 0; i < in.size(); ++i) s += (i ? " " + symbol + " " : "") + operand(in[i]);
    return {s + ")", false};
  };
}

PrettyPrinterFn function_printer(std::string name) {
  return [name](const Apply&, int, const std::vector<PrettyExpr>& in) -> PrettyExpr {
    std::string s = name + "(";
    for (size_t i = 0; i < in.size(); ++i) s += (i ? ", " : "") + in[i].text;
    return {s + ")", false};
  };
}

namespace {

/// The pattern inside "DimShuffle{x,0}" (-1 for 'x'); nullopt when it can't be parsed.
std::optional<std::vector<int>> dimshuffle_pattern(const Op& op) {
  std::string s = op.str();
  size_t open = s.find('{'), close = s.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  std::vector<int> pat;
  std::stringstream ss(s.substr(open + 1, close - open - 1));
  std::string tok;
  while (std::getline(ss, tok, ',')) {
    if (tok == "x") pat.push_back(-1);
    else if (!tok.empty() && tok.find_first_not_of("0123456789") == std::string::npos) pat.push_back(std::stoi(tok));
    else return std::nullopt;
  }
  return pat;
}

/// Theano's DimShufflePrinter: leading broadcast axes are hidden, the identity shows the
/// input, the full reversal shows "x.T", anything else the op's call form.
PrettyExpr print_dimshuffle(const Apply& node, int, const std::vector<PrettyExpr>& in) {
  auto pat = dimshuffle_pattern(*node.op());
  if (pat && in.size() == 1) {
    size_t k = 0;
    while (k < pat->size() && (*pat)[k] == -1) ++k;
    std::vector<int> rest(pat->begin() + k, pat->end());
    int nd = node.input(0).type()->ndim();
    bool identity = static_cast<int>(rest.size()) == nd, reversed = identity;
    for (int i = 0; i < static_cast<int>(rest.size()); ++i) {
      identity &= rest[i] == i;
      reversed &= rest[i] == nd - 1 - i;
    }
    if (identity) return in[0];
    if (reversed) return {(in[0].prefix_op ? "(" + in[0].text + ")" : in[0].text) + ".T", false};
  }
  return function_printer(node.op()->str())(node, 0, in);
}

struct PrinterTable {
  std::mutex mu;
  std::unordered_map<std::string, PrettyPrinterFn> fns;
  PrinterTable() {
    for (auto [key, sym] : {std::pair{"add", "+"}, {"sub", "-"}, {"mul", "*"}, {"true_div", "/"}, {"int_div", "//"},
                            {"mod", "%"}, {"pow", "**"}, {"neg", "-"}, {"and_", "&"}, {"or_", "|"}, {"xor", "^"},
                            {"invert", "~"}})
      fns[key] = operator_printer(sym);
    fns["second"] = fns["fill"] = function_printer("fill");
    fns["Dot"] = function_printer("dot");
    fns["abs_"] = [](const Apply&, int, const std::vector<PrettyExpr>& in) -> PrettyExpr {
      return {"|" + in[0].text + "|", false};  // Theano prints abs_ as |x|
    };
    fns["DimShuffle"] = fns["InplaceDimShuffle"] = print_dimshuffle;
  }
};

PrinterTable& printers() {
  static PrinterTable table;
  return table;
}

PrettyExpr print_leaf(const Variable* v) {
  if (v->is_constant() && v->name.empty()) {
    std::string s = constant_value_str(*v->constant);
    if (!s.empty()) return {s, s[0] == '-'};
  }
  return {v->str(), false};
}

}  // namespace

void register_pprinter(const std::string& key, PrettyPrinterFn fn) {
  auto& t = printers();
  std::lock_guard<std::mutex> lock(t.mu);
  t.fns[key] = std::move(fn);
}

std::string pprint(const Var& var) {
  auto& table = printers();
  auto lookup = [&](const Op& op) -> PrettyPrinterFn {
    std::lock_guard<std::mutex> lock(table.mu);
    std::string scalar = elemwise_scalar_name(op);
    for (const std::string& key : {op.str(), scalar, op.name()}) {
      if (key.empty()) continue;
      auto it = table.fns.find(key);
      if (it != table.fns.end()) return it->second;
    }
    return function_printer(scalar.empty() ? op.str() : scalar);
  };
  // Post-order with an explicit stack; each variable is printed once and memoised.
  std::unordered_map<const Variable*, PrettyExpr> memo;
  std::vector<std::pair<Variable*, bool>> stack{{var.get(), false}};
  while (!stack.empty()) {
    auto [v, expanded] = stack.back();
    stack.pop_back();
    if (memo.count(v)) continue;
    Apply* a = v->owner;
    if (!a) {
      memo[v] = print_leaf(v);
      continue;
    }
    if (!expanded) {
      stack.push_back({v, true});
      for (int i = a->nin() - 1; i >= 0; --i)
        if (!memo.count(a->input(i).get())) stack.push_back({a->input(i).get(), false});
      continue;
    }
    std::vector<PrettyExpr> ins;
    for (const auto& in : a->inputs()) ins.push_back(memo.at(in.get()));
    memo[v] = lookup(*a->op())(*a, v->index, ins);
  }
  return memo.at(var.get()).text;
}

std::string pprint(const std::vector<Var>& vars) {
  std::string s;
  for (const auto& v : vars) s += pprint(v) + "\n";
  return s;
}

}  // namespace hypatia
