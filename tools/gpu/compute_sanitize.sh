#!/usr/bin/env bash
# compute_sanitize.sh BUILD_DIR OUT_DIR [memcheck|racecheck|initcheck|synccheck…] — runs the GPU
# tests (ctest -L gpu) under NVIDIA compute-sanitizer, once per tool (default: memcheck and
# racecheck), following every child process. Needs only nvcc's toolkit (compute-sanitizer ships
# with it) and a build tree configured with CUDA (copy it to the GPU machine as for
# gpu_check.sh). Writes OUT_DIR/<tool>.log (the sanitizer's reports) and OUT_DIR/<tool>-ctest.log;
# exits 1 when a tool reported an error or a test failed under it.
#
# Tests that deliberately fault (runtime-cuda-trap-surfaces-at-synchronize, debug-bounds-cuda)
# are excluded: their device-side trap is the behaviour under test; so are the examples
# (minutes each under a sanitizer; their kernels are the run tests'). COMPUTE_SANITIZE_JOBS
# (default 8) tests run at once (the GPU is shared; each sanitizer instance is a process);
# COMPUTE_SANITIZE_CTEST_ARGS adds ctest arguments (e.g. "-R gradcheck" or "-LE gradcheck" to
# split a run that does not fit one call).
#
# CUDA API calls that return an error are not reported (--report-api-errors no; set
# COMPUTE_SANITIZE_API_ERRORS=explicit to see them): the suite makes such calls on purpose (a
# launch with more threads than the kernel's bound, to test the runtime's error message), and
# NCCL's communicator set-up probes kernels with cudaFuncGetAttributes and ignores the
# "no kernel image" answers. The runtime checks every CUDA call's result itself; what the
# tools add is the device side: out-of-bounds and misaligned accesses, leaks, races.
set -euo pipefail
build=${1:?usage: compute_sanitize.sh BUILD_DIR OUT_DIR [TOOL...]}
out=${2:?usage: compute_sanitize.sh BUILD_DIR OUT_DIR [TOOL...]}
shift 2
tools=("$@")
[ ${#tools[@]} -eq 0 ] && tools=(memcheck racecheck)
mkdir -p "$out"
build=$(cd "$build" && pwd)
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tools/gpu/link_paths.sh"
cs=$(command -v compute-sanitizer || true)
if [ -z "$cs" ]; then
  nvcc=$(command -v nvcc || true)
  [ -n "$nvcc" ] && cs="$(dirname "$nvcc")/compute-sanitizer"
fi
[ -x "${cs:-}" ] || { echo "compute_sanitize.sh: compute-sanitizer not found (next to nvcc)" >&2; exit 2; }
status=0
for tool in "${tools[@]}"; do
  echo "== $tool"
  set +e
  "$cs" --tool "$tool" --target-processes all --report-api-errors "${COMPUTE_SANITIZE_API_ERRORS:-no}" --error-exitcode 99 --log-file "$out/$tool.%p.log" \
    ctest --test-dir "$build" -L gpu -E 'trap|debug-bounds|^example-' -j "${COMPUTE_SANITIZE_JOBS:-8}" \
    ${COMPUTE_SANITIZE_CTEST_ARGS:-} --output-on-failure >"$out/$tool-ctest.log" 2>&1
  rc=$?
  set -e
  cat "$out"/"$tool".*.log > "$out/$tool.log" 2>/dev/null || true  # one log per process (%p)
  grep -E 'ERROR SUMMARY' "$out/$tool.log" | sort | uniq -c || true
  grep -E 'tests passed|tests failed' "$out/$tool-ctest.log" | tail -n 2 || true
  [ $rc -eq 0 ] || status=1
done
exit $status
