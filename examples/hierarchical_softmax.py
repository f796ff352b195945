"""A two-level (hierarchical) softmax output layer built with sparse_block_dot.

The vocabulary of C x K words (default 100 classes x 100 words = 10,000) is split into C classes
of K words. p(word | h) = p(class | h) * p(word | class, h): the first level is a dense softmax
over the classes; the second computes, for each example, only the K logits of its target's
class with sparse_block_dot (one output block per example out of C), instead of all C*K.

Run: python examples/hierarchical_softmax.py [--steps N] [--vocab-classes C] [--words-per-class K]
Prints the loss of each training step (it goes down).
"""
import argparse
import time

import numpy as np

import hypatia
import hypatia.tensor as T
from hypatia.tensor.nnet import categorical_crossentropy, softmax
from hypatia.tensor.nnet.blocksparse import sparse_block_dot

ap = argparse.ArgumentParser()
ap.add_argument("--steps", type=int, default=20)
ap.add_argument("--vocab-classes", type=int, default=100)
ap.add_argument("--words-per-class", type=int, default=100)
ap.add_argument("--hidden", type=int, default=64)
ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--lr", type=float, default=0.5)
args = ap.parse_args()

C, K, H, N = args.vocab_classes, args.words_per_class, args.hidden, args.batch
rng = np.random.RandomState(1234)

# Random data: input features and target words in [0, C*K).
x_data = rng.randn(N, H)
words = rng.randint(0, C * K, size=N)
cls_data = (words // K).astype("int64")            # class of each target word
in_cls_data = (words % K).astype("int64")          # its position inside the class
out_idx_data = cls_data.reshape(N, 1)              # the one output block each example needs
in_idx_data = np.zeros((N, 1), dtype="int64")      # the hidden layer is one input block

x = T.dmatrix("x")
cls = T.lvector("cls")
in_cls = T.lvector("in_cls")
in_idx = T.lmatrix("in_idx")
out_idx = T.lmatrix("out_idx")

Wh = hypatia.shared(rng.randn(H, H) * 0.1, name="Wh")
Wc = hypatia.shared(rng.randn(H, C) * 0.01, name="Wc")            # level 1: classes
bc = hypatia.shared(np.zeros(C), name="bc")
Ww = hypatia.shared(rng.randn(1, C, H, K) * 0.01, name="Ww")      # level 2: (iBlocks, oBlocks, iSize, oSize)
bw = hypatia.shared(np.zeros((C, K)), name="bw")

h = T.tanh(T.dot(x, Wh))                                          # (N, H)
p_class = softmax(T.dot(h, Wc) + bc)                              # (N, C)
word_logits = sparse_block_dot(Ww, h.dimshuffle(0, "x", 1), in_idx, bw, out_idx)  # (N, 1, K)
p_word = softmax(word_logits[:, 0, :])                            # (N, K): within the target's class
loss = (categorical_crossentropy(p_class, cls) + categorical_crossentropy(p_word, in_cls)).mean()

params = [Wh, Wc, bc, Ww, bw]
grads = hypatia.grad(loss, params)
t0 = time.perf_counter()
train = hypatia.function([x, cls, in_cls, in_idx, out_idx], loss,
                         updates=[(p, p - args.lr * g) for p, g in zip(params, grads)])
print("vocabulary %d = %d classes x %d words; compiled in %.1f ms" % (C * K, C, K, (time.perf_counter() - t0) * 1e3))

t0 = time.perf_counter()
for step in range(args.steps):
    cost = float(train(x_data, cls_data, in_cls_data, in_idx_data, out_idx_data))
    print("step %3d  loss %.6f" % (step, cost))
print("%d steps in %.2f s" % (args.steps, time.perf_counter() - t0))
