// wp/ad_spill.h — the spill buffer a generated backward launcher allocates for the loop-carried
// values its kernel stores (reverse-mode AD, docs/autodiff.md "Loops"; device side: wp/ad_stack.h).
//
// Contract:
//  * detail::ad_spill_for(threads, trip_bytes, local_bytes, options, device, keep) returns the
//    AdSpill of one launch of `threads` logical threads whose kernel stores `trip_bytes` bytes
//    per loop iteration (the sum over the loops it stores, each at most once on the stack at a
//    time) and has `local_bytes` of thread-local stack. Bytes per thread:
//      options.max_loop_trips > 0: max_loop_trips · trip_bytes − local_bytes (every loop can
//        store that many iterations);
//      options.max_loop_trips == 0 (default): the same with kAdAutoLoopTrips trips, but at most
//        kAdAutoSpillBudget bytes for the whole launch;
//      options.max_loop_trips < 0: none (the local buffer only).
//    Rounded down to 16 bytes; 0 → a null AdSpill and no allocation. Layout (wp/ad_stack.h):
//    interleaved on CUDA devices (coalesced pushes), contiguous per thread on the CPU, or as
//    `interleave` says when given. The memory (uninitialised,
//    on `device`, from the runtime's allocator: stream-ordered on CUDA) is owned by `keep`, which
//    the launcher holds until the launch is issued.
//  * Iterations that do not fit are not an error: the kernel recomputes their carried values
//    (O(n²) for that loop run), so the gradient is the same; a larger bound only buys speed.
//  * An allocation failure throws wp::Error (as any allocation).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>

#include "wp/ad_stack.h"
#include "wp/allocator.h"
#include "wp/device.h"
#include "wp/launch.h"

namespace wp {

inline constexpr int64_t kAdAutoLoopTrips = 1 << 16;
inline constexpr int64_t kAdAutoSpillBudget = int64_t{256} << 20;  // 256 MiB per launch

namespace detail {

inline AdSpill ad_spill_for(int64_t threads, int64_t trip_bytes, int64_t local_bytes, const LaunchOptions& options,
                            const Device& device, std::shared_ptr<void>& keep, int interleave = -1) {
  AdSpill spill;
  if (threads <= 0 || trip_bytes <= 0 || options.max_loop_trips < 0) return spill;
  int64_t per_thread = 0;
  if (options.max_loop_trips > 0) {
    per_thread = static_cast<int64_t>(options.max_loop_trips) * trip_bytes - local_bytes;
  } else {
    per_thread = std::min(kAdAutoLoopTrips * trip_bytes, kAdAutoSpillBudget / threads) - local_bytes;
  }
  per_thread = per_thread / 16 * 16;
  if (per_thread <= 0) return spill;
  keep = allocate_shared(device, static_cast<std::size_t>(per_thread) * static_cast<std::size_t>(threads));
  spill.base = static_cast<unsigned char*>(keep.get());
  spill.bytes_per_thread = per_thread;
  const bool interleaved = interleave < 0 ? device.is_cuda() : interleave > 0;
  spill.thread_step = interleaved ? 4 : per_thread;
  spill.word_step = interleaved ? 4 * threads : 4;
  return spill;
}

}  // namespace detail
}  // namespace wp
