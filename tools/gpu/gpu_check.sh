#!/usr/bin/env bash
# tools/gpu/gpu_check.sh — the GPU verification run: every CTest labelled `gpu` (stdlib device
# tests, runtime CUDA tests, run-*-cuda, gradcheck-*-gpu, tape-chain-gpu, the particles
# example on CUDA) plus the CUDA benchmarks, from a build tree made elsewhere.
#
#   tools/gpu/gpu_check.sh BUILD_DIR OUT_DIR [ctest args…]
#
# The build tree's CTest files and warpc-gradcheck hold the absolute source/build paths of the
# machine that configured it. When the tree was copied (e.g. to a GPU machine) to another
# path, this script links the original source path to the current checkout first (only if
# that path does not exist). Results: OUT_DIR/ctest.log, OUT_DIR/bench_cuda.log,
# OUT_DIR/bench_ad*.log, OUT_DIR/bench_tape_ckpt*.log (benchmarks run first, on an idle GPU). Exit status: ctest's.
set -u
build=$(cd "$1" && pwd)
out=$2
shift 2
mkdir -p "$out"
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tools/gpu/link_paths.sh"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | tee "$out/gpu.txt"
# Benchmarks first, on an idle GPU (GPU_CHECK_NO_BENCH=1 skips them).
if [ -z "${GPU_CHECK_NO_BENCH:-}" ]; then
  for b in warpc_bench_cuda warpc_bench_ad warpc_bench_ad_aggregated; do
    if [ -x "$build/bin/$b" ]; then "$build/bin/$b" > "$out/${b#warpc_}.log" 2>&1; echo "$b: exit $?"; fi
  done
  # The adjoint A/B pair once more, in the other order (machine drift shows as a difference).
  for b in warpc_bench_ad_aggregated warpc_bench_ad; do
    if [ -x "$build/bin/$b" ]; then "$build/bin/$b" --no-check > "$out/${b#warpc_}_2.log" 2>&1; echo "$b (2): exit $?"; fi
  done
  b=warpc_bench_tape_ckpt  # Tape checkpointing vs full storage (docs/performance.md)
  if [ -x "$build/bin/$b" ]; then
    "$build/bin/$b" --device cuda:0 > "$out/bench_tape_ckpt.log" 2>&1; echo "$b: exit $?"
    # Recomputed steps replayed as CUDA graphs (Tape::set_step_graphs), and both with 4 particles.
    "$build/bin/$b" --device cuda:0 --graphs > "$out/bench_tape_ckpt_graphs.log" 2>&1; echo "$b --graphs: exit $?"
    "$build/bin/$b" --device cuda:0 --grid 2 > "$out/bench_tape_ckpt_grid2.log" 2>&1; echo "$b --grid 2: exit $?"
    "$build/bin/$b" --device cuda:0 --grid 2 --graphs > "$out/bench_tape_ckpt_grid2_graphs.log" 2>&1; echo "$b --grid 2 --graphs: exit $?"
  fi
fi
ctest --test-dir "$build" -L gpu --output-on-failure -j8 "$@" > "$out/ctest.log" 2>&1
status=$?
tail -n 40 "$out/ctest.log"
exit "$status"
