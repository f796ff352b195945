// NDArray: a strided, typed view over a shared buffer; the runtime value of every dense tensor.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <tuple>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hypatia/value/dtype.h"
#include "hypatia/util/checked_size.h"

namespace hypatia {

using Shape = std::vector<int64_t>;

/// A block of memory shared by every array that views it. `keepalive` holds a foreign owner
/// (a numpy array, say) when the memory was borrowed rather than allocated here.
class Buffer {
 public:
  /// Uninitialised memory; MemoryError (ErrorKind::Memory) when the allocation fails.
  static std::shared_ptr<Buffer> allocate(size_t nbytes);
  /// Zero-filled memory from calloc: large blocks come straight from the kernel already
  /// zeroed and are only touched when written (numpy.zeros does the same).
  static std::shared_ptr<Buffer> allocate_zeroed(size_t nbytes);
  /// Either of the above, returning null when the memory cannot be had, so that the caller can
  /// say what it was for (NDArray names the shape and dtype in its MemoryError).
  static std::shared_ptr<Buffer> try_allocate(size_t nbytes, bool zeroed);
  static std::shared_ptr<Buffer> wrap(void* data, size_t nbytes, std::shared_ptr<void> keepalive);
  /// Borrows memory that `owner` keeps alive (a numpy array the caller holds a reference to):
  /// release(owner) runs when the last array viewing it goes. One allocation in all, where a
  /// keepalive pointer costs a second: a function's array arguments are wrapped on every call.
  static std::shared_ptr<Buffer> wrap(void* data, size_t nbytes, void* owner, void (*release)(void*));
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  bool owned() const { return owned_; }

 private:
  Buffer() = default;
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  bool owned_ = false;
  std::shared_ptr<void> keepalive_;
  void* owner_ = nullptr;
  void (*release_)(void*) = nullptr;
};

/// A dense n-d array: dtype, shape, byte strides and a byte offset into a shared Buffer.
/// Views (transpose, slice, reshape of contiguous data) share the buffer and copy nothing.
class NDArray {
 public:
  NDArray() = default;
  /// Allocates an uninitialised C-contiguous array. A shape whose element count overflows int64
  /// raises ValueError; one whose byte count cannot be allocated raises MemoryError. Both name
  /// the shape, and nothing is allocated (numpy's "array is too big" / "unable to allocate").
  NDArray(DType dtype, Shape shape);
  NDArray(DType dtype, Shape shape, std::vector<int64_t> strides, int64_t offset,
          std::shared_ptr<Buffer> buffer);

  static NDArray empty(DType dtype, Shape shape) { return NDArray(dtype, std::move(shape)); }
  static NDArray zeros(DType dtype, Shape shape);
  /// An array of `shape` with every element `value` cast to dtype.
  static NDArray full(DType dtype, Shape shape, double value);
  static NDArray full_complex(DType dtype, Shape shape, complex128 value);
  template <class T>
  static NDArray scalar(T v) {
    NDArray a(dtype_v<T>, {});
    *a.data<T>() = v;
    return a;
  }
  template <class T>
  static NDArray from_vector(const std::vector<T>& v, Shape shape) {
    NDArray a(dtype_v<T>, std::move(shape));
    if (a.size() != static_cast<int64_t>(v.size()))
      value_error("[NDArray] from_vector: ", v.size(), " values for ", a.size(), " elements");
    std::copy(v.begin(), v.end(), a.data<T>());
    return a;
  }
  static Shape c_strides(const Shape& shape, int itemsize);
  /// The element count of `shape`, checked: ValueError "[op] ..." for a negative dimension or
  /// a count that overflows int64 (the helper every size computation uses; see util/checked_size.h).
  static int64_t checked_size(const Shape& shape, const std::string& op = "NDArray");

  bool defined() const { return buffer_ != nullptr; }
  DType dtype() const { return dtype_; }
  int ndim() const { return static_cast<int>(shape_.size()); }
  const Shape& shape() const { return shape_; }
  int64_t shape(int i) const { return shape_[i]; }
  const std::vector<int64_t>& strides() const { return strides_; }
  int64_t offset() const { return offset_; }
  int64_t size() const;
  int64_t nbytes() const { return size() * itemsize(dtype_); }
  const std::shared_ptr<Buffer>& buffer() const { return buffer_; }
  void* raw() const { return static_cast<char*>(buffer_->data()) + offset_; }
  template <class T>
  T* data() const { return static_cast<T*>(raw()); }
  bool is_c_contiguous() const;
  bool is_f_contiguous() const;
  /// True when this and `other` may use overlapping bytes of the same buffer.
  bool may_share_memory(const NDArray& other) const;

