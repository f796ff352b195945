// Python bindings of graph printing (filled in when the printing module lands).
#include "bindings.h"

namespace hypatia::py {
void init_printing(nb::module_&) {}
}  // namespace hypatia::py
