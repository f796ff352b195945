// Builders of the convolution graphs (theano.tensor.nnet.abstract_conv), declared for C++ users and the bindings.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "hypatia/nnet/ops/conv.h"

namespace hypatia {

/// ConvParams from Theano's arguments: border "valid" | "full" | "half" | "" (then pad_lo /
/// pad_hi are the pads), subsample / dilation with convdim entries (empty: all 1).
/// ValueError "[op] ..." for anything out of range.
ConvParams make_conv_params(int convdim, const std::string& border, std::vector<int64_t> pad_lo,
                            std::vector<int64_t> pad_hi, std::vector<int64_t> subsample,
                            std::vector<int64_t> dilation, bool filter_flip, int64_t num_groups,
                            std::vector<int64_t> imshp = {}, std::vector<int64_t> kshp = {});

/// AbstractConv{2,3}d(p)(img, kern): the forward convolution.
Var abstract_conv(const Var& img, const Var& kern, const ConvParams& p);
/// AbstractConv{2,3}d_gradWeights(p)(img, topgrad, kshape): kshape the convdim filter sizes
/// (an int vector variable or constant).
Var abstract_conv_grad_weights(const Var& img, const Var& topgrad, const Var& kshape, const ConvParams& p);
/// AbstractConv{2,3}d_gradInputs(p)(kern, topgrad, ishape): ishape the convdim image sizes.
Var abstract_conv_grad_inputs(const Var& kern, const Var& topgrad, const Var& ishape, const ConvParams& p);

/// The output size along one axis (Theano's get_conv_shape_1axis) for concrete sizes:
/// floor((in + pad_lo + pad_hi - ((k - 1) * dil + 1)) / stride) + 1, which may be <= 0.
int64_t conv_out_size(int64_t in, int64_t k, const ConvParams& p, int axis);

}  // namespace hypatia
