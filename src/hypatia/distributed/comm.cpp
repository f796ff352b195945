// The communicator: MPI start-up and shutdown, and every collective run on one communication
// thread with nonblocking MPI calls polled against a timeout (a dead peer never hangs a rank).
#include "hypatia/distributed/comm.h"

#include <mpi.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>

#include "hypatia/util/error.h"

namespace hypatia::distributed {
namespace {

using Clock = std::chrono::steady_clock;

struct State {
  std::mutex m;               // guards init/finalize
  bool inited = false;
  bool mpi = false;           // MPI in use
  bool we_init = false;       // init() called MPI_Init_thread (so finalize() finalizes)
  int rank = 0, size = 1;
  std::atomic<double> timeout{120.0};
  std::atomic<bool> broken{false};
  std::atomic<int64_t> comm_ns{0};
  std::atomic<int64_t> wait_ns{0};
  // The communication thread and its queue of jobs (run in submission order, which is the
  // same on every rank because every rank runs the same program).
  std::thread worker;
  std::mutex qm;
  std::condition_variable qcv;
  std::deque<std::function<void()>> queue;
  bool stop = false;
  // Buffers of collectives abandoned by a timeout: MPI may still write into them.
  std::mutex leak_m;
  std::vector<NDArray> leaked;
};

State& st() {
  static State* s = new State;  // never destroyed: atexit handlers and late threads use it
  return *s;
}

void require_init(const std::string& who) {
  if (!st().inited)
    raise(ErrorKind::Runtime, "[", who, "] the distributed communicator is not initialised: call "
          "hypatia::distributed::init() (Python: hypatia.distributed.init()) first, on every rank");
}

void worker_loop() {
  State& s = st();
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lk(s.qm);
      s.qcv.wait(lk, [&] { return s.stop || !s.queue.empty(); });
      if (s.queue.empty()) return;  // stop requested and nothing left
      job = std::move(s.queue.front());
      s.queue.pop_front();
    }
    auto t0 = Clock::now();
    job();  // jobs catch their own exceptions into their promises
    s.comm_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
  }
}

/// Runs fn on the communication thread; the returned future carries its exception.
std::shared_future<void> submit(std::function<void()> fn) {
  auto task = std::make_shared<std::packaged_task<void()>>(std::move(fn));
  std::shared_future<void> fut = task->get_future().share();
  {
    std::lock_guard<std::mutex> lk(st().qm);
    st().queue.push_back([task] { (*task)(); });
  }
  st().qcv.notify_one();
  return fut;
}

void wait_job(const std::shared_future<void>& fut, const std::string& who);
void run_sync(std::function<void()> fn, const std::string& who) { wait_job(submit(std::move(fn)), who); }

void check_not_broken(const std::string& who) {
  if (st().broken)
    raise(ErrorKind::Runtime, "[", who, "] rank ", st().rank, ": an earlier collective failed (a rank died, raised "
          "or stopped taking part), so the ranks no longer agree on the sequence of collectives; "
          "restart the job");
}

/// Polls a request until it completes; past the timeout marks the communicator broken and
/// raises (keeping `keep` alive: MPI may still write into it).
void wait_request(MPI_Request& req, const std::string& who, const char* what, const std::vector<NDArray>& keep) {
  const double limit = st().timeout.load();
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(limit);
  int flag = 0;
  for (int polls = 0;; ++polls) {
    MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
    if (flag) return;
    if (Clock::now() > deadline) {
      st().broken = true;
      {
        std::lock_guard<std::mutex> lk(st().leak_m);
        for (const auto& a : keep) st().leaked.push_back(a);
      }
      raise(ErrorKind::Runtime, "[", who, "] rank ", st().rank, " of ", st().size, ": the other ranks did not complete ",
            what, " within ", limit, " s: a rank died, raised an error or runs different code. "
            "The communicator cannot be used any more (shared values were left as they were)");
    }
    // A nonblocking barrier progresses only inside MPI calls, but needs few of them: a short
    // spin, then sleeps (20 us, then 100 us after 10 ms) that leave the core to the
    // computation the communication thread overlaps with (ranks may share cores).
    if (polls < 64) std::this_thread::yield();
    else std::this_thread::sleep_for(std::chrono::microseconds(Clock::now() - start < std::chrono::milliseconds(10) ? 20 : 100));
  }
}

