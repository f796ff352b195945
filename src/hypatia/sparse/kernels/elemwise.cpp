// Elementwise sparse arithmetic kernels (see elemwise.h).
#include "hypatia/sparse/kernels/elemwise.h"

#include <algorithm>
#include <numeric>

#include "hypatia/scalar/scalar_ops.h"
#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/kernels/merge.h"
#include "hypatia/sparse/kernels/row_sums.h"
#include "hypatia/util/parallel.h"

namespace hypatia::sparse_kernels {

namespace {

template <class T>
T arith(SpBinary op, T a, T b) {
  if constexpr (std::is_same_v<T, half>) {
    return half(arith(op, static_cast<float>(a), static_cast<float>(b)));
  } else if constexpr (std::is_same_v<T, bool>) {
    switch (op) {
      case SpBinary::Add: return a || b;
      case SpBinary::Sub: return a != b;
      default: return a && b;
    }
  } else {
    switch (op) {
      case SpBinary::Add: return static_cast<T>(a + b);
      case SpBinary::Sub: return static_cast<T>(a - b);
      default: return static_cast<T>(a * b);
    }
  }
}

template <class T>
bool compare(SpBinary op, const T& a, const T& b) {
  using scalar_fn::less;
  switch (op) {
    case SpBinary::Eq: return a == b;
    case SpBinary::Ne: return a != b;
    case SpBinary::Lt: return less(a, b);
    case SpBinary::Gt: return less(b, a);
    case SpBinary::Le: return scalar_fn::Le{}(a, b);
    default: return scalar_fn::Ge{}(a, b);
  }
}

// scipy computes ==, <=, >= of two sparse matrices as the complement of !=, >, <.
SpBinary complement_of(SpBinary op) {
  switch (op) {
    case SpBinary::Eq: return SpBinary::Ne;
    case SpBinary::Le: return SpBinary::Gt;
    case SpBinary::Ge: return SpBinary::Lt;
    default: return op;
  }
}

SparseMatrix canonical(const SparseMatrix& m) { return has_canonical_format(m) ? m : sum_duplicates(m); }

// A dense operand broadcast to (rows, cols), read through byte strides.
template <class T>
struct Bcast {
  const char* base;
  int64_t s0, s1;
  T at(int64_t r, int64_t c) const { return *reinterpret_cast<const T*>(base + r * s0 + c * s1); }
};

NDArray broadcast_operand(const NDArray& y, DType dtype, int64_t rows, int64_t cols, const char* who) {
  if (y.ndim() > 2) value_error("[", who, "] the dense operand must have at most 2 dimensions, got ", y.ndim());
  const Shape& s = y.shape();
  const int nd = y.ndim();
  bool ok = true;
  if (nd >= 1 && s[nd - 1] != cols && s[nd - 1] != 1) ok = false;
  if (nd == 2 && s[0] != rows && s[0] != 1) ok = false;
  if (!ok)
    value_error("[", who, "] shape mismatch: the dense operand of shape ", shape_str(s),
                " does not broadcast to the sparse shape (", rows, ", ", cols, ")");
  NDArray c = y.dtype() == dtype ? y : y.astype(dtype);
  return c.broadcast_to({rows, cols});
}

template <class T>
Bcast<T> bcast_of(const NDArray& b) {
  return Bcast<T>{static_cast<const char*>(b.raw()), b.shape(0) == 1 ? 0 : b.strides()[0],
                  b.shape(1) == 1 ? 0 : b.strides()[1]};
}

// int64 when any index array of a or b is int64, else int32: the one index dtype of a merge.
DType common_index_dtype_of(const SparseMatrix& a, const SparseMatrix& b) {
  for (const SparseMatrix* m : {&a, &b})
    if (m->indices().dtype() == DType::Int64 || m->indptr().dtype() == DType::Int64) return DType::Int64;
  return DType::Int32;
}

}  // namespace

SparseMatrix with_index_dtype(const SparseMatrix& m, DType idt) {
  if (m.indices().dtype() == idt && m.indptr().dtype() == idt) return m;
  return SparseMatrix(m.format(), m.rows(), m.cols(), m.data(), m.indices().astype(idt), m.indptr().astype(idt));
}

SparseMatrix binary_ss(const SparseMatrix& a_in, const SparseMatrix& b_in, SpBinary op_in, DType dtype, const char* who) {
  if (a_in.rows() != b_in.rows() || a_in.cols() != b_in.cols())
    value_error("[sparse] inconsistent shapes: ", shape_str(a_in.shape()), " and ", shape_str(b_in.shape()));
  const bool cmp = is_comparison(op_in);
  if (!cmp) {
    // Arithmetic: the merge (merge.cpp) checks each slice of both operands, canonical with its
    // indices in range, so the function boundary need not (AddSS and MulSS declare
    // checks_input_indices). Only when a slice fails are the indices checked here (raising on
    // a bad one, named) and the operands canonicalised (a copy) for a second merge. A format
    // conversion scatters by the indices: b is checked before one.
    if (b_in.format() != a_in.format()) b_in.validate_indices(who);
    SparseMatrix a = a_in.dtype() == dtype ? a_in : astype(a_in, dtype);
    SparseMatrix b = convert_format(b_in.dtype() == dtype ? b_in : astype(b_in, dtype), a.format());
    const DType idt = common_index_dtype_of(a, b);
    a = with_index_dtype(a, idt);
    b = with_index_dtype(b, idt);
    if (auto r = binary_ss_sorted(a, b, op_in)) return *r;
    a_in.validate_indices(who);
    b_in.validate_indices(who);
    return *binary_ss_sorted(canonical(a), canonical(b), op_in);
  }
  const SpBinary op = complement_of(op_in);
  const bool complement = op != op_in;
  SparseMatrix a = canonical(a_in.dtype() == dtype ? a_in : astype(a_in, dtype));
  SparseMatrix b = convert_format(b_in.dtype() == dtype ? b_in : astype(b_in, dtype), a.format());
  b = canonical(b);
  const DType idt = common_index_dtype_of(a, b);
  a = with_index_dtype(a, idt);
  b = with_index_dtype(b, idt);
  const DType out_dt = cmp ? DType::Bool : dtype;
  return dispatch_value_index(dtype, idt, [&](auto t, auto i) -> SparseMatrix {
    using T = decltype(t);
    using I = decltype(i);
    const CsView<T, I> va = view_as<T, I>(a), vb = view_as<T, I>(b);
    const T zero = T(0);
    // Visits the merged (sorted) union of slice o; f(inner index, result) for non-zero results.
    auto merge = [&](int64_t o, auto&& f) {
      int64_t p = va.begin(o), pe = va.end(o), q = vb.begin(o), qe = vb.end(o);
      while (p < pe || q < qe) {
        int64_t j;
        T x = zero, y = zero;
        const int64_t ja = p < pe ? va.index(p) : INT64_MAX, jb = q < qe ? vb.index(q) : INT64_MAX;
        if (ja == jb) {
          j = ja, x = va.data[p++], y = vb.data[q++];
        } else if (ja < jb) {
          j = ja, x = va.data[p++];
        } else {
          j = jb, y = vb.data[q++];
        }
        if (cmp) {
          if (compare(op, x, y)) f(j, T(1));
        } else {
          T r = arith(op, x, y);
          if (is_nonzero(r)) f(j, r);
        }
      }
    };
    std::vector<int64_t> counts(va.outer, 0);
    const int64_t work = va.nnz + vb.nnz + (complement ? work_mul(va.outer, va.inner) : 0);
    parallel_outer(va.outer, work, [&](int64_t o) {
      int64_t c = 0;
      merge(o, [&](int64_t, const T&) { ++c; });
      counts[o] = complement ? va.inner - c : c;
    });
    // Checked: a complement pattern (x == y stores every position where they are equal) of a
    // huge matrix can count more entries than int64 holds.
    const int64_t nnz = checked_total(counts, "sparse");
    const DType oidt = index_dtype_for(std::max({a.rows(), a.cols(), nnz}));
    NDArray data(out_dt, {nnz});
    return dispatch_index(oidt, [&](auto oi) -> SparseMatrix {
      using J = decltype(oi);
      NDArray ptr(oidt, {indptr_length(va.outer, "sparse")}), idx(oidt, {nnz});
      counts_to_indptr(counts, ptr);
      const J* pp = ptr.data<J>();
      J* ix = idx.data<J>();
      parallel_outer(va.outer, work, [&](int64_t o) {
        int64_t k = static_cast<int64_t>(pp[o]);
        if (complement) {
          int64_t next = 0;  // every inner index not in the merged (true) list
          bool* d = data.data<bool>();
          merge(o, [&](int64_t j, const T&) {
            for (; next < j; ++next) ix[k] = static_cast<J>(next), d[k++] = true;
            next = j + 1;
          });
          for (; next < va.inner; ++next) ix[k] = static_cast<J>(next), d[k++] = true;
        } else if (cmp) {
          bool* d = data.data<bool>();
          merge(o, [&](int64_t j, const T&) { ix[k] = static_cast<J>(j), d[k++] = true; });
        } else {
          T* d = data.data<T>();
          merge(o, [&](int64_t j, const T& r) { ix[k] = static_cast<J>(j), d[k++] = r; });
        }
      });
      return SparseMatrix(a.format(), a.rows(), a.cols(), data, idx, ptr);
    });
  });
}

NDArray binary_sd(const SparseMatrix& a_in, const NDArray& y_in, SpBinary op, DType dtype) {
  const bool cmp = is_comparison(op);
  const int64_t rows = a_in.rows(), cols = a_in.cols();
  NDArray yb = broadcast_operand(y_in, dtype, rows, cols, "sparse");
  SparseMatrix a = a_in.dtype() == dtype ? a_in : astype(a_in, dtype);
  if (cmp) a = canonical(a);  // comparisons need each position's total
  NDArray out(cmp ? DType::Bool : dtype, {rows, cols});
  visit(a, [&](auto v) {
    using T = value_t<decltype(v)>;
    const Bcast<T> y = bcast_of<T>(yb);
    const T zero = T(0);
    if (cmp) {
      bool* o = out.data<bool>();
      parallel_outer(rows, rows * cols, [&](int64_t r) {
        for (int64_t c = 0; c < cols; ++c) o[r * cols + c] = compare(op, zero, y.at(r, c));
      });
      parallel_outer(v.outer, v.nnz, [&](int64_t s) {
        for (int64_t k = v.begin(s); k < v.end(s); ++k) {
          const int64_t r = v.row(s, k), c = v.col(s, k);
          o[r * cols + c] = compare(op, v.data[k], y.at(r, c));
        }
      });
    } else {
      T* o = out.data<T>();
      const bool sub = op == SpBinary::Sub;
      parallel_outer(rows, rows * cols, [&](int64_t r) {
        for (int64_t c = 0; c < cols; ++c) o[r * cols + c] = sub ? arith(SpBinary::Sub, zero, y.at(r, c)) : y.at(r, c);
      });
      // Each outer slice writes its own row (csr) or column (csc): no two threads share an element.
      parallel_outer(v.outer, v.nnz, [&](int64_t s) {
        for (int64_t k = v.begin(s); k < v.end(s); ++k) {
          T& e = o[v.row(s, k) * cols + v.col(s, k)];
          e = arith(SpBinary::Add, e, v.data[k]);
        }
      });
    }
  });
  return out;
}

SparseMatrix map_dense(const SparseMatrix& a_in, const NDArray& y_in, SpMap op, DType dtype) {
  const SparseMatrix a = a_in.dtype() == dtype ? a_in : astype(a_in, dtype);
  NDArray yb = broadcast_operand(y_in, dtype, a.rows(), a.cols(), "sparse");
  NDArray out(dtype, {a.nnz()});
  visit(a, [&](auto v) {
    using T = value_t<decltype(v)>;
    const Bcast<T> y = bcast_of<T>(yb);
    T* o = out.data<T>();
    const SpBinary bop = op == SpMap::Mul ? SpBinary::Mul : SpBinary::Add;
    parallel_outer(v.outer, v.nnz, [&](int64_t s) {
      for (int64_t k = v.begin(s); k < v.end(s); ++k) o[k] = arith(bop, v.data[k], y.at(v.row(s, k), v.col(s, k)));
    });
  });
  return with_data(a, out);
}

NDArray sum(const SparseMatrix& a_in, int axis, DType dtype, const char* who) {
  const SparseMatrix a = a_in.dtype() == dtype ? a_in : astype(a_in, dtype);
  const int64_t len = axis < 0 ? 1 : axis == 0 ? a.cols() : a.rows();
  // Reducing over the inner dimension gives one value per outer slice (parallel, each written
  // once: no zero fill); otherwise the values are scattered by inner index (serial: one pass).
  const bool per_outer = axis >= 0 && ((axis == 1) == (a.format() == SparseFormat::CSR));
  const Shape shape = axis < 0 ? Shape{} : Shape{len};
  NDArray out = per_outer ? NDArray(dtype, shape) : NDArray::zeros(dtype, shape);
  visit(a, [&](auto v) {
    using T = value_t<decltype(v)>;
    T* o = out.data<T>();
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      if (per_outer && slice_sums_avx512_available()) {
        const int nt = v.nnz >= kParallelWork && v.outer > 1 ? ::hypatia::max_threads() : 1;
        if (!slice_sums_avx512(v.data, v.indptr, v.outer, o, nt)) a.validate_structure(who);  // raises, naming the step
        return;
      }
    }
    if (per_outer) {
      // SpSum leaves the indptr check to this kernel (Op::checks_input_steps): here it is made
      // first, for the loop below follows indptr unchecked.
      a.validate_structure(who);
      parallel_outer(v.outer, v.nnz, [&](int64_t s) {
        T acc = T(0);
        for (int64_t k = v.begin(s); k < v.end(s); ++k) acc = arith(SpBinary::Add, acc, v.data[k]);
        o[s] = acc;
      });
    } else if (axis >= 0) {
      const uint64_t inner = static_cast<uint64_t>(v.inner);
      for (int64_t k = 0; k < v.nnz; ++k) {
        const auto j = v.index(k);
        if (static_cast<uint64_t>(j) >= inner) a.validate_indices(who);  // raises, naming the first bad index
        o[j] = arith(SpBinary::Add, o[j], v.data[k]);
      }
    } else if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
      // The total: a plain vectorisable reduction split across threads.
      T acc = T(0);
      const T* d = v.data;
      const int64_t n = v.nnz;
#pragma omp parallel for reduction(+ : acc) if (n > (1 << 16)) num_threads(::hypatia::max_threads())
      for (int64_t k = 0; k < n; ++k) acc += d[k];
      o[0] = acc;
    } else {
      T acc = T(0);
      for (int64_t k = 0; k < v.nnz; ++k) acc = arith(SpBinary::Add, acc, v.data[k]);
      o[0] = acc;
    }
  });
  return out;
}

}  // namespace hypatia::sparse_kernels
