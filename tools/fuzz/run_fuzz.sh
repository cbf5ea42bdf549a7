#!/usr/bin/env bash
# run_fuzz.sh [seconds] — builds the libFuzzer front-end target with clang
# (ASan + UBSan) in its own build dir and fuzzes it for the given time
# (default 60 s) over a scratch copy of tools/fuzz/corpus.
#
# Environment: WARPC_FUZZ_BUILD (build dir, default <repo>/build-fuzz),
#              WARPC_FUZZ_JOBS (ninja parallelism, default 2).
# Crashing inputs are written to <build>/fuzz-artifacts/; the script exits 1
# if the fuzzer stopped on a finding. It ends by printing the final stats.
set -euo pipefail

seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${WARPC_FUZZ_BUILD:-$root/build-fuzz}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DWARPC_FUZZ=ON -DWARPC_BUILD_TESTS=OFF >/dev/null
ninja -C "$build" -j "${WARPC_FUZZ_JOBS:-2}" warpc_fuzz_frontend

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$build/fuzz-artifacts"
cp "$here"/corpus/* "$work/corpus/"

echo "fuzzing for ${seconds}s (log: $build/fuzz-last.log) ..."
set +e
"$build/tools/fuzz/warpc_fuzz_frontend" "$work/corpus" -dict="$here/warpc.dict" \
  -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$build/fuzz-artifacts/" >"$build/fuzz-last.log" 2>&1
status=$?
set -e
grep -E '^#[0-9]+[[:space:]]+INITED|ERROR|SUMMARY|Test unit written' "$build/fuzz-last.log" || true

echo "--- final stats ($(ls "$work/corpus" | wc -l) corpus files after the run)"
grep -E '^#[0-9]+[[:space:]]+DONE|^Done|^stat::' "$build/fuzz-last.log" || tail -n 20 "$build/fuzz-last.log"
exit $(( status == 0 ? 0 : 1 ))
