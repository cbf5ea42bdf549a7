// wp/array.h — wp::array<T>: a 1–4-D array handle, and Warp's array factories.
//
// Contract:
//  * An array<T> is a handle: data and optional grad pointers, a Shape, BYTE strides, a
//    Device, and (for owning arrays) a ref-counted allocation shared by every copy and view
//    of it; memory is freed when the last handle goes. Copying a handle never copies
//    elements (use wp::copy or contiguous()).
//  * Owning arrays come from empty/zeros/full/from_host and are densely packed row-major,
//    64-byte aligned on the host. requires_grad=true adds a zero-filled grad buffer of the
//    same shape.
//  * Non-owning arrays wrap external memory without copying: array<T>(ptr, shape[, strides]
//    [, device][, grad]). The caller keeps that memory alive while the array is used.
//  * view() gives the kernel-side POD wp::array_t<T>. view_row(i) drops the leading
//    dimension; slice(b, e) narrows it; both share memory with the original.
//  * Element-wise helpers (fill, copy, to_host, contiguous) handle any strides on the CPU and,
//    when the runtime is built with CUDA, on CUDA devices too (small grid-stride kernels;
//    host↔device copies of strided arrays are staged through packed buffers). In a CPU-only
//    runtime every use of CUDA memory throws "CUDA support is not built …".
//  * empty/zeros/full take pinned=true for page-locked host memory (device "cpu", CUDA
//    built); is_pinned() reports it. See wp/allocator.h for stream ordering of CUDA work.
//  * Named, order-free options: empty/zeros/full<T>(shape, options…) and
//    from_host(vector, options…) take any of wp::on(device), wp::requires_grad (or
//    wp::requires_grad(flag)), wp::pinned, in any order; from_host's options form also
//    REQUIRES wp::with_shape(shape) (a vector does not say the data's rank; a compile error
//    otherwise). The positional forms keep working; from_host(vector, device, requires_grad)
//    without a shape is [[deprecated]].
//  * to_host() returns a wp::HostArray<T> (wp/host_array.h): a std::vector<T> that knows
//    the shape and prints like numpy.
//  * Every invalid request throws wp::Error with the operation's name and the shapes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "wp/allocator.h"
#include "wp/array_view.h"
#include "wp/device.h"
#include "wp/error.h"
#include "wp/host_array.h"
#include "wp/shape.h"

namespace wp {

// Byte strides given to a non-owning wrap: one per dimension, each ≥ 0.
struct Strides {
  Strides(std::initializer_list<int64_t> s) : count(static_cast<int>(s.size())) {
    int i = 0;
    for (int64_t v : s)
      if (i < kMaxDims) values[i++] = v;
  }
  int64_t values[kMaxDims] = {0, 0, 0, 0};
  int count = 0;
};

namespace detail {
struct ArrayFactory;
// Throws the standard error for an element-wise host helper used on a non-CPU device.
[[noreturn]] void host_only(const Device& device, const char* op);
void check_wrap(const void* ptr, const Shape& shape, const Strides* strides, std::size_t align,
                const char* op);
void check_same_shape(const Shape& dst, const Shape& src, const char* op);
[[noreturn]] void index_error(const char* op, int64_t index, int dim, int extent);

// Calls f(dst_offset, src_offset) for every element of `shape`, row-major, given two sets
// of byte strides (fill and gather pass one set twice).
template <typename F>
void for_each_offset(const Shape& shape, const int64_t* sa, const int64_t* sb, F&& f) {
  int e[4] = {1, 1, 1, 1};
  int64_t a[4] = {0, 0, 0, 0}, b[4] = {0, 0, 0, 0};
  const int pad = kMaxDims - shape.ndim();
  for (int d = 0; d < shape.ndim(); ++d) {
    e[pad + d] = shape[d];
    a[pad + d] = sa[d];
    b[pad + d] = sb[d];
  }
  for (int i = 0; i < e[0]; ++i)
    for (int j = 0; j < e[1]; ++j)
      for (int k = 0; k < e[2]; ++k)
        for (int l = 0; l < e[3]; ++l)
          f(i * a[0] + j * a[1] + k * a[2] + l * a[3], i * b[0] + j * b[1] + k * b[2] + l * b[3]);
}

// An array's element memory without its element type (detail::bytes_of(a)): what the
// type-independent entry points compiled once in the runtime take — copy_array_bytes, the
// tape's saved copies — so that generated launchers do not instantiate them per element type.
// `storage` keeps the array's owned memory alive (null for a wrap), `grad_storage` its
// gradient buffer's.
struct ArrayBytes {
  void* data = nullptr;
  void* grad = nullptr;
  Shape shape;
  int64_t strides[kMaxDims] = {0, 0, 0, 0};  // bytes
  std::size_t elem_size = 0;
  Device device;
  std::shared_ptr<void> storage;
  std::shared_ptr<void> grad_storage;

