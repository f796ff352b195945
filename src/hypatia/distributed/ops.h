// The collective ops: AllReduce (dense or sparse, blocking) and the AllReduceStart/AllReduceWait
// pair that overlaps gradient reductions with the rest of the backward pass.
#pragma once
#include <memory>
#include <vector>

#include "hypatia/distributed/comm.h"
#include "hypatia/graph/op.h"
#include "hypatia/value/value.h"

namespace hypatia {

/// The type of an in-flight reduction's handle (AllReduceStart's output, AllReduceWait's input).
class ReduceHandleType final : public Type {
 public:
  static std::shared_ptr<const ReduceHandleType> make();
  TypeKind kind() const override { return TypeKind::Opaque; }
  std::string str() const override { return "ReduceHandleType"; }
  bool equals(const Type& o) const override { return dynamic_cast<const ReduceHandleType*>(&o) != nullptr; }
  size_t hash() const override { return 0x52454448; }
  Value filter(const Value& v, bool strict = false, bool allow_downcast = false) const override;
  bool values_eq(const Value& a, const Value& b) const override;
  bool values_eq_approx(const Value& a, const Value& b, std::optional<double> rtol,
                        std::optional<double> atol) const override {
    return values_eq(a, b);
  }
};

/// The runtime value of ReduceHandleType: the pending reduction and how its buffer was packed.
class ReduceHandleValue final : public OpaqueValue {
 public:
  explicit ReduceHandleValue(std::shared_ptr<distributed::PendingReduce> p, std::vector<NDArray> same = {})
      : pending(std::move(p)), unreduced(std::move(same)) {}
  std::shared_ptr<OpaqueValue> clone() const override { return std::make_shared<ReduceHandleValue>(pending, unreduced); }
  std::string repr() const override { return "ReduceHandle"; }
  std::shared_ptr<distributed::PendingReduce> pending;  // null at one rank
  std::vector<NDArray> unreduced;  // one rank: the bucket's tensors, passed through unpacked
};

struct AllReduceParams {
  distributed::ReduceOp op = distributed::ReduceOp::Sum;
  /// Sparse inputs: the density (entries of all ranks / cells) from which the dense allreduce
  /// replaces the gather-and-merge (sparse_allreduce). Unused for dense inputs.
  double dense_threshold = 0.5;
  auto fields() const { return std::tie(op, dense_threshold); }
};

/// AllReduce{op}(x): the sum or mean of x over the ranks, on every rank. x is a dense tensor
/// (integer, float32/64 or complex; 'mean' needs float or complex) or a CSR/CSC matrix (the
/// output is then a canonical matrix of x's format, see sparse_allreduce). Every rank must run
/// the same AllReduce nodes in the same order (the same compiled function). Gradient and R-op:
/// the same reduction of the output gradient / tangent (Horovod's rule: each rank's loss
/// depends on every rank's input). Never constant-folded; blocking, bounded by the timeout.
class AllReduce final : public OpBase<AllReduce, AllReduceParams> {
  HYPATIA_OP(AllReduce, 1, make_node, perform, infer_shape, vjp, jvp, str, constant_foldable)
};

struct AllReduceStartParams {
  distributed::ReduceOp op = distributed::ReduceOp::Sum;
  int64_t bucket = 0;  // position of the bucket, for printing and to keep buckets apart
  auto fields() const { return std::tie(op, bucket); }
};

/// AllReduceStart{op, bucket}(g1, ..., gk): packs dense tensors of one dtype into one buffer
/// and starts its reduction on the communication thread; the output is a handle that
/// AllReduceWait waits on. Starting a bucket as soon as its gradients exist is what overlaps
/// communication with the rest of the backward pass (DDP). No gradient (a handle is opaque).
class AllReduceStart final : public OpBase<AllReduceStart, AllReduceStartParams> {
  HYPATIA_OP(AllReduceStart, kVariadic, make_node, perform, infer_shape, vjp, jvp, connection_pattern, str,
             constant_foldable)
};

struct AllReduceWaitParams {
  std::vector<int64_t> counts;  // tensors per bucket, in bucket order
  auto fields() const { return std::tie(counts); }
};

/// AllReduceWait{counts}(h1, ..., hB, g1, ..., gn): waits for the B started reductions and
/// returns the n reduced tensors (views into the buckets' buffers), typed and shaped as the
/// g's (the tensors each AllReduceStart packed, in order). One node waits on every bucket, so
/// the toposort runs each start right after its bucket's gradients and the waits as late as
/// the updates allow. At one rank the tensors pass through without a copy, so output i views
/// input B+i (view_map). No gradient.
class AllReduceWait final : public OpBase<AllReduceWait, AllReduceWaitParams> {
  HYPATIA_OP(AllReduceWait, kVariadic, make_node, perform, infer_shape, vjp, jvp, connection_pattern, str,
             constant_foldable)
  ViewMap view_map() const override;
};

namespace distributed {
/// AllReduce{op}(x): the sum or mean of x (dense or sparse) over the ranks.
Var all_reduce(const Var& x, ReduceOp op = ReduceOp::Sum, double dense_threshold = 0.5);

/// The gradients reduced (op, mean for data parallelism) over the ranks with communication
/// overlapped with the backward pass: dense gradients are grouped, from the last to the first
/// (the order the backward pass produces them), into buckets of one dtype and at most
/// `bucket_bytes` (estimated from `nbytes`, one entry per gradient, e.g. its parameter's
/// size), each reduced by an AllReduceStart, all waited by one AllReduceWait; sparse gradients
/// go through AllReduce. Returns the reduced gradients in the order given.
std::vector<Var> reduce_gradients(const std::vector<Var>& grads, const std::vector<int64_t>& nbytes,
                                  ReduceOp op = ReduceOp::Mean, int64_t bucket_bytes = 4 << 20,
                                  double dense_threshold = 0.5);
}  // namespace distributed

}  // namespace hypatia
