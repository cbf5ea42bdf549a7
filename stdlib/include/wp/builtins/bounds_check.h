// wp/builtins/bounds_check.h — the array bounds checks of debug builds (WARPC_DEBUG).
//
// Contract:
//  * Generated code puts WP_BOUNDS_CHECK(where, array, i…) before every array element access
//    of a kernel or function body: loads, stores, atomics, sub-array views (fewer indices than
//    dimensions) and the gradient accesses of backward kernels. `where` is a
//    wp::detail::AccessSite literal: the .wp file, its line, the function ("kernel 'k'",
//    "function 'f'", "backward of kernel 'k'") and the array expression's name.
//  * Without WARPC_DEBUG the macro expands to nothing: release code is unchanged (zero cost).
//  * With WARPC_DEBUG, an access whose array is null (None), has fewer dimensions than
//    indices, or whose index d lies outside [0, shape[d]) prints one line
//      <file>:<line>: array index out of bounds in <function>: <array>[i, j] but the array
//      has shape (n, m)        (a 1-D shape prints as (n,), like wp::Shape::str())
//    (stderr on the host, printf on a CUDA device) and aborts (host) or traps (device, so the
//    launch fails with cudaErrorLaunchFailure at the next synchronisation). Negative indices
//    are out of bounds: warpc does not wrap them.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "wp/array_view.h"
#include "wp/config.h"

namespace wp::detail {

struct AccessSite {
  const char* file;
  int line;
  const char* function;  // "kernel 'k'", "function 'f'", "backward of kernel 'k'"
  const char* array;     // the array's name in the generated code (a parameter's name)
};

// Appends `v` in decimal to buf at *pos (bounded by cap; host and device code, no libc).
WP_HD void bounds_append_int(char* buf, int* pos, int cap, int64_t v) {
  char digits[24];
  int n = 0;
  const bool negative = v < 0;
  uint64_t u = negative ? static_cast<uint64_t>(0) - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    digits[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (negative && *pos < cap - 1) buf[(*pos)++] = '-';
  while (n > 0 && *pos < cap - 1) buf[(*pos)++] = digits[--n];
  buf[*pos] = '\0';
}

WP_HD void bounds_append_str(char* buf, int* pos, int cap, const char* s) {
  while (*s && *pos < cap - 1) buf[(*pos)++] = *s++;
  buf[*pos] = '\0';
}

// Prints the failure and stops the thread (abort on the host, trap on a device). Never
// inlined: one copy per translation unit instead of the message formatting and printf at
// every access (a debug build of a large module otherwise takes NVRTC minutes).
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define WP_BOUNDS_FAIL_FN __host__ __device__ __noinline__
#else
#define WP_BOUNDS_FAIL_FN __attribute__((noinline, cold))
#endif
inline WP_BOUNDS_FAIL_FN void bounds_fail(const AccessSite& site, const int64_t* idx, int N, const int* shape,
                                          int ndim, const char* problem) {
  char text[96];
  int pos = 0;
  text[0] = '\0';
  bounds_append_str(text, &pos, sizeof(text), "[");
  for (int d = 0; d < N; ++d) {
    if (d) bounds_append_str(text, &pos, sizeof(text), ", ");
    bounds_append_int(text, &pos, sizeof(text), idx[d]);
  }
  bounds_append_str(text, &pos, sizeof(text), "] but the array has shape (");
  for (int d = 0; d < ndim; ++d) {
    if (d) bounds_append_str(text, &pos, sizeof(text), ", ");
    bounds_append_int(text, &pos, sizeof(text), shape[d]);
  }
  bounds_append_str(text, &pos, sizeof(text), ndim == 1 ? ",)" : ")");  // as wp::Shape::str()
#if defined(__CUDA_ARCH__)
  printf("%s:%d: %s in %s: %s%s\n", site.file, site.line, problem, site.function, site.array, text);
  __trap();
#else
  std::fprintf(stderr, "%s:%d: %s in %s: %s%s\n", site.file, site.line, problem, site.function, site.array,
               text);
  std::fflush(stderr);
  std::abort();
#endif
}

// The check itself (see the contract): every index within its extent.
template <typename T, typename... I>
WP_HD void check_access(const AccessSite& site, const array_t<T>& a, I... index) {
  constexpr int n = static_cast<int>(sizeof...(I));
  const int64_t idx[n] = {static_cast<int64_t>(index)...};
  if (a.data == nullptr && a.ndim == 0) {
    bounds_fail(site, idx, n, a.shape, 0, "access to a null array (None)");
    return;
  }
  if (a.ndim < n) {
    bounds_fail(site, idx, n, a.shape, a.ndim, "too many indices");
    return;
  }
  for (int d = 0; d < n; ++d) {
    if (idx[d] < 0 || idx[d] >= a.shape[d]) {
      bounds_fail(site, idx, n, a.shape, a.ndim, "array index out of bounds");
      return;
    }
  }
}

}  // namespace wp::detail

#if defined(WARPC_DEBUG)
#define WP_BOUNDS_CHECK(site, ...) ::wp::detail::check_access(site, __VA_ARGS__)
#else
#define WP_BOUNDS_CHECK(site, ...) ((void)0)
#endif
