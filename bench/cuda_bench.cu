// cuda_bench.cu — warpc's CUDA backend against hand-written CUDA, in one run (plain main,
// cudaEvent timing: warm-up, then medians). Not a test: run it by hand on
// a GPU machine and record the table in docs/performance.md.
//
//   build/bin/warpc_bench_cuda [--quick]      (--quick: 16x smaller arrays, fewer repetitions)
//
// Measures:
//  1. Host cost of ONE launch of the 6-argument `integrate` kernel (examples/particles) through
//     the generated launcher bench::integrate vs a raw <<<>>> launch of the hand-written
//     equivalent (pointers prepared once), dim 1024: batches of 256 launches, raw and
//     generated alternating (101 pairs), host time of the launch calls alone (the device is
//     synchronised after each batch, outside the timed region); medians and the median of
//     the paired differences. Also the ABI pieces alone: cuda_launch_config and
//     cuda_check_launch per call.
//  2. Bandwidth (GB/s = bytes that must move / median kernel time, cudaEvents, 20 runs after
//     warm-up): a device-to-device cudaMemcpy of 1 GiB (read + write counted), saxpy on 2^28
//     floats (12 B/element), integrate on 2^24 particles (64 B/particle), each generated and
//     hand-written; plus saxpy written like the generated kernel (grid-stride loop, array_t
//     views) with `#pragma unroll 1`, which isolates the cost of the generated loop's
//     unrolling (a 64-bit trip-count division per thread). Arrays are ≥ 1 GiB in total, far
//     beyond L2, so no rotation is needed.
//  3. CUDA graph replay per kernel: 100 launches of `integrate` (dim 1024) captured once —
//     the hand-written kernel with raw cudaStreamBeginCapture/<<<>>> on a raw stream, and the
//     generated launcher through wp::capture_begin/capture_end — then the instantiated graph
//     replayed 50 times per sample on its stream (cudaEvents around the replays; 21 samples,
//     raw and wp alternating); device time per kernel = sample / (50 · 100). Also the same
//     100 generated launches without a graph (stream time per kernel).
// Correctness first: random inputs, every element of the generated and hand-written results
// compared with a float64 host reference (max relative error, must be < 1e-5).
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "particles.wp.h"
#include "saxpy.wp.h"
#include "wp/cuda_launch.h"
#include "wp/graph.h"
#include "wp/wp.h"

namespace {

void check_cuda(cudaError_t err, const char* what) {
  if (err == cudaSuccess) return;
  std::fprintf(stderr, "%s failed: %s\n", what, cudaGetErrorString(err));
  std::exit(2);
}
#define CHECK(call) check_cuda((call), #call)

// ---- hand-written kernels (one thread per element, as one would write them) -------------

__global__ void saxpy_hand(int n, float a, const float* __restrict__ x, float* __restrict__ y) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}

__global__ void integrate_hand(int n, float3* __restrict__ x, float3* __restrict__ v,
                               const float3* __restrict__ f, const float* __restrict__ w, float3 g,
                               float dt) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const float3 x0 = x[i], v0 = v[i], f0 = f[i];
  const float m = w[i];
  const float3 v1 =
      make_float3(v0.x + (f0.x * m + g.x) * dt, v0.y + (f0.y * m + g.y) * dt, v0.z + (f0.z * m + g.z) * dt);
  x[i] = make_float3(x0.x + v1.x * dt, x0.y + v1.y * dt, x0.z + v1.z * dt);
  v[i] = v1;
}

// saxpy with 16-byte accesses, four elements per thread (what warpc's wide access emits),
// written by hand; the last n % 4 elements one per thread.
__global__ void saxpy_hand_vec4(int n, float a, const float4* __restrict__ x, float4* __restrict__ y) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n / 4) {
    const float4 xv = x[i];
    float4 yv = y[i];
    yv.x = a * xv.x + yv.x;
    yv.y = a * xv.y + yv.y;
    yv.z = a * xv.z + yv.z;
    yv.w = a * xv.w + yv.w;
    y[i] = yv;
  }
  const int t = (n / 4) * 4 + i;
  if (i < n % 4) reinterpret_cast<float*>(y)[t] = a * reinterpret_cast<const float*>(x)[t] + reinterpret_cast<float*>(y)[t];
}

