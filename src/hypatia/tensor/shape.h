// Include-only: the shape and creation builders (flatten, stack, concatenate, eye, arange, ...), declared next to their ops.
#pragma once
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/creation.h"
#include "hypatia/tensor/ops/join.h"
#include "hypatia/tensor/ops/shape.h"
