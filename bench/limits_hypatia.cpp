// bench_limits' Hypatia adapter: each row is a compiled function built with the public API
// (sparse builders + function()) and called with Values, as a C++ user would, so kernels may
// change underneath without touching the bench.
#include <omp.h>

#include <cstring>

#include "hypatia/hypatia.h"
#include "limits_common.h"

namespace limits {

namespace {
using namespace hypatia;

template <class T>
NDArray array_of(const std::vector<T>& v, DType dt, Shape shape) {
  NDArray a(dt, std::move(shape));
  if (!v.empty()) std::memcpy(a.data<T>(), v.data(), v.size() * sizeof(T));
  return a;
}

SparseMatrix sparse_of(const Csr& m) {
  return SparseMatrix(SparseFormat::CSR, m.rows, m.cols, array_of(m.val, DType::Float64, {m.nnz()}),
                      array_of(m.idx, DType::Int32, {m.nnz()}), array_of(m.ptr, DType::Int32, {m.rows + 1}));
}

NDArray dense_of(const Dense& d, bool as_vector) {
  return as_vector ? array_of(d.v, DType::Float64, {d.rows}) : array_of(d.v, DType::Float64, {d.rows, d.cols});
}

double sum_of(const Value& v) {
  const NDArray& a = is_sparse(v) ? as_sparse(v).data() : as_array(v);
  const double* p = a.data<double>();
  double s = 0;
  for (int64_t i = 0; i < a.size(); ++i) s += p[i];
  return s;
}
}  // namespace

Library hypatia_library() {
  Library lib;
  lib.name = "Hypatia";
  lib.set_threads = [](int t) { omp_set_num_threads(t); };
  lib.prepare = [](const Inputs& in) {
    Var out;
    std::vector<In> ins;
    std::vector<Value> args;
    switch (in.op) {
      case Op::SpMV:
      case Op::SpMM: {
        const bool vec = in.op == Op::SpMV;
        Var a = sparse::csr_matrix("a", DType::Float64);
        Var x = vec ? vector(DType::Float64, "x") : matrix(DType::Float64, "x");
        out = sparse::structured_dot(a, x);
        ins = {a, x};
        args = {sparse_of(in.a), dense_of(in.x, vec)};
        break;
      }
      case Op::SDDMM: {
        Var x = matrix(DType::Float64, "x"), y = matrix(DType::Float64, "y");
        Var p = sparse::csr_matrix("p", DType::Float64);
        out = sparse::sampling_dot(x, y, p);
        ins = {x, y, p};
        args = {dense_of(in.x, false), dense_of(in.y, false), sparse_of(in.a)};
        break;
      }
      case Op::Add:
      case Op::Mul: {
        Var a = sparse::csr_matrix("a", DType::Float64), b = sparse::csr_matrix("b", DType::Float64);
        out = in.op == Op::Add ? sparse::add(a, b) : sparse::mul(a, b);
        ins = {a, b};
        args = {sparse_of(in.a), sparse_of(in.b)};
        break;
      }
      case Op::SpGEMM: {  // sparse . sparse -> sparse (structured_dot keeps a sparse b sparse)
        Var a = sparse::csr_matrix("a", DType::Float64), b = sparse::csr_matrix("b", DType::Float64);
        out = sparse::structured_dot(a, b);
        ins = {a, b};
        args = {sparse_of(in.a), sparse_of(in.b)};
        break;
      }
      case Op::RowSum: {
        Var a = sparse::csr_matrix("a", DType::Float64);
        out = sparse::sp_sum(a, 1);
        ins = {a};
        args = {sparse_of(in.a)};
        break;
      }
      case Op::DenseToCsr: {
        Var d = matrix(DType::Float64, "d");
        out = sparse::csr_from_dense(d);
        ins = {d};
        args = {dense_of(in.x, false)};
        break;
      }
    }
    auto f = function(ins, {out});
    auto held = std::make_shared<std::vector<Value>>(std::move(args));
    Prepared p;
    p.run = [f, held] {
      auto r = (*f)(*held);  // the output is dropped here, as a caller dropping its result would
      (void)r;
    };
    p.checksum = [f, held] { return sum_of((*f)(*held)[0]); };
    return p;
  };
  return lib;
}

}  // namespace limits
