"""hypatia.tensor.fft.rfft / irfft beside numpy.fft and PyTensor's tensor.fft (which calls
numpy in its perform), and MRG_RandomStreams.uniform / normal beside numpy's generator.

Run: PYTHONPATH=$PWD/python /work/bench-venv/bin/python bench/bench_fft_mrg.py [--quick]
Prints each case's best time and the ratio hypatia / other (below 1 means faster). The machine
may be shared: compare ratios from one run, not absolute times across runs.
"""
import sys
import timeit

import numpy as np

import hypatia
import hypatia.tensor as T
from hypatia.tensor import fft
from hypatia.sandbox.rng_mrg import MRG_RandomStreams

try:
    import pytensor
    import pytensor.tensor as pt
    from pytensor.tensor import fft as ptfft
except ImportError:  # PyTensor is optional
    pytensor = None

QUICK = "--quick" in sys.argv


def best(fn, repeat=5):
    fn()
    return min(timeit.repeat(fn, number=1, repeat=repeat))


def row(name, h, others):
    cells = "  ".join(f"{k} {v * 1e3:8.3f} ms (x{h / v:5.2f})" for k, v in others.items() if v is not None)
    print(f"{name:28s} hypatia {h * 1e3:8.3f} ms  {cells}")


def fft_cases():
    shapes = [(64, 1024), (64, 1000)] if QUICK else [(64, 1024), (64, 1000), (8, 65536), (16, 64, 64)]
    for shape in shapes:
        a = np.random.RandomState(0).randn(*shape)
        x = T.tensor(dtype="float64", broadcastable=(False,) * len(shape))
        f = hypatia.function([x], fft.rfft(x))
        z = f(a)
        zt = T.tensor(dtype="float64", broadcastable=(False,) * (len(shape) + 1))
        g = hypatia.function([zt], fft.irfft(zt))
        axes = tuple(range(1, len(shape)))
        others = {"numpy": best(lambda: np.fft.rfftn(a, axes=axes))}
        others_i = {"numpy": best(lambda: np.fft.irfftn(z[..., 0] + 1j * z[..., 1], axes=axes))}
        if pytensor is not None:
            px = pt.tensor(dtype="float64", shape=(None,) * len(shape))
            pf = pytensor.function([px], ptfft.rfft(px))
            pz = pt.tensor(dtype="float64", shape=(None,) * (len(shape) + 1))
            pg = pytensor.function([pz], ptfft.irfft(pz))
            others["pytensor"] = best(lambda: pf(a))
            others_i["pytensor"] = best(lambda: pg(z))
        row(f"rfft {shape}", best(lambda: f(a)), others)
        row(f"irfft {shape}", best(lambda: g(z)), others_i)


def mrg_cases():
    n = 10 ** 5 if QUICK else 10 ** 6
    r = MRG_RandomStreams(1)
    u = hypatia.function([], r.uniform((n,)))
    v = hypatia.function([], r.normal((n,)))
    gen = np.random.default_rng(0)
    row(f"MRG uniform ({n})", best(u), {"numpy": best(lambda: gen.random(n))})
    row(f"MRG normal ({n})", best(v), {"numpy": best(lambda: gen.standard_normal(n))})


if __name__ == "__main__":
    fft_cases()
    mrg_cases()
