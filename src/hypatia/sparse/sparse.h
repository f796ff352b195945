// The whole public sparse API (hypatia::sparse): the sparse type, the generic builders
// (api.h) and every op with its builders (ops/<family>.h), through the topic headers.
#pragma once
#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/linalg.h"
#include "hypatia/sparse/math.h"
#include "hypatia/sparse/products.h"
#include "hypatia/sparse/select.h"
#include "hypatia/sparse/sparse_type.h"
