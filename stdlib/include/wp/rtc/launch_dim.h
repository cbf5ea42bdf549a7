// wp/rtc/launch_dim.h — wp::Dim, wp::Tid and wp::tid_from_index for device code compiled by
// NVRTC, which cannot include wp/launch.h (host runtime: exceptions, <memory>, <optional>).
//
// Contract: the same layout as wp/launch.h's Dim (int extent_[kMaxDims], int ndim_; the
// launcher passes the host object's bytes as the kernel argument) and Tid, and the same
// row-major tid_from_index; only the device-side accessors. wp/launch.h static_asserts the
// layout it relies on (sizeof(Dim) == (kMaxDims + 1) * sizeof(int)).
#pragma once

#ifndef __CUDACC_RTC__
#error "wp/rtc/launch_dim.h is for NVRTC only; host and nvcc code use wp/launch.h"
#endif

#include "wp/config.h"

namespace wp {

inline constexpr int kMaxDims = 4;  // = wp/shape.h

class Dim {
 public:
  WP_HD int ndim() const { return ndim_; }
  WP_HD int operator[](int d) const { return extent_[d]; }
  WP_HD int64_t size() const {
    int64_t n = 1;
    for (int d = 0; d < ndim_; ++d) n *= extent_[d];
    return n;
  }

 private:
  int extent_[kMaxDims];
  int ndim_;
};

struct Tid {
  int c[kMaxDims];
  WP_HD int operator[](int d) const { return c[d]; }
};

WP_HD Tid tid_from_index(const Dim& dim, int64_t index) {
  Tid t{{0, 0, 0, 0}};
  for (int d = dim.ndim() - 1; d > 0; --d) {
    const int64_t e = dim[d];
    t.c[d] = static_cast<int>(index % e);
    index /= e;
  }
  t.c[0] = static_cast<int>(index);
  return t;
}

}  // namespace wp
