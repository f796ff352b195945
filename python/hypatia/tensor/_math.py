"""Theano names of the tensor math family (theano.tensor's elementwise section), re-exported by
hypatia.tensor. Each is an Elemwise over one scalar op (numpy dtype rules, broadcasting,
Theano's gradients). ``allclose`` is left to the reductions family (it needs ``all``)."""
from .. import _core
from .._core.math import (exp2, log2, log10, inv, sin, cos, tan, arcsin, arccos, arctan, arctan2, sinh, cosh,
                          arcsinh, arccosh, arctanh, deg2rad, rad2deg, erf, erfc, erfinv, erfcinv, gamma,
                          gammaln, psi, tri_gamma, rint, ceil, floor, trunc, sgn, real, imag, angle, conj,
                          isnan, isinf, invert, maximum, minimum, int_div, mod, and_, or_, xor, switch, clip)

__all__ = [
    "exp2", "log2", "log10", "inv", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2",
    "sinh", "cosh", "arcsinh", "arccosh", "arctanh", "deg2rad", "rad2deg", "erf", "erfc",
    "erfinv", "erfcinv", "gamma", "gammaln", "psi", "tri_gamma", "rint", "ceil", "floor",
    "trunc", "sgn", "real", "imag", "angle", "conj", "isnan", "isinf", "invert", "maximum",
    "minimum", "int_div", "floor_div", "mod", "and_", "or_", "xor", "switch", "where", "clip",
    "round", "iround", "round_half_away_from_zero", "round_half_to_even", "isclose",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "divmod", "ceil_intdiv",
    "complex", "complex_from_polar",
]

where = switch
floor_div = int_div
bitwise_and = and_
bitwise_or = or_
bitwise_xor = xor
bitwise_not = invert


round = _core.math.round


iround = _core.math.iround


def round_half_away_from_zero(a):
    """``a`` rounded elementwise to the nearest integer, halves away from zero (2.5 -> 3, -2.5 -> -3).

    Raises TypeError when ``a`` is not a dense tensor.
    """
    return _core.math.round(a, "half_away_from_zero")


def round_half_to_even(a):
    """``a`` rounded elementwise to the nearest integer, halves to even (numpy.round: 2.5 -> 2).

    Raises TypeError when ``a`` is not a dense tensor.
    """
    return _core.math.round(a, "half_to_even")


isclose = _core.math.isclose


def divmod(x, y):  # noqa: A001 - Theano's name
    """(x // y, x % y).

    Raises TypeError when an operand is not a dense tensor.
    """
    return int_div(x, y), mod(x, y)


def ceil_intdiv(a, b):
    """Integer division rounding up: (a // b) + ((a % b) != 0), in the quotient's dtype.

    Raises TypeError when an operand is not a dense tensor.
    """
    div = int_div(a, b)
    return _core.tensor.add(div, _core.tensor.cast(_core.tensor.neq(mod(a, b), 0), div.dtype))


def _complex_dtype(*xs):
    dts = [_core.tensor.as_tensor_variable(x).dtype for x in xs]
    return "complex64" if all(d in ("float32", "float16", "int8", "int16", "uint8", "uint16", "bool")
                              for d in dts) else "complex128"


def complex(real, imag):  # noqa: A001 - Theano's name
    """real + 1j * imag (complex64 from float32 parts, else complex128).

    Raises TypeError when ``real`` or ``imag`` is not a real tensor.
    """
    import numpy as np
    real, imag = _core.tensor.as_tensor_variable(real), _core.tensor.as_tensor_variable(imag)
    dt = _complex_dtype(real, imag)
    j = np.array(1j, dtype=dt)
    return _core.tensor.add(_core.tensor.cast(real, dt), _core.tensor.mul(_core.tensor.cast(imag, dt), j))


def complex_from_polar(abs, angle):  # noqa: A002 - Theano's names
    """abs * exp(1j * angle).

    Raises TypeError when ``abs`` or ``angle`` is not a real tensor.
    """
    return complex(_core.tensor.mul(abs, cos(angle)), _core.tensor.mul(abs, sin(angle)))
