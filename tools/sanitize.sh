#!/usr/bin/env bash
# sanitize.sh asan|tsan [--quick] [-- CTEST_ARGS…] — builds the CPU test suite with
# AddressSanitizer + UBSan (asan) or ThreadSanitizer (tsan) in build-asan / build-tsan (the
# CMakePresets.json presets of the same names: CUDA off, RelWithDebInfo) and runs it with
# ctest (labels gpu and fuzz excluded). LeakSanitizer runs with ASan: a leak fails the test.
# allocator_may_return_null=1: an allocation too large for the machine returns null, as
# without ASan, so the runtime's out-of-memory wp::Error path (BadInput tests) is exercised.
#
#   --quick   only the runtime and compiler unit tests, the bad-input tests and a sample of
#             run tests (the full suite is slow on a small machine: every kernel library is
#             built instrumented)
# Environment: WARPC_SANITIZE_JOBS (ninja and ctest parallelism, default: nproc).
# Exit status: ctest's (0 when every selected test passed).
set -euo pipefail
mode=${1:?usage: sanitize.sh asan|tsan [--quick] [-- CTEST_ARGS...]}
shift
quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; shift; fi
[ "${1:-}" = "--" ] && shift
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${WARPC_SANITIZE_JOBS:-$(nproc)}
case "$mode" in
  asan) export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:allocator_may_return_null=1}
        export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} ;;
  tsan) export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} ;;
  *) echo "sanitize.sh: mode must be asan or tsan" >&2; exit 2 ;;
esac
build="$root/build-$mode"
cmake --preset "$mode" -S "$root" >/dev/null
if [ $quick = 1 ]; then
  ninja -C "$build" -j "$jobs" warpc warpc_runtime_tests warpc_unit_tests run_launch run_control_flow \
    run_atomics run_structs
  status=0
  "$build/runtime/test/warpc_runtime_tests" --gtest_brief=1 || status=1
  WARPC_NUM_THREADS=3 "$build/runtime/test/warpc_runtime_tests" --gtest_brief=1 \
    --gtest_filter='Launch.*:Dim.*:Tid.*:BadInput.*' || status=1
  "$build/test/unit/warpc_unit_tests" --gtest_brief=1 || status=1
  ctest --test-dir "$build" -LE 'gpu|fuzz' -R '^run-(launch|control_flow|atomics|structs)-cpu$' \
    -j "$jobs" --output-on-failure "$@" || status=1
  exit $status
fi
ninja -C "$build" -j "$jobs"
exec ctest --test-dir "$build" -LE 'gpu|fuzz' -j "$jobs" --output-on-failure "$@"
