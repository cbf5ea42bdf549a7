// random_test.cpp — wp/builtins/random.h on the host: exact sequences against numbers derived
// independently from the PCG-hash definition (the Python script below) and against the
// sequence Warp's own test suite pins (seed 42, offsets 0..9), then distribution checks.
//
// Reference values: computed with this script (python3, no dependencies); it re-derives every
// constant in the *Reference tests from the definitions in random.h's contract, using Python's
// unbounded integers masked to 32 bits and double-precision math.
//
//   import math, struct
//   M = 0xFFFFFFFF
//   def f32(x): return struct.unpack('f', struct.pack('f', x))[0]
//   def pcg(s):  # Jarzynski & Olano 2020, PCG hash
//       b = (s * 747796405 + 2891336453) & M
//       c = (((b >> ((b >> 28) + 4)) ^ b) * 277803737) & M
//       return (c >> 22) ^ c
//   def init(seed, off=None):
//       return pcg(seed & M) if off is None else pcg(((seed & M) + pcg(off & M)) & M)
//   def s32(u): return u - (1 << 32) if u >= 1 << 31 else u
//   class R:
//       def __init__(s, st): s.st = st
//       def u(s): s.st = pcg(s.st); return s.st
//       def f(s): return (s.u() >> 8) / 16777216.0
//   print(init(42), init(-7, 3))
//   for tid in range(10):
//       r = R(init(42, tid))
//       print(tid, s32(r.u()), s32(r.u() % 100), repr(r.f()), repr(f32(100.0 * r.f())))
//   r = R(init(1234)); print([r.u() for _ in range(5)])
//   r = R(init(99)); print([r.u() % 10 + 10 for _ in range(5)])
//   r = R(init(7)); print([s32(((r.u() % 100) + ((-50) & M)) & M) for _ in range(5)])
//   r = R(init(5)); u1 = r.f(); u2 = r.f()
//   print(math.sqrt(-2 * math.log(u1 + 5.96e-8)) * math.cos(2 * math.pi * u2))
//   r = R(init(11)); rr = math.sqrt(r.f()); print(1 - rr, r.f() * rr)                 # triangle
//   r = R(init(12)); t = 2*math.pi*r.f(); print(math.cos(t), math.sin(t))            # ring
//   r = R(init(13)); rr = math.sqrt(r.f()); t = 2*math.pi*r.f()
//   print(rr*math.cos(t), rr*math.sin(t))                                            # disk
//   def sph(r, two): ph = math.acos(1 - (2 if two else 1) * r.f()); return ph, 2*math.pi*r.f()
//   def xyz(ph, t, rr=1.0): return rr*math.cos(t)*math.sin(ph), rr*math.sin(t)*math.sin(ph), rr*math.cos(ph)
//   r = R(init(14)); print(xyz(*sph(r, True)))                                         # sphere surface
//   r = R(init(15)); ph, t = sph(r, True); print(xyz(ph, t, r.f() ** (1/3)))          # sphere
//   r = R(init(16)); print(xyz(*sph(r, False)))                                        # hemisphere surface
//   r = R(init(17)); ph, t = sph(r, False); print(xyz(ph, t, r.f() ** (1/3)))         # hemisphere
//   r = R(init(18)); print(r.f() - 0.5, r.f() - 0.5)                                   # square
//   r = R(init(19)); print(r.f() - 0.5, r.f() - 0.5, r.f() - 0.5)                      # cube
//   cdf = [((i + 1) / 10.0) ** 2 for i in range(10)]
//   r = R(init(20)); out = []
//   for _ in range(8):
//       u = f32(r.f()); out.append(next((i for i, c in enumerate(cdf) if f32(c) >= u), 10))
//   print(out)                                                                         # sample_cdf
//   def poisson_small(r, lam):
//       lim = math.exp(-lam); k = 0; p = 1.0
//       while True:
//           p *= r.f()
//           if not p > lim: return k
//           k += 1
//   def poisson_large(r, lam):  # Hoermann 1993, PTRS
//       sl = math.sqrt(lam); ll = math.log(lam); b = 0.931 + 2.53 * sl; a = -0.059 + 0.02483 * b
//       ia = 1.1239 + 1.1328 / (b - 3.4); vr = 0.9277 - 3.6224 / (b - 2)
//       while True:
//           U = r.f() - 0.5; V = r.f(); us = 0.5 - abs(U)
//           k = max(0, math.floor((2 * a / us + b) * U + lam + 0.43))
//           if us >= 0.07 and V <= vr: return k
//           if us < 0.013 and V > us: continue
//           lhs = math.log(V) + math.log(ia) - math.log(a / (us * us) + b)
//           if lhs <= -lam + k * ll - math.lgamma(k + 1): return k
//   r = R(init(21)); print([poisson_small(r, 3.5) for _ in range(8)])
//   r = R(init(22)); print([poisson_large(r, 42.0) for _ in range(8)])
#include "wp/builtins/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "wp/array.h"

