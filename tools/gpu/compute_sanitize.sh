#!/usr/bin/env bash
# compute_sanitize.sh BUILD_DIR OUT_DIR [memcheck|racecheck|initcheck|synccheck…] — runs the GPU
# tests (ctest -L gpu) under NVIDIA compute-sanitizer, once per tool (default: memcheck and
# racecheck), following every child process. Needs only nvcc's toolkit (compute-sanitizer ships
# with it) and a build tree configured with CUDA (copy it to the GPU machine as for
# gpu_check.sh). Writes OUT_DIR/<tool>.log (the sanitizer's reports) and OUT_DIR/<tool>-ctest.log;
# exits 1 when a tool reported an error or a test failed under it.
#
# Tests that deliberately fault (runtime-cuda-trap-surfaces-at-synchronize, debug-bounds-cuda)
# are excluded: their device-side trap is the behaviour under test.
set -euo pipefail
build=${1:?usage: compute_sanitize.sh BUILD_DIR OUT_DIR [TOOL...]}
out=${2:?usage: compute_sanitize.sh BUILD_DIR OUT_DIR [TOOL...]}
shift 2
tools=("$@")
[ ${#tools[@]} -eq 0 ] && tools=(memcheck racecheck)
mkdir -p "$out"
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
  "$cs" --tool "$tool" --target-processes all --error-exitcode 99 --log-file "$out/$tool.log" \
    ctest --test-dir "$build" -L gpu -E 'trap|debug-bounds' --output-on-failure >"$out/$tool-ctest.log" 2>&1
  rc=$?
  set -e
  grep -E 'ERROR SUMMARY|tests passed|tests failed' "$out/$tool.log" "$out/$tool-ctest.log" | tail -n 5 || true
  [ $rc -eq 0 ] || status=1
done
exit $status
