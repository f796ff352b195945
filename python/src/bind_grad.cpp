// Python bindings of autodiff (filled in when the grad module lands).
#include "bindings.h"

namespace hypatia::py {
void init_grad(nb::module_&) {}
}  // namespace hypatia::py
