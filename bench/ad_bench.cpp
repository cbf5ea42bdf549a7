// ad_bench.cpp — forward vs adjoint time of a Neo-Hookean tetrahedral force kernel
// (bench/neo_hookean.wp: element_forces and its generated element_forces_backward). Not a
// test: run it by hand and record the numbers in docs/performance.md. Method:
// /work/.library/device/METHOD.md (correct first against float64, warm-up, medians).
//
//   warpc_bench_ad      [--device cpu|cuda] [--tets N] [--reps R] [--block B] [--check] [--no-check]
//                       [--dump DIR]   (the mesh, state and weights for bench/warp_ad_bench.py)
//                       [--thread-cpu-time]  (CPU: the calling thread's CPU time instead of wall
//                                             time; meaningful with WARPC_NUM_THREADS=1)
//   warpc_bench_ad_cpu  (the same source built without CUDA: --device cpu only)
//
// Contract:
//  * Mesh: a regular grid of unit cubes, each split into 6 tets (Kuhn/Freudenthal: conforming),
//    trimmed to exactly N tets (default 2^21 on CUDA, 2^16 on the CPU), unreferenced vertices
//    dropped; rest positions jittered by U(-0.1, 0.1) per coordinate, the deformed state
//    x = stretched rest + U(-0.05, 0.05), velocities v = U(-0.2, 0.2); fixed seeds. Dm^-1 and
//    rest volumes come from the generated rest_elements kernel on the device.
//  * Timed: (a) element_forces(...) (forward: f += forces by atomic adds); (b)
//    element_forces_backward(...) with f.grad = random weights w in [-1, 1] and x, v created
//    with requires_grad (their gradients are accumulated atomically); Dm_inv and volume have no
//    gradient buffer and no parameter accumulators are passed (as in Warp, which returns no
//    gradient for scalar kernel arguments). Forward and backward alternate (one pair per
//    repetition) after 3 warm-up pairs; medians of R repetitions (default 50 on CUDA, 20 on
//    the CPU), in two modes: [1] one launch per timing, f (forward) or x.grad and v.grad
//    (backward) zeroed before it OUTSIDE the timed region, and on CUDA L2 evicted by a 256 MiB
//    memset (also not timed, it keeps the GPU busy while the host enqueues the launch);
//    [2] 10 back-to-back launches per timing, outputs zeroed once before them (they then
//    accumulate: same traffic), time / 10. CUDA: cudaEvents on the legacy default stream;
//    CPU: steady_clock around the (synchronous) launches. GB/s = the fewest bytes that must move:
//    56 B per tet (indices, Dm^-1, volume) plus per vertex 48 B forward (x, v read; f read and
//    written) and 84 B backward (x, v, f.grad read; x.grad, v.grad read and written).
//  * Correctness, before any timing (exit 1 on failure):
//     - small mesh (512 tets), CPU launchers: rest_elements vs a float64 inverse; forward vs a
//       float64 host reference; backward (x.grad, v.grad: every coordinate) vs float64 central
//       finite differences of loss = sum_v f_v . w_v at eps 1e-3, 1e-4, 1e-5 (tolerance 1e-3,
//       relative, with a floor of 1% of the largest gradient component); with a CUDA device,
//       the same checks through the CUDA launchers, and their f, x.grad, v.grad vs the CPU
//       launchers' (1e-5, relative norm);
//     - benchmark mesh, on the benchmark device: forward vs the float64 reference, backward vs
//       finite differences at 32 sampled coordinates; on CUDA also forward and backward vs the
//       generated CPU launchers.
//    --check runs only the small-mesh checks; --no-check skips every check.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "neo_hookean.wp.h"
#include "wp/wp.h"

#ifndef WARPC_BENCH_AD_CUDA
#define WARPC_BENCH_AD_CUDA 0
#endif
#if WARPC_BENCH_AD_CUDA
#include <cuda_runtime.h>
#endif

namespace {

using vec3 = wp::vec_t<3, float>;
using mat33 = wp::mat_t<3, 3, float>;
using D3 = std::array<double, 3>;
using M3 = std::array<D3, 3>;  // row-major: M[row][col]

struct Material {
  float mu = 2.0f;
  float lam = 10.0f;
  float damp = 0.1f;
};

// ---- random numbers: splitmix64 --------------------------------------------------------

struct Rng {
  uint64_t state;
  double uniform(double lo, double hi) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return lo + (hi - lo) * static_cast<double>(z >> 11) / static_cast<double>(1ull << 53);
  }
  vec3 uniform3(double lo, double hi) {
    return vec3{{float(uniform(lo, hi)), float(uniform(lo, hi)), float(uniform(lo, hi))}};
  }
};

