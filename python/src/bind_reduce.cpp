// Python bindings of the tensor reduce family (filled in by that family's work).
#include "bindings.h"

namespace hypatia::py {
void init_reduce(nb::module_&) {}
}  // namespace hypatia::py
