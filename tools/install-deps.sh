#!/usr/bin/env bash
# install-deps.sh — installs the Debian packages warpc builds and tests with.
# Safe to re-run; non-interactive (works under CI=true with no stdin).
set -euo pipefail
packages=(
  cmake ninja-build g++ python3            # build
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
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