// The generated kernel's shape (grid-stride loop, int64 index, array_t views with byte
// strides) with the loop kept rolled: shows what the generated loop's unrolling costs.
__global__ void saxpy_grid_stride_rolled(int64_t n, float a, wp::array_t<float> x, wp::array_t<float> y) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
#pragma unroll 1
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    y(i) = a * x(i) + y(i);
}

unsigned blocks_for(int64_t n, int block) {
  return static_cast<unsigned>((n + block - 1) / block);
}

// ---- inputs and references ---------------------------------------------------------------

// Deterministic pseudo-random floats in [lo, hi) (splitmix64; fast enough for 2^28 values).
std::vector<float> random_floats(int64_t n, uint64_t seed, float lo, float hi) {
  std::vector<float> out(static_cast<size_t>(n));
  uint64_t s = seed;
  for (float& v : out) {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    v = lo + (hi - lo) * static_cast<float>(z >> 40) / static_cast<float>(1ull << 24);
  }
  return out;
}

std::vector<wp::vec3> as_vec3(const std::vector<float>& f) {
  std::vector<wp::vec3> out(f.size() / 3);
  std::memcpy(out.data(), f.data(), out.size() * sizeof(wp::vec3));
  return out;
}

// max |got - ref| / (|ref| + 1) over every element.
double max_rel_error(const float* got, const std::vector<double>& ref) {
  double worst = 0.0;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double e = std::fabs(static_cast<double>(got[i]) - ref[i]) / (std::fabs(ref[i]) + 1.0);
    worst = std::isnan(e) ? INFINITY : std::max(worst, e);
  }
  return worst;
}

// ---- timing --------------------------------------------------------------------------------

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Device time (ms) of run() on `stream`, bracketed by two events.
template <typename F>
double event_ms(cudaStream_t stream, F&& run) {
  cudaEvent_t start, stop;
  CHECK(cudaEventCreate(&start));
  CHECK(cudaEventCreate(&stop));
  CHECK(cudaEventRecord(start, stream));
  run();
  CHECK(cudaEventRecord(stop, stream));
  CHECK(cudaEventSynchronize(stop));
  float ms = 0.0f;
  CHECK(cudaEventElapsedTime(&ms, start, stop));
  CHECK(cudaEventDestroy(start));
  CHECK(cudaEventDestroy(stop));
  return ms;
}

// Median device time (ms) of run(), on the legacy default stream (which waits for and is
// waited on by every blocking stream), after two warm-up runs.
template <typename F>
double device_ms(F&& run, int reps) {
  run();
  run();
  CHECK(cudaDeviceSynchronize());
  std::vector<double> times;
  for (int r = 0; r < reps; ++r) times.push_back(event_ms(cudaStreamLegacy, run));
  CHECK(cudaGetLastError());
  return median(times);
}

// Host time (ns) of one launch() call: one batch of `batch` calls, the device synchronised
// afterwards outside the timed region.
template <typename F>
double batch_ns_per_call(F&& launch, int batch) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < batch; ++i) launch();
  const auto t1 = std::chrono::steady_clock::now();
  CHECK(cudaDeviceSynchronize());
  return std::chrono::duration<double, std::nano>(t1 - t0).count() / batch;
}

// Median host time (ns) of one launch() call, from batches of `batch` calls.
template <typename F>
double host_ns_per_call(F&& launch, int batch, int batches) {
  batch_ns_per_call(launch, batch);  // warm-up
  std::vector<double> per_call;
  for (int b = 0; b < batches; ++b) per_call.push_back(batch_ns_per_call(launch, batch));
  CHECK(cudaGetLastError());
  return median(per_call);
}

// The same for two launchers, batches alternating (ABAB…) so that drift hits both alike;
// also the median of the per-pair differences b - a.
template <typename A, typename B>
void host_ns_pair(A&& a, B&& b, int batch, int batches, double& ma, double& mb, double& diff) {
  batch_ns_per_call(a, batch);
  batch_ns_per_call(b, batch);
  std::vector<double> ta, tb, d;
  for (int i = 0; i < batches; ++i) {
    ta.push_back(batch_ns_per_call(a, batch));
    tb.push_back(batch_ns_per_call(b, batch));
    d.push_back(tb.back() - ta.back());
  }
  CHECK(cudaGetLastError());
  ma = median(ta);
  mb = median(tb);
  diff = median(d);
}

struct Row {
  std::string name;
  double value;
  std::string unit;
  std::string note;
};
std::vector<Row> g_rows;

