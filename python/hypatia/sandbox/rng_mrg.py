"""hypatia.sandbox.rng_mrg: MRG_RandomStreams, Theano's MRG31k3p random streams.

The generator is MRG31k3p (L'Ecuyer & Touzin, 2000) with Theano's seeding and layout: a seed
s gives the state (s, s, s, s, s, s); each random variable gets a shared int32 matrix of
``nstreams`` states, each 2**72 steps after the previous one (substreams), after which the
streams' state jumps 2**134 steps (the next stream). Element i of a sample comes from stream
i % nstreams, so a given seed gives Theano's numbers. The new states are the default update
of the shared matrix, so ``function([], u)`` advances them; samples have no gradient.
Generation runs on several threads over the streams with the same numbers for any count.
"""
import warnings

import numpy as np

from .. import _core
from ..configparser import config

__all__ = ["MRG_RandomStreams", "DotModulo", "guess_n_streams", "multMatVect", "ff_2p72", "ff_2p134",
           "mrg_next_value", "M1", "M2"]

M1 = 2147483647  # 2**31 - 1
M2 = 2147462579  # 2**31 - 21069
NORM = 4.656612873077392578125e-10  # 2**-31
_ex = _core.extra


def _jump_matrix(a, e, m):
    """a**(2**e) mod m by repeated squaring (Python ints: exact)."""
    for _ in range(e):
        a = [[sum(a[i][k] * a[k][j] for k in range(3)) % m for j in range(3)] for i in range(3)]
    return np.asarray(a, dtype="int64")


# The one-step matrices of the two components on Theano's state vectors (most recent first),
# and their 2**72 (substream) and 2**134 (stream) powers.
A1p0 = np.asarray([[0, 4194304, 129], [1, 0, 0], [0, 1, 0]], dtype="int64")
A2p0 = np.asarray([[32768, 0, 32769], [1, 0, 0], [0, 1, 0]], dtype="int64")
A1p72 = _jump_matrix(A1p0.tolist(), 72, M1)
A2p72 = _jump_matrix(A2p0.tolist(), 72, M2)
A1p134 = _jump_matrix(A1p0.tolist(), 134, M1)
A2p134 = _jump_matrix(A2p0.tolist(), 134, M2)


def _tensor():
    from .. import tensor
    return tensor


def matVecModM(A, s, m):
    """(A . s) mod m for an int64 3x3 matrix and a vector of 3 ints, term by term."""
    A = np.asarray(A, dtype="int64")
    s = np.asarray(s, dtype="int64")
    return np.int32(np.sum((A * s) % m, 1) % m)


def multMatVect(v, A, m1, B, m2):
    """Multiplies the first half of v by A modulo m1 and the second half by B modulo m2.

    ``v`` is an MRG state of 6 ints; ``A`` and ``B`` are 3x3 int64 matrices; ``m1`` and ``m2``
    are the moduli (M1 and M2 for MRG31k3p). Returns 6 int32 values. Raises ValueError (from
    numpy) when a half of ``v`` does not broadcast against its 3x3 matrix; it checks nothing
    else, so pass exactly 6 ints.
    """
    v = np.asarray(v)
    return np.concatenate((matVecModM(A, v[:3], m1), matVecModM(B, v[3:], m2)))


def ff_2p134(rstate):
    """The state 2**134 steps after rstate (the next stream).

    ``rstate`` is an MRG state of 6 ints. Raises ValueError (from numpy, via multMatVect) when
    its halves do not broadcast against the 3x3 jump matrices; it checks nothing else.
    """
    return multMatVect(rstate, A1p134, M1, A2p134, M2)


def ff_2p72(rstate):
    """The state 2**72 steps after rstate (the next substream).

    ``rstate`` is an MRG state of 6 ints. Raises ValueError (from numpy, via multMatVect) when
    its halves do not broadcast against the 3x3 jump matrices; it checks nothing else.
    """
    return multMatVect(rstate, A1p72, M1, A2p72, M2)


