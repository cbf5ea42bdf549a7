#!/usr/bin/env bash
# tools/gpu/oracle_check.sh — the CUDA side of the differential tests, from a build tree made
# elsewhere (copied as for gpu_check.sh), with NVIDIA Warp's Python package in WARP_SITE (a
# folder on PYTHONPATH; test-only):
#
#   tools/gpu/oracle_check.sh BUILD_DIR OUT_DIR WARP_SITE [SEEDS]
#
#  1. smith-exec-objects-cuda: the geometry objects warpc-smith-exec builds, on cuda:0;
#  2. tools/check_corpus_values.py --device cuda: Warp as the value and gradient oracle over the
#     corpus on the GPU (warpc libraries built in parallel by warpc-nvrtc first);
#  3. tools/wpsmith/campaign.sh SEEDS (default 200) from seed 5000 with --cuda and Warp on the GPU:
#     random modules on CPU and CUDA against the float64 reference, Warp as a further opinion.
# Each step's log goes to OUT_DIR (the oracle's lists every kernel as it goes: -v); a summary
# is printed last. ORACLE_CACHE (default /tmp/warpc-oracle-cache) keeps the builds between
# calls. Exit status: 0 when every step passed.
set -u
build=$(cd "$1" && pwd)
out=$2
site=$3
seeds=${4:-200}
# The oracle's build cache (warpc libraries, Warp's kernel cache) outside OUT_DIR, so that a
# second call on the same machine resumes where a time limit stopped the first.
cache=${ORACLE_CACHE:-/tmp/warpc-oracle-cache}
here=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
. "$here/tools/gpu/link_paths.sh"
export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
. "$here/tools/gpu/step_runner.sh"  # step NAME LOG command…
step "smith-exec objects (cuda)" objects.log ctest --test-dir "$build" -R '^smith-exec-objects-cuda$' --output-on-failure
step "Warp oracle (cuda)" oracle_cuda.log python3 "$here/tools/check_corpus_values.py" -v \
  --exec "$build/bin/warpc-smith-exec" --corpus "$here/test/programs" --device cuda --cache "$cache"
step "wpsmith campaign (cuda, Warp)" smith_cuda.log env WARPC_BUILD="$build" bash "$here/tools/wpsmith/campaign.sh" \
  "$seeds" 5000 -- --cuda --warp python3
for f in objects.log oracle_cuda.log smith_cuda.log; do
  echo "== $f"
  grep -vE '^warp-wrong|^ +|Module .* load|Kernel cache|initialized|Devices|CUDA Toolkit|warp refused' "$out/$f" | tail -n 8
done
printf '%s\n' "${summary[@]}"
exit "$status"
