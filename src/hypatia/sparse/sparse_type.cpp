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

Value SparseType::filter(const Value& v, bool strict, bool allow_downcast) const {
  const SparseMatrix* m = std::get_if<SparseMatrix>(&v);
  if (!m) {
    if (is_array(v))
      type_error("[", str(), "] expected a sparse matrix, got a dense array; use sparse.csr_from_dense / csc_from_dense to convert");
    type_error("[", str(), "] expected a sparse matrix value, got ", value_repr(v));
  }
  if (m->format() != format_)
    type_error("[", str(), "] expected a ", format_name(format_), " matrix, got ", format_name(m->format()));
  if (!strict) m->validate();
  if (m->dtype() == dtype_) return v;
  if (strict)
    type_error("[", str(), "] expected dtype ", dtype_name(dtype_), ", got ", dtype_name(m->dtype()));
  if (allow_downcast || can_cast_safe(m->dtype(), dtype_)) return m->astype(dtype_);
  type_error("[", str(), "] cannot store a value of dtype ", dtype_name(m->dtype()),
             " without risking loss of precision; cast it to ", dtype_name(dtype_), " first");
}

const SparseType* sparse_type(const Var& v) {
  if (!v || v.type()->kind() != TypeKind::Sparse) return nullptr;
  return static_cast<const SparseType*>(v.type().get());
}

}  // namespace hypatia
