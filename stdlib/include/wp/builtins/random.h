// wp/builtins/random.h — the Random group: rand_init, randi, randu, randf, randn, poisson,
// sample_cdf and the sample_* geometric samplers, bit-exact with Warp's sequences.
//
// Contract:
//  * Warp's generator is a stateless hash: the state is one uint32 and every draw replaces it
//    with pcg_hash(state) (the PCG-based hash of Jarzynski & Olano, "Hash Functions for GPU
//    Rendering", JCGT 2020), then derives the result from the new state:
//      rand_init(seed)         = pcg_hash(uint32(seed))
//      rand_init(seed, offset) = pcg_hash(uint32(seed) + pcg_hash(uint32(offset)))
//      randu(s)                = s' ;  randi(s) = int32(s')   (two's complement)
//      randu(s, lo, hi)        = s' % (hi - lo) + lo            (uint32 arithmetic)
//      randi(s, lo, hi)        = int32(s' % uint32(hi - lo) + uint32(lo))
//      randf(s)                = (s' >> 8) * 2^-24  ∈ [0, 1 - 2^-24]
//      randf(s, lo, hi)        = (hi - lo) * randf(s) + lo
//    hi == lo divides by zero, as in Warp (undefined).
//  * randn: Box–Muller, sqrt(-2 log(u1 + 5.96e-8)) · cos(2π u2) with u1 drawn BEFORE u2.
//  * poisson(s, lam): lam == 0 → 0; lam < 10 → multiplication method (count draws until the
//    running product of randf() falls to ≤ e^-lam); lam ≥ 10 → Hörmann's transformed rejection
//    (PTRS, 1993) in float32 with the Zhang–Jin log-gamma series. All in float32.
//  * sample_cdf(s, cdf): first index i with cdf[i] >= randf(s) (binary search over cdf's first
//    dimension, honouring its stride); cdf.shape[0] when no entry is large enough.
//  * sample_*: the draw order below is part of the contract (it fixes the sequences):
//      triangle: r = sqrt(u1), (1 - r, u2 · r)             ring: θ = 2π u1, (cos θ, sin θ)
//      disk: r = sqrt(u1), θ = 2π u2                        square/cube: u_i - 0.5 per axis
//      sphere_surface: φ = acos(1 - 2 u1), θ = 2π u2        hemisphere_surface: φ = acos(1 - u1)
//      sphere / hemisphere: as the surfaces, then r = u3^(1/3) scales the point.
//  * Host and device produce identical integer states and randf values; results of
//    transcendental functions (randn, sample_*) may differ in the last ulp between the CUDA
//    math library and the host libm. No adjoints are needed (all rows are NoDiff).
#pragma once

#include <cmath>
#include <cstdint>

#include "wp/builtins/kernel_support.h"

