"""pickle, copy and deepcopy of graphs, ops, types, shared variables, FunctionGraphs and functions.

Design (docs/semantics.md, "Pickling"):
- A graph pickles as a node list in topological order, each variable named by a key unique in
  the pickling process (its ``auto_name``): inputs (type and name), constants (type, name,
  value), shared variables (type, name, value, and default update) and Apply nodes (op, input
  keys, output keys and names). Deep graphs pickle without recursion.
- A native op pickles as (class key, params bytes), written by the C++ op codec from its params
  struct (``fields()``), so a new op declared with OpBase needs no pickling code. Ops written in
  Python pickle as the user's object (its class must be importable).
- Every pickled object carries the same token object, which pickle memoises once per dump and
  which therefore unpickles into one fresh ``_Session`` per load: variables met several times in
  one pickle (a shared variable and a function using it) are rebuilt once and stay one object,
  while two loads (or two deepcopies) give independent copies. The token also checks the pickle
  format version.
- A compiled function pickles what it was compiled from (inputs with their options and current
  default values, outputs, updates, givens, mode and options) and compiles again on load.
"""
import numpy as np

from . import _core

#: Version of the layout written here; a pickle of another format is refused with both versions named.
PICKLE_FORMAT = 1


def _version():
    from . import __version__
    return __version__


class _Session:
    """What one load (or one deepcopy) has rebuilt so far: variables by pickle key."""

    def __init__(self):
        self.vars = {}
        self.ops = {}  # OpFromGraph and Print ops by their identity in the pickling process


def _new_session(fmt, version):
    """A fresh load session; ValueError when the pickle's format is not this version's."""
    if fmt != PICKLE_FORMAT:
        raise ValueError(
            "[pickle] this pickle was written by Hypatia %s (pickle format %r), which Hypatia %s "
            "(pickle format %d) cannot read: expected format %d" % (version, fmt, _version(), PICKLE_FORMAT, PICKLE_FORMAT))
    return _Session()


class _Token:
    """The one object every Hypatia pickle names; unpickles into a new _Session per load."""

    def __reduce__(self):
        return (_new_session, (PICKLE_FORMAT, _version()))


_TOKEN = _Token()


class _SharedValue:
    """A shared variable's value in a pickle, with the variable's name (misc.pkl_utils names
    the value's .npy member after it)."""

    def __init__(self, name, value):
        self.name = name
        self.value = value

    def __reduce__(self):
        return (_SharedValue, (self.name, self.value))


# ---- types ------------------------------------------------------------------------------

def _type_spec(t):
    kind = t.kind
    if kind == "tensor":
        return ("tensor", t.dtype, tuple(bool(b) for b in t.broadcastable))
    if kind == "sparse":
        return ("sparse", t.format, t.dtype)
    if kind in ("null", "disconnected"):
        return (kind,)
    if kind == "opaque" and str(t) == str(_random_state_type()):
        return ("random_state",)
    if kind == "opaque" and str(t) == "SpFactorType":
        return ("sparse_factor",)
    raise TypeError("[pickle] cannot serialise type %s: expected a tensor, sparse, random-state, null or "
                    "disconnected type" % t)


def _random_state_type():
    """The type of shared random states (not cached: nanobind objects must not outlive the module)."""
    return _core.shared(_core.RandomState(0)).type


def _rebuild_type(spec):
    """The Type a _type_spec tuple describes."""
    if not isinstance(spec, tuple) or not spec:
        raise ValueError("[pickle] bad type description %r: expected a tuple naming the kind" % (spec,))
    kind = spec[0]
    if kind == "tensor":
        return _core.TensorType(spec[1], list(spec[2]))
    if kind == "sparse":
        return _core.SparseType(spec[1], spec[2])
    if kind == "null":
        return _core._null_grad("unpickled").type
    if kind == "disconnected":
        return _core._disconnected().type
    if kind == "random_state":
        return _random_state_type()
    if kind == "sparse_factor":
        return _core.sparse.spfactor_type()
    raise ValueError("[pickle] unknown type kind %r: expected tensor, sparse, null, disconnected or random_state" % (kind,))


# ---- ops --------------------------------------------------------------------------------

