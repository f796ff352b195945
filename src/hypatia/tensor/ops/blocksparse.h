// Block-sparse products (Theano's tensor.nnet.blocksparse): SparseBlockGemv and SparseBlockOuter.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// inplace: the output is accumulated into input 0's buffer (destroy_map {0: [0]}). Only the
/// in-place phase (rewrite/inplace.h) creates these, when nothing else can see that buffer.
struct BlockSparseParams {
  bool inplace = false;
  auto fields() const { return std::tie(inplace); }
};

/// o[b, j] + sum_i h[b, i] . W[inputIdx[b, i], outputIdx[b, j]] for inputs
/// (o, W, h, inputIdx, outputIdx) shaped (batch, oWin, oSize), (iBlocks, oBlocks, iSize, oSize),
/// (batch, iWin, iSize), (batch, iWin), (batch, oWin). Never writes into its inputs.
class SparseBlockGemv final : public OpBase<SparseBlockGemv, BlockSparseParams> {
  HYPATIA_OP(SparseBlockGemv, 5, make_node, perform, infer_shape, vjp, connection_pattern)
  std::string str() const override { return params_.inplace ? "SparseBlockGemv{inplace}" : "SparseBlockGemv{no_inplace}"; }
  ViewMap destroy_map() const override { return params_.inplace ? ViewMap{{0, {0}}} : ViewMap{}; }
  std::shared_ptr<const Op> inplace_variant(const std::vector<int>& allowed) const override;
};

/// o + alpha * sum outer(x[b, i], y[b, j]) into block o[xIdx[b, i], yIdx[b, j]] for inputs
/// (o, x, y, xIdx, yIdx, alpha) shaped (xBlocks, yBlocks, xSize, ySize), (batch, xWin, xSize),
/// (batch, yWin, ySize), (batch, xWin), (batch, yWin), scalar. Repeated block pairs accumulate.
class SparseBlockOuter final : public OpBase<SparseBlockOuter, BlockSparseParams> {
  HYPATIA_OP(SparseBlockOuter, 6, make_node, perform, infer_shape, vjp, connection_pattern)
  std::string str() const override { return params_.inplace ? "SparseBlockOuter{inplace}" : "SparseBlockOuter{no_inplace}"; }
  ViewMap destroy_map() const override { return params_.inplace ? ViewMap{{0, {0}}} : ViewMap{}; }
  std::shared_ptr<const Op> inplace_variant(const std::vector<int>& allowed) const override;
};

// ---- builders (theano.tensor.nnet.blocksparse) ----
/// SparseBlockGemv()(o, W, h, inputIdx, outputIdx).
Var sparse_block_gemv(const Var& o, const Var& W, const Var& h, const Var& inputIdx, const Var& outputIdx);
/// SparseBlockOuter()(o, x, y, xIdx, yIdx, alpha); a null alpha means 1.
Var sparse_block_outer(const Var& o, const Var& x, const Var& y, const Var& xIdx, const Var& yIdx,
                       const Var& alpha = Var());
/// SparseBlockGemv(b.take(outputIdx, axis=0), W, h, inputIdx, outputIdx): the bias of each
/// output block is added once.
Var sparse_block_dot(const Var& W, const Var& h, const Var& inputIdx, const Var& b, const Var& outputIdx);

}  // namespace hypatia