  int64_t size() const { return shape.ndim() ? shape.size() : 0; }
  bool is_contiguous() const;
};

// copy(dst, src) for any element type (same shape and element size; see wp::copy).
void copy_array_bytes(const ArrayBytes& dst, const ArrayBytes& src);
// A new densely packed owning array of a's shape and element size on a's device
// (uninitialised, no gradient).
ArrayBytes empty_like_bytes(const ArrayBytes& a);
}  // namespace detail

template <typename T>
class array {
  static_assert(std::is_trivially_copyable_v<T>, "array elements must be trivially copyable");

 public:
  using value_type = T;

  array() = default;  // a null handle: ndim 0, no data

  // Non-owning, densely packed wrap of external memory (no copy).
  array(T* ptr, const Shape& shape, const Device& device = {}, T* grad = nullptr)
      : data_(ptr), grad_(grad), shape_(shape), device_(device) {
    detail::check_wrap(ptr, shape, nullptr, alignof(T), "wrap");
    set_packed_strides();
  }
  // Non-owning wrap with explicit byte strides (one per dimension).
  array(T* ptr, const Shape& shape, const Strides& byte_strides, const Device& device = {},
        T* grad = nullptr)
      : data_(ptr), grad_(grad), shape_(shape), device_(device) {
    detail::check_wrap(ptr, shape, &byte_strides, alignof(T), "wrap");
    for (int d = 0; d < shape.ndim(); ++d) strides_[d] = byte_strides.values[d];
  }

  T* data() const { return data_; }
  T* grad() const { return grad_; }
  bool requires_grad() const { return grad_ != nullptr; }
  bool owns_data() const { return storage_ != nullptr; }
  bool is_pinned() const { return pinned_; }  // owning, page-locked host memory
  const Device& device() const { return device_; }
  int ndim() const { return shape_.ndim(); }
  const Shape& shape() const { return shape_; }
  int shape(int d) const { return shape_[check_dim(d)]; }
  int64_t stride(int d) const { return strides_[check_dim(d)]; }  // bytes
  int64_t size() const { return shape_.ndim() ? shape_.size() : 0; }
  bool empty() const { return size() == 0; }

  bool is_contiguous() const {
    int64_t expect = sizeof(T);
    for (int d = shape_.ndim() - 1; d >= 0; --d) {
      if (shape_[d] > 1 && strides_[d] != expect) return size() == 0;
      expect *= shape_[d];
    }
    return true;
  }

  array_t<T> view() const {
    array_t<T> v;
    v.data = data_;
    v.grad = grad_;
    v.ndim = shape_.ndim();
    for (int d = 0; d < v.ndim; ++d) {
      v.shape[d] = shape_[d];
      v.strides[d] = strides_[d];
    }
    v.flags = is_contiguous() ? array_t<T>::kContiguous : 0u;
    return v;
  }

  // The gradient as an array of the same shape and strides (shares its memory).
  array grad_array() const {
    if (!grad_) throw Error("grad_array: array has no gradient (create it with requires_grad)");
    array g = *this;
    g.data_ = grad_;
    g.grad_ = nullptr;
    g.storage_ = grad_storage_;
    g.grad_storage_ = nullptr;
    return g;
  }

  // Drops the leading dimension: element i of dimension 0, as an (ndim-1)-D view.
  array view_row(int64_t i) const {
    if (shape_.ndim() < 2) {
      throw Error("view_row: array of shape " + shape_.str() +
                  " has fewer than 2 dimensions; index it with view()(i) instead");
    }
    if (i < 0 || i >= shape_[0]) detail::index_error("view_row", i, 0, shape_[0]);
    array r = *this;
    r.offset_by(i * strides_[0]);
    r.rebuild_shape(1, shape_.ndim());
    return r;
  }