def _op_spec(op, memo=None):
    """How an op pickles: ('native', key, params, graphs) from the C++ op codec; ('ofg', ...) for
    an OpFromGraph (its inner graph, implicit inputs, options and the derivative ops its overrides
    built); ('print', ...) for a Print with a Python printer; ('python', op) for a Python op.
    ``memo`` (op identity -> spec) makes the nodes of one op share one spec, so they share one op
    again after loading (OpFromGraph and Print compare by identity)."""
    if not isinstance(op, _core.Op):
        return ("python", op)
    ident = _core.op_identity(op)
    if memo is not None and ident in memo:
        return memo[ident]
    if _core.is_ofg(op):
        inner, n_explicit, implicit, inline, name, pattern, grad, rop = _core.ofg_state(op)

        def deriv(d):
            if d is None:
                return None
            dop, index, reasons = d
            return (None if dop is None else _op_spec(dop, memo), list(index), list(reasons))
        spec = ("ofg", ident, inner, n_explicit, list(implicit), inline, name, [list(r) for r in pattern],
                deriv(grad), deriv(rop))
    elif _core.is_print_op(op) and _core.print_state(op)[2] is not None:
        message, attrs, printer, _ = _core.print_state(op)
        spec = ("print", ident, message, list(attrs), printer)
    else:
        key, params, graphs = _core.pickle.encode_op(op)
        spec = ("native", key, params, graphs)
    if memo is not None:
        memo[ident] = spec
    return spec


def _rebuild_op(key, params, graphs=()):
    """The native op of class ``key`` with the given params bytes (and inner FunctionGraphs)."""
    return _core.pickle.decode_op(key, params, list(graphs))


def _op_from_spec(spec, session=None):
    """The op an _op_spec describes; ops with an identity are rebuilt once per load session."""
    kind = spec[0]
    if kind == "native":
        return _rebuild_op(spec[1], spec[2], spec[3])
    if kind == "python":
        return spec[1]
    if kind in ("ofg", "print"):
        ops = session.ops if session is not None else {}
        ident = spec[1]
        if ident in ops:
            return ops[ident]
        if kind == "ofg":
            _, _, inner, n_explicit, implicit, inline, name, pattern, grad, rop = spec

            def deriv(d):
                if d is None:
                    return None
                return (None if d[0] is None else _op_from_spec(d[0], session), d[1], d[2])
            op = _core.ofg_from_state(inner, n_explicit, implicit, inline, name, pattern, deriv(grad), deriv(rop))
        else:
            _, _, message, attrs, printer = spec
            op = _core.print_op(message, attrs, printer)
        ops[ident] = op
        return op
    raise ValueError("[pickle] bad op description %r: expected ('native', key, params), ('ofg', ...), "
                     "('print', ...) or ('python', op)" % (kind,))


# ---- graphs -----------------------------------------------------------------------------

def _key(v):
    return v.auto_name


def _graph_nodes(roots):
    """The node list (see the module docstring) of everything the root variables depend on,
    default updates of shared variables included; iterative, inputs before their users."""
    nodes = []
    op_memo = {}           # op identity -> spec, so one op's nodes share it
    done = set()           # keys of variables already described
    later = []             # (shared key, default update) pairs, described after the main graph
    stack = [(v, False) for v in reversed([r for r in roots if r is not None])]
    while stack or later:
        if not stack:
            shared_key, upd = later.pop(0)
            if _key(upd) not in done:
                stack.append((None, ("default_update", shared_key, upd)))  # emitted after upd's graph
                stack.append((upd, False))
            else:
                nodes.append(("default_update", shared_key, _key(upd)))
            continue
        v, expanded = stack.pop()
        if v is None:  # a deferred default_update entry
            _, shared_key, upd = expanded
            nodes.append(("default_update", shared_key, _key(upd)))
            continue
        k = _key(v)
        if k in done:
            continue
        owner = v.owner
        if owner is None:
            done.add(k)
            name = v.name
            if v.is_constant:
                nodes.append(("const", k, _type_spec(v.type), name, v.data))
            elif v.is_shared:
                nodes.append(("shared", k, _type_spec(v.type), name,
                              _SharedValue(name, v.get_value(borrow=True))))
                upd = getattr(v, "default_update", None)
                if upd is not None:
                    later.append((k, upd))
            else:
                nodes.append(("in", k, _type_spec(v.type), name))
            continue
        if expanded:
            outs = owner.outputs
            for o in outs:
                done.add(_key(o))
            nodes.append(("apply", _op_spec(owner.op, op_memo), [_key(i) for i in owner.inputs],
                          [(_key(o), o.name, _type_spec(o.type)) for o in outs]))
            continue
        stack.append((v, True))
        for i in reversed(owner.inputs):
            if _key(i) not in done:
                stack.append((i, False))
    return nodes


