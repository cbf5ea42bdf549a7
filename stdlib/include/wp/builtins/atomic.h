// wp/builtins/atomic.h — atomics on array elements: atomic_add, atomic_sub, atomic_min,
// atomic_max, atomic_and, atomic_or, atomic_xor, atomic_exch, atomic_cas, and the adjoints of
// the differentiable ones (add, sub, min, max).
//
// Contract:
//  * wp::atomic_<op>(const array_t<T>& arr, i[, j[, k[, l]]], value) updates arr[i, …] and
//    returns the value it held before; atomic_cas(arr, i…, compare, value) stores value only
//    when the element equals compare BITWISE (so -0.0 ≠ +0.0 and a NaN matches itself) and
//    returns the old value either way. Indices are any integer types; value has T's type.
//  * Scalars: every integer type (8 to 64 bits), wp::half, wp::bfloat16, float, double; bool is
//    not allowed.
//    min/max compare with < / > (min keeps the old value when value is not smaller, so NaN
//    never wins); and/or/xor need integers. Composites (vec, mat, quat, transform) are done
//    component by component — each component atomically, the composite as a whole not —
//    for every op but cas, which is scalar only (as Warp). The result is the composite of
//    the old components.
//  * Host: std::atomic_ref (C++20): safe against other host threads (the CPU launcher).
//    Device: CUDA's native atomics where one exists for the type, otherwise an atomicCAS loop
//    (16-bit types, half and bfloat16 included, use the 16-bit atomicCAS of sm_70+; 8-bit types swap
//    inside their aligned 32-bit word, so compute-sanitizer reports the neighbouring bytes of
//    the word as read when they lie past the allocation's end — harmless, the word never
//    crosses a page). Warp itself makes 8/16-bit integer updates plain read-modify-writes;
//    here they are atomic.
//  * Adjoints (Warp's rules): adj_atomic_add/sub(arr, i…, value, adj_arr, adj_i…, adj_value,
//    adj_ret) accumulate ± the gradient element at the index into adj_value — read from
//    adj_arr when it has data, else from arr.grad, else nothing; adj_atomic_min/max pass that
//    gradient (per component) only where arr's final element equals value. adj_ret is unused
//    (the old value is not differentiable). Index adjoints are untouched.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#if !defined(__CUDA_ARCH__)
#include <atomic>
#endif

#include "wp/builtins/kernel_support.h"

