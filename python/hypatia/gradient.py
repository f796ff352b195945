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
    ``consider_constant`` lists variables treated as constants (no gradient flows through them).
    ``disconnected_inputs`` is 'raise', 'warn' or 'ignore' for a ``wrt`` the cost does not depend on;
    ``return_disconnected`` ('zero', 'None' or 'Disconnected') says what is returned for it.
    ``known_grads`` maps variables to their known gradients (``cost`` may then be None).
    ``add_names`` names the gradients ``(d<cost>/d<wrt>)``; ``null_gradients`` ('raise' or
    'return') says what to do with a gradient an op cannot give.

    Raises DisconnectedInputError (disconnected_inputs='raise'), NullTypeGradError when a needed
    gradient is undefined or not implemented (null_gradients='raise'), TypeError when ``cost`` is
    not a scalar, ValueError for a bad ``return_disconnected``.
    """
    wrt_list, is_list = _as_list(wrt)
    if return_disconnected not in ("zero", "None", "Disconnected"):
        raise ValueError("[grad] return_disconnected must be 'zero', 'None' or 'Disconnected'")
    out = _core.grad(cost, wrt_list, list(consider_constant or []), disconnected_inputs, add_names,
                     _pairs(known_grads), return_disconnected, null_gradients)
    return out if is_list else out[0]


def Lop(f, wrt, eval_points, consider_constant=None, disconnected_inputs="raise"):
    """Vector times Jacobian: ``eval_points . d f / d wrt`` (theano.gradient.Lop).

    ``f`` is a variable or list of them, ``wrt`` the variable(s) to differentiate with respect to
    (a list gives a list), ``eval_points`` one vector per ``f``; ``consider_constant`` and
    ``disconnected_inputs`` are as in ``grad``.

    Raises DisconnectedInputError when a ``wrt`` does not influence ``f`` (disconnected_inputs='raise'),
    TypeError when an eval point's type differs from its output's.
    """
    f_list, _ = _as_list(f)
    wrt_list, is_list = _as_list(wrt)
    ev, _ = _as_list(eval_points)
    out = _core.Lop(f_list, wrt_list, ev, list(consider_constant or []), disconnected_inputs)
    return out if is_list else out[0]


def Rop(f, wrt, eval_points, disconnected_outputs="raise", return_disconnected="zero"):
    """Jacobian times vector: ``d f / d wrt . eval_points`` (theano.gradient.Rop), forward mode.

    ``f`` is a variable or list, ``wrt`` the variable(s) and ``eval_points`` one tangent per ``wrt``.
    ``disconnected_outputs`` ('raise', 'warn', 'ignore') is for outputs ``wrt`` does not reach;
    ``return_disconnected`` ('zero', 'None', 'Disconnected') says what they get.

    Raises NotImplementedError when an op on the path has no R-op, TypeError when an eval point's
    type differs from its variable's, DisconnectedInputError for a disconnected output with 'raise'.
    """
    f_list, is_list = _as_list(f)
    wrt_list, _ = _as_list(wrt)
    ev, _ = _as_list(eval_points)
    out = _core.Rop(f_list, wrt_list, ev, disconnected_outputs, return_disconnected)
    return out if is_list else out[0]


def jacobian(expression, wrt, consider_constant=None, disconnected_inputs="raise"):
    """``d expression[i] / d wrt`` for a vector ``expression``, stacked over i (theano.gradient.jacobian).

    ``wrt`` is a variable or a list (a list of Jacobians is returned); ``consider_constant`` and
    ``disconnected_inputs`` are as in ``grad``.

    Raises ValueError when ``expression`` is not a vector, DisconnectedInputError as ``grad``.
    """
    wrt_list, is_list = _as_list(wrt)
    out = _core.jacobian(expression, wrt_list, list(consider_constant or []), disconnected_inputs)
    return out if is_list else out[0]


def hessian(cost, wrt, consider_constant=None, disconnected_inputs="raise"):
    """The matrix of second derivatives of the scalar ``cost`` for each vector in ``wrt`` (theano.gradient.hessian).

    ``consider_constant`` and ``disconnected_inputs`` are as in ``grad``.

    Raises ValueError when ``cost`` is not a scalar or a ``wrt`` not a vector, DisconnectedInputError as ``grad``.
    """
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
    """Check ``fun``'s symbolic gradient against central differences (theano.gradient.verify_grad).

    ``fun`` maps input variables to one output variable; ``pt`` lists numpy arrays (or
    scipy.sparse matrices) to test at. The output is projected on a random direction, ``n_tests``
    times, drawn from ``rng`` (a RandomState or seed; 42 when None). ``eps`` is the step,
    ``abs_tol``/``rel_tol`` the tolerances (Theano's per-dtype defaults when None), ``mode`` the
    mode functions are compiled with. ``out_type``, ``cast_to_output_type`` and ``no_debug_ref``
    are accepted for Theano compatibility. ``structured`` perturbs only the stored entries of
    sparse inputs (the sparse module's structured check).

    Raises ValueError starting with '[verify_grad] GradientError' when the gradients disagree
    (``gradient.GradientError`` is ValueError), TypeError when ``fun`` does not return one variable.
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
    """A NullType gradient: the gradient of ``op`` with respect to input ``x_pos`` (the variable ``x``) is
    undefined; ``comment`` says why. For an op's ``grad``.

    Raises nothing itself; ``grad`` raises NullTypeGradError if the gradient is needed.
    """
    return _core._null_grad("This variable is Null because the grad method for input %d (%s) of the %s op is "
                            "mathematically undefined. %s" % (x_pos, x, op, comment))


def grad_not_implemented(op, x_pos, x, comment=""):
    """A NullType gradient: the gradient of ``op`` with respect to input ``x_pos`` (the variable ``x``) is
    not implemented; ``comment`` says why. For an op's ``grad``.

    Raises nothing itself; ``grad`` raises NullTypeGradError if the gradient is needed.
    """
    return _core._null_grad("This variable is Null because the grad method for input %d (%s) of the %s op is "
                            "not implemented. %s" % (x_pos, x, op, comment))


class _DisconnectedMeta(type):
    # A Type of kind 'disconnected' (what grad hands an op for an unused output) is an instance.
    def __instancecheck__(cls, obj):
        return type.__instancecheck__(cls, obj) or getattr(obj, "kind", None) == "disconnected"


class DisconnectedType(metaclass=_DisconnectedMeta):
    """``DisconnectedType()()`` is the gradient of an input that does not influence the outputs;
    ``isinstance(g.type, DisconnectedType)`` tells such an output gradient in an op's grad.

    Raises nothing.
    """

    def __call__(self, name=None):
        return _core._disconnected()


class NullType(object):
    """Theano's NullType() as an OpFromGraph override entry: no gradient (R_op) for that input (output).

    Raises nothing; grad raises NullTypeGradError if such a gradient is needed.
    """


def subgraph_grad(wrt, end, start=None, cost=None, details=False):
    """Gradients of ``cost`` and/or the known ``start`` gradients with respect to ``wrt`` and ``end``,
    not back-propagated past ``end`` (theano.gradient.subgraph_grad).

    Returns (wrt_grads, end_grads); with details=True also the gradients from ``start`` alone
    and from ``cost`` alone with respect to ``wrt`` (None where not given).

    Raises DisconnectedInputError when a ``wrt`` does not influence the cost, TypeError when
    ``cost`` is not a scalar.
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
