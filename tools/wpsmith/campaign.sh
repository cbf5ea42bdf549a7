#!/usr/bin/env bash
# campaign.sh N [START] [-- RUN_CAMPAIGN_ARGS…] — a longer wpsmith campaign: seeds START..START+N-1
# (default START 1000) on the CPU with minimisation; failing seeds are minimised and saved
# under <build>/wpsmith-failures/ (copy a case to test/smith/ to keep it as a regression test).
#
# Environment: WARPC_BUILD (build dir, default <repo>/build), WPSMITH_JOBS (parallel seeds,
# default nproc). Extra arguments go to run_campaign.py, e.g. `-- --cuda` on a GPU machine
# (needs nvcc and a build configured with CUDA) or `-- --warp /tmp/wvenv/bin/python` to run
# NVIDIA Warp (pip warp-lang, test-only, in a virtual environment) on the same modules.
set -euo pipefail
n=${1:?usage: campaign.sh N [START] [-- RUN_CAMPAIGN_ARGS...]}
shift
start=1000
if [ $# -gt 0 ] && [ "$1" != "--" ]; then start=$1; shift; fi
[ "${1:-}" = "--" ] && shift
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${WARPC_BUILD:-$here/../../build}" && pwd)
# A build tree copied from another machine holds that machine's source path (warpc-smith-exec
# compiles with the headers there): link it to this checkout, as tools/gpu/gpu_check.sh does.
root=$(cd "$here/../.." && pwd)
orig_src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
if [ -n "$orig_src" ] && [ "$orig_src" != "$root" ] && [ ! -e "$orig_src" ]; then
  mkdir -p "$(dirname "$orig_src")" && ln -s "$root" "$orig_src" && echo "linked $orig_src -> $root"
fi
exec python3 "$here/run_campaign.py" --build "$build" --seeds "$start:$((start + n))" \
  -j "${WPSMITH_JOBS:-$(nproc)}" --minimise --save "$build/wpsmith-failures" "$@"