// ---- mesh ------------------------------------------------------------------------------

struct HostMesh {
  std::vector<vec3> rest, x, v, w;  // w: the loss weights (f.grad)
  std::vector<int32_t> tets;        // 4 per tet
  int64_t num_tets() const { return static_cast<int64_t>(tets.size() / 4); }
  int64_t num_verts() const { return static_cast<int64_t>(rest.size()); }
};

// Kuhn split of cube (i, j, k) of an (nx+1) x (ny+1) x (nz+1) vertex lattice: the 6 paths
// from corner 000 to corner 111 along the axes (first two axes of each path in `perms`).
void add_cube_tets(std::vector<int32_t>& tets, int64_t ntets, int i, int j, int k, int nx, int ny) {
  static const int perms[6][2] = {{0, 1}, {0, 2}, {1, 0}, {1, 2}, {2, 0}, {2, 1}};
  auto id = [&](int a, int b, int c) { return static_cast<int32_t>(a + (nx + 1) * (b + (ny + 1) * c)); };
  for (const auto& p : perms) {
    if (static_cast<int64_t>(tets.size()) >= 4 * ntets) return;
    int c[3] = {i, j, k};
    tets.push_back(id(c[0], c[1], c[2]));
    ++c[p[0]];
    tets.push_back(id(c[0], c[1], c[2]));
    ++c[p[1]];
    tets.push_back(id(c[0], c[1], c[2]));
    tets.push_back(id(i + 1, j + 1, k + 1));
  }
}

// Renumbers the referenced lattice vertices 0..n-1 (first use order) and returns their
// lattice coordinates.
std::vector<std::array<int, 3>> compact_vertices(std::vector<int32_t>& tets, int nx, int ny) {
  std::vector<int32_t> remap(static_cast<size_t>(*std::max_element(tets.begin(), tets.end())) + 1, -1);
  std::vector<std::array<int, 3>> coords;
  for (int32_t& t : tets) {
    if (remap[t] < 0) {
      remap[t] = static_cast<int32_t>(coords.size());
      coords.push_back({t % (nx + 1), (t / (nx + 1)) % (ny + 1), t / ((nx + 1) * (ny + 1))});
    }
    t = remap[t];
  }
  return coords;
}

HostMesh make_mesh(int64_t ntets, uint64_t seed) {
  const int64_t cubes = (ntets + 5) / 6;
  const int n = std::max(1, static_cast<int>(std::cbrt(static_cast<double>(cubes))));
  const int nz = static_cast<int>((cubes + int64_t(n) * n - 1) / (int64_t(n) * n));
  HostMesh m;
  m.tets.reserve(static_cast<size_t>(4 * ntets));
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) add_cube_tets(m.tets, ntets, i, j, k, n, n);
  Rng rng{seed};
  for (const auto& c : compact_vertices(m.tets, n, n)) {
    const vec3 r = rng.uniform3(-0.1, 0.1);
    const vec3 p{{float(c[0] + r[0]), float(c[1] + r[1]), float(c[2] + r[2])}};
    const vec3 d = rng.uniform3(-0.05, 0.05);
    m.rest.push_back(p);
    m.x.push_back(vec3{{1.08f * p[0] + d[0], 0.96f * p[1] + d[1], 1.02f * p[2] + d[2]}});
    m.v.push_back(rng.uniform3(-0.2, 0.2));
    m.w.push_back(rng.uniform3(-1.0, 1.0));
  }
  return m;
}

// ---- float64 host reference of the kernel ------------------------------------------------

M3 mat_mul(const M3& a, const M3& b) {
  M3 r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) r[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
  return r;
}

double det(const M3& a) {
  return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
         a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
         a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
}

// d det(F) / dF (the cofactor matrix).
M3 cofactor(const M3& a) {
  M3 c{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      const int i1 = (i + 1) % 3, i2 = (i + 2) % 3, j1 = (j + 1) % 3, j2 = (j + 2) % 3;
      c[i][j] = a[i1][j1] * a[i2][j2] - a[i1][j2] * a[i2][j1];
    }
  return c;
}

// Columns: p[1] - p[0], p[2] - p[0], p[3] - p[0].
M3 edges(const D3 p[4]) {
  M3 e{};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) e[r][c] = p[c + 1][r] - p[0][r];
  return e;
}

