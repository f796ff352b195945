// Neural-network nonlinearities (theano.tensor.nnet): sigmoid and softplus as elementwise ops.
#pragma once
#include "hypatia/graph/variable.h"

namespace hypatia {

/// The logistic function 1 / (1 + exp(-x)), computed without overflow for any x. Integer
/// inputs give floats. Printed Elemwise{sigmoid,no_inplace}; gradient s(x) (1 - s(x)).
Var sigmoid(const Var& x);
/// log(1 + exp(x)), computed as max(x, 0) + log1p(exp(-|x|)) so that it is finite and exact
/// for large |x|. Printed Elemwise{softplus,no_inplace}; gradient sigmoid(x).
Var softplus(const Var& x);

}  // namespace hypatia
