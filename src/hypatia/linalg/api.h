// Include-only: the linalg family's builders (nlinalg and slinalg), declared next to their ops.
#pragma once
#include "hypatia/linalg/ops/nlinalg.h"
#include "hypatia/linalg/ops/slinalg.h"
