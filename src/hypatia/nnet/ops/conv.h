// Theano's abstract convolution ops: AbstractConv{2,3}d and their gradWeights / gradInputs ops.
#pragma once
#include <string>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// How the border is padded. Pads: the explicit pad_lo / pad_hi (all zeros is 'valid');
/// Full and Half depend on the (dilated) filter size, which may only be known at run time,
/// so they stay symbolic until then: full pads (k-1)*dil on both sides, half (k-1)*dil+1 // 2.
enum class ConvBorder : int64_t { Pads = 0, Full = 1, Half = 2 };

/// The parameters every op of one convolution shares (Theano's BaseAbstractConv __props__);
/// the gradient ops keep the forward op's, so that imshp/kshp describe the forward conv.
struct ConvParams {
  int64_t convdim = 2;
  ConvBorder border = ConvBorder::Pads;
  std::vector<int64_t> pad_lo, pad_hi;   // convdim entries each (only for ConvBorder::Pads)
  std::vector<int64_t> subsample, dilation;  // convdim entries, >= 1
  bool filter_flip = true;               // true: convolution (flip the filters); false: correlation
  int64_t num_groups = 1;
  /// Shape hints (Theano's imshp / kshp): empty for none, else 2 + convdim entries with -1 for
  /// an unknown one. Checked against the real shapes when the op runs (and at build time
  /// against each other); they never change the result.
  std::vector<int64_t> imshp, kshp;
  auto fields() const {
    return std::tie(convdim, border, pad_lo, pad_hi, subsample, dilation, filter_flip, num_groups, imshp, kshp);
  }
  /// Theano's border_mode as printed: 'valid', 'full', 'half' or the pads.
  std::string border_str() const;
};

/// Checks a ConvParams built by hand (lengths, strides and dilations >= 1, pads >= 0, groups >= 1,
/// hints of the right length and consistent), raising ValueError "[op] ..."; fills in defaults
/// for empty pad/subsample/dilation vectors.
ConvParams checked_conv_params(ConvParams p, const char* op);

// The six ops differ only in their direction and convdim; their methods forward to one
// implementation per direction (ops/conv.cpp and ops/conv_grad.cpp).
#define HYPATIA_CONV_OP(NAME, ARITY)                                                               \
  class NAME final : public OpBase<NAME, ConvParams> {                                             \
    HYPATIA_OP(NAME, ARITY, make_node, perform, infer_shape, vjp, jvp, connection_pattern, str)    \
  };

/// (img, kern) -> the (flipped unless filter_flip=false) correlation of img (B, C, rows, cols)
/// with kern (M, C / num_groups, krows, kcols): (B, M, out rows, out cols).
HYPATIA_CONV_OP(AbstractConv2d, 2)
/// (img, topgrad, kshape) -> d<topgrad, conv(img, kern)>/dkern, shaped (M, C / groups, *kshape).
HYPATIA_CONV_OP(AbstractConv2d_gradWeights, 3)
/// (kern, topgrad, ishape) -> d<topgrad, conv(img, kern)>/dimg, shaped (B, C, *ishape).
HYPATIA_CONV_OP(AbstractConv2d_gradInputs, 3)
/// The 3-d versions: (B, C, depth, rows, cols) images, (M, C / groups, kd, kr, kc) filters.
HYPATIA_CONV_OP(AbstractConv3d, 2)
HYPATIA_CONV_OP(AbstractConv3d_gradWeights, 3)
HYPATIA_CONV_OP(AbstractConv3d_gradInputs, 3)
#undef HYPATIA_CONV_OP

/// Which of the three computations a conv op performs.
enum class ConvDir { Forward, GradWeights, GradInputs };
/// The direction of a conv op, or nullopt for any other op (for rewrites).
std::optional<ConvDir> conv_dir(const Op& op);
/// The params of a conv op (null for any other op).
const ConvParams* conv_params_of(const Op& op);

}  // namespace hypatia
