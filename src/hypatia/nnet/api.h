// The nnet family's builder API (theano.tensor.nnet beyond the activations in tensor/ops/nnet.h):
// convolution, pooling and neighbourhoods, batch normalisation, the fused softmax losses and CTC.
#pragma once
#include "hypatia/nnet/conv.h"
#include "hypatia/nnet/pool.h"
#include "hypatia/nnet/ops/bn.h"
#include "hypatia/nnet/ops/ctc.h"
#include "hypatia/nnet/ops/losses.h"
#include "hypatia/tensor/ops/nnet.h"
