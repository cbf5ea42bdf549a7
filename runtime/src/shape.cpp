// shape.cpp — validation and printing of extents shared by wp::Shape and wp::Dim.
#include "wp/shape.h"

#include <limits>

#include "wp/error.h"

namespace wp::detail {
namespace {

std::string list_str(const int64_t* values, std::size_t count) {
  std::string s = "(";
  for (std::size_t i = 0; i < count; ++i) {
    if (i) s += ", ";
    s += std::to_string(values[i]);
  }
  return s + (count == 1 ? ",)" : ")");
}

}  // namespace

void check_extents(const int64_t* values, std::size_t count, const char* what) {
  if (count > static_cast<std::size_t>(kMaxDims)) {
    throw Error(std::string(what) + " " + list_str(values, count) + " has " +
                std::to_string(count) + " dimensions; at most 4 are supported");
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (values[i] < 0) {
      throw Error(std::string(what) + " " + list_str(values, count) +
                  " has a negative extent at dimension " + std::to_string(i));
    }
    if (values[i] > std::numeric_limits<int32_t>::max()) {
      throw Error(std::string(what) + " " + list_str(values, count) + ": extent " +
                  std::to_string(values[i]) + " at dimension " + std::to_string(i) +
                  " exceeds the maximum of 2147483647");
    }
  }
}

std::size_t checked_bytes(const Shape& shape, std::size_t elem_size, const char* op) {
  if (shape.ndim() == 0) {
    throw Error(std::string(op) +
                ": array shape is empty; give 1 to 4 extents, e.g. {n} or {n, m}");
  }
  // Extents are ≤ 2^31 - 1, so one product step in 128 bits cannot overflow.
  unsigned __int128 bytes = elem_size;
  for (int d = 0; d < shape.ndim(); ++d) {
    bytes *= static_cast<unsigned>(shape[d]);
    if (bytes > (static_cast<unsigned __int128>(1) << 62)) {
      throw Error(std::string(op) + ": array shape " + shape.str() + " is too large (over 2^62 bytes)");
    }
  }
  return static_cast<std::size_t>(bytes);
}

std::string extents_str(const int* values, int count) {
  int64_t wide[kMaxDims] = {};
  for (int i = 0; i < count; ++i) wide[i] = values[i];
  return list_str(wide, static_cast<std::size_t>(count));
}

}  // namespace wp::detail
