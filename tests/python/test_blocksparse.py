"""hypatia.tensor.nnet.blocksparse: SparseBlockGemv, SparseBlockOuter, sparse_block_dot."""
import os
import subprocess
import sys

import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia.tensor.nnet import blocksparse
from harness import check_op

from hypatia.tensor.nnet.blocksparse import SparseBlockGemv, SparseBlockOuter, sparse_block_dot


def gemv_ref(o, W, h, iIdx, oIdx):
    o = o.copy()
    for b in range(o.shape[0]):
        for j in range(o.shape[1]):
            for i in range(h.shape[1]):
                o[b, j] += np.dot(h[b, i], W[iIdx[b, i], oIdx[b, j]])
    return o


def outer_ref(o, x, y, xIdx, yIdx, alpha=1.0):
    o = o.copy()
    for b in range(x.shape[0]):
        for i in range(x.shape[1]):
            for j in range(y.shape[1]):
                o[xIdx[b, i], yIdx[b, j]] += alpha * np.outer(x[b, i], y[b, j])
    return o


def dot_ref(W, h, iIdx, b, oIdx):
    return gemv_ref(b.take(oIdx, axis=0), W, h, iIdx, oIdx)


# batch=3, iBlocks=4, oBlocks=5, iSize=3, oSize=2, iWin=2, oWin=3; ids repeated and unordered.
def gemv_inputs(dtype, seed=0):
    rng = np.random.RandomState(seed)
    o = rng.randn(3, 3, 2).astype(dtype)
    W = rng.randn(4, 5, 3, 2).astype(dtype)
    h = rng.randn(3, 2, 3).astype(dtype)
    iIdx = np.array([[3, 1], [1, 1], [0, 2]], dtype="int64")
    oIdx = np.array([[4, 0, 4], [2, 2, 1], [3, 0, 1]], dtype="int32")
    return o, W, h, iIdx, oIdx


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gemv_values_shape_grad(dtype):
    o, W, h, iIdx, oIdx = gemv_inputs(dtype)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else {}
    check_op(lambda *a: SparseBlockGemv()(*a), [o, W, h, iIdx, oIdx], gemv_ref, grad=dtype == "float64", **tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_outer_values_shape_grad(dtype):
    rng = np.random.RandomState(1)
    o = rng.randn(4, 5, 3, 2).astype(dtype)
    x = rng.randn(3, 2, 3).astype(dtype)
    y = rng.randn(3, 3, 2).astype(dtype)
    xIdx = np.array([[3, 1], [1, 1], [3, 2]], dtype="int64")  # (3, 4) repeats across the batch
    yIdx = np.array([[4, 0, 4], [2, 2, 1], [4, 0, 1]], dtype="int64")
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else {}
    check_op(lambda *a: SparseBlockOuter()(*a), [o, x, y, xIdx, yIdx], outer_ref, grad=dtype == "float64", **tol)
    alpha = np.asarray(0.5, dtype=dtype)
    check_op(lambda *a: SparseBlockOuter()(*a), [o, x, y, xIdx, yIdx, alpha],
             lambda *a: outer_ref(*a[:5], alpha=a[5]).astype(dtype), grad=dtype == "float64", **tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sparse_block_dot(dtype):
    _, W, h, iIdx, oIdx = gemv_inputs(dtype, seed=2)
    b = np.random.RandomState(3).randn(5, 2).astype(dtype)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else {}
    check_op(lambda W_, h_, i_, b_, o_: sparse_block_dot(W_, h_, i_, b_, o_), [W, h, iIdx, b, oIdx], dot_ref,
             grad=dtype == "float64", **tol)


def test_grad_through_transposed_blocks_matches_numeric():
    # the h-gradient reads W's blocks transposed (a dimshuffled W) without copying it
    o, W, h, iIdx, oIdx = gemv_inputs("float64", seed=4)
    Wv, hv = T.tensor4("W"), T.tensor3("h")
    out = SparseBlockGemv()(o, Wv, hv, iIdx, oIdx)
    cost = (out ** 2).sum()
    gW, gh = hypatia.grad(cost, [Wv, hv])
    f = hypatia.function([Wv, hv], [gW, gh])
    gWv, ghv = f(W, h)
    eps = 1e-6
    num_h = np.zeros_like(h)
    for idx in np.ndindex(*h.shape):
        hp, hm = h.copy(), h.copy()
        hp[idx] += eps
        hm[idx] -= eps
        num_h[idx] = ((gemv_ref(o, W, hp, iIdx, oIdx) ** 2).sum() - (gemv_ref(o, W, hm, iIdx, oIdx) ** 2).sum()) / (2 * eps)
    np.testing.assert_allclose(ghv, num_h, rtol=1e-5, atol=1e-6)
    # gW accumulates every use of a block: compare with the closed form
    go = 2 * gemv_ref(o, W, h, iIdx, oIdx)
    np.testing.assert_allclose(gWv, outer_ref(np.zeros_like(W), h, go, iIdx, oIdx), rtol=1e-10, atol=1e-12)


def test_inputs_not_modified():
    o, W, h, iIdx, oIdx = gemv_inputs("float64")
    o0, W0 = o.copy(), W.copy()
    f = hypatia.function([], SparseBlockGemv(inplace=True)(hypatia.shared(o), W, h, iIdx, oIdx))
    f()
    np.testing.assert_array_equal(o, o0)
    np.testing.assert_array_equal(W, W0)


def run_gemv(o, W, h, iIdx, oIdx):
    vs = [T.tensor3("o"), T.tensor4("W"), T.tensor3("h"), T.lmatrix("i"), T.lmatrix("j")]
    f = hypatia.function(vs, SparseBlockGemv()(*vs))
    return f(o, W, h, iIdx.astype("int64"), oIdx.astype("int64"))


def test_errors():
    o, W, h, iIdx, oIdx = gemv_inputs("float64")
    with pytest.raises(ValueError, match=r"^\[SparseBlockGemv\]"):
        run_gemv(o, W, h[:, :, :2], iIdx, oIdx)  # iSize mismatch
    with pytest.raises(ValueError, match=r"^\[SparseBlockGemv\]"):
        run_gemv(o[:, :2], W, h, iIdx, oIdx)  # oWin mismatch
    with pytest.raises(ValueError, match=r"^\[SparseBlockGemv\]"):
        run_gemv(o, W, h, iIdx[:2], oIdx)  # batch mismatch
    bad = iIdx.copy()
    bad[1, 0] = 4
    with pytest.raises(IndexError, match=r"^\[SparseBlockGemv\]"):
        run_gemv(o, W, h, bad, oIdx)
    bad = oIdx.copy()
    bad[0, 0] = 7
    with pytest.raises(IndexError, match=r"^\[SparseBlockGemv\]"):
        run_gemv(o, W, h, iIdx, bad)
    with pytest.raises(TypeError, match=r"^\[SparseBlockGemv\]"):
        SparseBlockGemv()(T.tensor3(), T.matrix(), T.tensor3(), T.lmatrix(), T.lmatrix())
    with pytest.raises(TypeError, match=r"^\[SparseBlockGemv\]"):
        SparseBlockGemv()(T.tensor3(), T.tensor4(), T.tensor3(), T.matrix(), T.lmatrix())
    vs = [T.tensor4(), T.tensor3(), T.tensor3(), T.lmatrix(), T.lmatrix()]
    f = hypatia.function(vs, SparseBlockOuter()(*vs))
    rng = np.random.RandomState(0)
    x, y = rng.randn(3, 2, 3), rng.randn(3, 3, 2)
    with pytest.raises(IndexError, match=r"^\[SparseBlockOuter\]"):
        f(np.zeros((4, 5, 3, 2)), x, y, np.full((3, 2), 4), np.zeros((3, 3), "int64"))
    with pytest.raises(ValueError, match=r"^\[SparseBlockOuter\]"):
        f(np.zeros((4, 5, 2, 2)), x, y, np.zeros((3, 2), "int64"), np.zeros((3, 3), "int64"))


def test_larger_parallel_matches_loop():
    rng = np.random.RandomState(5)
    batch, iB, oB, iS, oS, iW, oW = 16, 6, 7, 8, 5, 3, 4
    W = rng.randn(iB, oB, iS, oS)
    h = rng.randn(batch, iW, iS)
    o = rng.randn(batch, oW, oS)
    iIdx = rng.randint(0, iB, (batch, iW))
    oIdx = rng.randint(0, oB, (batch, oW))
    np.testing.assert_allclose(run_gemv(o, W, h, iIdx, oIdx), gemv_ref(o, W, h, iIdx, oIdx), rtol=1e-10)
    vs = [T.tensor4(), T.tensor3(), T.tensor3(), T.lmatrix(), T.lmatrix()]
    f = hypatia.function(vs, SparseBlockOuter()(*vs))
    go = rng.randn(batch, oW, oS)
    np.testing.assert_allclose(f(np.zeros_like(W), h, go, iIdx, oIdx), outer_ref(np.zeros_like(W), h, go, iIdx, oIdx),
                               rtol=1e-10, atol=1e-12)


def test_hierarchical_softmax_example():
    here = os.path.dirname(os.path.abspath(__file__))
    script = os.path.join(here, "..", "..", "examples", "hierarchical_softmax.py")
    # The example runs with the same interpreter and environment as the tests (the installed
    # package, or the in-tree one when the caller set PYTHONPATH).
    r = subprocess.run([sys.executable, script, "--steps", "6", "--vocab-classes", "20", "--words-per-class", "20"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    losses = [float(line.split()[-1]) for line in r.stdout.splitlines() if line.startswith("step")]
    assert len(losses) == 6 and losses[-1] < losses[0], r.stdout


def test_strided_and_transposed_weight_views():
    # W views: a step in the last axis (no unit stride: the kernel copies) and swapped block axes
    rng = np.random.RandomState(6)
    Wbig = rng.randn(4, 5, 3, 4)
    o, h = rng.randn(3, 3, 2), rng.randn(3, 2, 3)
    iIdx = np.array([[3, 1], [1, 1], [0, 2]])
    oIdx = np.array([[4, 0, 4], [2, 2, 1], [3, 0, 1]])
    Wv = T.tensor4("W")
    f = hypatia.function([Wv], SparseBlockGemv()(o, Wv[:, :, :, ::2], h, iIdx, oIdx))
    np.testing.assert_allclose(f(Wbig), gemv_ref(o, Wbig[:, :, :, ::2], h, iIdx, oIdx), rtol=1e-12)
    g = hypatia.function([Wv], SparseBlockGemv()(o, Wv.dimshuffle(0, 1, 3, 2)[:, :, :3, :2], h, iIdx, oIdx))
    Wt = Wbig.transpose(0, 1, 3, 2)[:, :, :3, :2]
    np.testing.assert_allclose(g(Wbig), gemv_ref(o, Wt, h, iIdx, oIdx), rtol=1e-12)
    # float32 o and h with a float64 W upcast to float64
    r = SparseBlockGemv()(o.astype("float32"), Wv[:, :, :, :2], h.astype("float32"), iIdx, oIdx)
    assert r.dtype == "float64"
    np.testing.assert_allclose(hypatia.function([Wv], r)(Wbig),
                               gemv_ref(o.astype("float32").astype("float64"), Wbig[:, :, :, :2],
                                        h.astype("float32").astype("float64"), iIdx, oIdx), rtol=1e-12)
