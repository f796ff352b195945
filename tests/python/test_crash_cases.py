"""Inputs that used to crash the process (segfault, heap corruption) or give silently wrong answers:
valid matrices too big to densify or convert, huge dense allocations. Each runs in a subprocess, so
that a regression crashes the child instead of pytest, and must end in a MemoryError or ValueError
whose message starts with "[op]"."""
import os
import re
import subprocess
import sys
import textwrap

import pytest

import hypatia

_PRELUDE = """
import numpy as np, scipy.sparse as sp
import hypatia, hypatia.sparse as S, hypatia.tensor as T
H = 2**62
def huge_csc():  # a valid (2**62, 4) csc matrix holding one 1.0 in its last row
    return sp.csc_matrix((np.array([1.0]), np.array([H - 1]), np.array([0, 0, 0, 0, 1])), shape=(H, 4))
def huge_csr():  # its (4, 2**62) csr transpose
    return sp.csr_matrix((np.array([1.0]), np.array([H - 1]), np.array([0, 0, 0, 0, 1])), shape=(4, H))
"""


def run_snippet(code, exc_names, *needles, timeout=300):
    """Runs `code` in a fresh interpreter (the same hypatia as this process) and checks that it
    ends with an uncaught exception of one of `exc_names` ("MemoryError|ValueError") whose message
    starts with "[op]" and contains every needle. Returns the child's stderr. A crash of the
    child (a signal, an abort) fails the test with its output instead of killing pytest."""
    env = dict(os.environ)
    here = os.path.dirname(os.path.dirname(os.path.abspath(hypatia.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    r = subprocess.run([sys.executable, "-c", _PRELUDE + textwrap.dedent(code)], env=env, capture_output=True,
                       text=True, timeout=timeout)
    assert r.returncode == 1, "child exited with %d (negative: killed by a signal)\nstdout: %s\nstderr: %s" % (
        r.returncode, r.stdout[-2000:], r.stderr[-4000:])
    m = re.search(r"^(%s): (\[[^\]\n]+\].*)$" % exc_names, r.stderr, re.M)
    assert m, "expected %s with an [op] prefix, got:\n%s" % (exc_names, r.stderr[-4000:])
    for n in needles:
        assert n in r.stderr, "%r not in:\n%s" % (n, r.stderr[-4000:])
    return r.stderr


TOO_BIG = "MemoryError|ValueError"


@pytest.mark.parametrize("op", ["S.structured_dot(x, y)", "S.dot(x, y)", "T.dot(S.dense_from_sparse(x), y)"])
def test_product_with_a_dense_operand_of_a_huge_matrix(op):
    # (2**62, 4) . (4, 3): the dense result has 3 * 2**62 elements.
    run_snippet("""
    x = S.csc_matrix("x"); y = T.dmatrix("y")
    f = hypatia.function([x, y], %s)
    f(huge_csc(), np.ones((4, 3)))
    """ % op, TOO_BIG, "4611686018427387904")


def test_sp_sum_along_the_huge_axis():
    run_snippet("""
    x = S.csc_matrix("x")
    print(hypatia.function([x], S.sp_sum(x, axis=0))(huge_csc()))  # fine: 4 columns
    print(hypatia.function([x], S.sp_sum(x))(huge_csc()))          # fine: a scalar
    hypatia.function([x], S.sp_sum(x, axis=1))(huge_csc())
    """, "MemoryError", "unable to allocate", "(4611686018427387904,)")


def test_sum_of_dense_from_sparse_is_right_or_raises():
    # rows * cols wrapped to 0: an empty dense matrix whose sum was 0.0 instead of 1.0.
    run_snippet("""
    x = S.csc_matrix("x")
    out = hypatia.function([x], S.dense_from_sparse(x).sum())(huge_csc())
    assert float(out) == 1.0, out
    raise ValueError("[ok] the sum was right")
    """, TOO_BIG)


@pytest.mark.parametrize("make,var,to", [("huge_csc()", "S.csc_matrix", "csr"), ("huge_csr()", "S.csr_matrix", "csc")])
def test_format_conversion_needs_a_huge_indptr(make, var, to):
    run_snippet("""
    x = %s("x")
    hypatia.function([x], S.as_format(x, "%s"))(%s)
    """ % (var, to, make), "MemoryError", "unable to allocate")


def test_transpose_is_free_and_works():
    run_snippet("""
    x = S.csc_matrix("x")
    t = hypatia.function([x], S.transpose(x))(huge_csc())
    assert t.shape == (4, H) and t.format == "csr" and t[3, H - 1] == 1.0, t
    raise ValueError("[ok] transpose worked")
    """, "ValueError", "[ok] transpose worked")


def test_sparse_comparison_with_a_huge_complement():
    # x == x stores every equal position: 2**64 of them, a count that wrapped around.
    run_snippet("""
    x = S.csc_matrix("x")
    hypatia.function([x], S.eq(x, x))(huge_csc())
    """, TOO_BIG)


@pytest.mark.parametrize("shape,exc", [("(H, 4)", "ValueError"), ("(2**31, 2**31)", "MemoryError")])
def test_dense_zeros_too_big(shape, exc):
    run_snippet("""
    hypatia.function([], T.zeros(%s))()
    """ % shape, exc, "[NDArray]")


def test_dense_from_sparse_of_a_32_eib_matrix():
    run_snippet("""
    x = S.csr_matrix("x")
    hypatia.function([x], S.dense_from_sparse(x))(sp.csr_matrix((2**31, 2**31)))
    """, "MemoryError", "unable to allocate 32.0 EiB", "(2147483648, 2147483648)")


def test_repeat_with_a_huge_count():
    run_snippet("""
    v = T.dvector("v")
    hypatia.function([v], T.repeat(v, H))(np.ones(4))
    """, TOO_BIG)


def test_the_helper_reports_a_crashing_child():
    # The helper itself must fail (not crash) when the child dies of a signal.
    with pytest.raises(AssertionError, match="killed by a signal"):
        run_snippet("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", TOO_BIG)
