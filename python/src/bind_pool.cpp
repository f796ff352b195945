// Python bindings of pooling (theano.tensor.signal.pool) and neighbourhoods
// (theano.tensor.nnet.neighbours), as the submodule _core.pool.
#include "bindings.h"
#include "hypatia/nnet/pool.h"

namespace hypatia::py {

namespace {
using Ints = std::vector<int64_t>;

PoolParams params_of(const Ints& ws, bool ignore_border, const Ints& stride, const Ints& pad, const std::string& mode,
                     int64_t ndim) {
  return PoolParams{ndim, ws, stride, pad, ignore_border, mode};
}
}  // namespace

void init_pool(nb::module_& m) {
  m.def("pool", [](nb::handle x, const Ints& ws, bool ignore_border, const Ints& stride, const Ints& pad,
                   const std::string& mode, int64_t ndim) {
    return pool(as_var(x), params_of(ws, ignore_border, stride, pad, mode, ndim));
  }, nb::arg("x"), nb::arg("ws"), nb::arg("ignore_border"), nb::arg("stride") = Ints{}, nb::arg("pad") = Ints{},
        nb::arg("mode") = "max", nb::arg("ndim") = 2,
        "Theano's Pool(ignore_border, mode, ndim)(x, ws, stride, pad) over the last ndim axes; empty stride means ws, "
        "empty pad zeros. ValueError '[Pool] ...' for bad parameters.");
  m.def("max_pool_grad", [](nb::handle x, nb::handle z, nb::handle gz, const Ints& ws, bool ignore_border,
                            const Ints& stride, const Ints& pad, const std::string& mode, int64_t ndim) {
    return max_pool_grad(as_var(x), as_var(z), as_var(gz), params_of(ws, ignore_border, stride, pad, mode, ndim));
  }, nb::arg("x"), nb::arg("z"), nb::arg("gz"), nb::arg("ws"), nb::arg("ignore_border"), nb::arg("stride") = Ints{},
        nb::arg("pad") = Ints{}, nb::arg("mode") = "max", nb::arg("ndim") = 2,
        "Theano's MaxPoolGrad: gz routed to the pixels of each window equal to its maximum z.");
  m.def("average_pool_grad", [](nb::handle x, nb::handle gz, const Ints& ws, bool ignore_border, const Ints& stride,
                                const Ints& pad, const std::string& mode, int64_t ndim) {
    return average_pool_grad(as_var(x), as_var(gz), params_of(ws, ignore_border, stride, pad, mode, ndim));
  }, nb::arg("x"), nb::arg("gz"), nb::arg("ws"), nb::arg("ignore_border"), nb::arg("stride") = Ints{},
        nb::arg("pad") = Ints{}, nb::arg("mode") = "average_inc_pad", nb::arg("ndim") = 2,
        "Theano's AveragePoolGrad: gz spread over each window (divided by its size for the averages).");
  m.def("max_pool_grad_grad", [](nb::handle x, nb::handle z, nb::handle ggx, const Ints& ws, bool ignore_border,
                                 const Ints& stride, const Ints& pad, const std::string& mode, int64_t ndim) {
    return max_pool_grad_grad(as_var(x), as_var(z), as_var(ggx), params_of(ws, ignore_border, stride, pad, mode, ndim));
  }, nb::arg("x"), nb::arg("z"), nb::arg("ggx"), nb::arg("ws"), nb::arg("ignore_border"), nb::arg("stride") = Ints{},
        nb::arg("pad") = Ints{}, nb::arg("mode") = "max", nb::arg("ndim") = 2,
        "Theano's DownsampleFactorMaxGradGrad: per window, ggx summed over the pixels equal to its maximum.");
  m.def("max_pool_2d_same_size", [](nb::handle x, const Ints& patch_size) {
    return max_pool_2d_same_size(as_var(x), patch_size);
  }, nb::arg("input"), nb::arg("patch_size"),
        "theano.tensor.signal.pool.max_pool_2d_same_size: non-maximum pixels of each patch set to zero.");
  m.def("images2neibs", [](nb::handle ten4, const Ints& neib_shape, const Ints& neib_step, const std::string& mode) {
    return images2neibs(as_var(ten4), neib_shape, neib_step, mode);
  }, nb::arg("ten4"), nb::arg("neib_shape"), nb::arg("neib_step") = Ints{}, nb::arg("mode") = "valid",
        "theano.tensor.nnet.neighbours.images2neibs: (N, C, H, W) -> one row per patch.");
  m.def("images2neibs_grad", [](nb::handle neibs, nb::handle shape, const Ints& neib_shape, const Ints& neib_step,
                                const std::string& mode) {
    return images2neibs_grad(as_var(neibs), as_var(shape), neib_shape, neib_step, mode);
  }, nb::arg("neibs"), nb::arg("shape"), nb::arg("neib_shape"), nb::arg("neib_step") = Ints{},
        nb::arg("mode") = "valid", "The adjoint of images2neibs: patches added back into images of `shape`.");
  m.def("neibs2images", [](nb::handle neibs, const Ints& neib_shape, nb::handle original_shape,
                           const std::string& mode) {
    return neibs2images(as_var(neibs), neib_shape, as_var(original_shape), mode);
  }, nb::arg("neibs"), nb::arg("neib_shape"), nb::arg("original_shape"), nb::arg("mode") = "valid",
        "theano.tensor.nnet.neighbours.neibs2images: the images whose disjoint patches are neibs.");
}

}  // namespace hypatia::py
