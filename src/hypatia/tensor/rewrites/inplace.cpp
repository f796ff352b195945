// In-place variants chosen late in the pipeline (Theano's inplace phase) for the block-sparse ops.
#include "hypatia/rewrite/rewriter.h"
#include "hypatia/tensor/ops/blocksparse.h"
#include "hypatia/tensor/rewrites/rewrites.h"
#include "hypatia/tensor/rewrites/util.h"

namespace hypatia {
namespace {

using namespace tensor_rewrites;

/// local_inplace_sparse_block_gemv / _outer: Op{no_inplace}(o, ...) -> Op{inplace}(o, ...),
/// valid when no one else can observe o's buffer (can_destroy): the node then accumulates into
/// o instead of copying it first, saving one full copy of o per call.
template <class OpT>
Result local_inplace_block(FunctionGraph& fg, Apply* node) {
  const auto* op = dynamic_cast<const OpT*>(node->op().get());
  if (!op || op->params().inplace || !can_destroy(fg, node->input(0))) return std::nullopt;
  return one(apply1(*std::make_shared<OpT>(BlockSparseParams{true}), node->inputs()));
}

}  // namespace

void register_tensor_inplace(RewriteDatabase& db) {
  db.register_rewrite("local_inplace_sparse_block_gemv",
                      make_node_rewriter("local_inplace_sparse_block_gemv", tracks_of<SparseBlockGemv>(),
                                         local_inplace_block<SparseBlockGemv>),
                      {"fast_run", "inplace"}, 60);
  db.register_rewrite("local_inplace_sparse_block_outer",
                      make_node_rewriter("local_inplace_sparse_block_outer", tracks_of<SparseBlockOuter>(),
                                         local_inplace_block<SparseBlockOuter>),
                      {"fast_run", "inplace"}, 60.1);
}

}  // namespace hypatia
