// Python bindings of the tensor shape family (filled in by that family's work).
#include "bindings.h"

namespace hypatia::py {
void init_shape(nb::module_&) {}
}  // namespace hypatia::py
