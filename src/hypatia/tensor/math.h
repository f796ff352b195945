// Include-only: the tensor math family's builders (exp2, sin, round, maximum, isclose, switch_, ...), declared in ops/elemwise.h.
#pragma once
#include "hypatia/tensor/ops/elemwise.h"
