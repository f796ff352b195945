// sync_parameters (shape check, broadcast from rank 0), data_parallel_grads and shard_rows.
#include "hypatia/distributed/data_parallel.h"

#include <algorithm>

#include "hypatia/grad/grad.h"
#include "hypatia/graph/shared.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/util/error.h"

namespace hypatia::distributed {
namespace {

// One parameter's signature: kind (0 dense, 1 csr, 2 csc), dtype, ndim, dims.
std::vector<int64_t> signature(const Var& p, const std::string& who, size_t i) {
  if (!p || !p->is_shared()) value_error("[", who, "] parameter #", i, " is not a shared variable");
  Value v = get_value(p, true);
  std::vector<int64_t> s;
  if (is_sparse(v)) {
    const SparseMatrix& m = as_sparse(v, who.c_str());
    s = {m.format() == SparseFormat::CSR ? 1 : 2, static_cast<int64_t>(m.dtype()), 2, m.rows(), m.cols()};
  } else {
    const NDArray& a = as_array(v, who.c_str());
    s = {0, static_cast<int64_t>(a.dtype()), a.ndim()};
    for (int64_t d : a.shape()) s.push_back(d);
  }
  return s;
}

std::string describe(const std::vector<int64_t>& s, size_t& pos) {
  const int64_t kind = s[pos], dt = s[pos + 1], nd = s[pos + 2];
  std::string shape = "(";
  for (int64_t k = 0; k < nd; ++k) shape += str_cat(k ? ", " : "", s[pos + 3 + k]);
  shape += nd == 1 ? ",)" : ")";
  pos += 3 + nd;
  const char* kinds[] = {"tensor", "csr matrix", "csc matrix"};
  return str_cat(shape, " ", dtype_name(static_cast<DType>(dt)), " ", kinds[std::clamp<int64_t>(kind, 0, 2)]);
}

NDArray pack(const std::vector<int64_t>& v) {
  NDArray a(DType::Int64, {static_cast<int64_t>(v.size())});
  std::copy(v.begin(), v.end(), a.data<int64_t>());
  return a;
}

/// root's array on every rank (lengths may differ before the call).
NDArray broadcast_array(const NDArray& mine, int root, const std::string& who) {
  NDArray n = pack({mine.size(), static_cast<int64_t>(mine.dtype())});
  broadcast(n, root, who);
  NDArray out = rank() == root ? mine.copy() : NDArray(static_cast<DType>(n.data<int64_t>()[1]), {n.data<int64_t>()[0]});
  broadcast(out, root, who);
  return out;
}

}  // namespace

void check_parameter_shapes(const std::vector<Var>& params, const std::string& who) {
  std::vector<int64_t> all{static_cast<int64_t>(params.size())};
  for (size_t i = 0; i < params.size(); ++i) {
    auto s = signature(params[i], who, i);
    all.insert(all.end(), s.begin(), s.end());
  }
  std::vector<NDArray> ranks = allgather(pack(all), who);
  std::vector<int64_t> ref(ranks[0].data<int64_t>(), ranks[0].data<int64_t>() + ranks[0].size());
  for (size_t r = 1; r < ranks.size(); ++r) {
    std::vector<int64_t> other(ranks[r].data<int64_t>(), ranks[r].data<int64_t>() + ranks[r].size());
    if (other == ref) continue;
    if (other[0] != ref[0])
      value_error("[", who, "] rank 0 trains ", ref[0], " parameters but rank ", r, " trains ", other[0],
                  ": every rank must build the same model");
    size_t pa = 1, pb = 1;
    for (int64_t i = 0; i < ref[0]; ++i) {
      std::string a = describe(ref, pa), b = describe(other, pb);
      if (a != b) {
        const std::string& name = params[i].name();
        value_error("[", who, "] parameter ", name.empty() ? "" : "'" + name + "' ", "(#", i, ") is a ", a,
                    " on rank 0 but a ", b, " on rank ", r, ": every rank must build the same model");
      }
    }
  }
}

void sync_parameters(const std::vector<Var>& params, const std::string& who) {
  check_parameter_shapes(params, who);
  if (size() == 1) return;
  for (const Var& p : params) {
    Value v = get_value(p, false);  // a copy: the broadcast writes into it
    if (is_sparse(v)) {
      const SparseMatrix& m = as_sparse(v, who.c_str());
      NDArray data = broadcast_array(m.data().contiguous(), 0, who);
      NDArray ind = broadcast_array(m.indices().contiguous(), 0, who);
      NDArray ptr = broadcast_array(m.indptr().contiguous(), 0, who);
      set_value(p, SparseMatrix(m.format(), m.rows(), m.cols(), data, ind, ptr), true);
    } else {
      NDArray a = as_array(v, who.c_str()).copy();
      broadcast(a, 0, who);
      set_value(p, a, true);
    }
  }
}

std::vector<int64_t> parameter_nbytes(const std::vector<Var>& params) {
  std::vector<int64_t> out;
  for (const Var& p : params) {
    if (!p || !p->is_shared()) {
      out.push_back(0);
      continue;
    }
    Value v = get_value(p, true);
    out.push_back(is_sparse(v) ? 0 : as_array(v).nbytes());
  }
  return out;
}

std::vector<Var> data_parallel_grads(const Var& cost, const std::vector<Var>& params, int64_t bucket_bytes,
                                     double dense_threshold) {
  return reduce_gradients(grad(cost, params), parameter_nbytes(params), ReduceOp::Mean, bucket_bytes, dense_threshold);
}

std::pair<int64_t, int64_t> row_range(int64_t n, int r, int p) {
  if (p < 1 || r < 0 || r >= p) value_error("[distributed.row_range] rank ", r, " is not in [0, ", p, ")");
  const int64_t base = n / p, extra = n % p;
  const int64_t begin = r * base + std::min<int64_t>(r, extra);
  return {begin, begin + base + (r < extra ? 1 : 0)};
}

SparseMatrix shard_rows(const SparseMatrix& x, int r, int p) {
  if (x.format() != SparseFormat::CSR)
    value_error("[distributed.shard_rows] expected a CSR matrix (rows are partitioned), got a CSC one");
  if (p < 0) p = size();
  if (r < 0) r = rank();
  auto [b, e] = row_range(x.rows(), r, p);
  const NDArray ptr = x.indptr().contiguous();
  const int64_t lo = index_at(ptr, b), hi = index_at(ptr, e);
  NDArray nptr(x.indptr().dtype(), {e - b + 1});
  for (int64_t i = b; i <= e; ++i) {
    const int64_t v = index_at(ptr, i) - lo;
    if (nptr.dtype() == DType::Int32) nptr.data<int32_t>()[i - b] = static_cast<int32_t>(v);
    else nptr.data<int64_t>()[i - b] = v;
  }
  return SparseMatrix(SparseFormat::CSR, e - b, x.cols(), x.data().slice(0, lo, hi, 1).copy(),
                      x.indices().slice(0, lo, hi, 1).copy(), nptr);
}

}  // namespace hypatia::distributed
