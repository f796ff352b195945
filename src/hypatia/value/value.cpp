// Value helpers: typed access, deep copies and aliasing checks.
#include "hypatia/value/value.h"

namespace hypatia {

const NDArray& as_array(const Value& v, const char* who) {
  if (const auto* a = std::get_if<NDArray>(&v)) return *a;
  type_error("[", who, "] expected a dense array value, got ", is_sparse(v) ? "a sparse matrix" : "no array");
}

const SparseMatrix& as_sparse(const Value& v, const char* who) {
  if (const auto* a = std::get_if<SparseMatrix>(&v)) return *a;
  type_error("[", who, "] expected a sparse matrix value, got ", is_array(v) ? "a dense array" : "no matrix");
}

Value deep_copy(const Value& v) {
  if (const auto* a = std::get_if<NDArray>(&v)) return a->copy();
  if (const auto* s = std::get_if<SparseMatrix>(&v)) return s->copy();
  if (const auto* o = std::get_if<OpaquePtr>(&v)) return *o ? (*o)->clone() : *o;
  return v;
}

bool may_share_memory(const Value& a, const Value& b) {
  // The arrays of a value (one, or a sparse matrix's three), without allocating: this runs on
  // every function call for every output.
  struct Arrays {
    const NDArray* p[3];
    int n = 0;
  };
  auto arrays = [](const Value& v) {
    Arrays out;
    if (const auto* x = std::get_if<NDArray>(&v)) out.p[out.n++] = x;
    if (const auto* s = std::get_if<SparseMatrix>(&v)) {
      out.p[out.n++] = &s->data();
      out.p[out.n++] = &s->indices();
      out.p[out.n++] = &s->indptr();
    }
    return out;
  };
  if (const auto* oa = std::get_if<OpaquePtr>(&a))
    if (const auto* ob = std::get_if<OpaquePtr>(&b)) return *oa == *ob;
  const Arrays xa = arrays(a), xb = arrays(b);
  for (int i = 0; i < xa.n; ++i)
    for (int j = 0; j < xb.n; ++j)
      if (xa.p[i]->may_share_memory(*xb.p[j])) return true;
  return false;
}

std::string value_repr(const Value& v) {
  if (const auto* a = std::get_if<NDArray>(&v)) return a->repr();
  if (const auto* s = std::get_if<SparseMatrix>(&v))
    return str_cat("<", s->rows(), "x", s->cols(), " sparse matrix of type ", dtype_name(s->dtype()),
                   " with ", s->nnz(), " stored elements in ", format_name(s->format()), " format>");
  if (const auto* o = std::get_if<OpaquePtr>(&v)) return *o ? (*o)->repr() : "None";
  return "None";
}

Shape value_shape(const Value& v) {
  if (const auto* a = std::get_if<NDArray>(&v)) return a->shape();
  if (const auto* s = std::get_if<SparseMatrix>(&v)) return s->shape();
  return {};
}

NDArray& prepare_output(Value& out, DType dtype, const Shape& shape) {
  if (auto* a = std::get_if<NDArray>(&out)) {
    if (a->dtype() == dtype && a->shape() == shape && a->offset() == 0 && a->is_c_contiguous() &&
        a->buffer().use_count() == 1 && a->buffer()->owned())
      return *a;
  }
  out = NDArray(dtype, shape);
  return std::get<NDArray>(out);
}

bool overwritable(const NDArray& a, DType dtype) {
  return a.dtype() == dtype && a.offset() == 0 && a.is_c_contiguous() && a.buffer() && a.buffer()->owned();
}

NDArray& accumulator_output(Value& out, const NDArray& z, DType dtype, bool in_place, bool copy_z) {
  if (in_place && overwritable(z, dtype)) {
    out = z;  // destroy_map: the result is accumulated into z's own buffer
    return std::get<NDArray>(out);
  }
  NDArray& r = prepare_output(out, dtype, z.shape());
  if (copy_z) r.assign(z);
  return r;
}

}  // namespace hypatia
