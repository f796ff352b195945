// Python bindings of the tensor subtensor family (filled in by that family's work).
#include "bindings.h"

namespace hypatia::py {
void init_subtensor(nb::module_&) {}
}  // namespace hypatia::py