D3 to_d3(const vec3& a) {
  return {a[0], a[1], a[2]};
}

M3 to_m3(const mat33& a) {
  M3 r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) r[i][j] = a.data[i][j];
  return r;
}

// Nodal forces of one tet from positions p, velocities q, B = Dm^-1, rest volume vol.
void tet_forces(const D3 p[4], const D3 q[4], const M3& B, double vol, const Material& m, D3 out[4]) {
  const M3 F = mat_mul(edges(p), B), Fdot = mat_mul(edges(q), B), C = cofactor(F);
  double ic = 0.0;
  for (const D3& row : F) ic += row[0] * row[0] + row[1] * row[1] + row[2] * row[2];
  const double mu = m.mu, lam = m.lam;
  const double shift = 1.0 + mu / lam - mu / (4.0 * lam);
  const double s1 = mu * (1.0 - 1.0 / (ic + 1.0)), s2 = lam * (det(F) - shift);
  M3 P{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) P[i][j] = s1 * F[i][j] + s2 * C[i][j] + double(m.damp) * Fdot[i][j];
  out[0] = {0.0, 0.0, 0.0};
  for (int c = 0; c < 3; ++c)  // column c of -vol P B^T goes to vertex c + 1
    for (int r = 0; r < 3; ++r) {
      const double g = -vol * (P[r][0] * B[c][0] + P[r][1] * B[c][1] + P[r][2] * B[c][2]);
      out[c + 1][r] = g;
      out[0][r] -= g;
    }
}

// What the kernel reads besides positions: Dm^-1 and volume (the float32 values the
// generated rest_elements produced), as float64.
struct Elements {
  std::vector<M3> Dm_inv;
  std::vector<double> volume;
};

struct State {  // positions and velocities in float64, 3 per vertex
  std::vector<D3> x, v;
};

State to_state(const HostMesh& m) {
  State s;
  for (int64_t i = 0; i < m.num_verts(); ++i) {
    s.x.push_back(to_d3(m.x[i]));
    s.v.push_back(to_d3(m.v[i]));
  }
  return s;
}

// Forces of tet t under state s, scattered into f (3 per vertex) or, when f is null,
// dotted with the weights and returned.
double tet_contribution(const HostMesh& m, const Elements& e, const Material& mat, const State& s, int64_t t,
                        std::vector<D3>* f) {
  D3 p[4], q[4], out[4];
  for (int c = 0; c < 4; ++c) {
    p[c] = s.x[m.tets[4 * t + c]];
    q[c] = s.v[m.tets[4 * t + c]];
  }
  tet_forces(p, q, e.Dm_inv[t], e.volume[t], mat, out);
  double loss = 0.0;
  for (int c = 0; c < 4; ++c) {
    const int32_t vi = m.tets[4 * t + c];
    for (int r = 0; r < 3; ++r) {
      if (f) (*f)[vi][r] += out[c][r];
      loss += out[c][r] * double(m.w[vi][r]);
    }
  }
  return loss;
}

std::vector<D3> reference_forces(const HostMesh& m, const Elements& e, const Material& mat) {
  const State s = to_state(m);
  std::vector<D3> f(static_cast<size_t>(m.num_verts()), D3{0.0, 0.0, 0.0});
  for (int64_t t = 0; t < m.num_tets(); ++t) tet_contribution(m, e, mat, s, t, &f);
  return f;
}

// ---- comparisons ---------------------------------------------------------------------------

// ||got - ref|| / ||ref|| over every component (infinity when got has a NaN/Inf).
double rel_norm_error(const std::vector<vec3>& got, const std::vector<D3>& ref) {
  double num = 0.0, den = 0.0;
  for (size_t i = 0; i < ref.size(); ++i)
    for (int r = 0; r < 3; ++r) {
      if (!std::isfinite(got[i][r])) return INFINITY;
      num += (got[i][r] - ref[i][r]) * (got[i][r] - ref[i][r]);
      den += ref[i][r] * ref[i][r];
    }
  return std::sqrt(num / std::max(den, 1e-300));
}

std::vector<D3> widen(const std::vector<vec3>& a) {
  std::vector<D3> r;
  r.reserve(a.size());
  for (const vec3& e : a) r.push_back(to_d3(e));
  return r;
}

bool report(const char* what, double err, double tol) {
  const bool ok = err <= tol;
  std::printf("  %-52s %10.3e  (tol %.0e)  %s\n", what, err, tol, ok ? "ok" : "FAIL");
  return ok;
}

// ---- finite differences ------------------------------------------------------------------

