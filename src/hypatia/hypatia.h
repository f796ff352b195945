// Umbrella header: everything a C++ user needs to build, differentiate and compile graphs.
#pragma once
#include "hypatia/graph/function_graph.h"
#include "hypatia/graph/op.h"
#include "hypatia/graph/traversal.h"
#include "hypatia/graph/variable.h"
#include "hypatia/runtime/function.h"
#include "hypatia/runtime/ndarray.h"
#include "hypatia/runtime/value.h"
#include "hypatia/sparse/sparse_matrix.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/tensor_type.h"
