#!/usr/bin/env bash
# tools/gpu/ad_check.sh — the neo-Hookean adjoint benchmark against NVIDIA Warp on one GPU, from a
# build tree made elsewhere (copied as for gpu_check.sh):
#
#   tools/gpu/ad_check.sh BUILD_DIR OUT_DIR [WARP_SITE]
#
#  1. warpc_bench_ad on cuda:0, dumping its mesh to /tmp/ad_bench (--dump), then
#     warpc_bench_ad_aggregated (the same kernels with warp-aggregated atomics) and
#     warpc_bench_ad_aggregated_r64 (also with the backward kernels capped at 64 registers) and
#     warpc_bench_ad_aggregated_pairs (also with paired scatters), each twice, alternating;
#  2. with WARP_SITE (a folder holding Warp's Python package): bench/warp_ad_bench.py on the
#     dumped mesh — Warp's forward and adjoint launch timed the same way, in the same run.
# Logs go to OUT_DIR; the medians are printed last. Exit status: 0 when every step succeeded.
set -u
build=$(cd "$1" && pwd)
out=$2
site=${3:-}
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tools/gpu/link_paths.sh"
mkdir -p "$out" /tmp/ad_bench
. "$here/tools/gpu/step_runner.sh"  # step NAME LOG command…
step "warpc ad" ad_1.log "$build/bin/warpc_bench_ad" --dump /tmp/ad_bench
step "warpc ad aggregated" ad_aggregated_1.log "$build/bin/warpc_bench_ad_aggregated" --no-check
step "warpc ad aggregated r64" ad_r64_1.log "$build/bin/warpc_bench_ad_aggregated_r64"
step "warpc ad aggregated pairs" ad_pairs_1.log "$build/bin/warpc_bench_ad_aggregated_pairs"
step "warpc ad (2)" ad_2.log "$build/bin/warpc_bench_ad" --no-check
step "warpc ad aggregated (2)" ad_aggregated_2.log "$build/bin/warpc_bench_ad_aggregated" --no-check
step "warpc ad aggregated r64 (2)" ad_r64_2.log "$build/bin/warpc_bench_ad_aggregated_r64" --no-check
step "warpc ad aggregated pairs (2)" ad_pairs_2.log "$build/bin/warpc_bench_ad_aggregated_pairs" --no-check
if [ -n "$site" ]; then
  step "Warp ad" warp_ad.log env PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}" python3 "$here/bench/warp_ad_bench.py" \
    /tmp/ad_bench --device cuda:0
fi
for f in ad_1 ad_aggregated_1 ad_r64_1 ad_pairs_1 ad_2 ad_aggregated_2 ad_r64_2 ad_pairs_2 warp_ad; do
  [ -f "$out/$f.log" ] && { echo "== $f"; grep -E "median|ratio|checksums" "$out/$f.log" | head -4; }
done
printf '%s\n' "${summary[@]}"
exit "$status"