def _rebuild_nodes(session, nodes):
    """Rebuilds a node list into the session's variables (those already there are kept)."""
    if isinstance(session, _Token):  # copy.copy passes the arguments as they are: a fresh session
        session = _Session()
    if not isinstance(session, _Session):
        raise TypeError("[pickle] expected a load session as the first argument, got %r" % (session,))
    vs = session.vars
    for entry in nodes:
        kind = entry[0]
        if kind == "apply":
            _, opspec, in_keys, outs = entry
            if all(o[0] in vs for o in outs):
                continue
            op = _op_from_spec(opspec, session)
            inputs = [vs[k] for k in in_keys]
            node = op.make_node(*inputs)
            new_outs = node.outputs
            if len(new_outs) != len(outs):
                raise ValueError("[pickle] op %s rebuilt %d outputs, expected %d" % (op, len(new_outs), len(outs)))
            for (k, name, tspec), o in zip(outs, new_outs):
                if _type_spec(o.type) != tspec:
                    raise ValueError("[pickle] op %s rebuilt an output of type %s, expected %s"
                                     % (op, o.type, _rebuild_type(tspec)))
                if name is not None:
                    o.name = name
                vs[k] = o
            continue
        if kind == "default_update":
            _, shared_key, upd_key = entry
            vs[shared_key].default_update = vs[upd_key]
            continue
        k = entry[1]
        if k in vs:
            continue
        if kind == "in":
            vs[k] = _rebuild_type(entry[2])(entry[3])
        elif kind == "const":
            vs[k] = _core.pickle.make_constant(_rebuild_type(entry[2]), entry[4], entry[3])
        elif kind == "shared":
            sv = entry[4]
            value = sv.value if isinstance(sv, _SharedValue) else sv
            vs[k] = _core.pickle.make_shared(_rebuild_type(entry[2]), value, entry[3])
        else:
            raise ValueError("[pickle] unknown graph entry %r: expected in, const, shared, apply or default_update" % (kind,))
    return vs


# ---- the objects' reductions -------------------------------------------------------------

def _rebuild_var(session, nodes, key):
    """The variable ``key`` of a pickled graph (rebuilt once per load)."""
    return _rebuild_nodes(session, nodes)[key]


def _rebuild_apply(session, nodes, key):
    """The Apply node computing variable ``key`` of a pickled graph."""
    return _rebuild_nodes(session, nodes)[key].owner


def _reduce_var(v):
    return (_rebuild_var, (_TOKEN, _graph_nodes([v]), _key(v)))


def _reduce_apply(a):
    return (_rebuild_apply, (_TOKEN, _graph_nodes(list(a.outputs)), _key(a.outputs[0])))


def _reduce_type(t):
    return (_rebuild_type, (_type_spec(t),))


def _reduce_op(op):
    spec = _op_spec(op)
    if spec[0] == "native":
        return (_rebuild_op, spec[1:])
    return (_rebuild_op_spec, (_TOKEN, spec))


def _rebuild_op_spec(session, spec):
    """An OpFromGraph or Print pickled on its own (or inside a Python wrapper)."""
    if isinstance(session, _Token):
        session = _Session()
    return _op_from_spec(spec, session)


def _rebuild_fgraph(session, nodes, in_keys, out_keys):
    """A FunctionGraph over the rebuilt variables (not cloned again)."""
    vs = _rebuild_nodes(session, nodes)
    return _core.FunctionGraph([vs[k] for k in in_keys], [vs[k] for k in out_keys], False)


def _reduce_fgraph(g):
    ins, outs = list(g.inputs), list(g.outputs)
    return (_rebuild_fgraph, (_TOKEN, _graph_nodes(ins + outs), [_key(v) for v in ins], [_key(v) for v in outs]))


def _rebuild_rng(state):
    """A RandomState with the given get_state() state."""
    r = _core.RandomState(0)
    r.set_state(state)
    return r


def _reduce_rng(r):
    return (_rebuild_rng, (r.get_state(),))


def _reduce_streams(streams):
    seed, words, pairs = _core.pickle.streams_state(streams)
    roots = [v for pair in pairs for v in pair]
    return (_rebuild_streams, (_TOKEN, _graph_nodes(roots), seed, tuple(words),
                               [(_key(a), _key(b)) for a, b in pairs]))


def _rebuild_streams(session, nodes, seed, words, pair_keys):
    """Native RandomStreams with its seed generator's state and its shared states rebuilt."""
    vs = _rebuild_nodes(session, nodes)
    return _core.pickle.restore_streams(seed, list(words), [(vs[a], vs[b]) for a, b in pair_keys])


# ---- compiled functions ------------------------------------------------------------------

