// Calling op instances from Python (op(*args, **kwargs)): operand conversion to constants,
// Theano's keyword input names, and the per-op hooks run after a node is built.
#include <typeindex>
#include <unordered_map>

#include "bindings.h"
#include "hypatia/sparse/basic.h"

namespace hypatia::py {

namespace {

std::unordered_map<std::type_index, std::vector<OpParam>>& signatures() {
  static auto* m = new std::unordered_map<std::type_index, std::vector<OpParam>>();
  return *m;
}

std::unordered_map<std::type_index, OpCallHook>& hooks() {
  static auto* m = new std::unordered_map<std::type_index, OpCallHook>();
  return *m;
}

std::string type_name_of(nb::handle h) { return nb::cast<std::string>(nb::str(h.type().attr("__name__"))); }

std::string signature_str(const std::vector<OpParam>& params) {
  std::string s = "(";
  for (size_t i = 0; i < params.size(); ++i) s += (i ? ", " : "") + params[i].name;
  return s + ")";
}

int total_arity(const std::vector<OpParam>& params) {
  int n = 0;
  for (const OpParam& p : params) n += p.arity;
  return n;
}

}  // namespace

void register_op_params(std::type_index op, std::vector<OpParam> params) { signatures()[op] = std::move(params); }

void register_op_call_hook(std::type_index op, OpCallHook hook) { hooks()[op] = std::move(hook); }

Var as_operand(nb::handle x, const std::string& who) {
  if (nb::isinstance<Var>(x)) return nb::cast<Var>(x);
  if (x.is_none()) type_error("[", who, "] got None as an input");
  if (is_scipy_sparse(x)) {
    std::string fmt = nb::cast<std::string>(x.attr("format"));
    if (fmt != "csr" && fmt != "csc")
      type_error("[", who, "] only csr and csc matrices are supported, got a ", fmt, " matrix; convert it with .tocsr()");
    return sparse::constant(to_sparse(x));
  }
  return as_var(x);
}

std::vector<Var> op_call_inputs(const Op& op, nb::args args, nb::kwargs kwargs) {
  const std::string who = op.name();
  std::vector<Var> ins;
  auto it = signatures().find(std::type_index(typeid(op)));
  const bool has_kwargs = kwargs.size() > 0;
  // Without registered names, or when every input is given by position, the arguments are the
  // op's inputs as they are (GetItemScalar()(x, i, j) as well as Theano's (x, (i, j))).
  if (it == signatures().end() || (!has_kwargs && static_cast<int>(args.size()) == total_arity(it->second))) {
    if (has_kwargs) {
      std::string first = nb::cast<std::string>(nb::str((*kwargs.begin()).first));
      type_error("[", who, "] takes its inputs by position only, got the keyword input '", first, "'");
    }
    for (auto a : args) ins.push_back(as_operand(a, who));
    return ins;
  }
  const std::vector<OpParam>& params = it->second;
  if (args.size() > params.size())
    type_error("[", who, "] takes ", params.size(), " inputs ", signature_str(params), ", got ", args.size());
  std::vector<nb::object> bound(params.size());
  for (size_t i = 0; i < args.size(); ++i) bound[i] = nb::borrow(args[i]);
  for (auto [key, value] : kwargs) {
    const std::string k = nb::cast<std::string>(nb::str(key));
    size_t i = 0;
    while (i < params.size() && params[i].name != k) ++i;
    if (i == params.size())
      type_error("[", who, "] got an unexpected keyword input '", k, "'; its inputs are ", signature_str(params));
    if (bound[i].is_valid()) type_error("[", who, "] got the input '", k, "' twice (by position and by keyword)");
    bound[i] = nb::borrow(value);
  }
  for (size_t i = 0; i < params.size(); ++i) {
    if (!bound[i].is_valid())
      type_error("[", who, "] missing the input '", params[i].name, "'; its inputs are ", signature_str(params));
    if (params[i].arity == 1) {
      ins.push_back(as_operand(bound[i], who));
      continue;
    }
    // A parameter spread over several inputs (GetItemScalar's index = (i, j)).
    nb::handle v = bound[i];
    if (!(PyTuple_Check(v.ptr()) || PyList_Check(v.ptr())) || static_cast<int>(nb::len(v)) != params[i].arity)
      type_error("[", who, "] '", params[i].name, "' must be a tuple of ", params[i].arity, " entries, got ",
                 PyTuple_Check(v.ptr()) || PyList_Check(v.ptr()) ? str_cat("one of length ", nb::len(v)) : type_name_of(v));
    for (auto e : v) ins.push_back(as_operand(e, who));
  }
  return ins;
}

void after_op_call(const Op& op, const std::vector<Var>& inputs) {
  auto h = hooks().find(std::type_index(typeid(op)));
  if (h != hooks().end()) h->second(op, inputs);
}

}  // namespace hypatia::py
