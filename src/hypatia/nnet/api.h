// The nnet family's builder API (theano.tensor.nnet beyond the activations in tensor/ops/nnet.h):
// batch normalisation, the fused softmax losses and the CTC loss.
#pragma once
#include "hypatia/nnet/ops/bn.h"
#include "hypatia/nnet/ops/ctc.h"
#include "hypatia/nnet/ops/losses.h"
#include "hypatia/tensor/ops/nnet.h"