void report(const std::string& name, double value, const std::string& unit, const std::string& note = "") {
  std::printf("  %-46s %10.2f %-6s %s\n", name.c_str(), value, unit.c_str(), note.c_str());
  g_rows.push_back({name, value, unit, note});
}

// ---- the measurements ------------------------------------------------------------------------

struct Particles {
  int64_t n;
  wp::array<wp::vec3> x, v, f;
  wp::array<float> w;
  std::vector<float> hx, hv, hf, hw;
};

Particles make_particles(int64_t n) {
  Particles p{n,
              {},
              {},
              {},
              {},
              random_floats(3 * n, 1, -10.0f, 10.0f),
              random_floats(3 * n, 2, -1.0f, 1.0f),
              random_floats(3 * n, 3, -5.0f, 5.0f),
              random_floats(n, 4, 0.1f, 2.0f)};
  p.x = wp::from_host(as_vec3(p.hx), "cuda:0");
  p.v = wp::from_host(as_vec3(p.hv), "cuda:0");
  p.f = wp::from_host(as_vec3(p.hf), "cuda:0");
  p.w = wp::from_host(p.hw, "cuda:0");
  return p;
}

void reset_particles(Particles& p) {
  wp::copy(p.x, wp::from_host(as_vec3(p.hx)));
  wp::copy(p.v, wp::from_host(as_vec3(p.hv)));
}

float3 to_float3(const wp::vec3& a) {
  return make_float3(a[0], a[1], a[2]);
}

void launch_integrate_hand(Particles& p, int64_t n, const wp::vec3& g, float dt) {
  integrate_hand<<<blocks_for(n, 256), 256>>>(
      static_cast<int>(n), reinterpret_cast<float3*>(p.x.data()), reinterpret_cast<float3*>(p.v.data()),
      reinterpret_cast<const float3*>(p.f.data()), p.w.data(), to_float3(g), dt);
}

// One integrate step from the host copies, in float64: x and v after the step, flattened.
void integrate_reference(const Particles& p, const wp::vec3& g, float dt, std::vector<double>& x,
                         std::vector<double>& v) {
  x.resize(3 * p.n);
  v.resize(3 * p.n);
  for (int64_t i = 0; i < p.n; ++i) {
    for (int c = 0; c < 3; ++c) {
      const int64_t k = 3 * i + c;
      v[k] = p.hv[k] + (double(p.hf[k]) * p.hw[i] + g[c]) * dt;
      x[k] = p.hx[k] + v[k] * dt;
    }
  }
}

// Checks one integrate step run by `step` against the float64 reference; returns the error.
template <typename F>
double check_integrate(Particles& p, const wp::vec3& g, float dt, F&& step) {
  std::vector<double> rx, rv;
  integrate_reference(p, g, dt, rx, rv);
  reset_particles(p);
  step();
  CHECK(cudaDeviceSynchronize());
  const std::vector<wp::vec3> x = p.x.to_host(), v = p.v.to_host();
  return std::max(max_rel_error(&x[0][0], rx), max_rel_error(&v[0][0], rv));
}

template <typename F>
double check_saxpy(const std::vector<float>& hx, const std::vector<float>& hy, float a, wp::array<float>& y,
                   F&& run) {
  std::vector<double> ref(hx.size());
  for (size_t i = 0; i < hx.size(); ++i) ref[i] = double(a) * hx[i] + hy[i];
  wp::copy(y, wp::from_host(hy));
  run();
  CHECK(cudaDeviceSynchronize());
  return max_rel_error(y.to_host().data(), ref);
}

bool g_failed = false;
void expect_accurate(const char* what, double err) {
  const bool ok = err < 1e-5;
  std::printf("  check %-40s max rel error %.3g %s\n", what, err, ok ? "ok" : "FAILED");
  g_failed = g_failed || !ok;
}

