// NanGuardMode: stops a call at the first node whose input or output holds NaN, inf or a huge value.
#pragma once
#include "hypatia/link/vm.h"

namespace hypatia {

/// What NanGuardMode treats as an error (Theano's nan_is_error, inf_is_error, big_is_error);
/// "big" means an absolute value above big_threshold (Theano's 1e10).
struct NanGuardOptions {
  bool nan_is_error = false;
  bool inf_is_error = false;
  bool big_is_error = false;
  double big_threshold = 1e10;
  bool enabled() const { return nan_is_error || inf_is_error || big_is_error; }
};

/// The first problem `opts` finds in a value's float entries (a sparse matrix's stored
/// entries): "NaN", "Inf" or "Big value"; empty when there is none.
std::string nan_guard_problem(const Value& v, const NanGuardOptions& opts);

/// A VM observer that checks each node's inputs and outputs; the error (ValueError) is
/// "[NanGuardMode] NaN detected in output 0 of node ..." (input k for inputs), and the VM adds
/// the node's input shapes and types.
class NanGuard : public NodeObserver {
 public:
  explicit NanGuard(NanGuardOptions opts) : opts_(opts) {}
  void after(const Apply& node, const std::vector<Value>& inputs_before, const Value* const* inputs,
             const std::vector<const Value*>& outputs) override;

 private:
  NanGuardOptions opts_;
};

}  // namespace hypatia
