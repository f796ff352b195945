// Builders of the sparse arithmetic API (sparse/math.h): dispatch on sparse/dense operands.
#include "hypatia/sparse/math.h"

#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/ops/arith.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/compare.h"
#include "hypatia/sparse/ops/reduce.h"
#include "hypatia/sparse/products.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/basic.h"

namespace hypatia::sparse {
namespace sk = sparse_kernels;

namespace {
template <class O, class... P>
Var apply_new(const std::vector<Var>& inputs, P... params) {
  return apply1(*std::make_shared<O>(params...), inputs);
}

// Which operands are sparse; TypeError "[who] ..." when neither is.
std::pair<bool, bool> sparse_operands(const Var& x, const Var& y, const std::string& who) {
  if (!x || !y) type_error("[", who, "] expected two variables, got None");
  const bool xs = is_sparse_variable(x), ys = is_sparse_variable(y);
  if (!xs && !ys)
    type_error("[", who, "] at least one operand must be sparse, got ", x.type()->str(), " and ", y.type()->str(),
               "; use the tensor function for dense operands");
  return {xs, ys};
}

Var compare(const Var& x, const Var& y, sk::SpBinary op, sk::SpBinary swapped, const char* who) {
  auto [xs, ys] = sparse_operands(x, y, who);
  if (xs && ys) return apply_new<CompareSS>({x, y}, SparseCompareParams{op});
  if (xs) return apply_new<CompareSD>({x, as_tensor_variable(y)}, SparseCompareParams{op});
  return apply_new<CompareSD>({y, as_tensor_variable(x)}, SparseCompareParams{swapped});
}
}  // namespace

Var add_s_s(const Var& x, const Var& y) { return apply_new<AddSS>({x, y}); }
Var add_s_d(const Var& x, const Var& y) { return apply_new<AddSD>({x, y}); }
Var add_s_s_data(const Var& x, const Var& y) { return apply_new<AddSSData>({x, y}); }
Var structured_add_s_v(const Var& x, const Var& v) { return apply_new<StructuredAddSV>({x, v}); }
Var mul_s_s(const Var& x, const Var& y) { return apply_new<MulSS>({x, y}); }
Var mul_s_d(const Var& x, const Var& y) { return apply_new<MulSD>({x, y}); }
Var mul_s_v(const Var& x, const Var& v) { return apply_new<MulSV>({x, v}); }
Var col_scale(const Var& x, const Var& s) { return apply_new<ColScale>({x, s}); }
Var row_scale(const Var& x, const Var& s) { return apply_new<RowScale>({x, s}); }

Var add(const Var& x, const Var& y) {
  auto [xs, ys] = sparse_operands(x, y, "add");
  if (xs && ys) return add_s_s(x, y);
  if (xs) return add_s_d(x, as_tensor_variable(y));
  return add_s_d(y, as_tensor_variable(x));
}

Var sub(const Var& x, const Var& y) {
  auto [xs, ys] = sparse_operands(x, y, "sub");
  for (const Var& v : {x, y})
    if (is_bool(*v.type()->dtype()))
      type_error("[sub] subtracting bool matrices is not supported (numpy forbids it too); use logical operations");
  if (xs && ys) return add_s_s(x, sparse::neg(y));
  if (xs) return add_s_d(x, hypatia::neg(as_tensor_variable(y)));
  return add_s_d(sparse::neg(y), as_tensor_variable(x));
}

Var mul(const Var& x, const Var& y) {
  auto [xs, ys] = sparse_operands(x, y, "mul");
  if (xs && ys) return mul_s_s(x, y);
  if (xs) return mul_s_d(x, as_tensor_variable(y));
  return mul_s_d(y, as_tensor_variable(x));
}

Var eq(const Var& x, const Var& y) { return compare(x, y, sk::SpBinary::Eq, sk::SpBinary::Eq, "eq"); }
Var neq(const Var& x, const Var& y) { return compare(x, y, sk::SpBinary::Ne, sk::SpBinary::Ne, "neq"); }
Var lt(const Var& x, const Var& y) { return compare(x, y, sk::SpBinary::Lt, sk::SpBinary::Gt, "lt"); }
Var gt(const Var& x, const Var& y) { return compare(x, y, sk::SpBinary::Gt, sk::SpBinary::Lt, "gt"); }
Var le(const Var& x, const Var& y) { return compare(x, y, sk::SpBinary::Le, sk::SpBinary::Ge, "le"); }
Var ge(const Var& x, const Var& y) { return compare(x, y, sk::SpBinary::Ge, sk::SpBinary::Le, "ge"); }

Var sp_sum(const Var& x, std::optional<int> axis, bool sparse_grad) {
  // -1 and -2 count from the end; SpSum itself rejects any other axis (its -1 is None).
  int a = -1;
  if (axis) a = (*axis == -1 || *axis == -2) ? *axis + 2 : *axis;
  return apply_new<SpSum>({x}, SpSumParams{a, sparse_grad});
}

Var mean(const Var& x, std::optional<int> axis) {
  Var s = sp_sum(x, axis);
  Var n = !axis ? hypatia::mul(shape_i(x, 0), shape_i(x, 1)) : shape_i(x, (*axis == 0 || *axis == -2) ? 0 : 1);
  return hypatia::true_div(s, n);
}

Var true_div(const Var& x, const Var& y) {
  if (!x || !y) type_error("[truediv] expected two variables, got None");
  if (is_sparse_variable(y))
    type_error("[truediv] dividing by a sparse matrix would divide by its implicit zeros; use the dense x / "
               "y.toarray()");
  if (!is_sparse_variable(x)) type_error("[truediv] the dividend must be sparse, got ", x.type()->str());
  if (y->is_constant() && y.type()->ndim() == 0 && is_array(*y->constant)) {
    const NDArray& c = std::get<NDArray>(*y->constant);
    if (!is_complex(c.dtype()) && !is_bool(c.dtype())) return sparse::mul(x, hypatia::constant(1.0 / c.item<double>()));
  }
  return sparse::mul(x, hypatia::true_div(constant_int(1), as_tensor_variable(y)));
}

}  // namespace hypatia::sparse

