"""The flags of hypatia.config: Theano's documented names, values and defaults, what each does
in Hypatia, and the flags that have no effect here (C compilation, GPU) with the reason."""
import os
import pdb
import warnings

import numpy as np

from . import _core

_SETERR = ("ignore", "warn", "raise", "call", "print", "log", "None")
_TEST_VALUE = ("off", "ignore", "warn", "raise", "pdb")
_PREALLOC = ("initial", "previous", "c_contiguous", "f_contiguous", "strided", "wrong_size", "ALL")
_MODES = ("Mode", "FAST_RUN", "FAST_COMPILE", "DebugMode", "DEBUG_MODE", "NanGuardMode", "None")

_NO_GPU = "Hypatia runs on the CPU only (there is no GPU backend)"
_NO_C = ("Hypatia compiles no C code at run time: every op runs a native kernel built with the "
         "library")

# Theano flags accepted with a warning: the name (or section prefix ending in '.') and why.
_NOT_APPLICABLE = {
    "device": ("cpu", _NO_GPU), "force_device": ("False", _NO_GPU), "init_gpu_device": ("", _NO_GPU),
    "print_active_device": ("True", _NO_GPU), "contexts": ("", _NO_GPU),
    "deterministic": ("default", "it only selects GPU implementations; Hypatia's kernels are deterministic"),
    "gpuarray.": (None, _NO_GPU), "dnn.": (None, _NO_GPU), "cuda.": (None, _NO_GPU), "nvcc.": (None, _NO_GPU),
    "magma.": (None, _NO_GPU), "ctc.": (None, _NO_GPU), "pycuda.": (None, _NO_GPU), "lib.": (None, _NO_C),
    "cxx": ("", _NO_C), "gcc.": (None, _NO_C), "nocleanup": ("False", _NO_C), "compile.": (None, _NO_C),
    "cmodule.": (None, _NO_C), "base_compiledir": ("~/.theano", _NO_C), "compiledir_format": ("", _NO_C),
    "compiledir": ("", _NO_C), "blas.": (None, "Hypatia links its BLAS when it is built (see config.blas)"),
    "linker": ("cvm", "Hypatia has a single native linker (the VM); allow_gc and mode choose its behaviour"),
    "cycle_detection": ("regular", "Hypatia's in-place pass always checks for cycles the same way"),
    "check_stack_trace": ("off", "Hypatia's rewrites do not copy Python stack traces onto new variables"),
    "on_opt_error": ("warn", "an error in a Hypatia rewrite is a bug and always raises"),
    "on_shape_error": ("warn", "shape inference errors in Hypatia always raise"),
    "optimizer_verbose": ("False", "Hypatia's rewrites do not log; use hypatia.describe_pipeline"),
    "assert_no_cpu_op": ("ignore", _NO_GPU),
    "int_division": ("int", "'/' always divides truly in Hypatia (int / int gives floatX); use '//'"),
    "scan.": (None, "Hypatia's scan takes allow_gc as an argument and always preallocates its outputs"),
    "metaopt.": (None, "there is no meta-optimizer (it chooses GPU convolution implementations)"),
    "experimental.": (None, "Hypatia's alloc rewrites always keep their shape checks"),
    "conv.": (None, "Hypatia has no AbstractConv ops"),
    "warn.": (None, "warnings about Theano bugs fixed before 1.0 do not apply to Hypatia"),
    "unittests.": (None, "Hypatia's test suite seeds its own generators"),
    "tensor.cmp_sloppy": ("0", "Hypatia's tests set their own tolerances"),
}


def not_applicable_reason(name):
    """Why a Theano flag has no effect in Hypatia, or None when it is not one of those.

    ``name`` is the flag's dotted name. Raises nothing.
    """
    if name in _NOT_APPLICABLE:
        return _NOT_APPLICABLE[name][1]
    for key, (_, why) in _NOT_APPLICABLE.items():
        if key.endswith(".") and name.startswith(key):
            return why
    return None


def _valid_mode(value):
    """Whether ``value`` names a mode: a base mode, or FAST_RUN/FAST_COMPILE with -tag, +tag or
    &tag rewrite tags (checked by the compiler's own parser)."""
    if value in _MODES:
        return True
    try:
        _core.FunctionOptions(mode=value)
        return True
    except ValueError:
        return False


def _set_float64_hook(action):
    if action == "ignore":
        _core.tensor.set_float64_hook(None)
        return

    def report(type_name):
        msg = ("[warn_float64] a float64 tensor variable (%s) is being created; config.warn_float64=%r "
               "reports these to find upcasts (use float32 data or casts)" % (type_name, action))
        if action == "warn":
            warnings.warn(msg, UserWarning, stacklevel=2)
        elif action == "raise":
            raise TypeError(msg)
        else:
            pdb.set_trace()

    _core.tensor.set_float64_hook(report)