_DEBUG_FIELDS = ("enabled", "check_optimized", "check_destroy_map", "check_view_map", "check_shapes", "check_values",
                 "check_finite", "reruns", "rtol", "atol", "preallocated", "preallocated_ndim", "check_strides",
                 "warn_input_not_reused")
_NAN_GUARD_FIELDS = ("nan_is_error", "inf_is_error", "big_is_error", "big_threshold")


def _reduce_function(f):
    ins, outs, opts, single = f._pickle_spec()
    roots = [i[0] for i in ins] + [i[3] for i in ins if i[3] is not None] + [o[0] for o in outs]
    for a, b in list(opts.updates) + list(opts.givens):
        roots += [a, b]
    nodes = _graph_nodes(roots)
    in_specs = []
    for var, name, has_default, update, mutable, borrow, strict, allow_downcast in ins:
        in_specs.append(dict(key=_key(var), name=name or None, value=f[var] if has_default else None,
                             update=None if update is None else _key(update), mutable=mutable,
                             borrow=borrow, strict=strict, allow_downcast=allow_downcast))
    out_specs = [(_key(v), borrow) for v, borrow in outs]
    opt_spec = dict(mode=opts.mode, updates=[(_key(a), _key(b)) for a, b in opts.updates],
                    givens=[(_key(a), _key(b)) for a, b in opts.givens], name=opts.name,
                    on_unused_input=opts.on_unused_input, allow_input_downcast=opts.allow_input_downcast,
                    no_default_updates=opts.no_default_updates, profile=opts.profile,
                    allow_gc=opts.allow_gc,
                    debug={k: getattr(opts.debug, k) for k in _DEBUG_FIELDS},
                    nan_guard={k: getattr(opts.nan_guard, k) for k in _NAN_GUARD_FIELDS})
    return (_rebuild_function, (_TOKEN, nodes, in_specs, out_specs, opt_spec, bool(single)))


def _rebuild_function(session, nodes, in_specs, out_specs, opt_spec, single):
    """Compiles a pickled function again from its graph, options and input defaults."""
    vs = _rebuild_nodes(session, nodes)
    ins = []
    for s in in_specs:
        ins.append(_core.In(vs[s["key"]], name=s["name"], value=s["value"],
                            update=None if s["update"] is None else vs[s["update"]], mutable=s["mutable"],
                            strict=s["strict"], allow_downcast=s["allow_downcast"], borrow=s["borrow"]))
    outs = [_core.Out(vs[k], borrow) for k, borrow in out_specs]
    o = dict(opt_spec)
    options = _core.FunctionOptions(
        mode=o["mode"], updates=[(vs[a], vs[b]) for a, b in o["updates"]],
        givens=[(vs[a], vs[b]) for a, b in o["givens"]], name=o["name"], on_unused_input=o["on_unused_input"],
        allow_input_downcast=o["allow_input_downcast"], no_default_updates=o["no_default_updates"],
        profile=o["profile"])
    options.allow_gc = o.get("allow_gc", True)
    # DebugMode's and NanGuardMode's checks travel with the function.
    for attr, fields in (("debug", _DEBUG_FIELDS), ("nan_guard", _NAN_GUARD_FIELDS)):
        checks = getattr(options, attr)
        for k, v in o.get(attr, {}).items():
            if k in fields:
                setattr(checks, k, v)
        setattr(options, attr, checks)
    return _core.compile_function(ins, outs, options, single)


def _install():
    """Gives the native classes their __reduce__ (and Function its Theano __copy__)."""
    _core.Variable.__reduce__ = _reduce_var
    _core.Apply.__reduce__ = _reduce_apply
    _core.Type.__reduce__ = _reduce_type
    _core.Op.__reduce__ = _reduce_op
    _core.FunctionGraph.__reduce__ = _reduce_fgraph
    _core.Function.__reduce__ = _reduce_function
    _core.RandomState.__reduce__ = _reduce_rng
    _core.RandomStreams.__reduce__ = _reduce_streams
    _core.Function.__copy__ = _copy_function
    # Variables, Apply nodes, types and ops are handles to immutable graph objects: a shallow
    # copy is the object itself (deepcopy rebuilds the graph, shared values included).
    for cls in (_core.Variable, _core.Apply, _core.Type, _core.Op):
        cls.__copy__ = _same


def _same(self):
    """copy.copy of a handle to an immutable graph object: the object itself."""
    return self


def _copy_function(self):
    """copy.copy(f): Theano's f.copy() (same graph, own input defaults, same shared variables)."""
    return self.copy()