namespace wp {

namespace atomic_detail {

enum class Op { kAdd, kSub, kMin, kMax, kAnd, kOr, kXor, kExch };

template <typename T>
inline constexpr bool is_scalar_v = (std::is_integral_v<T> && !std::is_same_v<T, bool>) ||
                                    std::is_floating_point_v<T> || std::is_same_v<T, half> ||
                                    std::is_same_v<T, bfloat16>;

// A composite is treated as `count` consecutive scalars (types.h guarantees no padding).
template <typename T>
struct Components {
  using scalar = T;
  static constexpr int count = 1;
};
template <int N, typename S>
struct Components<vec_t<N, S>> {
  using scalar = S;
  static constexpr int count = N;
};
template <int R, int C, typename S>
struct Components<mat_t<R, C, S>> {
  using scalar = S;
  static constexpr int count = R * C;
};
template <typename S>
struct Components<quat_t<S>> {
  using scalar = S;
  static constexpr int count = 4;
};
template <typename S>
struct Components<transform_t<S>> {
  using scalar = S;
  static constexpr int count = 7;
};

template <typename To, typename From>
WP_HD To bits_as(const From& v) {
  static_assert(sizeof(To) == sizeof(From));
  return __builtin_bit_cast(To, v);
}

// The new value an op stores, given the old one.
template <Op op, typename T>
WP_HD T combine(T old, T v) {
  if constexpr (op == Op::kAdd)
    return static_cast<T>(old + v);
  else if constexpr (op == Op::kSub)
    return static_cast<T>(old - v);
  else if constexpr (op == Op::kMin)
    return v < old ? v : old;
  else if constexpr (op == Op::kMax)
    return v > old ? v : old;
  else if constexpr (op == Op::kExch)
    return v;
  else {
    static_assert(std::is_integral_v<T>, "atomic_and/or/xor need an integer element type");
    if constexpr (op == Op::kAnd)
      return static_cast<T>(old & v);
    else if constexpr (op == Op::kOr)
      return static_cast<T>(old | v);
    else
      return static_cast<T>(old ^ v);
  }
}

template <typename T>
WP_HD bool same_bits(T a, T b) {
  if constexpr (sizeof(T) == 1)
    return bits_as<uint8_t>(a) == bits_as<uint8_t>(b);
  else if constexpr (sizeof(T) == 2)
    return bits_as<uint16_t>(a) == bits_as<uint16_t>(b);
  else if constexpr (sizeof(T) == 4)
    return bits_as<uint32_t>(a) == bits_as<uint32_t>(b);
  else
    return bits_as<uint64_t>(a) == bits_as<uint64_t>(b);
}

#if defined(__CUDA_ARCH__)

// ---- device ----------------------------------------------------------------------------------

// The unsigned type atomicCAS swaps for a T of that size (16-bit: sm_70+).
template <typename T>
using DeviceWord = std::conditional_t<sizeof(T) == 8, unsigned long long,
                                      std::conditional_t<sizeof(T) == 4, unsigned int, unsigned short>>;

#if __CUDA_ARCH__ >= 700
template <typename T>
inline constexpr bool has_native_cas_v = sizeof(T) >= 2;
#else
template <typename T>
inline constexpr bool has_native_cas_v = sizeof(T) >= 4;
#endif

// Compare-and-swap loop: `next(old)` gives the value to store; returns the old value.
// 8-bit values (and 16-bit ones before sm_70) are swapped inside their aligned 32-bit word.
template <typename T, typename Next>
__device__ T cas_loop(T* p, Next next) {
  if constexpr (has_native_cas_v<T>) {
    using W = DeviceWord<T>;
    W* word = reinterpret_cast<W*>(p);
    W old = *word, assumed;
    do {
      assumed = old;
      const T desired = next(bits_as<T>(assumed));
      if (same_bits(desired, bits_as<T>(assumed))) break;
      old = atomicCAS(word, assumed, bits_as<W>(desired));
    } while (old != assumed);
    return bits_as<T>(old);
  } else {
    using U = std::conditional_t<sizeof(T) == 1, uint8_t, uint16_t>;
    const uintptr_t address = reinterpret_cast<uintptr_t>(p);
    unsigned int* word = reinterpret_cast<unsigned int*>(address & ~uintptr_t{3});
    const unsigned int shift = static_cast<unsigned int>(address & 3u) * 8u;
    const unsigned int mask = static_cast<unsigned int>(static_cast<U>(~U{0})) << shift;
    unsigned int old = *word, assumed;
    do {
      assumed = old;
      const T current = bits_as<T>(static_cast<U>((assumed & mask) >> shift));
      const T desired = next(current);
      if (same_bits(desired, current)) break;
      const unsigned int field = static_cast<unsigned int>(bits_as<U>(desired)) << shift;
      old = atomicCAS(word, assumed, (assumed & ~mask) | field);
    } while (old != assumed);
    return bits_as<T>(static_cast<U>((old & mask) >> shift));
  }
}

template <Op op, typename T>
struct Combiner {
  T v;
  __device__ T operator()(T old) const { return combine<op, T>(old, v); }
};

template <typename T>
struct Swapper {
  T compare, v;
  __device__ T operator()(T old) const { return same_bits(old, compare) ? v : old; }
};

template <typename T>
inline constexpr bool is_word32_v = std::is_same_v<T, int32_t> || std::is_same_v<T, uint32_t>;
template <typename T>
inline constexpr bool is_int64_v = std::is_integral_v<T> && sizeof(T) == 8;

template <Op op, typename T>
__device__ T device_rmw(T* p, T v) {
  using ull = unsigned long long;
  if constexpr (op == Op::kAdd && (is_word32_v<T> || std::is_same_v<T, float> || std::is_same_v<T, double>)) {
    return atomicAdd(p, v);
  } else if constexpr ((op == Op::kAdd || op == Op::kSub) && is_int64_v<T>) {
    const ull delta = op == Op::kAdd ? static_cast<ull>(v) : ull{0} - static_cast<ull>(v);
    return static_cast<T>(atomicAdd(reinterpret_cast<ull*>(p), delta));
  } else if constexpr (op == Op::kSub && is_word32_v<T>) {
    return atomicSub(p, v);
  } else if constexpr (op == Op::kSub && (std::is_same_v<T, float> || std::is_same_v<T, double>)) {
    return atomicAdd(p, -v);  // IEEE: a - b is a + (-b), bit for bit
  } else if constexpr ((op == Op::kMin || op == Op::kMax) && (is_word32_v<T> || is_int64_v<T>)) {
    using N = std::conditional_t<sizeof(T) == 4, T, std::conditional_t<std::is_signed_v<T>, long long, ull>>;
    N* q = reinterpret_cast<N*>(p);
    return static_cast<T>(op == Op::kMin ? atomicMin(q, static_cast<N>(v)) : atomicMax(q, static_cast<N>(v)));
  } else if constexpr ((op == Op::kAnd || op == Op::kOr || op == Op::kXor) &&
                       (is_word32_v<T> || is_int64_v<T>)) {
    using W = DeviceWord<T>;
    W* q = reinterpret_cast<W*>(p);
    const W w = static_cast<W>(v);
    const W r = op == Op::kAnd ? atomicAnd(q, w) : op == Op::kOr ? atomicOr(q, w) : atomicXor(q, w);
    return static_cast<T>(r);
  } else if constexpr (op == Op::kExch && sizeof(T) >= 4) {  // (atomicExch has no 16-bit form)
    using W = DeviceWord<T>;
    return bits_as<T>(atomicExch(reinterpret_cast<W*>(p), bits_as<W>(v)));
  } else {
    return cas_loop(p, Combiner<op, T>{v});
  }
}

template <typename T>
__device__ T device_cas(T* p, T compare, T v) {
  if constexpr (has_native_cas_v<T>) {
    using W = DeviceWord<T>;
    return bits_as<T>(atomicCAS(reinterpret_cast<W*>(p), bits_as<W>(compare), bits_as<W>(v)));
  } else {
    return cas_loop(p, Swapper<T>{compare, v});
  }
}

#else

// ---- host ------------------------------------------------------------------------------------

template <Op op, typename T>
inline T host_rmw(T* p, T v) {
  std::atomic_ref<T> ref(*p);
  constexpr bool kInt = std::is_integral_v<T>;
  constexpr bool kFloat = std::is_floating_point_v<T>;
  if constexpr (op == Op::kExch)
    return ref.exchange(v);
  else if constexpr (op == Op::kAdd && (kInt || kFloat))
    return ref.fetch_add(v);
  else if constexpr (op == Op::kSub && (kInt || kFloat))
    return ref.fetch_sub(v);
  else if constexpr (op == Op::kAnd && kInt)
    return ref.fetch_and(v);
  else if constexpr (op == Op::kOr && kInt)
    return ref.fetch_or(v);
  else if constexpr (op == Op::kXor && kInt)
    return ref.fetch_xor(v);
  else {
    T old = ref.load(std::memory_order_relaxed);
    for (;;) {
      const T desired = combine<op, T>(old, v);
      if (same_bits(desired, old) || ref.compare_exchange_weak(old, desired)) return old;
    }
  }
}

template <typename T>
inline T host_cas(T* p, T compare, T v) {
  std::atomic_ref<T> ref(*p);
  T expected = compare;
  ref.compare_exchange_strong(expected, v);  // compares object representations (bitwise)
  return expected;
}

#endif

template <Op op, typename S>
WP_HD S scalar_rmw(S* p, S v) {
  static_assert(is_scalar_v<S>, "atomics need integer, half, bfloat16, float or double elements");
#if defined(__CUDA_ARCH__)
  return device_rmw<op, S>(p, v);
#else
  return host_rmw<op, S>(p, v);
#endif
}

// One op on every component of *p; returns the old composite.
template <Op op, typename T>
WP_HD T rmw(T* p, const T& value) {
  using S = typename Components<T>::scalar;
  constexpr int n = Components<T>::count;
  static_assert(sizeof(T) == n * sizeof(S), "composite with padding");
  if constexpr (n == 1) {
    return scalar_rmw<op, S>(reinterpret_cast<S*>(p), bits_as<S>(value));
  } else {
    S in[n], out[n];
    ::memcpy(in, &value, sizeof(T));
    S* base = reinterpret_cast<S*>(p);
    for (int k = 0; k < n; ++k) out[k] = scalar_rmw<op, S>(base + k, in[k]);
    T old;
    ::memcpy(&old, out, sizeof(T));
    return old;
  }
}

// The same read-modify-write on one thread's own storage (a kernel-local array): plain loads
// and stores — GPU atomics do not address local memory.
template <Op op, typename T>
WP_HD T local_rmw(T* p, const T& value) {
  using S = typename Components<T>::scalar;
  constexpr int n = Components<T>::count;
  S in[n], cur[n];
  ::memcpy(in, &value, sizeof(T));
  ::memcpy(cur, p, sizeof(T));
  const T old = *p;
  for (int k = 0; k < n; ++k) cur[k] = combine<op, S>(cur[k], in[k]);
  ::memcpy(p, cur, sizeof(T));
  return old;
}

template <typename T>
WP_HD T cas(T* p, T compare, T value) {
  static_assert(is_scalar_v<T>, "atomic_cas needs a scalar element type");
#if defined(__CUDA_ARCH__)
  return device_cas<T>(p, compare, value);
#else
  return host_cas<T>(p, compare, value);
#endif
}

// ---- additions whose old value nobody reads ---------------------------------------------------
//
// add_no_return(p, v): *p += v component by component, atomically per component, returning
// nothing. On sm_90+ a float composite (vec, mat, quat, transform) in global memory goes out as
// vector reductions — `red.global.add.v4.f32` / `.v2.f32` (PTX ISA 8.1, sm_90), which need a
// 16- / 8-byte-aligned address — plus scalar reductions for the components left over. The
// element's address is only known to be 4-byte aligned (a vec3 is 12 bytes), so the plan is
// chosen per alignment phase (address / 4 mod 4) at run time: vec3 = v2 + scalar or
// scalar + v2, mat33 = e.g. v4 + v4 + scalar. Each component is still added exactly once and
// atomically; the vector form is not atomic as a whole (neither is the scalar form).
// Opt-in: compiled only with -DWARPC_VECTOR_RED (on the H100 the neo-Hookean benchmark ran
// slower with them: forward 0.221 → 0.249 ms, backward 0.413 → 0.462 ms, see docs/performance.md).
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900 && defined(WARPC_VECTOR_RED)
__device__ inline void red_add_v2(float* p, float a, float b) {
  asm volatile("red.global.add.v2.f32 [%0], {%1, %2};" ::"l"(p), "f"(a), "f"(b) : "memory");
}
__device__ inline void red_add_v4(float* p, float a, float b, float c, float d) {
  asm volatile("red.global.add.v4.f32 [%0], {%1, %2, %3, %4};" ::"l"(p), "f"(a), "f"(b), "f"(c), "f"(d)
               : "memory");
}
// n floats from p, whose address is phase*4 mod 16: widest aligned pieces first.
template <int n, int phase>
__device__ void red_add_span(float* p, const float* v) {
  if constexpr (n >= 4 && phase == 0) {
    red_add_v4(p, v[0], v[1], v[2], v[3]);
    red_add_span<n - 4, 0>(p + 4, v + 4);
  } else if constexpr (n >= 2 && phase % 2 == 0) {
    red_add_v2(p, v[0], v[1]);
    red_add_span<n - 2, (phase + 2) % 4>(p + 2, v + 2);
  } else if constexpr (n >= 1) {
    atomicAdd(p, v[0]);
    red_add_span<n - 1, (phase + 1) % 4>(p + 1, v + 1);
  }
}
#endif

// Warp-aggregated additions (-DWARPC_AGGREGATE_ATOMICS, device code, sm_70+): the lanes of a
// warp that add into the same element (__match_any_sync on the address) first sum their values
// by pointer jumping over the group's lanes in lane order (step s: a lane adds the running sum
// of the peer 2^s ranks above it, then jumps to that peer's successor), and the group's lowest
// lane adds the sum — one atomic per distinct element per warp instead of one per lane. Every
// lane of the calling warp that is active takes part, whether or not it has peers (the
// shuffles name the active mask); a warp whose lanes all add to distinct elements skips the
// reduction (one vote). The sum is in another order than one-by-one atomics (as any order of
// concurrent atomics is); each element still receives every value exactly once.
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 700 && defined(WARPC_AGGREGATE_ATOMICS)
template <typename S>
inline constexpr bool kAggregatable = std::is_same_v<S, float> || std::is_same_v<S, double> ||
                                      std::is_same_v<S, int32_t> || std::is_same_v<S, uint32_t> ||
                                      std::is_same_v<S, int64_t> || std::is_same_v<S, uint64_t>;

enum class Aggregated { kNoPeers, kLeader, kDone };

// Sums v[0..n) over the active lanes with the same key. kNoPeers: no active lane of the warp
// has a peer (v unchanged: every lane adds its own); kLeader: this lane is its group's lowest
// and v holds the group's sum (it adds it); kDone: another lane adds this lane's values.
template <typename S, int n>
__device__ Aggregated aggregate_by_key(unsigned long long key, S (&v)[n]) {
  const unsigned mask = __activemask();
  const unsigned peers = __match_any_sync(mask, key);
  unsigned lane;
  asm("mov.u32 %0, %%laneid;" : "=r"(lane));
  if (!__any_sync(mask, peers != (1u << lane))) return Aggregated::kNoPeers;
  const unsigned above = lane == 31 ? 0u : peers & (~0u << (lane + 1));
  int next = above ? __ffs(above) - 1 : -1;  // the next peer in lane order
  while (__any_sync(mask, next >= 0)) {
    const int src = next >= 0 ? next : static_cast<int>(lane);
    for (int k = 0; k < n; ++k) {
      const S o = __shfl_sync(mask, v[k], src);
      if (next >= 0) v[k] += o;
    }
    const int jump = __shfl_sync(mask, next, src);
    next = next >= 0 ? jump : -1;
  }
  return lane == static_cast<unsigned>(__ffs(peers) - 1) ? Aggregated::kLeader : Aggregated::kDone;
}

// true: another lane adds this lane's value; false: add `value` (the group's sum on a leader).
template <typename T>
__device__ bool add_aggregated(T* p, T& value) {
  using S = typename Components<T>::scalar;
  constexpr int n = Components<T>::count;
  if constexpr (!kAggregatable<S>) {
    return false;
  } else {
    S v[n];
    ::memcpy(v, &value, sizeof(T));
    const Aggregated r = aggregate_by_key(reinterpret_cast<unsigned long long>(p), v);
    if (r == Aggregated::kDone) return true;
    if (r == Aggregated::kLeader) ::memcpy(&value, v, sizeof(T));
    return false;
  }
}

// Two additions grouped by `key`, which must identify both elements (lanes with equal keys add
// into the same two elements: the index into two arrays): one match and one reduction loop for
// both. Same contract as add_aggregated for the pair.
template <typename T, typename U>
__device__ bool add_aggregated_pair(unsigned long long key, T& a, U& b) {
  using S = typename Components<T>::scalar;
  constexpr int n = Components<T>::count, m = Components<U>::count;
  if constexpr (!kAggregatable<S> || !std::is_same_v<S, typename Components<U>::scalar>) {
    return false;
  } else {
    S v[n + m];
    ::memcpy(v, &a, sizeof(T));
    ::memcpy(v + n, &b, sizeof(U));
    const Aggregated r = aggregate_by_key(key, v);
    if (r == Aggregated::kDone) return true;
    if (r == Aggregated::kLeader) {
      ::memcpy(&a, v, sizeof(T));
      ::memcpy(&b, v + n, sizeof(U));
    }
    return false;
  }
}
#endif

// add_no_return without warp aggregation (the vector reductions when enabled, else RED).
template <typename T>
WP_HD void add_no_return_direct(T* p, const T& value) {
  using S = typename Components<T>::scalar;
  constexpr int n = Components<T>::count;
  static_assert(sizeof(T) == n * sizeof(S), "composite with padding");
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900 && defined(WARPC_VECTOR_RED)
  if constexpr (std::is_same_v<S, float> && n >= 2) {
    if (__isGlobal(p)) {
      float v[n];
      ::memcpy(v, &value, sizeof(T));
      float* base = reinterpret_cast<float*>(p);
      const unsigned phase = static_cast<unsigned>(reinterpret_cast<uintptr_t>(base) >> 2) & 3u;
      if constexpr (n < 4) {  // no v4 fits: only the parity of the phase matters
        if (phase % 2 == 0) red_add_span<n, 0>(base, v);
        else red_add_span<n, 1>(base, v);
      } else {
        switch (phase) {
          case 0: red_add_span<n, 0>(base, v); break;
          case 1: red_add_span<n, 1>(base, v); break;
          case 2: red_add_span<n, 2>(base, v); break;
          default: red_add_span<n, 3>(base, v); break;
        }
      }
      return;
    }
  }
#endif
  (void)rmw<Op::kAdd, T>(p, value);  // the old value unused: nvcc emits RED for native adds
}

template <typename T>
WP_HD void add_no_return(T* p, const T& value_in) {
  T value = value_in;
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 700 && defined(WARPC_AGGREGATE_ATOMICS)
  if (__isGlobal(p) && add_aggregated(p, value)) return;
#endif
  add_no_return_direct(p, value);
}

// *p += a and *q += b, where `key` identifies the pair of elements in every lane of a warp
// (lanes with equal keys have equal p and equal q; lanes with different keys may still share
// an element, e.g. through a zero stride, and then simply add separately). With
// WARPC_AGGREGATE_ATOMICS both are aggregated at once; otherwise two add_no_return.
template <typename T, typename U>
WP_HD void add_no_return_pair(T* p, U* q, const T& a_in, const U& b_in, unsigned long long key) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 700 && defined(WARPC_AGGREGATE_ATOMICS)
  T a = a_in;
  U b = b_in;
  if (__isGlobal(p) && __isGlobal(q)) {
    if (add_aggregated_pair(key, a, b)) return;
    add_no_return_direct(p, a);
    add_no_return_direct(q, b);
    return;
  }
#else
  (void)key;
#endif
  add_no_return(p, a_in);
  add_no_return(q, b_in);
}

// The gradient element matching arr's element at the index: adj_arr's when it has data,
// else arr.grad's, else null.
template <typename T, typename... I>
WP_HD T* gradient_at(const array_t<T>& arr, const array_t<T>& adj_arr, I... idx) {
  if (adj_arr.data) return &adj_arr(idx...);
  if (arr.grad) return &arr.adj(idx...);
  return nullptr;
}

template <typename T>
WP_HD void add_components(T& acc, const T& g, float sign) {
  using S = typename Components<T>::scalar;
  constexpr int n = Components<T>::count;
  S a[n], b[n];
  ::memcpy(a, &acc, sizeof(T));
  ::memcpy(b, &g, sizeof(T));
  for (int k = 0; k < n; ++k) a[k] = sign > 0 ? static_cast<S>(a[k] + b[k]) : static_cast<S>(a[k] - b[k]);
  ::memcpy(&acc, a, sizeof(T));
}

// min/max: the gradient reaches value only in the components where it won.
template <typename T>
WP_HD void add_where_equal(T& acc, const T& g, const T& stored, const T& value) {
  using S = typename Components<T>::scalar;
  constexpr int n = Components<T>::count;
  S a[n], b[n], s[n], v[n];
  ::memcpy(a, &acc, sizeof(T));
  ::memcpy(b, &g, sizeof(T));
  ::memcpy(s, &stored, sizeof(T));
  ::memcpy(v, &value, sizeof(T));
  for (int k = 0; k < n; ++k)
    if (s[k] == v[k]) a[k] = static_cast<S>(a[k] + b[k]);
  ::memcpy(&acc, a, sizeof(T));
}

}  // namespace atomic_detail

