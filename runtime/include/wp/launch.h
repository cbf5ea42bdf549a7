// wp/launch.h — launch dimensions, launch options and the multithreaded CPU launcher.
//
// Contract:
//  * wp::Dim holds 1–4 launch extents (each in [0, INT32_MAX], validated like wp::Shape,
//    "launch dimension" in messages); size() is their product as int64_t. A Dim converts
//    implicitly from an integer ({n}), a braced list ({n, m, …}) or a Shape.
//  * wp::tid_from_index(dim, index) maps a flat index in [0, dim.size()) to coordinates,
//    ROW-MAJOR: the LAST dimension varies fastest, so for Dim{2, 3} indices 0..5 map to
//    (0,0) (0,1) (0,2) (1,0) (1,1) (1,2) — the order Warp's wp.tid() uses.
//  * wp::launch_cpu(dim, options, body[, kernel]) calls body(int64_t index) exactly once for
//    every index in [0, dim.size()), split into contiguous chunks run on a persistent thread
//    pool (plus the calling thread). Which thread runs which index is unspecified; a body
//    that writes only its own index's outputs gives results identical to a serial loop.
//    It returns after every index has run. Tiny launches (≤ kSerialLaunchThreshold indices),
//    one-thread pools and launches nested inside a running body run serially on the caller.
//  * Threads: the pool has WARPC_NUM_THREADS threads (a positive integer; anything else →
//    wp::Error at first use) or std::thread::hardware_concurrency(); options.max_threads > 0
//    caps the threads one launch uses. options.stream and block_dim are ignored on the CPU.
//  * LaunchOptions::device is optional: launch_cpu accepts an unset device or the CPU and
//    throws for any other device; generated launchers infer an unset device from their
//    array arguments (wp/kernel_abi.h).
//  * wp::launch_cpu_ranges(dim, options, body[, kernel]) is the same launcher with
//    body(int64_t begin, int64_t end) called once per contiguous chunk [begin, end).
//  * An exception thrown by body stops chunks not yet started and is rethrown on the calling
//    thread, after all running chunks finish, as a wp::Error carrying the kernel name (a
//    wp::Error keeps its cause; other std::exceptions give their what(); anything else gives
//    "unknown exception"). Concurrent launch_cpu calls from different threads are serialised.
//  * detail::adjoint_variants_enabled(): false when WARPC_ADJOINT_VARIANTS=0 (read once); the
//    CUDA launchers of backward kernels then always run the generic instantiation.
//  * wp::synchronize() waits for outstanding work on every device: nothing to wait for on the
//    CPU, where launches are synchronous; cudaDeviceSynchronize on every CUDA device when the
//    runtime has CUDA. Asynchronous CUDA errors (a kernel that faulted or trapped) surface
//    there as wp::Error — see wp/stream.h.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "wp/config.h"
#include "wp/device.h"
#include "wp/error.h"
#include "wp/shape.h"

namespace wp {

class Dim {
 public:
  Dim(int64_t n) : Dim({n}) {}  // NOLINT: implicit
  Dim(std::initializer_list<int64_t> extents) {
    if (extents.size() == 0) throw Error("launch dimension is empty; give 1 to 4 extents");
    detail::check_extents(extents.begin(), extents.size(), "launch dimension");
    for (int64_t e : extents) extent_[ndim_++] = static_cast<int>(e);
  }
  Dim(const Shape& shape) {  // NOLINT: implicit (launch over an array's shape)
    if (shape.ndim() == 0) throw Error("launch dimension is empty; give 1 to 4 extents");
    for (int d = 0; d < shape.ndim(); ++d) extent_[ndim_++] = shape[d];
  }

  WP_HD int ndim() const { return ndim_; }
  WP_HD int operator[](int d) const { return extent_[d]; }
  WP_HD int64_t size() const {
    int64_t n = 1;
    for (int d = 0; d < ndim_; ++d) n *= extent_[d];
    return n;
  }

