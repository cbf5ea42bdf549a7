// noise_test.cpp — wp/builtins/noise.h on the host: values against an independent double
// precision re-implementation of the documented construction (script below), lattice zeros,
// continuity, periodicity of pnoise, adjoints against central differences, and curlnoise
// against finite-difference curls of the same potentials (hence divergence ≈ 0).
//
// Reference values: python3, no dependencies:
//
//   import math
//   M = 0xFFFFFFFF
//   def pcg(s):
//       b = (s * 747796405 + 2891336453) & M
//       c = (((b >> ((b >> 28) + 4)) ^ b) * 277803737) & M
//       return (c >> 22) ^ c
//   P = [73856093, 19349663, 53471161, 10000019]
//   def grad(state, corner):          # hash of the corner (state added to the last term)
//       n = len(corner); h = 0
//       for i in range(n - 1): h ^= (corner[i] * P[i]) & M
//       h ^= ((corner[-1] * P[n - 1]) + state) & M
//       g = []
//       for i in range(n):
//           h = pcg(h); g.append((h >> 8) / 16777216.0 - (0.0 if n == 1 else 0.5))
//       if n == 1: return [2 * g[0] - 1]
//       l = math.sqrt(sum(x * x for x in g)); return [x / l for x in g]
//   def s5(t): return t * t * t * (t * (t * 6 - 15) + 10)
//   def noise(state, p, period=None):
//       n = len(p); lo = [math.floor(x) for x in p]; d = [x - f for x, f in zip(p, lo)]
//       hi = [l + 1 for l in lo]
//       if period:  # C remainder (sign of the dividend)
//           lo = [int(math.fmod(l, q)) for l, q in zip(lo, period)]
//           hi = [int(math.fmod(l + 1, q)) for l, q in zip(lo, period)]
//       v = []
//       for k in range(1 << n):
//           up = [(k >> i) & 1 for i in range(n)]
//           g = grad(state, [hi[i] if up[i] else lo[i] for i in range(n)])
//           v.append(sum((d[i] - up[i]) * g[i] for i in range(n)))
//       for i in range(n):
//           v = [v[2 * j] + (v[2 * j + 1] - v[2 * j]) * s5(d[i]) for j in range(len(v) // 2)]
//       return v[0]
//   st = pcg(7)  # rand_init(7) = 2120684060
//   for x in [0.3, 1.75, -2.4, 10.5]: print(noise(st, [x]))
//   for p in [(0.3, 0.7), (-1.2, 3.9), (5.5, -0.25)]: print(noise(st, list(p)))
//   for p in [(0.3, 0.7, 0.1), (-1.2, 3.9, 2.2)]: print(noise(st, list(p)))
//   for p in [(0.3, 0.7, 0.1, 0.9), (-1.2, 3.9, 2.2, -0.6)]: print(noise(st, list(p)))
//   print(noise(st, [2.3, 1.6], [3, 2]), noise(st, [1.3, 2.6, 0.2], [4, 3, 2]))
#include "wp/builtins/noise.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using wp::vec2f;
using wp::vec3f;
using wp::vec4f;

constexpr double kRefTol = 2e-6;  // float32 evaluation against the double reference

