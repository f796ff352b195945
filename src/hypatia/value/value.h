// Value: what flows along a graph edge at run time (dense array, sparse matrix, or opaque state).
#pragma once
#include <memory>
#include <variant>

#include "hypatia/value/ndarray.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {


/// Runtime state that is neither an array nor a sparse matrix (a random generator, say).
/// Subclasses must be copyable through clone() so that shared state can be snapshotted.
class OpaqueValue {
 public:
  virtual ~OpaqueValue() = default;
  virtual std::shared_ptr<OpaqueValue> clone() const = 0;
  virtual std::string repr() const = 0;
};
using OpaquePtr = std::shared_ptr<OpaqueValue>;

/// One runtime value. Empty (monostate) means "not computed yet" or "freed".
using Value = std::variant<std::monostate, NDArray, SparseMatrix, OpaquePtr>;

inline bool is_empty(const Value& v) { return std::holds_alternative<std::monostate>(v); }
inline bool is_array(const Value& v) { return std::holds_alternative<NDArray>(v); }
inline bool is_sparse(const Value& v) { return std::holds_alternative<SparseMatrix>(v); }
const NDArray& as_array(const Value& v, const char* who = "value");
const SparseMatrix& as_sparse(const Value& v, const char* who = "value");
/// A deep copy: new buffers for arrays and sparse matrices, clone() for opaque values.
Value deep_copy(const Value& v);
/// True when two values may share memory (so one must be copied before it is handed out).
bool may_share_memory(const Value& a, const Value& b);
std::string value_repr(const Value& v);
/// Shape of an array or sparse value, for error messages.
Shape value_shape(const Value& v);

/// The output array for an op: reuses `out`'s current array when it is C-contiguous, of the
/// wanted dtype and shape, and owned by nobody else; otherwise allocates a new one.
NDArray& prepare_output(Value& out, DType dtype, const Shape& shape);
/// Whether an in-place op (one with a destroy_map) may write its result of dtype `dtype` into
/// the input array `a`: a C-contiguous array at offset 0 of that dtype (no two elements share
/// memory) in a buffer Hypatia allocated, never a caller's numpy memory. When not, the op
/// computes out of place: a destroy_map is a permission, never an obligation.
bool overwritable(const NDArray& a, DType dtype);
/// The output of an op that accumulates into its input `z` (out = z + ...: Gemm's Z, Gemv's y,
/// usmm's z, the block-sparse o): z's own buffer when the op is its in-place variant and z is
/// overwritable, otherwise `out`'s reusable buffer (prepare_output) holding z converted to
/// `dtype` (a fresh, uninitialised one when !copy_z, for a kernel that scales z away).
NDArray& accumulator_output(Value& out, const NDArray& z, DType dtype, bool in_place, bool copy_z = true);

}  // namespace hypatia
