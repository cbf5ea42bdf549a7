#!/usr/bin/env bash
# install-deps.sh — installs the Debian packages warpc builds and tests with, and (test-only)
# NVIDIA Warp from PyPI into .venv-warp/ at the top of the source tree: the oracle the
# `warp-oracle` tests compare warpc with (CMake picks it up; without it they are skipped).
# WARPC_NO_WARP_ORACLE=1 skips the venv. Safe to re-run; non-interactive (works under CI=true
# with no stdin).
set -euo pipefail
packages=(
  cmake ninja-build g++ python3            # build
  python3-venv                             # the test-only venv with warp-lang (below)
  libfmt-dev libcli11-dev                  # compiler dependencies
  llvm-14-tools                            # lit + FileCheck for the language tests
  googletest libgtest-dev                  # unit tests
  libbenchmark-dev                         # benchmarks (bench/)
  clang-14 libclang-rt-14-dev              # libFuzzer target (bounded run in the test suite)
  libclang-14-dev                          # builtin table checker (tools/builtins)
  libpng-dev                               # PNG frames of the examples (examples/mesh_collision)
  libnanovdb-dev                           # NanoVDB headers: wp::Volume and the volume_* builtins
  liblbfgs-dev                             # L-BFGS of the optimisation examples (examples/common/lbfgs_util.h)
  gnuplot-nox                              # pictures of the optimisation examples
  libfftw3-dev                             # FFTs of examples/ns2d on the CPU (cuFFT on the GPU)
  libopenmpi-dev openmpi-bin               # wp::dist (MPI), its tests and examples/dist_diffusion
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
else
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi

# The Warp oracle (test-only; never a dependency of warpc). The version is pinned so that the
# recorded reference values stay comparable; a failed install only skips those tests.
warp_version=1.19.0
venv="$(cd "$(dirname "$0")/.." && pwd)/.venv-warp"
if [ -n "${WARPC_NO_WARP_ORACLE:-}" ]; then
  echo "install-deps: WARPC_NO_WARP_ORACLE set: no warp-lang venv"
elif "$venv/bin/python" -c "import warp, sys; sys.exit(warp.__version__ != '$warp_version')" 2>/dev/null; then
  echo "install-deps: warp-lang $warp_version present in $venv"
elif python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check "warp-lang==$warp_version" </dev/null; then
  echo "install-deps: warp-lang $warp_version installed in $venv"
else
  echo "install-deps: warning: could not install warp-lang into $venv; the warp-oracle tests will be skipped" >&2
  rm -rf "$venv"
fi
