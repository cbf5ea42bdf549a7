# depfile_test.cmake — CTest `nvrtc-depfile`: warpc-nvrtc --depfile lists the headers the kernels
# reach through #include lines (quoted ones next to the including file first, then -I
# folders), those behind an #if that is false included, and not a name that resolves nowhere.
#
#   cmake -DNVRTC=<warpc-nvrtc> -DWORK_DIR=<scratch> -P depfile_test.cmake
foreach(var NVRTC WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "depfile_test.cmake: -D${var}=… is required")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/inc/sub)
file(WRITE ${WORK_DIR}/k.wp.cu "// warpc-nvrtc-namespace: t::impl\n#include \"sub/a.h\"\n#if 0\n#include <no_such_header_anywhere.h>\n#endif\nextern \"C\" __global__ void k(float* x) { x[0] = twice(x[0]); }\n")
file(WRITE ${WORK_DIR}/inc/sub/a.h "#pragma once\n#include \"b.h\"\n#if 0\n#include <c.h>\n#endif\n__device__ inline float twice(float v) { return 2.0f * b_one() * v; }\n")
file(WRITE ${WORK_DIR}/inc/sub/b.h "#pragma once\n__device__ inline float b_one() { return 1.0f; }\n")
file(WRITE ${WORK_DIR}/inc/c.h "#pragma once\n")
execute_process(COMMAND ${NVRTC} ${WORK_DIR}/k.wp.cu -o ${WORK_DIR}/k.wp.cubin.cpp -I ${WORK_DIR}/inc
                        --depfile ${WORK_DIR}/k.d
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "warpc-nvrtc failed (${rc}):\n${out}")
endif()
file(READ ${WORK_DIR}/k.d deps)
message(STATUS "depfile:\n${deps}")
foreach(want "${WORK_DIR}/k.wp.cubin.cpp:" "${WORK_DIR}/k.wp.cu" "${WORK_DIR}/inc/sub/a.h" "${WORK_DIR}/inc/sub/b.h"
             "${WORK_DIR}/inc/c.h")
  string(FIND "${deps}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "FAILED: the depfile does not list ${want}")
  endif()
endforeach()
string(FIND "${deps}" "no_such_header_anywhere" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "FAILED: the depfile lists a header that resolves nowhere")
endif()
