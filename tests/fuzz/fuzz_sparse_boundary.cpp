// libFuzzer target over the sparse boundary: CSR/CSC arrays decoded from bytes, validated, and
// (when valid) run through compiled sparse ops whose results are checked against a dense reference.
//
// Contract checked (any violation aborts, so libFuzzer records the input):
//   - SparseMatrix::validate() either accepts the arrays or raises hypatia::Error of kind
//     Value or Type; a compiled function given rejected arrays raises such an Error too;
//   - for accepted arrays every op below runs without raising, its sparse outputs validate, and
//     every output (shape, dtype, values) matches a plain dense reference computed here from the
//     same arrays with scipy's semantics (duplicates summed, data/indices past nnz ignored);
//     without rewrites, the sparse product and dense->CSR also give sorted indices and no
//     explicit zeros;
//   - the inputs are left unchanged by the call;
//   - sanitizers (ASan, UBSan) see no error (their reports abort as well).
//
// Input layout (a byte reader that yields 0 past the end, so every input decodes):
//   [flags] bit0 csc, bit1 float64, bit2 int64 indices, bit3 int64 indptr, bit4 unbounded shape
//           (raw 64-bit rows/cols: only validate runs), bit5 NaN/inf values, bit6 a malformed
//           array (2-d, 0-d, strided or missing), bit7 raw indptr (arbitrary, maybe decreasing)
//   [flags2] bit0 the function's dtype is the other float, bits1-3 a corruption kind
//   [rows] [cols]  (u8 % 33 each, or 8 bytes each with bit4)
//   [extra] bits0-1 entries past nnz in data and indices; bit2 their lengths differ
//   [malform] which array and how (with bit6)
//   indptr steps (or raw values), indices, data, the corruption's bytes,
//   r0 r1 (a row slice x[r0:r1]), then a second well-formed matrix y of the same shape.
// tests/fuzz/make_corpus.py writes seeds in this layout; README.md says how to fuzz longer.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "hypatia/hypatia.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/math.h"
#include "hypatia/sparse/products.h"
#include "hypatia/sparse/select.h"

using namespace hypatia;

namespace {

constexpr int64_t kMaxDim = 32;       // bounded shapes (0 included) for the inputs that run ops
constexpr int64_t kMaxEntries = 512;  // cap on decoded array lengths
constexpr int64_t kDenseCols = 3;     // columns of the dense right operand of structured_dot

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "\n==== fuzz_sparse_boundary finding: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

struct Reader {
  const uint8_t* p;
  size_t n, i = 0;
  uint8_t u8() { return i < n ? p[i++] : 0; }
  int8_t i8() { return static_cast<int8_t>(u8()); }
  uint64_t u64() {
    uint64_t v = 0;
    for (int b = 0; b < 8; ++b) v |= static_cast<uint64_t>(u8()) << (8 * b);
    return v;
  }
};

// Arrays over exactly-sized heap blocks (NDArray's own allocations round up to 64 bytes, which
// would hide small over-reads from ASan). new char[0] is a valid, non-null, unreadable block.
NDArray exact_array(DType dt, int64_t n) {
  const size_t nbytes = static_cast<size_t>(n) * itemsize(dt);
  std::shared_ptr<char[]> mem(new char[nbytes]);
  auto buf = Buffer::wrap(mem.get(), nbytes, std::shared_ptr<void>(mem, mem.get()));
  return NDArray(dt, {n}, {static_cast<int64_t>(itemsize(dt))}, 0, buf);
}

void set_index(NDArray& a, int64_t k, int64_t v) {
  if (a.dtype() == DType::Int32) a.data<int32_t>()[k] = static_cast<int32_t>(v);
  else a.data<int64_t>()[k] = v;
}
void set_value(NDArray& a, int64_t k, double v) {
  if (a.dtype() == DType::Float32) a.data<float>()[k] = static_cast<float>(v);
  else a.data<double>()[k] = v;
}
double get_value(const NDArray& a, int64_t k) {
  return a.dtype() == DType::Float32 ? a.data<float>()[k] : a.data<double>()[k];
}

double decode_value(Reader& r, bool specials) {
  const int8_t b = r.i8();
  if (specials && b == 127) return std::nan("");
  if (specials && b == -128) return INFINITY;
  if (specials && b == 126) return -INFINITY;
  return b / 4.0;  // quarter integers: exact in float32, so sums are exact too
}

// The malformed forms of one array: 2-d, 0-d, every other element (non-contiguous), missing.
NDArray malform(const NDArray& a, int how) {
  switch (how) {
    case 0: return NDArray(a.dtype(), {a.size(), 1}, {itemsize(a.dtype()), itemsize(a.dtype())}, 0, a.buffer());
    case 1: return a.size() > 0 ? NDArray(a.dtype(), {}, {}, 0, a.buffer()) : a;
    case 2: {
      NDArray wide = exact_array(a.dtype(), 2 * a.size());
      std::memset(wide.raw(), 0, wide.nbytes());
      return NDArray(a.dtype(), {a.size()}, {2 * itemsize(a.dtype())}, 0, wide.buffer());
    }
    default: return NDArray();
  }
}

// A well-formed (unsorted, duplicated, explicit zeros allowed) matrix of the given shape.
SparseMatrix decode_wellformed(Reader& r, SparseFormat f, DType dt, int64_t rows, int64_t cols) {
  const int64_t outer = f == SparseFormat::CSR ? rows : cols, inner = f == SparseFormat::CSR ? cols : rows;
  NDArray ptr = exact_array(DType::Int32, outer + 1);
  std::vector<int64_t> steps(outer);
  int64_t n = 0;
  for (int64_t o = 0; o < outer; ++o) n += steps[o] = inner > 0 ? r.u8() % 4 : 0;
  NDArray idx = exact_array(DType::Int32, n), data = exact_array(dt, n);
  int64_t k = 0;
  set_index(ptr, 0, 0);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t s = 0; s < steps[o]; ++s, ++k) {
      set_index(idx, k, r.u8() % inner);
      set_value(data, k, decode_value(r, false));
    }
    set_index(ptr, o + 1, k);
  }
  return SparseMatrix(f, rows, cols, data, idx, ptr);
}

