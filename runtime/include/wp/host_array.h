// wp/host_array.h — wp::HostArray<T>: what array<T>::to_host() returns: the elements in a
// std::vector<T> (packed row-major) that also knows the array's shape and prints like numpy.
//
// Contract:
//  * HostArray<T> IS a std::vector<T> (public base): every use of to_host()'s former result
//    (indexing, iteration, size(), ==, assignment to std::vector<T>) keeps working.
//  * shape() is the source array's Shape; h(i, j…) indexes with the array's rank (bounds
//    checked: wp::Error naming the index and the shape). at(k) and [k] keep std::vector's
//    meaning (flat, row-major).
//  * operator<< prints numpy-style nesting: `[1 2 3]`, `[[1 2]\n [3 4]]`; vectors, matrices
//    and quaternions print as nested lists of their components, transforms as `[p q]`. Arrays
//    of more than 1000 elements show the first and last 3 entries of each long dimension with
//    `...` between them. Floating-point values use the stream's default formatting.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "wp/error.h"
#include "wp/shape.h"

namespace wp {

namespace detail {

template <typename T>
void print_element(std::ostream& os, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    os << (v ? "True" : "False");
  } else if constexpr (std::is_integral_v<T>) {
    os << +v;  // int8/uint8 as numbers, not characters
  } else if constexpr (std::is_arithmetic_v<T>) {
    os << v;
  } else if constexpr (requires { v.c[0]; }) {  // vec_t
    os << '[';
    for (size_t i = 0; i < std::extent_v<decltype(v.c)>; ++i) {
      if (i) os << ' ';
      print_element(os, v.c[i]);
    }
    os << ']';
  } else if constexpr (requires { v.data[0][0]; }) {  // mat_t
    os << '[';
    for (size_t r = 0; r < std::extent_v<decltype(v.data)>; ++r) {
      if (r) os << ' ';
      os << '[';
      for (size_t c = 0; c < std::extent_v<decltype(v.data), 1>; ++c) {
        if (c) os << ' ';
        print_element(os, v.data[r][c]);
      }
      os << ']';
    }
    os << ']';
  } else if constexpr (requires { v.x; v.y; v.z; v.w; }) {  // quat_t
    os << '[';
    print_element(os, v.x);
    os << ' ';
    print_element(os, v.y);
    os << ' ';
    print_element(os, v.z);
    os << ' ';
    print_element(os, v.w);
    os << ']';
  } else if constexpr (requires { v.p; v.q; }) {  // transform_t
    os << '[';
    print_element(os, v.p);
    os << ' ';
    print_element(os, v.q);
    os << ']';
  } else if constexpr (std::is_convertible_v<T, float> || std::is_constructible_v<float, T>) {
    os << static_cast<float>(v);  // half
  } else {
    os << "<" << sizeof(T) << " bytes>";
  }
}

[[noreturn]] void host_array_index_error(const Shape& shape, int got_rank, const int64_t* index, int bad_dim);

}  // namespace detail

template <typename T>
class HostArray : public std::vector<T> {
 public:
  HostArray() = default;
  HostArray(std::vector<T> values, const Shape& shape) : std::vector<T>(std::move(values)), shape_(shape) {}

  const Shape& shape() const { return shape_; }
  int ndim() const { return shape_.ndim(); }

  template <typename... I>
    requires(sizeof...(I) >= 1 && (std::is_integral_v<I> && ...))
  const T& operator()(I... index) const {
    return (*this)[flat(index...)];
  }
  template <typename... I>
    requires(sizeof...(I) >= 1 && (std::is_integral_v<I> && ...))
  T& operator()(I... index) {
    return (*this)[flat(index...)];
  }

  friend std::ostream& operator<<(std::ostream& os, const HostArray& a) {
    if (a.shape_.ndim() == 0) return os << "[]";
    a.print(os, 0, 0);
    return os;
  }

 private:
  template <typename... I>
  size_t flat(I... index) const {
    const int64_t idx[] = {static_cast<int64_t>(index)...};
    constexpr int n = static_cast<int>(sizeof...(I));
    if (n != shape_.ndim()) detail::host_array_index_error(shape_, n, idx, -1);
    int64_t offset = 0;
    for (int d = 0; d < n; ++d) {
      if (idx[d] < 0 || idx[d] >= shape_[d]) detail::host_array_index_error(shape_, n, idx, d);
      offset = offset * shape_[d] + idx[d];
    }
    return static_cast<size_t>(offset);
  }

  // Prints the sub-array of dimension `dim` starting at flat element `base`.
  void print(std::ostream& os, int dim, int64_t base) const {
    const int64_t extent = shape_[dim];
    int64_t inner = 1;
    for (int d = dim + 1; d < shape_.ndim(); ++d) inner *= shape_[d];
    const bool summarise = this->size() > 1000 && extent > 6;
    const bool last = dim + 1 == shape_.ndim();
    const std::string between =
        last ? std::string(" ")
             : std::string(static_cast<size_t>(shape_.ndim() - dim - 1), '\n') + std::string(static_cast<size_t>(dim) + 1, ' ');
    os << '[';
    for (int64_t i = 0; i < extent; ++i) {
      if (i > 0) os << between;
      if (summarise && i == 3) {
        os << "..." << between;
        i = extent - 3;
      }
      if (last) detail::print_element(os, (*this)[static_cast<size_t>(base + i)]);
      else print(os, dim + 1, base + i * inner);
    }
    os << ']';
  }

  Shape shape_;
};

}  // namespace wp