namespace {

// ---- exact sequences ---------------------------------------------------------------------------

TEST(RandomReference, RandInitHashesTheSeed) {
  EXPECT_EQ(wp::rand_init(42), 1223963391u);
  EXPECT_EQ(wp::rand_init(-7, 3), 640793285u);
  // The offset form is the plain form of seed + hash(offset).
  EXPECT_EQ(wp::rand_init(5, 9), wp::rand_init(static_cast<int32_t>(5u + wp::rand_pcg(9u))));
}

// Warp's test_rand.py launches rand_init(42, tid) for tid 0..9 and draws randi(), randi(0, 100),
// randf(), randf(0, 100) in that order; these are the values it expects (floats given there to
// ~7 digits; the exact floats below come from the reference script and agree with them).
TEST(RandomReference, MatchesWarpsPinnedSequence) {
  const int32_t int_a[10] = {-575632308, 59537738,   1898992239, 442961864,   -1069147335,
                             -478445524, 1803659809, 2122909397, -1888556360, 334603718};
  const int32_t int_ab[10] = {46, 58, 46, 83, 85, 39, 72, 99, 18, 41};
  const double float_01[10] = {
      0.7296185493469238, 0.8620096445083618, 0.2877083420753479, 0.8187721371650696, 0.18633496761322021,
      0.610123872756958,  0.5643208622932434, 0.7042832374572754, 0.6481265425682068, 0.2767997980117798};
  const double float_ab[10] = {96.04258728027344, 73.33808898925781, 63.60154724121094, 38.647300720214844,
                               71.81388854980469, 64.65808868408203, 77.79791259765625, 46.57960510253906,
                               94.61444854736328, 91.92180633544922};
  for (int tid = 0; tid < 10; ++tid) {
    uint32_t state = wp::rand_init(42, tid);
    EXPECT_EQ(wp::randi(state), int_a[tid]) << tid;
    EXPECT_EQ(wp::randi(state, 0, 100), int_ab[tid]) << tid;
    EXPECT_EQ(wp::randf(state), static_cast<float>(float_01[tid])) << tid;
    EXPECT_FLOAT_EQ(wp::randf(state, 0.0f, 100.0f), static_cast<float>(float_ab[tid])) << tid;
  }
}

TEST(RandomReference, UnsignedAndRangedIntegers) {
  uint32_t s = wp::rand_init(1234);
  for (uint32_t expected : {1692782509u, 1389834272u, 2670203562u, 4175350685u, 1205711925u})
    EXPECT_EQ(wp::randu(s), expected);
  s = wp::rand_init(99);
  for (uint32_t expected : {15u, 11u, 18u, 19u, 17u}) EXPECT_EQ(wp::randu(s, 10u, 20u), expected);
  s = wp::rand_init(7);
  for (int32_t expected : {-13, 37, 16, -8, 46}) EXPECT_EQ(wp::randi(s, -50, 50), expected);
}

TEST(RandomReference, EachDrawAdvancesTheStateByOneHash) {
  uint32_t s = 77u;
  const float f = wp::randf(s);
  EXPECT_EQ(s, wp::rand_pcg(77u));
  EXPECT_EQ(f, static_cast<float>(wp::rand_pcg(77u) >> 8) / 16777216.0f);
  wp::randn(s);  // two draws
  EXPECT_EQ(s, wp::rand_pcg(wp::rand_pcg(wp::rand_pcg(77u))));
}

TEST(RandomReference, Randn) {
  uint32_t s = wp::rand_init(5);
  EXPECT_NEAR(wp::randn(s), 0.6908735984444957, 2e-6);
}

void expect_vec_near(const float* got, std::initializer_list<double> want, double tol) {
  int i = 0;
  for (double w : want) EXPECT_NEAR(got[i++], w, tol) << "component " << i - 1;
}

TEST(RandomReference, Samplers) {
  uint32_t s = wp::rand_init(11);
  expect_vec_near(wp::sample_triangle(s).c, {0.07547226796086981, 0.5979717354400148}, 2e-6);
  s = wp::rand_init(12);
  expect_vec_near(wp::sample_unit_ring(s).c, {-0.4517492857382962, 0.892144933760731}, 2e-6);
  s = wp::rand_init(13);
  expect_vec_near(wp::sample_unit_disk(s).c, {-0.14387060166602134, -0.17051411164552738}, 2e-6);
  s = wp::rand_init(14);
  expect_vec_near(wp::sample_unit_sphere_surface(s).c,
                  {-0.6114566940811785, -0.23043966486250217, -0.7569797039031982}, 2e-6);
  s = wp::rand_init(15);
  expect_vec_near(wp::sample_unit_sphere(s).c,
                  {0.29305556376458114, -0.2836262760528323, -0.036553623141111186}, 2e-6);
  s = wp::rand_init(16);
  expect_vec_near(wp::sample_unit_hemisphere_surface(s).c,
                  {0.24629297024517724, -0.96149675043883, 0.12191706895828242}, 2e-6);
  s = wp::rand_init(17);
  expect_vec_near(wp::sample_unit_hemisphere(s).c,
                  {0.49608884930928016, 0.3273786068873464, 0.285605393473165}, 2e-6);
  s = wp::rand_init(18);
  expect_vec_near(wp::sample_unit_square(s).c, {0.3847079873085022, -0.30189257860183716}, 0.0);
  s = wp::rand_init(19);
  expect_vec_near(wp::sample_unit_cube(s).c,
                  {0.054204344749450684, -0.022036194801330566, 0.07653748989105225}, 0.0);
}

TEST(RandomReference, SampleCdf) {
  std::vector<float> cdf;
  for (int i = 0; i < 10; ++i) cdf.push_back(static_cast<float>(((i + 1) / 10.0) * ((i + 1) / 10.0)));
  wp::array<float> a = wp::from_host(cdf, wp::Shape{10});
  uint32_t s = wp::rand_init(20);
  for (int32_t expected : {9, 4, 7, 9, 7, 8, 9, 5}) EXPECT_EQ(wp::sample_cdf(s, a.view()), expected);
}

TEST(RandomReference, SampleCdfHonoursStrides) {
  // The same cdf stored in every other slot of a 20-element buffer.
  std::vector<float> buffer(20, -1.0f);
  for (int i = 0; i < 10; ++i) buffer[2 * i] = static_cast<float>(((i + 1) / 10.0) * ((i + 1) / 10.0));
  wp::array<float> a(buffer.data(), wp::Shape{10}, wp::Strides{8});
  uint32_t s = wp::rand_init(20);
  for (int32_t expected : {9, 4, 7, 9, 7, 8, 9, 5}) EXPECT_EQ(wp::sample_cdf(s, a.view()), expected);
}

TEST(RandomReference, Poisson) {
  uint32_t s = wp::rand_init(21);
  for (uint32_t expected : {1u, 5u, 4u, 2u, 2u, 4u, 4u, 8u}) EXPECT_EQ(wp::poisson(s, 3.5f), expected);
  s = wp::rand_init(22);
  for (uint32_t expected : {32u, 46u, 35u, 35u, 56u, 39u, 47u, 31u})
    EXPECT_EQ(wp::poisson(s, 42.0f), expected);
  s = 123u;
  EXPECT_EQ(wp::poisson(s, 0.0f), 0u);
  EXPECT_EQ(s, 123u);  // lam == 0 draws nothing
}

// ---- distributions -----------------------------------------------------------------------------

struct Moments {
  double mean = 0, var = 0;
};

template <typename F>
Moments moments(int n, F draw) {
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / n;
  return {mean, sum_sq / n - mean * mean};
}

constexpr int kDraws = 400000;

TEST(RandomDistribution, UniformFloats) {
  uint32_t s = wp::rand_init(1);
  float lo = 1.0f, hi = 0.0f;
  const Moments m = moments(kDraws, [&] {
    const float f = wp::randf(s);
    lo = std::min(lo, f);
    hi = std::max(hi, f);
    return f;
  });
  EXPECT_GE(lo, 0.0f);
  EXPECT_LT(hi, 1.0f);
  EXPECT_NEAR(m.mean, 0.5, 0.003);
  EXPECT_NEAR(m.var, 1.0 / 12.0, 0.001);
  const Moments r = moments(kDraws, [&] { return wp::randf(s, -3.0f, 5.0f); });
  EXPECT_NEAR(r.mean, 1.0, 0.03);
  EXPECT_NEAR(r.var, 64.0 / 12.0, 0.05);
}

TEST(RandomDistribution, RangedIntegersStayInRangeAndCoverIt) {
  uint32_t s = wp::rand_init(2);
  int counts[7] = {};
  for (int i = 0; i < 70000; ++i) {
    const int32_t v = wp::randi(s, -3, 4);
    ASSERT_GE(v, -3);
    ASSERT_LT(v, 4);
    ++counts[v + 3];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);
  for (int i = 0; i < 10000; ++i) {
    const uint32_t u = wp::randu(s, 4000000000u, 4000000010u);
    ASSERT_GE(u, 4000000000u);
    ASSERT_LT(u, 4000000010u);
  }
}

TEST(RandomDistribution, NormalHasUnitVariance) {
  uint32_t s = wp::rand_init(3);
  const Moments m = moments(kDraws, [&] { return wp::randn(s); });
  EXPECT_NEAR(m.mean, 0.0, 0.01);
  EXPECT_NEAR(m.var, 1.0, 0.01);
}

TEST(RandomDistribution, PoissonMeanAndVarianceEqualLambda) {
  for (float lam : {0.5f, 3.0f, 9.9f, 10.0f, 42.0f, 1000.0f}) {
    uint32_t s = wp::rand_init(4, static_cast<int32_t>(lam * 10));
    const Moments m = moments(100000, [&] { return static_cast<double>(wp::poisson(s, lam)); });
    EXPECT_NEAR(m.mean, lam, 0.02 * lam + 0.02) << lam;
    EXPECT_NEAR(m.var, lam, 0.05 * lam + 0.02) << lam;
  }
}

TEST(RandomDistribution, SampleCdfFollowsThePdf) {
  std::vector<float> cdf = {0.1f, 0.3f, 0.6f, 1.0f};  // pdf 0.1 0.2 0.3 0.4
  wp::array<float> a = wp::from_host(cdf, wp::Shape{4});
  uint32_t s = wp::rand_init(5);
  int counts[4] = {};
  for (int i = 0; i < 100000; ++i) ++counts[wp::sample_cdf(s, a.view())];
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(counts[k] / 100000.0, 0.1 * (k + 1), 0.006) << k;
}

TEST(RandomDistribution, PlanarSamplersStayInTheirShapes) {
  uint32_t s = wp::rand_init(6);
  double ring_r = 0, disk_r2 = 0, tri_u = 0;
  for (int i = 0; i < 100000; ++i) {
    const wp::vec2f ring = wp::sample_unit_ring(s);
    ring_r += std::hypot(ring.c[0], ring.c[1]);
    const wp::vec2f disk = wp::sample_unit_disk(s);
    const double r2 = double(disk.c[0]) * disk.c[0] + double(disk.c[1]) * disk.c[1];
    ASSERT_LE(r2, 1.0 + 1e-6);
    disk_r2 += r2;
    const wp::vec2f t = wp::sample_triangle(s);
    ASSERT_GE(t.c[0], 0.0f);
    ASSERT_GE(t.c[1], 0.0f);
    ASSERT_LE(t.c[0] + t.c[1], 1.0f + 1e-6f);
    tri_u += t.c[0];
    const wp::vec2f q = wp::sample_unit_square(s);
    ASSERT_TRUE(q.c[0] >= -0.5f && q.c[0] < 0.5f && q.c[1] >= -0.5f && q.c[1] < 0.5f);
  }
  EXPECT_NEAR(ring_r / 100000, 1.0, 1e-6);
  EXPECT_NEAR(disk_r2 / 100000, 0.5, 0.005);      // uniform in the disk: E[r²] = 1/2
  EXPECT_NEAR(tri_u / 100000, 1.0 / 3.0, 0.005);  // uniform barycentrics: E[u] = 1/3
}

TEST(RandomDistribution, SphericalSamplersStayInTheirShapes) {
  uint32_t s = wp::rand_init(7);
  double ball_r3 = 0, surface_z = 0, hemi_z = 0, half_ball_r3 = 0;
  auto norm = [](const wp::vec3f& v) {
    return std::sqrt(double(v.c[0]) * v.c[0] + double(v.c[1]) * v.c[1] + double(v.c[2]) * v.c[2]);
  };
  for (int i = 0; i < 100000; ++i) {
    const wp::vec3f a = wp::sample_unit_sphere_surface(s);
    ASSERT_NEAR(norm(a), 1.0, 1e-6);
    surface_z += a.c[2];
    const wp::vec3f b = wp::sample_unit_sphere(s);
    ASSERT_LE(norm(b), 1.0 + 1e-6);
    ball_r3 += std::pow(norm(b), 3);
    const wp::vec3f c = wp::sample_unit_hemisphere_surface(s);
    ASSERT_NEAR(norm(c), 1.0, 1e-6);
    ASSERT_GE(c.c[2], 0.0f);
    hemi_z += c.c[2];
    const wp::vec3f d = wp::sample_unit_hemisphere(s);
    ASSERT_LE(norm(d), 1.0 + 1e-6);
    ASSERT_GE(d.c[2], 0.0f);
    half_ball_r3 += std::pow(norm(d), 3);
    const wp::vec3f e = wp::sample_unit_cube(s);
    for (float x : e.c) ASSERT_TRUE(x >= -0.5f && x < 0.5f);
  }
  EXPECT_NEAR(surface_z / 100000, 0.0, 0.01);
  EXPECT_NEAR(hemi_z / 100000, 0.5, 0.005);   // uniform on the hemisphere: E[z] = 1/2
  EXPECT_NEAR(ball_r3 / 100000, 0.5, 0.005);  // uniform in the ball: r³ is uniform on [0, 1]
  EXPECT_NEAR(half_ball_r3 / 100000, 0.5, 0.005);
}

TEST(RandomDistribution, OffsetsGiveDistinctStreams) {
  // Neighbouring threads (offsets) must not repeat each other's first draws.
  std::vector<uint32_t> firsts;
  for (int tid = 0; tid < 4096; ++tid) {
    uint32_t s = wp::rand_init(42, tid);
    firsts.push_back(wp::randu(s));
  }
  std::sort(firsts.begin(), firsts.end());
  EXPECT_EQ(std::adjacent_find(firsts.begin(), firsts.end()), firsts.end());
}

}  // namespace
