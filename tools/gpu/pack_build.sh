#!/usr/bin/env bash
# tools/gpu/pack_build.sh — copies a configured and built tree into a small folder that can be
# shipped to a GPU machine lacking this machine's Debian libraries, for gpu_check.sh and
# geometry_check.sh (see docs/contributing.md "GPU tests"):
#
#   tools/gpu/pack_build.sh BUILD_DIR DEST_DIR
#
# Kept: CTest files, executables (stripped), the CMake package files, generated kernels'
# headers. Dropped: object files, static libraries only the link needed, fuzz corpora, CPU-only
# test executables and lit outputs (ctest -L gpu never runs them). DEST_DIR/lib receives the shared libraries the
# executables need that a bare CUDA image lacks (libfmt, libpng, FFTW, liblbfgs, OpenMPI's libraries). Prints the bundle's size.
# Static libraries are dropped except the two warpc-gradcheck links its kernels against.
set -eu
build=$(cd "$1" && pwd)
dest=$2
rm -rf "$dest"
mkdir -p "$dest"
tar -C "$build" -cf - \
  --exclude='*.o' --exclude='*.a' --exclude='*.gch' --exclude='./fuzz' --exclude='*.warpc' \
  --exclude='./test/cmake' --exclude='CMakeFiles/3.*' --exclude='CheckCUDA' \
  --exclude='.ninja_*' --exclude='Output' . | tar -C "$dest" -xf -
# warpc-gradcheck links the kernels it builds against these two at run time.
for a in runtime/libwarpc_runtime.a tools/gradcheck/libwarpc_gradcheck_core.a; do
  [ -f "$build/$a" ] && cp "$build/$a" "$dest/$a"
done
# Executables that no GPU test runs (names from ctest -L gpu -V would be exact; these are the
# CPU-only suites by their targets' names).
for f in warpc_unit_tests warpc_stdlib_tests warpc_runtime_tests warpc_stdlib_debug_tests; do
  find "$dest" -type f -name "$f" -delete
done
find "$dest" -type f -perm -u+x | while read -r f; do
  if head -c 4 "$f" | grep -q 'ELF'; then strip --strip-unneeded "$f" 2>/dev/null || true; fi
done
mkdir -p "$dest/lib"
# OpenMPI's shared libraries let the wp::dist executables load; the NCCL GPU test makes no MPI
# call (MPI_Init would also need OpenMPI's plugins and mpirun, which are not carried).
for lib in libfmt.so.9 libpng16.so.16 libfftw3f.so.3 libfftw3f_threads.so.3 liblbfgs.so.0 \
    libmpi.so.40 libmpi_cxx.so.40 libopen-pal.so.40 libopen-rte.so.40 libhwloc.so.15 \
    libevent_core-2.1.so.7 libevent_pthreads-2.1.so.7 libudev.so.1; do
  path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
  [ -n "$path" ] && cp -L "$path" "$dest/lib/"
done
du -sh "$dest"
