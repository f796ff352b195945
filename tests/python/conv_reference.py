"""Numpy/scipy references for the convolution tests: scipy.signal per (image, filter, channel)
for the forward pass, and an einsum over explicit patches for the forward pass and both adjoints."""
import itertools

import numpy as np
from scipy import signal


def pads(border, kshape, dil):
    """((lo, hi), ...) per spatial axis for a Theano border_mode."""
    dk = [(k - 1) * d + 1 for k, d in zip(kshape, dil)]
    D = len(kshape)
    if border == "valid":
        return [(0, 0)] * D
    if border == "full":
        return [(k - 1, k - 1) for k in dk]
    if border == "half":
        return [(k // 2, k // 2) for k in dk]
    if isinstance(border, int):
        return [(border, border)] * D
    return [tuple(b) if isinstance(b, tuple) else (b, b) for b in border]


def dilate(kern, dil):
    D = len(dil)
    shape = kern.shape[:-D] + tuple((k - 1) * d + 1 for k, d in zip(kern.shape[-D:], dil))
    out = np.zeros(shape, kern.dtype)
    out[(Ellipsis,) + tuple(slice(None, None, d) for d in dil)] = kern
    return out


def conv_scipy(img, kern, border="valid", sub=None, flip=True, dil=None, groups=1):
    """The convolution from scipy.signal.convolve (filter_flip) or correlate, padded and subsampled."""
    D = img.ndim - 2
    sub = sub or (1,) * D
    dil = dil or (1,) * D
    p = pads(border, kern.shape[2:], dil)
    imgp = np.pad(img, [(0, 0), (0, 0)] + list(p))
    kd = dilate(kern, dil)
    cg, mg = kern.shape[1], kern.shape[0] // groups
    fn = signal.convolve if flip else signal.correlate
    rows = []
    for b in range(img.shape[0]):
        rows.append([sum(fn(imgp[b, (m // mg) * cg + c], kd[m, c], "valid") for c in range(cg))
                     for m in range(kern.shape[0])])
    out = np.array(rows)
    return out[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in sub)].astype(np.result_type(img, kern))


def _patches(imgp, kshape, out_shape, sub, dil):
    """P[b, c, k..., o...] = imgp[b, c, o * sub + k * dil]."""
    D = len(kshape)
    P = np.zeros(imgp.shape[:2] + tuple(kshape) + tuple(out_shape), imgp.dtype)
    for k in itertools.product(*[range(n) for n in kshape]):
        sl = tuple(slice(k[i] * dil[i], k[i] * dil[i] + sub[i] * (out_shape[i] - 1) + 1, sub[i]) for i in range(D))
        P[(slice(None), slice(None)) + k] = imgp[(slice(None), slice(None)) + sl]
    return P


def _setup(ishape, kshape, border, sub, dil):
    D = len(kshape)
    sub = sub or (1,) * D
    dil = dil or (1,) * D
    p = pads(border, kshape, dil)
    out = [(ishape[i] + p[i][0] + p[i][1] - (kshape[i] - 1) * dil[i] - 1) // sub[i] + 1 for i in range(D)]
    return sub, dil, p, out


def _letters(D):
    return "xyz"[:D], "uvw"[:D]


def conv_einsum(img, kern, border="valid", sub=None, flip=True, dil=None, groups=1):
    D = img.ndim - 2
    sub, dil, p, out = _setup(img.shape[2:], kern.shape[2:], border, sub, dil)
    k = kern[(Ellipsis,) + (slice(None, None, -1),) * D] if flip else kern
    P = _patches(np.pad(img, [(0, 0), (0, 0)] + p), k.shape[2:], out, sub, dil)
    B, C = img.shape[:2]
    G, M = groups, kern.shape[0]
    K, O = _letters(D)
    Pg = P.reshape((B, G, C // G) + P.shape[2:])
    kg = k.reshape((G, M // G) + k.shape[1:])
    r = np.einsum("bgc%s%s,gmc%s->bgm%s" % (K, O, K, O), Pg, kg)
    return r.reshape((B, M) + tuple(out))


def grad_weights_ref(img, top, kshape, border="valid", sub=None, flip=True, dil=None, groups=1):
    """d<top, conv(img, w)>/dw for filters of spatial shape kshape."""
    D = img.ndim - 2
    sub, dil, p, out = _setup(img.shape[2:], kshape, border, sub, dil)
    P = _patches(np.pad(img, [(0, 0), (0, 0)] + p), kshape, out, sub, dil)
    B, C = img.shape[:2]
    M, G = top.shape[1], groups
    K, O = _letters(D)
    Pg = P.reshape((B, G, C // G) + P.shape[2:])
    tg = top.reshape((B, G, M // G) + top.shape[2:])
    gw = np.einsum("bgc%s%s,bgm%s->gmc%s" % (K, O, O, K), Pg, tg).reshape((M, C // G) + tuple(kshape))
    return gw[(Ellipsis,) + (slice(None, None, -1),) * D] if flip else gw


def grad_inputs_ref(kern, top, ishape, border="valid", sub=None, flip=True, dil=None, groups=1):
    """d<top, conv(img, kern)>/dimg for images of spatial shape ishape."""
    D = kern.ndim - 2
    sub, dil, p, out = _setup(ishape, kern.shape[2:], border, sub, dil)
    k = kern[(Ellipsis,) + (slice(None, None, -1),) * D] if flip else kern
    B, M = top.shape[:2]
    G, Cg = groups, kern.shape[1]
    K, O = _letters(D)
    tg = top.reshape((B, G, M // G) + top.shape[2:])
    kg = k.reshape((G, M // G) + k.shape[1:])
    dP = np.einsum("bgm%s,gmc%s->bgc%s%s" % (O, K, K, O), tg, kg).reshape((B, G * Cg) + k.shape[2:] + tuple(out))
    padded = np.zeros((B, G * Cg) + tuple(ishape[i] + p[i][0] + p[i][1] for i in range(D)), dP.dtype)
    for kk in itertools.product(*[range(n) for n in k.shape[2:]]):
        sl = tuple(slice(kk[i] * dil[i], kk[i] * dil[i] + sub[i] * (out[i] - 1) + 1, sub[i]) for i in range(D))
        padded[(slice(None), slice(None)) + sl] += dP[(slice(None), slice(None)) + kk]
    crop = tuple(slice(p[i][0], p[i][0] + ishape[i]) for i in range(D))
    return padded[(slice(None), slice(None)) + crop]
