// Include-only: the builders of Theano's tensor.extra_ops (ops/extra_ops.h, ops/extra_ops_index.h) and tensor.fft (ops/fft.h).
#pragma once
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/extra_ops.h"
#include "hypatia/tensor/ops/extra_ops_index.h"
#include "hypatia/tensor/ops/fft.h"
