// NanGuardMode's value checks over dense arrays and the stored entries of sparse matrices.
#include "hypatia/compile/nan_guard.h"

#include <cmath>

namespace hypatia {

namespace {

std::string array_problem(const NDArray& a, const NanGuardOptions& o) {
  if (!is_float(a.dtype()) || a.size() == 0) return "";
  const NDArray d = a.astype(DType::Float64);
  const double* p = d.data<double>();
  bool nan = false, inf = false, big = false;
  for (int64_t i = 0; i < d.size(); ++i) {
    const double x = p[i];
    if (std::isnan(x)) nan = true;
    else if (std::isinf(x)) inf = true;
    else if (std::fabs(x) > o.big_threshold) big = true;
  }
  if (nan && o.nan_is_error) return "NaN";
  if (inf && o.inf_is_error) return "Inf";
  if (big && o.big_is_error) return "Big value";
  return "";
}

}  // namespace

std::string nan_guard_problem(const Value& v, const NanGuardOptions& opts) {
  if (const auto* a = std::get_if<NDArray>(&v)) return array_problem(*a, opts);
  if (const auto* m = std::get_if<SparseMatrix>(&v)) return array_problem(m->data(), opts);
  return "";
}

void NanGuard::after(const Apply& node, const std::vector<Value>&, const Value* const* inputs,
                     const std::vector<const Value*>& outputs) {
  for (int i = 0; i < node.nin(); ++i) {
    std::string p = nan_guard_problem(*inputs[i], opts_);
    if (!p.empty())
      value_error("[NanGuardMode] ", p, " detected in input ", i, " (", node.input(i)->str(), ") of node ", node_str(node),
                  "; expected finite values", opts_.big_is_error ? str_cat(" of magnitude at most ", opts_.big_threshold) : std::string());
  }
  for (size_t k = 0; k < outputs.size(); ++k) {
    std::string p = nan_guard_problem(*outputs[k], opts_);
    if (!p.empty())
      value_error("[NanGuardMode] ", p, " detected in output ", k, " of node ", node_str(node),
                  " (the node produced it); expected finite values", opts_.big_is_error ? str_cat(" of magnitude at most ", opts_.big_threshold) : std::string());
  }
}

}  // namespace hypatia
