"""Loops (theano.scan_module): scan, map, reduce, foldl, foldr, scan_checkpoints and until.

The step function runs once, in Python, on symbolic variables; the loop itself runs natively
(the inner graph is compiled with the function that contains it and executed step by step
without returning to Python).
"""
from collections import OrderedDict

import numpy as np

from . import _core
from ._core import Variable
from ._op_class import native_op_class
from .compile.test_value import give_scan_step_test_values

__all__ = ["scan", "map", "reduce", "foldl", "foldr", "scan_checkpoints", "until", "OrderedUpdates", "Scan"]

# Theano's theano.scan_module.scan_op.Scan: isinstance(node.op, Scan) tells a loop's node.
Scan = native_op_class("Scan", None, module=__name__, build_hint="scan() and its relatives build it")


class until:
    """The stop condition of a scan step (theano.scan_module.until): return it last from fn.

    Raises TypeError when the condition cannot become a variable.
    """

    def __init__(self, condition):
        self.condition = _as_var(condition)


class OrderedUpdates(OrderedDict):
    """The updates scan returns: shared variable -> expression, keys checked to be shared.

    Raises TypeError when a key is not a shared variable, KeyError when a key already has an update.
    """

    def __setitem__(self, key, value):
        if not (isinstance(key, Variable) and key.is_shared):
            raise TypeError(f"[OrderedUpdates] keys must be shared variables, got {key!r}")
        if key in self and self[key] is not value:
            raise KeyError(f"[OrderedUpdates] {key} already has an update")
        super().__setitem__(key, value)

    def update(self, other=(), **kw):
        items = other.items() if hasattr(other, "items") else other
        for k, v in items:
            self[k] = v

    def __add__(self, other):
        out = OrderedUpdates(self)
        out.update(other)
        return out


def _as_var(x):
    if isinstance(x, Variable):
        return x
    from .tensor import as_tensor_variable
    return as_tensor_variable(x)


def _is_update_pairs(x):
    return (isinstance(x, (list, tuple)) and len(x) > 0 and
            all(isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], Variable) and p[0].is_shared
                for p in x))


def _split_step_result(r, who):
    """(outputs, update pairs, until condition) from whatever fn returned, as Theano accepts it:
    outputs, an updates dict (or list of pairs), an until, or a tuple of them in any order."""
    outputs, updates, cond = [], [], None

    def take(e):
        nonlocal outputs, updates, cond
        if isinstance(e, until):
            cond = e.condition
        elif isinstance(e, dict):
            updates += list(e.items())
        elif _is_update_pairs(e):
            updates += [tuple(p) for p in e]
        elif isinstance(e, (list, tuple)):
            outputs += [_as_var(o) for o in e]
        elif e is None:
            pass
        else:
            outputs.append(_as_var(e))

    if isinstance(r, tuple) and any(isinstance(e, (dict, until)) or _is_update_pairs(e) for e in r):
        for e in r:
            take(e)
    else:
        take(r)
    for k, v in updates:
        if not (isinstance(k, Variable) and k.is_shared):
            raise TypeError(f"{who} fn returned an update for {k!r}, which is not a shared variable")
    return outputs, [(k, _as_var(v)) for k, v in updates], cond


def _taps(t, default):
    if t is None:
        return list(default)
    if isinstance(t, (int, np.integer)):
        return [int(t)]
    return [int(x) for x in t]


def scan(fn, sequences=None, outputs_info=None, non_sequences=None, n_steps=None, truncate_gradient=-1,
         go_backwards=False, mode=None, name=None, profile=False, allow_gc=None, strict=False, return_list=False):
    """Loops ``fn`` over sequences and fed-back outputs (theano.scan); returns (outputs, updates).

    ``fn`` gets, in order, every tap of every sequence, every tap of every fed-back output and the
    non-sequences, and returns its outputs, optionally an updates dict and an ``until`` condition.
    ``sequences`` are walked along their first axis (a dict gives taps); ``outputs_info`` gives
    the initial value of each fed-back output (None for an output not fed back; a dict gives
    ``initial`` and ``taps``); ``non_sequences`` are passed to every step unchanged. Without
    ``n_steps`` the loop runs over the shortest sequence. ``truncate_gradient=k`` keeps the last k
    steps in the backward pass (-1: all); ``go_backwards`` walks the sequences from the end.
    ``mode``, ``profile`` and ``allow_gc`` are accepted for compatibility: the inner graph is compiled
    with the mode of the function that contains the loop. ``name`` names the loop in errors and
    printing; ``strict=True`` refuses shared variables ``fn`` reads without being given them;
    ``return_list`` returns a list of outputs even for one.

    Raises TypeError/ValueError naming the scan for inconsistent arguments (an initial value of
    the wrong dtype, positive output taps, ...), MissingInputError with strict=True (see
    docs/semantics.md, "scan"); the compiled loop raises ValueError when a sequence is shorter
    than n_steps.
    """
    who = f"[scan {name or 'scan_fn'}]"
    seqs = []
    for s in ([] if sequences is None else sequences if isinstance(sequences, (list, tuple)) else [sequences]):
        if isinstance(s, dict):
            if "input" not in s:
                raise ValueError(f"{who} a sequence given as a dict needs the key 'input'")
            seqs.append((_as_var(s["input"]), _taps(s.get("taps"), [0])))
        else:
            seqs.append((_as_var(s), [0]))
    given = outputs_info is not None and not (isinstance(outputs_info, (list, tuple)) and len(outputs_info) == 0)
    infos = []
    if given:
        for o in (outputs_info if isinstance(outputs_info, (list, tuple)) else [outputs_info]):
            if o is None:
                infos.append((None, []))
            elif isinstance(o, dict):
                init = o.get("initial")
                if init is None:
                    if o.get("taps"):
                        raise ValueError(f"{who} an outputs_info entry has taps but no initial state")
                    infos.append((None, []))
                else:
                    infos.append((_as_var(init), _taps(o.get("taps"), [-1])))
            else:
                infos.append((_as_var(o), [-1]))
    ns = [] if non_sequences is None else list(non_sequences) if isinstance(non_sequences, (list, tuple)) else [non_sequences]
    ns = [_as_var(v) for v in ns]
    if n_steps is not None:
        n_steps = _as_var(n_steps)

    def step(args):
        give_scan_step_test_values(args, seqs, infos, ns)  # config.compute_test_value
        outs, upd, cond = _split_step_result(fn(*args), who)
        return outs, upd, cond

    outs, upd = _core._scan(step, seqs, infos, given, ns, n_steps, int(truncate_gradient), bool(go_backwards),
                            name or "", allow_gc, bool(strict))
    updates = OrderedUpdates()
    for k, v in upd:
        updates[k] = v
    if len(outs) == 1 and not return_list:
        outs = outs[0]
    return outs, updates


