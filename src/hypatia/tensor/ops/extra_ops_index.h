// More of tensor.extra_ops and tensor.basic: Choose, RavelMultiIndex, UnravelIndex, Bartlett,
// CpuContiguous and Chi2SF, with their builders.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// How an out-of-range index is treated (numpy's mode): an error, modulo, or clipped.
enum class IndexMode : uint8_t { Raise, Wrap, Clip };
/// "raise", "wrap" or "clip"; ValueError "[who] ..." otherwise.
IndexMode index_mode(const std::string& mode, const char* who);

struct ChooseParams {
  IndexMode mode = IndexMode::Raise;
  bool stacked = false;  // inputs (a, choices) with the choices along choices' first axis
  auto fields() const { return std::tie(mode, stacked); }
};
/// numpy.choose: inputs (a, c0, ..., c[n-1]) or, stacked, (a, C) with c[i] = C[i]; a and the
/// choices broadcast together (numpy rules). Output dtype: the choices' promotion. No gradient
/// (Theano's Choose has none): a is disconnected, the choices not implemented.
class Choose final : public OpBase<Choose, ChooseParams> {
  HYPATIA_OP(Choose, kVariadic, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// theano.tensor.choose(a, choices, mode): choices a list of tensors or one tensor (its first
/// axis holds the choices).
Var choose(const Var& a, const std::vector<Var>& choices, const std::string& mode = "raise");
Var choose(const Var& a, const Var& stacked_choices, const std::string& mode = "raise");

struct RavelParams {
  std::vector<IndexMode> modes;  // one per index
  bool fortran = false;
  auto fields() const { return std::tie(modes, fortran); }
};
/// Inputs (i0, ..., i[k-1], dims): numpy.ravel_multi_index; the indices broadcast; int64.
class RavelMultiIndex final : public OpBase<RavelMultiIndex, RavelParams> {
  HYPATIA_OP(RavelMultiIndex, kVariadic, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// multi_index's arrays into dims (an int vector or constants); mode one string or one per index
/// ("raise", "wrap", "clip"); order "C" or "F".
Var ravel_multi_index(const std::vector<Var>& multi_index, const Var& dims,
                      const std::vector<std::string>& mode = {"raise"}, const std::string& order = "C");

struct UnravelParams {
  int ndim = 1;
  bool fortran = false;
  auto fields() const { return std::tie(ndim, fortran); }
};
/// Inputs (indices, dims): numpy.unravel_index; ndim outputs (int64) shaped like indices.
/// ValueError for an index outside [0, prod(dims)).
class UnravelIndex final : public OpBase<UnravelIndex, UnravelParams> {
  HYPATIA_OP(UnravelIndex, 2, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
/// ndim: len(dims), needed only when the graph does not show it (ValueError otherwise).
std::vector<Var> unravel_index(const Var& indices, const Var& dims, const std::string& order = "C",
                               std::optional<int> ndim = std::nullopt);

/// Input M (an int scalar): numpy.bartlett(M), a float64 vector (empty for M <= 0).
class Bartlett final : public OpBase<Bartlett, NoParams> {
  HYPATIA_OP(Bartlett, 1, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
Var bartlett(const Var& M);

/// Theano's CpuContiguous: x itself when C-contiguous, else a C-contiguous copy (a view of
/// its input); the gradient passes through.
class CpuContiguous final : public OpBase<CpuContiguous, NoParams> {
  HYPATIA_OP(CpuContiguous, 1, make_node, perform, infer_shape, vjp, jvp, view_map)
};
Var cpu_contiguous(const Var& x);

/// Theano's Chi2SF: inputs (x, k), broadcast; the chi-square survival function 1 - cdf,
/// scipy.stats.chi2.sf(x, k) = gammaincc(k/2, x/2) (1 for x < 0, NaN for k <= 0), as a float.
/// Gradient with respect to x: -pdf(x; k); with respect to k: not implemented.
class Chi2SF final : public OpBase<Chi2SF, NoParams> {
  HYPATIA_OP(Chi2SF, 2, make_node, perform, infer_shape, vjp, connection_pattern)
};
Var chi2sf(const Var& x, const Var& k);
/// The regularized upper incomplete gamma function Q(a, x) (Cephes' igamc), scipy's gammaincc.
double gammaincc(double a, double x);

}  // namespace hypatia