/// Every rank has reached this collective (a nonblocking reduction of two numbers, polled
/// against the timeout) with the same `size` and `kind` (element count and dtype, say):
/// ValueError "[who] ..." on every rank otherwise, before any data moves. Large transfers then
/// use the blocking collectives, which Open MPI runs with its tuned algorithms (its
/// nonblocking MPI_Iallreduce of 8 MB took 20 ms on shared memory where the blocking one took
/// 1.6 ms); a rank that raised, stalled or died is caught here instead.
void rendezvous(const std::string& who, const char* what, int64_t size, int64_t kind) {
  // max over ranks of (size, -size, kind, -kind): all equal iff max == -max(-x).
  int64_t mine[4] = {size, -size, kind, -kind}, all[4];
  MPI_Request r;
  MPI_Iallreduce(mine, all, 4, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD, &r);
  wait_request(r, who, what, {});
  if (all[0] != -all[1] || all[2] != -all[3])
    value_error("[", who, "] the ranks reduce different things: this rank (", st().rank, ") has ", size,
                " elements of kind ", kind, ", another ", all[0] != size ? all[0] : -all[1], " of kind ",
                all[2] != kind ? all[2] : -all[3], " (every rank must pass values of one shape and dtype)");
}

/// Waits for a job of the communication thread: the job bounds its own waits; this bounds a
/// blocking transfer whose peer vanished half-way (the launcher normally ends the job first).
void wait_job(const std::shared_future<void>& fut, const std::string& who) {
  const double limit = st().timeout.load() * 2 + 5;
  if (fut.wait_for(std::chrono::duration<double>(limit)) != std::future_status::ready) {
    st().broken = true;
    raise(ErrorKind::Runtime, "[", who, "] rank ", st().rank, " of ", st().size, ": a collective did not finish within ",
          limit, " s: a rank died during it. The communicator cannot be used any more");
  }
  fut.get();
}

MPI_Datatype sum_type(DType d, const std::string& who) {
  switch (d) {
    case DType::Int8: return MPI_INT8_T;
    case DType::Int16: return MPI_INT16_T;
    case DType::Int32: return MPI_INT32_T;
    case DType::Int64: return MPI_INT64_T;
    case DType::UInt8: return MPI_UINT8_T;
    case DType::UInt16: return MPI_UINT16_T;
    case DType::UInt32: return MPI_UINT32_T;
    case DType::UInt64: return MPI_UINT64_T;
    case DType::Float32: return MPI_FLOAT;
    case DType::Float64: return MPI_DOUBLE;
    case DType::Complex64: return MPI_C_FLOAT_COMPLEX;
    case DType::Complex128: return MPI_C_DOUBLE_COMPLEX;
    default: break;
  }
  type_error("[", who, "] cannot sum ", dtype_name(d), " values over ranks (integer, float32/64 and complex only)");
}

int int_count(int64_t n, const std::string& who) {
  if (n > INT_MAX) value_error("[", who, "] ", n, " elements are more than one MPI message carries (", INT_MAX, ")");
  return static_cast<int>(n);
}

void check_contiguous(const NDArray& a, const std::string& who) {
  if (!a.is_c_contiguous()) value_error("[", who, "] expected a C-contiguous array");
}

bool launched_by_mpi() {
  const char* force = std::getenv("HYPATIA_DISTRIBUTED");
  if (force && std::string(force) == "mpi") return true;
  if (force && std::string(force) == "local") return false;
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(v)) return true;
  return false;
}

void finalize_at_exit() { finalize(); }

void scale_in_place(const NDArray& a, double scale) {
  if (scale == 1.0) return;
  dispatch_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* d = a.data<T>();
    const int64_t n = a.size();
    if constexpr (std::is_floating_point_v<T>) {
      for (int64_t i = 0; i < n; ++i) d[i] *= static_cast<T>(scale);
    } else if constexpr (std::is_same_v<T, complex64> || std::is_same_v<T, complex128>) {
      for (int64_t i = 0; i < n; ++i) d[i] *= static_cast<typename T::value_type>(scale);
    }
  });
}

}  // namespace

