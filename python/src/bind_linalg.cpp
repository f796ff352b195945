// Python bindings of the tensor linalg family (filled in by that family's work).
#include "bindings.h"

namespace hypatia::py {
void init_linalg(nb::module_&) {}
}  // namespace hypatia::py