  // Rows [begin, end) of the leading dimension, as a view of the same rank.
  array slice(int64_t begin, int64_t end) const {
    if (shape_.ndim() < 1) throw Error("slice: null array handle");
    if (begin < 0 || begin > shape_[0]) detail::index_error("slice", begin, 0, shape_[0]);
    if (end < begin || end > shape_[0]) {
      throw Error("slice: end " + std::to_string(end) + " is outside [" + std::to_string(begin) +
                  ", " + std::to_string(shape_[0]) + "] for dimension 0 of shape " +
                  shape_.str());
    }
    array r = *this;
    r.offset_by(begin * strides_[0]);
    r.rebuild_shape(0, shape_.ndim(), static_cast<int>(end - begin));
    return r;
  }

  // This array if densely packed, else a new owning packed copy (same device; no grad).
  array contiguous() const;
  HostArray<T> to_host() const;

 private:
  friend struct detail::ArrayFactory;

  int check_dim(int d) const {
    if (d < 0 || d >= shape_.ndim()) {
      throw Error("dimension " + std::to_string(d) + " is out of range for an array of shape " +
                  shape_.str());
    }
    return d;
  }
  void set_packed_strides() {
    int64_t s = sizeof(T);
    for (int d = shape_.ndim() - 1; d >= 0; --d) {
      strides_[d] = s;
      s *= shape_[d];
    }
  }
  void offset_by(int64_t bytes) {
    data_ = array_t<T>::at_byte(data_, bytes);
    if (grad_) grad_ = array_t<T>::at_byte(grad_, bytes);
  }
  // Keeps dimensions [first, last) of the current shape/strides; `lead` (≥ 0) replaces the
  // extent of the first kept dimension.
  void rebuild_shape(int first, int last, int lead = -1) {
    int64_t ext[kMaxDims] = {0, 0, 0, 0};
    int64_t str[kMaxDims] = {0, 0, 0, 0};
    for (int d = first; d < last; ++d) {
      ext[d - first] = shape_[d];
      str[d - first] = strides_[d];
    }
    if (lead >= 0) ext[0] = lead;
    shape_ = Shape::from_extents(ext, last - first);
    std::copy(str, str + kMaxDims, strides_);
  }

