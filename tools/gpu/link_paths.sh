# tools/gpu/link_paths.sh — sourced by the tools/gpu check scripts with `build` (the
# copied build tree) and `here` (this checkout) set. A build tree made elsewhere names the
# source and build folders of the machine that configured it (CTest files, gtest include
# files, warpc-gradcheck's toolchain): where those paths do not exist here, they are linked to
# this checkout and to the copied tree. The source path may exist and be this checkout while
# the build path does not (the copy lives elsewhere): each is checked on its own. BUILD/lib
# (the shared libraries pack_build.sh carries: libfmt, libpng, FFTW …, which a bare CUDA image
# lacks) goes on LD_LIBRARY_PATH for every script that sources this.
link_missing_path() {  # link_missing_path ORIGINAL TARGET
  local original=$1 target=$2
  [ -n "$original" ] && [ "$original" != "$target" ] || return 0
  [ -e "$original" ] || [ -L "$original" ] && return 0
  mkdir -p "$(dirname "$original")" && ln -s "$target" "$original" && echo "linked $original -> $target"
}
link_missing_path "$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")" "$here"
link_missing_path "$(sed -n 's/^CMAKE_CACHEFILE_DIR:INTERNAL=//p' "$build/CMakeCache.txt")" "$build"
export LD_LIBRARY_PATH="$build/lib:${LD_LIBRARY_PATH:-}"
