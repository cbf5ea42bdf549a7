// linalg_gpu_util.cuh — device-test helper for the stdlib-a2 .cu tests: a "case" functor writes
// the results of builtin calls into an Out sink; the same functor runs on the host and in a
// one-thread CUDA kernel, and every value must agree within a relative tolerance.
//
// Contract: cases are __host__ __device__ functors `void operator()(Out&) const`; at most kMaxOut
// values. Each TEST must skip itself first when no CUDA device is present (A2_SKIP_WITHOUT_GPU).
#pragma once

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "wp/builtins.h"

namespace a2gpu {

constexpr int kMaxOut = 1024;

struct Out {
  double* p;
  int n = 0;
  WP_HD void put(double x) {
    if (n < kMaxOut) p[n] = x;
    ++n;
  }
  WP_HD void put(float x) { put(static_cast<double>(x)); }
  WP_HD void put(wp::half x) { put(static_cast<double>(static_cast<float>(x))); }
  WP_HD void put(int32_t x) { put(static_cast<double>(x)); }
  WP_HD void put(uint32_t x) { put(static_cast<double>(x)); }
  template <int N, typename T>
  WP_HD void put(const wp::vec_t<N, T>& v) {
    for (int i = 0; i < N; ++i) put(v.c[i]);
  }
  template <int R, int C, typename T>
  WP_HD void put(const wp::mat_t<R, C, T>& m) {
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < C; ++j) put(m.data[i][j]);
  }
  template <typename T>
  WP_HD void put(const wp::quat_t<T>& q) {
    put(q.x), put(q.y), put(q.z), put(q.w);
  }
  template <typename T>
  WP_HD void put(const wp::transform_t<T>& t) {
    put(t.p), put(t.q);
  }
};

template <class Case>
__global__ void case_kernel(Case c, double* out, int* count) {
  Out o{out};
  c(o);
  *count = o.n;
}

#define A2_SKIP_WITHOUT_GPU()                                              \
  do {                                                                     \
    int n_devices = 0;                                                     \
    if (cudaGetDeviceCount(&n_devices) != cudaSuccess || n_devices == 0) { \
      GTEST_SKIP() << "no CUDA device";                                    \
    }                                                                      \
  } while (0)

template <class Case>
void expect_device_matches_host(const Case& c, double rel_tol) {
  std::vector<double> host(kMaxOut, 0.0), dev(kMaxOut, 0.0);
  Out o{host.data()};
  c(o);
  ASSERT_LE(o.n, kMaxOut);
  double* d_out = nullptr;
  int* d_count = nullptr;
  ASSERT_EQ(cudaMalloc(&d_out, kMaxOut * sizeof(double)), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&d_count, sizeof(int)), cudaSuccess);
  case_kernel<<<1, 1>>>(c, d_out, d_count);
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  int count = 0;
  ASSERT_EQ(cudaMemcpy(dev.data(), d_out, kMaxOut * sizeof(double), cudaMemcpyDeviceToHost), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(&count, d_count, sizeof(int), cudaMemcpyDeviceToHost), cudaSuccess);
  cudaFree(d_out);
  cudaFree(d_count);
  ASSERT_EQ(count, o.n);
  for (int i = 0; i < o.n; ++i) {
    if (std::isnan(host[i])) {
      EXPECT_TRUE(std::isnan(dev[i])) << "value " << i;
      continue;
    }
    EXPECT_NEAR(dev[i], host[i], rel_tol * (1.0 + std::fabs(host[i]))) << "value " << i;
  }
}

}  // namespace a2gpu