// ---- the builtins: one overload per index count ---------------------------------------------

namespace atomic_detail {
template <Op op, typename T>
WP_HD T element_rmw(const array_t<T>& arr, T* p, const T& value) {  // kernel-local: no atomics
  return (arr.flags & array_t<T>::kThreadLocal) ? local_rmw<op, T>(p, value) : rmw<op, T>(p, value);
}
}  // namespace atomic_detail

#define WP_ATOMIC_RMW(name, op)                                                            \
  template <typename T, typename I>                                                        \
  WP_HD T name(const array_t<T>& arr, I i, std::type_identity_t<T> value) {                \
    return atomic_detail::element_rmw<op, T>(arr, &arr(i), value);                                      \
  }                                                                                        \
  template <typename T, typename I, typename J>                                            \
  WP_HD T name(const array_t<T>& arr, I i, J j, std::type_identity_t<T> value) {           \
    return atomic_detail::element_rmw<op, T>(arr, &arr(i, j), value);                                   \
  }                                                                                        \
  template <typename T, typename I, typename J, typename K>                                \
  WP_HD T name(const array_t<T>& arr, I i, J j, K k, std::type_identity_t<T> value) {      \
    return atomic_detail::element_rmw<op, T>(arr, &arr(i, j, k), value);                                \
  }                                                                                        \
  template <typename T, typename I, typename J, typename K, typename L>                    \
  WP_HD T name(const array_t<T>& arr, I i, J j, K k, L l, std::type_identity_t<T> value) { \
    return atomic_detail::element_rmw<op, T>(arr, &arr(i, j, k, l), value);                             \
  }

