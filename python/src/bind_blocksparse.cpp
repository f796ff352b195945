// Python bindings of the block-sparse products (theano.tensor.nnet.blocksparse).
#include "bindings.h"
#include "hypatia/tensor/blocksparse.h"

namespace hypatia::py {

void init_blocksparse(nb::module_& m) {
  m.def("sparse_block_gemv", [](nb::handle o, nb::handle W, nb::handle h, nb::handle iIdx, nb::handle oIdx) {
    return sparse_block_gemv(as_var(o), as_var(W), as_var(h), as_var(iIdx), as_var(oIdx));
  }, nb::arg("o"), nb::arg("W"), nb::arg("h"), nb::arg("inputIdx"), nb::arg("outputIdx"),
        "Theano's SparseBlockGemv: o[b, j] += h[b, i] . W[iIdx[b, i], oIdx[b, j]] over the selected blocks. "
        "``o``: the (batch, oWin, oSize) output to add to; ``W``: the (iBlocks, oBlocks, iSize, oSize) weight "
        "blocks; ``h``: the (batch, iWin, iSize) input; ``inputIdx`` (batch, iWin) and ``outputIdx`` (batch, oWin): "
        "the integer block indices. Raises TypeError when an input does not have its rank or o, W, h are not float "
        "tensors or an index is not an integer tensor; the compiled function raises ValueError when the shapes "
        "do not agree.");
  m.def("sparse_block_outer", [](nb::handle o, nb::handle x, nb::handle y, nb::handle xIdx, nb::handle yIdx,
                                 nb::handle alpha) {
    return sparse_block_outer(as_var(o), as_var(x), as_var(y), as_var(xIdx), as_var(yIdx),
                              alpha.is_none() ? Var() : as_var(alpha));
  }, nb::arg("o"), nb::arg("x"), nb::arg("y"), nb::arg("xIdx"), nb::arg("yIdx"), nb::arg("alpha") = nb::none(),
        "Theano's SparseBlockOuter: o[xIdx, yIdx] += alpha * outer(x[b, i], y[b, j]) over the selected blocks. "
        "``o``: the (xBlocks, yBlocks, xSize, ySize) blocks to add to; ``x`` (batch, xWin, xSize) and ``y`` (batch, "
        "yWin, ySize): the vectors; ``xIdx`` (batch, xWin) and ``yIdx`` (batch, yWin): the integer block indices; "
        "``alpha``: a scalar factor (None: 1). Raises TypeError when an input does not have its rank (alpha a "
        "scalar) or o, x, y are not float tensors or an index is not an integer tensor; the compiled function "
        "raises ValueError when the shapes do not agree.");
  m.def("sparse_block_dot", [](nb::handle W, nb::handle h, nb::handle iIdx, nb::handle b, nb::handle oIdx) {
    return sparse_block_dot(as_var(W), as_var(h), as_var(iIdx), as_var(b), as_var(oIdx));
  }, nb::arg("W"), nb::arg("h"), nb::arg("inputIdx"), nb::arg("b"), nb::arg("outputIdx"),
        "theano.tensor.nnet.blocksparse.sparse_block_dot: the block-sparse product (SparseBlockGemv). ``W``: the "
        "(iBlocks, oBlocks, iSize, oSize) weight blocks; ``h``: the (batch, iWin, iSize) input; ``inputIdx`` "
        "(batch, iWin) and ``outputIdx`` (batch, oWin): the integer block indices; ``b``: the (oBlocks, oSize) "
        "bias, whose row of each selected output block is added once. Raises TypeError when an input does not "
        "have its rank (b a matrix) or W, h, b are not float tensors or an index is not an integer tensor; "
        "the compiled function raises ValueError when the shapes do not agree.");
}

}  // namespace hypatia::py
