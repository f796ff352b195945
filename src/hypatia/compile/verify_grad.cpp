// verify_grad: random projection, central differences, Theano's error measure and tolerances.
#include "hypatia/compile/verify_grad.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hypatia/grad/grad.h"
#include "hypatia/compile/function.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

namespace {

double get_elem(const NDArray& a, int64_t k) {
  return dispatch_dtype(a.dtype(), [&](auto tag) -> double {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, complex64> || std::is_same_v<T, complex128>) {
      return static_cast<double>(a.data<T>()[k].real());
    } else if constexpr (std::is_same_v<T, half>) {
      return static_cast<double>(static_cast<float>(a.data<T>()[k]));
    } else {
      return static_cast<double>(a.data<T>()[k]);
    }
  });
}

void set_elem(NDArray& a, int64_t k, double v) {
  dispatch_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, half>) {
      a.data<T>()[k] = half(static_cast<float>(v));
    } else if constexpr (std::is_same_v<T, bool>) {
      a.data<T>()[k] = v != 0;
    } else {
      a.data<T>()[k] = static_cast<T>(v);
    }
  });
}

double type_eps(DType d) {
  switch (d) {
    case DType::Float16: return 1e-1;
    case DType::Float32: case DType::Complex64: return 3e-4;
    default: return 1e-7;
  }
}
double type_tol(DType d) {
  switch (d) {
    case DType::Float16: return 5e-2;
    case DType::Float32: case DType::Complex64: return 1e-2;
    default: return 1e-4;
  }
}

/// The projected cost sum(u * out) accumulated in double.
double project(const NDArray& out, const NDArray& u) {
  NDArray o = out.contiguous();
  if (o.shape() != u.shape())
    value_error("[verify_grad] the output changed shape under perturbation: ", shape_str(o.shape()), " vs ",
                shape_str(u.shape()));
  double s = 0;
  const int64_t n = o.size();
  for (int64_t k = 0; k < n; ++k) s += get_elem(o, k) * get_elem(u, k);
  return s;
}

/// Positions (row, col) of the stored entries of a compressed matrix, in data order.
std::vector<std::pair<int64_t, int64_t>> stored_positions(const SparseMatrix& m) {
  std::vector<std::pair<int64_t, int64_t>> pos;
  const bool csr = m.format() == SparseFormat::CSR;
  for (int64_t o = 0; o < m.outer_size(); ++o)
    for (int64_t k = index_at(m.indptr(), o); k < index_at(m.indptr(), o + 1); ++k) {
      int64_t in = index_at(m.indices(), k);
      pos.push_back(csr ? std::make_pair(o, in) : std::make_pair(in, o));
    }
  return pos;
}

NDArray dense_f64(const Value& v, const char* who) {
  if (is_sparse(v)) return std::get<SparseMatrix>(v).to_dense().astype(DType::Float64);
  return as_array(v, who).astype(DType::Float64);
}

}  // namespace

