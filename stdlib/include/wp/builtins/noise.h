// wp/builtins/noise.h — the Noise group: noise, pnoise (Perlin gradient noise in 1–4 D,
// plain and periodic), curlnoise (divergence-free fields in 2-D, 3-D and 3-D + time), and the
// adjoints of all three. Warp's construction, so the same seeds give the same fields:
//
// Contract:
//  * The lattice: for a point p, cell corner c0 = floor(p) per axis, c1 = c0 + 1, and
//    fraction d = p - floor(p). pnoise wraps both corners: c0 = floor(p) % period,
//    c1 = (c0 + 1) % period, with C's remainder (sign of the dividend) as Warp does — so
//    pnoise is periodic in each axis for points whose coordinates stay ≥ 0.
//  * Each corner carries a pseudo-random gradient: a hash h of the corner's integer
//    coordinates (uint32 arithmetic; Warp's operator precedence kept: the state is added to
//    the LAST product only) seeds the generator of wp/builtins/random.h:
//      1-D: h = x·73856093 + state, gradient = randf(h, -1, 1)
//      n-D: h = x·73856093 ^ y·19349663 [^ z·53471161 [^ t·10000019]] + state (on the last
//           term), gradient = normalize(sample_unit_square/cube/hypercube(h)).
//  * The value blends the 2^N corner dot products g·(p - corner) axis by axis, in the
//    order x, y, z, t, with the quintic smootherstep
//    s(t) = t³(t(6t - 15) + 10): lerp(a0, a1, t) = (a1 - a0)·s(t) + a0.
//    Consequently noise is C², deterministic, and exactly 0 at lattice points.
//  * Gradients (adjoints and curl) are the exact derivatives of that expression with respect
//    to the point (not finite differences).
//  * curlnoise: octaves of gradients at p·freq (freq *= lacunarity, amplitude *= gain,
//    starting at 1); 2-D returns (-∂ψ/∂y, ∂ψ/∂x); 3-D / 4-D use three potentials whose seeds
//    advance per octave as state = rand_init(state, 10019689) then rand_init(state, 13112221)
//    and return curl(ψ1, ψ2, ψ3) over the first three axes.
//  * adj_curlnoise: the exact Jacobian-transpose product. The curl is linear in the potentials'
//    gradients, so the adjoint of the point is Σ_octaves amplitude·freq·H(freq·p)·w per
//    potential, H the potential's Hessian and w the output adjoint mapped through the curl's
//    sign pattern (H·w is the directional derivative of the blended gradient, computed
//    alongside it). state, octaves, lacunarity and gain get no gradient (as in Warp).
#pragma once

#include <cstdint>

#include "wp/builtins/kernel_support.h"
#include "wp/builtins/random.h"