struct Decoded {
  SparseMatrix x, y;
  DType fdtype;        // the compiled function's dtype
  bool bounded;        // small shape: the ops run when x validates
  int64_t r0 = 0, r1 = 0;
};

Decoded decode(const uint8_t* bytes, size_t size) {
  Reader r{bytes, size};
  const uint8_t fl = r.u8(), fl2 = r.u8();
  const SparseFormat f = fl & 1 ? SparseFormat::CSC : SparseFormat::CSR;
  const DType dt = fl & 2 ? DType::Float64 : DType::Float32;
  const DType idt = fl & 4 ? DType::Int64 : DType::Int32, pdt = fl & 8 ? DType::Int64 : DType::Int32;
  const bool wild = fl & 16, specials = fl & 32, malformed = fl & 64, raw_ptr = fl & 128;
  const int corruption = (fl2 >> 1) & 7;
  Decoded d;
  d.fdtype = fl2 & 1 ? (dt == DType::Float32 ? DType::Float64 : DType::Float32) : dt;
  int64_t rows, cols;
  if (wild) {
    rows = static_cast<int64_t>(r.u64());
    cols = static_cast<int64_t>(r.u64());
  } else {
    rows = r.u8() % (kMaxDim + 1);
    cols = r.u8() % (kMaxDim + 1);
  }
  d.bounded = !wild;
  const uint8_t extra = r.u8(), how = r.u8();
  const int64_t outer = f == SparseFormat::CSR ? rows : cols, inner = f == SparseFormat::CSR ? cols : rows;
  const int64_t ptr_len = outer >= 0 && outer < kMaxDim + 1 ? outer + 1 : r.u8() % (kMaxDim + 2);
  NDArray ptr = exact_array(pdt, ptr_len);
  int64_t acc = 0;
  for (int64_t o = 0; o < ptr_len; ++o) {
    if (raw_ptr) acc = r.i8();
    else if (o > 0) acc += r.u8() % 6;
    set_index(ptr, o, acc);
  }
  const int64_t nnz = ptr_len > 0 ? std::clamp<int64_t>(index_at(ptr, ptr_len - 1), 0, kMaxEntries) : 0;
  const int64_t n_data = nnz + (extra & 3), n_idx = n_data + (extra & 4 ? 1 : 0);
  NDArray idx = exact_array(idt, n_idx), data = exact_array(dt, n_data);
  for (int64_t k = 0; k < n_idx; ++k) {
    const uint8_t b = r.u8();
    set_index(idx, k, inner > 0 ? static_cast<int64_t>(b % std::min<int64_t>(inner, 256)) : b);
  }
  for (int64_t k = 0; k < n_data; ++k) set_value(data, k, decode_value(r, specials));
  switch (corruption) {
    case 3:  // one indptr entry set to a raw value
      if (ptr_len > 0) set_index(ptr, r.u8() % ptr_len, r.i8());
      break;
    case 4:  // one index set to a raw 64-bit value (out of range, negative, or truncated to int32)
      if (n_idx > 0) set_index(idx, r.u8() % n_idx, static_cast<int64_t>(r.u64()));
      break;
    case 5:  // indptr one short
      if (ptr_len > 0) ptr = NDArray(ptr.dtype(), {ptr_len - 1}, ptr.strides(), 0, ptr.buffer());
      break;
    case 6:  // indptr[0] != 0
      if (ptr_len > 0) set_index(ptr, 0, r.i8() | 1);
      break;
    case 7:  // indptr[-1] huge (past the arrays, or overflowing int32 when truncated)
      if (ptr_len > 0) set_index(ptr, ptr_len - 1, static_cast<int64_t>(r.u64()));
      break;
    default: break;
  }
  if (malformed) {
    NDArray* arrays[3] = {&data, &idx, &ptr};
    NDArray& a = *arrays[how % 3];
    a = malform(a, (how / 3) % 4);
  }
  d.x = SparseMatrix(f, rows, cols, data, idx, ptr);
  d.r0 = r.i8();
  d.r1 = r.i8();
  if (d.bounded) d.y = decode_wellformed(r, f, d.fdtype, rows, cols);
  return d;
}

