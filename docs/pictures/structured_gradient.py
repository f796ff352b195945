"""Draws docs/_generated/structured_gradient.svg: a sparse x, and the entries of x that the
structured and the regular gradient of sum(x . W) reach, computed by Hypatia."""
import sys

import numpy as np
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T

x = S.csr_matrix("x")
W = T.dmatrix("W")
grads = hypatia.function([x, W], [hypatia.grad(T.sum(S.structured_dot(x, W)), x),
                                  hypatia.grad(T.sum(S.dot(x, W)), x)])
xv = sp.random(6, 10, density=0.25, format="csr", random_state=3)
structured, regular = (g.toarray() for g in grads(xv, np.ones((10, 4))))
stored = xv.toarray() != 0

CELL, GAP, TOP = 22, 40, 38


def grid(x0, title, filled, outline):
    parts = [f'<text x="{x0}" y="24" font-family="sans-serif" font-size="15">{title}</text>']
    for i in range(filled.shape[0]):
        for j in range(filled.shape[1]):
            fill = "#3d7fc1" if filled[i, j] else "#ffffff"
            stroke = "#c1403d" if outline[i, j] else "#999999"
            width = 2.5 if outline[i, j] else 1
            parts.append(f'<rect x="{x0 + j * CELL}" y="{TOP + i * CELL}" width="{CELL - 3}" height="{CELL - 3}" '
                         f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>')
    return parts


w = xv.shape[1] * CELL
parts = grid(0, "x (stored entries)", stored, stored)
parts += grid(w + GAP, "structured gradient", structured != 0, stored)
parts += grid(2 * (w + GAP), "regular gradient", regular != 0, stored)
height = TOP + xv.shape[0] * CELL + 30
parts.append(f'<text x="0" y="{height - 8}" font-family="sans-serif" font-size="12">'
             "red outline: stored entry of x; blue: entry that receives gradient</text>")
svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{3 * w + 2 * GAP}" height="{height}">'
       + "".join(parts) + "</svg>\n")
assert ((structured != 0) <= stored).all() and (regular != 0).all()
with open(f"{sys.argv[1]}/structured_gradient.svg", "w") as f:
    f.write(svg)
