// cpu_launch_bench.cpp — host cost of CPU launches and thread scaling of a compute-bound kernel.
//
//  * LaunchTiny: wp::launch_cpu of dim 1 (runs serially on the caller; target ≤ 2 µs).
//  * LaunchTiny6Args: dim 1 with six arguments (four array views, a float, an int) built per
//    launch the way a generated launcher will (array.view() each time).
//  * GeneratedIntegrateTiny: the same six-argument kernel (examples/particles `integrate`)
//    through warpc's generated launcher bench::integrate, dim 1 — LaunchTiny6Args plus the
//    launcher's checks (launch_dim, device inference, kernel_arg for four arrays).
//  * GeneratedSaxpy: bench::saxpy (bench/saxpy.wp) on 2^22 floats, whole pool; bytes/s
//    counts 12 bytes per element.
//  * LaunchPooledEmpty: dim 1024, trivial body: the pool's wake-up/join cost.
//  * ComputeScaling/T: a compute-bound kernel (2^16 indices × 256 dependent FMAs + sin) on T
//    threads (max_threads = T), real time; speed-up = time(1) / time(T).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>

#include "particles.wp.h"  // generated (bench/CMakeLists.txt)
#include "saxpy.wp.h"
#include "wp/wp.h"

namespace {

void LaunchTiny(benchmark::State& state) {
  auto a = wp::zeros<float>(1);
  wp::array_t<float> v = a.view();
  for (auto _ : state) {
    wp::launch_cpu(
        1, {}, [=](int64_t i) { v(i) += 1.0f; }, "tiny");
  }
  benchmark::DoNotOptimize(a.data()[0]);
}
BENCHMARK(LaunchTiny);

void LaunchTiny6Args(benchmark::State& state) {
  auto x = wp::zeros<wp::vec3>(1), v = wp::zeros<wp::vec3>(1), f = wp::zeros<wp::vec3>(1);
  auto m = wp::full<float>(1, 1.0f);
  const float dt = 0.01f;
  int flags = 0;
  benchmark::DoNotOptimize(flags);  // a runtime value, like a real kernel argument
  for (auto _ : state) {
    wp::launch_cpu(
        1, {},
        [x = x.view(), v = v.view(), f = f.view(), m = m.view(), dt, flags](int64_t i) {
          v(i) = v(i) + f(i) * (dt / m(i));
          x(i) = x(i) + v(i) * dt;
          if (flags) x(i) = wp::vec3{};
        },
        "integrate");
  }
  benchmark::DoNotOptimize(x.data()[0]);
}
BENCHMARK(LaunchTiny6Args);

void GeneratedIntegrateTiny(benchmark::State& state) {
  auto x = wp::zeros<wp::vec3>(1), v = wp::zeros<wp::vec3>(1), f = wp::zeros<wp::vec3>(1);
  auto w = wp::full<float>(1, 1.0f);
  for (auto _ : state) bench::integrate(1, x, v, f, w, bench::GRAVITY, 0.01f);
  benchmark::DoNotOptimize(x.data()[0]);
}
BENCHMARK(GeneratedIntegrateTiny);

void GeneratedSaxpy(benchmark::State& state) {
  const int64_t n = int64_t{1} << 22;
  auto x = wp::full<float>(n, 1.0f), y = wp::full<float>(n, 2.0f);
  for (auto _ : state) bench::saxpy(n, x, y, 0.5f);
  benchmark::DoNotOptimize(y.data()[n - 1]);
  state.SetBytesProcessed(state.iterations() * n * 12);
}
BENCHMARK(GeneratedSaxpy)->UseRealTime()->Unit(benchmark::kMicrosecond);

void LaunchPooledEmpty(benchmark::State& state) {
  auto a = wp::zeros<int>(1024);
  wp::array_t<int> v = a.view();
  for (auto _ : state) {
    wp::launch_cpu(
        1024, {}, [=](int64_t i) { v(i) = static_cast<int>(i); }, "fill_index");
  }
  benchmark::DoNotOptimize(a.data()[0]);
}
BENCHMARK(LaunchPooledEmpty)->UseRealTime();

void ComputeScaling(benchmark::State& state) {
  const int64_t n = 1 << 16;
  auto out = wp::zeros<float>(n);
  wp::array_t<float> o = out.view();
  wp::LaunchOptions opts;
  opts.max_threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    wp::launch_cpu(n, opts, [=](int64_t i) {
      float x = static_cast<float>(i) * 1e-5f;
      for (int k = 0; k < 256; ++k) x = x * 0.999f + 1e-3f;
      o(i) = x + std::sin(x);
    });
  }
  benchmark::DoNotOptimize(out.data()[n - 1]);
  state.SetItemsProcessed(state.iterations() * n);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  // One ComputeScaling run per thread count, 1 … the pool size (WARPC_NUM_THREADS or cores).
  benchmark::RegisterBenchmark("ComputeScaling", ComputeScaling)
      ->DenseRange(1, wp::cpu_thread_count())
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
