"""Issue 8, section 2 (reliability): one function called from many threads, atomic updates of
shared variables, no leak through default updates, and stored sparse values checked before
any kernel reads them. Each case that used to crash the interpreter runs in a subprocess, so a
regression fails one test instead of killing pytest."""
import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.tensor as T
from hypatia import In, function, shared, sparse


def run_child(code, timeout=120):
    """Runs `code` in a fresh interpreter importing the same hypatia; returns the process."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, env=env)


# ---- 2.3 one function, many threads -----------------------------------------------------

def test_one_sparse_function_with_updates_from_8_threads_for_10_s():
    """8 threads call one sparse function with updates for 10 s: every result is consistent with
    the number of calls made before it, and the counters equal the calls made (none lost)."""
    rng = np.random.default_rng(0)
    xv = sp.random(60, 40, density=0.2, format="csr", random_state=1) + sp.eye(60, 40, format="csr")
    x = sparse.csr_matrix("x", dtype="float64")
    W = shared(np.zeros((40, 8)), name="W")
    n = shared(np.zeros(()), name="n")
    out = sparse.structured_dot(x, W).sum()
    f = function([x], [out, n], updates=[(W, W + 0.25), (n, n + 1)])
    unit = xv.sum() * 8 * 0.25  # out after k earlier calls is k * unit
    made, bad = [0] * 8, []
    stop = time.monotonic() + 10.0

    def work(t):
        while time.monotonic() < stop:
            s, k = f(xv)
            if not np.isclose(s, float(k) * unit, rtol=1e-9, atol=1e-9):
                bad.append((s, float(k)))
            made[t] += 1

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(made)
    assert not bad, bad[:5]
    assert total > 100
    assert n.get_value() == total
    np.testing.assert_allclose(W.get_value(), np.full((40, 8), 0.25 * total))


def test_concurrent_calls_crash_case_in_subprocess():
    """Before per-call frames, this double-freed in VM::release and killed the process."""
    p = run_child("""
        import threading, numpy as np, hypatia, hypatia.tensor as T
        x = T.dvector("x")
        f = hypatia.function([x], (x * 2 + 1).sum())
        a = np.arange(10000.0)
        want = f(a)
        errs = []
        def go():
            for _ in range(300):
                if f(a) != want: errs.append(1)
        ts = [threading.Thread(target=go) for _ in range(8)]
        [t.start() for t in ts]; [t.join() for t in ts]
        print("ok", len(errs))
    """)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.strip() == "ok 0"


def test_two_functions_update_one_shared_variable_from_two_threads():
    c = shared(np.zeros(3), name="c")
    f1 = function([], [], updates=[(c, c + 1)])
    f2 = function([], [], updates=[(c, c + 10)])
    seen = []
    g = function([], c * 1.0)

    def loop(fn):
        for _ in range(2000):
            fn()
            v = g()
            seen.append(v[0] == v[1] == v[2])

    ts = [threading.Thread(target=loop, args=(f,)) for f in (f1, f2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    np.testing.assert_array_equal(c.get_value(), np.full(3, 2000 * 11.0))
    assert all(seen)


# ---- 2.4 leak through default updates ---------------------------------------------------

def test_dropped_shared_variables_with_default_update_are_freed():
    """1,000 dropped 800 kB shared variables with a default_update (and 200 RandomStreams
    draws) keep the resident set flat: the update no longer holds the variable itself."""
    p = run_child("""
        import gc, numpy as np, hypatia
        from hypatia.tensor.shared_randomstreams import RandomStreams
        def rss_mb():
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024.0
        for _ in range(50):  # warm up allocator and caches
            v = hypatia.shared(np.zeros(100000)); v.default_update = v + 1; del v
        gc.collect(); before = rss_mb()
        for _ in range(1000):
            v = hypatia.shared(np.zeros(100000))
            v.default_update = v + 1
            f = hypatia.function([], v * 2)   # compiling picks the default update up
            del v, f
        for _ in range(200):
            srng = RandomStreams(1)
            u = srng.uniform((100000,))
            del srng, u
        gc.collect()
        print(rss_mb() - before)
    """, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    grown = float(p.stdout.strip().splitlines()[-1])
    assert grown < 80, f"RSS grew by {grown:.0f} MB over 1,000 dropped 800 kB variables"


def test_default_update_keeps_its_identity_and_still_works():
    v = shared(np.zeros(2), name="v")
    upd = v + 1
    v.default_update = upd
    assert v.default_update == upd
    f = function([], v * 1.0)
    f()
    f()
    np.testing.assert_array_equal(v.get_value(), [2.0, 2.0])
    del upd  # nobody holds the expression any more: it is rebuilt over v itself
    g = function([], v * 1.0)
    g()
    np.testing.assert_array_equal(v.get_value(), [3.0, 3.0])
    assert v.default_update is not None
    v.default_update = None
    g2 = function([], v * 1.0)
    g2()
    np.testing.assert_array_equal(v.get_value(), [3.0, 3.0])


# ---- 2.2 stored values checked before kernels --------------------------------------------

def test_borrowed_shared_sparse_matrix_edited_in_place_raises():
    p = run_child("""
        import numpy as np, scipy.sparse as sp, hypatia
        from hypatia import sparse
        A = sp.random(50, 40, density=0.3, format="csr", random_state=0)
        s = hypatia.shared(A, borrow=True)
        y = hypatia.tensor.dmatrix("y")
        f = hypatia.function([y], sparse.structured_dot(s, y))
        f(np.ones((40, 3)))
        A.indices[:] = 10**9          # corrupt the borrowed arrays behind the variable's back
        A.indptr[-1] = 10**6
        try:
            f(np.ones((40, 3)))
        except ValueError as e:
            print("ValueError", str(e).splitlines()[0])
    """)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.startswith("ValueError [function]"), p.stdout


def test_borrowed_shared_sparse_bad_indices_only():
    A = sp.random(30, 20, density=0.3, format="csc", random_state=0)
    s = shared(A, borrow=True)
    f = function([], sparse.sp_sum(s))
    f()
    A.indices[0] = 1000
    with pytest.raises(ValueError, match=r"^\[function\] the shared variable"):
        f()


# ---- 1.5 / 1.10 function inputs and givens ----------------------------------------------

def test_function_accepts_a_non_root_input_and_cuts_the_graph_there():
    a = T.dvector("a")
    b = T.exp(a)  # computed from a; given as an input, a is not needed
    f = function([b], b * 2)
    np.testing.assert_array_equal(f(np.array([1.0, 2.0])), [2.0, 4.0])
    c = b + a  # needs a as well: still missing
    with pytest.raises(hypatia._core.MissingInputError, match="a"):
        function([b], c)


def test_givens_reach_the_default_updates_of_random_streams():
    from hypatia.tensor.shared_randomstreams import RandomStreams
    x = T.dvector("x")
    data = shared(np.arange(12.0), name="data")
    i = T.lscalar("i")
    srng = RandomStreams(seed=3)
    noise = srng.normal((4,), avg=x.mean(), std=1e-9)  # the draw's parameters depend on x
    f = function([i], noise, givens={x: data[i * 4:(i + 1) * 4]})
    a, b = f(0), f(2)
    np.testing.assert_allclose(a, np.full(4, 1.5), atol=1e-6)
    np.testing.assert_allclose(b, np.full(4, 9.5), atol=1e-6)
    g = function([i], noise, givens={x: data[i * 4:(i + 1) * 4]}, no_default_updates=True)
    np.testing.assert_allclose(g(1), np.full(4, 5.5), atol=1e-6)