void bench_launch_cost(Particles& p, const wp::vec3& g, float dt) {
  std::printf("\nHost cost of one launch (dim 1024, integrate: 6 arguments)\n");
  const int64_t n = 1024;
  double raw = 0, gen = 0, diff = 0;
  host_ns_pair([&] { launch_integrate_hand(p, n, g, dt); },
               [&] { bench::integrate(n, p.x, p.v, p.f, p.w, g, dt); }, 256, 101, raw, gen, diff);
  report("raw <<<>>> launch, hand-written kernel", raw, "ns");
  report("generated launcher bench::integrate", gen, "ns");
  report("  generated - raw (median of paired batches)", diff, "ns");
  wp::LaunchOptions opts;
  const wp::Device dev("cuda:0");
  volatile unsigned sink = 0;
  const double cfg = host_ns_per_call(
      [&] { sink = sink + wp::detail::cuda_launch_config(n, opts, dev, "k").grid; }, 4096, 64);
  report("  cuda_launch_config alone", cfg, "ns");
  const double chk = host_ns_per_call([&] { wp::detail::cuda_check_launch("k"); }, 4096, 64);
  report("  cuda_check_launch alone (cudaGetLastError)", chk, "ns");
}

// Reports `bytes` / median time of run() in GB/s, and as a share of the copy's rate.
template <typename F>
double report_rate(const std::string& name, double bytes, F&& run, int reps, double copy_gbs) {
  const double gbs = bytes / device_ms(run, reps) / 1e6;
  report(name, gbs, "GB/s", std::to_string(int(100.0 * gbs / copy_gbs + 0.5)) + "% of copy");
  return gbs;
}

// The ceiling: a device-to-device copy of `bytes` (read + write counted), in GB/s.
double bench_copy(const wp::array<float>& src, const wp::array<float>& dst, int reps) {
  const int64_t bytes = src.size() * 4;
  const double ms = device_ms(
      [&] {
        CHECK(cudaMemcpyAsync(dst.data(), src.data(), bytes, cudaMemcpyDeviceToDevice, cudaStreamLegacy));
      },
      reps);
  const double gbs = 2.0 * bytes / ms / 1e6;
  report("device-to-device cudaMemcpy (" + std::to_string(bytes >> 20) + " MiB)", gbs, "GB/s", "read+write");
  return gbs;
}

// saxpy generated (wide path), generated on views that start one element in (not 16-byte
// aligned: the launcher falls back to the plain one-index-per-thread kernel), hand-written
// scalar and float4 kernels, and the plain generated kernel's shape by hand: checked, then
// timed (x = src, y = dst; the offset views cover n - 1 elements).
void bench_saxpy(const wp::array<float>& src, wp::array<float>& dst, int reps, double copy_gbs) {
  const int64_t n = src.size();
  const float a = 0.5f;
  const unsigned grid = blocks_for(n, 256);
  const wp::array<float> src_off = src.slice(1, n), dst_off = dst.slice(1, n);
  auto generated = [&] { bench::saxpy(n, src, dst, a); };
  auto generated_plain = [&] { bench::saxpy(n - 1, src_off, dst_off, a); };
  auto hand = [&] { saxpy_hand<<<grid, 256>>>(int(n), a, src.data(), dst.data()); };
  auto hand_vec4 = [&] {
    saxpy_hand_vec4<<<blocks_for(std::max<int64_t>(n / 4, 4), 256), 256>>>(
        int(n), a, reinterpret_cast<const float4*>(src.data()), reinterpret_cast<float4*>(dst.data()));
  };
  auto rolled = [&] { saxpy_grid_stride_rolled<<<grid, 256>>>(n, a, src.view(), dst.view()); };
  const std::vector<float> hx = src.to_host(), hy = random_floats(n, 8, -1.0f, 1.0f);
  expect_accurate("saxpy generated (wide)", check_saxpy(hx, hy, a, dst, generated));
  expect_accurate("saxpy hand-written", check_saxpy(hx, hy, a, dst, hand));
  expect_accurate("saxpy hand-written float4", check_saxpy(hx, hy, a, dst, hand_vec4));
  expect_accurate("saxpy grid-stride rolled", check_saxpy(hx, hy, a, dst, rolled));
  {  // the plain path: element 0 untouched, the rest shifted by one
    std::vector<double> ref(hx.size());
    for (size_t i = 0; i < hx.size(); ++i) ref[i] = i == 0 ? hy[0] : double(a) * hx[i] + hy[i];
    wp::copy(dst, wp::from_host(hy));
    generated_plain();
    CHECK(cudaDeviceSynchronize());
    expect_accurate("saxpy generated (plain, unaligned views)", max_rel_error(dst.to_host().data(), ref));
  }
  const double bytes = 12.0 * n;
  report_rate("saxpy generated (2^" + std::to_string(int(std::log2(n))) + " floats, wide)", bytes, generated,
              reps, copy_gbs);
  report_rate("saxpy generated, plain path (unaligned views)", 12.0 * (n - 1), generated_plain, reps, copy_gbs);
  report_rate("saxpy hand-written", bytes, hand, reps, copy_gbs);
  report_rate("saxpy hand-written float4", bytes, hand_vec4, reps, copy_gbs);
  report_rate("saxpy as generated plain, by hand", bytes, rolled, reps, copy_gbs);
}