ReduceOp reduce_op_from_name(const std::string& name, const std::string& who) {
  if (name == "sum") return ReduceOp::Sum;
  if (name == "mean" || name == "average") return ReduceOp::Mean;
  value_error("[", who, "] op must be 'sum' or 'mean', got '", name, "'");
}

const char* reduce_op_name(ReduceOp op) { return op == ReduceOp::Sum ? "sum" : "mean"; }

void init(double timeout_s) {
  State& s = st();
  std::lock_guard<std::mutex> lk(s.m);
  if (timeout_s > 0) s.timeout = timeout_s;
  else if (const char* t = std::getenv("HYPATIA_DISTRIBUTED_TIMEOUT")) s.timeout = std::max(0.001, std::atof(t));
  if (s.inited) return;
  int already = 0, finalized = 0;
  MPI_Initialized(&already);
  MPI_Finalized(&finalized);
  if (finalized) raise(ErrorKind::Runtime, "[distributed.init] MPI was already finalised in this process");
  s.mpi = already || launched_by_mpi();
  if (s.mpi) {
    int provided = 0;
    if (!already) {
      if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS)
        raise(ErrorKind::Runtime, "[distributed.init] MPI_Init_thread failed");
      s.we_init = true;
    } else {
      MPI_Query_thread(&provided);
    }
    if (provided < MPI_THREAD_SERIALIZED)
      raise(ErrorKind::Runtime, "[distributed.init] the MPI library provides thread level ", provided,
            "; Hypatia's communication thread needs MPI_THREAD_SERIALIZED or better");
    MPI_Comm_rank(MPI_COMM_WORLD, &s.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &s.size);
    s.stop = false;
    s.broken = false;
    s.worker = std::thread(worker_loop);
  } else {
    s.rank = 0;
    s.size = 1;
  }
  static bool registered = false;
  if (!registered) {
    std::atexit(finalize_at_exit);
    registered = true;
  }
  s.inited = true;
}

bool initialized() { return st().inited; }
bool uses_mpi() { return st().inited && st().mpi; }
bool broken() { return st().broken; }

int rank() {
  require_init("distributed.rank");
  return st().rank;
}

int size() {
  require_init("distributed.size");
  return st().size;
}

double timeout() { return st().timeout; }
void set_timeout(double seconds) {
  if (!(seconds > 0)) value_error("[distributed.set_timeout] the timeout must be positive, got ", seconds);
  st().timeout = seconds;
}

double comm_seconds() { return static_cast<double>(st().comm_ns.load()) * 1e-9; }
double wait_seconds() { return static_cast<double>(st().wait_ns.load()) * 1e-9; }
void reset_comm_seconds() {
  st().comm_ns = 0;
  st().wait_ns = 0;
}

