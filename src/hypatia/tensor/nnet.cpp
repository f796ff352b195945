// Neural-network nonlinearities: builders over the scalar table's sigmoid and softplus rows.
#include "hypatia/tensor/nnet.h"

#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {

Var sigmoid(const Var& x) { return elemwise(ScalarOpId::Sigmoid, {x}); }
Var softplus(const Var& x) { return elemwise(ScalarOpId::Softplus, {x}); }

}  // namespace hypatia
