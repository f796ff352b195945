// bench_limits' Eigen 3.4 adapter: Eigen::SparseMatrix (row-major, int32 indices), with Eigen's
// OpenMP threading where it has one (sparse row-major times dense); no SDDMM in Eigen.
#include <omp.h>

#include <Eigen/Dense>
#include <Eigen/Sparse>

#include "limits_common.h"

namespace limits {

namespace {
using SpMat = Eigen::SparseMatrix<double, Eigen::RowMajor, int32_t>;
using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;  // column-major: Eigen's parallel path
using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

std::shared_ptr<SpMat> sp_of(const Csr& m) {
  Eigen::Map<const SpMat> map(m.rows, m.cols, m.nnz(), m.ptr.data(), m.idx.data(), m.val.data());
  auto s = std::make_shared<SpMat>(map);
  s->makeCompressed();
  return s;
}

template <class M>
std::shared_ptr<M> dense_of(const Dense& d) {
  return std::make_shared<M>(Eigen::Map<const RowMat>(d.v.data(), d.rows, d.cols));
}

double sum_sparse(const SpMat& m) { return Eigen::Map<const Eigen::VectorXd>(m.valuePtr(), m.nonZeros()).sum(); }
}  // namespace

Library eigen_library() {
  Library lib;
  lib.name = "Eigen";
  lib.set_threads = [](int t) {
    omp_set_num_threads(t);
    Eigen::setNbThreads(t);
  };
  lib.prepare = [](const Inputs& in) {
    Prepared p;
    switch (in.op) {
      case Op::SpMV:
      case Op::SpMM: {
        auto a = sp_of(in.a);
        auto x = dense_of<Mat>(in.x);
        p.run = [a, x] {
          Mat y = *a * *x;  // a fresh output per call, as Hypatia's function returns one
          Eigen::internal::ignore_unused_variable(y);
        };
        p.checksum = [a, x] { return Mat(*a * *x).sum(); };
        break;
      }
      case Op::SDDMM:
        p.skip = "Eigen has no SDDMM (sampled dense-dense product)";
        break;
      case Op::Add:
      case Op::Mul: {
        auto a = sp_of(in.a), b = sp_of(in.b);
        const bool add = in.op == Op::Add;
        p.run = [a, b, add] {
          SpMat c = add ? SpMat(*a + *b) : SpMat(a->cwiseProduct(*b));
          Eigen::internal::ignore_unused_variable(c);
        };
        p.checksum = [a, b, add] { return sum_sparse(add ? SpMat(*a + *b) : SpMat(a->cwiseProduct(*b))); };
        break;
      }
      case Op::SpGEMM: {  // Eigen's sparse product (single-threaded, as Eigen's is)
        auto a = sp_of(in.a), b = sp_of(in.b);
        p.run = [a, b] {
          SpMat c = *a * *b;
          Eigen::internal::ignore_unused_variable(c);
        };
        p.checksum = [a, b] { return sum_sparse(SpMat(*a * *b)); };
        break;
      }
      case Op::RowSum: {
        // Row sums as a . ones: Eigen's threaded sparse-times-dense path (no reduction API).
        auto a = sp_of(in.a);
        auto ones = std::make_shared<Eigen::VectorXd>(Eigen::VectorXd::Ones(in.a.cols));
        p.run = [a, ones] {
          Eigen::VectorXd r = *a * *ones;
          Eigen::internal::ignore_unused_variable(r);
        };
        p.checksum = [a, ones] { return Eigen::VectorXd(*a * *ones).sum(); };
        break;
      }
      case Op::DenseToCsr: {
        auto d = dense_of<RowMat>(in.x);
        p.run = [d] {
          SpMat c = d->sparseView();
          Eigen::internal::ignore_unused_variable(c);
        };
        p.checksum = [d] { return sum_sparse(SpMat(d->sparseView())); };
        break;
      }
    }
    return p;
  };
  return lib;
}

}  // namespace limits
