#!/bin/sh
# build_without_cmake.sh — builds and runs the tutorial's program with plain commands, exactly
# as docs/tutorial.md ("Without CMake") shows them: warpc, then g++ (CPU only, against the
# CPU-only runtime library).
#
#   build_without_cmake.sh WARPC INCLUDE_RUNTIME INCLUDE_STDLIB RUNTIME_LIB WORK_DIR
#
# WARPC is the compiler, INCLUDE_* the runtime's and the builtin library's include folders
# (one folder, <prefix>/include, after an install), RUNTIME_LIB the CPU-only runtime
# (<prefix>/lib/libwarpc_runtime_cpu.a), WORK_DIR a scratch folder. Exits with the program's status.
# WARPC_EXTRA_CXXFLAGS (environment) is added to the g++ command: a sanitizer build of the tests
# sets it to its flags, since its runtime library is instrumented.
set -eu
WARPC=$1 INCLUDE_RUNTIME=$2 INCLUDE_STDLIB=$3 RUNTIME_LIB=$4 WORK=$5
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK/gen"
cd "$WORK"
# --- the commands of docs/tutorial.md ---
"$WARPC" "$HERE/cannon.wp" -o gen --emit=header,cpp
g++ -std=c++20 -O2 -I gen -I "$INCLUDE_RUNTIME" -I "$INCLUDE_STDLIB" \
    "$HERE/main.cpp" gen/cannon.wp.cpp -o cannon "$RUNTIME_LIB" -pthread ${WARPC_EXTRA_CXXFLAGS:-}
./cannon --device cpu --iterations 20