// ---- graph replay ----------------------------------------------------------------------------

constexpr int kGraphKernels = 100;
constexpr int kGraphReplays = 50;

// Stream time (µs) per kernel of `body`, which queues kGraphReplays · kGraphKernels kernels
// on `stream`.
template <typename F>
double us_per_kernel(cudaStream_t stream, F&& body) {
  return 1000.0 * event_ms(stream, body) / (kGraphReplays * kGraphKernels);
}

void bench_graphs(Particles& p) {
  std::printf("\nGraph replay (%d launches of integrate, dim 1024, per graph; %d replays per sample)\n",
              kGraphKernels, kGraphReplays);
  const int64_t n = 1024;
  const wp::vec3 g = bench::GRAVITY;
  const float dt = 1e-4f;
  // Raw: the hand-written kernel captured on a raw stream.
  cudaStream_t raw_stream;
  CHECK(cudaStreamCreate(&raw_stream));
  cudaGraph_t raw_graph;
  CHECK(cudaStreamBeginCapture(raw_stream, cudaStreamCaptureModeThreadLocal));
  for (int k = 0; k < kGraphKernels; ++k)
    integrate_hand<<<blocks_for(n, 256), 256, 0, raw_stream>>>(
        static_cast<int>(n), reinterpret_cast<float3*>(p.x.data()), reinterpret_cast<float3*>(p.v.data()),
        reinterpret_cast<const float3*>(p.f.data()), p.w.data(), to_float3(g), dt);
  CHECK(cudaStreamEndCapture(raw_stream, &raw_graph));
  cudaGraphExec_t raw_exec;
  CHECK(cudaGraphInstantiate(&raw_exec, raw_graph, 0));
  // Raw, same kernels: the generated launches captured by plain CUDA stream capture (what
  // wp::capture adds on top of CUDA's own graph machinery is the difference to `wp` below).
  cudaStream_t same_stream;
  CHECK(cudaStreamCreate(&same_stream));
  cudaGraph_t same_graph;
  wp::LaunchOptions on_same;
  on_same.stream = same_stream;
  CHECK(cudaStreamBeginCapture(same_stream, cudaStreamCaptureModeThreadLocal));
  for (int k = 0; k < kGraphKernels; ++k) bench::integrate(n, p.x, p.v, p.f, p.w, g, dt, on_same);
  CHECK(cudaStreamEndCapture(same_stream, &same_graph));
  cudaGraphExec_t same_exec;
  CHECK(cudaGraphInstantiate(&same_exec, same_graph, 0));
  // wp: the generated launcher captured by the runtime on its own stream.
  wp::Stream wp_stream(wp::Device("cuda:0"));
  wp::capture_begin(wp_stream);
  for (int k = 0; k < kGraphKernels; ++k) bench::integrate(n, p.x, p.v, p.f, p.w, g, dt);
  wp::Graph graph = wp::capture_end();
  if (graph.node_count() != std::size_t(kGraphKernels)) {
    std::printf("  check graph nodes: %zu, expected %d FAILED\n", graph.node_count(), kGraphKernels);
    g_failed = true;
  }
  const cudaStream_t wp_handle = static_cast<cudaStream_t>(wp_stream.handle());
  const cudaStream_t current = static_cast<cudaStream_t>(wp::get_stream(wp::Device("cuda:0")).handle());
  auto raw_replays = [&] {
    return us_per_kernel(raw_stream, [&] {
      for (int r = 0; r < kGraphReplays; ++r) CHECK(cudaGraphLaunch(raw_exec, raw_stream));
    });
  };
  auto same_replays = [&] {
    return us_per_kernel(same_stream, [&] {
      for (int r = 0; r < kGraphReplays; ++r) CHECK(cudaGraphLaunch(same_exec, same_stream));
    });
  };
  auto wp_replays = [&] {
    return us_per_kernel(wp_handle, [&] {
      for (int r = 0; r < kGraphReplays; ++r) wp::capture_launch(graph, wp_stream);
    });
  };
  auto direct = [&] {
    return us_per_kernel(current, [&] {
      for (int r = 0; r < kGraphReplays * kGraphKernels; ++r) bench::integrate(n, p.x, p.v, p.f, p.w, g, dt);
    });
  };
  raw_replays();  // warm-up
  same_replays();
  wp_replays();
  direct();
  std::vector<double> raw, same, wpg, dir, ratio, ratio_same;
  for (int i = 0; i < 21; ++i) {
    raw.push_back(raw_replays());
    same.push_back(same_replays());
    wpg.push_back(wp_replays());
    dir.push_back(direct());
    ratio.push_back(wpg.back() / raw.back());
    ratio_same.push_back(wpg.back() / same.back());
  }
  report("raw CUDA graph (hand-written kernel), per kernel", median(raw), "us");
  report("raw CUDA graph (generated kernel), per kernel", median(same), "us");
  report("wp::capture graph replay, per kernel", median(wpg), "us");
  report("  ratio wp / raw hand-written (median of pairs)", median(ratio), "x");
  report("  ratio wp / raw generated (median of pairs)", median(ratio_same), "x");
  report("generated launches without a graph, per kernel", median(dir), "us", "stream time");
  CHECK(cudaGraphExecDestroy(same_exec));
  CHECK(cudaGraphDestroy(same_graph));
  CHECK(cudaStreamDestroy(same_stream));
  CHECK(cudaGraphExecDestroy(raw_exec));
  CHECK(cudaGraphDestroy(raw_graph));
  CHECK(cudaStreamDestroy(raw_stream));
}

