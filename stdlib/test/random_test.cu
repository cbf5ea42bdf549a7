// random_test.cu — wp/builtins/random.h in device code: every thread runs the same sequence of
// draws as the host does for its offset; integer draws, states and randf must agree bit for bit,
// the transcendental ones (randn, sample_*) to float rounding, poisson counts almost always.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cassert>
#include <cmath>
#include <vector>

#include "wp/array.h"
#include "wp/builtins/random.h"

namespace {

bool have_gpu() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
}

constexpr int kThreads = 4096;
constexpr int kInts = 6;     // randi, randi(lo, hi), randu, randu(lo, hi), poisson small, poisson large
constexpr int kFloats = 26;  // randf, randf(lo, hi), randn, samplers (2+2+2+3+3+3+3+2+3 = 23)

// Draws the fixed sequence for one offset; `ints`, `floats` receive the results, `state` the
// final state, `cdf_index` a sample_cdf draw.
WP_HD void draw_sequence(int tid, int32_t* ints, float* floats, uint32_t& state,
                         const wp::array_t<float>& cdf, int32_t& cdf_index) {
  state = wp::rand_init(1234, tid);
  ints[0] = wp::randi(state);
  ints[1] = wp::randi(state, -1000, 1000);
  ints[2] = static_cast<int32_t>(wp::randu(state));
  ints[3] = static_cast<int32_t>(wp::randu(state, 5u, 4000000000u));
  floats[0] = wp::randf(state);
  floats[1] = wp::randf(state, -2.0f, 3.0f);
  floats[2] = wp::randn(state);
  int k = 3;
  auto put2 = [&](wp::vec2f v) { floats[k++] = v.c[0], floats[k++] = v.c[1]; };
  auto put3 = [&](wp::vec3f v) { floats[k++] = v.c[0], floats[k++] = v.c[1], floats[k++] = v.c[2]; };
  put2(wp::sample_triangle(state));
  put2(wp::sample_unit_ring(state));
  put2(wp::sample_unit_disk(state));
  put3(wp::sample_unit_sphere_surface(state));
  put3(wp::sample_unit_sphere(state));
  put3(wp::sample_unit_hemisphere_surface(state));
  put3(wp::sample_unit_hemisphere(state));
  put2(wp::sample_unit_square(state));
  put3(wp::sample_unit_cube(state));
  assert(k == kFloats);
  cdf_index = wp::sample_cdf(state, cdf);
  uint32_t ps = state;  // poisson on a copy: the main state stays comparable bit for bit
  ints[4] = static_cast<int32_t>(wp::poisson(ps, 3.5f));
  ints[5] = static_cast<int32_t>(wp::poisson(ps, 42.0f));
}

__global__ void draw_kernel(wp::array_t<int32_t> ints, wp::array_t<float> floats,
                            wp::array_t<uint32_t> states, wp::array_t<float> cdf,
                            wp::array_t<int32_t> cdf_index) {
  const int tid = blockIdx.x * blockDim.x + threadIdx.x;
  if (tid >= kThreads) return;
  draw_sequence(tid, &ints(tid, 0), &floats(tid, 0), states(tid), cdf, cdf_index(tid));
}

TEST(RandomDevice, SameSequencesAsTheHost) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  const std::vector<float> cdf_host = {0.05f, 0.2f, 0.2f, 0.5f, 0.75f, 1.0f};
  wp::array<float> cdf_cpu = wp::from_host(cdf_host, wp::Shape{6});
  wp::array<float> cdf_gpu = wp::from_host(cdf_host, wp::Shape{6}, "cuda:0");
  auto ints = wp::zeros<int32_t>(wp::Shape{kThreads, kInts}, "cuda:0");
  auto floats = wp::zeros<float>(wp::Shape{kThreads, kFloats}, "cuda:0");
  auto states = wp::zeros<uint32_t>(wp::Shape{kThreads}, "cuda:0");
  auto cdf_index = wp::zeros<int32_t>(wp::Shape{kThreads}, "cuda:0");
  draw_kernel<<<kThreads / 128, 128>>>(ints.view(), floats.view(), states.view(), cdf_gpu.view(),
                                       cdf_index.view());
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const auto di = ints.to_host();
  const auto df = floats.to_host();
  const auto ds = states.to_host();
  const auto dc = cdf_index.to_host();
  int poisson_mismatches = 0;
  for (int tid = 0; tid < kThreads; ++tid) {
    int32_t hi[kInts];
    float hf[kFloats] = {};
    uint32_t hs = 0;
    int32_t hc = 0;
    draw_sequence(tid, hi, hf, hs, cdf_cpu.view(), hc);
    for (int k = 0; k < 4; ++k) ASSERT_EQ(di[tid * kInts + k], hi[k]) << "tid " << tid << " int " << k;
    ASSERT_EQ(ds[tid], hs) << "tid " << tid;
    ASSERT_EQ(dc[tid], hc) << "tid " << tid;
    ASSERT_EQ(df[tid * kFloats + 0], hf[0]) << "tid " << tid;           // randf is exact
    ASSERT_NEAR(df[tid * kFloats + 1], hf[1], 1e-6f) << "tid " << tid;  // one FMA rounding apart at most
    for (int k = 2; k < kFloats; ++k)
      ASSERT_NEAR(df[tid * kFloats + k], hf[k], 2e-5f) << "tid " << tid << " float " << k;
    for (int k = 4; k < 6; ++k) poisson_mismatches += di[tid * kInts + k] != hi[k];
  }
  EXPECT_LE(poisson_mismatches, kThreads / 100);  // libm vs CUDA logf may flip a rare rejection test
}

}  // namespace
