#!/usr/bin/env bash
# sanitize.sh asan|asan-runtime|tsan [--quick] [-- CTEST_ARGS…] — builds the CPU test suite
# with a sanitizer (the CMakePresets.json preset of the same name: CUDA off, build-<mode>)
# and runs it with ctest (labels gpu and fuzz excluded).
#
#   asan          AddressSanitizer + UBSan + LeakSanitizer on everything: warpc, the runtime,
#                 the tests, the tools and every kernel library (RelWithDebInfo). A leak fails
#                 the test. Slow on a small machine: ~420 instrumented translation units.
#   asan-runtime  the same sanitizers on everything but warpc itself (Release + -g): the
#                 runtime, the tests, the tools, every kernel library the build makes and
#                 every one warpc-gradcheck / warpc-smith-exec builds at run time. The compiler
#                 objects are those of an ordinary Release build (ccache), so this is the run
#                 for the runtime; warpc itself is covered by `asan`, `warpc-lit` and the
#                 libFuzzer targets (ASan + UBSan, tools/fuzz/run_fuzz.sh).
#   tsan          ThreadSanitizer on everything but warpc (single-threaded), Release + -g.
#
# The MPI tests run after the rest, with LeakSanitizer off (OpenMPI's unloaded components leak
# at MPI_Finalize from frames no suppression can name) and, under TSan, with
# tools/tsan-openmpi.supp (a lock-order cycle inside OpenMPI); every other check stays on.
# allocator_may_return_null=1 (ASan and TSan): an allocation too large for the machine
# returns null, as without a sanitizer, so the runtime's out-of-memory wp::Error path (BadInput
# tests) is exercised.
# Kernel libraries that tests build at run time (warpc-gradcheck, the smith runner) get the
# same flags (gradcheck_config.h), and so do consumer projects of the package (the flags are
# interface options of warpc::runtime).
#
#   --quick   only the runtime tests (also with a pool of 3 threads), the compiler unit
#             tests, the run tests of launches, control flow, atomics, structs, multi-dim
#             launches, graphs, JVP and struct gradients (Tape), and one gradcheck test
# Environment: WARPC_SANITIZE_JOBS (ninja and ctest parallelism, default: nproc).
#              WARPC_SANITIZE_NICE (niceness of the build and the tests, default 0).
#
# sanitize.sh warpc-lit — the lit suite (every test/**/*.wp and .test) run by a warpc built
# with ASan + UBSan + LeakSanitizer from the libFuzzer build's instrumented compiler libraries
# (clang; <build>/fuzz, which the normal build's external project configures when clang is
# found): only warpc's driver is compiled on top of them. Every sanitizer report is written to
# a file, so one inside a test that expects warpc to fail (`not %warpc`) is not lost.
# Environment: WARPC_FUZZ_BUILD (default <repo>/build/fuzz); WARPC_SANITIZE_WARPC (an
# instrumented warpc to use instead of building one).
#
# Exit status: ctest's or lit's (0 when every selected test passed and nothing was reported).
set -euo pipefail
mode=${1:?usage: sanitize.sh asan|asan-runtime|tsan [--quick] [-- CTEST_ARGS...] | warpc-lit}
shift
quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; shift; fi
[ "${1:-}" = "--" ] && shift
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${WARPC_SANITIZE_JOBS:-$(nproc)}
nice_cmd=(nice -n "${WARPC_SANITIZE_NICE:-0}")
if [ "$mode" = warpc-lit ]; then
  warpc=${WARPC_SANITIZE_WARPC:-}
  if [ -z "$warpc" ]; then
    fuzz_build=${WARPC_FUZZ_BUILD:-$root/build/fuzz}
    if [ ! -f "$fuzz_build/build.ninja" ]; then
      echo "sanitize.sh: $fuzz_build is not a configured libFuzzer build (build warpc with clang" \
           "installed, or run tools/fuzz/run_fuzz.sh and set WARPC_FUZZ_BUILD=build-fuzz)" >&2
      exit 2
    fi
    "${nice_cmd[@]}" ninja -C "$fuzz_build" -j "$jobs" warpc
    warpc="$fuzz_build/bin/warpc"
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/test" "$work/reports"
  cat >"$work/test/lit.site.cfg.py" <<EOF
