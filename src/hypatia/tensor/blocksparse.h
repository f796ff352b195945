// Builders of the block-sparse products (theano.tensor.nnet.blocksparse).
#pragma once
#include "hypatia/graph/variable.h"

namespace hypatia {

/// SparseBlockGemv()(o, W, h, inputIdx, outputIdx).
Var sparse_block_gemv(const Var& o, const Var& W, const Var& h, const Var& inputIdx, const Var& outputIdx);
/// SparseBlockOuter()(o, x, y, xIdx, yIdx, alpha); a null alpha means 1.
Var sparse_block_outer(const Var& o, const Var& x, const Var& y, const Var& xIdx, const Var& yIdx,
                       const Var& alpha = Var());
/// SparseBlockGemv(b.take(outputIdx, axis=0), W, h, inputIdx, outputIdx): the bias of each
/// output block is added once.
Var sparse_block_dot(const Var& W, const Var& h, const Var& inputIdx, const Var& b, const Var& outputIdx);

}  // namespace hypatia
