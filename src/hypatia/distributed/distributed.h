// Umbrella header of the distributed layer (target hypatia::distributed, built when MPI is found).
#pragma once
#include "hypatia/distributed/comm.h"
#include "hypatia/distributed/data_parallel.h"
#include "hypatia/distributed/ops.h"
#include "hypatia/distributed/sparse_reduce.h"
