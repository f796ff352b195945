// Sorting the column indices of a row of a sparse product without mispredicted branches.
#pragma once
#include <cstdint>

namespace hypatia::sparse_kernels {

/// Sorts x[0, n) ascending; the values must be distinct (the columns a row of a product touched).
/// perm[r] is set to the position before the sort of the r-th smallest key, so that values kept
/// beside the keys in their first-touched order follow them without a second lookup by key. An
/// index sort (std::sort): the product's fallback for int64 columns spanning 2^32 or more, which
/// radix_sort_high's packed words cannot hold. `tmp` holds n 64-bit words.
void sort_distinct(int64_t* x, int64_t n, int64_t* perm, uint64_t* tmp);

/// Sorts distinct non-negative keys x[0, n) ascending. With AVX-512, up to kRankSortMax keys: a bitonic network over as many registers as the keys
/// fill (sort_network.h; about n log^2 n / 32 vector steps, no branch, and no scatter to place
/// each key), or below 12 keys a rank sort (each key's place the count of keys below it, 16
/// lanes a compare, then one scatter); else std::sort. `tmp` holds n keys. The product's
/// short rows pack each column with its place in the row into one such key.
void sort_keys(int32_t* x, int64_t n, int32_t* tmp);

/// Sorts words a[0, n) by their high 32 bits, which are below 2^width (width 1-32), by LSD radix
/// in ceil(width / 8) passes of equal digits, each pass counting and placing every word without
/// a compare; returns whichever of a and tmp (n words) holds the sorted words. Stable. A long
/// row of a product packs each column, less the row's lowest, with its place in the row below:
/// two or three passes over a row of a few hundred columns cost a fraction of a comparison
/// sort's mispredicted branches, or of reading the columns off a bitmap by looking each one up.
uint64_t* radix_sort_high(uint64_t* a, uint64_t* tmp, int64_t n, int width);

inline constexpr int64_t kRankSortMax = 256;

}  // namespace hypatia::sparse_kernels