struct Coord {
  bool velocity;  // v instead of x
  int32_t vertex;
  int comp;
};

// Tets incident to each vertex (CSR).
struct Incidence {
  std::vector<int64_t> start, tets;
};

Incidence incidence(const HostMesh& m) {
  Incidence inc;
  inc.start.assign(static_cast<size_t>(m.num_verts()) + 1, 0);
  for (int32_t vi : m.tets) ++inc.start[vi + 1];
  for (size_t i = 1; i < inc.start.size(); ++i) inc.start[i] += inc.start[i - 1];
  inc.tets.resize(m.tets.size());
  std::vector<int64_t> fill(inc.start.begin(), inc.start.end() - 1);
  for (size_t k = 0; k < m.tets.size(); ++k) inc.tets[fill[m.tets[k]]++] = static_cast<int64_t>(k / 4);
  return inc;
}

// d loss / d coordinate by central differences: only the tets touching the vertex change.
double finite_difference(const HostMesh& m, const Elements& e, const Material& mat, const Incidence& inc,
                         State& s, const Coord& c, double eps) {
  double& value = (c.velocity ? s.v : s.x)[c.vertex][c.comp];
  const double saved = value;
  double loss[2] = {0.0, 0.0};
  for (int side = 0; side < 2; ++side) {
    value = saved + (side ? -eps : eps);
    for (int64_t k = inc.start[c.vertex]; k < inc.start[c.vertex + 1]; ++k)
      loss[side] += tet_contribution(m, e, mat, s, inc.tets[k], nullptr);
  }
  value = saved;
  return (loss[0] - loss[1]) / (2.0 * eps);
}

// Worst |AD - FD| / max(|FD|, 1% of the largest |FD|) over `coords`, for one eps.
double fd_error(const HostMesh& m, const Elements& e, const Material& mat, const std::vector<Coord>& coords,
                const std::vector<vec3>& gx, const std::vector<vec3>& gv, double eps) {
  const Incidence inc = incidence(m);
  State s = to_state(m);
  std::vector<double> fd;
  double scale = 0.0;
  for (const Coord& c : coords) {
    fd.push_back(finite_difference(m, e, mat, inc, s, c, eps));
    scale = std::max(scale, std::fabs(fd.back()));
  }
  double worst = 0.0;
  for (size_t i = 0; i < coords.size(); ++i) {
    const Coord& c = coords[i];
    const double ad = (c.velocity ? gv : gx)[c.vertex][c.comp];
    const double err = std::fabs(ad - fd[i]) / std::max(std::fabs(fd[i]), 0.01 * scale);
    worst = std::isfinite(ad) ? std::max(worst, err) : INFINITY;
  }
  return worst;
}

std::vector<Coord> all_coords(const HostMesh& m) {
  std::vector<Coord> coords;
  for (int vel = 0; vel < 2; ++vel)
    for (int32_t vi = 0; vi < m.num_verts(); ++vi)
      for (int c = 0; c < 3; ++c) coords.push_back({vel == 1, vi, c});
  return coords;
}

std::vector<Coord> sampled_coords(const HostMesh& m, int count, uint64_t seed) {
  Rng rng{seed};
  std::vector<Coord> coords;
  for (int i = 0; i < count; ++i) {
    const auto vi = static_cast<int32_t>(rng.uniform(0.0, double(m.num_verts())));
    coords.push_back({i % 2 == 1, std::min(vi, int32_t(m.num_verts() - 1)), i % 3});
  }
  return coords;
}

// ---- the kernels on one device -----------------------------------------------------------

struct DeviceMesh {
  int64_t ntets = 0;
  wp::array<vec3> rest, x, v, f;  // x, v, f with gradient buffers; f.grad = the weights
  wp::array<int32_t> tets;        // (ntets, 4)
  wp::array<mat33> Dm_inv;
  wp::array<float> volume;
};

DeviceMesh upload(const HostMesh& m, const wp::Device& device) {
  DeviceMesh d;
  d.ntets = m.num_tets();
  d.rest = wp::from_host(m.rest, device);
  d.tets = wp::from_host(m.tets, wp::Shape{d.ntets, 4}, device);
  d.Dm_inv = wp::empty<mat33>(d.ntets, device);
  d.volume = wp::empty<float>(d.ntets, device);
  neo_hookean::rest_elements(d.ntets, d.rest, d.tets, d.Dm_inv, d.volume);
  d.x = wp::from_host(m.x, wp::with_shape(static_cast<int64_t>(m.x.size())), wp::on(device), wp::requires_grad);
  d.v = wp::from_host(m.v, wp::with_shape(static_cast<int64_t>(m.v.size())), wp::on(device), wp::requires_grad);
  d.f = wp::zeros<vec3>(m.num_verts(), device, true);
  wp::copy(d.f.grad_array(), wp::from_host(m.w, device));
  wp::synchronize();
  return d;
}

