// FusedSum: a Sum whose input is a fused elementwise program over broadcast, strided operands
// (Theano/PyTensor's CAReduce over a Composite), so the full-size intermediate is never written.
#pragma once
#include <vector>

#include "hypatia/tensor/ops/fused_elemwise.h"

namespace hypatia {

struct FusedSumParams {
  std::vector<int64_t> program;  // FusedElemwise's flattened steps; empty: the value is input 0
  int n_inputs = 1;
  DType dtype = DType::Float64;      // the program's (and the summed values') dtype
  std::vector<int> axis;             // sorted reduced axes of the broadcast shape
  DType acc_dtype = DType::Float64;  // accumulator (Sum's acc_dtype)
  DType out_dtype = DType::Float64;  // Sum's output dtype
  auto fields() const { return std::tie(program, n_inputs, dtype, axis, acc_dtype, out_dtype); }
};

/// sum(program(inputs), axis): the inputs (same rank, broadcast against each other) are read
/// row by row through their own strides (stride 0 where broadcast), each row's program runs
/// in cache and is folded straight into the accumulator, so a 20x784x500 product summed over
/// an axis costs one read of its operands and no 63 MB temporary. Printed as Theano prints
/// the fusion: "CAReduce{Composite{sqr((i0 * i1))}, add, axis=[0], acc_dtype=float64}".
class FusedSum final : public OpBase<FusedSum, FusedSumParams> {
  HYPATIA_OP(CAReduce, kVariadic, str, make_node, perform, infer_shape, vjp, jvp)
  std::vector<FusedStep> steps() const;
  /// The same computation as Elemwise nodes and a Sum (gradients and R_op go through it).
  Var expand(const std::vector<Var>& inputs) const;
};

/// out = sum over the marked axes of the broadcast shape of program(inputs), accumulated in
/// acc (float32/float64) and cast to out's dtype; out is C-contiguous with the kept axes.
/// The inputs must have the program's dtype T (float32/float64) and the same rank. Results do
/// not depend on the thread count: each output sums its terms in a fixed order.
void fused_sum(const std::vector<FusedStep>& prog, const std::vector<NDArray>& inputs, DType prog_dtype,
               const std::vector<bool>& reduce, DType acc, NDArray& out);

/// How fused_fold combines its terms: add or multiply them, or keep the largest or smallest, a
/// NaN winning (numpy's max and min).
enum class FoldKind { Sum, Max, Min, Prod };

/// fused_sum with the fold chosen: Max and Min read strided and broadcast inputs the same way,
/// without the transposed copy a row-wise fold needs (Max over axis 0 of a 4000 x 4000 float64
/// matrix: 170 -> ~12 ms at one thread), and vectorise, as their lane-wise selects need no
/// reassociation. For Max/Min, acc is the input's dtype and the reduction must not be empty.
/// Prod multiplies in acc in the fixed order the plan gives (eight partial products a row, as
/// sums take), over any axes without a transposed copy (prod over axis 0 of 2000 x 2000:
/// 23 ms, 8x numpy's, when it copied).
void fused_fold(FoldKind kind, const std::vector<FusedStep>& prog, const std::vector<NDArray>& inputs,
                DType prog_dtype, const std::vector<bool>& reduce, DType acc, NDArray& out);

}  // namespace hypatia