  // ---- views (no copy) ----
  NDArray transpose(const std::vector<int>& perm) const;
  NDArray transpose() const;  // reverse the axes
  /// Basic slicing of one axis with Python semantics (already-normalised start/stop/step).
  NDArray slice(int axis, int64_t start, int64_t stop, int64_t step) const;
  NDArray index(int axis, int64_t i) const;  // drops the axis
  /// A view with a new shape when the layout allows, otherwise a contiguous copy.
  NDArray reshape(const Shape& shape) const;
  /// Inserts/removes length-1 axes and permutes, as Theano's DimShuffle: -1 means a new axis.
  NDArray dimshuffle(const std::vector<int>& pattern) const;
  /// A view broadcasting length-1 (or missing leading) axes to `shape` with stride 0.
  NDArray broadcast_to(const Shape& shape) const;

  // ---- copies ----
  NDArray copy() const;  // C-contiguous deep copy
  NDArray astype(DType dtype) const;  // always a fresh C-contiguous array
  NDArray contiguous() const { return is_c_contiguous() ? *this : copy(); }
  /// Copies `src` (any strides, same shape or broadcastable) into this array, casting dtypes.
  void assign(const NDArray& src);
  void fill(double value);

  /// The single element of a size-1 array, cast to T.
  template <class T>
  T item() const {
    if (size() != 1) value_error("[NDArray] item() of an array of size ", size());
    return dispatch_dtype(dtype_, [&](auto tag) -> T {
      using S = decltype(tag);
      return scalar_cast<T>(*data<S>());
    });
  }
  /// Human-readable text like numpy's repr: "array([1., 2.])" (small arrays only).
  std::string repr() const;

 private:
  DType dtype_ = DType::Float64;
  Shape shape_;
  std::vector<int64_t> strides_;
  int64_t offset_ = 0;
  std::shared_ptr<Buffer> buffer_;
};

std::string shape_str(const Shape& s);  // "(2, 3)" as Python prints it

/// Visits every multi-index of `shape` and calls f(off[0], ..., off[N-1]) with the byte offset of
/// that element in each of N arrays (given by their byte strides). The innermost axis is a tight
/// loop; outer axes advance an odometer, so any rank works without recursion. The order is C
/// order, except that when an array steps far along the last axis (a transposed operand: more
/// than 64 bytes a step) the last two axes go in tiles of 32 x 32, so that each cache line read or
/// written is used whole while it is in L1 (x.T * 1.0 took 6x numpy's time walking x by columns).
/// f must not depend on the order: each element is visited once, in some order.
template <size_t N, class F>
void strided_for_each(const Shape& shape, const std::array<const int64_t*, N>& strides, F&& f) {
  const int nd = static_cast<int>(shape.size());
  for (int64_t n : shape)
    if (n == 0) return;
  std::array<int64_t, N> off{};
  if (nd == 0) {
    std::apply(f, off);
    return;
  }
  constexpr int64_t kTile = 32, kFar = 64;
  bool tiled = nd >= 2 && shape[nd - 1] > kTile / 2 && shape[nd - 2] > kTile / 2;
  if (tiled) {
    bool far = false;
    for (size_t k = 0; k < N; ++k) far |= strides[k][nd - 1] > kFar || strides[k][nd - 1] < -kFar;
    tiled = far;
  }
  const int walked = tiled ? nd - 2 : nd - 1;  // axes the odometer walks: all but the loop's
  std::vector<int64_t> idx(nd, 0);
  std::array<int64_t, N> row_stride{}, col_stride;
  for (size_t k = 0; k < N; ++k) {
    col_stride[k] = strides[k][nd - 1];
    if (tiled) row_stride[k] = strides[k][nd - 2];
  }
  const int64_t cols = shape[nd - 1], rows = tiled ? shape[nd - 2] : 1;
  while (true) {
    for (int64_t r0 = 0; r0 < rows; r0 += kTile)
      for (int64_t c0 = 0; c0 < cols; c0 += (tiled ? kTile : cols)) {
        const int64_t re = std::min(rows, r0 + kTile), ce = tiled ? std::min(cols, c0 + kTile) : cols;
        for (int64_t r = r0; r < re; ++r) {
          std::array<int64_t, N> o;
          for (size_t k = 0; k < N; ++k) o[k] = off[k] + r * row_stride[k] + c0 * col_stride[k];
          for (int64_t c = c0; c < ce; ++c) {
            std::apply(f, o);
            for (size_t k = 0; k < N; ++k) o[k] += col_stride[k];
          }
        }
      }
    int ax = walked - 1;
    for (; ax >= 0; --ax) {
      ++idx[ax];
      for (size_t k = 0; k < N; ++k) off[k] += strides[k][ax];
      if (idx[ax] < shape[ax]) break;
      for (size_t k = 0; k < N; ++k) off[k] -= strides[k][ax] * shape[ax];
      idx[ax] = 0;
    }
    if (ax < 0) return;
  }
}

/// Numeric comparison with numpy.allclose semantics (NaNs equal when equal_nan).
bool allclose(const NDArray& a, const NDArray& b, double rtol = 1e-5, double atol = 1e-8,
              bool equal_nan = false);

}  // namespace hypatia
