#!/usr/bin/env bash
# tools/gpu/geometry_check.sh — the geometry part of the GPU verification run, from a build
# tree made elsewhere (see gpu_check.sh and docs/contributing.md "GPU tests"):
#
#   tools/gpu/geometry_check.sh BUILD_DIR OUT_DIR [WARP_SITE]
#
#  1. warpc_bench_geometry on cuda:0 (build, refit, 10^6 closest-point / ray / box queries on
#     the 2^15- and 2^20-triangle bench meshes), dumping its data to /tmp/geometry_bench, and
#     warpc_bench_hash_grid on cuda:0 (build + all-neighbours query, 2^17 and 2^20 points),
#     dumping to /tmp/hash_grid_bench;
#  2. with WARP_SITE (a folder holding NVIDIA Warp's Python package): bench/warp_geometry_bench.py
#     and bench/warp_hash_grid_bench.py — Warp on the same data, in the same run, with the
#     agreement of every query result;
#  3. both benchmarks on the CPU with all cores (GEOMETRY_CHECK_NO_CPU=1 skips them);
#  4. compute-sanitizer memcheck over the geometry GPU tests (run_geometry, run_hash_grid, the
#     stdlib device query tests, the runtime's CUDA geometry and hash-grid tests);
#  5. the mesh_collision example on the GPU (8,192 particles, the scene it is set up for), its
#     frame into OUT_DIR; the dem example (131,072 particles, 120 frames), its last frame.
#  6. volumes: warpc_bench_volume on cuda:0 (10^6 trilinear samples and 10^6 samples with
#     gradient of a 10^6-voxel level-set sphere; data dumped to /tmp/volume_bench), with
#     WARP_SITE bench/warp_volume_bench.py on the same data (target: warpc ≤ 0.9 × Warp), the
#     CPU run (skipped with GEOMETRY_CHECK_NO_CPU=1), compute-sanitizer memcheck over run_volume
#     and the stdlib volume device tests, and the sdf_collision example on the GPU.
# BUILD_DIR/lib may hold shared libraries the GPU machine lacks (libfmt, libpng): it is put on
# LD_LIBRARY_PATH. Logs go to OUT_DIR; a summary is printed last. Exit status: 0 when every
# step succeeded.
set -u
build=$(cd "$1" && pwd)
out=$2
site=${3:-}
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tools/gpu/link_paths.sh"
mkdir -p "$out" /tmp/geometry_bench /tmp/hash_grid_bench /tmp/volume_bench
. "$here/tools/gpu/step_runner.sh"  # step NAME LOG command…
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$out/gpu.txt" 2>&1
step "bench cuda" bench_geometry_cuda.log "$build/bin/warpc_bench_geometry" --device cuda:0 --dump /tmp/geometry_bench
step "bench hash grid cuda" bench_hash_grid_cuda.log "$build/bin/warpc_bench_hash_grid" --device cuda:0 \
  --dump /tmp/hash_grid_bench
if [ -n "$site" ]; then
  step "bench warp" bench_geometry_warp.log env PYTHONPATH="$site" python3 "$here/bench/warp_geometry_bench.py" \
    /tmp/geometry_bench --device cuda:0
  step "bench hash grid warp" bench_hash_grid_warp.log env PYTHONPATH="$site" python3 \
    "$here/bench/warp_hash_grid_bench.py" /tmp/hash_grid_bench --device cuda:0
fi
if [ -z "${GEOMETRY_CHECK_NO_CPU:-}" ]; then
  step "bench cpu" bench_geometry_cpu.log "$build/bin/warpc_bench_geometry" --device cpu --reps 3
  step "bench hash grid cpu" bench_hash_grid_cpu.log "$build/bin/warpc_bench_hash_grid" --device cpu --reps 3
fi
for t in "run_geometry:$build/test/run/run_geometry cuda:0" \
         "run_hash_grid:$build/test/run/run_hash_grid cuda:0" \
         "stdlib_queries:$build/stdlib/warpc_stdlib_gpu_tests --gtest_filter=MeshQuery*:RayQuery*" \
         "runtime_geometry:$build/runtime/test/warpc_runtime_cuda_tests --gtest_filter=Geometry*:HashGrid*"; do
  # shellcheck disable=SC2086
  step "memcheck ${t%%:*}" "memcheck_${t%%:*}.log" compute-sanitizer --tool memcheck --error-exitcode 9 ${t#*:}
done
step "example" mesh_collision_cuda.log "$build/bin/mesh_collision" --device cuda:0 --n 8192 --steps 720 --out "$out"
step "dem" dem_cuda.log "$build/bin/dem" --device cuda:0 --frames 120 --png-every 120 --out "$out"
step "volume bench cuda" bench_volume_cuda.log "$build/bin/warpc_bench_volume" --device cuda:0 --dump /tmp/volume_bench
if [ -n "$site" ]; then
  step "volume bench warp" bench_volume_warp.log env PYTHONPATH="$site" python3 "$here/bench/warp_volume_bench.py" \
    /tmp/volume_bench --device cuda:0
fi
[ -n "${GEOMETRY_CHECK_NO_CPU:-}" ] ||
  step "volume bench cpu" bench_volume_cpu.log "$build/bin/warpc_bench_volume" --device cpu --reps 3
for t in "run_volume:$build/test/run/run_volume cuda:0" \
         "stdlib_volume:$build/stdlib/warpc_stdlib_gpu_tests --gtest_filter=VolumeDevice*"; do
  # shellcheck disable=SC2086
  step "memcheck ${t%%:*}" "memcheck_${t%%:*}.log" compute-sanitizer --tool memcheck --error-exitcode 9 ${t#*:}
done
mkdir -p "$out/sdf_collision"
step "sdf example" sdf_collision_cuda.log "$build/bin/sdf_collision" --device cuda:0 --n 8192 --steps 720 \
  --out "$out/sdf_collision"
cat "$out/gpu.txt"
for f in bench_geometry_cuda.log bench_geometry_warp.log bench_geometry_cpu.log bench_hash_grid_cuda.log \
         bench_hash_grid_warp.log bench_hash_grid_cpu.log mesh_collision_cuda.log dem_cuda.log \
         bench_volume_cuda.log bench_volume_warp.log bench_volume_cpu.log sdf_collision_cuda.log; do
  [ -f "$out/$f" ] && { echo "== $f"; tail -n 30 "$out/$f"; }
done
for f in "$out"/memcheck_*.log; do echo "== $(basename "$f"): $(grep -E 'ERROR SUMMARY|PASSED|FAILED|checks' "$f" | tail -n 2 | tr '\n' ' ')"; done
printf '%s\n' "${summary[@]}"
exit "$status"