// ---- the dense reference (doubles, with the magnitude of each value's terms for tolerances) ----
struct Dense {
  int64_t rows = 0, cols = 0;
  std::vector<double> v, mag;
  Dense(int64_t r, int64_t c) : rows(r), cols(c), v(r * c, 0.0), mag(r * c, 0.0) {}
  void add(int64_t i, int64_t j, double x) {
    v[i * cols + j] += x;
    mag[i * cols + j] += std::fabs(x);
  }
};

// Stored entries (row, col, value) in data order, k < nnz, with value mapped by f.
template <class F>
Dense reference_of(const SparseMatrix& m, F&& f) {
  Dense d(m.rows(), m.cols());
  const bool csr = m.format() == SparseFormat::CSR;
  for (int64_t o = 0; o < m.outer_size(); ++o)
    for (int64_t k = index_at(m.indptr(), o); k < index_at(m.indptr(), o + 1); ++k) {
      const int64_t in = index_at(m.indices(), k);
      d.add(csr ? o : in, csr ? in : o, f(get_value(m.data(), k)));
    }
  return d;
}
Dense reference_of(const SparseMatrix& m) { return reference_of(m, [](double v) { return v; }); }

double dense_operand(int which, int64_t i, int64_t j) {  // small exact values, zeros included
  return static_cast<double>(((i * (5 + which) + j * 3 + which) % 7) - 3) / 2.0;
}

