// loop_ad_bench.cpp — backward vs forward time of a 10,000-trip dynamic loop, for the two ways
// warpc reverses loops (docs/autodiff.md, "Loops"): `store` (the default: carried values on a
// per-thread stack, O(n) body evaluations) and `recompute` (O(n²)). bench/long_loop.wp is
// compiled twice: namespace loop_store (default --loop-ad) and loop_recompute
// (--loop-ad=recompute). Not a timing test: run it by hand, record numbers in
// docs/performance.md. `--check` (a CTest) only compares gradients.
//
//   warpc_bench_loop_ad [--device cpu|cuda] [--threads T] [--n N] [--recompute-threads R]
//                       [--reps K] [--check] [--thread-cpu-time]
//
// Contract:
//  * Kernel `recurrence`: s ← 0.999·s + sin(a + 0.001·s), n trips, one float carried; x drawn
//    in [-1, 1] (fixed seed); y.grad seeded with 1. `recurrence_inplace`: the same with s kept
//    in y[i] (an element updated in place: the undo log, 24 bytes a trip plus the 8-byte cursor).
//  * Correctness first (exit 1 on failure), on the chosen device with 64 threads, n = 300 for
//    `recurrence` and n = 2,000 for `while_break`: x.grad of the store kernels with the
//    automatic spill buffer, with max_loop_trips = 100 (the rest recomputed) and with no spill
//    buffer (max_loop_trips = -1: only the thread-local 16 trips stored) must equal the
//    recompute kernels' within 1e-5 relative (they evaluate the same float operations); and the
//    recurrence's x.grad must match a double-precision central difference of y within 1e-3;
//    `recurrence_inplace`'s x.grad (store with the automatic spill buffer, and recompute) must
//    equal the recurrence's within 1e-5 relative.
//  * Timing (without --check): forward, store backward (options.max_loop_trips = n, so every
//    trip is stored) of `recurrence` and of `recurrence_inplace`, each the median of K runs (default 5) over T threads (CPU default 256,
//    CUDA default 16384) of n trips (default 10,000); recompute backward over R threads
//    (default 2 on the CPU, 1024 on CUDA: it costs n²/2 body evaluations per thread),
//    Wall clock around launch + wp::synchronize() (bench_util.h: warm-up first), or with
//    --thread-cpu-time the calling thread's CPU time (CPU only; meaningful with
//    WARPC_NUM_THREADS=1, where launches run on the calling thread: immune to other load).
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "long_loop.wp.h"
#include "long_loop_recompute.wp.h"
#include "wp/wp.h"