TEST(NoiseReference, Values) {
  const uint32_t s = wp::rand_init(7);
  ASSERT_EQ(s, 2120684060u);
  EXPECT_NEAR(wp::noise(s, 0.3f), 0.08225779696083069, kRefTol);
  EXPECT_NEAR(wp::noise(s, 1.75f), 0.04397777438862249, kRefTol);
  EXPECT_NEAR(wp::noise(s, -2.4f), 0.0700993057250976, kRefTol);
  EXPECT_NEAR(wp::noise(s, 10.5f), 0.26155444979667664, kRefTol);
  EXPECT_NEAR(wp::noise(s, vec2f{{0.3f, 0.7f}}), 0.1612071270508052, kRefTol);
  EXPECT_NEAR(wp::noise(s, vec2f{{-1.2f, 3.9f}}), 0.0243275495612284, kRefTol);
  EXPECT_NEAR(wp::noise(s, vec2f{{5.5f, -0.25f}}), 0.25284880601452087, kRefTol);
  EXPECT_NEAR(wp::noise(s, vec3f{{0.3f, 0.7f, 0.1f}}), 0.17695727314327933, kRefTol);
  EXPECT_NEAR(wp::noise(s, vec3f{{-1.2f, 3.9f, 2.2f}}), 0.18434042505201176, kRefTol);
  EXPECT_NEAR(wp::noise(s, vec4f{{0.3f, 0.7f, 0.1f, 0.9f}}), 0.13441456721010225, kRefTol);
  EXPECT_NEAR(wp::noise(s, vec4f{{-1.2f, 3.9f, 2.2f, -0.6f}}), -0.11942429327011053, kRefTol);
  EXPECT_NEAR(wp::pnoise(s, vec2f{{2.3f, 1.6f}}, 3, 2), 0.3751467690317468, kRefTol);
  EXPECT_NEAR(wp::pnoise(s, vec3f{{1.3f, 2.6f, 0.2f}}, 4, 3, 2), 0.10271581542845026, kRefTol);
}

TEST(Noise, ZeroAtLatticePoints) {
  const uint32_t s = wp::rand_init(3);
  EXPECT_EQ(wp::noise(s, 4.0f), 0.0f);
  EXPECT_EQ(wp::noise(s, vec2f{{-2.0f, 7.0f}}), 0.0f);
  EXPECT_EQ(wp::noise(s, vec3f{{1.0f, 0.0f, -5.0f}}), 0.0f);
  EXPECT_EQ(wp::noise(s, vec4f{{1.0f, 2.0f, 3.0f, 4.0f}}), 0.0f);
  EXPECT_EQ(wp::pnoise(s, vec3f{{1.0f, 2.0f, 3.0f}}, 2, 2, 2), 0.0f);
}

TEST(Noise, DeterministicAndSeeded) {
  const vec3f p{{0.37f, 1.91f, -0.42f}};
  EXPECT_EQ(wp::noise(wp::rand_init(1), p), wp::noise(wp::rand_init(1), p));
  EXPECT_NE(wp::noise(wp::rand_init(1), p), wp::noise(wp::rand_init(2), p));
}

// Across every cell face the value joins up: |n(k - e) - n(k + e)| ≤ slope·2e.
TEST(Noise, ContinuousAcrossCellFaces) {
  uint32_t r = wp::rand_init(11);
  const uint32_t s = wp::rand_init(5);
  const float e = 1e-3f;
  for (int trial = 0; trial < 200; ++trial) {
    vec4f p{{wp::randf(r, -8.0f, 8.0f), wp::randf(r, -8.0f, 8.0f), wp::randf(r, -8.0f, 8.0f),
             wp::randf(r, -8.0f, 8.0f)}};
    const int axis = trial % 4;
    p.c[axis] = std::round(p.c[axis]);
    vec4f a = p, b = p;
    a.c[axis] -= e;
    b.c[axis] += e;
    EXPECT_NEAR(wp::noise(s, a), wp::noise(s, b), 0.02f);
    const vec3f a3{{a.c[0], a.c[1], a.c[2]}}, b3{{b.c[0], b.c[1], b.c[2]}};
    if (axis < 3) {
      EXPECT_NEAR(wp::noise(s, a3), wp::noise(s, b3), 0.02f);
    }
    EXPECT_NEAR(wp::noise(s, a.c[axis]), wp::noise(s, b.c[axis]), 0.02f);
  }
}

