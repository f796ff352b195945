// NDArray: allocation, views, copies with casting, and numpy-style comparison and printing.
#include "hypatia/value/ndarray.h"

#include <unordered_map>

#include "hypatia/value/buffer_cache.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <numeric>
#include <sstream>

#include <sys/mman.h>

namespace hypatia {

namespace {
// Freed large blocks kept for the next allocation of the same size: a function called in a
// loop gets its big temporaries back with their pages already mapped, instead of an munmap
// and a page fault per 4 KiB on every call (glibc hands blocks over 32 MiB straight back to
// the kernel). Bounded in bytes; shared by all threads under one mutex (only blocks of at
// least kMinCached bytes come here, so the lock is rare next to the work on such a block).
struct BigBlockCache {
  static constexpr size_t kMinCached = size_t(1) << 20;
  std::mutex mu;
  std::vector<std::pair<size_t, void*>> blocks;  // (capacity, memory), oldest first
  std::unordered_map<void*, size_t> live;         // big aligned blocks in use -> capacity
  size_t bytes = 0;
  size_t limit = size_t(256) << 20;

  // A block of `cap` bytes (64-aligned): a cached one, else a new one; null when none can be had.
  void* allocate(size_t cap) {
    if (cap < kMinCached) return std::aligned_alloc(64, cap);
    std::lock_guard<std::mutex> lock(mu);
    void* p = nullptr;
    for (size_t i = blocks.size(); i-- > 0 && !p;)
      if (blocks[i].first == cap) {
        p = blocks[i].second;
        blocks.erase(blocks.begin() + static_cast<std::ptrdiff_t>(i));
        bytes -= cap;
      }
    if (!p) p = std::aligned_alloc(64, cap);
    if (p) live.emplace(p, cap);
    return p;
  }
  // Frees an owned block, keeping it when it came from allocate() and fits under the limit.
  void release(size_t nbytes, void* p) {
    if (nbytes >= kMinCached - 63) {
      std::lock_guard<std::mutex> lock(mu);
      auto it = live.find(p);
      const size_t cap = it == live.end() ? 0 : it->second;
      if (it != live.end()) live.erase(it);
      if (cap && cap <= limit) {
        while (bytes + cap > limit && !blocks.empty()) {
          std::free(blocks.front().second);
          bytes -= blocks.front().first;
          blocks.erase(blocks.begin());
        }
        blocks.emplace_back(cap, p);
        bytes += cap;
        return;
      }
    }
    std::free(p);
  }
  void set_limit(size_t n) {
    std::lock_guard<std::mutex> lock(mu);
    limit = n;
    while (bytes > limit && !blocks.empty()) {
      std::free(blocks.front().second);
      bytes -= blocks.front().first;
      blocks.erase(blocks.begin());
    }
  }
};
// Never destroyed: buffers may be released during static destruction.
BigBlockCache& big_cache() {
  static BigBlockCache* c = new BigBlockCache();
  return *c;
}
}  // namespace

void set_buffer_cache_limit(size_t nbytes) { big_cache().set_limit(nbytes); }

size_t buffer_cache_bytes() {
  BigBlockCache& c = big_cache();
  std::lock_guard<std::mutex> lock(c.mu);
  return c.bytes;
}

std::shared_ptr<Buffer> Buffer::try_allocate(size_t nbytes, bool zeroed) {
  void* p = nullptr;
  if (zeroed) {
    p = std::calloc(std::max<size_t>(nbytes, 1), 1);
  } else if (nbytes <= 256) {
    // Small arrays (scalars, short vectors: per-call results) take plain malloc, 16-byte
    // aligned; glibc's memalign splits and frees chunks, several times the cost of a malloc.
    p = std::malloc(std::max<size_t>(nbytes, 1));
  } else if (nbytes <= SIZE_MAX - 63) {
    // 64-byte alignment suits SIMD loads and BLAS; aligned_alloc needs a multiple of the alignment.
    p = big_cache().allocate(std::max<size_t>(64, (nbytes + 63) / 64 * 64));
  }
  if (!p) return nullptr;
  // Large buffers ask for transparent huge pages, as numpy does (its hugepage madvise): with
  // THP in "madvise" mode a fresh 4 KiB page costs a fault each, and a kernel that writes a
  // 100 MB result spends as long in faults as in its loop. Advice only: failure is ignored.
  if (nbytes >= (size_t{4} << 20)) {
    const uintptr_t page = 4096, lo = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1),
                    hi = (reinterpret_cast<uintptr_t>(p) + nbytes) & ~(page - 1);
    if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
  }
  // One allocation for the Buffer and its shared count (make_shared through a local class,
  // which may use the private constructor as this member function may).
  struct Made : Buffer {
    Made() : Buffer() {}
  };
  std::shared_ptr<Buffer> b = std::make_shared<Made>();
  b->data_ = p;
  b->nbytes_ = nbytes;
  b->owned_ = true;
  return b;
}

