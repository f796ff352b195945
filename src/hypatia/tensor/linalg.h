// Include-only: the linear-algebra builders (tensordot, batched products, outer, BLAS), declared next to their ops;
// nlinalg and slinalg live one layer up, in hypatia/linalg/api.h.
#pragma once
#include "hypatia/tensor/ops/blas.h"
#include "hypatia/tensor/ops/dot.h"
