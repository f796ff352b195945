// bench_limits' SuiteSparse:GraphBLAS adapter: GrB_mxv / GrB_mxm / eWiseAdd / eWiseMult /
// reduce / select on by-row matrices, threads set with GxB_Global_Option_set(GxB_NTHREADS).
// Each call finishes with GrB_wait so that non-blocking mode defers nothing past the timer.
extern "C" {
#include <GraphBLAS.h>
}

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "limits_common.h"

namespace limits {

namespace {
void ok(GrB_Info info, const char* what) {
  if (info != GrB_SUCCESS) throw std::runtime_error(std::string("GraphBLAS ") + what + " failed: " + std::to_string(info));
}

// Owns a GrB_Matrix / GrB_Vector handle.
struct M {
  GrB_Matrix m = nullptr;
  ~M() { GrB_Matrix_free(&m); }
};
struct V {
  GrB_Vector v = nullptr;
  ~V() { GrB_Vector_free(&v); }
};

std::shared_ptr<M> sp_of(const Csr& c) {
  std::vector<GrB_Index> ptr(c.ptr.begin(), c.ptr.end()), idx(c.idx.begin(), c.idx.end());
  auto r = std::make_shared<M>();
  ok(GrB_Matrix_import_FP64(&r->m, GrB_FP64, c.rows, c.cols, ptr.data(), idx.data(), c.val.data(), ptr.size(),
                            idx.size(), c.val.size(), GrB_CSR_FORMAT),
     "import");
  ok(GrB_Matrix_wait(r->m, GrB_MATERIALIZE), "wait");
  return r;
}

void* malloc_copy(const std::vector<double>& v) {
  void* p = std::malloc(std::max<size_t>(8, v.size() * 8));  // GraphBLAS takes ownership (frees with free)
  std::memcpy(p, v.data(), v.size() * 8);
  return p;
}

std::shared_ptr<M> full_of(const Dense& d) {
  auto r = std::make_shared<M>();
  void* p = malloc_copy(d.v);
  ok(GxB_Matrix_import_FullR(&r->m, GrB_FP64, d.rows, d.cols, &p, d.v.size() * 8, false, nullptr), "import full");
  return r;
}

std::shared_ptr<V> full_vector_of(const Dense& d) {
  auto r = std::make_shared<V>();
  void* p = malloc_copy(d.v);
  ok(GxB_Vector_import_Full(&r->v, GrB_FP64, d.v.size(), &p, d.v.size() * 8, false, nullptr), "import vector");
  return r;
}

double sum_m(GrB_Matrix m) {
  double s = 0;
  ok(GrB_Matrix_reduce_FP64(&s, nullptr, GrB_PLUS_MONOID_FP64, m, nullptr), "reduce");
  return s;
}
double sum_v(GrB_Vector v) {
  double s = 0;
  ok(GrB_Vector_reduce_FP64(&s, nullptr, GrB_PLUS_MONOID_FP64, v, nullptr), "reduce");
  return s;
}
}  // namespace

Library graphblas_library() {
  static bool inited = [] {
    ok(GrB_init(GrB_NONBLOCKING), "init");
    return true;
  }();
  (void)inited;
  Library lib;
  lib.name = "GraphBLAS";
  lib.set_threads = [](int t) { ok(GxB_Global_Option_set(GxB_GLOBAL_NTHREADS, t), "set threads"); };
  lib.prepare = [](const Inputs& in) {
    Prepared p;
    switch (in.op) {
      case Op::SpMV:
      case Op::RowSum: {
        auto a = sp_of(in.a);
        auto w = std::make_shared<V>();
        ok(GrB_Vector_new(&w->v, GrB_FP64, in.a.rows), "new");
        std::shared_ptr<V> u;
        if (in.op == Op::SpMV) u = full_vector_of(in.x);
        auto run = [a, u, w] {
          if (u)
            ok(GrB_mxv(w->v, nullptr, nullptr, GrB_PLUS_TIMES_SEMIRING_FP64, a->m, u->v, nullptr), "mxv");
          else
            ok(GrB_Matrix_reduce_Monoid(w->v, nullptr, nullptr, GrB_PLUS_MONOID_FP64, a->m, nullptr), "reduce");
          ok(GrB_Vector_wait(w->v, GrB_MATERIALIZE), "wait");
        };
        p.run = run;
        p.checksum = [run, w] {
          run();
          return sum_v(w->v);
        };
        break;
      }
      case Op::SpMM:
      case Op::SDDMM:
      case Op::Add:
      case Op::Mul:
      case Op::SpGEMM:
      case Op::DenseToCsr: {
        std::shared_ptr<M> a, b, x, y;
        if (in.op != Op::DenseToCsr) a = sp_of(in.a);
        if (in.op == Op::Add || in.op == Op::Mul || in.op == Op::SpGEMM) b = sp_of(in.b);
        if (in.op == Op::SpMM || in.op == Op::SDDMM || in.op == Op::DenseToCsr) x = full_of(in.x);
        if (in.op == Op::SDDMM) y = full_of(in.y);
        auto c = std::make_shared<M>();
        const int64_t rows = in.op == Op::DenseToCsr || in.op == Op::SDDMM ? in.x.rows : in.a.rows;
        const int64_t cols = in.op == Op::SpMM ? in.x.cols : in.op == Op::DenseToCsr ? in.x.cols : in.a.cols;
        ok(GrB_Matrix_new(&c->m, GrB_FP64, rows, cols), "new");
        const Op op = in.op;
        auto run = [op, a, b, x, y, c] {
          switch (op) {
            case Op::SpMM:
              ok(GrB_mxm(c->m, nullptr, nullptr, GrB_PLUS_TIMES_SEMIRING_FP64, a->m, x->m, nullptr), "mxm");
              break;
            case Op::SDDMM:  // C<struct(P)> = X Yᵀ (dot products at P's entries), then C = C ∘ P
              ok(GrB_mxm(c->m, a->m, nullptr, GrB_PLUS_TIMES_SEMIRING_FP64, x->m, y->m, GrB_DESC_RST1), "mxm");
              ok(GrB_Matrix_eWiseMult_BinaryOp(c->m, nullptr, nullptr, GrB_TIMES_FP64, c->m, a->m, nullptr), "emult");
              break;
            case Op::Add:
              ok(GrB_Matrix_eWiseAdd_BinaryOp(c->m, nullptr, nullptr, GrB_PLUS_FP64, a->m, b->m, nullptr), "eadd");
              break;
            case Op::Mul:
              ok(GrB_Matrix_eWiseMult_BinaryOp(c->m, nullptr, nullptr, GrB_TIMES_FP64, a->m, b->m, nullptr), "emult");
              break;
            case Op::SpGEMM:
              ok(GrB_mxm(c->m, nullptr, nullptr, GrB_PLUS_TIMES_SEMIRING_FP64, a->m, b->m, nullptr), "mxm");
              break;
            case Op::DenseToCsr:
              ok(GrB_Matrix_select_FP64(c->m, nullptr, nullptr, GrB_VALUENE_FP64, x->m, 0.0, nullptr), "select");
              break;
            default:
              break;
          }
          ok(GrB_Matrix_wait(c->m, GrB_MATERIALIZE), "wait");
        };
        p.run = run;
        p.checksum = [run, c] {
          run();
          return sum_m(c->m);
        };
        break;
      }
    }
    return p;
  };
  return lib;
}

}  // namespace limits