std::shared_ptr<Buffer> Buffer::allocate(size_t nbytes) {
  auto b = try_allocate(nbytes, false);
  if (!b) memory_error("[NDArray] unable to allocate ", bytes_str(static_cast<long double>(nbytes)));
  return b;
}

std::shared_ptr<Buffer> Buffer::allocate_zeroed(size_t nbytes) {
  auto b = try_allocate(nbytes, true);
  if (!b) memory_error("[NDArray] unable to allocate ", bytes_str(static_cast<long double>(nbytes)));
  return b;
}

namespace {
// The buffer of a new C-contiguous array: every size checked (ValueError when the element count
// overflows, MemoryError when the bytes cannot be allocated), the message naming shape and dtype.
std::shared_ptr<Buffer> allocate_array(DType dtype, const Shape& shape, bool zeroed) {
  const int64_t n = NDArray::checked_size(shape);
  const size_t nbytes = checked_nbytes(n, itemsize(dtype), shape, dtype_name(dtype), "NDArray");
  auto b = Buffer::try_allocate(nbytes, zeroed);
  if (!b)
    memory_error("[NDArray] unable to allocate ", bytes_str(static_cast<long double>(nbytes)),
                 " for an array with shape ", shape_str(shape), " and data type ", dtype_name(dtype));
  return b;
}
}  // namespace

std::shared_ptr<Buffer> Buffer::wrap(void* data, size_t nbytes, std::shared_ptr<void> keepalive) {
  std::shared_ptr<Buffer> b = wrap(data, nbytes, nullptr, nullptr);
  b->keepalive_ = std::move(keepalive);
  return b;
}

std::shared_ptr<Buffer> Buffer::wrap(void* data, size_t nbytes, void* owner, void (*release)(void*)) {
  struct Made : Buffer {  // one allocation with the shared count, as in try_allocate
    Made() : Buffer() {}
  };
  std::shared_ptr<Buffer> b = std::make_shared<Made>();
  b->data_ = data;
  b->nbytes_ = nbytes;
  b->owned_ = false;
  b->owner_ = owner;
  b->release_ = release;
  return b;
}

Buffer::~Buffer() {
  if (owned_) big_cache().release(nbytes_, data_);  // big aligned blocks may be kept for reuse
  if (release_) release_(owner_);
}

Shape NDArray::c_strides(const Shape& shape, int isz) {
  Shape st(shape.size());
  int64_t acc = isz;
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
    st[i] = acc;
    // Only an empty array (a 0 among the other dimensions) can overflow here, and its strides
    // are never used to address memory: saturate instead of overflowing.
    if (i > 0 && __builtin_mul_overflow(acc, std::max<int64_t>(shape[i], 1), &acc)) acc = INT64_MAX;
  }
  return st;
}

int64_t NDArray::checked_size(const Shape& shape, const std::string& op) { return checked_elements(shape, op); }

NDArray::NDArray(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  buffer_ = allocate_array(dtype, shape_, false);
  strides_ = c_strides(shape_, itemsize(dtype));
}

NDArray::NDArray(DType dtype, Shape shape, std::vector<int64_t> strides, int64_t offset,
                 std::shared_ptr<Buffer> buffer)
    : dtype_(dtype), shape_(std::move(shape)), strides_(std::move(strides)), offset_(offset),
      buffer_(std::move(buffer)) {
  HYPATIA_ASSERT(shape_.size() == strides_.size());
}