void finalize() {
  State& s = st();
  std::lock_guard<std::mutex> lk(s.m);
  if (!s.inited) return;
  s.inited = false;
  if (!s.mpi) return;
  {
    std::lock_guard<std::mutex> q(s.qm);
    s.stop = true;
  }
  s.qcv.notify_all();
  // After a failure the thread may be stuck in a transfer that never completes: leave it.
  if (s.worker.joinable()) {
    if (s.broken) s.worker.detach();
    else s.worker.join();
  }
  if (s.broken) {
    std::fprintf(stderr, "[distributed] rank %d: a collective failed earlier; aborting the job (MPI_Abort)\n", s.rank);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  if (s.we_init) MPI_Finalize();
}

void abort(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
  int inited = 0, finalized = 0;
  MPI_Initialized(&inited);
  MPI_Finalized(&finalized);
  if (inited && !finalized) MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

void barrier() {
  require_init("distributed.barrier");
  if (!st().mpi) return;
  check_not_broken("distributed.barrier");
  run_sync([] {
    check_not_broken("distributed.barrier");
    MPI_Request r;
    MPI_Ibarrier(MPI_COMM_WORLD, &r);
    wait_request(r, "distributed.barrier", "a barrier", {});
  }, "distributed.barrier");
}

void allreduce_sum(NDArray& a, const std::string& who) {
  auto p = allreduce_sum_start(a, who, 1.0);
  p->wait();
}

namespace {
class Pending final : public PendingReduce {
 public:
  Pending(NDArray b, std::shared_future<void> f) : buffer_(std::move(b)), fut_(std::move(f)) {}
  const NDArray& wait() override {
    if (!fut_.valid()) return buffer_;
    struct Count {  // the caller's blocked time, however the wait ends
      Clock::time_point t0 = Clock::now();
      ~Count() { st().wait_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count(); }
    } count;
    wait_job(fut_, who_);
    return buffer_;
  }
  std::string who_;
  double comm_seconds() const override { return seconds_; }
  NDArray buffer_;
  std::shared_future<void> fut_;
  double seconds_ = 0;
};
}  // namespace

std::shared_ptr<PendingReduce> allreduce_sum_start(NDArray buffer, const std::string& who, double scale) {
  require_init(who);
  check_contiguous(buffer, who);
  MPI_Datatype t = sum_type(buffer.dtype(), who);
  const int n = int_count(buffer.size(), who);
  auto p = std::make_shared<Pending>(buffer, std::shared_future<void>());
  if (!st().mpi || st().size == 1 || n == 0) {
    scale_in_place(buffer, scale);
    return p;
  }
  check_not_broken(who);
  Pending* raw = p.get();
  p->who_ = who;
  NDArray keep = buffer;
  p->fut_ = submit([raw, keep, t, n, who, scale] {
    check_not_broken(who);
    auto t0 = Clock::now();
    rendezvous(who, "an allreduce", n, static_cast<int64_t>(keep.dtype()));
    MPI_Allreduce(MPI_IN_PLACE, keep.raw(), n, t, MPI_SUM, MPI_COMM_WORLD);
    scale_in_place(keep, scale);
    raw->seconds_ = std::chrono::duration<double>(Clock::now() - t0).count();
  });
  return p;
}

std::vector<NDArray> allgather(const NDArray& local, const std::string& who) {
  require_init(who);
  check_contiguous(local, who);
  if (local.ndim() != 1) value_error("[", who, "] allgather takes a 1-d array, got ", local.ndim(), " dimensions");
  if (!st().mpi || st().size == 1) return {local};
  check_not_broken(who);
  const int p = st().size;
  const int isz = itemsize(local.dtype());
  std::vector<NDArray> out;
  run_sync([&] {
    check_not_broken(who);
    // Lengths first (and dtypes, which must agree), then the bytes.
    int64_t mine[2] = {local.size(), static_cast<int64_t>(local.dtype())};
    std::vector<int64_t> all(2 * p);
    MPI_Request r;
    MPI_Iallgather(mine, 2, MPI_INT64_T, all.data(), 2, MPI_INT64_T, MPI_COMM_WORLD, &r);
    wait_request(r, who, "an allgather of lengths", {});
    std::vector<int> counts(p), displs(p);
    int64_t total = 0;
    for (int i = 0; i < p; ++i) {
      if (all[2 * i + 1] != mine[1])
        type_error("[", who, "] rank ", i, " sends ", dtype_name(static_cast<DType>(all[2 * i + 1])), " values, rank ",
                   st().rank, " ", dtype_name(local.dtype()));
      counts[i] = int_count(all[2 * i] * isz, who);
      displs[i] = int_count(total * isz, who);
      total += all[2 * i];
    }
    NDArray recv(local.dtype(), {total});
    MPI_Allgatherv(local.raw(), int_count(local.size() * isz, who), MPI_BYTE, recv.raw(), counts.data(),
                   displs.data(), MPI_BYTE, MPI_COMM_WORLD);
    int64_t off = 0;
    for (int i = 0; i < p; ++i) {
      out.push_back(recv.slice(0, off, off + all[2 * i], 1));
      off += all[2 * i];
    }
  }, who);
  return out;
}

void broadcast(NDArray& a, int root, const std::string& who) {
  require_init(who);
  check_contiguous(a, who);
  if (!st().mpi || st().size == 1) return;
  check_not_broken(who);
  NDArray keep = a;
  const int n = int_count(a.nbytes(), who);
  run_sync([&] {
    check_not_broken(who);
    rendezvous(who, "a broadcast", n, root);
    MPI_Bcast(keep.raw(), n, MPI_BYTE, root, MPI_COMM_WORLD);
  }, who);
}

}  // namespace hypatia::distributed