  T* data_ = nullptr;
  T* grad_ = nullptr;
  Shape shape_;
  int64_t strides_[kMaxDims] = {0, 0, 0, 0};
  Device device_;
  std::shared_ptr<void> storage_;
  std::shared_ptr<void> grad_storage_;
  bool pinned_ = false;
};

// ---- named options of the factories ------------------------------------------------------

// wp::requires_grad, or wp::requires_grad(flag): allocate a zero-filled gradient buffer.
struct RequiresGrad {
  bool value = true;
  constexpr RequiresGrad operator()(bool flag) const { return RequiresGrad{flag}; }
};
inline constexpr RequiresGrad requires_grad{};
// wp::pinned: page-locked host memory (device "cpu", CUDA built).
struct Pinned {
  bool value = true;
  constexpr Pinned operator()(bool flag) const { return Pinned{flag}; }
};
inline constexpr Pinned pinned{};
// wp::on(device): where the array lives (default: the CPU).
struct OnDevice {
  Device device;
};
inline OnDevice on(const Device& device) { return OnDevice{device}; }
// wp::with_shape({n, m}): the array's shape (from_host's options form).
struct WithShape {
  Shape shape;
};
inline WithShape with_shape(const Shape& shape) { return WithShape{shape}; }

template <typename O>
concept ArrayOption = std::is_same_v<O, RequiresGrad> || std::is_same_v<O, Pinned> ||
                      std::is_same_v<O, OnDevice> || std::is_same_v<O, WithShape>;

namespace detail {
struct ArraySettings {
  Device device;
  bool requires_grad = false;
  bool pinned = false;
  Shape shape;
  bool has_shape = false;
  void apply(const RequiresGrad& o) { requires_grad = o.value; }
  void apply(const Pinned& o) { pinned = o.value; }
  void apply(const OnDevice& o) { device = o.device; }
  void apply(const WithShape& o) {
    shape = o.shape;
    has_shape = true;
  }
};
template <typename... O>
ArraySettings settings_of(const O&... options) {
  ArraySettings s;
  (s.apply(options), ...);
  return s;
}
template <typename O, typename... All>
inline constexpr int option_count = (0 + ... + (std::is_same_v<O, All> ? 1 : 0));
template <typename... O>
inline constexpr bool options_unique = option_count<RequiresGrad, O...> <= 1 && option_count<Pinned, O...> <= 1 &&
                                       option_count<OnDevice, O...> <= 1 && option_count<WithShape, O...> <= 1;
}  // namespace detail

// ---- factories and element-wise helpers ------------------------------------------------

namespace detail {
struct ArrayFactory {
  // A densely packed owning array; uninitialised data, zero-filled grad when requested.
  template <typename T>
  static array<T> make(const Shape& shape, const Device& device, bool requires_grad,
                       const char* op, bool pinned = false) {
    const std::size_t bytes = checked_bytes(shape, sizeof(T), op);
    array<T> a;
    a.shape_ = shape;
    a.device_ = device;
    a.set_packed_strides();
    a.storage_ = allocate_shared(device, bytes, pinned);
    a.data_ = static_cast<T*>(a.storage_.get());
    a.pinned_ = pinned;
    if (requires_grad) {
      a.grad_storage_ = allocate_shared(device, bytes, pinned);
      a.grad_ = static_cast<T*>(a.grad_storage_.get());
      set_bytes(a.grad_, device, 0, bytes);
    }
    return a;
  }
  template <typename T>
  static ArrayBytes bytes(const array<T>& a) {
    ArrayBytes b;
    b.data = a.data_;
    b.grad = a.grad_;
    b.shape = a.shape_;
    for (int d = 0; d < kMaxDims; ++d) b.strides[d] = a.strides_[d];
    b.elem_size = sizeof(T);
    b.device = a.device_;
    b.storage = a.storage_;
    b.grad_storage = a.grad_storage_;
    return b;
  }
};

template <typename T>
ArrayBytes bytes_of(const array<T>& a) {
  return ArrayFactory::bytes(a);
}
}  // namespace detail

// Uninitialised elements (Warp's wp.empty).
template <typename T>
array<T> empty(const Shape& shape, const Device& device = {}, bool requires_grad = false,
               bool pinned = false) {
  return detail::ArrayFactory::make<T>(shape, device, requires_grad, "empty", pinned);
}

template <typename T>
array<T> zeros(const Shape& shape, const Device& device = {}, bool requires_grad = false,
               bool pinned = false) {
  array<T> a = detail::ArrayFactory::make<T>(shape, device, requires_grad, "zeros", pinned);
  detail::set_bytes(a.data(), device, 0, static_cast<std::size_t>(a.size()) * sizeof(T));
  return a;
}

// Sets every element of `a` (any strides) to `value`.
template <typename T>
void fill(const array<T>& a, const std::type_identity_t<T>& value) {
  if (a.size() == 0) return;
  if (!a.device().is_cpu()) {
    if (!cuda_built()) detail::host_only(a.device(), "fill");
    detail::cuda_fill(a.data(), a.view().strides, a.device(), a.shape(), &value, sizeof(T));
    return;
  }
  if (a.is_contiguous()) {
    std::fill_n(a.data(), a.size(), value);
    return;
  }
  const array_t<T> v = a.view();
  detail::for_each_offset(a.shape(), v.strides, v.strides,
                          [&](int64_t off, int64_t) { *array_t<T>::at_byte(v.data, off) = value; });
}

template <typename T>
array<T> full(const Shape& shape, const std::type_identity_t<T>& value, const Device& device = {},
              bool requires_grad = false, bool pinned = false) {
  array<T> a = detail::ArrayFactory::make<T>(shape, device, requires_grad, "full", pinned);
  fill(a, value);
  return a;
}

// Named-option forms: zeros<float>({n, 3}, wp::on("cuda:0"), wp::requires_grad) — any order.
template <typename T, ArrayOption... O>
  requires(sizeof...(O) >= 1)
array<T> empty(const Shape& shape, const O&... options) {
  static_assert(detail::options_unique<O...>, "empty: each option may be given once");
  static_assert(detail::option_count<WithShape, O...> == 0, "empty: the shape is the first argument");
  const detail::ArraySettings s = detail::settings_of(options...);
  return empty<T>(shape, s.device, s.requires_grad, s.pinned);
}
template <typename T, ArrayOption... O>
  requires(sizeof...(O) >= 1)
array<T> zeros(const Shape& shape, const O&... options) {
  static_assert(detail::options_unique<O...>, "zeros: each option may be given once");
  static_assert(detail::option_count<WithShape, O...> == 0, "zeros: the shape is the first argument");
  const detail::ArraySettings s = detail::settings_of(options...);
  return zeros<T>(shape, s.device, s.requires_grad, s.pinned);
}
template <typename T, ArrayOption... O>
  requires(sizeof...(O) >= 1)
array<T> full(const Shape& shape, const std::type_identity_t<T>& value, const O&... options) {
  static_assert(detail::options_unique<O...>, "full: each option may be given once");
  static_assert(detail::option_count<WithShape, O...> == 0, "full: the shape is the first argument");
  const detail::ArraySettings s = detail::settings_of(options...);
  return full<T>(shape, value, s.device, s.requires_grad, s.pinned);
}

// Copies shape.size() packed row-major elements from host memory `src`.
template <typename T>
array<T> from_host(const T* src, const Shape& shape, const Device& device = {},
                   bool requires_grad = false) {
  array<T> a = detail::ArrayFactory::make<T>(shape, device, requires_grad, "from_host");
  if (a.size() > 0 && !src) throw Error("from_host: source pointer is null");
  detail::copy_bytes(a.data(), device, src, Device(),
                     static_cast<std::size_t>(a.size()) * sizeof(T));
  return a;
}

template <typename T>
array<T> from_host(const std::vector<T>& src, const Shape& shape, const Device& device = {},
                   bool requires_grad = false) {
  if (shape.ndim() > 0 && static_cast<int64_t>(src.size()) != shape.size()) {
    throw Error("from_host: vector has " + std::to_string(src.size()) + " elements but shape " +
                shape.str() + " needs " + std::to_string(shape.size()));
  }
  return from_host(src.data(), shape, device, requires_grad);
}

// A 1-D array of the vector's elements.
template <typename T>
array<T> from_host(const std::vector<T>& src, const Device& device = {}) {
  return from_host(src, Shape{static_cast<int64_t>(src.size())}, device, false);
}

// A 1-D array with a gradient: deprecated, because a vector does not say the data's rank and
// gradient arrays are most often not 1-D; state the shape.
template <typename T>
[[deprecated("state the array's shape: wp::from_host(v, shape, device, requires_grad), or "
             "wp::from_host(v, wp::with_shape({n}), wp::on(device), wp::requires_grad)")]]
array<T> from_host(const std::vector<T>& src, const Device& device, bool requires_grad) {
  return from_host(src, Shape{static_cast<int64_t>(src.size())}, device, requires_grad);
}

// Named-option form: from_host(v, wp::with_shape({n, 3}), wp::on("cuda:0"), wp::requires_grad).
template <typename T, ArrayOption... O>
  requires(sizeof...(O) >= 1)
array<T> from_host(const std::vector<T>& src, const O&... options) {
  static_assert(detail::options_unique<O...>, "from_host: each option may be given once");
  static_assert(detail::option_count<WithShape, O...> == 1,
                "from_host(vector, options...): give the shape with wp::with_shape({...}) (the "
                "vector alone does not say the data's rank)");
  static_assert(detail::option_count<Pinned, O...> == 0, "from_host: wp::pinned is not supported here");
  const detail::ArraySettings s = detail::settings_of(options...);
  return from_host(src, s.shape, s.device, s.requires_grad);
}

// Copies src's elements into dst (same shape; any strides; memmove semantics only for
// packed arrays — overlapping strided copies are undefined). Compiled once for every element
// type (detail::copy_array_bytes).
template <typename T>
void copy(const array<T>& dst, const array<T>& src) {
  detail::copy_array_bytes(detail::bytes_of(dst), detail::bytes_of(src));
}

template <typename T>
array<T> array<T>::contiguous() const {
  if (is_contiguous()) return *this;
  array<T> out = detail::ArrayFactory::make<T>(shape_, device_, false, "contiguous");
  copy(out, *this);
  return out;
}

// The elements, packed row-major, in a host vector that knows the shape.
template <typename T>
HostArray<T> array<T>::to_host() const {
  std::vector<T> out(static_cast<std::size_t>(size()));
  if (out.empty()) return HostArray<T>(std::move(out), shape_);
  if (is_contiguous()) {
    detail::copy_bytes(out.data(), Device(), data_, device_, out.size() * sizeof(T));
    return HostArray<T>(std::move(out), shape_);
  }
  if (!device_.is_cpu()) {
    if (!cuda_built()) detail::host_only(device_, "to_host");
    return contiguous().to_host();  // packed on the device by a kernel, then one copy
  }
  array<T> packed(out.data(), shape_);
  copy(packed, *this);
  return HostArray<T>(std::move(out), shape_);
}

template <typename T>
HostArray<T> to_host(const array<T>& a) {
  return a.to_host();
}

}  // namespace wp
