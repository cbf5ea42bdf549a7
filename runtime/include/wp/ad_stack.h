// wp/ad_stack.h — the per-thread stack on which a backward kernel stores the loop-carried
// values of dynamic loops (reverse-mode AD's store strategy, docs/autodiff.md "Loops").
// Host and device code; generated backward kernels use it through wp/builtins/kernel_support.h,
// generated launchers through wp::detail::ad_spill_for (wp/ad_spill.h).
//
// Contract:
//  * wp::AdSpill is the launch's spill buffer: `base` (nullptr: none) holds `bytes_per_thread`
//    (a multiple of 4) bytes for every logical thread of the launch, as 4-byte words: word w of
//    flat launch index i is at base + i·thread_step + w·word_step. Contiguous per thread
//    (thread_step = bytes_per_thread, word_step = 4: the CPU, where one thread runs its loop
//    alone) or interleaved (thread_step = 4, word_step = 4·threads: CUDA, where the threads of a
//    warp push together and their words are then adjacent, so the accesses coalesce).
//    POD, passed by value.
//  * wp::AdStack is one logical thread's stack: `local_bytes` of thread-local storage (the
//    generated kernel declares it: a compile-time size), then that thread's slice of the spill
//    buffer. Its addresses are one byte range [0, local_bytes + spill_bytes); a value may straddle
//    the two parts. ad_stack_open() makes one; its handle (the address, as uint64) is what the
//    IR passes around (to adjoint functions too).
//  * ad_push(h, v…) stores the values, in order, on top of the stack and returns 1 — or, when
//    they do not all fit, stores nothing, leaves the stack as it was and returns 0 (the caller
//    then recomputes those values instead: the AD counts the iterations it stored).
//  * ad_pop(h, T{}) removes and returns the value of type T on top (the last pushed value first).
//    Popping what was not pushed is a bug of the caller (not checked).
//  * Values are copied bytewise (memcpy): every pushed type must be trivially copyable.
//  * The undo log (docs/autodiff.md, "Overwritten arrays"): the backward pass of a kernel that
//    reads array elements its own thread overwrites later keeps, per thread, one entry per store
//    into such an array — the element's address, its old and its new value — growing DOWN from
//    the end of the stack's byte range (the carried values grow up; ad_push fails where the log
//    begins). `log` is the log's cursor: entries are written in program order at decreasing
//    positions, and every replay of the same code after a seek to the same position meets the
//    same stores at the same positions.
//    - ad_log_store(h, v, a, i…) logs a[i…] (old value, v) at the cursor, moves the cursor past
//      the entry and stores v. A position the log already holds (a replay) is not written again.
//      A log that does not fit is a defined failure: one line naming the remedy, then abort
//      (host) or trap (device) — never a silently wrong gradient.
//    - ad_log_tell(h) / ad_log_seek(h, p): the cursor.
//    - ad_log_undo(h, from, to): writes back the old values of the entries between positions
//      `from` (older) and `to` (newer), newest first: every element stored in between holds
//      again what it held at `from`.
//    - ad_log_redo(h): writes every logged new value, oldest first: the arrays hold what the
//      forward pass left in them.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "wp/array_view.h"
#include "wp/config.h"

namespace wp {

struct AdSpill {
  unsigned char* base = nullptr;
  int64_t bytes_per_thread = 0;
  int64_t thread_step = 0;
  int64_t word_step = 4;
};

struct AdStack {
  unsigned char* local = nullptr;
  int64_t local_bytes = 0;
  unsigned char* spill = nullptr;  // this thread's word 0
  int64_t spill_bytes = 0;
  int64_t word_step = 4;
  int64_t top = 0;
  int64_t log = 0;      // the undo log's cursor (it grows down from local_bytes + spill_bytes)
  int64_t log_low = 0;  // the lowest position the log has written
};

WP_HD uint64_t ad_stack_open(AdStack& s, unsigned char* local, int64_t local_bytes, const AdSpill& spill,
                             int64_t index) {
  s.local = local;
  s.local_bytes = local_bytes;
  s.spill = spill.base ? spill.base + index * spill.thread_step : nullptr;
  s.spill_bytes = spill.base ? spill.bytes_per_thread : 0;
  s.word_step = spill.word_step;
  s.top = 0;
  s.log = s.log_low = s.local_bytes + s.spill_bytes;
  return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&s));
}

namespace detail {

WP_HD AdStack& ad_stack_of(uint64_t h) { return *reinterpret_cast<AdStack*>(static_cast<uintptr_t>(h)); }

// Copies n bytes between `bytes` and stack addresses [at, at + n) (which may straddle local / spill).
WP_HD void ad_copy(AdStack& s, int64_t at, void* bytes, int64_t n, bool to_stack) {
  unsigned char* p = static_cast<unsigned char*>(bytes);
  const int64_t in_local = at < s.local_bytes ? (at + n <= s.local_bytes ? n : s.local_bytes - at) : 0;
  if (in_local > 0) {
    if (to_stack) memcpy(s.local + at, p, static_cast<size_t>(in_local));
    else memcpy(p, s.local + at, static_cast<size_t>(in_local));
  }
  if (n <= in_local) return;
  int64_t o = at + in_local - s.local_bytes;  // spill offset
  p += in_local;
  n -= in_local;
  if (s.word_step == 4) {  // contiguous
    if (to_stack) memcpy(s.spill + o, p, static_cast<size_t>(n));
    else memcpy(p, s.spill + o, static_cast<size_t>(n));
    return;
  }
  while (n > 0) {  // interleaved: one 4-byte word (or part of it) at a time
    const int64_t b = o % 4, chunk = (4 - b) < n ? (4 - b) : n;
    unsigned char* q = s.spill + (o / 4) * s.word_step + b;
    if (to_stack) memcpy(q, p, static_cast<size_t>(chunk));
    else memcpy(p, q, static_cast<size_t>(chunk));
    o += chunk;
    p += chunk;
    n -= chunk;
  }
}

template <typename T>
WP_HD void ad_put(AdStack& s, const T& v) {
  static_assert(std::is_trivially_copyable<T>::value, "ad_push: loop-carried values must be trivially copyable");
  T copy = v;
  ad_copy(s, s.top, &copy, static_cast<int64_t>(sizeof(T)), true);
  s.top += static_cast<int64_t>(sizeof(T));
}

}  // namespace detail

