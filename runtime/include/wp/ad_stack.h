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
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

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
};

WP_HD uint64_t ad_stack_open(AdStack& s, unsigned char* local, int64_t local_bytes, const AdSpill& spill,
                             int64_t index) {
  s.local = local;
  s.local_bytes = local_bytes;
  s.spill = spill.base ? spill.base + index * spill.thread_step : nullptr;
  s.spill_bytes = spill.base ? spill.bytes_per_thread : 0;
  s.word_step = spill.word_step;
  s.top = 0;
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
  if (s.top + n > s.local_bytes + s.spill_bytes) return 0;
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

}  // namespace wp