// integrate generated and hand-written: checked, then timed; then the launch-cost section.
void bench_integrate(int64_t n_particles, int reps, double copy_gbs) {
  Particles p = make_particles(n_particles);
  const wp::vec3 g = bench::GRAVITY;
  const float dt = 0.01f;
  auto generated = [&] { bench::integrate(p.n, p.x, p.v, p.f, p.w, g, dt); };
  auto hand = [&] { launch_integrate_hand(p, p.n, g, dt); };
  expect_accurate("integrate generated", check_integrate(p, g, dt, generated));
  expect_accurate("integrate hand-written", check_integrate(p, g, dt, hand));
  const double bytes = 64.0 * p.n;
  report_rate("integrate generated (2^" + std::to_string(int(std::log2(p.n))) + " particles)", bytes,
              generated, reps, copy_gbs);
  report_rate("integrate hand-written", bytes, hand, reps, copy_gbs);
  bench_launch_cost(p, g, dt);
  bench_graphs(p);
}

void bench_bandwidth(int64_t n_saxpy, int64_t n_particles, int reps) {
  std::printf("\nBandwidth (median of %d runs)\n", reps);
  auto src = wp::from_host(random_floats(n_saxpy, 7, -1.0f, 1.0f), "cuda:0");
  auto dst = wp::empty<float>(n_saxpy, "cuda:0");
  const double copy_gbs = bench_copy(src, dst, reps);
  bench_saxpy(src, dst, reps, copy_gbs);
  bench_integrate(n_particles, reps, copy_gbs);
}

void print_device() {
  cudaDeviceProp prop{};
  CHECK(cudaGetDeviceProperties(&prop, 0));
  int runtime = 0, driver = 0;
  CHECK(cudaRuntimeGetVersion(&runtime));
  CHECK(cudaDriverGetVersion(&driver));
  std::printf("device: %s, %d SMs, %.0f MiB, L2 %d MiB; CUDA runtime %d, driver %d\n", prop.name,
              prop.multiProcessorCount, prop.totalGlobalMem / 1048576.0, prop.l2CacheSize >> 20, runtime,
              driver);
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  if (wp::cuda_device_count() == 0) {
    std::printf("warpc_bench_cuda: no CUDA device; nothing to measure\n");
    return 0;
  }
  try {
    print_device();
    bench_bandwidth(quick ? int64_t{1} << 24 : int64_t{1} << 28, quick ? int64_t{1} << 20 : int64_t{1} << 24,
                    quick ? 5 : 20);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  std::printf("\n| benchmark | value | unit | note |\n|---|---|---|---|\n");
  for (const Row& r : g_rows)
    std::printf("| %s | %.2f | %s | %s |\n", r.name.c_str(), r.value, r.unit.c_str(), r.note.c_str());
  return g_failed ? 1 : 0;
}