void forward(const DeviceMesh& d, const Material& m, const wp::LaunchOptions& o) {
  neo_hookean::element_forces(d.ntets, d.x, d.v, d.tets, d.Dm_inv, d.volume, m.mu, m.lam, m.damp, d.f, o);
}

void backward(const DeviceMesh& d, const Material& m, const wp::LaunchOptions& o) {
  neo_hookean::element_forces_backward(d.ntets, d.x, d.v, d.tets, d.Dm_inv, d.volume, m.mu, m.lam, m.damp,
                                       d.f, {}, {}, {}, o);
}

void zero_forces(const DeviceMesh& d) {
  wp::fill(d.f, vec3{});
}

void zero_grads(const DeviceMesh& d) {
  wp::fill(d.x.grad_array(), vec3{});
  wp::fill(d.v.grad_array(), vec3{});
}

struct Results {
  std::vector<vec3> f, gx, gv;
};

// One forward and one backward from zeroed outputs, copied to the host.
Results run_once(const DeviceMesh& d, const Material& m, const wp::LaunchOptions& o) {
  zero_forces(d);
  zero_grads(d);
  forward(d, m, o);
  backward(d, m, o);
  wp::synchronize();
  return {d.f.to_host(), d.x.grad_array().to_host(), d.v.grad_array().to_host()};
}

Elements read_elements(const DeviceMesh& d) {
  Elements e;
  for (const mat33& b : d.Dm_inv.to_host()) e.Dm_inv.push_back(to_m3(b));
  for (float vol : d.volume.to_host()) e.volume.push_back(vol);
  return e;
}

bool finite(const M3& a) {
  for (const D3& row : a)
    for (double x : row)
      if (!std::isfinite(x)) return false;
  return true;
}

// rest_elements against a float64 inverse and volume: worst relative error.
double rest_error(const HostMesh& m, const Elements& e) {
  double worst = 0.0;
  for (int64_t t = 0; t < m.num_tets(); ++t) {
    D3 p[4];
    for (int c = 0; c < 4; ++c) p[c] = to_d3(m.rest[m.tets[4 * t + c]]);
    const M3 Dm = edges(p), prod = mat_mul(Dm, e.Dm_inv[t]);  // Dm Dm^-1 = I
    const double vol = std::fabs(det(Dm)) / 6.0;
    double err = std::fabs(e.volume[t] - vol) / vol;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) err = std::max(err, std::fabs(prod[i][j] - (i == j ? 1.0 : 0.0)));
    if (!std::isfinite(err) || !finite(e.Dm_inv[t])) return INFINITY;  // std::max skips NaNs
    worst = std::max(worst, err);
  }
  return worst;
}

// ---- checks ------------------------------------------------------------------------------

bool check_fd(const HostMesh& m, const Elements& e, const Material& mat, const Results& r,
              const std::vector<Coord>& coords, const char* label) {
  bool ok = true;
  for (double eps : {1e-3, 1e-4, 1e-5}) {
    char what[96];
    std::snprintf(what, sizeof what, "backward vs float64 FD, %s, eps %.0e", label, eps);
    ok &= report(what, fd_error(m, e, mat, coords, r.gx, r.gv, eps), 1e-3);
  }
  return ok;
}

bool compare_results(const Results& got, const Results& ref, const char* label) {
  char what[96];
  bool ok = true;
  std::snprintf(what, sizeof what, "forward f, %s", label);
  ok &= report(what, rel_norm_error(got.f, widen(ref.f)), 1e-5);
  std::snprintf(what, sizeof what, "backward x.grad, %s", label);
  ok &= report(what, rel_norm_error(got.gx, widen(ref.gx)), 1e-5);
  std::snprintf(what, sizeof what, "backward v.grad, %s", label);
  ok &= report(what, rel_norm_error(got.gv, widen(ref.gv)), 1e-5);
  return ok;
}

