// Include-only: the linear-algebra builders (tensordot, batched products, outer, BLAS, nlinalg, slinalg), declared next to their ops.
#pragma once
#include "hypatia/tensor/ops/blas.h"
#include "hypatia/tensor/ops/dot.h"
#include "hypatia/tensor/ops/nlinalg.h"
#include "hypatia/tensor/ops/slinalg.h"
