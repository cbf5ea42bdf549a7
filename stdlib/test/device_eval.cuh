// device_eval.cuh — helpers for the stdlib device tests (*.cu): evaluate a functor
// `R f(int i)` (WP_HD operator()) for i in [0, n) on the GPU and on the host, and compare.
//
// Contract:
//  * WP_REQUIRE_GPU() at the top of a TEST skips it when no CUDA device is present.
//  * eval_on_device(f, n) / eval_on_host(f, n) return the n results (R trivially copyable).
//  * expect_close(host, dev, rel_tol, what, abs_tol = 0) compares component by component
//    (wp::component): equal NaN-ness, and |h − d| ≤ max(rel_tol · |h|, abs_tol); tolerances 0
//    demand equal values (== on doubles, so −0 == +0).
#pragma once

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "wp/builtins.h"

#define WP_REQUIRE_GPU()                                                   \
  do {                                                                     \
    int wp_device_count = 0;                                               \
    if (cudaGetDeviceCount(&wp_device_count) != cudaSuccess || wp_device_count == 0) \
      GTEST_SKIP() << "no CUDA device";                                    \
  } while (0)

namespace wp_test {

template <typename F>
using result_of_t = decltype(std::declval<const F&>()(0));

template <typename F>
__global__ void eval_kernel(F f, result_of_t<F>* out, int n) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) out[i] = f(i);
}

template <typename F>
std::vector<result_of_t<F>> eval_on_device(const F& f, int n) {
  using R = result_of_t<F>;
  std::vector<R> host(n);
  R* dev = nullptr;
  EXPECT_EQ(cudaMalloc(&dev, sizeof(R) * n), cudaSuccess);
  eval_kernel<<<(n + 127) / 128, 128>>>(f, dev, n);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(host.data(), dev, sizeof(R) * n, cudaMemcpyDeviceToHost), cudaSuccess);
  cudaFree(dev);
  return host;
}

template <typename F>
std::vector<result_of_t<F>> eval_on_host(const F& f, int n) {
  std::vector<result_of_t<F>> out(n);
  for (int i = 0; i < n; ++i) out[i] = f(i);
  return out;
}

template <typename R>
void expect_close(const std::vector<R>& host, const std::vector<R>& dev, double rel_tol, const char* what,
                  double abs_tol = 0.0) {
  ASSERT_EQ(host.size(), dev.size());
  int failures = 0;
  for (size_t i = 0; i < host.size() && failures < 10; ++i) {
    for (int k = 0; k < wp::component_count_v<R>; ++k) {
      const double h = static_cast<double>(wp::component(host[i], k));
      const double d = static_cast<double>(wp::component(dev[i], k));
      const bool ok = (std::isnan(h) && std::isnan(d)) || h == d ||
                      std::fabs(h - d) <= std::fmax(rel_tol * std::fabs(h), abs_tol);
      if (!ok) {
        ++failures;
        ADD_FAILURE() << what << ": element " << i << " component " << k << ": host " << h << " device " << d;
      }
    }
  }
}

// Same on both sides: evaluate on host and device and compare.
template <typename F>
void expect_device_matches_host(const F& f, int n, double rel_tol, const char* what) {
  expect_close(eval_on_host(f, n), eval_on_device(f, n), rel_tol, what);
}

// A reproducible pseudo-random 32-bit value for index i (same on host and device).
WP_HD uint32_t hash32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

// Uniform in [lo, hi) from index i and a salt.
WP_HD double uniform(int i, uint32_t salt, double lo, double hi) {
  const uint32_t h = hash32(static_cast<uint32_t>(i) * 2654435761u + salt);
  return lo + (hi - lo) * (h / 4294967296.0);
}

}  // namespace wp_test
