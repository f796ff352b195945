// local_dense_from_sparse_of_sparse_from_dense and local_csm_properties_csm (Theano's
// sparse/opt.py): sparse round trips that compute nothing.
#include "hypatia/sparse/rewrites/simplify.h"

#include "hypatia/sparse/ops/convert.h"
#include "hypatia/sparse/ops/csm.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/shape.h"
#include "hypatia/tensor/rewrites/util.h"

namespace hypatia {
namespace sparse_rewrites {
namespace {

using namespace tensor_rewrites;

const std::vector<std::string> kTags = {"fast_run", "sparse"};

// `v` with the broadcastable pattern of type `want` (v itself when it has it already).
Var with_pattern_of(const Var& v, const TypePtr& want) {
  const TensorType* vt = tensor_type(v);
  const TensorType* wt = dynamic_cast<const TensorType*>(want.get());
  if (!vt || !wt || vt->broadcastable() == wt->broadcastable()) return v;
  return patternbroadcast(v, wt->broadcastable());
}

/// local_dense_from_sparse_of_sparse_from_dense: DenseFromSparse(SparseFromDense{f}(m)) -> m.
/// Valid always: the sparse matrix stores exactly the non-zero entries of m, and densifying it
/// gives m back (same dtype, same shape; the structured flag only matters to gradients).
Result local_dense_from_sparse_of_sparse_from_dense(FunctionGraph&, Apply* node) {
  if (!dynamic_cast<const DenseFromSparse*>(node->op().get())) return std::nullopt;
  Apply* inner = node->input(0).owner();
  if (!inner || !dynamic_cast<const SparseFromDense*>(inner->op().get())) return std::nullopt;
  const Var& m = inner->input(0);
  const Var out = node->output(0);
  const TensorType* mt = tensor_type(m);
  if (!mt || mt->ndim() != 2 || mt->elem() != tensor_rewrites::dtype_of(out)) return std::nullopt;
  Var r = with_pattern_of(m, out.type());
  if (!same_type(r.type(), out.type())) return std::nullopt;
  return one(r);
}

/// local_csm_properties_csm: CSMProperties(CSM{f}(data, indices, indptr, shape)) -> its inputs
/// when indices, indptr and shape are outputs 1-3 of one CSMProperties(y) with y in format f.
/// Then CSM would copy arrays of a valid matrix without changing a value (int32 indices stay
/// int32, the shape is y's int64 shape) and its only check that can still fail is data's
/// length, kept as SpecifyShape(data, [len(indices)]). Any other CSM validates arrays the
/// graph cannot vouch for, so it stays (Theano rewrites those too and drops the checks).
Result local_csm_properties_csm(FunctionGraph&, Apply* node) {
  if (!dynamic_cast<const CSMProperties*>(node->op().get())) return std::nullopt;
  Apply* c = node->input(0).owner();
  const auto* csm = c ? dynamic_cast<const CSM*>(c->op().get()) : nullptr;
  if (!csm) return std::nullopt;
  Apply* p = c->input(1).owner();
  if (!p || !dynamic_cast<const CSMProperties*>(p->op().get())) return std::nullopt;
  for (int i = 1; i < 4; ++i)
    if (c->input(i).get() != p->output(i).get()) return std::nullopt;
  const SparseType* yt = sparse_type(p->input(0));
  if (!yt || yt->format() != csm->params().format) return std::nullopt;
  const Var& data = c->input(0);
  Var checked = with_pattern_of(specify_shape(data, {shape_i(c->input(1), 0)}), node->output(0).type());
  std::vector<Var> r{checked, c->input(1), c->input(2), c->input(3)};
  for (int i = 0; i < 4; ++i)
    if (!same_type(r[i].type(), node->output(i).type())) return std::nullopt;
  return r;
}

}  // namespace
}  // namespace sparse_rewrites

void register_sparse_canonicalize(RewriteDatabase& canonicalize) {
  using namespace sparse_rewrites;
  canonicalize.add("local_dense_from_sparse_of_sparse_from_dense", tracks_of<DenseFromSparse>(),
                   local_dense_from_sparse_of_sparse_from_dense, kTags);
}

void register_sparse_specialize(RewriteDatabase& specialize) {
  using namespace sparse_rewrites;
  specialize.add("local_csm_properties_csm", tracks_of<CSMProperties>(), local_csm_properties_csm, kTags);
}

}  // namespace hypatia
