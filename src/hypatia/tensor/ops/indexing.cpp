// Indexing builders: parse numpy-style index entries into Subtensor / AdvancedSubtensor1 /
// AdvancedSubtensor nodes; set_subtensor, inc_subtensor, take, sparse_grad, nonzero_values.
#include "hypatia/tensor/ops/indexing.h"

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {

namespace {

std::optional<int64_t> const_scalar_int(const Var& v) {
  if (!v.get()->is_constant() || !is_array(*v->constant)) return std::nullopt;
  const NDArray& a = std::get<NDArray>(*v->constant);
  if (a.ndim() != 0 || !is_int(a.dtype())) return std::nullopt;
  return a.item<int64_t>();
}

const TensorType& index_var_type(const Var& v_in, const char* what) {
  if (!v_in) type_error("[Subtensor] ", what, " is None");
  const TensorType& t = check_tensor_input(v_in, "Subtensor");
  if (!is_int(t.elem()) && t.elem() != DType::Bool)
    type_error("[Subtensor] ", what, " must have an integer or bool dtype, got ", t.str(),
               " (only integers, slices, None, Ellipsis and integer or boolean arrays are valid indices)");
  return t;
}

// A slice bound as an index component (constant symbolic scalars are folded to values).
IdxComp bound_comp(const SliceBound& b, std::vector<Var>& inputs) {
  if (b.value) return {CompKind::Const, *b.value};
  if (!b.var) return {CompKind::None, 0};
  const TensorType& t = check_tensor_input(b.var, "Subtensor");
  if (t.ndim() != 0 || !is_int(t.elem()))
    type_error("[Subtensor] slice indices must be integers or None, got ", t.str());
  if (auto c = const_scalar_int(b.var)) return {CompKind::Const, *c};
  inputs.push_back(b.var);
  return {CompKind::Input, static_cast<int64_t>(t.elem())};
}

int consumed_axes(const IndexEntry& e) {
  switch (e.kind) {
    case IndexEntry::Kind::Int:
    case IndexEntry::Kind::Slice: return 1;
    case IndexEntry::Kind::Array: {
      const TensorType& t = *tensor_type(e.array);
      return t.elem() == DType::Bool ? t.ndim() : 1;
    }
    default: return 0;
  }
}

bool is_insertion_dimshuffle(const Apply* node, std::vector<int>* drop_pattern) {
  if (!node) return false;
  auto* ds = dynamic_cast<const DimShuffle*>(node->op().get());
  if (!ds) return false;
  const auto& order = ds->params().new_order;
  int next = 0;
  bool any_new = false;
  drop_pattern->clear();
  for (size_t i = 0; i < order.size(); ++i) {
    if (order[i] == -1) {
      any_new = true;
      continue;
    }
    if (order[i] != next++) return false;
    drop_pattern->push_back(static_cast<int>(i));
  }
  return any_new && next == node->input(0).type()->ndim();
}

// Kind order bool < int < float < complex, for the casting rule of constant y.
int dtype_kind(DType d) { return is_bool(d) ? 0 : is_int(d) ? 1 : is_float(d) ? 2 : 3; }

}  // namespace

IndexEntry IndexEntry::at(int64_t i) {
  IndexEntry e;
  e.kind = Kind::Int;
  e.a = SliceBound(i);
  return e;
}

IndexEntry IndexEntry::at(const Var& v) {
  const TensorType& t = index_var_type(v, "an index variable");
  IndexEntry e;
  if (t.ndim() == 0 && t.elem() != DType::Bool) {
    e.kind = Kind::Int;
    if (auto c = const_scalar_int(v)) e.a = SliceBound(*c);
    else e.a = SliceBound(v);
    return e;
  }
  if (t.ndim() == 0) type_error("[Subtensor] a 0-d boolean index is not supported");
  e.kind = Kind::Array;
  e.array = v;
  return e;
}

IndexEntry IndexEntry::slice(SliceBound start, SliceBound stop, SliceBound step) {
  IndexEntry e;
  e.kind = Kind::Slice;
  e.a = start;
  e.b = stop;
  e.c = step;
  if (step.value && *step.value == 0) value_error("[Subtensor] slice step cannot be zero");
  return e;
}

IndexEntry IndexEntry::newaxis() {
  IndexEntry e;
  e.kind = Kind::NewAxis;
  return e;
}

IndexEntry IndexEntry::ellipsis() {
  IndexEntry e;
  e.kind = Kind::Ellipsis;
  return e;
}

Var subtensor(const Var& x_in, const std::vector<IndexEntry>& idx_in) {
  Var x = as_tensor_variable(x_in);
  const int nd = check_tensor_input(x, "Subtensor").ndim();
  // 1. count the axes the entries consume; expand the Ellipsis.
  int consumed = 0, ellipses = 0;
  for (const IndexEntry& e : idx_in) {
    consumed += consumed_axes(e);
    ellipses += e.kind == IndexEntry::Kind::Ellipsis;
  }
  if (ellipses > 1) raise(ErrorKind::Index, "[Subtensor] an index can only have a single ellipsis ('...')");
  if (consumed > nd)
    raise(ErrorKind::Index, "[Subtensor] too many indices for a tensor of ", nd, " dimensions (", consumed, " given)");
  std::vector<IndexEntry> idx;
  for (const IndexEntry& e : idx_in) {
    if (e.kind == IndexEntry::Kind::Ellipsis) {
      for (int i = 0; i < nd - consumed; ++i) idx.push_back(IndexEntry::all());
    } else {
      idx.push_back(e);
    }
  }
  // 2. newaxis: insert broadcastable axes with a DimShuffle, index them with ':'.
  bool any_new = false;
  std::vector<int> pattern;
  int xaxis = 0;
  for (IndexEntry& e : idx) {
    if (e.kind == IndexEntry::Kind::NewAxis) {
      pattern.push_back(-1);
      e = IndexEntry::all();
      any_new = true;
    } else {
      for (int k = 0; k < consumed_axes(e); ++k) pattern.push_back(xaxis++);
    }
  }
  if (any_new) {
    for (; xaxis < nd; ++xaxis) pattern.push_back(xaxis);
    x = dimshuffle(x, pattern);
  }
  if (idx.empty()) return x;
  // 3. basic or advanced?
  int n_arrays = 0;
  for (const IndexEntry& e : idx) n_arrays += e.kind == IndexEntry::Kind::Array;
  std::vector<Var> inputs{x};
  std::vector<IdxItem> items;
  auto slice_item = [&](const IndexEntry& e) {
    IdxItem it;
    it.kind = IdxKind::Slice;
    it.c[0] = bound_comp(e.a, inputs);
    it.c[1] = bound_comp(e.b, inputs);
    it.c[2] = bound_comp(e.c, inputs);
    if (it.c[2].kind == CompKind::Const && it.c[2].value == 0) value_error("[Subtensor] slice step cannot be zero");
    return it;
  };
  if (n_arrays == 0) {
    for (const IndexEntry& e : idx) {
      if (e.kind == IndexEntry::Kind::Int) {
        IdxItem it;
        it.kind = IdxKind::Int;
        it.c[0] = bound_comp(e.a, inputs);
        items.push_back(it);
      } else {
        items.push_back(slice_item(e));
      }
    }
    return apply1(*std::make_shared<Subtensor>(SubtensorParams{encode_index(items)}), inputs);
  }
  // AdvancedSubtensor1: one int vector on axis 0, the rest full slices.
  if (n_arrays == 1 && idx[0].kind == IndexEntry::Kind::Array) {
    const TensorType& t = *tensor_type(idx[0].array);
    bool rest_full = true;
    for (size_t i = 1; i < idx.size(); ++i)
      rest_full = rest_full && idx[i].kind == IndexEntry::Kind::Slice && idx[i].a.none() && idx[i].b.none() && idx[i].c.none();
    if (is_int(t.elem()) && t.ndim() == 1 && rest_full) return advanced_subtensor1(x, idx[0].array);
  }
  for (const IndexEntry& e : idx) {
    IdxItem it;
    if (e.kind == IndexEntry::Kind::Slice) {
      items.push_back(slice_item(e));
      continue;
    }
    if (e.kind == IndexEntry::Kind::Int) {
      it.kind = IdxKind::IntArray;
      if (e.a.value) inputs.push_back(int64_constant(*e.a.value));
      else inputs.push_back(e.a.var);
    } else {
      it.kind = tensor_type(e.array)->elem() == DType::Bool ? IdxKind::BoolArray : IdxKind::IntArray;
      inputs.push_back(e.array);
    }
    items.push_back(it);
  }
  return apply1(*std::make_shared<AdvancedSubtensor>(AdvancedSubtensorParams{encode_index(items)}), inputs);
}

Var subtensor(const Var& x, int64_t i) { return subtensor(x, std::vector<IndexEntry>{IndexEntry::at(i)}); }

Var advanced_subtensor1(const Var& x, const Var& idx) {
  return apply1(*std::make_shared<AdvancedSubtensor1>(), {as_tensor_variable(x), as_tensor_variable(idx)});
}

Var set_subtensor(const Var& xsub, const Var& y) { return inc_subtensor(xsub, y, true); }

Var inc_subtensor(const Var& xsub, const Var& y_in, bool set_instead_of_inc) {
  const char* who = set_instead_of_inc ? "set_subtensor" : "inc_subtensor";
  if (!xsub) type_error("[", who, "] x is None");
  Apply* node = xsub.owner();
  const Op* op = node ? node->op().get() : nullptr;
  bool ok = op && (dynamic_cast<const Subtensor*>(op) || dynamic_cast<const AdvancedSubtensor1*>(op) ||
                   dynamic_cast<const AdvancedSubtensor*>(op));
  if (!ok)
    type_error("[", who, "] x must be the result of a subtensor operation (x[idx]), got ",
               node ? node->op()->str() + " output" : xsub->str());
  const Var& real_x = node->input(0);
  DType xd = tensor_type(real_x)->elem();
  Var y = as_tensor_variable(y_in);
  DType yd = check_tensor_input(y, who).elem();
  if (yd != xd) {
    bool allowed = can_cast_safe(yd, xd) || (y.get()->is_constant() && dtype_kind(yd) <= dtype_kind(xd));
    if (!allowed)
      type_error("[", who, "] y of dtype ", dtype_name(yd), " cannot be cast to x's dtype ", dtype_name(xd),
                 " without losing information; cast it explicitly");
    y = cast(y, xd);
  }
  std::vector<Var> ins{real_x, y};
  for (int i = 1; i < node->nin(); ++i) ins.push_back(node->input(i));
  Var r;
  if (auto* s = dynamic_cast<const Subtensor*>(op)) {
    r = apply1(*std::make_shared<IncSubtensor>(IncSubtensorParams{s->params().idx, set_instead_of_inc}), ins);
  } else if (dynamic_cast<const AdvancedSubtensor1*>(op)) {
    r = apply1(*std::make_shared<AdvancedIncSubtensor1>(AdvancedIncSubtensor1Params{set_instead_of_inc}), ins);
  } else {
    auto* a = dynamic_cast<const AdvancedSubtensor*>(op);
    r = apply1(*std::make_shared<AdvancedIncSubtensor>(AdvancedIncSubtensorParams{a->params().idx, set_instead_of_inc}), ins);
  }
  // x[None, ...]: the indexing saw x with inserted axes; give back x's own shape.
  std::vector<int> drop;
  if (is_insertion_dimshuffle(real_x.owner(), &drop)) r = dimshuffle(r, drop);
  return r;
}

Var take(const Var& a_in, const Var& indices_in, std::optional<int> axis, const std::string& mode) {
  Var a = as_tensor_variable(a_in);
  Var idx = as_tensor_variable(indices_in);
  const TensorType& it = check_tensor_input(idx, "take");
  if (!is_int(it.elem())) type_error("[take] indices must have an integer dtype, got ", it.str());
  if (!axis) {
    if (check_tensor_input(a, "take").ndim() != 1) a = reshape(a, std::vector<int64_t>{-1});
    axis = 0;
  }
  const int nd = check_tensor_input(a, "take").ndim();
  int ax = *axis < 0 ? *axis + nd : *axis;
  if (ax < 0 || ax >= nd) raise(ErrorKind::Index, "[take] axis ", *axis, " is out of bounds for a tensor of ", nd, " dimensions");
  if (mode == "wrap" || mode == "clip") {
    idx = apply1(*std::make_shared<TakeIndices>(TakeIndicesParams{mode == "wrap" ? 1 : 2}), {idx, shape_i(a, ax)});
  } else if (mode != "raise") {
    value_error("[take] mode must be 'raise', 'wrap' or 'clip', got '", mode, "'");
  }
  if (ax == 0 && it.ndim() == 1) return advanced_subtensor1(a, idx);
  std::vector<IndexEntry> e(ax, IndexEntry::all());
  e.push_back(IndexEntry::at(idx));
  return subtensor(a, e);
}

Var sparse_grad(const Var& v) {
  Apply* node = v ? v.owner() : nullptr;
  if (!node || !dynamic_cast<const AdvancedSubtensor1*>(node->op().get()))
    type_error("[sparse_grad] only the result of x[int_vector] (AdvancedSubtensor1) is supported, got ",
               node ? node->op()->str() + " output" : (v ? v->str() : std::string("None")));
  return apply1(*std::make_shared<AdvancedSubtensor1>(AdvancedSubtensor1Params{true}), node->inputs());
}

Var nonzero_values(const Var& x_in) {
  Var x = as_tensor_variable(x_in);
  const TensorType& t = check_tensor_input(x, "nonzero_values");
  Var flat = t.ndim() == 1 ? x : reshape(x, std::vector<int64_t>{-1});
  Var mask = neq(flat, constant(NDArray::full(t.elem(), {}, 0.0)));
  return subtensor(flat, std::vector<IndexEntry>{IndexEntry::at(mask)});
}

}  // namespace hypatia
