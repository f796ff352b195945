// Include-only: the dense tensor API users build graphs with (variables, constants, elementwise
// builders and operators, sum/mean, dot, shapes), each declared next to its op or in tensor/api.h.
#pragma once
#include "hypatia/tensor/api.h"
#include "hypatia/tensor/ops/dot.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/reduce.h"
#include "hypatia/tensor/ops/shape.h"