struct Checker {
  DType dtype;
  bool compare_values;
  const char* mode;
  int output = 0;
  [[noreturn]] void fail(const std::string& what) const {
    finding(str_cat("output ", output, " (", mode, ", ", dtype_name(dtype), "): ", what));
  }
  void values(const Dense& want, const std::vector<double>& got) const {
    if (!compare_values) return;
    const double eps = dtype == DType::Float32 ? 1e-5 : 1e-12;
    for (size_t k = 0; k < got.size(); ++k)
      if (!(std::fabs(got[k] - want.v[k]) <= eps * (1.0 + want.mag[k])))
        fail(str_cat("value mismatch at flat position ", k, ": got ", got[k], ", want ", want.v[k]));
  }
  void dense(const Value& v, const Dense& want, Shape shape) const {
    if (!is_array(v)) fail("expected a dense array, got " + value_repr(v));
    const NDArray& a = std::get<NDArray>(v);
    if (a.shape() != shape) fail(str_cat("shape ", shape_str(a.shape()), ", want ", shape_str(shape)));
    if (a.dtype() != dtype) fail(str_cat("dtype ", dtype_name(a.dtype())));
    NDArray c = a.astype(DType::Float64);
    values(want, std::vector<double>(c.data<double>(), c.data<double>() + c.size()));
  }
  // A sparse output: valid arrays, the expected shape/dtype (and format when given), values.
  void sparse(const Value& v, const Dense& want, std::optional<SparseFormat> format = std::nullopt,
              bool sorted = false, bool no_zeros = false) const {
    if (!is_sparse(v)) fail("expected a sparse matrix, got " + value_repr(v));
    const SparseMatrix& m = std::get<SparseMatrix>(v);
    try {
      m.validate("fuzz output");
    } catch (const Error& e) {
      fail(str_cat("invalid sparse output: ", e.what()));
    }
    if (m.rows() != want.rows || m.cols() != want.cols)
      fail(str_cat("shape (", m.rows(), ", ", m.cols(), "), want (", want.rows, ", ", want.cols, ")"));
    if (m.dtype() != dtype) fail(str_cat("dtype ", dtype_name(m.dtype())));
    if (format && m.format() != *format) fail(str_cat("format ", format_name(m.format())));
    if (sorted && !sparse_kernels::has_sorted_indices(m)) fail("indices not sorted");
    if (no_zeros && sparse_kernels::has_explicit_zeros(m)) fail("explicit zeros left");
    values(want, reference_of(m).v);
  }
};

// One compiled function per (format, dtype, mode), built on first use.
FunctionPtr compiled(SparseFormat fmt, DType dt, const std::string& mode) {
  static std::map<std::tuple<SparseFormat, DType, std::string>, FunctionPtr> cache;
  FunctionPtr& f = cache[{fmt, dt, mode}];
  if (f) return f;
  const SparseFormat other = fmt == SparseFormat::CSR ? SparseFormat::CSC : SparseFormat::CSR;
  Var x = sparse::matrix(fmt, "x", dt), y = sparse::matrix(fmt, "y", dt);
  Var yd = matrix(dt, "yd"), z = matrix(dt, "z"), sc = vector(dt, "sc"), sr = vector(dt, "sr");
  Var r0 = scalar(DType::Int64, "r0"), r1 = scalar(DType::Int64, "r1");
  std::vector<Out> outs = {
      sparse::dense_from_sparse(x),                                      // 0
      sparse::sp_sum(x),                                                 // 1
      sparse::sp_sum(x, 0),                                              // 2
      sparse::sp_sum(x, 1),                                              // 3
      sparse::structured_dot(x, yd),                                     // 4
      sparse::dot(x, sparse::transpose(y)),                              // 5 (dense, as Theano)
      sparse::as_format(x, other),                                       // 6
      sparse::transpose(x),                                              // 7
      sparse::add(x, y),                                                 // 8
      sparse::mul(x, z),                                                 // 9
      sparse::ensure_sorted_indices(x),                                  // 10
      sparse::get_item_2d(x, {IndexEntry::slice(SliceBound(r0), SliceBound(r1))}),  // 11
      sparse::sp_ones_like(x),                                           // 12
      sparse::col_scale(x, sc),                                          // 13
      sparse::row_scale(x, sr),                                          // 14
      sparse::sqr(x),                                                    // 15
      sparse::mul_s_s(x, y),                                             // 16
      sparse::remove0(x),                                                // 17
      sparse::add(x, z),                                                 // 18
      sparse::neg(x),                                                    // 19
      sparse::structured_dot(x, sparse::transpose(y)),                  // 20
      sparse::csr_from_dense(sparse::dense_from_sparse(x)),              // 21
  };
  FunctionOptions o;
  set_mode(o, mode);
  f = function({x, y, yd, z, sc, sr, r0, r1}, outs, o);
  return f;
}

NDArray dense_input(DType dt, Shape shape, int which) {
  NDArray a = NDArray::zeros(DType::Float64, shape);
  const int64_t rows = shape[0], cols = shape.size() > 1 ? shape[1] : 1;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) a.data<double>()[i * cols + j] = dense_operand(which, i, j);
  return a.astype(dt);
}