namespace hypatia {

// Theano's _sparse_py_operators: what the tensor builders (hypatia::add, dot, sum, ...) build
// when an operand is sparse (see Type::apply_operator).
Var SparseType::apply_operator(Operator op, const std::vector<Var>& args, const OperatorOptions& opts) const {
  auto refuse_reshape = [](const char* name, const char* verb) -> Var {
    type_error("[", name, "] sparse matrices are always 2-d and cannot be ", verb, "; densify first: x.toarray().",
               name, "(...)");
  };
  switch (op) {
    case Operator::Add: return sparse::add(args[0], args[1]);
    case Operator::Sub: return sparse::sub(args[0], args[1]);
    case Operator::Mul: return sparse::mul(args[0], args[1]);
    case Operator::TrueDiv: return sparse::true_div(args[0], args[1]);
    case Operator::Lt: return sparse::lt(args[0], args[1]);
    case Operator::Le: return sparse::le(args[0], args[1]);
    case Operator::Gt: return sparse::gt(args[0], args[1]);
    case Operator::Ge: return sparse::ge(args[0], args[1]);
    case Operator::Pow:
      raise(ErrorKind::NotImplemented, "[pow] a sparse operand of '**' is handled by hypatia.sparse.structured_pow "
                                       "(the stored values only); densify explicitly with x.toarray() to use the dense op");
    case Operator::Neg: return sparse::neg(args[0]);
    case Operator::Abs: return sparse::abs_(args[0]);
    case Operator::Dot: return sparse::structured_dot(args[0], args[1]);
    case Operator::MatMul: return sparse::dot(args[0], args[1]);
    case Operator::Transpose:
      if (opts.axis && !(opts.axis->size() == 2 && (*opts.axis)[0] == 1 && (*opts.axis)[1] == 0)) {
        std::string axes;
        for (int a : *opts.axis) axes += (axes.empty() ? "" : ", ") + std::to_string(a);
        if (opts.axis->size() == 1) axes += ",";
        value_error("[Transpose] a sparse matrix can only be transposed with axes (1, 0), got (", axes, ")");
      }
      return sparse::transpose(args[0]);
    case Operator::Sum:
    case Operator::Mean: {
      std::optional<int> axis;
      if (opts.axis) {
        if (opts.axis->size() != 1)
          value_error("[SpSum] axis must be None, 0 or 1 for a sparse matrix, got ", opts.axis->size(), " axes");
        axis = (*opts.axis)[0];
      }
      return op == Operator::Sum ? sparse::sp_sum(args[0], axis, opts.sparse_grad) : sparse::mean(args[0], axis);
    }
    case Operator::Cast: return sparse::cast(args[0], *opts.dtype);
    case Operator::Reshape: return refuse_reshape("reshape", "reshaped");
    case Operator::DimShuffle: return refuse_reshape("dimshuffle", "dimshuffled");
  }
  return {};
}

}  // namespace hypatia