namespace wp {

namespace noise_detail {

WP_HD float smootherstep(float t) {
  return t * t * t * (t * (t * 6.0f - 15.0f) + 10.0f);
}
WP_HD float smootherstep_gradient(float t) {
  return 30.0f * t * t * (t * (t - 2.0f) + 1.0f);
}
WP_HD float interpolate(float a0, float a1, float t) {
  return (a1 - a0) * smootherstep(t) + a0;
}

// d/dp of interpolate(a0(p), a1(p), t(p)) where t's gradient is the unit vector along `axis`.
template <int N>
WP_HD vec_t<N, float> interpolate_gradient(float a0, float a1, float t, const vec_t<N, float>& g0,
                                           const vec_t<N, float>& g1, int axis) {
  const float s = smootherstep(t);
  const float slope = (a1 - a0) * smootherstep_gradient(t);
  vec_t<N, float> r{};
  for (int i = 0; i < N; ++i) r.c[i] = (g1.c[i] - g0.c[i]) * s + slope * (i == axis ? 1.0f : 0.0f) + g0.c[i];
  return r;
}

// The gradient direction attached to a lattice corner.
template <int N>
WP_HD vec_t<N, float> corner_gradient(uint32_t state, const int32_t (&corner)[N]) {
  constexpr uint32_t primes[4] = {73856093u, 19349663u, 53471161u, 10000019u};
  uint32_t h = 0;
  for (int i = 0; i + 1 < N; ++i) h ^= static_cast<uint32_t>(corner[i]) * primes[i];
  h ^= static_cast<uint32_t>(corner[N - 1]) * primes[N - 1] + state;
  vec_t<N, float> g{};
  if constexpr (N == 1) {
    g.c[0] = randf(h, -1.0f, 1.0f);
    return g;
  } else {
    for (int i = 0; i < N; ++i) g.c[i] = randf(h) - 0.5f;
    float len_sq = g.c[0] * g.c[0];
    for (int i = 1; i < N; ++i) len_sq = len_sq + g.c[i] * g.c[i];
    const float len = rand_detail::f_sqrt(len_sq);
    if (!(len > 0.0f)) return vec_t<N, float>{};
    for (int i = 0; i < N; ++i) g.c[i] = g.c[i] / len;
    return g;
  }
}

// The cell of a point: lower and upper corners and the fraction within the cell.
template <int N>
struct Cell {
  int32_t lo[N];
  int32_t hi[N];
  float frac[N];
};

template <int N>
WP_HD Cell<N> make_cell(const float (&p)[N]) {
  Cell<N> cell{};
  for (int i = 0; i < N; ++i) {
    const float f = rand_detail::f_floor(p[i]);
    cell.frac[i] = p[i] - f;
    cell.lo[i] = static_cast<int32_t>(f);
    cell.hi[i] = cell.lo[i] + 1;
  }
  return cell;
}

template <int N>
WP_HD Cell<N> make_periodic_cell(const float (&p)[N], const int32_t (&period)[N]) {
  Cell<N> cell = make_cell<N>(p);
  for (int i = 0; i < N; ++i) {
    cell.lo[i] = cell.lo[i] % period[i];
    cell.hi[i] = (cell.lo[i] + 1) % period[i];
  }
  return cell;
}

// Corner k (bit i of k set: upper corner along axis i): its gradient and its dot product
// with the offset from the corner to the point.
template <int N>
WP_HD float corner_value(uint32_t state, const Cell<N>& cell, int k, vec_t<N, float>* gradient_out) {
  int32_t corner[N];
  float offset[N];
  for (int i = 0; i < N; ++i) {
    const bool upper = ((k >> i) & 1) != 0;
    corner[i] = upper ? cell.hi[i] : cell.lo[i];
    offset[i] = upper ? cell.frac[i] - 1.0f : cell.frac[i];
  }
  const vec_t<N, float> g = corner_gradient<N>(state, corner);
  if (gradient_out) *gradient_out = g;
  float v = offset[0] * g.c[0];
  for (int i = 1; i < N; ++i) v = v + offset[i] * g.c[i];
  return v;
}

// Noise value: blend the 2^N corner values axis by axis (x first).
template <int N>
WP_HD float cell_noise(uint32_t state, const Cell<N>& cell) {
  float v[1 << N];
  for (int k = 0; k < (1 << N); ++k) v[k] = corner_value<N>(state, cell, k, nullptr);
  for (int axis = 0, count = 1 << N; axis < N; ++axis, count >>= 1)
    for (int j = 0; j < count / 2; ++j) v[j] = interpolate(v[2 * j], v[2 * j + 1], cell.frac[axis]);
  return v[0];
}

// Noise gradient with respect to the point, blended alongside the values.
template <int N>
WP_HD vec_t<N, float> cell_noise_gradient(uint32_t state, const Cell<N>& cell) {
  float v[1 << N];
  vec_t<N, float> g[1 << N];
  for (int k = 0; k < (1 << N); ++k) v[k] = corner_value<N>(state, cell, k, &g[k]);
  for (int axis = 0, count = 1 << N; axis < N; ++axis, count >>= 1) {
    for (int j = 0; j < count / 2; ++j) {
      const float t = cell.frac[axis];
      g[j] = interpolate_gradient<N>(v[2 * j], v[2 * j + 1], t, g[2 * j], g[2 * j + 1], axis);
      v[j] = interpolate(v[2 * j], v[2 * j + 1], t);
    }
  }
  return g[0];
}

template <int N>
WP_HD void point_of(const vec_t<N, float>& v, float (&p)[N]) {
  for (int i = 0; i < N; ++i) p[i] = v.c[i];
}

template <int N>
WP_HD void accumulate(vec_t<N, float>& adj, const vec_t<N, float>& g, float adj_ret) {
  for (int i = 0; i < N; ++i) adj.c[i] += g.c[i] * adj_ret;
}

}  // namespace noise_detail

// ---- noise ------------------------------------------------------------------------------------

WP_HD float noise(uint32_t state, float x) {
  const float p[1] = {x};
  return noise_detail::cell_noise<1>(state, noise_detail::make_cell<1>(p));
}

template <int N>
WP_HD float noise(uint32_t state, const vec_t<N, float>& xyz) {
  static_assert(N >= 2 && N <= 4, "noise takes a float, vec2f, vec3f or vec4f");
  float p[N];
  noise_detail::point_of<N>(xyz, p);
  return noise_detail::cell_noise<N>(state, noise_detail::make_cell<N>(p));
}

WP_HD void adj_noise(uint32_t state, float x, uint32_t& adj_state, float& adj_x, const float& adj_ret) {
  (void)adj_state;
  const float p[1] = {x};
  adj_x += noise_detail::cell_noise_gradient<1>(state, noise_detail::make_cell<1>(p)).c[0] * adj_ret;
}

template <int N>
WP_HD void adj_noise(uint32_t state, const vec_t<N, float>& xyz, uint32_t& adj_state,
                     vec_t<N, float>& adj_xyz, const float& adj_ret) {
  (void)adj_state;
  float p[N];
  noise_detail::point_of<N>(xyz, p);
  const vec_t<N, float> g = noise_detail::cell_noise_gradient<N>(state, noise_detail::make_cell<N>(p));
  noise_detail::accumulate<N>(adj_xyz, g, adj_ret);
}

// ---- pnoise -----------------------------------------------------------------------------------

WP_HD float pnoise(uint32_t state, float x, int32_t px) {
  const float p[1] = {x};
  const int32_t period[1] = {px};
  return noise_detail::cell_noise<1>(state, noise_detail::make_periodic_cell<1>(p, period));
}

WP_HD float pnoise(uint32_t state, const vec_t<2, float>& xy, int32_t px, int32_t py) {
  const float p[2] = {xy.c[0], xy.c[1]};
  const int32_t period[2] = {px, py};
  return noise_detail::cell_noise<2>(state, noise_detail::make_periodic_cell<2>(p, period));
}

WP_HD float pnoise(uint32_t state, const vec_t<3, float>& xyz, int32_t px, int32_t py, int32_t pz) {
  const float p[3] = {xyz.c[0], xyz.c[1], xyz.c[2]};
  const int32_t period[3] = {px, py, pz};
  return noise_detail::cell_noise<3>(state, noise_detail::make_periodic_cell<3>(p, period));
}

WP_HD float pnoise(uint32_t state, const vec_t<4, float>& xyzt, int32_t px, int32_t py, int32_t pz,
                   int32_t pt) {
  const float p[4] = {xyzt.c[0], xyzt.c[1], xyzt.c[2], xyzt.c[3]};
  const int32_t period[4] = {px, py, pz, pt};
  return noise_detail::cell_noise<4>(state, noise_detail::make_periodic_cell<4>(p, period));
}

WP_HD void adj_pnoise(uint32_t state, float x, int32_t px, uint32_t& adj_state, float& adj_x, int32_t& adj_px,
                      const float& adj_ret) {
  (void)adj_state, (void)adj_px;
  const float p[1] = {x};
  const int32_t period[1] = {px};
  const auto cell = noise_detail::make_periodic_cell<1>(p, period);
  adj_x += noise_detail::cell_noise_gradient<1>(state, cell).c[0] * adj_ret;
}

WP_HD void adj_pnoise(uint32_t state, const vec_t<2, float>& xy, int32_t px, int32_t py, uint32_t& adj_state,
                      vec_t<2, float>& adj_xy, int32_t& adj_px, int32_t& adj_py, const float& adj_ret) {
  (void)adj_state, (void)adj_px, (void)adj_py;
  const float p[2] = {xy.c[0], xy.c[1]};
  const int32_t period[2] = {px, py};
  const auto cell = noise_detail::make_periodic_cell<2>(p, period);
  noise_detail::accumulate<2>(adj_xy, noise_detail::cell_noise_gradient<2>(state, cell), adj_ret);
}

WP_HD void adj_pnoise(uint32_t state, const vec_t<3, float>& xyz, int32_t px, int32_t py, int32_t pz,
                      uint32_t& adj_state, vec_t<3, float>& adj_xyz, int32_t& adj_px, int32_t& adj_py,
                      int32_t& adj_pz, const float& adj_ret) {
  (void)adj_state, (void)adj_px, (void)adj_py, (void)adj_pz;
  const float p[3] = {xyz.c[0], xyz.c[1], xyz.c[2]};
  const int32_t period[3] = {px, py, pz};
  const auto cell = noise_detail::make_periodic_cell<3>(p, period);
  noise_detail::accumulate<3>(adj_xyz, noise_detail::cell_noise_gradient<3>(state, cell), adj_ret);
}

WP_HD void adj_pnoise(uint32_t state, const vec_t<4, float>& xyzt, int32_t px, int32_t py, int32_t pz,
                      int32_t pt, uint32_t& adj_state, vec_t<4, float>& adj_xyzt, int32_t& adj_px,
                      int32_t& adj_py, int32_t& adj_pz, int32_t& adj_pt, const float& adj_ret) {
  (void)adj_state, (void)adj_px, (void)adj_py, (void)adj_pz, (void)adj_pt;
  const float p[4] = {xyzt.c[0], xyzt.c[1], xyzt.c[2], xyzt.c[3]};
  const int32_t period[4] = {px, py, pz, pt};
  const auto cell = noise_detail::make_periodic_cell<4>(p, period);
  noise_detail::accumulate<4>(adj_xyzt, noise_detail::cell_noise_gradient<4>(state, cell), adj_ret);
}

// ---- curlnoise --------------------------------------------------------------------------------

namespace noise_detail {

// ∇ψ at freq·p for one octave.
template <int N>
WP_HD vec_t<N, float> octave_gradient(uint32_t state, const vec_t<N, float>& xyz, float freq) {
  float p[N];
  for (int i = 0; i < N; ++i) p[i] = freq * xyz.c[i];
  return cell_noise_gradient<N>(state, make_cell<N>(p));
}

template <int N>
WP_HD void add_scaled(vec_t<N, float>& sum, float amplitude, const vec_t<N, float>& g) {
  for (int i = 0; i < N; ++i) sum.c[i] = sum.c[i] + amplitude * g.c[i];
}

// curl(ψ1, ψ2, ψ3) for the 3-D and 4-D (time-varying) forms.
template <int N>
WP_HD vec_t<3, float> curl3(uint32_t state, const vec_t<N, float>& xyz, uint32_t octaves, float lacunarity,
                            float gain) {
  vec_t<N, float> s1{}, s2{}, s3{};
  float freq = 1.0f;
  float amplitude = 1.0f;
  for (uint32_t i = 0; i < octaves; ++i) {
    const vec_t<N, float> g1 = octave_gradient<N>(state, xyz, freq);
    state = rand_init(static_cast<int32_t>(state), 10019689);
    const vec_t<N, float> g2 = octave_gradient<N>(state, xyz, freq);
    state = rand_init(static_cast<int32_t>(state), 13112221);
    const vec_t<N, float> g3 = octave_gradient<N>(state, xyz, freq);
    add_scaled<N>(s1, amplitude, g1);
    add_scaled<N>(s2, amplitude, g2);
    add_scaled<N>(s3, amplitude, g3);
    amplitude *= gain;
    freq *= lacunarity;
  }
  return vec_t<3, float>{{s3.c[1] - s2.c[2], s1.c[2] - s3.c[0], s2.c[0] - s1.c[1]}};
}

// H·u: the derivative of the noise gradient along u, blended with the values and gradients
// (corner gradients are constant, so only the smootherstep weights carry second derivatives).
template <int N>
WP_HD vec_t<N, float> cell_noise_hessian_times(uint32_t state, const Cell<N>& cell, const vec_t<N, float>& u) {
  float v[1 << N], dv[1 << N];
  vec_t<N, float> g[1 << N], dg[1 << N];
  for (int k = 0; k < (1 << N); ++k) {
    v[k] = corner_value<N>(state, cell, k, &g[k]);
    dv[k] = 0.0f;
    for (int i = 0; i < N; ++i) dv[k] += g[k].c[i] * u.c[i];
    dg[k] = vec_t<N, float>{};
  }
  for (int axis = 0, count = 1 << N; axis < N; ++axis, count >>= 1) {
    const float t = cell.frac[axis], s = smootherstep(t), s1 = smootherstep_gradient(t);
    const float s2 = 60.0f * t * (t * (2.0f * t - 3.0f) + 1.0f), ua = u.c[axis];
    for (int j = 0; j < count / 2; ++j) {
      const int a = 2 * j, b = 2 * j + 1;
      const float dvalue = v[b] - v[a], ddvalue = dv[b] - dv[a];
      for (int i = 0; i < N; ++i) {
        const float bump = i == axis ? ddvalue * s1 + dvalue * s2 * ua : 0.0f;
        dg[j].c[i] = (dg[b].c[i] - dg[a].c[i]) * s + (g[b].c[i] - g[a].c[i]) * s1 * ua + bump + dg[a].c[i];
        g[j].c[i] = (g[b].c[i] - g[a].c[i]) * s + (i == axis ? dvalue * s1 : 0.0f) + g[a].c[i];
      }
      dv[j] = ddvalue * s + dvalue * s1 * ua + dv[a];
      v[j] = dvalue * s + v[a];
    }
  }
  return dg[0];
}

// adj_p += amplitude·freq·H(freq·p)·w for one potential of one octave.
template <int N>
WP_HD void octave_hessian_acc(uint32_t state, const vec_t<N, float>& xyz, float freq, float amplitude,
                              const vec_t<N, float>& w, vec_t<N, float>& adj_p) {
  float p[N];
  for (int i = 0; i < N; ++i) p[i] = freq * xyz.c[i];
  const vec_t<N, float> h = cell_noise_hessian_times<N>(state, make_cell<N>(p), w);
  for (int i = 0; i < N; ++i) adj_p.c[i] += amplitude * freq * h.c[i];
}

template <int N>
WP_HD vec_t<N, float> first3(float x, float y, float z) {
  vec_t<N, float> r{};
  r.c[0] = x, r.c[1] = y, r.c[2] = z;
  return r;
}

// The adjoint of the point for the 2-D (M = 2) and the 3-D / 4-D (M = 3) forms.
template <int N, int M>
WP_HD void curl_adjoint(uint32_t state, const vec_t<N, float>& p, uint32_t octaves, float lacunarity, float gain,
                        vec_t<N, float>& adj_p, const vec_t<M, float>& a) {
  float freq = 1.0f, amplitude = 1.0f;
  for (uint32_t i = 0; i < octaves; ++i) {
    if constexpr (M == 2) {
      octave_hessian_acc<N>(state, p, freq, amplitude, vec_t<N, float>{{a.c[1], -a.c[0]}}, adj_p);
    } else {
      octave_hessian_acc<N>(state, p, freq, amplitude, first3<N>(0.0f, -a.c[2], a.c[1]), adj_p);
      state = rand_init(static_cast<int32_t>(state), 10019689);
      octave_hessian_acc<N>(state, p, freq, amplitude, first3<N>(a.c[2], 0.0f, -a.c[0]), adj_p);
      state = rand_init(static_cast<int32_t>(state), 13112221);
      octave_hessian_acc<N>(state, p, freq, amplitude, first3<N>(-a.c[1], a.c[0], 0.0f), adj_p);
    }
    amplitude *= gain;
    freq *= lacunarity;
  }
}

}  // namespace noise_detail

WP_HD vec_t<2, float> curlnoise(uint32_t state, const vec_t<2, float>& xy, uint32_t octaves = 1u,
                                float lacunarity = 2.0f, float gain = 0.5f) {
  vec_t<2, float> sum{};
  float freq = 1.0f;
  float amplitude = 1.0f;
  for (uint32_t i = 0; i < octaves; ++i) {
    noise_detail::add_scaled<2>(sum, amplitude, noise_detail::octave_gradient<2>(state, xy, freq));
    amplitude *= gain;
    freq *= lacunarity;
  }
  return vec_t<2, float>{{-sum.c[1], sum.c[0]}};
}

WP_HD vec_t<3, float> curlnoise(uint32_t state, const vec_t<3, float>& xyz, uint32_t octaves = 1u,
                                float lacunarity = 2.0f, float gain = 0.5f) {
  return noise_detail::curl3<3>(state, xyz, octaves, lacunarity, gain);
}

WP_HD vec_t<3, float> curlnoise(uint32_t state, const vec_t<4, float>& xyzt, uint32_t octaves = 1u,
                                float lacunarity = 2.0f, float gain = 0.5f) {
  return noise_detail::curl3<4>(state, xyzt, octaves, lacunarity, gain);
}

// adj_curlnoise for each number of trailing defaulted arguments passed (0 to 3).
template <int N, int M>
WP_HD void adj_curlnoise(uint32_t state, const vec_t<N, float>& p, uint32_t octaves, float lacunarity, float gain,
                         uint32_t& adj_state, vec_t<N, float>& adj_p, uint32_t& adj_octaves, float& adj_lacunarity,
                         float& adj_gain, const vec_t<M, float>& adj_ret) {
  static_assert((N == 2 && M == 2) || ((N == 3 || N == 4) && M == 3), "curlnoise: vec2f -> vec2f, vec3f/vec4f -> vec3f");
  (void)adj_state, (void)adj_octaves, (void)adj_lacunarity, (void)adj_gain;
  noise_detail::curl_adjoint<N, M>(state, p, octaves, lacunarity, gain, adj_p, adj_ret);
}

template <int N, int M>
WP_HD void adj_curlnoise(uint32_t state, const vec_t<N, float>& p, uint32_t octaves, float lacunarity,
                         uint32_t& adj_state, vec_t<N, float>& adj_p, uint32_t& adj_octaves, float& adj_lacunarity,
                         const vec_t<M, float>& adj_ret) {
  float adj_gain = 0.0f;
  adj_curlnoise<N, M>(state, p, octaves, lacunarity, 0.5f, adj_state, adj_p, adj_octaves, adj_lacunarity, adj_gain,
                      adj_ret);
}

template <int N, int M>
WP_HD void adj_curlnoise(uint32_t state, const vec_t<N, float>& p, uint32_t octaves, uint32_t& adj_state,
                         vec_t<N, float>& adj_p, uint32_t& adj_octaves, const vec_t<M, float>& adj_ret) {
  float adj_lacunarity = 0.0f;
  adj_curlnoise<N, M>(state, p, octaves, 2.0f, adj_state, adj_p, adj_octaves, adj_lacunarity, adj_ret);
}

template <int N, int M>
WP_HD void adj_curlnoise(uint32_t state, const vec_t<N, float>& p, uint32_t& adj_state, vec_t<N, float>& adj_p,
                         const vec_t<M, float>& adj_ret) {
  uint32_t adj_octaves = 0u;
  adj_curlnoise<N, M>(state, p, 1u, adj_state, adj_p, adj_octaves, adj_ret);
}

}  // namespace wp