NDArray NDArray::zeros(DType dtype, Shape shape) {
  auto buf = allocate_array(dtype, shape, true);
  Shape strides = c_strides(shape, itemsize(dtype));
  return NDArray(dtype, std::move(shape), std::move(strides), 0, std::move(buf));
}

NDArray NDArray::full(DType dtype, Shape shape, double value) {
  NDArray a(dtype, std::move(shape));
  a.fill(value);
  return a;
}

NDArray NDArray::full_complex(DType dtype, Shape shape, complex128 value) {
  NDArray a(dtype, std::move(shape));
  dispatch_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    T v = scalar_cast<T>(value);
    std::fill(a.data<T>(), a.data<T>() + a.size(), v);
  });
  return a;
}

void NDArray::fill(double value) {
  dispatch_dtype(dtype_, [&](auto tag) {
    using T = decltype(tag);
    T v = scalar_cast<T>(value);
    char* base = static_cast<char*>(raw());
    strided_for_each<1>(shape_, {strides_.data()},
                        [&](int64_t o) { *reinterpret_cast<T*>(base + o) = v; });
  });
}

int64_t NDArray::size() const {
  int64_t n = 1;
  for (int64_t d : shape_) n *= d;
  return n;
}

bool NDArray::is_c_contiguous() const {
  int64_t acc = itemsize(dtype_);
  for (int i = ndim() - 1; i >= 0; --i) {
    if (shape_[i] == 1) continue;
    if (shape_[i] == 0) return true;
    if (strides_[i] != acc) return false;
    acc *= shape_[i];
  }
  return true;
}

bool NDArray::is_f_contiguous() const {
  int64_t acc = itemsize(dtype_);
  for (int i = 0; i < ndim(); ++i) {
    if (shape_[i] == 1) continue;
    if (shape_[i] == 0) return true;
    if (strides_[i] != acc) return false;
    acc *= shape_[i];
  }
  return true;
}

namespace {
// Byte range [lo, hi) touched by an array inside its buffer.
std::pair<int64_t, int64_t> byte_extent(const NDArray& a) {
  int64_t lo = a.offset(), hi = a.offset();
  if (a.size() == 0) return {lo, lo};
  for (int i = 0; i < a.ndim(); ++i) {
    int64_t span = a.strides()[i] * (a.shape(i) - 1);
    if (span < 0) lo += span; else hi += span;
  }
  return {lo, hi + itemsize(a.dtype())};
}
}  // namespace

bool NDArray::may_share_memory(const NDArray& other) const {
  if (!defined() || !other.defined()) return false;
  // Two distinct allocations of our own never overlap (checked on every output of every call).
  if (buffer_ != other.buffer_ && buffer_->owned() && other.buffer_->owned()) return false;
  if (buffer_->data() != other.buffer_->data()) {
    // Two Buffer objects may wrap the same foreign memory: compare raw address ranges.
    auto [a0, a1] = byte_extent(*this);
    auto [b0, b1] = byte_extent(other);
    auto pa = reinterpret_cast<intptr_t>(buffer_->data()), pb = reinterpret_cast<intptr_t>(other.buffer_->data());
    return pa + a0 < pb + b1 && pb + b0 < pa + a1;
  }
  auto [a0, a1] = byte_extent(*this);
  auto [b0, b1] = byte_extent(other);
  return a0 < b1 && b0 < a1;
}

NDArray NDArray::transpose(const std::vector<int>& perm) const {
  if (static_cast<int>(perm.size()) != ndim())
    value_error("[transpose] axes don't match array: got ", perm.size(), " axes for ", ndim(), " dimensions");
  Shape sh(ndim()), st(ndim());
  std::vector<bool> seen(ndim(), false);
  for (int i = 0; i < ndim(); ++i) {
    int p = perm[i];
    if (p < 0 || p >= ndim() || seen[p]) value_error("[transpose] invalid permutation");
    seen[p] = true;
    sh[i] = shape_[p];
    st[i] = strides_[p];
  }
  return NDArray(dtype_, sh, st, offset_, buffer_);
}

NDArray NDArray::transpose() const {
  std::vector<int> perm(ndim());
  for (int i = 0; i < ndim(); ++i) perm[i] = ndim() - 1 - i;
  return transpose(perm);
}