WP_ATOMIC_RMW(atomic_add, atomic_detail::Op::kAdd)
WP_ATOMIC_RMW(atomic_sub, atomic_detail::Op::kSub)
WP_ATOMIC_RMW(atomic_min, atomic_detail::Op::kMin)
WP_ATOMIC_RMW(atomic_max, atomic_detail::Op::kMax)
WP_ATOMIC_RMW(atomic_and, atomic_detail::Op::kAnd)
WP_ATOMIC_RMW(atomic_or, atomic_detail::Op::kOr)
WP_ATOMIC_RMW(atomic_xor, atomic_detail::Op::kXor)
WP_ATOMIC_RMW(atomic_exch, atomic_detail::Op::kExch)
#undef WP_ATOMIC_RMW

// atomic_add_no_return(arr, i…, value): atomic_add whose old value nobody reads (codegen emits it
// for an `atomic_add` whose result is unused): vector reductions for float composites on sm_90+.
// A kernel-local array (kThreadLocal: `wp.zeros` in kernel code, one thread's stack storage)
// takes the plain read-modify-write path (local_rmw): atomics address global memory only.
namespace atomic_detail {
template <typename T>
WP_HD void add_to_element(const array_t<T>& arr, T* p, T value) {
  if (arr.flags & array_t<T>::kThreadLocal) local_rmw<Op::kAdd, T>(p, value);
  else add_no_return<T>(p, value);
}
}  // namespace atomic_detail
template <typename T, typename I>
WP_HD void atomic_add_no_return(const array_t<T>& arr, I i, std::type_identity_t<T> value) {
  atomic_detail::add_to_element<T>(arr, &arr(i), value);
}
template <typename T, typename I, typename J>
WP_HD void atomic_add_no_return(const array_t<T>& arr, I i, J j, std::type_identity_t<T> value) {
  atomic_detail::add_to_element<T>(arr, &arr(i, j), value);
}
template <typename T, typename I, typename J, typename K>
WP_HD void atomic_add_no_return(const array_t<T>& arr, I i, J j, K k, std::type_identity_t<T> value) {
  atomic_detail::add_to_element<T>(arr, &arr(i, j, k), value);
}
template <typename T, typename I, typename J, typename K, typename L>
WP_HD void atomic_add_no_return(const array_t<T>& arr, I i, J j, K k, L l, std::type_identity_t<T> value) {
  atomic_detail::add_to_element<T>(arr, &arr(i, j, k, l), value);
}

