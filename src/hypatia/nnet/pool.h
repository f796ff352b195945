// The pooling and neighbourhood API (theano.tensor.signal.pool, theano.tensor.nnet.neighbours):
// include-only, the builders are declared beside their ops.
#pragma once
#include "hypatia/nnet/ops/neighbours.h"
#include "hypatia/nnet/ops/pool.h"