// Python's slice x[r0:r1] on an axis of length n (step 1).
std::pair<int64_t, int64_t> py_slice(int64_t r0, int64_t r1, int64_t n) {
  auto norm = [n](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + n : v, 0, n); };
  const int64_t a = norm(r0), b = norm(r1);
  return {a, std::max(a, b)};
}

std::vector<uint8_t> bytes_of(const NDArray& a) {  // a valid input's array: 1-d, contiguous
  auto* p = static_cast<const uint8_t*>(a.raw());
  return std::vector<uint8_t>(p, p + a.nbytes());
}

void run_ops(const Decoded& d, const std::string& mode) {
  const SparseMatrix& x = d.x;
  const DType dt = d.fdtype;
  const int64_t rows = x.rows(), cols = x.cols();
  const SparseFormat other = x.format() == SparseFormat::CSR ? SparseFormat::CSC : SparseFormat::CSR;
  std::vector<Value> args = {x, d.y, dense_input(dt, {cols, kDenseCols}, 0), dense_input(dt, {rows, cols}, 1),
                             dense_input(dt, {cols}, 2), dense_input(dt, {rows}, 3),
                             NDArray::scalar<int64_t>(d.r0), NDArray::scalar<int64_t>(d.r1)};
  const auto before = std::make_tuple(bytes_of(x.data()), bytes_of(x.indices()), bytes_of(x.indptr()));
  std::vector<Value> out;
  try {
    out = (*compiled(x.format(), dt, mode))(args);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Type && dt != x.dtype()) return;  // a refused downcast
    finding(str_cat("a valid input raised (", mode, "): ", e.what()));
  }
  if (std::make_tuple(bytes_of(x.data()), bytes_of(x.indices()), bytes_of(x.indptr())) != before)
    finding("the call modified its sparse input");

  bool finite = true;
  for (int64_t k = 0; k < x.nnz(); ++k) finite = finite && std::isfinite(get_value(x.data(), k));
  Checker c{dt, finite, mode.c_str()};
  const Dense D = reference_of(x), E = reference_of(d.y);
  auto map = [&](auto&& f) {  // a new Dense of D's shape from f(i, j, value, magnitude)
    Dense o(rows, cols);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) f(o, i, j, D.v[i * cols + j], D.mag[i * cols + j]);
    return o;
  };
  c.output = 0;
  c.dense(out[0], D, {rows, cols});
  Dense all(1, 1), col(1, cols), row(rows, 1);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      const double v = D.v[i * cols + j], m = D.mag[i * cols + j];
      all.v[0] += v, all.mag[0] += m, col.v[j] += v, col.mag[j] += m, row.v[i] += v, row.mag[i] += m;
    }
  c.output = 1;
  c.dense(out[1], all, {});
  c.output = 2;
  c.dense(out[2], col, {cols});
  c.output = 3;
  c.dense(out[3], row, {rows});
  Dense prod(rows, kDenseCols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      for (int64_t t = 0; t < kDenseCols; ++t) {
        const double b = dense_operand(0, j, t);
        prod.v[i * kDenseCols + t] += D.v[i * cols + j] * b;
        prod.mag[i * kDenseCols + t] += D.mag[i * cols + j] * std::fabs(b);
      }
  c.output = 4;
  c.dense(out[4], prod, {rows, kDenseCols});
  Dense xyt(rows, rows);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < rows; ++j)
      for (int64_t t = 0; t < cols; ++t) {
        xyt.v[i * rows + j] += D.v[i * cols + t] * E.v[j * cols + t];
        xyt.mag[i * rows + j] += D.mag[i * cols + t] * E.mag[j * cols + t];
      }
  c.output = 5;
  c.dense(out[5], xyt, {rows, rows});
  c.output = 6;
  c.sparse(out[6], D, other);
  Dense t(cols, rows);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) t.v[j * rows + i] = D.v[i * cols + j], t.mag[j * rows + i] = D.mag[i * cols + j];
  c.output = 7;
  c.sparse(out[7], t, other);
  Dense sum = map([&](Dense& o, int64_t i, int64_t j, double v, double m) {
    o.v[i * cols + j] = v + E.v[i * cols + j], o.mag[i * cols + j] = m + E.mag[i * cols + j];
  });
  c.output = 8;
  c.sparse(out[8], sum);
  auto scaled = [&](auto&& s) {
    return map([&](Dense& o, int64_t i, int64_t j, double v, double m) {
      o.v[i * cols + j] = v * s(i, j), o.mag[i * cols + j] = m * std::fabs(s(i, j));
    });
  };
  c.output = 9;
  c.sparse(out[9], scaled([](int64_t i, int64_t j) { return dense_operand(1, i, j); }));
  c.output = 10;
  c.sparse(out[10], D, x.format(), /*sorted=*/true);
  const auto [a, b] = py_slice(d.r0, d.r1, rows);
  Dense sl(b - a, cols);
  for (int64_t i = a; i < b; ++i)
    for (int64_t j = 0; j < cols; ++j) sl.v[(i - a) * cols + j] = D.v[i * cols + j], sl.mag[(i - a) * cols + j] = D.mag[i * cols + j];
  c.output = 11;
  c.sparse(out[11], sl);
  c.output = 12;
  c.sparse(out[12], reference_of(x, [](double) { return 1.0; }), x.format());
  c.output = 13;
  c.sparse(out[13], scaled([](int64_t, int64_t j) { return dense_operand(2, j, 0); }));
  c.output = 14;
  c.sparse(out[14], scaled([](int64_t i, int64_t) { return dense_operand(3, i, 0); }));
  c.output = 15;
  c.sparse(out[15], reference_of(x, [](double v) { return v * v; }), x.format());
  Dense had = map([&](Dense& o, int64_t i, int64_t j, double v, double m) {
    o.v[i * cols + j] = v * E.v[i * cols + j], o.mag[i * cols + j] = m * E.mag[i * cols + j];
  });
  c.output = 16;
  c.sparse(out[16], had);
  c.output = 17;
  c.sparse(out[17], D, x.format(), false, /*no_zeros=*/true);
  Dense plus = map([&](Dense& o, int64_t i, int64_t j, double v, double m) {
    const double zv = dense_operand(1, i, j);
    o.v[i * cols + j] = v + zv, o.mag[i * cols + j] = m + std::fabs(zv);
  });
  c.output = 18;
  c.dense(out[18], plus, {rows, cols});
  c.output = 19;
  c.sparse(out[19], scaled([](int64_t, int64_t) { return -1.0; }), x.format());
  // The ops' own kernels promise canonical results: the sparse product's columns sorted with
  // exact-zero sums dropped, and dense->CSR keeping exactly the x != 0 entries (NaN kept).
  const bool own = mode == "None";
  c.output = 20;
  c.sparse(out[20], xyt, x.format(), own, own);
  c.output = 21;
  c.sparse(out[21], D, SparseFormat::CSR, own, own);
}