TEST(Noise, BoundedRange) {
  uint32_t r = wp::rand_init(12);
  const uint32_t s = wp::rand_init(6);
  float lo = 0, hi = 0;
  for (int i = 0; i < 20000; ++i) {
    const float v = wp::noise(
        s, vec3f{{wp::randf(r, -50.f, 50.f), wp::randf(r, -50.f, 50.f), wp::randf(r, -50.f, 50.f)}});
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_LT(hi, 1.5f);
  EXPECT_GT(lo, -1.5f);
  EXPECT_GT(hi - lo, 0.5f);  // and not degenerate
}

TEST(PNoise, PeriodicInEveryAxis) {
  const uint32_t s = wp::rand_init(8);
  // Coordinates that are exact in float, so x + period has exactly the same fraction.
  for (float x : {0.25f, 1.5f, 2.875f}) {
    EXPECT_FLOAT_EQ(wp::pnoise(s, x, 4), wp::pnoise(s, x + 4.0f, 4));
    const vec2f p{{x, 0.625f}};
    EXPECT_FLOAT_EQ(wp::pnoise(s, p, 3, 5), wp::pnoise(s, vec2f{{x + 3.0f, 0.625f}}, 3, 5));
    EXPECT_FLOAT_EQ(wp::pnoise(s, p, 3, 5), wp::pnoise(s, vec2f{{x, 5.625f}}, 3, 5));
    const vec3f q{{x, 0.125f, 1.75f}};
    EXPECT_FLOAT_EQ(wp::pnoise(s, q, 2, 3, 4), wp::pnoise(s, vec3f{{x + 2.0f, 3.125f, 5.75f}}, 2, 3, 4));
    const vec4f t{{x, 0.125f, 1.75f, 0.5f}};
    EXPECT_FLOAT_EQ(wp::pnoise(s, t, 2, 3, 4, 5),
                    wp::pnoise(s, vec4f{{x + 2.0f, 3.125f, 1.75f, 5.5f}}, 2, 3, 4, 5));
  }
  // Continuous across the wrap: the cell [period - 1, period] blends into cell 0.
  EXPECT_NEAR(wp::pnoise(s, 3.999f, 4), wp::pnoise(s, 4.001f, 4), 0.01f);
}

// ---- adjoints vs central differences ----------------------------------------------------------

template <int N, typename F>
wp::vec_t<N, float> central_difference(F f, wp::vec_t<N, float> p, float h) {
  wp::vec_t<N, float> g{};
  for (int i = 0; i < N; ++i) {
    wp::vec_t<N, float> a = p, b = p;
    a.c[i] += h;
    b.c[i] -= h;
    g.c[i] = static_cast<float>((double(f(a)) - double(f(b))) / (double(a.c[i]) - double(b.c[i])));
  }
  return g;
}

template <int N>
void check_noise_adjoint(uint32_t s, wp::vec_t<N, float> p) {
  wp::vec_t<N, float> adj{};
  for (int i = 0; i < N; ++i) adj.c[i] = 0.25f;  // accumulates on top
  uint32_t adj_state = 0;
  wp::adj_noise(s, p, adj_state, adj, 2.0f);
  const auto fd =
      central_difference<N>([&](const wp::vec_t<N, float>& q) { return wp::noise(s, q); }, p, 1e-3f);
  for (int i = 0; i < N; ++i) EXPECT_NEAR(adj.c[i], 0.25f + 2.0f * fd.c[i], 6e-3f) << "axis " << i;
}

TEST(NoiseAdjoint, MatchesCentralDifferences) {
  uint32_t r = wp::rand_init(13);
  const uint32_t s = wp::rand_init(9);
  for (int trial = 0; trial < 20; ++trial) {
    const float x = wp::randf(r, -6.f, 6.f), y = wp::randf(r, -6.f, 6.f), z = wp::randf(r, -6.f, 6.f),
                t = wp::randf(r, -6.f, 6.f);
    float adj_x = 1.0f;
    uint32_t adj_state = 0;
    wp::adj_noise(s, x, adj_state, adj_x, -1.0f);
    const float h = 1e-3f;
    EXPECT_NEAR(adj_x, 1.0f - (wp::noise(s, x + h) - wp::noise(s, x - h)) / ((x + h) - (x - h)), 6e-3f);
    check_noise_adjoint<2>(s, vec2f{{x, y}});
    check_noise_adjoint<3>(s, vec3f{{x, y, z}});
    check_noise_adjoint<4>(s, vec4f{{x, y, z, t}});
  }
}

TEST(PNoiseAdjoint, MatchesCentralDifferences) {
  uint32_t r = wp::rand_init(14);
  const uint32_t s = wp::rand_init(10);
  const float h = 1e-3f;
  for (int trial = 0; trial < 20; ++trial) {
    const float x = wp::randf(r, 0.f, 9.f), y = wp::randf(r, 0.f, 9.f), z = wp::randf(r, 0.f, 9.f),
                t = wp::randf(r, 0.f, 9.f);
    uint32_t adj_state = 0;
    int32_t adj_px = 0, adj_py = 0, adj_pz = 0, adj_pt = 0;
    float adj_x = 0;
    wp::adj_pnoise(s, x, 3, adj_state, adj_x, adj_px, 1.0f);
    EXPECT_NEAR(adj_x, (wp::pnoise(s, x + h, 3) - wp::pnoise(s, x - h, 3)) / ((x + h) - (x - h)), 6e-3f);

    vec2f a2{};
    wp::adj_pnoise(s, vec2f{{x, y}}, 3, 4, adj_state, a2, adj_px, adj_py, 1.0f);
    auto f2 = [&](const vec2f& q) { return wp::pnoise(s, q, 3, 4); };
    const vec2f g2 = central_difference<2>(f2, vec2f{{x, y}}, h);
    for (int i = 0; i < 2; ++i) EXPECT_NEAR(a2.c[i], g2.c[i], 6e-3f);

    vec3f a3{};
    wp::adj_pnoise(s, vec3f{{x, y, z}}, 3, 4, 5, adj_state, a3, adj_px, adj_py, adj_pz, 1.0f);
    auto f3 = [&](const vec3f& q) { return wp::pnoise(s, q, 3, 4, 5); };
    const vec3f g3 = central_difference<3>(f3, vec3f{{x, y, z}}, h);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(a3.c[i], g3.c[i], 6e-3f);

    vec4f a4{};
    wp::adj_pnoise(s, vec4f{{x, y, z, t}}, 3, 4, 5, 6, adj_state, a4, adj_px, adj_py, adj_pz, adj_pt, 1.0f);
    auto f4 = [&](const vec4f& q) { return wp::pnoise(s, q, 3, 4, 5, 6); };
    const vec4f g4 = central_difference<4>(f4, vec4f{{x, y, z, t}}, h);
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(a4.c[i], g4.c[i], 6e-3f);
  }
}

// ---- curlnoise ----------------------------------------------------------------------------------

TEST(CurlNoise, TwoDIsTheRotatedGradientOfNoise) {
  uint32_t r = wp::rand_init(15);
  const uint32_t s = wp::rand_init(16);
  for (int trial = 0; trial < 20; ++trial) {
    const vec2f p{{wp::randf(r, -5.f, 5.f), wp::randf(r, -5.f, 5.f)}};
    const vec2f g = central_difference<2>([&](const vec2f& q) { return wp::noise(s, q); }, p, 1e-3f);
    const vec2f c = wp::curlnoise(s, p);
    EXPECT_NEAR(c.c[0], -g.c[1], 6e-3f);
    EXPECT_NEAR(c.c[1], g.c[0], 6e-3f);
    // Octaves: the second octave is the first at 2p with half the amplitude.
    const vec2f two = wp::curlnoise(s, p, 2u, 2.0f, 0.5f);
    const vec2f fine = wp::curlnoise(s, vec2f{{2.0f * p.c[0], 2.0f * p.c[1]}});
    EXPECT_NEAR(two.c[0], c.c[0] + 0.5f * fine.c[0], 1e-5f);
    EXPECT_NEAR(two.c[1], c.c[1] + 0.5f * fine.c[1], 1e-5f);
  }
}

// The 3-D curl built by finite differences from the three documented potentials.
vec3f fd_curl3(uint32_t s, const vec3f& p) {
  const uint32_t s2 = wp::rand_init(static_cast<int32_t>(s), 10019689);
  const uint32_t s3 = wp::rand_init(static_cast<int32_t>(s2), 13112221);
  auto d = [&](uint32_t st) {
    return central_difference<3>([&](const vec3f& q) { return wp::noise(st, q); }, p, 1e-3f);
  };
  const vec3f g1 = d(s), g2 = d(s2), g3 = d(s3);
  return vec3f{{g3.c[1] - g2.c[2], g1.c[2] - g3.c[0], g2.c[0] - g1.c[1]}};
}

TEST(CurlNoise, ThreeDIsTheCurlOfThreePotentials) {
  uint32_t r = wp::rand_init(17);
  const uint32_t s = wp::rand_init(18);
  for (int trial = 0; trial < 20; ++trial) {
    const vec3f p{{wp::randf(r, -5.f, 5.f), wp::randf(r, -5.f, 5.f), wp::randf(r, -5.f, 5.f)}};
    const vec3f c = wp::curlnoise(s, p);
    const vec3f ref = fd_curl3(s, p);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(c.c[i], ref.c[i], 1e-2f) << "component " << i;
    // Time-varying form at a fixed time has the same structure over x, y, z.
    const vec3f c4 = wp::curlnoise(s, vec4f{{p.c[0], p.c[1], p.c[2], 0.0f}});
    EXPECT_TRUE(std::isfinite(c4.c[0]) && std::isfinite(c4.c[1]) && std::isfinite(c4.c[2]));
  }
}

// div F = Σ ∂F_i/∂x_i by central differences of the field itself.
template <int N, typename F>
double divergence(F field, wp::vec_t<N, float> p, float h, int dims) {
  double div = 0;
  for (int i = 0; i < dims; ++i) {
    wp::vec_t<N, float> a = p, b = p;
    a.c[i] += h;
    b.c[i] -= h;
    div += (double(field(a).c[i]) - double(field(b).c[i])) / (double(a.c[i]) - double(b.c[i]));
  }
  return div;
}

TEST(CurlNoise, DivergenceFree) {
  uint32_t r = wp::rand_init(19);
  const uint32_t s = wp::rand_init(20);
  const float h = 2e-3f;
  for (int trial = 0; trial < 30; ++trial) {
    const float x = wp::randf(r, -4.f, 4.f), y = wp::randf(r, -4.f, 4.f), z = wp::randf(r, -4.f, 4.f);
    const double d2 =
        divergence<2>([&](const vec2f& q) { return wp::curlnoise(s, q, 3u); }, vec2f{{x, y}}, h, 2);
    const double d3 =
        divergence<3>([&](const vec3f& q) { return wp::curlnoise(s, q, 2u); }, vec3f{{x, y, z}}, h, 3);
    const double d4 =
        divergence<4>([&](const vec4f& q) { return wp::curlnoise(s, q); }, vec4f{{x, y, z, 0.3f}}, h, 3);
    EXPECT_NEAR(d2, 0.0, 0.02);
    EXPECT_NEAR(d3, 0.0, 0.02);
    EXPECT_NEAR(d4, 0.0, 0.02);
  }
}

TEST(CurlNoise, NonTrivial) {
  // Guards the divergence test against a field that is simply zero.
  const uint32_t s = wp::rand_init(21);
  const vec3f c = wp::curlnoise(s, vec3f{{0.3f, 0.6f, 0.9f}});
  EXPECT_GT(std::fabs(c.c[0]) + std::fabs(c.c[1]) + std::fabs(c.c[2]), 0.05f);
  const vec2f c2 = wp::curlnoise(s, vec2f{{0.3f, 0.6f}});
  EXPECT_GT(std::fabs(c2.c[0]) + std::fabs(c2.c[1]), 0.05f);
}

}  // namespace