// Everything about one mesh on `device`: rest state, forward vs float64, backward vs FD
// (every coordinate, or `samples` of them), and vs the CPU launchers when not on the CPU.
bool check_mesh(const HostMesh& m, const wp::Device& device, const Material& mat, int samples) {
  std::printf("checks: %lld tets, %lld vertices on %s\n", (long long)m.num_tets(), (long long)m.num_verts(),
              device.str().c_str());
  const DeviceMesh d = upload(m, device);
  const Elements e = read_elements(d);
  bool ok = report("rest_elements: |Dm Dm^-1 - I|, volume (rel)", rest_error(m, e), 1e-4);
  const Results r = run_once(d, mat, {});
  ok &= report("forward f vs float64 reference (rel norm)", rel_norm_error(r.f, reference_forces(m, e, mat)),
               1e-5);
  ok &= samples > 0 ? check_fd(m, e, mat, r, sampled_coords(m, samples, 99), "sampled")
                    : check_fd(m, e, mat, r, all_coords(m), "all coords");
  if (!device.is_cpu()) {
    const Results cpu = run_once(upload(m, wp::Device::cpu()), mat, {});
    ok &= compare_results(r, cpu, "device vs CPU launchers (rel norm)");
  }
  return ok;
}

bool small_checks(const std::vector<wp::Device>& devices, const Material& mat) {
  const HostMesh m = make_mesh(512, 7);
  bool ok = true;
  for (const wp::Device& d : devices) ok &= check_mesh(m, d, mat, 0);
  return ok;
}

// ---- timing --------------------------------------------------------------------------------

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Milliseconds per run() over `batch` back-to-back runs, reset() first, outside the timed
// region. CUDA: before the start event a 256 MiB memset of a scratch buffer evicts L2 and
// keeps the GPU busy while the host enqueues the event and the launch, so the host's launch
// latency does not land inside the timed interval.
class Timer {
 public:
  Timer(const wp::Device& device, bool thread_cpu_time)
      : cuda_(device.is_cuda()), thread_cpu_(thread_cpu_time) {
#if WARPC_BENCH_AD_CUDA
    if (cuda_) {
      check(cudaEventCreate(&start_));
      check(cudaEventCreate(&stop_));
      check(cudaMalloc(&scratch_, kScratchBytes));
    }
#endif
  }
  ~Timer() {
#if WARPC_BENCH_AD_CUDA
    if (cuda_) {
      cudaEventDestroy(start_);
      cudaEventDestroy(stop_);
      cudaFree(scratch_);
    }
#endif
  }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  double time_ms(const std::function<void()>& reset, const std::function<void()>& run, int batch) {
    reset();
    if (cuda_) return cuda_ms(run, batch) / batch;
    return (thread_cpu_ ? thread_cpu_ms(run, batch) : host_ms(run, batch)) / batch;
  }

 private:
  static double host_ms(const std::function<void()>& run, int batch) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < batch; ++i) run();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  // CPU time of the calling thread: the whole cost only when the pool has one thread
  // (WARPC_NUM_THREADS=1 runs launches on the caller); unaffected by other processes' load.
  static double thread_cpu_ms(const std::function<void()>& run, int batch) {
    timespec t0{}, t1{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    for (int i = 0; i < batch; ++i) run();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    return (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) * 1e-6;
  }
#if WARPC_BENCH_AD_CUDA
  static constexpr size_t kScratchBytes = size_t(256) << 20;
  static void check(cudaError_t err) {
    if (err != cudaSuccess) throw wp::Error(std::string("CUDA: ") + cudaGetErrorString(err));
  }
  double cuda_ms(const std::function<void()>& run, int batch) {
    check(cudaMemsetAsync(scratch_, ++flushes_ & 0xff, kScratchBytes, cudaStreamLegacy));
    check(cudaEventRecord(start_, cudaStreamLegacy));
    for (int i = 0; i < batch; ++i) run();
    check(cudaEventRecord(stop_, cudaStreamLegacy));
    check(cudaEventSynchronize(stop_));
    check(cudaGetLastError());
    float ms = 0.0f;
    check(cudaEventElapsedTime(&ms, start_, stop_));
    return ms;
  }
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
  void* scratch_ = nullptr;
  int flushes_ = 0;
#else
  double cuda_ms(const std::function<void()>&, int) {
    throw wp::Error("built without CUDA");
  }
#endif
  bool cuda_;
  bool thread_cpu_;
};

struct Timings {
  std::vector<double> fwd, bwd, ratio;
};

