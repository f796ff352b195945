// Python bindings of the tensor math family (filled in by that family's work).
#include "bindings.h"

namespace hypatia::py {
void init_math(nb::module_&) {}
}  // namespace hypatia::py
