// Basic indexing: Subtensor (a view by integers and slices) and IncSubtensor (set/increment a
// basic sub-tensor), plus the index-list encoding shared with the advanced indexing ops.
#pragma once
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

// ---- index lists ----
// An op's index list is stored flat (for equality and hashing) as 7 int64 per item:
// [kind, c0.kind, c0.value, c1.kind, c1.value, c2.kind, c2.value]. An Int item uses c0; a
// Slice uses (start, stop, step); array items take their array from the next input.
// A component is None, a constant (value) or a symbolic int scalar input (value = its dtype).

enum class IdxKind : int64_t { Int = 0, Slice = 1, IntArray = 2, BoolArray = 3 };
enum class CompKind : int64_t { None = 0, Const = 1, Input = 2 };

struct IdxComp {
  CompKind kind = CompKind::None;
  int64_t value = 0;
};

struct IdxItem {
  IdxKind kind = IdxKind::Slice;
  IdxComp c[3];
  /// How many op inputs the item consumes (symbolic components or its array).
  int num_inputs() const;
  /// A `:` slice (every component None, or start 0 / step 1 constants with no stop).
  bool is_full_slice() const;
};

std::vector<int64_t> encode_index(const std::vector<IdxItem>& items);
std::vector<IdxItem> decode_index(const std::vector<int64_t>& flat);
/// "1:-1:2, int64": the index list as the op prints it.
std::string index_str(const std::vector<IdxItem>& items);

/// Python's slice normalisation (PySlice_AdjustIndices): start/stop/step for an axis of length n.
/// Raises ValueError for a zero step.
void normalize_slice(int64_t n, const int64_t* start, const int64_t* stop, const int64_t* step, int64_t* out_start,
                     int64_t* out_stop, int64_t* out_step, const std::string& who);

struct SubtensorParams {
  std::vector<int64_t> idx;  // encoded index list (Int and Slice items only)
  auto fields() const { return std::tie(idx); }
};

/// Theano's Subtensor: x[ints and slices], a view of x (inputs: x, then each symbolic index
/// component in order). Printed "Subtensor{1:-1:2, int64}": constants by value, symbolic
/// components by dtype, empty for None.
class Subtensor final : public OpBase<Subtensor, SubtensorParams> {
  HYPATIA_OP(Subtensor, kVariadic, str, make_node, perform, infer_shape, vjp, jvp, connection_pattern)
  ViewMap view_map() const override { return {{0, {0}}}; }
  std::vector<IdxItem> items() const { return decode_index(params_.idx); }
};

struct IncSubtensorParams {
  std::vector<int64_t> idx;
  bool set_instead_of_inc = false;
  auto fields() const { return std::tie(idx, set_instead_of_inc); }
};

/// Theano's IncSubtensor: a copy of x with x[idx] incremented by (or set to) y, which
/// broadcasts (inputs: x, y, then the symbolic index components). Printed
/// "IncSubtensor{Inc;1:}" / "IncSubtensor{Set;int64}".
class IncSubtensor final : public OpBase<IncSubtensor, IncSubtensorParams> {
  HYPATIA_OP(IncSubtensor, kVariadic, str, make_node, perform, infer_shape, vjp, jvp, connection_pattern)
  std::vector<IdxItem> items() const { return decode_index(params_.idx); }
};

struct SliceLengthParams {
  bool has_start = false, has_stop = false, has_step = false;
  auto fields() const { return std::tie(has_start, has_stop, has_step); }
};

/// The length of a Python slice of an axis: SliceLength(n, [start], [stop], [step]) as an int64
/// scalar (the symbolic shapes of the indexing ops; constant-folded when all are constants).
class SliceLength final : public OpBase<SliceLength, SliceLengthParams> {
  HYPATIA_OP(SliceLength, kVariadic, str, make_node, perform, infer_shape, vjp, connection_pattern)
};

// ---- helpers shared with the advanced ops (subtensor.cpp) ----
namespace subtensor_detail {
/// The int64 value of a symbolic index component's runtime value.
int64_t read_index_scalar(const Value& v, const std::string& who);
/// The length of slice `it` of an axis of symbolic length n; `in` are the item's inputs.
Var slice_length(const IdxItem& it, const Var& n, const std::vector<Var>& in);
/// The static broadcastable flag of the axis a slice keeps.
bool slice_keeps_broadcastable(const IdxItem& it, bool in_bc);
/// Applies a Slice item to one axis of `a` (component values read from `vals`).
NDArray slice_axis(const NDArray& a, int axis, const IdxItem& it, const Value* const* vals, const std::string& who);
/// dst += src (same dtype; src has dst's shape, possibly as a broadcast view).
void add_into(const NDArray& dst, const NDArray& src);
/// src viewed with dst_shape by Theano's static broadcasting (left padding, length-1 axes
/// only where `bc` allows); ValueError otherwise.
NDArray broadcast_y(const NDArray& y, const std::vector<bool>& bc, const Shape& dst_shape, const std::string& who);
/// gz summed down to y's rank and broadcastable axes (the gradient of a broadcast y).
Var sum_to_y(const Var& g, const Var& y);
/// The node's inputs from index `first` on (the index inputs of the indexing ops).
std::vector<Var> inputs_from(const Apply& node, int first);
/// The gradient shared by the read ops (inputs x, index inputs...): x gets gz written into
/// zeros by `inc` (the matching inc op over the same index list); the indices get nothing.
std::vector<Var> subtensor_vjp(const Apply& node, const Var& gz, const Op& inc);
/// R_op shared by the read ops: the same op over x's direction.
std::vector<Var> subtensor_jvp(const Op& op, const Apply& node, const std::vector<Var>& ev);
/// Only x reaches the output of a read op; the index inputs do not.
std::vector<std::vector<bool>> subtensor_connection_pattern(const Apply& node);
/// The gradient shared by every inc/set op (inputs x, y, index inputs...): x gets gz, or, when
/// setting, gz with the written positions zeroed by `zeroing` (the same op in set mode); y gets
/// gz gathered at those positions by `gather`, summed down to y's shape; indices get nothing.
std::vector<Var> inc_subtensor_vjp(const Apply& node, const Var& gz, bool set, const Op& zeroing, const Op& gather);
/// R_op shared by the inc/set ops: the same op over the directions (zeros where none is given).
std::vector<Var> inc_subtensor_jvp(const Op& op, const Apply& node, const std::vector<Var>& ev);
/// x and y reach the output; the index inputs do not.
std::vector<std::vector<bool>> inc_subtensor_connection_pattern(const Apply& node);
}  // namespace subtensor_detail

}  // namespace hypatia
