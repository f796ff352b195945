// SparseType: printing, equality and value checking.
#include "hypatia/sparse/sparse_type.h"

#include "hypatia/util/hash.h"

namespace hypatia {

std::string SparseType::str() const {
  return str_cat("Sparse[", dtype_name(dtype_), ", ", format_name(format_), "]");
}

bool SparseType::equals(const Type& other) const {
  if (other.kind() != TypeKind::Sparse) return false;
  const auto& o = static_cast<const SparseType&>(other);
  return o.format_ == format_ && o.dtype_ == dtype_;
}

size_t SparseType::hash() const {
  return hash_combine(0x5350 + static_cast<size_t>(format_), static_cast<size_t>(dtype_));
}

// Theano's SparseType.filter (DECISIONS.md ruling 26). Strict: the exact format and dtype only.
// Otherwise a dense 2-d array or the other compressed format converts to this format, and the
// dtype converts when the cast is safe or allow_downcast. Either way the arrays are validated
// first: no path hands unchecked index arrays to a kernel (or to the format conversion).
Value SparseType::filter(const Value& v, bool strict, bool allow_downcast) const {
  const SparseMatrix* m = std::get_if<SparseMatrix>(&v);
  const NDArray* dense = std::get_if<NDArray>(&v);
  if (!m && !dense) type_error("[", str(), "] expected a sparse matrix value, got ", value_repr(v));
  const DType got_dtype = m ? m->dtype() : dense->dtype();
  if (strict && (!m || m->format() != format_ || got_dtype != dtype_))
    type_error("[", str(), "] a strict input takes only a ", format_name(format_), " matrix of dtype ",
               dtype_name(dtype_), ", got ",
               m ? str_cat("a ", format_name(m->format()), " matrix") : std::string("a dense array"), " of dtype ",
               dtype_name(got_dtype));
  if (dense && dense->ndim() != 2)
    type_error("[", str(), "] expected a sparse matrix or a 2-d array, got a ", dense->ndim(),
               "-d array of shape ", shape_str(dense->shape()));
  if (m) m->validate();
  // The dtype rule before any conversion work: a refused downcast costs nothing.
  if (got_dtype != dtype_ && !allow_downcast && !can_cast_safe(got_dtype, dtype_))
    type_error("[", str(), "] cannot store a value of dtype ", dtype_name(got_dtype),
               " without risking loss of precision; cast it to ", dtype_name(dtype_),
               " first or allow the downcast (allow_input_downcast=True)");
  if (strict) return v;
  SparseMatrix r = m ? *m : SparseMatrix::from_dense(*dense, format_);
  if (r.format() != format_) r = r.asformat(format_);
  if (r.dtype() != dtype_) r = r.astype(dtype_);
  return r;
}

const SparseType* sparse_type(const Var& v) {
  if (!v || v.type()->kind() != TypeKind::Sparse) return nullptr;
  return static_cast<const SparseType*>(v.type().get());
}

}  // namespace hypatia
