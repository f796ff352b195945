// Include-only: the builders of Theano's tensor.extra_ops, declared next to their ops in ops/extra_ops.h.
#pragma once
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/extra_ops.h"
