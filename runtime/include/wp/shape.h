// wp/shape.h — wp::Shape: the extents of a 1–4-D array.
//
// Contract:
//  * A Shape holds ndim() ∈ [0, 4] extents, each in [0, INT32_MAX] (Warp's array_t stores
//    int shapes). Built from a braced list ({n}, {n, m}, …) or a single integer; building one
//    with more than 4 extents, a negative extent or one above INT32_MAX throws wp::Error.
//  * A default Shape (and Shape{}) has ndim 0; the array factories reject it with a
//    wp::Error ("array shape is empty"). Zero extents are allowed (empty arrays, as in Warp).
//  * size() is the product of the extents as int64_t (1 for ndim 0 is never observed:
//    factories reject that shape first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace wp {

inline constexpr int kMaxDims = 4;

namespace detail {
// Validates up to kMaxDims extents; `what` names them in messages ("array shape",
// "launch dimension"). Throws wp::Error. Defined in src/shape.cpp.
void check_extents(const int64_t* values, std::size_t count, const char* what);
std::string extents_str(const int* values, int count);  // "(2, 3)", "(5,)"
}  // namespace detail

class Shape {
 public:
  Shape() = default;
  Shape(int64_t n) : Shape({n}) {}  // NOLINT: implicit, so zeros<float>(16) works
  Shape(std::initializer_list<int64_t> extents) {
    detail::check_extents(extents.begin(), extents.size(), "array shape");
    for (int64_t e : extents) dims_[ndim_++] = static_cast<int>(e);
  }

  // The first n values of `extents` (validated like the list constructor).
  static Shape from_extents(const int64_t* extents, int n) {
    detail::check_extents(extents, static_cast<std::size_t>(n < 0 ? 0 : n), "array shape");
    Shape s;
    for (int d = 0; d < n; ++d) s.dims_[s.ndim_++] = static_cast<int>(extents[d]);
    return s;
  }

  int ndim() const { return ndim_; }
  int operator[](int d) const { return dims_[d]; }
  const int* data() const { return dims_; }
  int64_t size() const {
    int64_t n = 1;
    for (int d = 0; d < ndim_; ++d) n *= dims_[d];
    return n;
  }
  std::string str() const { return detail::extents_str(dims_, ndim_); }

  friend bool operator==(const Shape& a, const Shape& b) {
    if (a.ndim_ != b.ndim_) return false;
    for (int d = 0; d < a.ndim_; ++d)
      if (a.dims_[d] != b.dims_[d]) return false;
    return true;
  }

 private:
  int dims_[kMaxDims] = {0, 0, 0, 0};
  int ndim_ = 0;
};

namespace detail {
// Bytes needed for `shape` elements of elem_size bytes; throws wp::Error prefixed by `op`
// when the shape is empty (ndim 0) or the size exceeds 2^62 bytes.
std::size_t checked_bytes(const Shape& shape, std::size_t elem_size, const char* op);
}  // namespace detail

}  // namespace wp
