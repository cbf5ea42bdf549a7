// array.cpp — the out-of-line checks behind wp::array (messages live here, in one place).
#include <cstdint>
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
