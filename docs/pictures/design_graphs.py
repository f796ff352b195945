"""Draws the Design page's graph pictures with pydotprint into docs/_generated/: a small graph
as built (graph_built.png), the same graph compiled (graph_compiled.png, after the rewrites),
and the training step of the sparse softmax regression (graph_sparse_train.png)."""
import os
import sys

import numpy as np

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T
from hypatia.printing import pydotprint

out = sys.argv[1]
x = T.dvector("x")
y = T.dvector("y")
z = T.exp(x) * 2 + T.exp(x) * y          # exp(x) twice: merge computes it once
pydotprint([z], outfile=os.path.join(out, "graph_built.png"), print_output_file=False)
f = hypatia.function([x, y], z)
pydotprint(f, outfile=os.path.join(out, "graph_compiled.png"), print_output_file=False)

xs = S.csr_matrix("x")
ys = T.ivector("y")
W = hypatia.shared(np.zeros((1000, 5)), name="W")
b = hypatia.shared(np.zeros(5), name="b")
p = T.nnet.softmax(S.structured_dot(xs, W) + b)
cost = T.nnet.categorical_crossentropy(p, ys).mean()
gW, gb = hypatia.grad(cost, [W, b])
train = hypatia.function([xs, ys], cost, updates=[(W, W - 0.5 * gW), (b, b - 0.5 * gb)])
pydotprint(train, outfile=os.path.join(out, "graph_sparse_train.png"), print_output_file=False)
