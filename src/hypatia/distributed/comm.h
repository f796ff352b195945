// The MPI communicator of data-parallel training: init/rank/size/barrier and timed collectives.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hypatia/value/ndarray.h"

namespace hypatia::distributed {

/// How the ranks' values combine: their sum, or their mean (the sum divided by size()).
enum class ReduceOp : int { Sum = 0, Mean = 1 };
/// "sum" or "mean" as a ReduceOp; ValueError "[who] ..." for anything else.
ReduceOp reduce_op_from_name(const std::string& name, const std::string& who);
const char* reduce_op_name(ReduceOp op);

/// Starts the communicator (idempotent). Under mpirun/srun (OMPI_COMM_WORLD_SIZE, PMI_SIZE or
/// PMIX_RANK in the environment), or when MPI was already initialised (by mpi4py, say), this
/// joins MPI_COMM_WORLD with MPI_THREAD_MULTIPLE requested and starts the communication thread
/// that runs every collective (so that reductions progress while the caller computes). A
/// process started without a launcher runs as one rank without calling MPI at all (no
/// singleton start-up), so the same program runs with `prog` and `mpirun -np N prog`;
/// HYPATIA_DISTRIBUTED=mpi forces MPI, =local forbids it. `timeout_s` (> 0) bounds how long a
/// collective may wait for the other ranks before it fails (default 120 s, or the environment
/// variable HYPATIA_DISTRIBUTED_TIMEOUT). Registers finalize() with atexit.
void init(double timeout_s = 0);
/// Whether init() has run (and finalize() has not).
bool initialized();
/// Whether this process talks MPI (false in the one-rank local mode).
bool uses_mpi();
/// This process's rank in MPI_COMM_WORLD (0 in local mode). RuntimeError before init().
int rank();
/// The number of ranks (1 in local mode). RuntimeError before init().
int size();
/// Blocks until every rank has reached it (bounded by the timeout).
void barrier();
/// The timeout of collectives in seconds; set_timeout changes it for later collectives.
double timeout();
void set_timeout(double seconds);
/// Ends MPI use: stops the communication thread and calls MPI_Finalize when init() started
/// MPI. After a failed collective (see broken()) it calls MPI_Abort instead, since a pending
/// collective can never complete. Idempotent.
void finalize();
/// MPI_Abort(MPI_COMM_WORLD, code) (the launcher then stops every rank); exit(code) locally.
[[noreturn]] void abort(int code);
/// Whether a collective has failed (timed out): the ranks no longer agree on the sequence of
/// collectives, so every later collective raises at once.
bool broken();

/// In-place sum over the ranks of a C-contiguous array (MPI_Allreduce), blocking with the
/// timeout. RuntimeError "[who] ..." on timeout; TypeError for a dtype MPI cannot sum here
/// (bool, float16).
void allreduce_sum(NDArray& a, const std::string& who);
/// Every rank's copy of a 1-d C-contiguous array (MPI_Allgatherv), in rank order; arrays may
/// differ in length but not in dtype.
std::vector<NDArray> allgather(const NDArray& local, const std::string& who);
/// Overwrites `a` (C-contiguous) on every rank with root's (MPI_Bcast). Shapes must agree.
void broadcast(NDArray& a, int root, const std::string& who);

/// A reduction started by allreduce_sum_start: the communication thread sums `buffer` in
/// place while the caller goes on; wait() blocks until it has (or raises its error).
class PendingReduce {
 public:
  virtual ~PendingReduce() = default;
  /// The summed buffer; raises what the reduction raised (a timeout, a broken communicator).
  virtual const NDArray& wait() = 0;
  /// Seconds the communication thread spent on it (queueing excluded), after wait().
  virtual double comm_seconds() const = 0;
};
/// Starts an in-place sum of `buffer` (C-contiguous) over the ranks (MPI_Iallreduce on the
/// communication thread), then a multiplication by `scale` (1/size() for a mean; float and
/// complex buffers only), and returns at once.
std::shared_ptr<PendingReduce> allreduce_sum_start(NDArray buffer, const std::string& who, double scale = 1.0);

/// Seconds spent inside collectives since the last reset (communication-thread time), for
/// benchmarks that report the fraction of a step spent communicating.
double comm_seconds();
/// Seconds callers spent blocked in PendingReduce::wait (every reduction of an AllReduce or
/// an AllReduceWait): the communication that computation did not hide. Reset with comm_seconds.
double wait_seconds();
void reset_comm_seconds();

}  // namespace hypatia::distributed
