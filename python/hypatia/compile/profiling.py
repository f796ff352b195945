"""ProfileStats (theano.compile.profiling): where a compiled function spends its time and memory.

function(..., profile=True) (or config.profile=True, for every function) times each node of
the compiled graph; ``f.profile`` is then a ProfileStats. Its summary() prints Theano's
sections (global info, Class, Ops, Apply, Memory profile); as_dict() and to_json() give the
same numbers as data. Several functions can share one ProfileStats (profile=stats), which then
sums them. With config.profile set, every profile is printed at exit (to stderr, or to
config.profiling.destination).
"""
import atexit
import json
import sys

from .mode import flag

_to_print = []  # ProfileStats printed at exit when config.profile is set


class ProfileStats:
    """Profile of one or more functions. Attributes (Theano's): message, compile_time,
    optimizer_time, linker_time, fct_callcount, fct_call_time, vm_call_time, thunk_time, apply_time (node -> seconds),
    apply_callcount; as_dict() has everything, including memory.

    ``atexit_print`` prints the summary at interpreter exit when config.profile is on. Raises nothing.
    """

    def __init__(self, atexit_print=True, message=None, **kwargs):
        self.message = message
        self.atexit_print = atexit_print
        self._functions = []
        if atexit_print:
            _to_print.append(self)

    def attach(self, fn):
        """Adds a function compiled with profiling to this profile."""
        source = fn.profile_source()
        self._functions.append(source)
        if self.message is None and source.name:
            self.message = source.name

    def _data(self):
        return [source.data() for source in self._functions]

    @property
    def compile_time(self):
        """Seconds spent compiling the profiled functions."""
        return sum(d["compile_time"] for d in self._data())

    @property
    def optimizer_time(self):
        """Seconds spent in the rewrites."""
        return sum(d["compile_phases"].get("rewrite", 0.0) for d in self._data())

    @property
    def linker_time(self):
        """Seconds spent linking (building the VM)."""
        return sum(d["compile_phases"].get("link", 0.0) for d in self._data())

    @property
    def fct_callcount(self):
        """Calls of the profiled functions."""
        return sum(d["calls"] for d in self._data())

    @property
    def fct_call_time(self):
        """Seconds in Function.__call__, converting arguments and results included."""
        return sum(d.get("call_time", 0.0) for d in self._data())

    @property
    def vm_call_time(self):
        """Seconds in the VM's runs (the nodes plus the VM's own work between them)."""
        return sum(d.get("vm_time", 0.0) for d in self._data())

    @property
    def thunk_time(self):
        """Seconds spent in the nodes (Theano's time in thunks)."""
        return sum(n["seconds"] for d in self._data() for n in d["nodes"])

    @property
    def apply_time(self):
        """Node (as text) -> seconds."""
        return {n["node"]: n["seconds"] for d in self._data() for n in d["nodes"]}

    @property
    def apply_callcount(self):
        """Node (as text) -> calls."""
        return {n["node"]: d["calls"] for d in self._data() for n in d["nodes"]}

    def as_dict(self):
        """Everything as plain data: message, calls, times, compile phases, and per op class,
        per op and per node the seconds, calls and node count, plus memory (peak bytes per
        function and the output bytes of each node)."""
        data = self._data()
        total = sum(n["seconds"] for d in data for n in d["nodes"])
        nodes, classes, ops = [], {}, {}
        for fi, d in enumerate(data):
            for k, n in enumerate(d["nodes"]):
                nodes.append(dict(n, function=fi, id=k, calls=d["calls"]))
                for key, table in ((n["op_class"], classes), (n["op"], ops)):
                    e = table.setdefault(key, {"seconds": 0.0, "calls": 0, "nodes": 0})
                    e["seconds"] += n["seconds"]
                    e["calls"] += d["calls"]
                    e["nodes"] += 1
        phases, rewrites = {}, {}
        for d in data:
            for k, v in d["compile_phases"].items():
                phases[k] = phases.get(k, 0.0) + v
            for k, v in d.get("rewrite_phases", {}).items():
                rewrites[k] = rewrites.get(k, 0.0) + v
        return {
            "message": self.message,
            "functions": len(data),
            "calls": sum(d["calls"] for d in data),
            "time_in_nodes": total,
            # Theano's "Time in Function.__call__" (conversions of arguments and results
            # included), "Time in Function.fn.__call__" (the native call) and the VM's runs.
            "call_time": sum(d.get("call_time", 0.0) for d in data),
            "fn_time": sum(d.get("fn_time", 0.0) for d in data),
            "vm_time": sum(d.get("vm_time", 0.0) for d in data),
            "compile_time": sum(d["compile_time"] for d in data),
            "compile_phases": phases,
            "rewrite_phases": rewrites,
            "op_classes": classes,
            "ops": ops,
            "nodes": sorted(nodes, key=lambda n: -n["seconds"]),
            "memory": {"peak_bytes": max([d["peak_bytes"] for d in data] or [0]),
                       "peak_bytes_per_function": [d["peak_bytes"] for d in data],
                       "node_output_bytes": {n["node"]: n["output_bytes"] for d in data for n in d["nodes"]}},
        }

    def to_json(self, **kwargs):
        """as_dict() as a JSON string (json.dumps keywords pass through)."""
        return json.dumps(self.as_dict(), **kwargs)

    def summary(self, file=None, n_ops_to_print=None, n_apply_to_print=None, optimizer=None, memory=None):
        """Prints Theano's profile sections to `file`: global info, Class, Ops, Apply and the
        memory profile (n_*_to_print default to config.profiling.n_ops / n_apply, 20); `file`
        defaults to sys.stderr. With `optimizer` (default config.profile_optimizer) the time of
        each rewrite phase follows; with `memory` (default config.profile_memory) the memory
        profile (peak and bytes per node) ends it."""
        file = sys.stderr if file is None else file
        n_ops = n_ops_to_print or flag("profiling.n_ops", 20)
        n_apply = n_apply_to_print or flag("profiling.n_apply", 20)
        d = self.as_dict()
        total = d["time_in_nodes"] or 0.0
        w = file.write
        w("Function profiling\n==================\n")
        w("  Message: %s\n" % d["message"])
        call = d["call_time"]

        def pct(x):
            return " (%.3f%%)" % (100.0 * x / call) if call > 0 else ""
        w("  Time in %d calls to Function.__call__: %es\n" % (d["calls"], call))
        w("  Time in Function.fn.__call__: %es%s\n" % (d["fn_time"], pct(d["fn_time"])))
        w("  Time in the VM's runs: %es%s\n" % (d["vm_time"], pct(d["vm_time"])))
        w("  Time in thunks: %es%s\n" % (total, pct(total)))
        w("  Total compile time: %es\n" % d["compile_time"])
        for k in ("graph", "rewrite", "link"):
            w("    %s time: %es\n" % ({"graph": "Graph", "rewrite": "Hypatia Optimizer", "link": "Hypatia Linker"}[k],
                                      d["compile_phases"].get(k, 0.0)))
        if optimizer if optimizer is not None else flag("profile_optimizer", False):
            w("\nOptimizer Profile\n-----------------\n  <time> <rewrite phase>\n")
            for name, sec in sorted(d["rewrite_phases"].items(), key=lambda kv: -kv[1]):
                w("  %10.6fs  %s\n" % (sec, name))

        def table(title, rows, limit, what):
            w("\n%s\n%s\n  <%% time> <sum %%> <apply time> <time per call> <#call> <#apply> <%s>\n" % (title, "-" * len(title), what))
            acc = 0.0
            rows = sorted(rows, key=lambda r: -r[1]["seconds"])
            for name, e in rows[:limit]:
                pct = 100.0 * e["seconds"] / total if total else 0.0
                acc += pct
                per_call = e["seconds"] / e["calls"] if e["calls"] else 0.0
                w("  %6.1f%%  %6.1f%%  %10.3fs  %12.2es  %6d  %6d  %s\n" % (pct, acc, e["seconds"], per_call, e["calls"], e["nodes"], name))
            rest = rows[limit:]
            w("   ... (remaining %d %s account for %.2f%%(%.2fs) of the runtime)\n"
              % (len(rest), what, sum(100.0 * e["seconds"] / total if total else 0.0 for _, e in rest), sum(e["seconds"] for _, e in rest)))

        table("Class", d["op_classes"].items(), n_ops, "Class_name")
        table("Ops", d["ops"].items(), n_ops, "Op_name")
        table("Apply", [(n["node"], {"seconds": n["seconds"], "calls": n["calls"], "nodes": 1}) for n in d["nodes"]],
              n_apply, "Apply name")
        if not (memory if memory is not None else flag("profile_memory", False)):
            return
        w("\nMemory Profile\n--------------\n  Max peak memory with current setting: %d bytes (%.1f KB)\n"
          % (d["memory"]["peak_bytes"], d["memory"]["peak_bytes"] / 1024.0))
        w("  <Sum apply outputs (bytes)> <Apply name>\n")
        mem = sorted(d["memory"]["node_output_bytes"].items(), key=lambda kv: -kv[1])
        min_size = flag("profiling.min_memory_size", 0)
        for name, b in mem[:n_apply]:
            if b >= min_size:
                w("  %10d  %s\n" % (b, name))


@atexit.register
def _print_at_exit():
    if not flag("profile", False):
        return
    dest = flag("profiling.destination", "stderr")
    out = sys.stderr if dest == "stderr" else sys.stdout if dest == "stdout" else open(dest, "w")
    try:
        for p in _to_print:
            if p.atexit_print and p._functions:
                p.summary(file=out)
    finally:
        if out not in (sys.stderr, sys.stdout):
            out.close()
