// Include-only: the reduce builders (prod, max, argmax, var, norm, ...), declared next to their ops in ops/reduce.h.
#pragma once
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/reduce.h"
