"""sparse_block_dot vs the equivalent dense numpy computation (one run, ratio printed).

The dense equivalent gathers, for each example, the input blocks into a dense vector of all
iBlocks*iSize inputs (zeros elsewhere), multiplies by the full (iBlocks*iSize, oBlocks*oSize)
weight matrix, and picks the oWin output blocks: what a dense layer would do.

Run: PYTHONPATH=python python bench/bench_blocksparse.py
"""
import time

import numpy as np

import hypatia
import hypatia.tensor as T
from hypatia.tensor.nnet.blocksparse import sparse_block_dot

batch, iB, oB, iS, oS, iW, oW = 64, 32, 100, 64, 100, 4, 2
rng = np.random.RandomState(0)
W = rng.randn(iB, oB, iS, oS).astype("float32")
h = rng.randn(batch, iW, iS).astype("float32")
b = rng.randn(oB, oS).astype("float32")
iIdx = np.stack([rng.choice(iB, iW, replace=False) for _ in range(batch)]).astype("int64")
oIdx = rng.randint(0, oB, (batch, oW)).astype("int64")

Wv, hv, bv = T.tensor4("W", dtype="float32"), T.tensor3("h", dtype="float32"), T.matrix("b", dtype="float32")
iv, ov = T.lmatrix("i"), T.lmatrix("o")
f = hypatia.function([Wv, hv, iv, bv, ov], sparse_block_dot(Wv, hv, iv, bv, ov))


Wd = np.ascontiguousarray(W.transpose(0, 2, 1, 3).reshape(iB * iS, oB * oS))  # the dense layer's matrix, built once


def dense():
    x = np.zeros((batch, iB, iS), dtype="float32")
    np.add.at(x, (np.arange(batch)[:, None], iIdx), h)
    y = (x.reshape(batch, -1) @ Wd).reshape(batch, oB, oS) + b
    return y[np.arange(batch)[:, None], oIdx]


def best(fn, n=5):
    fn()
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts)


got = f(W, h, iIdx, b, oIdx)
np.testing.assert_allclose(got, dense(), rtol=1e-3, atol=1e-3)
ts = best(lambda: f(W, h, iIdx, b, oIdx))
td = best(dense)
print("batch=%d iBlocks=%d oBlocks=%d iSize=%d oSize=%d iWin=%d oWin=%d float32" % (batch, iB, oB, iS, oS, iW, oW))
print("sparse_block_dot %.3f ms   dense numpy %.3f ms   dense/sparse ratio %.1fx" % (ts * 1e3, td * 1e3, td / ts))
