# run_consumer.cmake — one `cmake` CTest test: configure, build and run the consumer project
# (test/cmake/consumer) against warpc's package, and check what happened.
#
#   cmake -DMODE=<mode> -DWARPC_BUILD_DIR=<warpc build> -DCONSUMER_SOURCE=<consumer dir>
#         -DWORK_DIR=<scratch dir> -DGENERATOR=<gen> [-DMAKE_PROGRAM=<ninja>]
#         [-DCXX_COMPILER=<c++>] [-DRUNTIME_CUDA=ON|OFF] -P run_consumer.cmake
#
# Modes:
#   build-tree  find_package through -Dwarpc_DIR=<warpc build>; warpc generates kernels.wp.h/
#               .cpp, the library and program build, the program runs the generated launcher;
#               no-op rebuild; editing the .wp or the module it imports regenerates.
#   cuda        TARGETS cpu cuda: with a CUDA runtime (RUNTIME_CUDA) the default CUDA_COMPILER
#               NVRTC: the device-only .wp.cu is compiled by warpc-nvrtc into .wp.cubin.cpp,
#               no CUDA language, and the program runs it when a GPU is present; without, the
#               library degrades to the CPU with a STATUS message.
#   cuda-nvcc   the same with CUDA_COMPILER NVCC: the .wp.cu is compiled by nvcc.
#   no-cuda-compiler  TARGETS cpu cuda with no usable CUDA compiler (CUDACXX points nowhere):
#               the default (NVRTC) needs none and builds CUDA; with CUDA_COMPILER NVCC the
#               library is CPU-only with a STATUS message; with CUDA_REQUIRED too configuring fails.
#   rebuild-one two modules (kernels.wp, extra.wp; a shared precompiled header): editing
#               extra.wp regenerates and recompiles extra.wp alone (not kernels.wp, not the
#               PCH, not main.cpp).
#   install     `cmake --install` into <WORK_DIR>/prefix, then find_package through
#               CMAKE_PREFIX_PATH; the installed package must not mention the build tree.
#   broken      a .wp with a type error: the build fails with warpc's located `error:` line.
#   override    WARPC_EXECUTABLE (environment, then cache variable over a bad environment
#               value) names a stand-in compiler that writes trivial outputs: the broken .wp
#               then builds and the stand-in's output shows; a missing path fails configuring.
#   bad-targets TARGETS metal: configuring fails, listing the allowed values.
#   cpu-only    TARGETS cpu with the CUDA toolkit hidden (CMAKE_DISABLE_FIND_PACKAGE_CUDAToolkit,
#               PATH without it): the package loads, the program builds against
#               warpc::runtime_cpu and runs; no CUDA path, define or libcudart anywhere.
cmake_minimum_required(VERSION 3.25)
foreach(var MODE WARPC_BUILD_DIR CONSUMER_SOURCE WORK_DIR GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_consumer.cmake: -D${var}=… is required")
  endif()
endforeach()

# Runs a command; stores its exit code and merged output in <prefix>_rc / <prefix>_out.
function(run prefix)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message(STATUS "$ ${ARGN}\n${out}")
  set(${prefix}_rc ${rc} PARENT_SCOPE)
  set(${prefix}_out "${out}" PARENT_SCOPE)
endfunction()

function(expect condition_text)
  if(NOT (${ARGN}))
    message(FATAL_ERROR "FAILED (${MODE}): ${condition_text}")
  endif()
endfunction()

# Matches `regex` against `out` with every run of spaces and newlines turned into one space
# (CMake wraps long messages).
function(expect_output out regex what)
  string(REGEX REPLACE "[ \n]+" " " flat "${out}")
  if(NOT flat MATCHES "${regex}")
    message(FATAL_ERROR "FAILED (${MODE}): ${what}: output does not match '${regex}'")
  endif()
endfunction()

# Copies the consumer into WORK_DIR/src (the tests edit files there) and configures it.
function(configure_consumer)
  file(COPY ${CONSUMER_SOURCE}/ DESTINATION ${WORK_DIR}/src)
  set(args -S ${WORK_DIR}/src -B ${WORK_DIR}/build -G ${GENERATOR}
      -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON -DCMAKE_BUILD_TYPE=Release)
  if(MAKE_PROGRAM)
    list(APPEND args -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
  endif()
  if(CXX_COMPILER)
    list(APPEND args -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
  endif()
  run(configure ${CMAKE_COMMAND} ${args} ${ARGN})
  set(configure_rc ${configure_rc} PARENT_SCOPE)
  set(configure_out "${configure_out}" PARENT_SCOPE)
endfunction()

# Builds the consumer (extra arguments go to `cmake --build`, e.g. --target consumer).
function(build_consumer)
  run(build ${CMAKE_COMMAND} --build ${WORK_DIR}/build ${ARGN})
  set(build_rc ${build_rc} PARENT_SCOPE)
  set(build_out "${build_out}" PARENT_SCOPE)
endfunction()

# Configure + build + run, with the package found in `package_dir` and its compiler at
# `warpc_path` (the build step must run that binary). Extra arguments go to the configure.
function(build_and_run_consumer package_dir warpc_path)
  configure_consumer(${ARGN})
  expect("configuring the consumer succeeds" configure_rc EQUAL 0)
  expect_output("${configure_out}" "consumer: warpc_DIR=${package_dir} " "package location")
  build_consumer()
  expect("building the consumer succeeds" build_rc EQUAL 0)
  if(GENERATOR STREQUAL "Ninja")
    file(READ ${WORK_DIR}/build/build.ninja rules)
    string(FIND "${rules}" "${warpc_path} ${WORK_DIR}/src/kernels.wp -o " at)
    expect("the build step runs ${warpc_path} on kernels.wp" NOT at EQUAL -1)
  endif()
  expect_output("${build_out}" "warpc: generating code for kernels\\.wp" "kernels.wp is compiled")
  foreach(ext h cpp)
    expect("kernels.wp.${ext} is generated"
      EXISTS ${WORK_DIR}/build/consumer_kernels.warpc/kernels.wp.${ext})
  endforeach()
  expect_output("${configure_out}"
    "consumer: headers=${WORK_DIR}/build/consumer_kernels\\.warpc/kernels\\.wp\\.h[ ;]"
    "HEADERS_OUTVAR lists the generated header")
  run(program ${WORK_DIR}/build/consumer)
  expect("the consumer program succeeds" program_rc EQUAL 0)
  expect_output("${program_out}" "consumer: sum=999000\\.0 expected=999000\\.0" "program output")
  foreach(var configure_out build_out program_out)
    set(${var} "${${var}}" PARENT_SCOPE)
  endforeach()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(bad_kernel ${CONSUMER_SOURCE}/../broken/bad_kernel.wp)
cmake_path(NORMAL_PATH bad_kernel)

if(MODE STREQUAL "build-tree")
  build_and_run_consumer(${WARPC_BUILD_DIR} ${WARPC_BUILD_DIR}/bin/warpc -Dwarpc_DIR=${WARPC_BUILD_DIR})
  expect_output("${program_out}" "consumer: CPU-only kernels" "TARGETS cpu builds no CUDA")
  expect("no .wp.cu for TARGETS cpu"
    NOT EXISTS ${WORK_DIR}/build/consumer_kernels.warpc/kernels.wp.cu)
  build_consumer()
  expect("a second build does nothing" NOT build_out MATCHES "warpc: generating")
  file(TOUCH ${WORK_DIR}/src/kernels.wp)
  build_consumer()
  expect_output("${build_out}" "warpc: generating code for kernels\\.wp" "editing kernels.wp regenerates it")
  build_consumer()
  expect("nothing changed, nothing regenerated" NOT build_out MATCHES "warpc: generating")
  file(TOUCH ${WORK_DIR}/src/modules/scaling.wp)
  build_consumer()
  expect_output("${build_out}" "warpc: generating code for kernels\\.wp"
    "editing the imported modules/scaling.wp regenerates kernels.wp (DEPFILE from warpc -MD -MF)")
  # Editing a kernel BODY changes the .wp.cpp only: the header keeps its bytes and timestamp,
  # so the program's main.cpp is not recompiled (only the kernel library is).
  set(header ${WORK_DIR}/build/consumer_kernels.warpc/kernels.wp.h)
  file(TIMESTAMP ${header} header_before "%s")
  file(READ ${WORK_DIR}/src/kernels.wp wp_text)
  string(REPLACE "y[i] = scaling.scaled(x[i], factor)" "y[i] = scaling.scaled(x[i], factor) + 0.0"
    wp_text "${wp_text}")
  execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 1.1)  # a visibly newer timestamp if rewritten
  file(WRITE ${WORK_DIR}/src/kernels.wp "${wp_text}")
  build_consumer()
  expect_output("${build_out}" "warpc: generating code for kernels\\.wp" "the edited body regenerates")
  file(TIMESTAMP ${header} header_after "%s")
  expect("an unchanged header is not rewritten (${header_before} vs ${header_after})"
    header_before STREQUAL header_after)
  expect("main.cpp is not recompiled after a kernel-body edit" NOT build_out MATCHES "main\\.cpp\\.o")
  expect("the kernel library is recompiled" build_out MATCHES "kernels\\.wp\\.cpp\\.o")
  build_consumer()
  expect("after a body edit, a second build does nothing" NOT build_out MATCHES "warpc: generating")
  # Fast by default: with no CMAKE_BUILD_TYPE the kernels are still compiled with -O2 (the
  # program itself is not).
  if(GENERATOR STREQUAL "Ninja")
    run(reconfigure ${CMAKE_COMMAND} -S ${WORK_DIR}/src -B ${WORK_DIR}/build -DCMAKE_BUILD_TYPE=)
    expect("reconfiguring without a build type succeeds" reconfigure_rc EQUAL 0)
    file(READ ${WORK_DIR}/build/build.ninja rules)
    string(REGEX MATCH "build [^\n]*kernels\\.wp\\.cpp\\.o:[^\n]*\n( [^\n]*\n)*" kernel_rule "${rules}")
    string(REGEX MATCH "build [^\n]*main\\.cpp\\.o:[^\n]*\n( [^\n]*\n)*" main_rule "${rules}")
    expect("kernels are compiled with -O2 without a build type" kernel_rule MATCHES "FLAGS = [^\n]*-O2")
    expect("the program keeps its own (unoptimised) flags" NOT main_rule MATCHES "-O2")
  endif()
elseif(MODE STREQUAL "cuda")
  build_and_run_consumer(${WARPC_BUILD_DIR} ${WARPC_BUILD_DIR}/bin/warpc
    -Dwarpc_DIR=${WARPC_BUILD_DIR} -DCONSUMER_TARGETS=cpu,cuda)
  set(cu ${WORK_DIR}/build/consumer_kernels.warpc/kernels.wp.cu)
  if(RUNTIME_CUDA)
    expect_output("${configure_out}" "consumer: headers=[^ ]* cuda=ON compiler=NVRTC" "the cuda backend is on, NVRTC")
    expect("kernels.wp.cu is generated" EXISTS ${cu})
    expect("kernels.wp.cubin.cpp is generated" EXISTS ${WORK_DIR}/build/consumer_kernels.warpc/kernels.wp.cubin.cpp)
    expect_output("${build_out}" "warpc-nvrtc: compiling the CUDA kernels of kernels" "warpc-nvrtc runs")
    file(READ ${WORK_DIR}/build/build.ninja rules)
    expect("the cubin is compiled as C++" rules MATCHES "kernels\\.wp\\.cubin\\.cpp\\.o: CXX_COMPILER")
    expect("nothing is compiled as CUDA" NOT rules MATCHES "CUDA_COMPILER")
    expect_output("${program_out}" "consumer: cuda (sum=999000\\.0|kernels built, no CUDA device)"
      "the program ran the CUDA launcher (or said there is no GPU)")
  else()
    expect_output("${configure_out}"
      "add_warp_kernels\\(consumer_kernels\\): building for the CPU only: warpc's runtime was built without CUDA"
      "the degradation message")
    expect("no kernels.wp.cu without CUDA" NOT EXISTS ${cu})
  endif()
elseif(MODE STREQUAL "cuda-nvcc")
  build_and_run_consumer(${WARPC_BUILD_DIR} ${WARPC_BUILD_DIR}/bin/warpc
    -Dwarpc_DIR=${WARPC_BUILD_DIR} -DCONSUMER_TARGETS=cpu,cuda -DCONSUMER_CUDA_COMPILER=NVCC)
  set(cu ${WORK_DIR}/build/consumer_kernels.warpc/kernels.wp.cu)
  if(RUNTIME_CUDA)
    expect_output("${configure_out}" "consumer: headers=[^ ]* cuda=ON compiler=NVCC" "the cuda backend is on, nvcc")
    expect("kernels.wp.cu is generated" EXISTS ${cu})
    file(READ ${WORK_DIR}/build/build.ninja rules)
    expect("kernels.wp.cu is compiled as CUDA"
      rules MATCHES "kernels\\.wp\\.cu\\.o: CUDA_COMPILER")
    expect_output("${program_out}" "consumer: cuda (sum=999000\\.0|kernels built, no CUDA device)"
      "the program ran the CUDA launcher (or said there is no GPU)")
  else()
    expect("no kernels.wp.cu without CUDA" NOT EXISTS ${cu})
  endif()
elseif(MODE STREQUAL "rebuild-one")
  set(targets cpu)
  if(RUNTIME_CUDA)
    set(targets cpu,cuda)
  endif()
  build_and_run_consumer(${WARPC_BUILD_DIR} ${WARPC_BUILD_DIR}/bin/warpc
    -Dwarpc_DIR=${WARPC_BUILD_DIR} -DCONSUMER_TARGETS=${targets} -DCONSUMER_KERNELS=kernels.wp,extra.wp)
  file(READ ${WORK_DIR}/build/build.ninja rules)
  expect("two modules share a precompiled header (PRECOMPILE_HEADERS AUTO)" rules MATCHES "cmake_pch\\.hxx\\.gch")
  build_consumer()
  expect("a second build does nothing" NOT build_out MATCHES "warpc")
  file(READ ${WORK_DIR}/src/extra.wp wp_text)
  string(REPLACE "y[i] + amount" "y[i] + amount * 2.0" wp_text "${wp_text}")
  file(WRITE ${WORK_DIR}/src/extra.wp "${wp_text}")
  build_consumer()
  expect_output("${build_out}" "warpc: generating code for extra\\.wp" "the edited module regenerates")
  expect("the other module is not regenerated" NOT build_out MATCHES "generating code for kernels\\.wp")
  expect("the edited module is recompiled" build_out MATCHES "extra\\.wp\\.cpp\\.o")
  expect("the other module is not recompiled" NOT build_out MATCHES "kernels\\.wp\\.cpp\\.o")
  expect("the precompiled header is not rebuilt" NOT build_out MATCHES "cmake_pch")
  expect("main.cpp is not recompiled" NOT build_out MATCHES "main\\.cpp\\.o")
  if(RUNTIME_CUDA)
    expect_output("${build_out}" "warpc-nvrtc: compiling the CUDA kernels of extra" "the edited module's kernels")
    expect("the other module's kernels are not recompiled" NOT build_out MATCHES "CUDA kernels of kernels")
  endif()
elseif(MODE STREQUAL "no-cuda-compiler")
  set(ENV{CUDACXX} ${WORK_DIR}/no-such-nvcc)
  set(ENV{PATH} "/usr/bin:/bin")
  if(RUNTIME_CUDA)  # the default, NVRTC, needs no CUDA compiler
    build_and_run_consumer(${WARPC_BUILD_DIR} ${WARPC_BUILD_DIR}/bin/warpc
      -Dwarpc_DIR=${WARPC_BUILD_DIR} -DCONSUMER_TARGETS=cpu,cuda)
    expect_output("${configure_out}" "consumer: headers=[^ ]* cuda=ON compiler=NVRTC"
      "NVRTC builds the cuda backend without a CUDA compiler")
    file(REMOVE_RECURSE ${WORK_DIR}/build)
  endif()
  build_and_run_consumer(${WARPC_BUILD_DIR} ${WARPC_BUILD_DIR}/bin/warpc
    -Dwarpc_DIR=${WARPC_BUILD_DIR} -DCONSUMER_TARGETS=cpu,cuda -DCONSUMER_CUDA_COMPILER=NVCC)
  expect_output("${configure_out}" "add_warp_kernels\\(consumer_kernels\\): building for the CPU only: "
    "the degradation message")
  expect_output("${configure_out}" "consumer: headers=[^ ]* cuda=OFF" "the cuda backend is off")
  expect_output("${program_out}" "consumer: CPU-only kernels" "the program is CPU-only")
  file(REMOVE_RECURSE ${WORK_DIR}/build)
  configure_consumer(-Dwarpc_DIR=${WARPC_BUILD_DIR} -DCONSUMER_TARGETS=cpu,cuda
    -DCONSUMER_CUDA_REQUIRED=ON -DCONSUMER_CUDA_COMPILER=NVCC)
  expect("CUDA_REQUIRED without a CUDA compiler fails configuring" NOT configure_rc EQUAL 0)
  expect_output("${configure_out}"
    "add_warp_kernels\\(consumer_kernels\\): TARGETS cuda is CUDA_REQUIRED but "
    "the CUDA_REQUIRED message")
elseif(MODE STREQUAL "install")
  set(prefix ${WORK_DIR}/prefix)
  run(install ${CMAKE_COMMAND} --install ${WARPC_BUILD_DIR} --prefix ${prefix})
  expect("cmake --install succeeds" install_rc EQUAL 0)
  set(pkg ${prefix}/lib/cmake/warpc)
  set(runtime_cpu_lib "")
  if(RUNTIME_CUDA)
    set(runtime_cpu_lib lib/libwarpc_runtime_cpu.a)
  endif()
  foreach(f bin/warpc lib/libwarpc_runtime.a ${runtime_cpu_lib} include/wp/wp.h include/wp/array.h
            include/wp/host_array.h include/wp/builtins/bounds_check.h
            include/wp/kernel_abi.h include/wp/cuda_launch.h include/wp/builtins.h
            lib/cmake/warpc/warpcConfig.cmake lib/cmake/warpc/warpcConfigVersion.cmake
            lib/cmake/warpc/warpcTargets.cmake lib/cmake/warpc/WarpcKernels.cmake)
    expect("${f} is installed" EXISTS ${prefix}/${f})
  endforeach()
  file(GLOB pkg_files ${pkg}/*.cmake)
  foreach(f IN LISTS pkg_files)
    file(READ ${f} text)
    string(FIND "${text}" "${WARPC_BUILD_DIR}" at)
    expect("${f} does not refer to the build tree" at EQUAL -1)
  endforeach()
  build_and_run_consumer(${pkg} ${prefix}/bin/warpc -DCMAKE_PREFIX_PATH=${prefix})
elseif(MODE STREQUAL "broken")
  configure_consumer(-Dwarpc_DIR=${WARPC_BUILD_DIR} -DCONSUMER_KERNELS=${bad_kernel})
  expect("configuring the consumer succeeds" configure_rc EQUAL 0)
  build_consumer(--target consumer)  # the program alone: its kernels must be compiled first
  expect("building a broken .wp fails" NOT build_rc EQUAL 0)
  expect_output("${build_out}"
    "bad_kernel\\.wp:8:12: error: use of undeclared name 'undefined_name'" "warpc's diagnostic")
  expect("the consumer program is not linked" NOT EXISTS ${WORK_DIR}/build/consumer)
elseif(MODE STREQUAL "override")
  # The stand-in writes a trivial header and .cpp and a depfile, and accepts everything.
  set(stand_in ${WORK_DIR}/stand-in-warpc.sh)
  file(WRITE ${stand_in} [=[#!/bin/sh
echo "stand-in warpc: $*"
src=$1; shift
while [ $# -gt 0 ]; do
  case "$1" in -o) out=$2; shift;; -MF) mf=$2; shift;; -MT) mt=$2; shift;; esac
  shift
done
stem=$(basename "$src" .wp)
echo '#pragma once' > "$out/$stem.wp.h"
printf '#include "%s.wp.h"\n' "$stem" > "$out/$stem.wp.cpp"
echo "int stand_in_$stem = 1;" >> "$out/$stem.wp.cpp"
echo "$mt: $src" > "$mf"
]=])
  file(CHMOD ${stand_in} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
  set(ENV{WARPC_EXECUTABLE} ${stand_in})
  configure_consumer(-Dwarpc_DIR=${WARPC_BUILD_DIR} -DCONSUMER_KERNELS=${bad_kernel})
  expect("configuring with WARPC_EXECUTABLE succeeds" configure_rc EQUAL 0)
  build_consumer(--target consumer_kernels)
  expect("the stand-in accepts the broken .wp" build_rc EQUAL 0)
  expect_output("${build_out}" "stand-in warpc: [^\n]*bad_kernel\\.wp -o [^\n]*--emit=header,cpp"
    "the stand-in ran")
  set(ENV{WARPC_EXECUTABLE} ${WORK_DIR}/missing-warpc)
  file(REMOVE_RECURSE ${WORK_DIR}/build)
  configure_consumer(-Dwarpc_DIR=${WARPC_BUILD_DIR} -DCONSUMER_KERNELS=${bad_kernel}
    -DWARPC_EXECUTABLE=${stand_in})
  expect("the WARPC_EXECUTABLE cache variable wins over the environment" configure_rc EQUAL 0)
  build_consumer(--target consumer_kernels)
  expect_output("${build_out}" "stand-in warpc: " "the stand-in ran (cache variable)")
  file(REMOVE_RECURSE ${WORK_DIR}/build)
  configure_consumer(-Dwarpc_DIR=${WARPC_BUILD_DIR})
  expect("a missing WARPC_EXECUTABLE fails configuring" NOT configure_rc EQUAL 0)
  expect_output("${configure_out}" "WARPC_EXECUTABLE is '[^']*missing-warpc', which is not a file"
    "the missing-override message")
elseif(MODE STREQUAL "cpu-only")
  # A TARGETS cpu consumer on a machine without CUDA: the toolkit is hidden from find_package
  # and from PATH; the package still loads, the kernel library links warpc::runtime_cpu, and
  # nothing of CUDA appears on the consumer's compile or link lines or in its program.
  unset(ENV{CUDACXX})
  set(ENV{PATH} "/usr/bin:/bin")
  build_and_run_consumer(${WARPC_BUILD_DIR} ${WARPC_BUILD_DIR}/bin/warpc -Dwarpc_DIR=${WARPC_BUILD_DIR}
    -DCMAKE_DISABLE_FIND_PACKAGE_CUDAToolkit=ON)
  expect_output("${program_out}" "consumer: CPU-only kernels" "the program is CPU-only")
  if(GENERATOR STREQUAL "Ninja")
    file(READ ${WORK_DIR}/build/build.ninja rules)
    set(cuda_words cudart WARPC_RUNTIME_CUDA /usr/local/cuda)
    if(RUNTIME_CUDA)  # (a CPU-only warpc has one runtime, which runtime_cpu forwards to)
      list(APPEND cuda_words libwarpc_runtime.a)
    endif()
    foreach(word IN LISTS cuda_words)
      string(FIND "${rules}" "${word}" at)
      expect("'${word}' does not appear in the consumer's build rules" at EQUAL -1)
    endforeach()
    expect("the consumer links the CPU-only runtime" rules MATCHES "libwarpc_runtime_cpu\\.a|libwarpc_runtime\\.a")
  endif()
  run(ldd ldd ${WORK_DIR}/build/consumer)
  expect("the program does not load libcudart" NOT ldd_out MATCHES "cudart")
elseif(MODE STREQUAL "bad-targets")
  configure_consumer(-Dwarpc_DIR=${WARPC_BUILD_DIR} -DCONSUMER_TARGETS=metal)
  expect("configuring with TARGETS metal fails" NOT configure_rc EQUAL 0)
  expect_output("${configure_out}"
    "add_warp_kernels\\(consumer_kernels\\): unknown TARGETS value 'metal' \\(allowed: cpu, cuda\\)"
    "the TARGETS message")
else()
  message(FATAL_ERROR "run_consumer.cmake: unknown MODE '${MODE}'")
endif()
message(STATUS "PASSED (${MODE})")
