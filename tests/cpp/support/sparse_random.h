// Random sparse test inputs (the C++ counterpart of hypatia.sparse.sparse_random_inputs) and a
// plain dense reference for sparse values.
#pragma once
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/kernels/kernels.h"

namespace hypatia::testing {

struct RandomSparseOptions {
  double p = 0.5;                 // probability that an entry is stored (Theano's "sparsity proportion")
  double lo = 0.0, hi = 1.0;      // value range: floats uniform in [lo, hi); ints in [lo, hi) (default [0, 50))
  bool explicit_zero = false;     // set one stored value to 0 (needs nnz >= 1)
  bool unsorted_indices = false;  // reverse the indices of every outer slice with >= 2 entries
  DType index_dtype = DType::Int32;
};

/// A random rows x cols matrix of `format` and `dtype` (any of the 14; complex values get a
/// random imaginary part), built through a dense array so that the dense reference is exact.
inline SparseMatrix random_sparse(SparseFormat format, int64_t rows, int64_t cols, DType dtype, std::mt19937_64& rng,
                                  const RandomSparseOptions& o = {}) {
  std::bernoulli_distribution keep(o.p);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  const bool discrete = is_int(dtype) || is_bool(dtype);
  const double lo = o.lo, hi = discrete && o.hi == 1.0 && o.lo == 0.0 ? 50.0 : o.hi;
  NDArray dense = NDArray::zeros(dtype, {rows, cols});
  dispatch_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* d = dense.data<T>();
    for (int64_t k = 0; k < rows * cols; ++k) {
      if (!keep(rng)) continue;
      double v = discrete ? std::floor(lo + unif(rng) * (hi - lo)) : lo + unif(rng) * (hi - lo);
      if (discrete && v == 0) v = 1;  // stored entries are non-zero unless explicit_zero asks
      if constexpr (std::is_same_v<T, complex64> || std::is_same_v<T, complex128>)
        d[k] = T(static_cast<typename T::value_type>(v), static_cast<typename T::value_type>(unif(rng)));
      else
        d[k] = scalar_cast<T>(v);
    }
  });
  SparseMatrix m = sparse_kernels::from_dense(dense, format);
  NDArray data = m.data().copy(), idx = m.indices().astype(o.index_dtype), ptr = m.indptr().astype(o.index_dtype);
  if (o.unsorted_indices) {
    sparse_kernels::dispatch_value_index(dtype, o.index_dtype, [&](auto t, auto i) {
      using T = decltype(t);
      using I = decltype(i);
      for (int64_t s = 0; s < m.outer_size(); ++s) {
        const I b = ptr.data<I>()[s], e = ptr.data<I>()[s + 1];
        std::reverse(idx.data<I>() + b, idx.data<I>() + e);
        std::reverse(data.data<T>() + b, data.data<T>() + e);
      }
    });
  }
  if (o.explicit_zero && data.size() > 0) {
    std::uniform_int_distribution<int64_t> pick(0, data.size() - 1);
    const int64_t k = pick(rng);
    dispatch_dtype(dtype, [&](auto t) { data.data<decltype(t)>()[k] = decltype(t){}; });
  }
  return SparseMatrix(format, rows, cols, data, idx, ptr);
}

/// The dense matrix of a sparse value computed the plain way (a loop over stored entries,
/// duplicates summed), independent of the kernels under test.
inline NDArray dense_reference(const SparseMatrix& m) {
  NDArray out = NDArray::zeros(m.dtype(), {m.rows(), m.cols()});
  const bool csr = m.format() == SparseFormat::CSR;
  dispatch_dtype(m.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* d = m.data().data<T>();
    T* o = out.data<T>();
    for (int64_t p = 0; p < m.outer_size(); ++p)
      for (int64_t k = index_at(m.indptr(), p); k < index_at(m.indptr(), p + 1); ++k) {
        int64_t i = csr ? p : index_at(m.indices(), k), j = csr ? index_at(m.indices(), k) : p;
        sparse_kernels::accumulate(o[i * m.cols() + j], d[k]);
      }
  });
  return out;
}

/// One sparse test input: its format, dtype, shape, what makes it special, and the value.
struct SparseCase {
  SparseFormat format;
  DType dtype;
  int64_t rows, cols;
  const char* what;
  SparseMatrix value;
};

/// The inputs every sparse op is tested on: CSR and CSC, float32 and float64, each shape, and
/// for each: sorted, unsorted, explicit zeros, empty rows/cols, all zero, int64 indices.
inline std::vector<SparseCase> sparse_cases(uint64_t seed,
                                            std::vector<std::pair<int64_t, int64_t>> shapes = {{3, 5}, {5, 3}},
                                            double lo = 0.0) {
  std::mt19937_64 rng(seed);
  std::vector<SparseCase> out;
  for (SparseFormat f : {SparseFormat::CSR, SparseFormat::CSC})
    for (DType d : {DType::Float32, DType::Float64})
      for (auto [r, c] : shapes) {
        RandomSparseOptions o;
        o.lo = lo;
        out.push_back({f, d, r, c, "sorted", random_sparse(f, r, c, d, rng, o)});
        RandomSparseOptions u = o;
        u.unsorted_indices = true;
        u.p = 0.8;
        out.push_back({f, d, r, c, "unsorted", random_sparse(f, r, c, d, rng, u)});
        RandomSparseOptions z = o;
        z.explicit_zero = true;
        out.push_back({f, d, r, c, "explicit zero", random_sparse(f, r, c, d, rng, z)});
        RandomSparseOptions e = o;
        e.p = 0.15;
        out.push_back({f, d, r, c, "empty rows/cols", random_sparse(f, r, c, d, rng, e)});
        e.p = 0.0;
        out.push_back({f, d, r, c, "all zero", random_sparse(f, r, c, d, rng, e)});
        RandomSparseOptions i = o;
        i.index_dtype = DType::Int64;
        out.push_back({f, d, r, c, "int64 indices", random_sparse(f, r, c, d, rng, i)});
      }
  return out;
}

/// "csr float32 3x5 unsorted": a SCOPED_TRACE label for a case.
inline std::string trace(const SparseCase& c) {
  return str_cat(format_name(c.format), " ", dtype_name(c.dtype), " ", c.rows, "x", c.cols, " ", c.what);
}

/// The message of the hypatia::Error `f` raises ("" when it raises none); its kind in *kind.
inline std::string error_of(const std::function<void()>& f, ErrorKind* kind = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (kind) *kind = e.kind();
    return e.what();
  }
  return "";
}

}  // namespace hypatia::testing
