// How much a runtime error says about the failing node (Theano's config.exception_verbosity).
#pragma once

namespace hypatia {

/// 'low' (false, the default): an error raised while a function runs names the Apply node,
/// its input shapes and types, and hints at 'high'. 'high' (true) adds a debugprint of the
/// node's graph with types. Process-wide; thread-safe.
void set_exception_verbosity_high(bool high);
bool exception_verbosity_high();

}  // namespace hypatia
