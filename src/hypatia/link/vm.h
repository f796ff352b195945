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
  };

  VM(const FunctionGraph& fg, bool allow_gc = true);
  int slot_of(const Variable* v) const;
  int num_slots() const { return static_cast<int>(constants_.size()); }
  /// A fresh frame for one caller at a time; reuse it across calls to keep its buffers.
  std::unique_ptr<Frame> make_frame() const;
  /// Runs every thunk on `frame`. Errors are re-raised with the failing node and its input
  /// shapes, and the frame's computed values are dropped so its next call starts clean.
  void run(Frame& frame) const;
  const std::vector<Thunk>& thunks() const { return thunks_; }
  /// Per-node timing (Theano's profile=True): seconds and calls accumulated per thunk over
  /// all frames.
  void set_profiling(bool on);
  /// A table of the nodes sorted by time spent, with their share of the total.
  std::string profile_summary() const;

 private:
  void prepare_outputs(Frame& f, const Thunk& t) const;
  void release(Frame& f, int slot) const;

  std::vector<Value> constants_;  // the initial content of a frame's slots (constants only)
  std::vector<Thunk> thunks_;
  std::unordered_map<const Variable*, int> slot_index_;
  size_t max_in_ = 0;
  bool allow_gc_;
  bool profile_ = false;
  mutable std::mutex profile_mu_;  // guards the totals below
  mutable std::vector<double> thunk_seconds_;
  mutable int64_t calls_ = 0;
};


/// "Elemwise{add,no_inplace}(x, y)": a node as error messages and debug output show it.
std::string node_str(const Apply& node);

}  // namespace hypatia