namespace wp {

// ---- float32 math used by the generators (host libm / CUDA math library) ------------------

namespace rand_detail {

inline constexpr float kPi = 3.14159265358979323846f;
inline constexpr float kRandnEpsilon = 5.96e-8f;  // ≈ 2^-24: keeps log()'s argument in (0, 1)

#if defined(__CUDA_ARCH__)
WP_HD float f_sqrt(float x) {
  return ::sqrtf(x);
}
WP_HD float f_log(float x) {
  return ::logf(x);
}
WP_HD float f_exp(float x) {
  return ::expf(x);
}
WP_HD float f_cos(float x) {
  return ::cosf(x);
}
WP_HD float f_sin(float x) {
  return ::sinf(x);
}
WP_HD float f_acos(float x) {
  return ::acosf(x);
}
WP_HD float f_pow(float x, float y) {
  return ::powf(x, y);
}
WP_HD float f_floor(float x) {
  return ::floorf(x);
}
WP_HD float f_abs(float x) {
  return ::fabsf(x);
}
#else
WP_HD float f_sqrt(float x) {
  return std::sqrt(x);
}
WP_HD float f_log(float x) {
  return std::log(x);
}
WP_HD float f_exp(float x) {
  return std::exp(x);
}
WP_HD float f_cos(float x) {
  return std::cos(x);
}
WP_HD float f_sin(float x) {
  return std::sin(x);
}
WP_HD float f_acos(float x) {
  return std::acos(x);
}
WP_HD float f_pow(float x, float y) {
  return std::pow(x, y);
}
WP_HD float f_floor(float x) {
  return std::floor(x);
}
WP_HD float f_abs(float x) {
  return std::fabs(x);
}
#endif

}  // namespace rand_detail

// ---- the hash and the integer draws -----------------------------------------------------------

// One step of the generator: the PCG hash (LCG step, then a data-dependent xorshift and a
// multiply), all in uint32 arithmetic.
WP_HD uint32_t rand_pcg(uint32_t state) {
  const uint32_t lcg = state * 747796405u + 2891336453u;
  const uint32_t word = ((lcg >> ((lcg >> 28u) + 4u)) ^ lcg) * 277803737u;
  return (word >> 22u) ^ word;
}

WP_HD uint32_t rand_init(int32_t seed) {
  return rand_pcg(static_cast<uint32_t>(seed));
}

WP_HD uint32_t rand_init(int32_t seed, int32_t offset) {
  return rand_pcg(static_cast<uint32_t>(seed) + rand_pcg(static_cast<uint32_t>(offset)));
}

WP_HD uint32_t randu(uint32_t& state) {
  state = rand_pcg(state);
  return state;
}

WP_HD uint32_t randu(uint32_t& state, uint32_t low, uint32_t high) {
  state = rand_pcg(state);
  return state % (high - low) + low;
}

WP_HD int32_t randi(uint32_t& state) {
  return static_cast<int32_t>(randu(state));
}

WP_HD int32_t randi(uint32_t& state, int32_t low, int32_t high) {
  const uint32_t span = static_cast<uint32_t>(high) - static_cast<uint32_t>(low);
  state = rand_pcg(state);
  return static_cast<int32_t>(state % span + static_cast<uint32_t>(low));
}

// ---- floats -------------------------------------------------------------------------------

// The top 24 bits of the new state, scaled to [0, 1): 2^24 equally spaced values.
WP_HD float randf(uint32_t& state) {
  state = rand_pcg(state);
  return static_cast<float>(state >> 8) * (1.0f / 16777216.0f);
}

WP_HD float randf(uint32_t& state, float low, float high) {
  return (high - low) * randf(state) + low;
}

WP_HD float randn(uint32_t& state) {
  const float u1 = randf(state);  // sequenced: the radius draw comes first
  const float u2 = randf(state);
  return rand_detail::f_sqrt(-2.0f * rand_detail::f_log(u1 + rand_detail::kRandnEpsilon)) *
         rand_detail::f_cos(2.0f * rand_detail::kPi * u2);
}

// ---- poisson --------------------------------------------------------------------------------

namespace rand_detail {

// log Γ(x) in float32: Stirling's series (coefficients B_2k / (2k (2k-1))) at x0 = x + n ≥ 7,
// then the recurrence log Γ(x) = log Γ(x0) - Σ log(x0 - k). Exact zero at 1 and 2.
WP_HD float log_gamma(float x) {
  const float coeff[10] = {8.333333333333333e-02f,  -2.777777777777778e-03f, 7.936507936507937e-04f,
                           -5.952380952380952e-04f, 8.417508417508418e-04f,  -1.917526917526918e-03f,
                           6.410256410256410e-03f,  -2.955065359477124e-02f, 1.796443723688307e-01f,
                           -1.39243221690590e+00f};
  if (x == 1.0f || x == 2.0f) return 0.0f;
  const uint32_t n = x < 7.0f ? static_cast<uint32_t>(7.0f - x) : 0u;
  float x0 = x + static_cast<float>(n);
  const float inv_sq = (1.0f / x0) * (1.0f / x0);
  float series = coeff[9];
  for (int k = 8; k >= 0; --k) series = series * inv_sq + coeff[k];
  const float half_log_two_pi = 0.5f * 1.8378770664093453f;
  float result = series / x0 + half_log_two_pi + (x0 - 0.5f) * f_log(x0) - x0;
  for (uint32_t k = 1; k <= n; ++k) {
    result -= f_log(x0 - 1.0f);
    x0 -= 1.0f;
  }
  return result;
}

// Small means: multiply uniforms until the product drops to e^-lam.
WP_HD uint32_t poisson_multiplication(uint32_t& state, float lam) {
  const float limit = f_exp(-lam);
  uint32_t count = 0;
  float product = 1.0f;
  for (;;) {
    product *= randf(state);
    if (!(product > limit)) return count;
    ++count;
  }
}

// Large means: Hörmann's PTRS (transformed rejection with squeeze).
WP_HD uint32_t poisson_rejection(uint32_t& state, float lam) {
  const float sqrt_lam = f_sqrt(lam);
  const float log_lam = f_log(lam);
  const float b = 0.931f + 2.53f * sqrt_lam;
  const float a = -0.059f + 0.02483f * b;
  const float inv_alpha = 1.1239f + 1.1328f / (b - 3.4f);
  const float v_r = 0.9277f - 3.6224f / (b - 2.0f);
  for (;;) {
    const float u = randf(state) - 0.5f;
    const float v = randf(state);
    const float us = 0.5f - f_abs(u);
    const float kf = f_floor((2.0f * a / us + b) * u + lam + 0.43f);
    const uint32_t k = kf > 0.0f ? static_cast<uint32_t>(kf) : 0u;  // negative: defined, rejected
    if (us >= 0.07f && v <= v_r) return k;
    if (us < 0.013f && v > us) continue;
    const float lhs = f_log(v) + f_log(inv_alpha) - f_log(a / (us * us) + b);
    const float rhs = -lam + static_cast<float>(k) * log_lam - log_gamma(static_cast<float>(k + 1u));
    if (lhs <= rhs) return k;
  }
}

}  // namespace rand_detail

WP_HD uint32_t poisson(uint32_t& state, float lam) {
  if (lam >= 10.0f) return rand_detail::poisson_rejection(state, lam);
  if (lam == 0.0f) return 0u;
  return rand_detail::poisson_multiplication(state, lam);
}

// ---- sampling ---------------------------------------------------------------------------------

WP_HD int32_t sample_cdf(uint32_t& state, const array_t<float>& cdf) {
  const float u = randf(state);
  int32_t lower = 0;
  int32_t upper = cdf.shape[0];
  while (lower < upper) {
    const int32_t mid = lower + (upper - lower) / 2;
    if (cdf(mid) < u)
      lower = mid + 1;
    else
      upper = mid;
  }
  return lower;
}

WP_HD vec_t<2, float> sample_triangle(uint32_t& state) {
  const float r = rand_detail::f_sqrt(randf(state));
  const float u = 1.0f - r;
  const float v = randf(state) * r;
  return vec_t<2, float>{{u, v}};
}

WP_HD vec_t<2, float> sample_unit_ring(uint32_t& state) {
  const float theta = randf(state, 0.0f, 2.0f * rand_detail::kPi);
  return vec_t<2, float>{{rand_detail::f_cos(theta), rand_detail::f_sin(theta)}};
}

WP_HD vec_t<2, float> sample_unit_disk(uint32_t& state) {
  const float r = rand_detail::f_sqrt(randf(state));
  const float theta = randf(state, 0.0f, 2.0f * rand_detail::kPi);
  return vec_t<2, float>{{r * rand_detail::f_cos(theta), r * rand_detail::f_sin(theta)}};
}

namespace rand_detail {

// The point at polar angle phi and azimuth theta, scaled by r.
WP_HD vec_t<3, float> spherical_point(float phi, float theta, float r) {
  const float sin_phi = f_sin(phi);
  return vec_t<3, float>{{r * f_cos(theta) * sin_phi, r * f_sin(theta) * sin_phi, r * f_cos(phi)}};
}

WP_HD vec_t<3, float> spherical_surface_point(float phi, float theta) {
  const float sin_phi = f_sin(phi);
  return vec_t<3, float>{{f_cos(theta) * sin_phi, f_sin(theta) * sin_phi, f_cos(phi)}};
}

}  // namespace rand_detail

WP_HD vec_t<3, float> sample_unit_sphere_surface(uint32_t& state) {
  const float phi = rand_detail::f_acos(1.0f - 2.0f * randf(state));
  const float theta = randf(state, 0.0f, 2.0f * rand_detail::kPi);
  return rand_detail::spherical_surface_point(phi, theta);
}

WP_HD vec_t<3, float> sample_unit_sphere(uint32_t& state) {
  const float phi = rand_detail::f_acos(1.0f - 2.0f * randf(state));
  const float theta = randf(state, 0.0f, 2.0f * rand_detail::kPi);
  const float r = rand_detail::f_pow(randf(state), 1.0f / 3.0f);
  return rand_detail::spherical_point(phi, theta, r);
}

WP_HD vec_t<3, float> sample_unit_hemisphere_surface(uint32_t& state) {
  const float phi = rand_detail::f_acos(1.0f - randf(state));
  const float theta = randf(state, 0.0f, 2.0f * rand_detail::kPi);
  return rand_detail::spherical_surface_point(phi, theta);
}

WP_HD vec_t<3, float> sample_unit_hemisphere(uint32_t& state) {
  const float phi = rand_detail::f_acos(1.0f - randf(state));
  const float theta = randf(state, 0.0f, 2.0f * rand_detail::kPi);
  const float r = rand_detail::f_pow(randf(state), 1.0f / 3.0f);
  return rand_detail::spherical_point(phi, theta, r);
}

WP_HD vec_t<2, float> sample_unit_square(uint32_t& state) {
  const float x = randf(state) - 0.5f;
  const float y = randf(state) - 0.5f;
  return vec_t<2, float>{{x, y}};
}

WP_HD vec_t<3, float> sample_unit_cube(uint32_t& state) {
  const float x = randf(state) - 0.5f;
  const float y = randf(state) - 0.5f;
  const float z = randf(state) - 0.5f;
  return vec_t<3, float>{{x, y, z}};
}

// Not a builtin row: the 4-D gradient directions of noise() (wp/builtins/noise.h) use it.
WP_HD vec_t<4, float> sample_unit_hypercube(uint32_t& state) {
  vec_t<4, float> p{};
  for (int i = 0; i < 4; ++i) p.c[i] = randf(state) - 0.5f;
  return p;
}

}  // namespace wp