template <typename T, typename I>
WP_HD T atomic_cas(const array_t<T>& arr, I i, std::type_identity_t<T> compare,
                   std::type_identity_t<T> value) {
  return atomic_detail::cas<T>(&arr(i), compare, value);
}
template <typename T, typename I, typename J>
WP_HD T atomic_cas(const array_t<T>& arr, I i, J j, std::type_identity_t<T> compare,
                   std::type_identity_t<T> value) {
  return atomic_detail::cas<T>(&arr(i, j), compare, value);
}
template <typename T, typename I, typename J, typename K>
WP_HD T atomic_cas(const array_t<T>& arr, I i, J j, K k, std::type_identity_t<T> compare,
                   std::type_identity_t<T> value) {
  return atomic_detail::cas<T>(&arr(i, j, k), compare, value);
}
template <typename T, typename I, typename J, typename K, typename L>
WP_HD T atomic_cas(const array_t<T>& arr, I i, J j, K k, L l, std::type_identity_t<T> compare,
                   std::type_identity_t<T> value) {
  return atomic_detail::cas<T>(&arr(i, j, k, l), compare, value);
}

// ---- adjoints ----------------------------------------------------------------------------------

// adj_atomic_add / adj_atomic_sub: adj_value ± gradient element.
#define WP_ATOMIC_ADJ_ARITH(name, sign)                                                                  \
  template <typename T, typename I, typename AI>                                                         \
  WP_HD void name(const array_t<T>& arr, I i, const T& value, const array_t<T>& adj_arr, AI& adj_i,      \
                  T& adj_value, const T& adj_ret) {                                                      \
    (void)value, (void)adj_i, (void)adj_ret;                                                             \
    if (const T* g = atomic_detail::gradient_at(arr, adj_arr, i))                                        \
      atomic_detail::add_components(adj_value, *g, sign);                                                \
  }                                                                                                      \
  template <typename T, typename I, typename J, typename AI, typename AJ>                                \
  WP_HD void name(const array_t<T>& arr, I i, J j, const T& value, const array_t<T>& adj_arr, AI& adj_i, \
                  AJ& adj_j, T& adj_value, const T& adj_ret) {                                           \
    (void)value, (void)adj_i, (void)adj_j, (void)adj_ret;                                                \
    if (const T* g = atomic_detail::gradient_at(arr, adj_arr, i, j))                                     \
      atomic_detail::add_components(adj_value, *g, sign);                                                \
  }                                                                                                      \
  template <typename T, typename I, typename J, typename K, typename AI, typename AJ, typename AK>       \
  WP_HD void name(const array_t<T>& arr, I i, J j, K k, const T& value, const array_t<T>& adj_arr,       \
                  AI& adj_i, AJ& adj_j, AK& adj_k, T& adj_value, const T& adj_ret) {                     \
    (void)value, (void)adj_i, (void)adj_j, (void)adj_k, (void)adj_ret;                                   \
    if (const T* g = atomic_detail::gradient_at(arr, adj_arr, i, j, k))                                  \
      atomic_detail::add_components(adj_value, *g, sign);                                                \
  }                                                                                                      \
  template <typename T, typename I, typename J, typename K, typename L, typename AI, typename AJ,        \
            typename AK, typename AL>                                                                    \
  WP_HD void name(const array_t<T>& arr, I i, J j, K k, L l, const T& value, const array_t<T>& adj_arr,  \
                  AI& adj_i, AJ& adj_j, AK& adj_k, AL& adj_l, T& adj_value, const T& adj_ret) {          \
    (void)value, (void)adj_i, (void)adj_j, (void)adj_k, (void)adj_l, (void)adj_ret;                      \
    if (const T* g = atomic_detail::gradient_at(arr, adj_arr, i, j, k, l))                               \
      atomic_detail::add_components(adj_value, *g, sign);                                                \
  }

