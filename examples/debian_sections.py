"""Predict a Debian package's Section from its Description: softmax regression on sparse bags of words.

Reads the package lists that `apt-get update` leaves in /var/lib/apt/lists (any compression apt
uses, read through apt-helper when Python cannot decompress it), falling back to dpkg's status
file. Builds the bag-of-words CSR matrix itself, trains with hypatia.grad through
sparse.structured_dot with updates on shared weights, and prints progress, time per epoch,
held-out accuracy and the majority-class baseline.

Run: python examples/debian_sections.py [epochs]
Data-parallel over MPI (hypatia.distributed; each rank trains on its CSR row shard of the
training set, gradients averaged over the ranks inside the compiled step):
     mpirun -np 2 python examples/debian_sections.py --distributed [epochs]
"""
import collections
import glob
import gzip
import lzma
import os
import re
import subprocess
import sys
import time

import numpy as np
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T

TOKEN = re.compile(r"[a-z0-9][a-z0-9+]+")


def read_text(path):
    """The text of an apt list file, whatever its compression."""
    if path.endswith(".gz"):
        return gzip.open(path, "rt", errors="replace").read()
    if path.endswith(".xz"):
        return lzma.open(path, "rt", errors="replace").read()
    if path.endswith((".lz4", ".zst", ".bz2")):
        helper = "/usr/lib/apt/apt-helper"
        out = subprocess.run([helper, "cat-file", path], capture_output=True, check=True)
        return out.stdout.decode("utf-8", "replace")
    return open(path, errors="replace").read()


def stanzas(text):
    """(description, section) pairs from Debian control-file stanzas."""
    for block in text.split("\n\n"):
        fields = {}
        for line in block.splitlines():
            if line and not line[0].isspace() and ":" in line:
                k, v = line.split(":", 1)
                fields[k] = v.strip()
        if "Description" in fields and "Section" in fields:
            section = fields["Section"].split("/")[-1]  # contrib/utils -> utils
            yield fields.get("Package", "") + " " + fields["Description"], section


def load_packages():
    files = sorted(glob.glob("/var/lib/apt/lists/*_Packages*"))
    source = "apt lists (%d files)" % len(files)
    pairs = {}
    for f in files:
        for desc, sec in stanzas(read_text(f)):
            pairs[desc] = sec  # the same package in several lists counts once
    if not pairs and os.path.exists("/var/lib/dpkg/status"):
        source = "/var/lib/dpkg/status"
        for desc, sec in stanzas(read_text("/var/lib/dpkg/status")):
            pairs[desc] = sec
    if not pairs:
        sys.exit("no package lists found: run apt-get update first")
    return list(pairs.items()), source


def bag_of_words(texts, min_df=2, max_features=20000):
    """CSR matrix of log(1 + count) features over the most frequent tokens."""
    tokenized = [TOKEN.findall(t.lower()) for t in texts]
    df = collections.Counter(tok for toks in tokenized for tok in set(toks))
    vocab = [w for w, c in df.most_common(max_features) if c >= min_df]
    index = {w: i for i, w in enumerate(vocab)}
    indptr, indices, data = [0], [], []
    for toks in tokenized:
        counts = collections.Counter(index[t] for t in toks if t in index)
        for j in sorted(counts):
            indices.append(j)
            data.append(np.log1p(counts[j]))
        indptr.append(len(indices))
    X = sp.csr_matrix((np.array(data), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int32)),
                      shape=(len(texts), len(vocab)))
    return X, vocab


def main():
    args = [a for a in sys.argv[1:] if a != "--distributed"]
    distributed = "--distributed" in sys.argv[1:]
    epochs = int(args[0]) if args else 8
    rank, size = 0, 1
    if distributed:
        import hypatia.distributed as dist
        rank, size = dist.init()
    say = print if rank == 0 else (lambda *a, **k: None)
    t0 = time.perf_counter()
    pairs, source = load_packages()
    texts = [p[0] for p in pairs]
    sections = sorted({p[1] for p in pairs})
    y_all = np.array([sections.index(p[1]) for p in pairs], dtype=np.int64)
    X_all, vocab = bag_of_words(texts)
    rng = np.random.RandomState(0)
    order = rng.permutation(len(texts))
    n_test = len(texts) // 10
    test, train = order[:n_test], order[n_test:]
    Xtr, ytr, Xte, yte = X_all[train], y_all[train], X_all[test], y_all[test]
    say("%d packages from %s, %d sections, %d features, %d stored entries (%.1f per row); built in %.1f s"
          % (len(texts), source, len(sections), len(vocab), X_all.nnz, X_all.nnz / len(texts), time.perf_counter() - t0))

    x = S.csr_matrix("x")
    y = T.lvector("y")
    W = hypatia.shared(np.zeros((len(vocab), len(sections))), name="W")
    b = hypatia.shared(np.zeros(len(sections)), name="b")
    p_y = T.nnet.softmax(S.structured_dot(x, W) + b)
    loss = T.nnet.categorical_crossentropy(p_y, y).mean()
    cost = loss + 1e-6 * (W ** 2).sum()
    gW, gb = hypatia.grad(cost, [W, b])
    lr = 1.0
    updates = [(W, W - lr * gW), (b, b - lr * gb)]
    batch = 256
    if distributed:
        # Each rank trains on its block of rows (a CSR row partition) with batch/size rows per
        # step: one step averages the ranks' gradients, as one process does on the whole batch.
        n_rows = Xtr.shape[0] // size  # every rank takes the same number of steps
        Xtr, ytr = dist.shard(Xtr, ytr)
        Xtr, ytr = Xtr[:n_rows], ytr[:n_rows]
        batch = max(1, batch // size)
        train_step = dist.function([x, y], cost, [W, b], updates=updates, outputs=loss)
        say("distributed: %d ranks, %d training rows and a batch of %d per rank" % (size, n_rows, batch))
    else:
        train_step = hypatia.function([x, y], loss, updates=updates)
    predict = hypatia.function([x], T.argmax(p_y, axis=1))

    for epoch in range(epochs):
        t0 = time.perf_counter()
        perm = rng.permutation(Xtr.shape[0])
        losses = []
        for start in range(0, len(perm), batch):
            idx = perm[start:start + batch]
            losses.append(float(train_step(Xtr[idx], ytr[idx])))
        dt = time.perf_counter() - t0
        mean_loss = np.mean(losses)
        if distributed:
            mean_loss = float(dist.all_reduce(np.array(mean_loss), "mean"))
        acc = (predict(Xte) == yte).mean()
        say("epoch %2d  loss %.4f  held-out accuracy %.3f  (%.2f s/epoch)" % (epoch, mean_loss, acc, dt))
    majority = np.bincount(ytr).argmax()
    say("held-out accuracy %.3f; majority-class baseline ('%s') %.3f"
          % ((predict(Xte) == yte).mean(), sections[majority], (yte == majority).mean()))


if __name__ == "__main__":
    main()
