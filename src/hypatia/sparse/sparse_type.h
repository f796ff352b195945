// SparseType: format (csr/csc) and dtype, the type of sparse matrix variables.
#pragma once
#include "hypatia/graph/type.h"
#include "hypatia/graph/variable.h"

namespace hypatia {

/// The type of a sparse matrix variable. Sparse variables are always 2-d.
class SparseType final : public Type {
 public:
  SparseType(SparseFormat format, DType dtype) : format_(format), dtype_(dtype) {}
  static std::shared_ptr<const SparseType> make(SparseFormat format, DType dtype) {
    return std::make_shared<const SparseType>(format, dtype);
  }
  TypeKind kind() const override { return TypeKind::Sparse; }
  std::string str() const override;  // "Sparse[float64, csr]" as Theano prints it
  bool equals(const Type& other) const override;
  size_t hash() const override;
  /// Theano's SparseType.filter (docs/semantics.md, "Sparse values at the boundary"): strict takes only a SparseMatrix of
  /// this format and dtype (TypeError otherwise); non-strict also converts the other format and
  /// a dense 2-d NDArray to this format, and the dtype when the cast is safe or allow_downcast.
  /// The arrays are always validated (ValueError): kernels never see unchecked indices.
  Value filter(const Value& v, bool strict = false, bool allow_downcast = false) const override;
  /// filter leaving the index range check (and, with defer_steps, the check that indptr never
  /// steps down) to the consuming kernels (Type::filter_deferring_checks); a value that must
  /// change format is still checked in full, since the conversion reads its indices.
  Value filter_deferring_checks(const Value& v, bool strict = false, bool allow_downcast = false,
                                bool defer_steps = false) const override;
  /// A matrix of this format and dtype: checked as filter checks it, and kept as it is.
  bool filter_keeps(const Value& v, bool strict, bool allow_downcast, bool defer_checks,
                    bool defer_steps = false) const override;
  // The gradient algebra (graph/type.h): sparse zeros (sp_zeros_like), the sparse add (which
  // also adds a dense term), and dense gradients accepted for sparse variables and back.
  Var zeros_like(const Var& x, bool float_dtype = true) const override;
  Var add_grad(const Var& a, const Var& b) const override;
  bool mixes_grad_with(const Type& other) const override;
  /// Theano's SparseType.values_eq: both sparse, same shape, and a - b has no non-zero entry
  /// (formats, storage order, duplicates and explicit zeros do not matter; NaNs at the same
  /// positions count as equal).
  bool values_eq(const Value& a, const Value& b) const override;
  /// Theano's SparseType.values_eq_approx: same shape and |a - b| <= atol + rtol * |b| at
  /// every position (default: rtol 0, atol 1e-6, Theano's eps); NaNs at the same positions and
  /// infinities of the same sign count as equal.
  bool values_eq_approx(const Value& a, const Value& b, std::optional<double> rtol = std::nullopt,
                        std::optional<double> atol = std::nullopt) const override;
  std::optional<DType> dtype() const override { return dtype_; }
  int ndim() const override { return 2; }
  SparseFormat format() const { return format_; }
  DType elem() const { return dtype_; }
  /// The sparse meaning of the operators (Theano's _sparse_py_operators): + - * / and the
  /// comparisons call the sparse builders, dot is structured_dot (x @ y the regular sparse dot),
  /// sum/mean are sp_sum and its mean, .T swaps the format; ** refuses (structured_pow), as do
  /// reshape and dimshuffle (sparse matrices are 2-d). Defined in sparse/sparse_type.cpp.
  Var apply_operator(Operator op, const std::vector<Var>& args, const OperatorOptions& opts) const override;

 private:
  Value filter_checked(const Value& v, bool strict, bool allow_downcast, bool check_indices, bool check_steps) const;
  SparseFormat format_;
  DType dtype_;
};

const SparseType* sparse_type(const Var& v);

}  // namespace hypatia