WP_ATOMIC_ADJ_ARITH(adj_atomic_add, 1.0f)
WP_ATOMIC_ADJ_ARITH(adj_atomic_sub, -1.0f)
#undef WP_ATOMIC_ADJ_ARITH

// adj_atomic_min / adj_atomic_max: the gradient flows to value where arr now holds value.
#define WP_ATOMIC_ADJ_MINMAX(name)                                                                       \
  template <typename T, typename I, typename AI>                                                         \
  WP_HD void name(const array_t<T>& arr, I i, const T& value, const array_t<T>& adj_arr, AI& adj_i,      \
                  T& adj_value, const T& adj_ret) {                                                      \
    (void)adj_i, (void)adj_ret;                                                                          \
    if (const T* g = atomic_detail::gradient_at(arr, adj_arr, i))                                        \
      atomic_detail::add_where_equal(adj_value, *g, arr(i), value);                                      \
  }                                                                                                      \
  template <typename T, typename I, typename J, typename AI, typename AJ>                                \
  WP_HD void name(const array_t<T>& arr, I i, J j, const T& value, const array_t<T>& adj_arr, AI& adj_i, \
                  AJ& adj_j, T& adj_value, const T& adj_ret) {                                           \
    (void)adj_i, (void)adj_j, (void)adj_ret;                                                             \
    if (const T* g = atomic_detail::gradient_at(arr, adj_arr, i, j))                                     \
      atomic_detail::add_where_equal(adj_value, *g, arr(i, j), value);                                   \
  }                                                                                                      \
  template <typename T, typename I, typename J, typename K, typename AI, typename AJ, typename AK>       \
  WP_HD void name(const array_t<T>& arr, I i, J j, K k, const T& value, const array_t<T>& adj_arr,       \
                  AI& adj_i, AJ& adj_j, AK& adj_k, T& adj_value, const T& adj_ret) {                     \
    (void)adj_i, (void)adj_j, (void)adj_k, (void)adj_ret;                                                \
    if (const T* g = atomic_detail::gradient_at(arr, adj_arr, i, j, k))                                  \
      atomic_detail::add_where_equal(adj_value, *g, arr(i, j, k), value);                                \
  }                                                                                                      \
  template <typename T, typename I, typename J, typename K, typename L, typename AI, typename AJ,        \
            typename AK, typename AL>                                                                    \
  WP_HD void name(const array_t<T>& arr, I i, J j, K k, L l, const T& value, const array_t<T>& adj_arr,  \
                  AI& adj_i, AJ& adj_j, AK& adj_k, AL& adj_l, T& adj_value, const T& adj_ret) {          \
    (void)adj_i, (void)adj_j, (void)adj_k, (void)adj_l, (void)adj_ret;                                   \
    if (const T* g = atomic_detail::gradient_at(arr, adj_arr, i, j, k, l))                               \
      atomic_detail::add_where_equal(adj_value, *g, arr(i, j, k, l), value);                             \
  }

WP_ATOMIC_ADJ_MINMAX(adj_atomic_min)
WP_ATOMIC_ADJ_MINMAX(adj_atomic_max)
#undef WP_ATOMIC_ADJ_MINMAX

}  // namespace wp
