// Public header of the sparse linear solves: sparse::spsolve and its ops (include-only).
#pragma once
#include "hypatia/sparse/ops/linalg.h"