NDArray NDArray::slice(int axis, int64_t start, int64_t stop, int64_t step) const {
  HYPATIA_ASSERT(step != 0);
  int64_t n = 0;
  if (step > 0 && stop > start) n = (stop - start + step - 1) / step;
  if (step < 0 && stop < start) n = (start - stop - step - 1) / (-step);
  Shape sh = shape_;
  std::vector<int64_t> st = strides_;
  sh[axis] = n;
  st[axis] = strides_[axis] * step;
  int64_t off = offset_ + (n > 0 ? start * strides_[axis] : 0);
  return NDArray(dtype_, sh, st, off, buffer_);
}

NDArray NDArray::index(int axis, int64_t i) const {
  if (i < 0) i += shape_[axis];
  if (i < 0 || i >= shape_[axis])
    raise(ErrorKind::Index, "[index] index ", i, " is out of bounds for axis ", axis, " with size ", shape_[axis]);
  Shape sh = shape_;
  std::vector<int64_t> st = strides_;
  sh.erase(sh.begin() + axis);
  st.erase(st.begin() + axis);
  return NDArray(dtype_, sh, st, offset_ + i * strides_[axis], buffer_);
}

NDArray NDArray::reshape(const Shape& new_shape) const {
  // Checked: a wrapped-around product could otherwise "match" the size of a small array.
  const int64_t n = checked_size(new_shape, "reshape");
  if (n != size())
    value_error("[reshape] cannot reshape array of size ", size(), " into shape ", shape_str(new_shape));
  if (is_c_contiguous())
    return NDArray(dtype_, new_shape, c_strides(new_shape, itemsize(dtype_)), offset_, buffer_);
  NDArray c = copy();
  return NDArray(dtype_, new_shape, c_strides(new_shape, itemsize(dtype_)), 0, c.buffer_);
}

NDArray NDArray::dimshuffle(const std::vector<int>& pattern) const {
  Shape sh;
  std::vector<int64_t> st;
  std::vector<bool> used(ndim(), false);
  for (int p : pattern) {
    if (p < 0) {
      sh.push_back(1);
      st.push_back(0);
    } else {
      sh.push_back(shape_[p]);
      st.push_back(strides_[p]);
      used[p] = true;
    }
  }
  for (int i = 0; i < ndim(); ++i)
    if (!used[i] && shape_[i] != 1)
      value_error("[DimShuffle] cannot drop axis ", i, " of length ", shape_[i], " (only length-1 axes can be dropped)");
  return NDArray(dtype_, sh, st, offset_, buffer_);
}

NDArray NDArray::broadcast_to(const Shape& shape) const {
  int nd = static_cast<int>(shape.size());
  if (nd < ndim()) value_error("[broadcast] cannot broadcast ", shape_str(shape_), " to ", shape_str(shape));
  std::vector<int64_t> st(nd, 0);
  for (int i = 0; i < ndim(); ++i) {
    int j = nd - ndim() + i;
    if (shape_[i] == shape[j]) st[j] = strides_[i];
    else if (shape_[i] == 1) st[j] = 0;
    else value_error("[broadcast] cannot broadcast ", shape_str(shape_), " to ", shape_str(shape));
  }
  return NDArray(dtype_, shape, st, offset_, buffer_);
}

NDArray NDArray::copy() const { return astype(dtype_); }

NDArray NDArray::astype(DType dtype) const {
  NDArray out(dtype, shape_);
  out.assign(*this);
  return out;
}

void NDArray::assign(const NDArray& src) {
  NDArray s = src.shape_ == shape_ ? src : src.broadcast_to(shape_);
  if (s.dtype_ == dtype_ && s.is_c_contiguous() && is_c_contiguous()) {
    std::memmove(raw(), s.raw(), static_cast<size_t>(nbytes()));
    return;
  }
  dispatch_dtype(dtype_, [&](auto dtag) {
    using D = decltype(dtag);
    dispatch_dtype(s.dtype_, [&](auto stag) {
      using S = decltype(stag);
      char* d = static_cast<char*>(raw());
      const char* p = static_cast<const char*>(s.raw());
      strided_for_each<2>(shape_, {strides_.data(), s.strides_.data()}, [&](int64_t od, int64_t os) {
        *reinterpret_cast<D*>(d + od) = scalar_cast<D>(*reinterpret_cast<const S*>(p + os));
      });
    });
  });
}

