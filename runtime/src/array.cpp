// array.cpp — the out-of-line checks behind wp::array (messages live here, in one place), and
// the element-type-independent copy (detail::copy_array_bytes) every wp::copy<T> calls.
#include <cstdint>
#include <cstring>
#include <string>

#include "wp/array.h"

namespace wp::detail {

[[noreturn]] void host_only(const Device& device, const char* op) {
  if (!cuda_built()) {
    throw Error(std::string(op) + ": CUDA support is not built: device '" + device.str() +
                "' cannot be used (this runtime was built for the CPU only)");
  }
  throw Error(std::string(op) + ": strided arrays on device '" + device.str() +
              "' are not supported yet; make them contiguous first");
}

namespace {

void check_wrap_strides(const Shape& shape, const Strides& strides, std::size_t align,
                        const char* op) {
  if (strides.count != shape.ndim()) {
    throw Error(std::string(op) + ": " + std::to_string(strides.count) + " strides given for a " +
                std::to_string(shape.ndim()) + "-D array of shape " + shape.str());
  }
  for (int d = 0; d < strides.count; ++d) {
    const int64_t s = strides.values[d];
    if (s < 0) {
      throw Error(std::string(op) + ": stride " + std::to_string(s) + " at dimension " +
                  std::to_string(d) + " is negative; only non-negative byte strides are supported");
    }
    if (s % static_cast<int64_t>(align) != 0) {
      throw Error(std::string(op) + ": stride " + std::to_string(s) + " at dimension " +
                  std::to_string(d) + " is not a multiple of the element alignment (" +
                  std::to_string(align) + " bytes)");
    }
  }
}

}  // namespace

void check_wrap(const void* ptr, const Shape& shape, const Strides* strides, std::size_t align,
                const char* op) {
  checked_bytes(shape, 1, op);  // rejects ndim 0
  if (!ptr && shape.size() > 0) {
    throw Error(std::string(op) + ": data pointer is null for a non-empty array of shape " +
                shape.str());
  }
  if (reinterpret_cast<std::uintptr_t>(ptr) % align != 0) {
    throw Error(std::string(op) + ": data pointer is not aligned to the element alignment (" +
                std::to_string(align) + " bytes)");
  }
  if (strides) check_wrap_strides(shape, *strides, align, op);
}

void check_same_shape(const Shape& dst, const Shape& src, const char* op) {
  if (!(dst == src)) {
    throw Error(std::string(op) + ": shape mismatch: destination has shape " + dst.str() +
                " but source has shape " + src.str());
  }
}

[[noreturn]] void index_error(const char* op, int64_t index, int dim, int extent) {
  throw Error(std::string(op) + ": index " + std::to_string(index) + " is out of range for dimension " +
              std::to_string(dim) + " of size " + std::to_string(extent));
}

}  // namespace wp::detail

namespace wp::detail {

void host_array_index_error(const Shape& shape, int got_rank, const int64_t* index, int bad_dim) {
  std::string idx = "(";
  for (int d = 0; d < got_rank; ++d) idx += (d ? ", " : "") + std::to_string(index[d]);
  idx += ")";
  if (bad_dim < 0) {
    throw Error("HostArray: " + std::to_string(got_rank) + " indices " + idx + " given for an array of shape " +
                shape.str() + " (" + std::to_string(shape.ndim()) + " dimensions)");
  }
  throw Error("HostArray: index " + idx + " is out of bounds for shape " + shape.str() + " (dimension " +
              std::to_string(bad_dim) + ")");
}

}  // namespace wp::detail

// ---- copies of any element type ---------------------------------------------------------

namespace wp::detail {

bool ArrayBytes::is_contiguous() const {
  int64_t expect = static_cast<int64_t>(elem_size);
  for (int d = shape.ndim() - 1; d >= 0; --d) {
    if (shape[d] > 1 && strides[d] != expect) return size() == 0;
    expect *= shape[d];
  }
  return true;
}

ArrayBytes empty_like_bytes(const ArrayBytes& a) {
  ArrayBytes out;
  out.shape = a.shape;
  out.elem_size = a.elem_size;
  out.device = a.device;
  int64_t s = static_cast<int64_t>(a.elem_size);
  for (int d = a.shape.ndim() - 1; d >= 0; --d) {
    out.strides[d] = s;
    s *= a.shape[d];
  }
  out.storage = allocate_shared(a.device, checked_bytes(a.shape, a.elem_size, "copy"));
  out.data = out.storage.get();
  return out;
}

void copy_array_bytes(const ArrayBytes& dst, const ArrayBytes& src) {
  check_same_shape(dst.shape, src.shape, "copy");
  if (dst.size() == 0) return;
  const std::size_t bytes = static_cast<std::size_t>(dst.size()) * dst.elem_size;
  if (dst.is_contiguous() && src.is_contiguous()) {
    copy_bytes(dst.data, dst.device, src.data, src.device, bytes);
    return;
  }
  if (dst.device.is_cpu() && src.device.is_cpu()) {
    char* d = static_cast<char*>(dst.data);
    const char* s = static_cast<const char*>(src.data);
    const std::size_t n = dst.elem_size;
    for_each_offset(dst.shape, dst.strides, src.strides,
                    [&](int64_t od, int64_t os) { std::memcpy(d + od, s + os, n); });
    return;
  }
  // A strided side on a CUDA device: a kernel when both are on the same device, else staged
  // through packed buffers (packed on the source's device, one byte copy, then a strided copy
  // on the destination's device).
  if (!cuda_built()) host_only(dst.device.is_cpu() ? src.device : dst.device, "copy");
  if (dst.device == src.device) {
    cuda_copy_strided(dst.data, dst.strides, src.data, src.strides, dst.device, dst.shape, dst.elem_size);
    return;
  }
  ArrayBytes packed_src = src;
  if (!src.is_contiguous()) {
    packed_src = empty_like_bytes(src);
    copy_array_bytes(packed_src, src);
  }
  if (dst.is_contiguous()) {
    copy_bytes(dst.data, dst.device, packed_src.data, src.device, bytes);
    return;
  }
  const ArrayBytes staged = empty_like_bytes(dst);
  copy_bytes(staged.data, dst.device, packed_src.data, src.device, bytes);
  copy_array_bytes(dst, staged);
}

}  // namespace wp::detail