def mrg_next_value(rstate, new_rstate=None):
    """One MRG31k3p step of the 6 int32 state `rstate` (written to new_rstate, or in place):
    the sample in (0, 1) as a float64, as Theano's Python helper.

    ``rstate`` is the current state (6 ints); ``new_rstate``, when given, is the numpy array
    the next state is written to (``rstate`` itself, which must then be a numpy array, when
    None). Raises IndexError for an ``rstate`` of fewer than 6 values, TypeError when the
    state is written to something that is not a numpy array (a list) and ValueError when that
    array cannot hold 6 values.
    """
    s = [int(v) for v in rstate]
    x1 = (4194304 * s[1] + 129 * s[2]) % M1
    x2 = (32768 * s[3] + 32769 * s[5]) % M2
    out = rstate if new_rstate is None else new_rstate
    out[...] = np.asarray([x1, s[0], s[1], x2, s[3], s[4]], dtype="int32")
    return ((x1 - x2) % M1 or M1) * NORM


def guess_n_streams(size, warn=False):
    """Theano's guess: prod(size) // 6 above 6 elements, at most 60 * 256; 60 * 256 when size
    is symbolic (warning when warn).

    ``size`` is the sample's shape (a tuple or list of ints, or anything else, taken as
    symbolic); ``warn`` issues a UserWarning when the count has to be guessed. Raises nothing.
    """
    if isinstance(size, (tuple, list)) and all(isinstance(i, (int, np.integer)) for i in size):
        r = 1
        for s in size:
            r *= int(s)
        if r > 6:
            r = r // 6
        return min(r, 60 * 256)
    if warn:
        warnings.warn(f"MRG_RandomStreams Can't determine #streams from size ({size}), guessing 60*256", stacklevel=3)
    return 60 * 256


def _dot_modulo_class():
    from ..gof import Op, Apply

    class DotModulo(Op):
        """Theano's DotModulo: inputs (A, s, m, A2, s2, m2); output concat((A.s) mod m,
        (A2.s2) mod m2), computed exactly term by term (the jump of an MRG state).

        Takes no parameters (``DotModulo()``). Applying it raises TypeError for an input
        that does not convert to a tensor; running it raises ValueError (from numpy) for
        shapes that do not broadcast; its gradient is undefined, so grad raises
        NullTypeGradError through it.
        """
        __props__ = ()

        def make_node(self, A, s, m, A2, s2, m2):
            T = _tensor()
            ins = [T.as_tensor_variable(v) for v in (A, s, m, A2, s2, m2)]
            return Apply(self, ins, [ins[1].type()])

        def perform(self, node, inputs, outputs):
            A, s, m, A2, s2, m2 = inputs
            outputs[0][0] = np.concatenate((matVecModM(A, s, int(m)), matVecModM(A2, s2, int(m2)))).astype(
                node.outputs[0].dtype)

        def grad(self, inputs, output_grads):
            from .. import gradient
            return [gradient.grad_undefined(self, i, x) for i, x in enumerate(inputs)]

    return DotModulo


DotModulo = _dot_modulo_class()


def _int_size(size):
    return isinstance(size, (tuple, list)) and all(isinstance(i, (int, np.integer)) for i in size)


