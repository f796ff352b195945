// SparseFactor over UMFPACK (umfpack_dl_*) and CHOLMOD (cholmod_l_*), and spsolve's structured kernels.
#include "hypatia/sparse/kernels/solve.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include <cholmod.h>
#include <umfpack.h>

#include "hypatia/util/error.h"
#include "hypatia/value/sparse_view.h"

namespace hypatia::sparse_kernels {

using SsLong = SuiteSparse_long;
static_assert(sizeof(SsLong) == sizeof(int64_t), "SuiteSparse_long must be 64-bit");

SolveKind solve_kind_from_name(const std::string& name, const std::string& who) {
  if (name == "gen") return SolveKind::General;
  if (name == "pos") return SolveKind::Positive;
  if (name == "sym") return SolveKind::Symmetric;
  value_error("[", who, "] assume_a must be 'gen', 'pos' or 'sym', got '", name, "'");
}

const char* solve_kind_name(SolveKind kind) {
  switch (kind) {
    case SolveKind::General: return "gen";
    case SolveKind::Positive: return "pos";
    case SolveKind::Symmetric: return "sym";
  }
  return "?";
}

namespace {

/// A's outer slices as the columns of an n x n CSC matrix M (M = A for csc, A^T for csr) with
/// int64 indices sorted in each column, duplicates summed and values in double: the input
/// UMFPACK and CHOLMOD require. Explicit zeros stay (they are stored entries).
struct CscLong {
  int64_t n = 0;
  std::vector<SsLong> p, i;
  std::vector<double> x;
};

CscLong normalised(const SparseMatrix& a) {
  CscLong m;
  m.n = a.outer_size();
  visit(a, [&](auto v) {
    std::vector<int64_t> count(v.outer);
    m.i.resize(v.nnz);
    m.x.resize(v.nnz);
    parallel_outer(v.outer, v.nnz, [&](int64_t o) {
      const int64_t b = v.begin(o), e = v.end(o);
      bool sorted = true;
      for (int64_t k = b; k < e; ++k) {
        m.i[k] = v.index(k);
        m.x[k] = scalar_cast<double>(v.data[k]);
        if (k > b && m.i[k] <= m.i[k - 1]) sorted = false;
      }
      if (!sorted) {  // rare: sort the slice by index (stable), then sum the duplicates below
        std::vector<std::pair<SsLong, double>> tmp(e - b);
        for (int64_t k = b; k < e; ++k) tmp[k - b] = {m.i[k], m.x[k]};
        std::stable_sort(tmp.begin(), tmp.end(), [](const auto& l, const auto& r) { return l.first < r.first; });
        for (int64_t k = b; k < e; ++k) std::tie(m.i[k], m.x[k]) = tmp[k - b];
      }
      int64_t w = b;
      for (int64_t k = b; k < e; ++k) {
        if (w > b && m.i[w - 1] == m.i[k]) {
          m.x[w - 1] += m.x[k];
        } else {
          m.i[w] = m.i[k];
          m.x[w] = m.x[k];
          ++w;
        }
      }
      count[o] = w - b;
    });
    // Compact the slices (each moves to a position at or before its own).
    m.p.assign(v.outer + 1, 0);
    for (int64_t o = 0; o < v.outer; ++o) {
      const int64_t b = v.begin(o), c = count[o], dst = m.p[o];
      if (dst != b && c > 0) {
        std::memmove(m.i.data() + dst, m.i.data() + b, c * sizeof(SsLong));
        std::memmove(m.x.data() + dst, m.x.data() + b, c * sizeof(double));
      }
      m.p[o + 1] = dst + c;
    }
    m.i.resize(m.p[v.outer]);
    m.x.resize(m.p[v.outer]);
  });
  return m;
}

/// A started cholmod_common that never prints and is finished on scope exit.
struct CholmodCommon {
  cholmod_common c;
  CholmodCommon() {
    cholmod_l_start(&c);
    c.print = 0;
    c.error_handler = nullptr;
  }
  ~CholmodCommon() { cholmod_l_finish(&c); }
  CholmodCommon(const CholmodCommon&) = delete;
  CholmodCommon& operator=(const CholmodCommon&) = delete;
};

/// b (n,) or (n, k) as k contiguous columns of n doubles (column-major).
NDArray columns_of(const NDArray& b) {
  return b.ndim() == 1 ? b.astype(DType::Float64) : b.transpose().astype(DType::Float64);
}
/// The inverse of columns_of: (k, n) column-major values back to b's shape and dtype `out`.
NDArray from_columns(const NDArray& cols, int ndim, DType out) {
  return ndim == 1 ? cols.astype(out) : cols.transpose().astype(out);
}

}  // namespace

struct SparseFactor::Impl {
  SolveKind kind = SolveKind::General;
  SparseFormat format = SparseFormat::CSC;  // A's; M = A^T for csr
  CscLong m;
  void* numeric = nullptr;       // UMFPACK ('gen')
  cholmod_factor* chol = nullptr;  // CHOLMOD ('pos', 'sym')

