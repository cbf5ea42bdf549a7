// noise_test.cu — wp/builtins/noise.h in device code: noise, pnoise, curlnoise and the noise
// adjoints evaluated by GPU threads agree with the host to float rounding.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <vector>

#include "wp/array.h"
#include "wp/builtins/noise.h"

namespace {

constexpr int kPoints = 2048;
constexpr int kOut = 18;

// Every noise entry point at one pseudo-random point; results in out[0..kOut).
WP_HD void evaluate(int i, float* out) {
  uint32_t r = wp::rand_init(99, i);
  const uint32_t s = wp::rand_init(5);
  // Inputs built from integers by one correctly rounded division, so host and device agree
  // exactly (randf(r, lo, hi) may be contracted to an FMA on the device).
  auto coordinate = [&] {
    return static_cast<float>(static_cast<int32_t>(wp::randu(r) % 40000u) - 20000) / 1000.0f;
  };
  const float x = coordinate(), y = coordinate(), z = coordinate(), t = coordinate();
  int k = 0;
  out[k++] = wp::noise(s, x);
  out[k++] = wp::noise(s, wp::vec2f{{x, y}});
  out[k++] = wp::noise(s, wp::vec3f{{x, y, z}});
  out[k++] = wp::noise(s, wp::vec4f{{x, y, z, t}});
  out[k++] = wp::pnoise(s, x + 20.f, 7);
  out[k++] = wp::pnoise(s, wp::vec2f{{x + 20.f, y + 20.f}}, 3, 5);
  out[k++] = wp::pnoise(s, wp::vec3f{{x + 20.f, y + 20.f, z + 20.f}}, 3, 5, 2);
  out[k++] = wp::pnoise(s, wp::vec4f{{x + 20.f, y + 20.f, z + 20.f, t + 20.f}}, 3, 5, 2, 4);
  const wp::vec2f c2 = wp::curlnoise(s, wp::vec2f{{x, y}}, 3u);
  const wp::vec3f c3 = wp::curlnoise(s, wp::vec3f{{x, y, z}}, 2u, 2.5f, 0.4f);
  const wp::vec3f c4 = wp::curlnoise(s, wp::vec4f{{x, y, z, t}});
  for (float v : {c2.c[0], c2.c[1], c3.c[0], c3.c[1], c3.c[2], c4.c[0], c4.c[1], c4.c[2]}) out[k++] = v;
  wp::vec3f adj{};
  uint32_t adj_state = 0;
  wp::adj_noise(s, wp::vec3f{{x, y, z}}, adj_state, adj, 1.0f);
  out[k++] = adj.c[0];
  out[k++] = adj.c[2];
}

__global__ void evaluate_kernel(wp::array_t<float> out) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < kPoints) evaluate(i, &out(i, 0));
}

TEST(NoiseDevice, AgreesWithTheHost) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA device";
  auto out = wp::zeros<float>(wp::Shape{kPoints, kOut}, "cuda:0");
  evaluate_kernel<<<kPoints / 128, 128>>>(out.view());
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const std::vector<float> d = out.to_host();
  for (int i = 0; i < kPoints; ++i) {
    float h[kOut];
    evaluate(i, h);
    for (int k = 0; k < kOut; ++k)
      ASSERT_NEAR(d[i * kOut + k], h[k], 2e-5f * (1.0f + std::fabs(h[k]))) << i << " " << k;
  }
}

}  // namespace
