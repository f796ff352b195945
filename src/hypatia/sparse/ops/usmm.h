// Usmm (the sparse gemm: z + alpha * x . y) and UsmmCscDense, its csc x dense form that the
// in-place phase makes write into z's buffer.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

/// Usmm(alpha, x, y, z) = z + alpha * (x . y): alpha a 0-d tensor, x and/or y sparse (the other
/// a dense matrix or vector), z dense of the product's rank. Dense output of dtype
/// upcast(alpha, x, y, z). Regular gradients.
class Usmm final : public OpBase<Usmm> {
  HYPATIA_OP(Usmm, 4, make_node, perform, infer_shape, vjp)
};

namespace sparse {
/// Usmm(alpha, x, y, z) = z + alpha * (x . y): alpha a scalar, x and/or y sparse, z dense (the
/// output's rank). Dense output. Inserted by the local_usmm rewrite; usable directly.
Var usmm(const Var& alpha, const Var& x, const Var& y, const Var& z);
}  // namespace sparse

struct UsmmCscDenseParams {
  bool inplace = false;
  auto fields() const { return std::tie(inplace); }
};

/// UsmmCscDense{inplace}(alpha, x, y, z): Usmm for a csc x and a dense y whose output dtype is
/// z's. With inplace the result is accumulated into z's buffer (destroy_map {0: [3]}); the
/// in-place phase (rewrite/inplace.h) chooses it when nothing else reads z afterwards (an
/// updated shared weight included), and perform still copies a z it may not overwrite.
class UsmmCscDense final : public OpBase<UsmmCscDense, UsmmCscDenseParams> {
  HYPATIA_OP(UsmmCscDense, 4, make_node, perform, infer_shape, vjp)
  std::string str() const override { return params_.inplace ? "UsmmCscDense{inplace}" : "UsmmCscDense{no_inplace}"; }
  ViewMap destroy_map() const override {
    if (params_.inplace) return {{0, {3}}};
    return {};
  }
  std::shared_ptr<const Op> inplace_variant(const std::vector<int>& allowed) const override;
};

namespace sparse {
/// UsmmCscDense{inplace}(alpha, x, y, z): Usmm for csc x and dense y whose output has z's dtype;
/// with inplace, z's buffer is overwritten (destroy_map {0: [3]}). Only rewrites insert it.
Var usmm_csc_dense(const Var& alpha, const Var& x, const Var& y, const Var& z, bool inplace);
}  // namespace sparse

}  // namespace hypatia