class MRG_RandomStreams:
    """Module component with an interface like numpy.random.RandomState, on MRG31k3p.

    seed: an int in [1, 2147462579), repeated 6 times, or 6 ints (the first three below M1
    and not all 0, the last three below M2 and not all 0).

    Raises TypeError for a ``seed`` that is neither an int nor a sequence of 6 ints (a bool
    or a float included) and ValueError for a seed out of those ranges. The samplers
    (uniform, normal, ...) raise ValueError for a size with a dimension <= 0 and TypeError
    for a size that is neither a tuple of ints nor a 1-d variable.
    """

    def __init__(self, seed=12345):
        #: (shared state matrix, new state, size, nstreams) for each sample made, in order.
        self.state_updates = []
        self.default_instance_seed = seed
        self.set_rstate(seed)

    def updates(self):
        """The (shared state, new state) pairs, for function(updates=...)."""
        return [(u[0], u[1]) for u in self.state_updates]

    def set_rstate(self, seed):
        """Sets the state the next sample's streams start from (Theano's checks)."""
        if isinstance(seed, (bool, float)):
            raise TypeError("seed should be 1 integer or 6 integers")
        if isinstance(seed, (int, np.integer)):
            self.rstate = np.asarray(_ex.mrg_seed_state(int(seed)), dtype="int32")
        elif hasattr(seed, "__len__") and len(seed) == 6:
            self.rstate = np.asarray(_ex.mrg_seed_state([int(s) for s in seed]), dtype="int32")
        else:
            raise TypeError("seed should be 1 integer or 6 integers")

    def seed(self, seed=None):
        """Re-initialises every random stream made so far from `seed` (the constructor's seed
        when None), in creation order, as Theano does."""
        if seed is None:
            seed = self.default_instance_seed
        self.set_rstate(seed)
        for old_r, new_r, size, nstreams in self.state_updates:
            if nstreams is None:
                nstreams = self.n_streams(size)
            rstates = self.get_substream_rstates(nstreams, "float64")
            old_r.set_value(rstates, borrow=True)

    def inc_rstate(self):
        """Skips self.rstate 2**134 steps ahead, to the start of the next stream."""
        self.rstate = np.asarray(_ex.mrg_next_stream(self.rstate), dtype="int32")

    def get_substream_rstates(self, n_streams, dtype=None, inc_rstate=True):
        """An n_streams x 6 int32 matrix of states spaced by 2**72 steps, from self.rstate
        (which then moves to the next stream unless inc_rstate is False)."""
        rval = _ex.mrg_substream_states(self.rstate, int(n_streams))
        if inc_rstate:
            self.inc_rstate()
        return rval

    def n_streams(self, size):
        return guess_n_streams(size)

    def pretty_return(self, node_rstate, new_rstate, sample, size, nstreams):
        self.state_updates.append((node_rstate, new_rstate, size, nstreams))
        node_rstate.default_update = new_rstate
        return sample

    def _uniform01(self, size, ndim, dtype, nstreams):
        from .. import shared
        if isinstance(size, (int, np.integer)):
            size = (int(size),)
        if isinstance(size, list):
            size = tuple(size)
        if isinstance(size, tuple):
            if any(isinstance(i, (int, np.integer)) and i <= 0 for i in size):
                raise ValueError("The specified size contains a dimension with value <= 0", size)
        elif not (isinstance(size, _core.Variable) and size.ndim == 1):
            raise TypeError("size must be a tuple of int or a Hypatia variable with 1 dimension, got "
                            f"{size!r} of type {type(size)}")
        orig_nstreams = nstreams
        if nstreams is None:
            nstreams = self.n_streams(size)
        rstates = self.get_substream_rstates(nstreams, dtype)
        node_rstate = shared(rstates)
        new_rstate, u = _ex.mrg_uniform(node_rstate, size, dtype, ndim)
        return self.pretty_return(node_rstate, new_rstate, u, size=size, nstreams=orig_nstreams)

    def uniform(self, size, low=0.0, high=1.0, ndim=None, dtype=None, nstreams=None, **kwargs):
        """Samples of the given size, uniform on (low, high) (both excluded); dtype defaults to
        the upcast of floatX, low and high."""
        _no_kwargs("uniform", kwargs)
        T = _tensor()
        low = T.as_tensor_variable(low)
        high = T.as_tensor_variable(high)
        if dtype is None:
            dtype = _upcast(config.floatX, low.dtype, high.dtype)
        low = T.cast(low, dtype)
        high = T.cast(high, dtype)
        u = self._uniform01(size, ndim, dtype, nstreams)
        r = u * (high - low) + low
        if u.broadcastable != r.broadcastable:
            raise NotImplementedError("Increase the size to match the broadcasting pattern of `low` and `high` arguments")
        return r

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype="int64", nstreams=None, **kwargs):
        """Bernoulli draws (n = 1): uniform(size) < p, cast to dtype."""
        if n != 1:
            raise NotImplementedError("MRG_RandomStreams.binomial with n > 1")
        T = _tensor()
        x = self.uniform(size=size, nstreams=nstreams, ndim=ndim, **kwargs)
        return T.cast(T.lt(x, T.as_tensor_variable(p)), dtype)

    def multinomial(self, size=None, n=1, pvals=None, ndim=None, dtype="int64", nstreams=None, **kwargs):
        """Counts of n draws from each row of the matrix pvals (no checking of pvals: a row
        whose running sum never exceeds a draw gets no count), shaped like pvals."""
        _no_kwargs("multinomial", kwargs)
        if pvals is None:
            raise TypeError("You have to specify pvals")
        T = _tensor()
        pvals = T.as_tensor_variable(pvals)
        if size is not None:
            if any(isinstance(i, int) and i <= 0 for i in size):
                raise ValueError("The specified size contains a dimension with value <= 0", size)
            raise ValueError("Provided a size argument to MRG_RandomStreams.multinomial, which does not use the size argument.")
        if ndim is not None:
            raise ValueError("Provided an ndim argument to MRG_RandomStreams.multinomial, which does not use the ndim argument.")
        if pvals.ndim != 2:
            raise NotImplementedError("MRG_RandomStreams.multinomial only implemented for pvals.ndim = 2")
        unis = self._uniform01(T.stack([pvals.shape[0] * n]), 1, config.floatX, nstreams)
        return _ex.multinomial_from_uniform(pvals, unis, n, dtype)

    def choice(self, size=1, a=None, replace=True, p=None, ndim=None, dtype="int64", nstreams=None, **kwargs):
        """`size` indices per row of the matrix p drawn without replacement (Theano's only
        mode: replace=True raises NotImplementedError), shaped (p.shape[0], size)."""
        _no_kwargs("choice", kwargs)
        if replace:
            raise NotImplementedError("MRG_RandomStreams.choice only works without replacement for now.")
        if a is not None:
            raise TypeError("For now, a has to be None in MRG_RandomStreams.choice. Sampled values are between 0 and p.shape[1]-1")
        if p is None:
            raise TypeError("For now, p has to be specified in MRG_RandomStreams.choice.")
        T = _tensor()
        p = T.as_tensor_variable(p)
        if ndim is not None:
            raise ValueError("ndim argument to MRG_RandomStreams.choice is not used.")
        if p.ndim != 2:
            raise NotImplementedError("MRG_RandomStreams.choice is only implemented for p.ndim = 2")
        unis = self._uniform01(T.stack([p.shape[0] * size]), 1, config.floatX, nstreams)
        return _ex.choice_from_uniform(p, unis, size, dtype)

    def multinomial_wo_replacement(self, size=None, n=1, pvals=None, ndim=None, dtype="int64", nstreams=None, **kwargs):
        """Deprecated: choice(size=n, replace=False, p=pvals)."""
        warnings.warn("MRG_RandomStreams.multinomial_wo_replacement() is deprecated; use choice() instead.")
        assert size is None
        return self.choice(size=n, a=None, replace=False, p=pvals, dtype=dtype, nstreams=nstreams, ndim=ndim, **kwargs)

    def normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None, truncate=False, **kwargs):
        """Normal samples by Box-Muller on an even number of uniforms, as Theano: the first half
        gives radii sqrt(-2 log u1), the second angles 2 pi u2; the cosines come first, then the
        sines. truncate keeps ``|z| <= 2``, redrawing the radius of the others."""
        _no_kwargs("normal", kwargs)
        T = _tensor()
        size_t = _check_size(size)
        avg = T.as_tensor_variable(avg)
        std = T.as_tensor_variable(std)
        if dtype is None:
            dtype = _upcast(config.floatX, avg.dtype, std.dtype)
        avg = T.cast(avg, dtype)
        std = T.cast(std, dtype)
        n_odd = T.prod(size_t, dtype="int64")
        n_even = n_odd + n_odd % 2
        if nstreams is None:
            nstreams = 60 * 256  # Theano's guess for the symbolic size it passes here
        uniform = self.uniform((n_even,), low=0.0, high=1.0, ndim=1, dtype=dtype, nstreams=nstreams)
        u1 = uniform[: n_even // 2]
        u2 = uniform[n_even // 2:]
        r = T.sqrt(-2.0 * T.log(u1))
        theta = T.constant(np.array(2.0 * np.pi, dtype=dtype)) * u2
        cos_theta, sin_theta = T.cos(theta), T.sin(theta)
        z0 = r * cos_theta
        z1 = r * sin_theta
        if truncate:
            to_fix0 = T.or_(T.lt(z0, -2.0), T.gt(z0, 2.0))
            to_fix1 = T.or_(T.lt(z1, -2.0), T.gt(z1, 2.0))
            z0_valid = z0[T.nonzero(T.invert(to_fix0))]
            z1_valid = z1[T.nonzero(T.invert(to_fix1))]
            to_fix0 = T.nonzero(to_fix0)[0]
            to_fix1 = T.nonzero(to_fix1)[0]
            n_fix = to_fix0.shape[0] + to_fix1.shape[0]
            lower = T.constant(np.array(1.0 / np.e ** 2, dtype=dtype))
            u_fix = self.uniform((n_fix,), low=lower, high=1.0, ndim=1, dtype=dtype, nstreams=nstreams)
            r_fix = T.sqrt(-2.0 * T.log(u_fix))
            z0_fixed = r_fix[: to_fix0.shape[0]] * cos_theta[to_fix0]
            z1_fixed = r_fix[to_fix0.shape[0]:] * sin_theta[to_fix1]
            samples = T.join(0, z0_valid, z0_fixed, z1_valid, z1_fixed)
        else:
            samples = T.join(0, z0, z1)
        samples = samples[:n_odd]
        samples = T.reshape(samples, size_t, ndim=ndim if ndim is not None else _len_or_none(size))
        samples = samples * std + avg
        return samples

    def truncated_normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None, **kwargs):
        """Normal samples truncated at 2 standard deviations, rescaled so that the result has
        standard deviation std (Theano's constant 0.87962566103423978)."""
        T = _tensor()
        std = T.as_tensor_variable(std) / T.constant(0.87962566103423978)
        return self.normal(size=size, avg=avg, std=std, truncate=True, ndim=ndim, dtype=dtype, nstreams=nstreams, **kwargs)


def _no_kwargs(who, kwargs):
    kwargs.pop("target", None)
    if kwargs:
        raise TypeError(f"{who}() got unexpected keyword arguments {list(kwargs)}")


def _upcast(*dtypes):
    return str(np.result_type(*[np.dtype(d) for d in dtypes]))


def _len_or_none(size):
    if isinstance(size, (int, np.integer)):
        return 1
    if isinstance(size, (tuple, list)):
        return len(size)
    return None


def _check_size(size):
    """size as a 1-d int64 variable: an int, a tuple/list of ints and int scalar variables, or
    an int vector variable. ValueError for anything else or a non-positive int."""
    T = _tensor()
    if isinstance(size, _core.Variable):
        if size.ndim == 1:
            return size
        if size.ndim == 0:
            return T.stack([size])
        raise ValueError("Hypatia variable must have 1 dimension to be a valid size.", size)
    if isinstance(size, (int, np.integer)):
        size = (int(size),)
    if not isinstance(size, (tuple, list)):
        raise ValueError("Size must be a int, tuple, list or Hypatia variable.", size)
    for i in size:
        if isinstance(i, _core.Variable):
            if i.ndim != 0:
                raise ValueError("Non-scalar Hypatia variable in size", size, i)
        elif isinstance(i, (int, np.integer)):
            if i <= 0:
                raise ValueError("Non-positive dimensions not allowed in size.", size, i)
        else:
            raise ValueError("Only Hypatia variables and integers are allowed in a size-tuple.", size, i)
    return T.stack([T.cast(T.as_tensor_variable(i), "int64") for i in size])
