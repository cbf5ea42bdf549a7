#!/usr/bin/env bash
# run_fuzz.sh [seconds] [target…] — fuzzes libFuzzer targets (clang + ASan + UBSan) for the
# given time each (default 60 s) over a scratch copy of tools/fuzz/corpus. Targets: frontend
# (lex → parse → sema → lowering → IR passes) and codegen (the same, then AD and code
# generation); default: frontend.
#
# Environment: WARPC_FUZZ_BUILD (build dir, default <repo>/build-fuzz),
#              WARPC_FUZZ_JOBS (ninja parallelism, default 2),
#              WARPC_FUZZ_NO_BUILD=1 (use the targets already built there, as the normal
#              build's external project makes them in <build>/fuzz),
#              WARPC_FUZZ_GXX=N (codegen: g++ -fsyntax-only over every N-th program's C++),
#              WARPC_FUZZ_RUNS=N and WARPC_FUZZ_SEED=S (stop after N inputs, seeded: a
#              reproducible run, as CTest's smoke run is; the time limit still caps it).
# Crashing inputs are written to <build>/fuzz-artifacts/; the script exits 1
# if a fuzzer stopped on a finding. It ends by printing each run's final stats.
set -euo pipefail

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(frontend)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${WARPC_FUZZ_BUILD:-$root/build-fuzz}

if [ -z "${WARPC_FUZZ_NO_BUILD:-}" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWARPC_FUZZ=ON -DWARPC_BUILD_TESTS=OFF -DWARPC_CUDA=OFF >/dev/null
  ninja -C "$build" -j "${WARPC_FUZZ_JOBS:-2}" "${targets[@]/#/warpc_fuzz_}"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$build/fuzz-artifacts"
cp "$here"/corpus/* "$work/corpus/"

status=0
for t in "${targets[@]}"; do
  exe="$build/tools/fuzz/warpc_fuzz_$t"
  [ -x "$exe" ] || { echo "run_fuzz.sh: $exe is not built" >&2; exit 2; }
  log="$build/fuzz-$t-last.log"
  echo "fuzzing $t for ${seconds}s (log: $log) ..."
  set +e
  "$exe" "$work/corpus" -dict="$here/warpc.dict" ${WARPC_FUZZ_RUNS:+-runs=$WARPC_FUZZ_RUNS} \
    ${WARPC_FUZZ_SEED:+-seed=$WARPC_FUZZ_SEED} -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/$t-" >"$log" 2>&1
  rc=$?
  set -e
  grep -E '^#[0-9]+[[:space:]]+INITED|ERROR|SUMMARY|Test unit written|invariant violated' "$log" || true
  echo "--- $t final stats ($(ls "$work/corpus" | wc -l) corpus files after the run)"
  grep -E '^#[0-9]+[[:space:]]+DONE|^Done|^stat::' "$log" || tail -n 20 "$log"
  [ $rc -eq 0 ] || status=1
done
exit $status