 private:
  int extent_[kMaxDims] = {0, 0, 0, 0};
  int ndim_ = 0;
};

// Device code compiled by NVRTC uses wp/rtc/launch_dim.h's copy of this layout.
static_assert(sizeof(Dim) == (kMaxDims + 1) * sizeof(int), "wp/rtc/launch_dim.h mirrors Dim's layout");

// Coordinates of one launch index; entries past dim.ndim() are 0.
struct Tid {
  int c[kMaxDims];
  WP_HD int operator[](int d) const { return c[d]; }
};

// Row-major: the last dimension varies fastest (see the file contract).
WP_HD Tid tid_from_index(const Dim& dim, int64_t index) {
  Tid t{{0, 0, 0, 0}};
  for (int d = dim.ndim() - 1; d > 0; --d) {
    const int64_t e = dim[d];
    t.c[d] = static_cast<int>(index % e);
    index /= e;
  }
  t.c[0] = static_cast<int>(index);
  return t;
}

struct LaunchOptions {
  // Where the kernel runs. Unset: generated launchers infer it (the first non-empty array
  // argument's device, else the CPU — wp/kernel_abi.h); launch_cpu treats unset as the CPU.
  std::optional<Device> device;
  int block_dim = 256;        // CUDA threads per block, 1..1024 (ignored on the CPU)
  int max_threads = 0;        // CPU: at most this many threads; 0 = the whole pool
  void* stream = nullptr;     // cudaStream_t; nullptr = the device's current stream (CPU: ignored)
  // Backward launches of kernels that store loop-carried values (docs/autodiff.md, Loops):
  // iterations per loop run the spill buffer holds; 0 = automatic (wp/ad_spill.h), < 0 = none.
  // Iterations beyond it are recomputed, never lost.
  int max_loop_trips = 0;
};

// At or below this many indices a CPU launch runs serially on the calling thread.
inline constexpr int64_t kSerialLaunchThreshold = 16;

// Waits for all outstanding work on all devices (CPU launches are synchronous; CUDA devices
// are synchronised, and asynchronous CUDA errors are thrown here as wp::Error).
void synchronize();

namespace detail {

using ChunkFn = void (*)(void* ctx, int64_t begin, int64_t end);

// Runs fn over [0, n) in chunks on the pool; rethrows the first failure as a wp::Error.
void run_parallel(int64_t n, int max_threads, ChunkFn fn, void* ctx, std::string_view kernel);
// Converts the exception in flight (inside a catch block) to a wp::Error naming `kernel`.
[[noreturn]] void rethrow_as_error(std::string_view kernel);
// True when the pool would run a launch of n indices serially on this thread.
bool run_serially(int64_t n, int max_threads);
inline void check_cpu_device(const std::optional<Device>& device, std::string_view kernel) {
  if (device && !device->is_cpu()) {
    throw Error("launch_cpu: cannot run on device '" + device->str() + "'", std::string(kernel));
  }
}
// Parses WARPC_NUM_THREADS (nullptr → fallback); throws wp::Error on a bad value.
int parse_thread_count(const char* text, int fallback);
// Whether CUDA launchers of backward kernels pick the instantiation that compiles away the
// accumulations into absent gradient buffers (docs/codegen.md): yes unless the environment
// variable WARPC_ADJOINT_VARIANTS is "0" when first asked (an A/B switch; results are the same).
inline bool adjoint_variants_enabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("WARPC_ADJOINT_VARIANTS");
    return !(v && v[0] == '0' && v[1] == '\0');
  }();
  return enabled;
}

}  // namespace detail

// Threads in the CPU pool (including the calling thread's share): ≥ 1.
int cpu_thread_count();

// Runs `body(begin, end)` over contiguous ranges of the flat indices of `dim` — every index
// in exactly one range — split into chunks over the CPU thread pool (small launches run on
// the calling thread). Generated code walks coordinates incrementally (or vectorises) instead
// of calling tid_from_index per index. An exception escaping `body` is rethrown on the
// calling thread as wp::Error naming `kernel`, after every chunk has finished.
template <typename F>
void launch_cpu_ranges(const Dim& dim, const LaunchOptions& options, F&& body,
                       std::string_view kernel = {}) {
  detail::check_cpu_device(options.device, kernel);
  const int64_t n = dim.size();
  if (n == 0) return;
  if (n <= kSerialLaunchThreshold || detail::run_serially(n, options.max_threads)) {
    try {
      body(int64_t{0}, n);
    } catch (...) {
      detail::rethrow_as_error(kernel);
    }
    return;
  }
  using Body = std::remove_reference_t<F>;
  detail::ChunkFn chunk = [](void* ctx, int64_t begin, int64_t end) {
    (*static_cast<Body*>(ctx))(begin, end);
  };
  void* ctx = const_cast<void*>(static_cast<const void*>(std::addressof(body)));
  detail::run_parallel(n, options.max_threads, chunk, ctx, kernel);
}

// Runs body(i) once for every flat index i of `dim` on the CPU pool (see
// launch_cpu_ranges, which it is built on).
template <typename F>
void launch_cpu(const Dim& dim, const LaunchOptions& options, F&& body,
                std::string_view kernel = {}) {
  launch_cpu_ranges(
      dim, options,
      [&body](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) body(i);
      },
      kernel);
}

}  // namespace wp
