"""hypatia.tensor.nnet.blocksparse: block-sparse products (theano.tensor.nnet.blocksparse).

``SparseBlockGemv()(o, W, h, inputIdx, outputIdx)`` computes, for every example ``b`` and output
window slot ``j``::

    o[b, j] + sum_i h[b, i] . W[inputIdx[b, i], outputIdx[b, j]]

with ``o`` (batch, oWin, oSize), ``W`` (iBlocks, oBlocks, iSize, oSize), ``h`` (batch, iWin, iSize),
``inputIdx`` (batch, iWin) and ``outputIdx`` (batch, oWin).

``SparseBlockOuter()(o, x, y, xIdx, yIdx, alpha=1)`` returns ``o`` (xBlocks, yBlocks, xSize, ySize)
plus ``alpha * outer(x[b, i], y[b, j])`` added into block ``[xIdx[b, i], yIdx[b, j]]``; repeated
block pairs accumulate.

``sparse_block_dot(W, h, inputIdx, b, outputIdx)`` is
``SparseBlockGemv()(b.take(outputIdx, axis=0), W, h, inputIdx, outputIdx)``: the bias ``b``
(oBlocks, oSize) of each output block is added once.

Gradients: W through SparseBlockOuter, h through SparseBlockGemv on W's transposed blocks, o and
b pass through; the index inputs are disconnected. The ops never write into their inputs
(``inplace=True`` is accepted and computes the same result out of place).
"""
from ..._core.blocksparse import sparse_block_gemv, sparse_block_outer, sparse_block_dot
from ..._op_class import NativeOpClass


class SparseBlockGemv(metaclass=NativeOpClass):
    """Theano's SparseBlockGemv(inplace=False); call it on (o, W, h, inputIdx, outputIdx).

    ``inplace`` is accepted for Theano compatibility (the result is computed out of place either
    way); the constructor raises nothing. Calling the op (see the module docstring for the shapes)
    raises TypeError when an input does not have its rank, or ``o``, ``W`` or ``h`` is not a float
    tensor or an index is not an integer tensor; the compiled function raises ValueError when the
    shapes do not agree.
    """
    _native = ["hypatia::SparseBlockGemv"]

    __props__ = ("inplace",)

    def __init__(self, inplace=False):
        self.inplace = bool(inplace)

    def __call__(self, o, W, h, inputIdx, outputIdx):
        return sparse_block_gemv(o, W, h, inputIdx, outputIdx)

    def __eq__(self, other):
        return type(self) is type(other) and self.inplace == other.inplace

    def __hash__(self):
        return hash((type(self), self.inplace))

    def __str__(self):
        return "%s{%s}" % (type(self).__name__, "inplace" if self.inplace else "no_inplace")


class SparseBlockOuter(SparseBlockGemv):
    """Theano's SparseBlockOuter(inplace=False); call it on (o, x, y, xIdx, yIdx, alpha=None).

    ``inplace`` is accepted for Theano compatibility (the result is computed out of place either
    way); the constructor raises nothing. Calling the op raises TypeError when an input does not
    have its rank (``alpha`` must be a scalar), or ``o``, ``x`` or ``y`` is not a float tensor or an
    index is not an integer tensor; the compiled function raises ValueError when the shapes do not
    agree.
    """
    _native = ["hypatia::SparseBlockOuter"]
    _isa = ()

    def __call__(self, o, x, y, xIdx, yIdx, alpha=None):
        return sparse_block_outer(o, x, y, xIdx, yIdx, alpha)


sparse_block_gemv_inplace = SparseBlockGemv(True)
sparse_block_outer_inplace = SparseBlockOuter(True)

__all__ = ["SparseBlockGemv", "SparseBlockOuter", "sparse_block_dot", "sparse_block_gemv", "sparse_block_outer",
           "sparse_block_gemv_inplace", "sparse_block_outer_inplace"]
