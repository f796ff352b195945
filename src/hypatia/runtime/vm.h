// VM: runs a FunctionGraph's nodes in toposort order over a flat array of value slots.
#pragma once
#include <memory>
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

/// The linker's product. Slots hold one value per variable of the graph; constants are
/// filled once, inputs before each run, and intermediates are computed. With allow_gc,
/// an intermediate is released after its last client and its buffer parked in a pool that
/// the same slot's next computation reuses (so repeated calls stop allocating); without it,
/// values stay in their slots and ops reuse them directly.
class VM {
 public:
  VM(const FunctionGraph& fg, bool allow_gc = true);
  int slot_of(const Variable* v) const;
  int num_slots() const { return static_cast<int>(slots_.size()); }
  Value& slot(int i) { return slots_[i]; }
  /// Runs every thunk. Errors are re-raised with the failing node and its input shapes.
  void run();
  const std::vector<Thunk>& thunks() const { return thunks_; }
  /// Per-node timing (Theano's profile=True): seconds and calls accumulated per thunk.
  void set_profiling(bool on) {
    profile_ = on;
    thunk_seconds_.assign(thunks_.size(), 0.0);
    calls_ = 0;
  }
  /// A table of the nodes sorted by time spent, with their share of the total.
  std::string profile_summary() const;

 private:
  void prepare_outputs(const Thunk& t);
  void release(int slot);

  std::vector<Value> slots_;
  std::vector<Thunk> thunks_;
  std::vector<const Value*> in_ptrs_;
  std::unordered_map<const Variable*, int> slot_index_;
  bool allow_gc_;
  bool profile_ = false;
  std::vector<double> thunk_seconds_;
  int64_t calls_ = 0;
  // Buffer pool for allow_gc: last (dtype, shape) seen per slot and a parked buffer.
  struct Memo {
    bool known = false;
    DType dtype = DType::Float64;
    Shape shape;
    std::shared_ptr<Buffer> parked;
  };
  std::vector<Memo> memo_;
};

/// The output array for an op: reuses `out`'s current array when it is C-contiguous, of the
/// wanted dtype and shape, and owned by nobody else; otherwise allocates a new one.
NDArray& prepare_output(Value& out, DType dtype, const Shape& shape);

/// "Elemwise{add,no_inplace}(x, y)": a node as error messages and debug output show it.
std::string node_str(const Apply& node);

}  // namespace hypatia
