// Include-only: the indexing builders (x[idx], set_subtensor, inc_subtensor, take, ...), declared in ops/indexing.h.
#pragma once
#include "hypatia/tensor/ops/indexing.h"
