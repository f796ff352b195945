// Builders of the sparse products (theano.sparse's dot family): structured_dot, dot, true_dot,
// structured_dot_grad (ops/dot.h), sampling_dot, sample_sparse (ops/sampling.h), usmm,
// usmm_csc_dense (ops/usmm.h). Include-only: each builder is declared next to its op.
#pragma once
#include "hypatia/sparse/ops/dot.h"
#include "hypatia/sparse/ops/sampling.h"
#include "hypatia/sparse/ops/usmm.h"