void verify_grad(const std::function<Var(const std::vector<Var>&)>& fun, const std::vector<Value>& pt,
                 const VerifyGradOptions& opts) {
  const char* who = "[verify_grad]";
  if (pt.empty()) value_error(who, " pt must contain at least one input value");
  if (opts.n_tests < 1) value_error(who, " n_tests must be >= 1, got ", opts.n_tests);
  // Symbolic inputs of the exact types of the values (no broadcastable axes).
  std::vector<Var> inputs;
  std::vector<DType> dtypes;
  for (size_t i = 0; i < pt.size(); ++i) {
    const Value& v = pt[i];
    DType d;
    if (is_array(v)) {
      const NDArray& a = std::get<NDArray>(v);
      d = a.dtype();
      inputs.push_back(make_variable(TensorType::make(d, std::vector<bool>(a.ndim(), false)), str_cat("input ", i)));
    } else if (is_sparse(v)) {
      const SparseMatrix& s = std::get<SparseMatrix>(v);
      d = s.dtype();
      inputs.push_back(make_variable(SparseType::make(s.format(), d), str_cat("input ", i)));
    } else {
      type_error(who, " input ", i, " must be an array or a sparse matrix, got ", value_repr(v));
    }
    if (!is_float(d))
      type_error(who, " verify_grad can work only with floating point inputs, but input ", i, " has dtype ",
                 dtype_name(d));
    dtypes.push_back(d);
  }
  Var out = fun(inputs);
  if (!out) type_error(who, " fun returned a null Var");
  if (out.type()->kind() != TypeKind::Tensor)
    type_error(who, " fun must return a dense tensor (convert a sparse output to dense first), got ",
               out.type()->str());
  DType od = *out.type()->dtype();
  if (!is_inexact(od)) type_error(who, " fun's output must be floating point, got ", dtype_name(od));
  dtypes.push_back(od);

  double eps = 0, abs_tol = 0, rel_tol = 0;
  for (DType d : dtypes) {
    eps = std::max(eps, type_eps(d));
    abs_tol = std::max(abs_tol, type_tol(d));
    rel_tol = std::max(rel_tol, type_tol(d));
  }
  if (opts.eps) eps = *opts.eps;
  if (opts.abs_tol) abs_tol = *opts.abs_tol;
  if (opts.rel_tol) rel_tol = *opts.rel_tol;

  FunctionOptions fo;
  fo.mode = opts.mode;
  fo.excluding = opts.excluding;
  fo.on_unused_input = OnUnusedInput::Ignore;
  fo.name = "verify_grad_fun";
  std::vector<In> ins(inputs.begin(), inputs.end());
  FunctionPtr o_fn = function(ins, {Out(out)}, fo);

  Var proj = make_variable(TensorType::make(od, tensor_type(out)->broadcastable()), "random_projection");
  GradOptions go;
  go.disconnected_inputs = OnDisconnected::Ignore;
  std::vector<Var> sym = Lop(std::vector<Var>{out}, inputs, std::vector<Var>{proj}, go);
  std::vector<In> gins = ins;
  gins.emplace_back(proj);
  fo.name = "verify_grad_grad";
  FunctionPtr grad_fn = function(gins, std::vector<Out>(sym.begin(), sym.end()), fo);

  auto eval_out = [&](const std::vector<Value>& args) -> NDArray {
    std::vector<Value> r = (*o_fn)(args);
    return as_array(r.at(0), "verify_grad output");
  };
  const NDArray out0 = eval_out(pt);

  std::mt19937_64 local_rng(opts.seed);
  std::mt19937_64& rng = opts.rng ? *opts.rng : local_rng;
  std::uniform_real_distribution<double> unif(0.0, 1.0);

  for (int test = 0; test < opts.n_tests; ++test) {
    NDArray u(od, out0.shape());
    for (int64_t k = 0; k < u.size(); ++k) set_elem(u, k, unif(rng) + 0.5);

    std::vector<Value> gargs = pt;
    gargs.push_back(u);
    std::vector<Value> analytic = (*grad_fn)(gargs);

    // Per input: the element with the largest scaled error min(abs/abs_tol, rel/rel_tol).
    double best_scaled = -1, best_abs = 0, best_rel = 0, best_a = 0, best_n = 0;
    int best_arg = -1;
    int64_t best_pos = 0;
    for (size_t j = 0; j < pt.size(); ++j) {
      std::vector<Value> args = pt;
      std::vector<double> num, ana;
      if (is_array(pt[j])) {
        NDArray x = std::get<NDArray>(pt[j]).copy();
        NDArray ga = dense_f64(analytic[j], "verify_grad gradient");
        if (ga.shape() != x.shape())
          value_error(who, " the gradient of input ", j, " has shape ", shape_str(ga.shape()), ", expected ",
                      shape_str(x.shape()));
        for (int64_t k = 0; k < x.size(); ++k) {
          const double x0 = get_elem(x, k);
          NDArray xp = x.copy(), xm = x.copy();
          set_elem(xp, k, x0 + eps);
          set_elem(xm, k, x0 - eps);
          const double h = get_elem(xp, k) - get_elem(xm, k);
          args[j] = xp;
          const double fp = project(eval_out(args), u);
          args[j] = xm;
          const double fm = project(eval_out(args), u);
          num.push_back((fp - fm) / h);
          ana.push_back(get_elem(ga, k));
        }
      } else {
        const SparseMatrix& s = std::get<SparseMatrix>(pt[j]);
        NDArray ga = dense_f64(analytic[j], "verify_grad gradient");
        if (ga.shape() != s.shape())
          value_error(who, " the gradient of input ", j, " has shape ", shape_str(ga.shape()), ", expected ",
                      shape_str(s.shape()));
        if (opts.structured) {
          auto pos = stored_positions(s);
          for (size_t k = 0; k < pos.size(); ++k) {
            auto perturbed = [&](double delta, double* stored) {
              NDArray data = s.data().copy();
              set_elem(data, static_cast<int64_t>(k), get_elem(data, static_cast<int64_t>(k)) + delta);
              *stored = get_elem(data, static_cast<int64_t>(k));
              return SparseMatrix(s.format(), s.rows(), s.cols(), data, s.indices(), s.indptr());
            };
            double sp = 0, sm = 0;
            args[j] = perturbed(eps, &sp);
            const double fp = project(eval_out(args), u);
            args[j] = perturbed(-eps, &sm);
            const double fm = project(eval_out(args), u);
            num.push_back((fp - fm) / (sp - sm));
            ana.push_back(ga.data<double>()[pos[k].first * s.cols() + pos[k].second]);
          }
        } else {
          NDArray xd = s.to_dense();
          for (int64_t k = 0; k < xd.size(); ++k) {
            const double x0 = get_elem(xd, k);
            NDArray xp = xd.copy(), xm = xd.copy();
            set_elem(xp, k, x0 + eps);
            set_elem(xm, k, x0 - eps);
            const double h = get_elem(xp, k) - get_elem(xm, k);
            args[j] = SparseMatrix::from_dense(xp, s.format());
            const double fp = project(eval_out(args), u);
            args[j] = SparseMatrix::from_dense(xm, s.format());
            const double fm = project(eval_out(args), u);
            num.push_back((fp - fm) / h);
            ana.push_back(ga.data<double>()[k]);
          }
        }
      }
      for (size_t k = 0; k < num.size(); ++k) {
        const double a = ana[k], n = num[k];
        const double abs_err = std::fabs(a - n);
        const double rel_err = abs_err / std::max(std::fabs(a) + std::fabs(n), 1e-8);
        double scaled = std::min(abs_err / abs_tol, rel_err / rel_tol);
        if (std::isnan(a) || std::isnan(n) || std::isnan(scaled)) scaled = std::numeric_limits<double>::infinity();
        if (scaled > best_scaled) {
          best_scaled = scaled;
          best_abs = abs_err;
          best_rel = rel_err;
          best_a = a;
          best_n = n;
          best_arg = static_cast<int>(j);
          best_pos = static_cast<int64_t>(k);
        }
      }
    }
    const bool nan = std::isinf(best_scaled);
    if (best_arg >= 0 && (nan || (best_abs > abs_tol && best_rel > rel_tol))) {
      raise(ErrorKind::Value, who,
            " GradientError: numeric gradient and analytic gradient exceed tolerance: At position ", best_pos,
            " of argument ", best_arg, " with shape ", shape_str(value_shape(pt[best_arg])),
            ", analytic (val1) = ", best_a, ", numeric (val2) = ", best_n, ", max abs. error = ", best_abs,
            ", abs. tolerance = ", abs_tol, ", max rel. error = ", best_rel, ", rel. tolerance = ", rel_tol,
            " (test ", test, ", eps = ", eps, ")");
    }
  }
}

}  // namespace hypatia
