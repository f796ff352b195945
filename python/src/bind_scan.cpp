// Python binding of scan: the step function is a Python callable called once, at graph-building time.
#include "bindings.h"
#include "hypatia/control/ops/scan.h"

namespace hypatia::py {

namespace {

/// The callable returns (outputs, updates, until) already normalised by hypatia.scan_module.
ScanFn step_fn(nb::callable fn) {
  return [fn](const std::vector<Var>& args) {
    nb::list py_args;
    for (const Var& v : args) py_args.append(nb::cast(v));
    nb::tuple r = nb::cast<nb::tuple>(fn(py_args));
    ScanStep step;
    for (auto o : nb::cast<nb::list>(r[0])) step.outputs.push_back(as_var(o));
    for (auto u : nb::cast<nb::list>(r[1])) {
      nb::tuple pair = nb::cast<nb::tuple>(u);
      step.updates.emplace_back(nb::cast<Var>(pair[0]), as_var(pair[1]));
    }
    if (!r[2].is_none()) step.until = as_var(r[2]);
    return step;
  };
}

}  // namespace

void init_scan(nb::module_& m) {
  m.def("_scan", [](nb::callable fn, std::vector<std::pair<Var, std::vector<int>>> sequences,
                    std::vector<std::pair<std::optional<Var>, std::vector<int>>> outputs_info, bool outputs_info_given,
                    std::vector<Var> non_sequences, std::optional<Var> n_steps, int truncate_gradient,
                    bool go_backwards, std::string name, std::optional<bool> allow_gc, bool strict) {
    std::vector<ScanSequence> seqs;
    for (auto& [v, taps] : sequences) seqs.emplace_back(v, taps);
    std::vector<ScanOutputInfo> infos;
    for (auto& [v, taps] : outputs_info) {
      ScanOutputInfo oi;
      if (v) oi.initial = *v;
      oi.taps = taps;
      infos.push_back(oi);
    }
    ScanOptions o;
    if (n_steps) o.n_steps = *n_steps;
    o.truncate_gradient = truncate_gradient;
    o.go_backwards = go_backwards;
    o.name = name;
    o.allow_gc = allow_gc;
    o.strict = strict;
    o.outputs_info_given = outputs_info_given;
    ScanResult r = scan(step_fn(fn), seqs, infos, non_sequences, o);
    return std::make_pair(r.outputs, r.updates);
  }, nb::arg("fn"), nb::arg("sequences"), nb::arg("outputs_info"), nb::arg("outputs_info_given"),
     nb::arg("non_sequences"), nb::arg("n_steps").none(), nb::arg("truncate_gradient"), nb::arg("go_backwards"),
     nb::arg("name"), nb::arg("allow_gc").none(), nb::arg("strict"),
     "The Scan node of a step function (hypatia.scan normalises the arguments): fn takes the list of step "
     "inputs and returns (outputs, [(shared, update)], until-or-None). Returns (outputs, updates).");
  m.def("_scan_checkpoints", [](nb::callable fn, std::vector<Var> sequences, std::vector<std::optional<Var>> outputs_info,
                                std::vector<Var> non_sequences, std::string name, std::optional<Var> n_steps,
                                int save_every_N, bool padding) {
    std::vector<ScanOutputInfo> infos;
    for (auto& v : outputs_info) infos.push_back(v ? ScanOutputInfo(*v) : ScanOutputInfo());
    ScanResult r = scan_checkpoints(step_fn(fn), sequences, infos, non_sequences, name, n_steps.value_or(Var()),
                                    save_every_N, padding);
    return std::make_pair(r.outputs, r.updates);
  }, nb::arg("fn"), nb::arg("sequences"), nb::arg("outputs_info"), nb::arg("non_sequences"), nb::arg("name"),
     nb::arg("n_steps").none(), nb::arg("save_every_N"), nb::arg("padding"),
     "scan_checkpoints behind hypatia.scan_checkpoints: an outer scan over chunks of save_every_N steps, "
     "each an inner scan keeping only its last values. Returns (outputs, updates).");
}

}  // namespace hypatia::py
