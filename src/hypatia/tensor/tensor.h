// Include-only: the whole public dense tensor API (every builder of the tensor family).
#pragma once
#include "hypatia/tensor/api.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/blocksparse.h"
#include "hypatia/tensor/extra_ops.h"
#include "hypatia/tensor/indexing.h"
#include "hypatia/tensor/linalg.h"
#include "hypatia/tensor/math.h"
#include "hypatia/tensor/reduce.h"
#include "hypatia/tensor/shape.h"