def map(fn, sequences, non_sequences=None, truncate_gradient=-1, go_backwards=False, mode=None, name=None):
    """``fn`` applied to each step of the ``sequences`` (theano.map); returns (outputs, updates).

    ``truncate_gradient`` and ``go_backwards`` are as in ``scan``. ``non_sequences`` are passed to every step unchanged; ``mode`` and ``name`` are as in ``scan``.

    Raises TypeError/ValueError naming the scan for inconsistent arguments, as ``scan``.
    """
    return scan(fn, sequences=sequences, outputs_info=None, non_sequences=non_sequences,
                truncate_gradient=truncate_gradient, go_backwards=go_backwards, mode=mode, name=name)


def reduce(fn, sequences, outputs_info, non_sequences=None, go_backwards=False, mode=None, name=None):
    """The last value of a scan (theano.reduce): ``fn`` folds the ``sequences`` into ``outputs_info``.

    ``go_backwards`` walks the sequences from the end. ``non_sequences`` are passed to every step unchanged; ``mode`` and ``name`` are as in ``scan``.

    Raises TypeError/ValueError naming the scan for inconsistent arguments, as ``scan``.
    """
    outs, updates = scan(fn, sequences=sequences, outputs_info=outputs_info, non_sequences=non_sequences,
                         go_backwards=go_backwards, mode=mode, name=name, return_list=True)
    outs = [o[-1] for o in outs]
    return (outs[0] if len(outs) == 1 else outs), updates


def foldl(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """``reduce`` from the first step to the last (theano.foldl): ``fn`` folds ``sequences`` into
    ``outputs_info``. ``non_sequences`` are passed to every step unchanged; ``mode`` and ``name`` are as in ``scan``.

    Raises TypeError/ValueError naming the scan for inconsistent arguments, as ``scan``.
    """
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=False, mode=mode, name=name)


def foldr(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """``reduce`` from the last step to the first (theano.foldr): ``fn`` folds ``sequences`` into
    ``outputs_info``. ``non_sequences`` are passed to every step unchanged; ``mode`` and ``name`` are as in ``scan``.

    Raises TypeError/ValueError naming the scan for inconsistent arguments, as ``scan``.
    """
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=True, mode=mode, name=name)


def scan_checkpoints(fn, sequences=[], outputs_info=None, non_sequences=[], name="checkpointscan_fn",
                     n_steps=None, save_every_N=10, padding=True):
    """``scan`` that stores one value in ``save_every_N`` and recomputes the rest for the gradient
    (theano.scan_checkpoints).

    ``fn``, ``sequences``, ``outputs_info``, ``non_sequences``, ``name`` and ``n_steps`` are as in
    ``scan``; sequences must share one length, taps are [0] for sequences and [-1] for outputs. The
    outputs hold the value after every save_every_N-th step (the last chunk may be shorter when
    ``padding``). Returns (outputs, updates).

    Raises TypeError/ValueError as ``scan``, and ValueError when the sequences' lengths differ.
    """
    who = f"[scan_checkpoints {name}]"
    seqs = [_as_var(s) for s in (sequences if isinstance(sequences, (list, tuple)) else [sequences])]
    infos = []
    for o in ([] if outputs_info is None else outputs_info if isinstance(outputs_info, (list, tuple)) else [outputs_info]):
        if isinstance(o, dict):
            if o.get("taps") not in (None, [-1], -1):
                raise ValueError(f"{who} only taps [-1] are supported on outputs")
            o = o.get("initial")
        infos.append(None if o is None else _as_var(o))
    ns = [_as_var(v) for v in (non_sequences if isinstance(non_sequences, (list, tuple)) else [non_sequences])]

    def step(args):
        return _split_step_result(fn(*args), who)

    outs, upd = _core._scan_checkpoints(step, seqs, infos, ns, name, None if n_steps is None else _as_var(n_steps),
                                        int(save_every_N), bool(padding))
    updates = OrderedUpdates()
    for k, v in upd:
        updates[k] = v
    return (outs[0] if len(outs) == 1 else outs), updates