bool acceptable(const Error& e) { return e.kind() == ErrorKind::Value || e.kind() == ErrorKind::Type; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const Decoded d = decode(bytes, size);
  bool valid = true;
  try {
    d.x.validate();
  } catch (const Error& e) {
    if (!acceptable(e)) finding(str_cat("validate raised an Error of another kind: ", e.what()));
    valid = false;
  }
  if (!d.bounded) return 0;  // unbounded shapes: validate only (the ops would just run out of memory)
  if (valid) {
    run_ops(d, "FAST_RUN");
    run_ops(d, "None");  // no rewrites: every op's own kernel
    return 0;
  }
  // Rejected arrays must be rejected by a compiled function too, with the same kinds of error.
  try {
    const DType dt = d.fdtype;
    (*compiled(d.x.format(), dt, "FAST_RUN"))(
        {d.x, d.y, NDArray::zeros(dt, {d.x.cols(), kDenseCols}), NDArray::zeros(dt, {d.x.rows(), d.x.cols()}),
         NDArray::zeros(dt, {d.x.cols()}), NDArray::zeros(dt, {d.x.rows()}), NDArray::scalar<int64_t>(0),
         NDArray::scalar<int64_t>(0)});
  } catch (const Error& e) {
    if (!acceptable(e)) finding(str_cat("a compiled function raised an Error of another kind: ", e.what()));
    return 0;
  }
  finding("a compiled function accepted arrays that validate() rejects");
}
