// Type: the static description of a variable (dtype, rank or format) that also checks runtime values.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hypatia/value/value.h"

namespace hypatia {

enum class TypeKind { Tensor, Sparse, Scalar, Null, Disconnected, Opaque };

class Var;

/// The operators and methods whose meaning depends on the operand types (Theano's
/// _tensor_py_operators vs _sparse_py_operators). The tensor builders (hypatia::add, dot, sum,
/// ...) offer the call to the first operand whose type is not a tensor type (dispatch_operator
/// in graph/variable.h), so the tensor family never needs to know the others.
enum class Operator {
  Add, Sub, Mul, TrueDiv, Pow, Neg, Abs, Lt, Le, Gt, Ge,
  Dot,        // theano.dot / hypatia::dot (Theano's __dot__: structured_dot for a sparse operand)
  MatMul,     // x @ y and x.dot(y) (the sparse family's regular dot)
  Transpose,  // x.T and x.transpose(axes)
  Sum, Mean, Cast,
  Reshape, DimShuffle,  // families without them refuse with a TypeError naming the alternative
};
/// The keyword arguments an operator may carry (unused ones are left at their defaults).
struct OperatorOptions {
  std::optional<std::vector<int>> axis;  // Sum, Mean, Transpose (axes)
  std::optional<DType> dtype;            // Cast (the target), Sum/Mean (the output dtype)
  std::optional<DType> acc_dtype;        // Sum, Mean
  bool keepdims = false;                 // Sum, Mean
  bool sparse_grad = false;              // Sum on a sparse operand (SpSum's structured gradient)
};

/// A graph type. Types are immutable and compared by value (equals/hash), not by identity.
class Type {
 public:
  virtual ~Type() = default;
  virtual TypeKind kind() const = 0;
  /// Theano's printed form, e.g. "TensorType(float64, matrix)".
  virtual std::string str() const = 0;
  virtual bool equals(const Type& other) const = 0;
  virtual size_t hash() const = 0;
  /// Checks a runtime value against this type and returns it, converted where allowed.
  /// strict: the value must already match exactly. allow_downcast: permit lossy dtype casts.
  /// Raises TypeError (wrong kind/dtype/ndim/format) or ValueError (wrong broadcastable size).
  virtual Value filter(const Value& v, bool strict = false, bool allow_downcast = false) const = 0;
  /// filter without the O(size) content checks that every consumer of the value makes itself
  /// (Op::checks_input_indices): the function boundary uses it for such inputs, so a large
  /// sparse input's indices are read once, by the kernel, instead of twice. Default: filter.
  /// `defer_steps`: its O(outer) structure check too (Op::checks_input_steps).
  virtual Value filter_deferring_checks(const Value& v, bool strict = false, bool allow_downcast = false,
                                        bool defer_steps = false) const {
    (void)defer_steps;
    return filter(v, strict, allow_downcast);
  }
  /// Whether filter (or, with defer_checks, filter_deferring_checks) would return v itself,
  /// unconverted, having checked it as that filter does (and raising as it would). The
  /// function boundary then moves the argument into its slot instead of making the filter's
  /// copy. Default: false, so the filter runs.
  virtual bool filter_keeps(const Value& v, bool strict, bool allow_downcast, bool defer_checks,
                            bool defer_steps = false) const {
    (void)v, (void)strict, (void)allow_downcast, (void)defer_checks, (void)defer_steps;
    return false;
  }

  // ---- The gradient algebra: all the family-blind gradient driver (grad/) asks of a type.
  // Each family implements it for its own type; the defaults fit types that carry no gradient.

  /// Zeros like `x`, a variable of this type. With `float_dtype`, of x's dtype when it is
  /// inexact and floatX otherwise (Theano's _float_zeros_like: the zero gradient). Default:
  /// TypeError "[grad] ... carries no gradient".
  virtual Var zeros_like(const Var& x, bool float_dtype = true) const;
  /// Ones like `x`, float as above: the seed gradient of a cost of this type. Default: TypeError.
  virtual Var ones_like(const Var& x) const;
  /// The sum of two gradient terms of one variable: `a` has this type, `b` this type or one
  /// it mixes with (mixes_grad_with). Default: TypeError.
  virtual Var add_grad(const Var& a, const Var& b) const;
  /// Whether a gradient of type `other` may stand for a variable of this type. The same
  /// kind by default; sparse matrices also take dense gradients and give them (their
  /// structured gradients are sparse, their regular ones may be dense).
  virtual bool mixes_grad_with(const Type& other) const { return other.kind() == kind(); }
  /// `g`, a gradient of this type, converted to `dtype` where this type's gradients follow
  /// their variable's dtype (dense tensors do); unchanged by default.
  virtual Var cast_grad(const Var& g, DType dtype) const;
  /// Whether Rop gives `x` (of this type), an input of a node on the path that depends on no
  /// wrt, a zero direction rather than none (float dense tensors, as Theano). Default: no.
  virtual bool zero_tangent_when_missing(const Var& x) const {
    (void)x;
    return false;
  }
  /// Theano's values_eq: exact equality of two values of this type. Arrays must have the same
  /// shape and dtype; NaNs at the same positions count as equal (Theano's TensorType rule).
  virtual bool values_eq(const Value& a, const Value& b) const;
  /// Theano's values_eq_approx: approximate equality, for tests, verify_grad and debugging.
  /// rtol/atol default to the type's own tolerances (tensors: Theano's per-dtype _allclose
  /// tolerances; sparse: an absolute 1e-6, Theano's eps).
  virtual bool values_eq_approx(const Value& a, const Value& b, std::optional<double> rtol = std::nullopt,
                                std::optional<double> atol = std::nullopt) const;
  /// The element dtype where the type has one (tensors, sparse, scalars).
  virtual std::optional<DType> dtype() const { return std::nullopt; }
  /// Number of dimensions where meaningful (sparse matrices are 2-d).
  virtual int ndim() const { return 0; }
  /// Builds `op` applied to `args` (in expression order; at least one of them has this type)
  /// when this type's family defines it, else returns a null Var so that the caller (a tensor
  /// builder) goes on with the dense op. May raise the family's user error (e.g. TypeError for
  /// a sparse reshape). The default handles nothing.
  virtual Var apply_operator(Operator op, const std::vector<Var>& args, const OperatorOptions& opts) const;
};
using TypePtr = std::shared_ptr<const Type>;

inline bool same_type(const TypePtr& a, const TypePtr& b) { return a == b || a->equals(*b); }

/// The type of a gradient that is undefined or not implemented; `why` says which and where.
class NullType final : public Type {
 public:
  explicit NullType(std::string why) : why_(std::move(why)) {}
  TypeKind kind() const override { return TypeKind::Null; }
  std::string str() const override { return "NullType"; }
  bool equals(const Type& o) const override { return o.kind() == TypeKind::Null; }
  size_t hash() const override { return 0x4e554c4c; }
  Value filter(const Value&, bool, bool) const override;
  const std::string& why() const { return why_; }

 private:
  std::string why_;
};

/// The type of the "gradient" of an output that does not depend on an input.
class DisconnectedType final : public Type {
 public:
  TypeKind kind() const override { return TypeKind::Disconnected; }
  std::string str() const override { return "DisconnectedType"; }
  bool equals(const Type& o) const override { return o.kind() == TypeKind::Disconnected; }
  size_t hash() const override { return 0x44495343; }
  Value filter(const Value&, bool, bool) const override;
};

}  // namespace hypatia
