// The basic sparse API (theano.sparse.basic): types, variables and constants (api.h), moving
// between dense and sparse (ops/convert.h), CSM and the compressed arrays (ops/csm.h),
// diagonals (ops/diag.h), cast/transpose/neg/remove0/sorting (ops/unary.h). Include-only: each
// builder is declared next to the op it builds.
#pragma once
#include "hypatia/sparse/api.h"
#include "hypatia/sparse/ops/convert.h"
#include "hypatia/sparse/ops/csm.h"
#include "hypatia/sparse/ops/diag.h"
#include "hypatia/sparse/ops/unary.h"
