// Python bindings of the tensor random family (filled in by that family's work).
#include "bindings.h"

namespace hypatia::py {
void init_random(nb::module_&) {}
}  // namespace hypatia::py