template <typename... T>
WP_HD int32_t ad_push(uint64_t h, const T&... v) {
  AdStack& s = detail::ad_stack_of(h);
  const int64_t n = (int64_t{0} + ... + static_cast<int64_t>(sizeof(T)));
  if (s.top + n > s.log_low) return 0;
  (detail::ad_put(s, v), ...);
  return 1;
}

template <typename T>
WP_HD T ad_pop(uint64_t h, const T&) {
  AdStack& s = detail::ad_stack_of(h);
  T v;
  s.top -= static_cast<int64_t>(sizeof(T));
  detail::ad_copy(s, s.top, &v, static_cast<int64_t>(sizeof(T)), false);
  return v;
}

// ---- the undo log of overwritten array elements (contract above)

namespace detail {

// Entry layout, from its lowest byte: int32 size, uint64 address, old value, new value (each
// padded to 4 bytes), int32 size again (the redo walks the log from its oldest end).
WP_HD int64_t ad_log_padded(int64_t size) { return (size + 3) / 4 * 4; }

WP_HD void ad_log_overflow(const AdStack& s) {
#if defined(__CUDA_ARCH__)
  printf("warpc backward pass: the per-thread undo log of overwritten array elements does not fit its stack "
         "(%lld bytes): launch the backward with a larger LaunchOptions::max_loop_trips\n",
         static_cast<long long>(s.local_bytes + s.spill_bytes));
  __trap();
#else
  std::fprintf(stderr,
               "warpc backward pass: the per-thread undo log of overwritten array elements does not fit its stack "
               "(%lld bytes): launch the backward with a larger LaunchOptions::max_loop_trips\n",
               static_cast<long long>(s.local_bytes + s.spill_bytes));
  std::fflush(stderr);
  std::abort();
#endif
}

}  // namespace detail

template <typename T, typename... I>
WP_HD void ad_log_store(uint64_t h, const T& v, const array_t<T>& a, I... idx) {
  AdStack& s = detail::ad_stack_of(h);
  T& e = a(idx...);
  const int32_t size = static_cast<int32_t>(sizeof(T));
  const int64_t p = detail::ad_log_padded(size);
  const int64_t at = s.log - (16 + 2 * p);
  if (at < s.log_low) {  // a new entry (positions at or above log_low were written by an earlier pass)
    if (at < s.top) detail::ad_log_overflow(s);
    int32_t sz = size;
    uint64_t addr = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&e));
    T old = e, now = v;
    detail::ad_copy(s, at, &sz, 4, true);
    detail::ad_copy(s, at + 4, &addr, 8, true);
    detail::ad_copy(s, at + 12, &old, size, true);
    detail::ad_copy(s, at + 12 + p, &now, size, true);
    detail::ad_copy(s, at + 12 + 2 * p, &sz, 4, true);
    s.log_low = at;
  }
  s.log = at;
  e = v;
}

WP_HD int64_t ad_log_tell(uint64_t h) { return detail::ad_stack_of(h).log; }

WP_HD void ad_log_seek(uint64_t h, int64_t at) { detail::ad_stack_of(h).log = at; }

WP_HD void ad_log_undo(uint64_t h, int64_t from, int64_t to) {
  AdStack& s = detail::ad_stack_of(h);
  for (int64_t q = to; q < from;) {
    int32_t size = 0;
    uint64_t addr = 0;
    detail::ad_copy(s, q, &size, 4, false);
    detail::ad_copy(s, q + 4, &addr, 8, false);
    detail::ad_copy(s, q + 12, reinterpret_cast<void*>(static_cast<uintptr_t>(addr)), size, false);
    q += 16 + 2 * detail::ad_log_padded(size);
  }
}

WP_HD void ad_log_redo(uint64_t h) {
  AdStack& s = detail::ad_stack_of(h);
  for (int64_t q = s.local_bytes + s.spill_bytes; q > s.log_low;) {
    int32_t size = 0;
    uint64_t addr = 0;
    detail::ad_copy(s, q - 4, &size, 4, false);
    const int64_t p = detail::ad_log_padded(size), at = q - (16 + 2 * p);
    detail::ad_copy(s, at + 4, &addr, 8, false);
    detail::ad_copy(s, at + 12 + p, reinterpret_cast<void*>(static_cast<uintptr_t>(addr)), size, false);
    q = at;
  }
}

}  // namespace wp