import lit.llvm
config.llvm_tools_dir = "${WARPC_LLVM_TOOLS_DIR:-/usr/lib/llvm-14/bin}"
config.warpc_obj_root = "$work"
config.warpc_path = "$warpc"
lit.llvm.initialize(lit_config, config)
lit_config.load_config(config, "$root/test/lit.cfg.py")
EOF
  lit=$(command -v lit || echo /usr/lib/llvm-14/build/utils/lit/lit.py)
  status=0
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:log_path=$work/reports/asan \
  UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$work/reports/ubsan \
    "${nice_cmd[@]}" python3 "$lit" -sv -j "$jobs" "$work/test" || status=1
  for report in "$work"/reports/*; do
    [ -e "$report" ] || continue
    cat "$report"
    status=1
  done
  exit $status
fi
case "$mode" in
  asan|asan-runtime) export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:allocator_may_return_null=1}
        export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} ;;
  tsan) export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:allocator_may_return_null=1} ;;
  *) echo "sanitize.sh: mode must be asan, asan-runtime, tsan or warpc-lit" >&2; exit 2 ;;
esac
build="$root/build-$mode"
cmake --preset "$mode" -S "$root" >/dev/null
if [ $quick = 1 ]; then
  runs=(launch control_flow atomics structs multidim graphs jvp struct_grads)
  "${nice_cmd[@]}" ninja -C "$build" -j "$jobs" warpc warpc-gradcheck warpc_runtime_tests \
    warpc_unit_tests "${runs[@]/#/run_}"
  status=0
  "${nice_cmd[@]}" "$build/runtime/test/warpc_runtime_tests" --gtest_brief=1 || status=1
  WARPC_NUM_THREADS=3 "${nice_cmd[@]}" "$build/runtime/test/warpc_runtime_tests" --gtest_brief=1 \
    --gtest_filter='Launch.*:Dim.*:Tid.*:BadInput.*:Tape*:Device*' || status=1
  "${nice_cmd[@]}" "$build/test/unit/warpc_unit_tests" --gtest_brief=1 || status=1
  regex=$(IFS='|'; echo "^(run-(${runs[*]})-cpu|gradcheck-loops-cpu)\$")
  "${nice_cmd[@]}" ctest --test-dir "$build" -LE 'gpu|fuzz' -R "$regex" -j "$jobs" \
    --output-on-failure "$@" || status=1
  exit $status
fi
"${nice_cmd[@]}" ninja -C "$build" -j "$jobs"
status=0
"${nice_cmd[@]}" ctest --test-dir "$build" -LE 'gpu|fuzz|mpi' -j "$jobs" --output-on-failure "$@" || status=1
# The MPI tests (label mpi): OpenMPI's components, loaded with dlopen and unloaded at
# MPI_Finalize, leave allocations LeakSanitizer reports from frames it cannot name (so no
# suppression can match them); these tests run with leak detection off and every other check on.
# Under TSan they take tools/tsan-openmpi.supp: a lock-order cycle inside OpenMPI's TCP
# transport (its own two mutexes, at MPI_Init / MPI_Finalize).
mpi_asan=${ASAN_OPTIONS:-}
[ -n "$mpi_asan" ] && mpi_asan="$mpi_asan:detect_leaks=0"
mpi_tsan=${TSAN_OPTIONS:-}
[ -n "$mpi_tsan" ] && mpi_tsan="$mpi_tsan:suppressions=$root/tools/tsan-openmpi.supp"
ASAN_OPTIONS=$mpi_asan TSAN_OPTIONS=$mpi_tsan "${nice_cmd[@]}" ctest --test-dir "$build" -L mpi -LE gpu -j "$jobs" --output-on-failure "$@" ||
  status=1
exit $status
