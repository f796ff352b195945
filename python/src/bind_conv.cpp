// Python bindings of the abstract convolution ops (theano.tensor.nnet.abstract_conv); python/hypatia/tensor/nnet/abstract_conv.py parses Theano's arguments.
#include "bindings.h"
#include "hypatia/nnet/conv.h"

namespace hypatia::py {
namespace {

using Ints = std::vector<int64_t>;

ConvParams params(int convdim, const std::string& border, Ints pad_lo, Ints pad_hi, Ints subsample, Ints dilation,
                  bool filter_flip, int64_t num_groups, Ints imshp, Ints kshp) {
  return make_conv_params(convdim, border, std::move(pad_lo), std::move(pad_hi), std::move(subsample),
                          std::move(dilation), filter_flip, num_groups, std::move(imshp), std::move(kshp));
}

}  // namespace

void init_conv(nb::module_& m) {
#define HY_CONV_ARGS                                                                                        \
  nb::arg("convdim"), nb::arg("border") = "valid", nb::arg("pad_lo") = Ints{}, nb::arg("pad_hi") = Ints{}, \
      nb::arg("subsample") = Ints{}, nb::arg("filter_dilation") = Ints{}, nb::arg("filter_flip") = true,    \
      nb::arg("num_groups") = 1, nb::arg("imshp") = Ints{}, nb::arg("kshp") = Ints{}
  m.def("abstract_conv", [](nb::handle img, nb::handle kern, int convdim, const std::string& border, Ints lo, Ints hi,
                            Ints sub, Ints dil, bool flip, int64_t groups, Ints imshp, Ints kshp) {
    return abstract_conv(as_var(img), as_var(kern), params(convdim, border, lo, hi, sub, dil, flip, groups, imshp, kshp));
  }, nb::arg("img"), nb::arg("kern"), HY_CONV_ARGS,
        "AbstractConv{2,3}d(...)(img, kern). border: 'valid', 'full', 'half', or '' with explicit pad_lo/pad_hi; "
        "imshp/kshp: shape hints (-1 unknown, empty none).");
  m.def("abstract_conv_grad_weights", [](nb::handle img, nb::handle top, nb::handle shape, int convdim,
                                         const std::string& border, Ints lo, Ints hi, Ints sub, Ints dil, bool flip,
                                         int64_t groups, Ints imshp, Ints kshp) {
    return abstract_conv_grad_weights(as_var(img), as_var(top), as_var(shape),
                                      params(convdim, border, lo, hi, sub, dil, flip, groups, imshp, kshp));
  }, nb::arg("img"), nb::arg("topgrad"), nb::arg("shape"), HY_CONV_ARGS,
        "AbstractConv{2,3}d_gradWeights(...)(img, topgrad, shape): the filters' gradient; shape = filter spatial sizes.");
  m.def("abstract_conv_grad_inputs", [](nb::handle kern, nb::handle top, nb::handle shape, int convdim,
                                        const std::string& border, Ints lo, Ints hi, Ints sub, Ints dil, bool flip,
                                        int64_t groups, Ints imshp, Ints kshp) {
    return abstract_conv_grad_inputs(as_var(kern), as_var(top), as_var(shape),
                                     params(convdim, border, lo, hi, sub, dil, flip, groups, imshp, kshp));
  }, nb::arg("kern"), nb::arg("topgrad"), nb::arg("shape"), HY_CONV_ARGS,
        "AbstractConv{2,3}d_gradInputs(...)(kern, topgrad, shape): the input's gradient; shape = image spatial sizes.");
#undef HY_CONV_ARGS
}

}  // namespace hypatia::py
