// Sorting a short list of distinct column indices (a row of a sparse product) without branches.
#pragma once
#include <cstdint>

namespace hypatia::sparse_kernels {

/// Sorts x[0, n) ascending; the values must be distinct (the columns a row of a product touched).
/// Up to kRankSortMax entries with AVX-512 (when tiled::use_avx512()), each key's place is its
/// rank: the count of keys below it, taken 16 lanes per compare and written by one scatter per
/// 16. That is n^2/16 compares without a mispredicted branch, against std::sort's n log n
/// compares of which about half mispredict: 4-5x faster for the 100-entry rows of a product of
/// two 10-per-row matrices. Longer lists, or no AVX-512, take std::sort. `tmp` holds
/// min(n, kRankSortMax) entries. 64-bit keys (products wider than 2^31) always take std::sort.
void sort_distinct(int32_t* x, int64_t n, int32_t* tmp);
void sort_distinct(int64_t* x, int64_t n);

inline constexpr int64_t kRankSortMax = 256;

}  // namespace hypatia::sparse_kernels
