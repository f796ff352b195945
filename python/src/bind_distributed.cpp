// _core.distributed: the MPI communicator, the AllReduce op and the data-parallel helpers
// (present when the extension was built with MPI; `have_mpi` says whether it was).
#include "bindings.h"

#ifdef HYPATIA_HAVE_MPI
#include "hypatia/distributed/distributed.h"
#endif

namespace hypatia::py {

void init_distributed(nb::module_& m) {
#ifndef HYPATIA_HAVE_MPI
  m.attr("have_mpi") = false;
#else
  namespace hd = hypatia::distributed;
  m.attr("have_mpi") = true;
  // Collectives wait on other processes: the GIL is released so that Python threads go on.
  using release = nb::call_guard<nb::gil_scoped_release>;
  m.def("init", &hd::init, nb::arg("timeout") = 0.0, release(),
        "Starts the communicator (idempotent): joins MPI_COMM_WORLD under a launcher, else one local rank.");
  m.def("initialized", &hd::initialized, "Whether init() has run (and finalize() has not).");
  m.def("uses_mpi", &hd::uses_mpi, "Whether this process talks MPI (False for one local rank).");
  m.def("rank", &hd::rank, "This process's rank in MPI_COMM_WORLD.");
  m.def("size", &hd::size, "The number of ranks.");
  m.def("barrier", &hd::barrier, release(), "Blocks until every rank reaches the barrier (bounded by the timeout).");
  m.def("finalize", &hd::finalize, release(), "Stops the communication thread and finalizes MPI (idempotent).");
  m.def("abort", &hd::abort, nb::arg("code") = 1, "MPI_Abort: ends every rank of the job.");
  m.def("broken", &hd::broken, "Whether a collective failed (timed out) in this process.");
  m.def("timeout", &hd::timeout, "Seconds a collective waits for the other ranks before it fails.");
  m.def("set_timeout", &hd::set_timeout, nb::arg("seconds"), "Sets the timeout of later collectives.");
  m.def("comm_seconds", &hd::comm_seconds, "Seconds the communication thread spent in collectives since the last reset.");
  m.def("wait_seconds", &hd::wait_seconds, "Seconds callers were blocked waiting for collectives (not hidden by computation).");
  m.def("reset_comm_seconds", &hd::reset_comm_seconds, "Resets comm_seconds() and wait_seconds().");
  m.def("all_reduce", [](nb::handle x, const std::string& op, double dense_threshold) {
    return hd::all_reduce(as_var(x), hd::reduce_op_from_name(op, "AllReduce"), dense_threshold);
  }, nb::arg("x"), nb::arg("op") = "sum", nb::arg("dense_threshold") = 0.5,
        "AllReduce{op}(x): the sum or mean of x (dense or sparse) over the ranks, inside a compiled function.");
  m.def("reduce_gradients", [](const std::vector<Var>& grads, const std::vector<int64_t>& nbytes, const std::string& op,
                               int64_t bucket_bytes, double dense_threshold) {
    return hd::reduce_gradients(grads, nbytes, hd::reduce_op_from_name(op, "distributed.reduce_gradients"), bucket_bytes,
                                dense_threshold);
  }, nb::arg("grads"), nb::arg("nbytes"), nb::arg("op") = "mean", nb::arg("bucket_bytes") = 4 << 20,
        nb::arg("dense_threshold") = 0.5,
        "The gradients reduced over the ranks in buckets (AllReduceStart/AllReduceWait) that overlap the backward pass.");
  m.def("sync_parameters", &hd::sync_parameters, nb::arg("params"), nb::arg("who") = "distributed.sync_parameters",
        release(), "Checks that every rank has the same parameter shapes, then broadcasts rank 0's values.");
  m.def("check_parameter_shapes", &hd::check_parameter_shapes, nb::arg("params"), nb::arg("who"), release(),
        "ValueError on every rank when the ranks' parameters differ in count, dtype or shape.");
  m.def("parameter_nbytes", &hd::parameter_nbytes, nb::arg("params"), "The bytes of each shared variable's value.");
  m.def("row_range", &hd::row_range, nb::arg("n"), nb::arg("rank"), nb::arg("size"),
        "Rows [begin, end) of rank `rank` of `size` in the contiguous row partition of n rows.");
  m.def("allgather", [](nb::handle a) {
    NDArray x = to_ndarray(a).contiguous();
    std::vector<NDArray> parts;
    {
      nb::gil_scoped_release g;
      parts = hd::allgather(x.reshape({x.size()}), "distributed.allgather");
    }
    nb::list out;
    for (const auto& p : parts) out.append(to_numpy(p));
    return out;
  }, nb::arg("a"), "Every rank's 1-d array (flattened), in rank order.");
  m.def("broadcast", [](nb::handle a, int root) {
    NDArray x = to_ndarray(a).copy();
    {
      nb::gil_scoped_release g;
      hd::broadcast(x, root, "distributed.broadcast");
    }
    return to_numpy(x);
  }, nb::arg("a"), nb::arg("root") = 0, "root's array (of the same shape and dtype on every rank).");
#endif
}

}  // namespace hypatia::py