// Forward and backward alternating, 3 warm-up pairs, then `reps` pairs. batch 1: outputs
// zeroed before every run; batch > 1: zeroed once, then `batch` runs accumulate into them
// (the same memory traffic), timed together.
Timings time_pairs(const DeviceMesh& d, const Material& m, const wp::LaunchOptions& o, int reps, int batch,
                   bool thread_cpu_time) {
  Timer timer(*o.device, thread_cpu_time);
  Timings t;
  for (int r = -3; r < reps; ++r) {
    const double f = timer.time_ms([&] { zero_forces(d); }, [&] { forward(d, m, o); }, batch);
    const double b = timer.time_ms([&] { zero_grads(d); }, [&] { backward(d, m, o); }, batch);
    if (r < 0) continue;
    t.fwd.push_back(f);
    t.bwd.push_back(b);
    t.ratio.push_back(b / f);
  }
  wp::synchronize();
  return t;
}

void print_timings(const Timings& t, int64_t ntets, int64_t nverts) {
  const double fwd_bytes = 56.0 * ntets + 48.0 * nverts, bwd_bytes = 56.0 * ntets + 84.0 * nverts;
  auto line = [&](const char* name, const std::vector<double>& ms, double bytes) {
    const double med = median(ms);
    std::printf("  %-9s median %9.4f ms  (min %9.4f, max %9.4f)  %8.1f GB/s  %6.2f ns/tet\n", name, med,
                *std::min_element(ms.begin(), ms.end()), *std::max_element(ms.begin(), ms.end()),
                bytes / (med * 1e-3) / 1e9, med * 1e6 / double(ntets));
  };
  line("forward", t.fwd, fwd_bytes);
  line("backward", t.bwd, bwd_bytes);
  std::printf("  ratio backward/forward: %.3f (median of per-pair ratios %.3f; target <= 2.5)\n",
              median(t.bwd) / median(t.fwd), median(t.ratio));
}

// ---- main --------------------------------------------------------------------------------

struct Options {
  wp::Device device;
  int64_t tets = 0;  // 0: 2^21 on CUDA, 2^16 on the CPU
  int reps = 0;      // 0: 50 on CUDA, 20 on the CPU
  int block = 256;
  bool check_only = false, no_check = false;
  bool thread_cpu_time = false;  // CPU: time with CLOCK_THREAD_CPUTIME_ID (use with WARPC_NUM_THREADS=1)
  std::string dump;              // --dump DIR: the benchmark mesh for Warp's side (warp_ad_bench.py)
};

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(
      stderr,
      "usage: %s [--device cpu|cuda|cuda:N] [--tets N] [--reps R] [--block B] [--check] [--no-check]\n"
      "       [--thread-cpu-time]   (CPU: calling thread's CPU time; use with WARPC_NUM_THREADS=1)\n"
      "       [--dump DIR]          (write the mesh for bench/warp_ad_bench.py)\n",
      argv0);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  o.device = WARPC_BENCH_AD_CUDA ? wp::Device::cuda(0) : wp::Device::cpu();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--device" && has_value)
      o.device = wp::Device(std::string(argv[++i]) == "cuda" ? "cuda:0" : argv[i]);
    else if (a == "--tets" && has_value)
      o.tets = std::atoll(argv[++i]);
    else if (a == "--reps" && has_value)
      o.reps = std::atoi(argv[++i]);
    else if (a == "--block" && has_value)
      o.block = std::atoi(argv[++i]);
    else if (a == "--check")
      o.check_only = true;
    else if (a == "--no-check")
      o.no_check = true;
    else if (a == "--thread-cpu-time")
      o.thread_cpu_time = true;
    else if (a == "--dump" && has_value)
      o.dump = argv[++i];
    else
      usage(argv[0]);
  }
  if (!WARPC_BENCH_AD_CUDA && !o.device.is_cpu()) {
    std::fprintf(stderr, "%s was built without CUDA: --device cpu only\n", argv[0]);
    std::exit(2);
  }
  if (o.tets <= 0) o.tets = o.device.is_cuda() ? (1 << 21) : (1 << 16);
  if (o.reps <= 0) o.reps = o.device.is_cuda() ? 50 : 20;
  return o;
}

void print_device(const wp::Device& device) {
#if WARPC_BENCH_AD_CUDA
  if (device.is_cuda()) {
    cudaDeviceProp p{};
    if (cudaGetDeviceProperties(&p, device.ordinal()) == cudaSuccess)
      std::printf("device: %s (%d SMs, %.0f MiB L2)\n", p.name, p.multiProcessorCount,
                  p.l2CacheSize / 1048576.0);
    return;
  }
#endif
  std::printf("device: cpu\n");
}

constexpr int kBatch = 10;

