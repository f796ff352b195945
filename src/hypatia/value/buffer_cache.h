// The cache of large freed buffers that NDArray allocations draw from (see ndarray.cpp).
#pragma once
#include <cstddef>

namespace hypatia {

/// Freed uninitialised blocks of 1 MiB or more are kept, up to this many bytes in all (256 MiB
/// by default; 0 disables), and handed to the next allocation of the same size, so that the big
/// temporaries a function makes on every call stay mapped instead of being returned to the
/// system and faulted in again. Thread-safe; zero-filled (calloc) blocks are never cached.
void set_buffer_cache_limit(size_t nbytes);
/// Bytes the cache holds now (freed blocks waiting for reuse).
size_t buffer_cache_bytes();

}  // namespace hypatia