def _apply_seterr(cfg):
    def apply(_value):
        every = cfg["numpy.seterr_all"]
        kinds = {k: cfg["numpy.seterr_" + k] for k in ("divide", "over", "under", "invalid")}
        args = {} if every == "None" else {"all": every}
        args.update({k: v for k, v in kinds.items() if v != "None"})
        if args:
            np.seterr(**args)
    return apply


def _default_openmp():
    # Theano's rule: on when more than one core is available (OMP_NUM_THREADS counts).
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.strip().isdigit():
        return int(env) > 1
    return (os.cpu_count() or 1) > 1


def register_flags(cfg, Param):
    """Registers every flag on ``cfg`` (a hypatia.configparser._Config) and applies the
    defaults of the flags that configure the native library.

    ``Param`` is the ConfigParam class to build flags with. Raises ValueError when a flag is
    registered twice.
    """
    def add(name, default, doc, kind="str", **kw):
        cfg.add(Param(name, default, doc, kind, **kw))

    # ---- types and casts ----
    add("floatX", "float64", "Default dtype of tensor.matrix() and similar, and of Python floats "
        "where they need a float type ('float16' has limited support).", "enum",
        choices=("float64", "float32", "float16"), apply=_core.tensor.set_floatX)
    add("warn_float64", "ignore", "What to do when a float64 tensor variable is created: 'warn', "
        "'raise' (TypeError), 'pdb' or 'ignore'. Helps to find upcasts to float64.", "enum",
        choices=("ignore", "warn", "raise", "pdb"), apply=_set_float64_hook)
    add("cast_policy", "custom", "How Python scalars become constants: 'custom' (Theano's rules: the "
        "narrowest int holding an int, float32 for floats float32 holds exactly) or 'numpy+floatX' "
        "(numpy's: int64 for ints, floatX for floats).", "enum", choices=("custom", "numpy+floatX"),
        apply=_core.tensor.set_cast_policy)

    # ---- compilation ----
    add("mode", "Mode", "Default compilation mode of function(): 'Mode' (config.optimizer's "
        "rewrites, FAST_RUN by default), 'FAST_RUN', 'FAST_COMPILE', 'DebugMode', 'NanGuardMode' "
        "or 'None'; FAST_RUN/FAST_COMPILE may carry -tag (exclude), +tag (include) or &tag "
        "(require) rewrite tags.", "str", check=_valid_mode,
        expected="one of " + ", ".join(repr(m) for m in _MODES) + " (FAST_RUN/FAST_COMPILE optionally with -tag, +tag or &tag)")
    add("optimizer", "fast_run", "The rewrites of mode 'Mode': 'fast_run', 'merge' (only merging "
        "identical nodes), 'fast_compile' or 'None'.", "enum",
        choices=("fast_run", "merge", "fast_compile", "None"))
    add("optimizer_excluding", "", "Rewrite tags left out of the default mode, ':'-separated "
        "(e.g. 'fusion:inplace').", "tags")
    add("optimizer_including", "", "Rewrite tags added to the default mode, ':'-separated.", "tags")
    add("optimizer_requiring", "", "Rewrite tags every rewrite of the default mode must carry, "
        "':'-separated.", "tags")
    add("on_unused_input", "raise", "What function() does with an input no output depends on: "
        "'raise', 'warn' or 'ignore'.", "enum", choices=("raise", "warn", "ignore"))
    add("allow_gc", True, "Free intermediate results as soon as they are used. False keeps their "
        "buffers between calls: faster for many small ops, more memory.", "bool")
    add("reoptimize_unpickled_function", False, "Rewrite an unpickled function's graph again instead "
        "of using the rewritten graph saved with it.", "bool")

    # ---- profiling ----
    add("profile", False, "Profile the execution time of functions; a summary prints at exit.", "bool")
    add("profile_memory", False, "Also profile memory use (with profile=True).", "bool")
    add("profile_optimizer", False, "Also profile the rewrite phases when compiling (with "
        "profile=True).", "bool")
    add("profiling.n_apply", 20, "Number of Apply nodes the profile prints.", "int", minimum=1)
    add("profiling.n_ops", 20, "Number of Ops the profile prints.", "int", minimum=1)
    add("profiling.min_memory_size", 1024, "The memory profile leaves out Apply nodes whose outputs "
        "take fewer bytes.", "int", minimum=0)
    add("profiling.min_peak_memory", False, "The memory profile also prints the minimum peak "
        "memory.", "bool")
    add("profiling.destination", "stderr", "Where the profile prints: 'stderr', 'stdout' or a file "
        "name.", "str")
    add("profiling.debugprint", False, "Debugprint the profiled functions.", "bool")
    add("profiling.ignore_first_call", False, "Leave each function's first call out of the "
        "profile.", "bool")

    # ---- debugging ----
    add("compute_test_value", "off", "Run the graph on tag.test_value while it is built: 'off', or "
        "what to do when an input has no test value: 'ignore', 'warn', 'raise' or 'pdb'.", "enum",
        choices=_TEST_VALUE)
    add("compute_test_value_opt", "off", "As compute_test_value, during the rewrite phase.", "enum",
        choices=_TEST_VALUE)
    add("print_test_value", False, "str(variable) also shows its tag.test_value.", "bool")
    add("exception_verbosity", "low", "'low': a runtime error names the node, its input shapes and "
        "types; 'high' adds a debugprint of the node.", "enum", choices=("low", "high"),
        apply=_core.set_exception_verbosity)
    add("traceback.limit", 8, "Number of user stack levels each new variable records in tag.trace, "
        "printed by runtime errors as 'Backtrace when the node is created' (0: none, -1: all).", "int",
        minimum=-1, apply=_core.set_traceback_limit)
    add("traceback.compile_limit", 0, "Stack levels kept for variables made while compiling (0: none; "
        "variables a rewrite installs then inherit the trace of the one they replace).", "int",
        minimum=0, apply=_core.set_traceback_compile_limit)
    add("NanGuardMode.nan_is_error", True, "NanGuardMode raises when it sees a NaN.", "bool")
    add("NanGuardMode.inf_is_error", True, "NanGuardMode raises when it sees an inf.", "bool")
    add("NanGuardMode.big_is_error", True, "NanGuardMode raises when it sees a value > 1e10.", "bool")
    add("DebugMode.patience", 10, "How many times DebugMode recompiles a graph to check the "
        "rewrites are stable.", "int", minimum=1)
    add("DebugMode.check_c", True, "DebugMode checks the native kernels.", "bool")
    add("DebugMode.check_py", True, "DebugMode checks the reference implementations.", "bool")
    add("DebugMode.check_finite", True, "DebugMode complains about NaN/inf values.", "bool")
    add("DebugMode.check_strides", 0, "DebugMode compares output strides: 0 no, 1 warn, 2 raise.",
        "enum_int", choices=(0, 1, 2))
    add("DebugMode.warn_input_not_reused", True, "DebugMode warns when an op declared in-place did "
        "not reuse its input.", "bool")
    add("DebugMode.check_preallocated_output", "", "Kinds of preallocated output buffers DebugMode "
        "tries, ':'-separated: " + ", ".join(_PREALLOC) + "; '' tries none.", "str",
        check=lambda v: all(k in _PREALLOC for k in filter(None, v.split(":"))),
        expected="'' or ':'-separated kinds among " + ", ".join(_PREALLOC))
    add("DebugMode.check_preallocated_output_ndim", 4, "Inner-most dimensions over which 'strided' "
        "preallocated outputs vary their strides.", "int", minimum=1)

    # ---- parallelism and numpy ----
    add("openmp", _default_openmp(), "Let kernels use several OpenMP threads (default: on when more "
        "than one core is available). False runs every kernel on one thread.", "bool",
        apply=_core.set_openmp)
    add("openmp_elemwise_minsize", 200000, "Element count from which elementwise loops run in "
        "parallel (when openmp is on).", "int", minimum=1, apply=_core.set_elemwise_minsize)
    add("buffer_cache_limit", 256 << 20, "Bytes of freed large buffers (1 MiB or more) kept for reuse "
        "by later allocations of the same size, so that a function called in a loop does not fault "
        "its big outputs in afresh on every call (0 disables).", "int", minimum=0,
        apply=_core.set_buffer_cache_limit)
    seterr = _apply_seterr(cfg)
    add("numpy.seterr_all", "ignore", "numpy.seterr for every floating-point error kind ('None': "
        "leave numpy's setting).", "enum", choices=_SETERR, apply=seterr)
    for kind, what in (("divide", "division by zero"), ("over", "overflow"), ("under", "underflow"),
                       ("invalid", "invalid operations")):
        add("numpy.seterr_" + kind, "None", "numpy.seterr for %s ('None': as seterr_all)." % what,
            "enum", choices=_SETERR, apply=seterr)

    # ---- flags that do not apply ----
    for name, (default, why) in _NOT_APPLICABLE.items():
        if not name.endswith("."):
            add(name, default, "Theano flag without effect in Hypatia: " + why + ".", not_applicable=why)

    for name in cfg.flags():
        p = cfg._params[name]
        if p.apply is not None and p.apply is not seterr:
            p.apply(p.default)
    seterr(None)
