"""hypatia.gradient: symbolic differentiation (theano.gradient)."""
import numpy as np

from . import _core

DisconnectedInputError = _core.DisconnectedInputError
NullTypeGradError = _core.NullTypeGradError
GradientError = ValueError  # verify_grad raises ValueError("[verify_grad] GradientError: ...")


def _as_list(x):
    return (list(x), True) if isinstance(x, (list, tuple)) else ([x], False)


def _pairs(d):
    if d is None:
        return []
    return list(d.items()) if hasattr(d, "items") else list(d)


def grad(cost, wrt, consider_constant=None, disconnected_inputs="raise", add_names=True,
         known_grads=None, return_disconnected="zero", null_gradients="raise"):
    """Symbolic gradient of the scalar ``cost`` with respect to ``wrt`` (theano.grad).

    ``wrt`` may be one variable (one gradient is returned) or a list (a list is returned).
    ``disconnected_inputs`` is 'raise' (DisconnectedInputError), 'warn' or 'ignore';
    ``return_disconnected`` is 'zero', 'None' or 'Disconnected'; ``known_grads`` maps
    variables to their known gradients (cost may then be None).
    """
    wrt_list, is_list = _as_list(wrt)
    if return_disconnected not in ("zero", "None", "Disconnected"):
        raise ValueError("[grad] return_disconnected must be 'zero', 'None' or 'Disconnected'")
    out = _core.grad(cost, wrt_list, list(consider_constant or []), disconnected_inputs, add_names,
                     _pairs(known_grads), return_disconnected, null_gradients)
    return out if is_list else out[0]


def Lop(f, wrt, eval_points, consider_constant=None, disconnected_inputs="raise"):
    """Vector times Jacobian: eval_points . d f / d wrt (theano.gradient.Lop)."""
    f_list, _ = _as_list(f)
    wrt_list, is_list = _as_list(wrt)
    ev, _ = _as_list(eval_points)
    out = _core.Lop(f_list, wrt_list, ev, list(consider_constant or []), disconnected_inputs)
    return out if is_list else out[0]


def Rop(f, wrt, eval_points, disconnected_outputs="raise", return_disconnected="zero"):
    """Jacobian times vector: d f / d wrt . eval_points (theano.gradient.Rop)."""
    f_list, is_list = _as_list(f)
    wrt_list, _ = _as_list(wrt)
    ev, _ = _as_list(eval_points)
    out = _core.Rop(f_list, wrt_list, ev, disconnected_outputs, return_disconnected)
    return out if is_list else out[0]


def jacobian(expression, wrt, consider_constant=None, disconnected_inputs="raise"):
    """d expression[i] / d wrt for a vector expression, stacked over i (theano.gradient.jacobian)."""
    wrt_list, is_list = _as_list(wrt)
    out = _core.jacobian(expression, wrt_list, list(consider_constant or []), disconnected_inputs)
    return out if is_list else out[0]


def hessian(cost, wrt, consider_constant=None, disconnected_inputs="raise"):
    """Matrix of second derivatives of a scalar cost for each vector in wrt (theano.gradient.hessian)."""
    wrt_list, is_list = _as_list(wrt)
    out = _core.hessian(cost, wrt_list, list(consider_constant or []), disconnected_inputs)
    return out if is_list else out[0]


zero_grad = _core.zero_grad
disconnected_grad = _core.disconnected_grad
consider_constant = _core.consider_constant
grad_clip = _core.grad_clip
grad_scale = _core.grad_scale


def verify_grad(fun, pt, n_tests=2, rng=None, eps=None, out_type=None, abs_tol=None,
                rel_tol=None, mode=None, cast_to_output_type=False, no_debug_ref=True,
                structured=False):
    """Check fun's symbolic gradient against central differences (theano.gradient.verify_grad).

    ``fun`` maps input variables to one output variable; ``pt`` lists numpy arrays (or
    scipy.sparse matrices) to test at. The output is projected on a random direction; a
    mismatch raises ValueError starting with '[verify_grad] GradientError'. ``structured``
    perturbs only the stored entries of sparse inputs (the sparse module's structured check).
    """
    if rng is None:
        seed = 42
    elif isinstance(rng, (int, np.integer)):
        seed = int(rng)
    else:
        seed = int(rng.randint(0, 2 ** 31 - 1))
    pts = [np.asarray(p) if not hasattr(p, "tocsr") else p for p in pt]
    _core.verify_grad(fun, pts, n_tests, seed, eps, abs_tol, rel_tol, mode or "FAST_RUN", structured)


# ---- for the grad/L_op of ops written in Python (theano.gradient's helpers) ----
def grad_undefined(op, x_pos, x, comment=""):
    """A NullType gradient: the gradient of ``op`` with respect to input ``x_pos`` is undefined."""
    return _core._null_grad("This variable is Null because the grad method for input %d (%s) of the %s op is "
                            "mathematically undefined. %s" % (x_pos, x, op, comment))


def grad_not_implemented(op, x_pos, x, comment=""):
    """A NullType gradient: the gradient of ``op`` with respect to input ``x_pos`` is not implemented."""
    return _core._null_grad("This variable is Null because the grad method for input %d (%s) of the %s op is "
                            "not implemented. %s" % (x_pos, x, op, comment))


class _DisconnectedMeta(type):
    # A Type of kind 'disconnected' (what grad hands an op for an unused output) is an instance.
    def __instancecheck__(cls, obj):
        return type.__instancecheck__(cls, obj) or getattr(obj, "kind", None) == "disconnected"


class DisconnectedType(metaclass=_DisconnectedMeta):
    """``DisconnectedType()()`` is the gradient of an input that does not influence the outputs;
    ``isinstance(g.type, DisconnectedType)`` tells such an output gradient in an op's grad."""

    def __call__(self, name=None):
        return _core._disconnected()


class NullType(object):
    """Theano's NullType() as an OpFromGraph override entry: no gradient (R_op) for that input (output)."""


def subgraph_grad(wrt, end, start=None, cost=None, details=False):
    """Gradients of ``cost`` and/or the known ``start`` gradients with respect to ``wrt`` and ``end``,
    not back-propagated past ``end`` (theano.gradient.subgraph_grad).

    Returns (wrt_grads, end_grads); with details=True also the gradients from ``start`` alone
    and from ``cost`` alone with respect to ``wrt`` (None where not given).
    """
    if cost is None and start is None:
        raise ValueError("[subgraph_grad] needs a cost or start gradients (both are None)")
    if not isinstance(end, list):
        raise TypeError("[subgraph_grad] end must be a list of variables, got %r" % (end,))
    if not isinstance(wrt, list):
        raise TypeError("[subgraph_grad] wrt must be a list of variables, got %r" % (wrt,))
    if start is not None and not hasattr(start, "items"):
        raise TypeError("[subgraph_grad] start must be a dictionary {variable: gradient}, got %r" % (start,))
    start_pairs = [(k, v if isinstance(v, _core.Variable) else _core.tensor.as_tensor_variable(v))
                   for k, v in (start.items() if start else [])]
    wg, eg, sg, cg = _core.subgraph_grad(wrt, end, start_pairs, cost)
    if details:
        return list(wg), list(eg), (list(sg) if start else None), (list(cg) if cost is not None else None)
    return list(wg), list(eg)