  ~Impl() {
    if (numeric) umfpack_dl_free_numeric(&numeric);
    if (chol) {
      CholmodCommon cc;
      cholmod_l_free_factor(&chol, &cc.c);
    }
  }
  /// M's upper triangle as a cholmod_sparse view (no copy): A's upper triangle is M's upper
  /// one for csc and its lower one for csr (M = A^T).
  cholmod_sparse view() {
    cholmod_sparse s{};
    s.nrow = s.ncol = m.n;
    s.nzmax = m.x.size();
    s.p = m.p.data();
    s.i = m.i.data();
    s.x = m.x.data();
    s.stype = format == SparseFormat::CSC ? 1 : -1;
    s.itype = CHOLMOD_LONG;
    s.xtype = CHOLMOD_REAL;
    s.dtype = CHOLMOD_DOUBLE;
    s.sorted = 1;
    s.packed = 1;
    return s;
  }
};

SparseFactor::SparseFactor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SparseFactor::~SparseFactor() = default;
int64_t SparseFactor::n() const { return impl_->m.n; }
SolveKind SparseFactor::kind() const { return impl_->kind; }

std::string SparseFactor::repr() const {
  return str_cat("SparseFactor{", solve_kind_name(impl_->kind), ", n=", impl_->m.n, ", nnz=", impl_->m.x.size(), "}");
}

bool SparseFactor::same_matrix(const SparseFactor& o) const {
  if (this == &o) return true;
  const Impl &a = *impl_, &b = *o.impl_;
  return a.kind == b.kind && a.format == b.format && a.m.n == b.m.n && a.m.p == b.m.p && a.m.i == b.m.i && a.m.x == b.m.x;
}

std::shared_ptr<const SparseFactor> SparseFactor::factorize(const SparseMatrix& a, SolveKind kind, const std::string& who) {
  if (a.rows() != a.cols())
    value_error("[", who, "] A must be square, got shape ", shape_str(a.shape()));
  if (is_complex(a.dtype())) type_error("[", who, "] complex matrices are not supported, got ", dtype_name(a.dtype()));
  auto impl = std::make_unique<Impl>();
  impl->kind = kind;
  impl->format = a.format();
  impl->m = normalised(a);
  Impl& f = *impl;
  const int64_t n = f.m.n;
  for (double v : f.m.x)
    if (!std::isfinite(v)) value_error("[", who, "] A has a non-finite entry (", v, ")");
  if (n > 0 && kind == SolveKind::General) {
    double control[UMFPACK_CONTROL], info[UMFPACK_INFO];
    umfpack_dl_defaults(control);
    void* symbolic = nullptr;
    SsLong st = umfpack_dl_symbolic(n, n, f.m.p.data(), f.m.i.data(), f.m.x.data(), &symbolic, control, info);
    if (st == UMFPACK_OK) {
      st = umfpack_dl_numeric(f.m.p.data(), f.m.i.data(), f.m.x.data(), symbolic, &f.numeric, control, info);
    }
    if (symbolic) umfpack_dl_free_symbolic(&symbolic);
    if (st == UMFPACK_WARNING_singular_matrix || (st == UMFPACK_OK && !(info[UMFPACK_RCOND] > 0)))
      value_error("[", who, "] A is singular (UMFPACK found a zero pivot), shape ", shape_str(a.shape()));
    if (st == UMFPACK_ERROR_out_of_memory)
      memory_error("[", who, "] UMFPACK ran out of memory factorising a ", n, " x ", n, " matrix with ", f.m.x.size(), " entries");
    if (st != UMFPACK_OK) raise(ErrorKind::Runtime, "[", who, "] UMFPACK failed with status ", st);
  } else if (n > 0) {
    CholmodCommon cc;
    if (kind == SolveKind::Symmetric) {
      cc.c.supernodal = CHOLMOD_SIMPLICIAL;  // LDL^T
      cc.c.final_ll = 0;
    } else {
      cc.c.final_ll = 1;  // LL^T also where CHOLMOD picks a simplicial factorisation (else LDL^T)
    }
    cholmod_sparse s = f.view();
    f.chol = cholmod_l_analyze(&s, &cc.c);
    if (f.chol) cholmod_l_factorize(&s, f.chol, &cc.c);
    if (cc.c.status == CHOLMOD_OUT_OF_MEMORY)
      memory_error("[", who, "] CHOLMOD ran out of memory factorising a ", n, " x ", n, " matrix with ", f.m.x.size(), " entries");
    if (!f.chol || cc.c.status < 0) raise(ErrorKind::Runtime, "[", who, "] CHOLMOD failed with status ", cc.c.status);
    if (cc.c.status == CHOLMOD_NOT_POSDEF || static_cast<int64_t>(f.chol->minor) < n) {
      if (kind == SolveKind::Positive)
        value_error("[", who, "] A is not positive definite (assume_a='pos': CHOLMOD's Cholesky failed at column ",
                    f.chol->minor, ")");
      value_error("[", who, "] A is singular or needs pivoting (assume_a='sym': a zero pivot in LDL^T at column ",
                  f.chol->minor, "; assume_a='gen' pivots)");
    }
  }
  return std::shared_ptr<const SparseFactor>(new SparseFactor(std::move(impl)));
}

NDArray SparseFactor::solve(const NDArray& b, bool trans, DType out, const std::string& who) const {
  const Impl& f = *impl_;
  const int64_t n = f.m.n;
  if (b.ndim() < 1 || b.ndim() > 2 || b.shape(0) != n)
    value_error("[", who, "] b must have ", n, " rows (A is ", n, " x ", n, "), got shape ", shape_str(b.shape()));
  if (is_complex(b.dtype())) type_error("[", who, "] complex right-hand sides are not supported");
  const int64_t k = b.ndim() == 1 ? 1 : b.shape(1);
  NDArray cols = columns_of(b);  // (k, n) column-major, solved in place column by column
  if (n == 0 || k == 0) return from_columns(cols, b.ndim(), out);
  double* xb = cols.data<double>();
  if (f.kind == SolveKind::General) {
    // M = A^T for csr: A x = b is M^T x = b. Each column gets its own workspace, so columns
    // (and concurrent calls) solve in parallel with the shared, read-only Numeric object.
    const SsLong sys = ((f.format == SparseFormat::CSR) != trans) ? UMFPACK_Aat : UMFPACK_A;
    double control[UMFPACK_CONTROL];
    umfpack_dl_defaults(control);
    parallel_outer(k, work_mul(work_mul(n, k), 8), [&](int64_t c) {
      std::vector<SsLong> wi(n);
      std::vector<double> w(5 * n), rhs(xb + c * n, xb + (c + 1) * n);
      double info[UMFPACK_INFO];
      const SsLong st = umfpack_dl_wsolve(sys, f.m.p.data(), f.m.i.data(), f.m.x.data(), xb + c * n, rhs.data(),
                                          f.numeric, control, info, wi.data(), w.data());
      if (st == UMFPACK_ERROR_out_of_memory) memory_error("[", who, "] UMFPACK ran out of memory in a solve");
      if (st != UMFPACK_OK && st != UMFPACK_WARNING_singular_matrix)
        raise(ErrorKind::Runtime, "[", who, "] UMFPACK's solve failed with status ", st);
    });
    return from_columns(cols, b.ndim(), out);
  }
  // CHOLMOD: S is symmetric, so trans changes nothing. One common per call (it is mutable).
  CholmodCommon cc;
  cholmod_dense bd{};
  bd.nrow = n;
  bd.ncol = k;
  bd.nzmax = n * k;
  bd.d = n;
  bd.x = xb;
  bd.xtype = CHOLMOD_REAL;
  bd.dtype = CHOLMOD_DOUBLE;
  cholmod_dense* x = cholmod_l_solve(CHOLMOD_A, f.chol, &bd, &cc.c);
  if (!x) {
    if (cc.c.status == CHOLMOD_OUT_OF_MEMORY) memory_error("[", who, "] CHOLMOD ran out of memory in a solve");
    raise(ErrorKind::Runtime, "[", who, "] CHOLMOD's solve failed with status ", cc.c.status);
  }
  const double* xs = static_cast<const double*>(x->x);
  for (int64_t c = 0; c < k; ++c) std::memcpy(xb + c * n, xs + c * static_cast<int64_t>(x->d), n * sizeof(double));
  cholmod_l_free_dense(&x, &cc.c);
  return from_columns(cols, b.ndim(), out);
}

// ---------------------------------------------------------------- structured kernels

namespace {
void check_square_rhs(const SparseMatrix& a, const NDArray& v, const char* who) {
  if (a.rows() != a.cols()) value_error("[", who, "] A must be square, got shape ", shape_str(a.shape()));
  if (v.ndim() < 1 || v.ndim() > 2 || v.shape(0) != a.rows())
    value_error("[", who, "] expected ", a.rows(), " rows, got shape ", shape_str(v.shape()));
}
}  // namespace

SparseMatrix solve_grad_a(const SparseMatrix& a, const NDArray& u_in, const NDArray& x_in, SolveKind kind) {
  check_square_rhs(a, u_in, "SpSolveGradA");
  if (u_in.shape() != x_in.shape())
    value_error("[SpSolveGradA] u and x must have the same shape, got ", shape_str(u_in.shape()), " and ", shape_str(x_in.shape()));
  const NDArray u = u_in.astype(DType::Float64), x = x_in.astype(DType::Float64);
  const int64_t k = u.ndim() == 1 ? 1 : u.shape(1);
  const double *up = u.data<double>(), *xp = x.data<double>();
  auto dot = [&](int64_t i, int64_t j) {
    double s = 0;
    for (int64_t c = 0; c < k; ++c) s += up[i * k + c] * xp[j * k + c];
    return s;
  };
  NDArray g(DType::Float64, {a.nnz()});
  double* gp = g.data<double>();
  visit(a, [&](auto v) {
    parallel_outer(v.outer, work_mul(v.nnz, k), [&](int64_t o) {
      for (int64_t e = v.begin(o); e < v.end(o); ++e) {
        const int64_t i = v.row(o, e), j = v.col(o, e);
        if (kind == SolveKind::General) gp[e] = -dot(i, j);
        else gp[e] = i < j ? -(dot(i, j) + dot(j, i)) : i == j ? -dot(i, i) : 0.0;
      }
      // Duplicates: the gradient's dense form (duplicates summed) must be the gradient, so
      // the first of the entries at one position carries it and the others get 0.
      const int64_t b = v.begin(o), e = v.end(o);
      bool strict = true;
      for (int64_t q = b + 1; q < e && strict; ++q) strict = v.index(q) > v.index(q - 1);
      if (strict) return;
      std::vector<std::pair<int64_t, int64_t>> order;  // (index, position), rare: unsorted slices
      for (int64_t q = b; q < e; ++q) order.emplace_back(v.index(q), q);
      std::stable_sort(order.begin(), order.end(), [](const auto& l, const auto& r) { return l.first < r.first; });
      for (size_t q = 1; q < order.size(); ++q)
        if (order[q].first == order[q - 1].first) gp[order[q].second] = 0.0;
    });
  });
  return with_data(a, g.astype(a.dtype()));
}

NDArray solve_matvec(const SparseMatrix& a, const NDArray& v_in, SolveKind kind, bool trans, DType out) {
  check_square_rhs(a, v_in, "SpSolveMatvec");
  const NDArray v = v_in.astype(DType::Float64);
  const int64_t k = v.ndim() == 1 ? 1 : v.shape(1);
  NDArray y = NDArray::zeros(DType::Float64, v.shape());
  const double* vp = v.data<double>();
  double* yp = y.data<double>();
  auto axpy = [&](int64_t dst, double s, int64_t src) {
    for (int64_t c = 0; c < k; ++c) yp[dst * k + c] += s * vp[src * k + c];
  };
  visit(a, [&](auto m) {
    for (int64_t o = 0; o < m.outer; ++o) {
      for (int64_t e = m.begin(o); e < m.end(o); ++e) {
        const int64_t i = m.row(o, e), j = m.col(o, e);
        const double s = scalar_cast<double>(m.data[e]);
        if (kind == SolveKind::General) {
          if (trans) axpy(j, s, i);
          else axpy(i, s, j);
        } else if (i < j) {
          axpy(i, s, j);
          axpy(j, s, i);
        } else if (i == j) {
          axpy(i, s, i);
        }
      }
    }
  });
  return y.astype(out);
}

}  // namespace hypatia::sparse_kernels
