// Sparse arithmetic builders (theano.sparse.basic / sp2): add, sub, mul, true_div and the typed
// forms (ops/arith.h), comparisons (ops/compare.h), sp_sum and mean (ops/reduce.h), structured
// monoid functions (ops/structured.h). Include-only: each builder is declared next to its op.
#pragma once
#include "hypatia/sparse/ops/arith.h"
#include "hypatia/sparse/ops/compare.h"
#include "hypatia/sparse/ops/reduce.h"
#include "hypatia/sparse/ops/structured.h"
