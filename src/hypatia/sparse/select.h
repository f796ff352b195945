// Builders of the sparse selection, stacking, construction and probability ops: get_item_*
// and getitem (ops/getitem.h), hstack/vstack (ops/stack.h), construct_sparse_from_list and
// sparse_grad (ops/construct.h), poisson, binomial, multinomial (ops/random.h). Include-only.
#pragma once
#include "hypatia/sparse/ops/construct.h"
#include "hypatia/sparse/ops/getitem.h"
#include "hypatia/sparse/ops/random.h"
#include "hypatia/sparse/ops/stack.h"
