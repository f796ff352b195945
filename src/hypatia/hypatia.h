// Umbrella header: everything a C++ user needs to build, differentiate and compile graphs,
// layer by layer from the bottom (docs/design.md, "Layers").
#pragma once
#include "hypatia/value/ndarray.h"
#include "hypatia/value/random_state.h"
#include "hypatia/value/sparse_matrix.h"
#include "hypatia/value/value.h"

#include "hypatia/graph/function_graph.h"
#include "hypatia/graph/op.h"
#include "hypatia/graph/print.h"
#include "hypatia/graph/shared.h"
#include "hypatia/graph/traversal.h"
#include "hypatia/graph/variable.h"

#include "hypatia/grad/grad.h"

#include "hypatia/tensor/tensor.h"
#include "hypatia/tensor/tensor_type.h"

#include "hypatia/linalg/api.h"
#include "hypatia/nnet/api.h"
#include "hypatia/random/api.h"

#include "hypatia/sparse/sparse.h"

#include "hypatia/compile/function.h"
#include "hypatia/compile/jacobian.h"
#include "hypatia/compile/pipeline.h"
#include "hypatia/compile/verify_grad.h"