namespace {

struct Cli {
  std::string device = "cpu";
  int64_t threads = 0, recompute_threads = 0;
  int n = 10000, reps = 5;
  bool check = false, thread_cpu_time = false;
};

double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Median milliseconds of `reps` runs: bench::median_ms, or the calling thread's CPU time.
double median_ms(const Cli& cli, int reps, const std::function<void()>& body) {
  if (!cli.thread_cpu_time) return bench::median_ms(reps, body);
  body();  // warm-up
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    const double t0 = thread_seconds();
    body();
    t.push_back(1e3 * (thread_seconds() - t0));
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

std::vector<float> inputs(int64_t count, uint64_t seed) {
  std::vector<float> x(static_cast<size_t>(count));
  uint64_t s = seed;
  for (float& v : x) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    v = static_cast<float>(static_cast<double>(s >> 11) / static_cast<double>(1ull << 53) * 2.0 - 1.0);
  }
  return x;
}

// x.grad of one backward launch (y.grad = 1) of `backward` on device `dev`.
template <class Backward>
std::vector<float> gradient(const std::vector<float>& xs, int n, const std::string& dev, Backward backward) {
  const int64_t t = static_cast<int64_t>(xs.size());
  wp::array<float> x = wp::from_host(xs, dev, true);
  wp::array<float> y = wp::zeros<float>(t, dev, true);
  std::vector<float> ones(static_cast<size_t>(t), 1.0f);
  wp::copy(y.grad_array(), wp::from_host(ones, dev));
  backward(t, x, n, y);
  wp::synchronize();
  return x.grad_array().to_host();
}

double recurrence_host(double a, int n) {
  double s = 0.0;
  for (int k = 0; k < n; ++k) s = s * 0.999 + std::sin(a + 0.001 * s);
  return s;
}

bool compare(const char* what, const std::vector<float>& got, const std::vector<float>& want, double tol) {
  double worst = 0.0;
  for (size_t i = 0; i < got.size(); ++i)
    worst = std::max(worst, std::abs(double(got[i]) - want[i]) / std::max(1.0, std::abs(double(want[i]))));
  std::printf("  %-58s max rel diff %.3g %s\n", what, worst, worst <= tol ? "ok" : "FAIL");
  return worst <= tol;
}

template <class Store, class Recompute>
bool check_kernel(const char* name, int n, const std::string& dev, Store store, Recompute recompute) {
  const std::vector<float> xs = inputs(64, 7);
  std::printf("%s (n = %d, 64 threads, %s):\n", name, n, dev.c_str());
  const std::vector<float> ref = gradient(xs, n, dev, [&](int64_t t, auto& x, int nn, auto& y) {
    recompute(t, x, nn, y, wp::LaunchOptions{});
  });
  bool ok = true;
  for (int trips : {0, 100, -1}) {
    wp::LaunchOptions o;
    o.max_loop_trips = trips;
    const std::vector<float> g =
        gradient(xs, n, dev, [&](int64_t t, auto& x, int nn, auto& y) { store(t, x, nn, y, o); });
    const std::string what = std::string("store (max_loop_trips = ") + std::to_string(trips) + ") vs recompute";
    ok &= compare(what.c_str(), g, ref, 1e-5);
  }
  return ok;
}

bool run_checks(const std::string& dev) {
  bool ok = check_kernel(
      "recurrence", 300, dev,
      [](int64_t t, auto& x, int n, auto& y, const wp::LaunchOptions& o) { loop_store::recurrence_backward(t, x, n, y, o); },
      [](int64_t t, auto& x, int n, auto& y, const wp::LaunchOptions& o) {
        loop_recompute::recurrence_backward(t, x, n, y, o);
      });
  ok &= check_kernel(
      "while_break", 2000, dev,
      [](int64_t t, auto& x, int n, auto& y, const wp::LaunchOptions& o) { loop_store::while_break_backward(t, x, n, y, o); },
      [](int64_t t, auto& x, int n, auto& y, const wp::LaunchOptions& o) {
        loop_recompute::while_break_backward(t, x, n, y, o);
      });
  // Finite differences of the recurrence in double precision on the host.
  const std::vector<float> xs = inputs(64, 7);
  const std::vector<float> g = gradient(xs, 300, dev, [](int64_t t, auto& x, int n, auto& y) {
    loop_store::recurrence_backward(t, x, n, y);
  });
  std::vector<float> fd(xs.size());
  for (size_t i = 0; i < xs.size(); ++i)
    fd[i] = static_cast<float>((recurrence_host(xs[i] + 1e-6, 300) - recurrence_host(xs[i] - 1e-6, 300)) / 2e-6);
  ok &= compare("recurrence store vs float64 central difference", g, fd, 1e-3);
  std::printf("recurrence_inplace (n = 300, 64 threads, %s):\n", dev.c_str());
  const std::vector<float> gi = gradient(xs, 300, dev, [](int64_t t, auto& x, int n, auto& y) {
    loop_store::recurrence_inplace_backward(t, x, n, y);
  });
  ok &= compare("recurrence_inplace store (undo log) vs recurrence", gi, g, 1e-5);
  const std::vector<float> gr = gradient(xs, 300, dev, [](int64_t t, auto& x, int n, auto& y) {
    loop_recompute::recurrence_inplace_backward(t, x, n, y);
  });
  ok &= compare("recurrence_inplace recompute (undo log) vs recurrence", gr, g, 1e-5);
  return ok;
}

void time_device(const Cli& cli) {
  const std::string& dev = cli.device;
  const bool cuda = dev != "cpu";
  const int64_t t = cli.threads ? cli.threads : cuda ? 16384 : 256;
  const int64_t tr = cli.recompute_threads ? cli.recompute_threads : cuda ? 1024 : 2;
  const int n = cli.n;
  const std::vector<float> xs = inputs(t, 11);
  wp::array<float> x = wp::from_host(xs, dev, true);
  wp::array<float> y = wp::zeros<float>(t, dev, true);
  wp::LaunchOptions store_options;
  store_options.max_loop_trips = n;  // every trip of every thread stored
  const double fwd = median_ms(cli, cli.reps, [&] { loop_store::recurrence(t, x, n, y); });
  const double bwd = median_ms(cli, cli.reps, [&] { loop_store::recurrence_backward(t, x, n, y, store_options); });
  wp::array<float> xr = wp::from_host(std::vector<float>(xs.begin(), xs.begin() + tr), dev, true);
  wp::array<float> yr = wp::zeros<float>(tr, dev, true);
  const double fwd_r = median_ms(cli, cli.reps, [&] { loop_store::recurrence(tr, xr, n, yr); });
  const double bwd_r = median_ms(cli, std::max(1, cli.reps / 2), [&] { loop_recompute::recurrence_backward(tr, xr, n, yr); });
  std::printf("recurrence, n = %d trips, device %s (%d CPU pool threads, %s)\n", n, dev.c_str(), wp::cpu_thread_count(),
              cli.thread_cpu_time ? "thread CPU time" : "wall time");
  std::printf("  %-42s %10.3f ms  (%lld threads)\n", "forward", fwd, static_cast<long long>(t));
  std::printf("  %-42s %10.3f ms  backward/forward %.2f  (spill %.1f MiB)\n", "backward, store (max_loop_trips = n)", bwd,
              bwd / fwd, double(t) * (double(n) * 4 - 64) / (1 << 20));
  std::printf("  %-42s %10.3f ms  (%lld threads)\n", "forward", fwd_r, static_cast<long long>(tr));
  std::printf("  %-42s %10.3f ms  backward/forward %.1f\n", "backward, recompute", bwd_r, bwd_r / fwd_r);
  const double fwd_i = median_ms(cli, cli.reps, [&] { loop_store::recurrence_inplace(t, x, n, y); });
  const double bwd_i =
      median_ms(cli, cli.reps, [&] { loop_store::recurrence_inplace_backward(t, x, n, y, store_options); });
  std::printf("recurrence_inplace (s in y[i]: undo log), n = %d trips\n", n);
  std::printf("  %-42s %10.3f ms  (%lld threads)\n", "forward", fwd_i, static_cast<long long>(t));
  std::printf("  %-42s %10.3f ms  backward/forward %.2f  (stack %.1f MiB)\n", "backward, store (max_loop_trips = n)",
              bwd_i, bwd_i / fwd_i, double(t) * double(n) * 32 / (1 << 20));
}

}  // namespace

int main(int argc, char** argv) {
  Cli cli;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--device") cli.device = next();
    else if (a == "--threads") cli.threads = std::stoll(next());
    else if (a == "--recompute-threads") cli.recompute_threads = std::stoll(next());
    else if (a == "--n") cli.n = std::stoi(next());
    else if (a == "--reps") cli.reps = std::max(1, std::stoi(next()));
    else if (a == "--check") cli.check = true;
    else if (a == "--thread-cpu-time") cli.thread_cpu_time = true;
    else {
      std::fprintf(stderr,
                   "usage: warpc_bench_loop_ad [--device cpu|cuda] [--threads T] [--n N] [--recompute-threads R] "
                   "[--reps K] [--check] [--thread-cpu-time]\n");
      return 2;
    }
  }
  try {
    if (cli.device != "cpu" && wp::cuda_device_count() == 0) {
      std::printf("skipped: no CUDA device\n");
      return 77;  // CTest's SKIP_RETURN_CODE
    }
    if (!run_checks(cli.device)) return 1;
    if (!cli.check) time_device(cli);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