// The small-mesh checks (CPU, and the benchmark device), then the benchmark mesh's.
bool run_checks(const Options& o, const Material& mat, const HostMesh& m) {
  std::vector<wp::Device> devices{wp::Device::cpu()};
  if (!o.device.is_cpu()) devices.push_back(o.device);
  if (!small_checks(devices, mat)) return false;
  return o.check_only || check_mesh(m, o.device, mat, 32);
}

// Both timing modes; afterwards the outputs of the last timed single launches must match a
// run made before timing (same launch options), so the timed launches computed the same thing.
bool run_timings(const Options& o, const Material& mat, const HostMesh& m) {
  const DeviceMesh d = upload(m, o.device);
  wp::LaunchOptions lo;
  lo.device = o.device;
  lo.block_dim = o.block;
  const Results before = run_once(d, mat, lo);
  {  // the checksums bench/warp_ad_bench.py prints for Warp's run on the same mesh
    double sf = 0, sx = 0, sv = 0;
    for (size_t i = 0; i < before.f.size(); ++i)
      for (int c = 0; c < 3; ++c) {
        sf += before.f[i][c];
        sx += std::fabs(double(before.gx[i][c]));
        sv += std::fabs(double(before.gv[i][c]));
      }
    std::printf("checksums: sum f %.6e, sum |x.grad| %.6e, sum |v.grad| %.6e\n", sf, sx, sv);
  }
  std::printf("neo-hookean element_forces: %lld tets, %lld vertices, %s, block %d, medians of %d reps%s\n",
              (long long)m.num_tets(), (long long)m.num_verts(), o.device.str().c_str(), o.block, o.reps,
              o.device.is_cpu() && o.thread_cpu_time ? ", calling thread's CPU time" : "");
  std::printf("[1] one launch per timing, outputs zeroed before it (not timed)%s:\n",
              o.device.is_cuda() ? ", L2 flushed by a 256 MiB memset before it (not timed)" : "");
  print_timings(time_pairs(d, mat, lo, o.reps, 1, o.thread_cpu_time), m.num_tets(), m.num_verts());
  const Results after{d.f.to_host(), d.x.grad_array().to_host(), d.v.grad_array().to_host()};
  std::printf(
      "[2] %d back-to-back launches per timing (outputs zeroed once before them, then "
      "accumulate), time / %d:\n",
      kBatch, kBatch);
  print_timings(time_pairs(d, mat, lo, o.reps, kBatch, o.thread_cpu_time), m.num_tets(), m.num_verts());
  std::printf("after timing:\n");
  return compare_results(after, before, "last timed launch vs before timing");
}

// DIR/tets.i32 (4 per tet), rest.f32 / x.f32 / v.f32 / w.f32 (3 per vertex, little-endian) and
// DIR/material.txt (mu lam damp): what bench/warp_ad_bench.py runs Warp on.
void dump_mesh(const std::string& dir, const HostMesh& m, const Material& mat) {
  auto write = [&](const char* name, const void* data, size_t bytes) {
    const std::string path = dir + "/" + name;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(data, 1, bytes, f) != bytes) throw wp::Error("--dump: cannot write " + path);
    std::fclose(f);
  };
  write("tets.i32", m.tets.data(), m.tets.size() * sizeof(int32_t));
  write("rest.f32", m.rest.data(), m.rest.size() * sizeof(vec3));
  write("x.f32", m.x.data(), m.x.size() * sizeof(vec3));
  write("v.f32", m.v.data(), m.v.size() * sizeof(vec3));
  write("w.f32", m.w.data(), m.w.size() * sizeof(vec3));
  const std::string text = std::to_string(mat.mu) + " " + std::to_string(mat.lam) + " " + std::to_string(mat.damp) + "\n";
  write("material.txt", text.data(), text.size());
}

// Exit status of --check without the device it names: CTest reports it as skipped.
constexpr int kSkipped = 77;

int run(const Options& o, const Material& mat) {
  if (o.device.is_cuda() && wp::cuda_device_count() <= o.device.ordinal()) {
    std::fprintf(stderr, "no CUDA device %s (use --device cpu)\n", o.device.str().c_str());
    return o.check_only ? kSkipped : 2;
  }
  print_device(o.device);
  const HostMesh m = make_mesh(o.tets, 12345);
  if (!o.dump.empty()) dump_mesh(o.dump, m, mat);
  if (!o.no_check && !run_checks(o, mat, m)) return 1;
  if (o.check_only) return 0;
  return run_timings(o, mat, m) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv), Material{});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
