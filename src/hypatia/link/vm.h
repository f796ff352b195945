// VM: runs a FunctionGraph's nodes in toposort order over per-call frames of value slots.
#pragma once
#include <memory>
#include <mutex>
#include <vector>

#include "hypatia/graph/function_graph.h"

namespace hypatia {

/// One node ready to run: its op and the slots of its inputs and outputs.
struct Thunk {
  const Op* op;
  const Apply* node;
  std::vector<int> in_slots;
  std::vector<int> out_slots;
  std::vector<int> free_after;  // intermediate slots whose last client is this node
};

/// Watches each node a VM runs (DebugMode, NanGuardMode): after() sees the node's inputs and
/// outputs right after its perform, and (when wants_input_copies()) copies of its inputs taken
/// just before, so that writes into inputs can be detected. It throws hypatia::Error to stop
/// the call; the VM adds the node and its input shapes to the message, as for op errors.
class NodeObserver {
 public:
  virtual ~NodeObserver() = default;
  virtual bool wants_input_copies() const { return false; }
  virtual void after(const Apply& node, const std::vector<Value>& inputs_before, const Value* const* inputs,
                     const std::vector<const Value*>& outputs) = 0;
};

/// Bytes held by a value's buffers (the arrays of a sparse matrix together); 0 for others.
int64_t value_nbytes(const Value& v);

/// The linker's product. The VM itself is immutable after construction: the thunks, the slot
/// layout and the constants. Everything a call writes lives in a Frame, so one VM can run
/// many calls at once (one frame each) from several threads. With allow_gc, an intermediate
/// is released after its last client and its buffer parked in the frame's pool, which the
/// same slot's next computation reuses (so repeated calls stop allocating); without it,
/// values stay in their slots and ops reuse them directly.
class VM {
 public:
  /// Per-call state: one value per variable of the graph, the buffer pool, scratch space.
  /// Constants are filled when the frame is made; inputs are filled by the caller per call.
  struct Frame {
    std::vector<Value> slots;
    Value& slot(int i) { return slots[i]; }

   private:
    friend class VM;
    struct Memo {  // last (dtype, shape) seen per slot and a parked buffer (allow_gc)
      DType dtype = DType::Float64;
      Shape shape;
      std::shared_ptr<Buffer> parked;
    };
    std::vector<Memo> memo;
    std::vector<const Value*> in_ptrs;
    std::vector<double> seconds;  // per-thunk time of this call, when profiling
    int64_t skipped = 0;          // thunks the last run skipped (lazy graphs only)
    int64_t alive_bytes = 0, peak_bytes = 0;  // memory held by computed values, when profiling
  };

  /// With lazy ops (Op::lazy_branches, e.g. ifelse) in `fg`, a node whose every path to the
  /// outputs goes through one branch of a lazy node runs only when that node's selector picks
  /// the branch (see guards_); graphs without lazy ops run exactly as before.
  VM(const FunctionGraph& fg, bool allow_gc = true);
  int slot_of(const Variable* v) const;
  int num_slots() const { return static_cast<int>(constants_.size()); }
  /// A fresh frame for one caller at a time; reuse it across calls to keep its buffers.
  std::unique_ptr<Frame> make_frame() const;
  /// Runs every thunk on `frame`. Errors are re-raised with the failing node and its input
  /// shapes, and the frame's computed values are dropped so its next call starts clean.
  /// With an observer, every node that runs is shown to it (NodeObserver).
  void run(Frame& frame, NodeObserver* observer = nullptr) const;
  const std::vector<Thunk>& thunks() const { return thunks_; }
  /// Whether the graph has lazy ops, so that some thunks may be skipped on a call.
  bool lazy() const { return !guards_.empty(); }
  /// How many thunks the last run() on `frame` skipped because their branch was not taken.
  static int64_t skipped(const Frame& frame) { return frame.skipped; }
  /// Per-node timing (Theano's profile=True): seconds and calls accumulated per thunk over
  /// all frames.
  void set_profiling(bool on);
  /// A table of the nodes sorted by time spent, with their share of the total.
  std::string profile_summary() const;
  /// The raw profile (ProfileStats reads it): per thunk (in run order) the seconds summed over
  /// calls and the largest size of its outputs in bytes; the number of calls; and the peak of
  /// the bytes held by computed values at once during one call (inputs not counted).
  struct ProfileData {
    std::vector<double> seconds;
    std::vector<int64_t> output_bytes;
    int64_t calls = 0;
    int64_t peak_bytes = 0;
    double run_seconds = 0;  // whole runs: the nodes plus the VM's own work between them
  };
  ProfileData profile_data() const;

 private:
  /// One condition for a thunk's results to be needed: the lazy node's selector (in
  /// `selector_slot`) picks `branch` (Op::choose_branch of `op`).
  struct Guard {
    const Op* op;
    int selector_slot;
    int branch;
  };
  /// Computes every node's guards and reorders `order` so that each guarded node runs after
  /// the selectors of its guards (and still after its inputs and destroy_orderings); leaves
  /// guards_ empty when the graph has no lazy op or no node is guarded.
  void plan_lazy(const FunctionGraph& fg, std::vector<Apply*>& order,
                 std::vector<std::vector<std::pair<const Apply*, int>>>& node_guards) const;
  /// Whether thunk k's guards all hold on this frame (an empty selector slot fails: an outer
  /// guard stopped its computation).
  bool wanted(const Frame& f, size_t k) const;
  template <bool kLazy>
  void run_thunks(Frame& f, NodeObserver* obs) const;
  void prepare_outputs(Frame& f, const Thunk& t) const;
  void release(Frame& f, int slot) const;

  std::vector<Value> constants_;  // the initial content of a frame's slots (constants only)
  std::vector<Thunk> thunks_;
  /// Per thunk, the guards that must all hold for it to run: the (lazy node, branch) pairs
  /// such that every path from the node to the graph outputs goes through that branch's
  /// inputs. Empty (no entry at all) for graphs without lazy ops, so their loop is unchanged.
  std::vector<std::vector<Guard>> guards_;
  std::unordered_map<const Variable*, int> slot_index_;
  size_t max_in_ = 0;
  bool allow_gc_;
  bool profile_ = false;
  mutable std::mutex profile_mu_;  // guards the totals below
  mutable std::vector<double> thunk_seconds_;
  mutable std::vector<int64_t> thunk_bytes_;
  mutable int64_t peak_bytes_ = 0;
  mutable int64_t calls_ = 0;
  mutable double run_seconds_ = 0;
};


/// "Elemwise{add,no_inplace}(x, y)": a node as error messages and debug output show it.
std::string node_str(const Apply& node);

}  // namespace hypatia
