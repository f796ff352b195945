// Include-only: the block-sparse product builders, declared next to their ops in ops/blocksparse.h.
#pragma once
#include "hypatia/tensor/ops/blocksparse.h"
