// HStack and VStack (one implementation, parameterised by the stacking axis), and hstack / vstack.
#include "hypatia/sparse/ops/stack.h"

#include "hypatia/sparse/api.h"
#include "hypatia/sparse/kernels/select.h"
#include "hypatia/sparse/ops/arith.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/getitem.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/value/dtype.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

namespace {

ApplyPtr stack_node(const Op& op, const StackParams& p, const std::vector<Var>& in, const char* who) {
  if (in.empty()) value_error("[", who, "] cannot join an empty list of sparse matrices");
  for (const Var& v : in) expect_sparse(v, who);
  check_sparse_dtype(p.dtype, who);
  return Apply::create(op.ptr(), in, {SparseType::make(p.format, p.dtype)});
}

void stack_perform(const StackParams& p, bool vertical, const Value* const* inputs, int n, Value* outputs, const char* who) {
  std::vector<SparseMatrix> blocks;
  for (int i = 0; i < n; ++i) blocks.push_back(sparse_input(inputs, i, who));
  outputs[0] = sk::stack(blocks, vertical, p.format, p.dtype, who);
}

std::vector<ShapeVec> stack_shape(bool vertical, const std::vector<ShapeVec>& s) {
  const int ax = vertical ? 0 : 1;
  Var total = s[0][ax];
  for (size_t i = 1; i < s.size(); ++i) total = add(total, s[i][ax]);
  return vertical ? std::vector<ShapeVec>{{total, s[0][1]}} : std::vector<ShapeVec>{{s[0][0], total}};
}

std::vector<Var> stack_vjp(bool vertical, const Apply& node, const std::vector<Var>& g) {
  std::vector<Var> r(node.nin(), disconnected_var());
  if (!g[0] || is_disconnected(g[0]) || is_null(g[0])) return r;
  Var gz = as_sparse_grad(g[0], node.output(0));
  const int ax = vertical ? 0 : 1;
  Var start = constant(NDArray::scalar<int64_t>(0));
  for (int i = 0; i < node.nin(); ++i) {
    const Var& x = node.input(i);
    Var stop = add(start, shape_i(x, ax));
    const DType xd = sparse_type(x)->elem();
    if (is_float(xd) || is_complex(xd)) {
      IndexEntry blk = IndexEntry::slice(SliceBound(start), SliceBound(stop));
      Var gi = vertical ? sparse::get_item_2d(gz, {blk, IndexEntry::all()}) : sparse::get_item_2d(gz, {IndexEntry::all(), blk});
      if (sparse_type(gi)->elem() != xd) gi = sparse::cast(gi, xd);
      r[i] = as_sparse_grad(gi, x);
    }
    start = stop;
  }
  return r;
}

std::string stack_str(const char* name, const StackParams& p) {
  return str_cat(name, "{format=", format_name(p.format), ",dtype=", dtype_name(p.dtype), "}");
}

}  // namespace

std::string HStack::str() const { return stack_str(kName, params_); }
ApplyPtr HStack::make_node_checked(const std::vector<Var>& in) const { return stack_node(*this, params_, in, kName); }
void HStack::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  stack_perform(params_, false, inputs, node.nin(), outputs, kName);
}
std::optional<std::vector<ShapeVec>> HStack::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return stack_shape(false, s);
}
std::vector<Var> HStack::vjp(const Apply& node, const std::vector<Var>& g) const { return stack_vjp(false, node, g); }
std::vector<Var> HStack::jvp(const Apply& node, const std::vector<Var>& ev) const {
  std::vector<Var> blocks;
  for (int i = 0; i < node.nin(); ++i) {
    if (!ev[i]) return {Var()};
    blocks.push_back(ev[i]);
  }
  return {sparse::hstack(blocks, params_.format, params_.dtype)};
}

std::string VStack::str() const { return stack_str(kName, params_); }
ApplyPtr VStack::make_node_checked(const std::vector<Var>& in) const { return stack_node(*this, params_, in, kName); }
void VStack::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  stack_perform(params_, true, inputs, node.nin(), outputs, kName);
}
std::optional<std::vector<ShapeVec>> VStack::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return stack_shape(true, s);
}
std::vector<Var> VStack::vjp(const Apply& node, const std::vector<Var>& g) const { return stack_vjp(true, node, g); }
std::vector<Var> VStack::jvp(const Apply& node, const std::vector<Var>& ev) const {
  std::vector<Var> blocks;
  for (int i = 0; i < node.nin(); ++i) {
    if (!ev[i]) return {Var()};
    blocks.push_back(ev[i]);
  }
  return {sparse::vstack(blocks, params_.format, params_.dtype)};
}

namespace sparse {

namespace {
Var stack_builder(const std::vector<Var>& blocks_in, std::optional<SparseFormat> format, std::optional<DType> dtype,
                  bool vertical) {
  const char* who = vertical ? VStack::kName : HStack::kName;
  if (blocks_in.empty()) value_error("[", who, "] cannot join an empty list of sparse matrices");
  std::vector<Var> blocks;
  for (const Var& b : blocks_in) {
    expect_sparse(b, who);
    blocks.push_back(b);
  }
  DType d = sparse_type(blocks[0])->elem();
  for (const Var& b : blocks) d = upcast(d, sparse_type(b)->elem());
  StackParams p{format.value_or(SparseFormat::CSC), dtype.value_or(d)};
  if (vertical) return apply1(*std::make_shared<VStack>(p), blocks);
  return apply1(*std::make_shared<HStack>(p), blocks);
}
}  // namespace

Var hstack(const std::vector<Var>& blocks, std::optional<SparseFormat> format, std::optional<DType> dtype) {
  return stack_builder(blocks, format, dtype, false);
}
Var vstack(const std::vector<Var>& blocks, std::optional<SparseFormat> format, std::optional<DType> dtype) {
  return stack_builder(blocks, format, dtype, true);
}

}  // namespace sparse
}  // namespace hypatia