std::string shape_str(const Shape& s) {
  std::ostringstream os;
  os << "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) os << ", ";
    os << s[i];
  }
  if (s.size() == 1) os << ",";
  os << ")";
  return os.str();
}

namespace {
template <class T>
void print_elem(std::ostream& os, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    os << (v ? "True" : "False");
  } else if constexpr (std::is_same_v<T, complex64> || std::is_same_v<T, complex128>) {
    os << "(" << v.real() << (v.imag() < 0 ? "" : "+") << v.imag() << "j)";
  } else if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, half>) {
    double d;
    if constexpr (std::is_same_v<T, half>) d = static_cast<float>(v);
    else d = static_cast<double>(v);
    if (std::isnan(d)) { os << "nan"; return; }
    if (std::isinf(d)) { os << (d < 0 ? "-inf" : "inf"); return; }
    std::ostringstream t;
    t.precision(8);
    t << d;
    std::string s = t.str();
    if (s.find_first_of(".e") == std::string::npos) s += ".";
    os << s;
  } else if constexpr (sizeof(T) == 1) {
    os << static_cast<int>(v);
  } else {
    os << v;
  }
}
}  // namespace

std::string NDArray::repr() const {
  std::ostringstream os;
  os << "array(";
  dispatch_dtype(dtype_, [&](auto tag) {
    using T = decltype(tag);
    const char* base = static_cast<const char*>(raw());
    if (ndim() == 0) {
      print_elem(os, *reinterpret_cast<const T*>(base));
      return;
    }
    std::vector<int64_t> idx(ndim(), 0);
    int64_t total = size();
    for (int d = 0; d < ndim(); ++d) os << "[";
    for (int64_t k = 0; k < total; ++k) {
      int64_t off = 0;
      for (int d = 0; d < ndim(); ++d) off += idx[d] * strides_[d];
      print_elem(os, *reinterpret_cast<const T*>(base + off));
      int d = ndim() - 1;
      int closed = 0;
      while (d >= 0 && ++idx[d] == shape_[d]) { idx[d] = 0; --d; ++closed; }
      for (int c = 0; c < closed; ++c) os << "]";
      if (d >= 0) {
        os << ", ";
        for (int c = 0; c < closed; ++c) os << "[";
      }
    }
    if (total == 0) for (int d = 0; d < ndim(); ++d) os << "]";
  });
  if (dtype_ != DType::Float64 && dtype_ != DType::Int64 && dtype_ != DType::Bool)
    os << ", dtype=" << dtype_name(dtype_);
  os << ")";
  return os.str();
}

bool allclose(const NDArray& a, const NDArray& b, double rtol, double atol, bool equal_nan) {
  Shape shape = a.shape();
  if (a.shape() != b.shape()) {
    try {
      int nd = std::max(a.ndim(), b.ndim());
      shape.assign(nd, 1);
      for (int i = 0; i < nd; ++i) {
        int64_t da = i - (nd - a.ndim()) >= 0 ? a.shape(i - (nd - a.ndim())) : 1;
        int64_t db = i - (nd - b.ndim()) >= 0 ? b.shape(i - (nd - b.ndim())) : 1;
        if (da != db && da != 1 && db != 1) return false;
        shape[i] = std::max(da, db);
      }
    } catch (const Error&) {
      return false;
    }
  }
  NDArray x = a.broadcast_to(shape).astype(DType::Complex128);
  NDArray y = b.broadcast_to(shape).astype(DType::Complex128);
  const complex128* px = x.data<complex128>();
  const complex128* py = y.data<complex128>();
  for (int64_t i = 0; i < x.size(); ++i) {
    complex128 u = px[i], v = py[i];
    bool nu = std::isnan(u.real()) || std::isnan(u.imag());
    bool nv = std::isnan(v.real()) || std::isnan(v.imag());
    if (nu || nv) {
      if (!(equal_nan && nu && nv)) return false;
      continue;
    }
    if (std::isinf(u.real()) || std::isinf(v.real())) {
      if (u != v) return false;
      continue;
    }
    if (std::abs(u - v) > atol + rtol * std::abs(v)) return false;
  }
  return true;
}

}  // namespace hypatia
