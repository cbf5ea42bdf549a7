# WarpcKernels.cmake — add_warp_kernels(): compile .wp modules with warpc at build time into
# a static library of generated C++ (and CUDA) code.
#
#   add_warp_kernels(<target>
#     SOURCES a.wp [b.py ...]         kernel modules (.wp, or .py files shared with Python Warp)
#     [TARGETS cpu cuda]              backends (default: cpu; the CPU one is always built)
#     [DEBUG]                         bounds-check every array access (WARPC_DEBUG), asserts on
#     [NO_OPTIMIZE]                   compile the kernels with the build type's flags only
#     [DEBUG_INFO]                    add -g to the (optimised) kernel code
#     [CUDA_REQUIRED]                 fail configuring when the cuda backend cannot be built
#     [CUDA_ARCHITECTURES 90 ...]     SM architectures of the CUDA code (default: 90)
#     [CUDA_COMPILER NVRTC|NVCC]      who compiles the CUDA kernels (default: NVRTC when
#                                     warpc::nvrtc exists, else NVCC; WARPC_CUDA_COMPILER sets it)
#     [PRECOMPILE_HEADERS AUTO|ON|OFF] g++ PCH of the runtime + builtin headers (AUTO: ≥ 2 SOURCES)
#     [NAMESPACE ns]                  C++ namespace of the launchers (default: warpc's, the stem)
#     [INCLUDE_DIRS dir ...]          searched for imported .wp modules (warpc -I)
#     [OUTPUT_DIR dir]                generated files (default: <current binary dir>/<target>.warpc)
#     [LOOP_AD auto|store|recompute]  how backward passes reverse dynamic loops (warpc --loop-ad)
#     [ADJOINT_VARIANTS 1|2|4|8]      CUDA backward kernels specialised on absent gradient buffers
#                                     (warpc --adjoint-variants; default 1: compile time)
#     [CUDA_DEFINES NAME[=VALUE] ...] preprocessor definitions for the CUDA kernels only
#                                     (warpc-nvrtc -D, or nvcc's CUDA compile), e.g.
#                                     WARPC_AGGREGATE_ATOMICS
#     [HEADERS_OUTVAR var])           receives the generated <stem>.wp.h paths
#
# Contract:
#  * Each a.wp gets one build step:
#      warpc a.wp -o <OUTPUT_DIR> --emit=header,cpp[,cuda] [--namespace ns] [--loop-ad=…] -I …
#            [--cuda-arch sm_<oldest of CUDA_ARCHITECTURES>] -MD -MF … -MT …
#    writing <OUTPUT_DIR>/a.wp.h, a.wp.cpp and (cuda) a.wp.cu. It re-runs when a.wp, any
#    module it imports (DEPFILE from warpc -MD) or warpc changes; a .wp that does not compile
#    fails the build with warpc's located diagnostics.
#  * <target> is a STATIC library of the generated .wp.cpp (+ .wp.cu) files, linking
#    warpc::runtime PUBLIC — or warpc::runtime_cpu (no CUDA toolkit, libcudart or
#    WARPC_RUNTIME_CUDA needed) when TARGETS has no cuda, or when CUDA was requested but
#    warpc::runtime cannot be linked here (no CUDA toolkit); with OUTPUT_DIR as a PUBLIC include directory (so `#include
#    "a.wp.h"` works for its users), position-independent code. The custom target
#    <target>.warpc runs the warpc steps (part of `all`).
#  * The cuda backend is built when TARGETS has cuda AND warpc's runtime has CUDA AND a CUDA
#    compiler exists. add_warp_kernels is a macro so that it can enable the CUDA language in
#    the calling directory when the project has not (call it at directory scope, not inside
#    a function, unless CUDA is already enabled there). Then the .wp.cu files are compiled
#    for CUDA_ARCHITECTURES and the .wp.cpp with WARPC_KERNELS_CUDA=1 (PRIVATE: the
#    generated launchers dispatch to CUDA). Otherwise the library is CPU-only, with a STATUS
#    message saying why — or a FATAL_ERROR with CUDA_REQUIRED.
#  * CUDA_COMPILER NVRTC (the default when the package has warpc::nvrtc, i.e. warpc-nvrtc was
#    built; the variable WARPC_CUDA_COMPILER overrides the default): warpc runs with
#    --cuda-compiler=nvrtc (a device-only a.wp.cu, the CUDA launchers in a.wp.cpp) and a second
#    step `warpc-nvrtc a.wp.cu -o a.wp.cubin.cpp --arch sm_NN…` compiles the kernels for every
#    CUDA_ARCHITECTURES entry with NVRTC (its --depfile lists the headers the kernels include, so
#    editing a builtin header recompiles them); the library is a.wp.cpp + a.wp.cubin.cpp, plain C++
#    (no CUDA language, no nvcc). The cuda backend then needs the runtime with CUDA and
#    warpc::nvrtc (not a CUDA compiler). CUDA_COMPILER NVCC is the .cu-compiled-by-nvcc path.
#  * PRECOMPILE_HEADERS (default AUTO: ON for two or more SOURCES): the library's C++ sources
#    share a precompiled header of <wp/wp.h> and <wp/builtins.h> (target_precompile_headers;
#    the .wp.cubin.cpp files skip it).
#  * Kernel code is optimised whatever the consumer's build type: in configurations other
#    than Release/RelWithDebInfo/MinSizeRel (Debug, or no CMAKE_BUILD_TYPE) the library's C++
#    gets -O2 and its CUDA -O3 (GCC/Clang/nvcc; after the configuration's flags), unless
#    NO_OPTIMIZE or DEBUG is given. DEBUG_INFO adds -g. DEBUG defines WARPC_DEBUG for the
#    library (bounds checks with file:line, asserts; abort on the CPU, trap on CUDA) and
#    compiles it with -g and without the forced optimisation.
#  * A source ending in .py is compiled like a .wp (its outputs are still <stem>.wp.h/.cpp/.cu).
#  * Target properties: WARPC_TARGETS (as given), WARPC_CUDA (ON when the cuda backend is
#    built), WARPC_CUDA_ARCHITECTURES, WARPC_NAMESPACE, WARPC_HEADERS.
#  * Argument errors (unknown keywords or values, missing SOURCES, non-.wp sources, two
#    sources with one file name, an existing target) stop configuring with a message.
include_guard(GLOBAL)
# DEPFILE paths are interpreted relative to the build tree, as Ninja expects (CMake ≥ 3.20).
cmake_policy(SET CMP0116 NEW)

# Checks the keywords add_warp_kernels parsed (ARG_*, read from the caller's scope).
function(_warpc_check_keywords target)
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "add_warp_kernels(${target}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS} "
      "(allowed: SOURCES TARGETS CUDA_REQUIRED DEBUG NO_OPTIMIZE DEBUG_INFO CUDA_ARCHITECTURES "
      "CUDA_COMPILER PRECOMPILE_HEADERS NAMESPACE INCLUDE_DIRS OUTPUT_DIR HEADERS_OUTVAR LOOP_AD "
      "ADJOINT_VARIANTS CUDA_DEFINES)")
  endif()
  if(ARG_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "add_warp_kernels(${target}): no value given for: ${ARG_KEYWORDS_MISSING_VALUES}")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "add_warp_kernels(${target}): SOURCES is required (one or more .wp or .py files)")
  endif()
  if(TARGET ${target})
    message(FATAL_ERROR "add_warp_kernels(${target}): a target named '${target}' already exists")
  endif()
endfunction()

# Checks the values of TARGETS, CUDA_ARCHITECTURES and NAMESPACE (ARG_*, from the caller).
function(_warpc_check_values target)
  set(allowed_targets cpu cuda)  # (a variable here: include_guard'ed files share no variables)
  foreach(t IN LISTS ARG_TARGETS)
    if(NOT t IN_LIST allowed_targets)
      string(REPLACE ";" ", " allowed "${allowed_targets}")
      message(FATAL_ERROR "add_warp_kernels(${target}): unknown TARGETS value '${t}' "
        "(allowed: ${allowed})")
    endif()
  endforeach()
  foreach(arch IN LISTS ARG_CUDA_ARCHITECTURES)
    if(NOT arch MATCHES "^[0-9]+[a-z]?$")
      message(FATAL_ERROR "add_warp_kernels(${target}): CUDA_ARCHITECTURES value '${arch}' is not "
        "an SM number such as 80, 90 or 90a")
    endif()
  endforeach()
  if(DEFINED ARG_CUDA_COMPILER AND NOT ARG_CUDA_COMPILER MATCHES "^(NVRTC|NVCC)$")
    message(FATAL_ERROR "add_warp_kernels(${target}): unknown CUDA_COMPILER value '${ARG_CUDA_COMPILER}' "
      "(allowed: NVRTC, NVCC)")
  endif()
  if(DEFINED ARG_PRECOMPILE_HEADERS AND NOT ARG_PRECOMPILE_HEADERS MATCHES "^(AUTO|ON|OFF)$")
    message(FATAL_ERROR "add_warp_kernels(${target}): unknown PRECOMPILE_HEADERS value "
      "'${ARG_PRECOMPILE_HEADERS}' (allowed: AUTO, ON, OFF)")
  endif()
  set(ident "[A-Za-z_][A-Za-z0-9_]*")
  if(DEFINED ARG_LOOP_AD AND NOT ARG_LOOP_AD MATCHES "^(auto|store|recompute)$")
    message(FATAL_ERROR "add_warp_kernels(${target}): LOOP_AD '${ARG_LOOP_AD}' is not auto, store or recompute")
  endif()
  if(DEFINED ARG_ADJOINT_VARIANTS AND NOT ARG_ADJOINT_VARIANTS MATCHES "^(1|2|4|8)$")
    message(FATAL_ERROR "add_warp_kernels(${target}): ADJOINT_VARIANTS '${ARG_ADJOINT_VARIANTS}' is not 1, 2, 4 or 8")
  endif()
  if(DEFINED ARG_NAMESPACE AND NOT ARG_NAMESPACE MATCHES "^${ident}(::${ident})*$")
    message(FATAL_ERROR "add_warp_kernels(${target}): NAMESPACE '${ARG_NAMESPACE}' is not a C++ "
      "namespace name (identifiers joined by '::')")
  endif()
endfunction()

# ON in `out` when warpc::runtime was built with CUDA (it then defines WARPC_RUNTIME_CUDA)
# and can be linked here (CUDA::cudart exists, or it is warpc's own build).
function(_warpc_runtime_has_cuda out)
  set(${out} OFF PARENT_SCOPE)
  if(TARGET warpc::runtime)
    get_target_property(defs warpc::runtime INTERFACE_COMPILE_DEFINITIONS)
    if(defs AND "WARPC_RUNTIME_CUDA" IN_LIST defs AND TARGET CUDA::cudart)
      set(${out} ON PARENT_SCOPE)
    endif()
  endif()
endfunction()

# The runtime a kernel library links: warpc::runtime when its CUDA code is built, or when CUDA
# was requested and that runtime can be linked; else warpc::runtime_cpu (no CUDA toolkit
# needed; older packages without it: warpc::runtime).
function(_warpc_runtime_target cuda out)
  _warpc_runtime_has_cuda(runtime_cuda)
  get_target_property(defs warpc::runtime INTERFACE_COMPILE_DEFINITIONS)
  set(runtime_without_cuda ON)
  if(defs AND "WARPC_RUNTIME_CUDA" IN_LIST defs)
    set(runtime_without_cuda OFF)
  endif()
  if(cuda OR ("cuda" IN_LIST ARG_TARGETS AND (runtime_cuda OR runtime_without_cuda))
     OR NOT TARGET warpc::runtime_cpu)
    set(${out} warpc::runtime PARENT_SCOPE)
  else()
    set(${out} warpc::runtime_cpu PARENT_SCOPE)
  endif()
endfunction()

# The CUDA compiler of a library: `requested` (NVRTC/NVCC, may be empty), else
# WARPC_CUDA_COMPILER, else NVRTC when warpc::nvrtc exists, else NVCC.
function(_warpc_cuda_compiler requested out)
  if(requested)
    set(${out} ${requested} PARENT_SCOPE)
  elseif(WARPC_CUDA_COMPILER)
    set(${out} ${WARPC_CUDA_COMPILER} PARENT_SCOPE)
  elseif(TARGET warpc::nvrtc)
    set(${out} NVRTC PARENT_SCOPE)
  else()
    set(${out} NVCC PARENT_SCOPE)
  endif()
endfunction()

# (macro: runs in the caller's directory scope) When the cuda backend is requested and the
# runtime has CUDA but this directory has no CUDA language yet, looks for a CUDA compiler and
# enables CUDA here. Teaches CMake 3.25 nvcc's C++20 flag (unknown to it for nvcc 13).
macro(_warpc_enable_cuda)
  cmake_parse_arguments(_warpc_ec "" "CUDA_COMPILER" "TARGETS" ${ARGN})
  _warpc_runtime_has_cuda(_warpc_ec_runtime)
  _warpc_cuda_compiler("${_warpc_ec_CUDA_COMPILER}" _warpc_ec_compiler)
  if("cuda" IN_LIST _warpc_ec_TARGETS AND _warpc_ec_runtime AND _warpc_ec_compiler STREQUAL "NVCC"
     AND NOT DEFINED CMAKE_CUDA_COMPILE_OBJECT)
    include(CheckLanguage)
    check_language(CUDA)
    if(CMAKE_CUDA_COMPILER)
      enable_language(CUDA)
    endif()
  endif()
  if(DEFINED CMAKE_CUDA_COMPILE_OBJECT AND NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
    set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
  endif()
  unset(_warpc_ec_TARGETS)
  unset(_warpc_ec_CUDA_COMPILER)
  unset(_warpc_ec_compiler)
  unset(_warpc_ec_UNPARSED_ARGUMENTS)
  unset(_warpc_ec_KEYWORDS_MISSING_VALUES)
  unset(_warpc_ec_runtime)
endmacro()

# ON in `out` when the cuda backend can be built for <target> (ARG_*, from the caller);
# explains why not (STATUS, or FATAL_ERROR with CUDA_REQUIRED).
function(_warpc_cuda_enabled target compiler out)
  set(${out} OFF PARENT_SCOPE)
  if(NOT "cuda" IN_LIST ARG_TARGETS)
    return()
  endif()
  _warpc_runtime_has_cuda(runtime_cuda)
  get_target_property(defs warpc::runtime INTERFACE_COMPILE_DEFINITIONS)
  if(NOT runtime_cuda AND defs AND "WARPC_RUNTIME_CUDA" IN_LIST defs)
    set(why "no CUDA toolkit was found (CUDA::cudart), which warpc's CUDA runtime needs")
  elseif(NOT runtime_cuda)
    set(why "warpc's runtime was built without CUDA")
  elseif(compiler STREQUAL "NVRTC" AND NOT TARGET warpc::nvrtc)
    set(why "CUDA_COMPILER NVRTC needs warpc-nvrtc (warpc::nvrtc), which this warpc package lacks")
  elseif(compiler STREQUAL "NVRTC")
    set(${out} ON PARENT_SCOPE)
    return()
  elseif(NOT DEFINED CMAKE_CUDA_COMPILE_OBJECT)
    string(CONCAT why "no CUDA compiler was found (set CMAKE_CUDA_COMPILER), or CUDA could not "
      "be enabled here (call add_warp_kernels at directory scope, or enable_language(CUDA) first)")
  else()
    set(${out} ON PARENT_SCOPE)
    return()
  endif()
  if(ARG_CUDA_REQUIRED)
    message(FATAL_ERROR "add_warp_kernels(${target}): TARGETS cuda is CUDA_REQUIRED but ${why}")
  endif()
  message(STATUS "add_warp_kernels(${target}): building for the CPU only: ${why}")
endfunction()

# The files warpc writes for one module: header first (the DEPFILE's target), then .cpp, .cu.
function(_warpc_module_outputs stem dir cuda out_files)
  set(files "${dir}/${stem}.wp.h" "${dir}/${stem}.wp.cpp")
  if(cuda)
    list(APPEND files "${dir}/${stem}.wp.cu")
  endif()
  set(${out_files} "${files}" PARENT_SCOPE)
endfunction()

# NVRTC: <stem>.wp.cubin.cpp from <stem>.wp.cu (warpc-nvrtc, one cubin per architecture).
function(_warpc_nvrtc_command target stem dir)
  set(archs "")
  foreach(arch IN LISTS ARG_CUDA_ARCHITECTURES)
    list(APPEND archs --arch sm_${arch})
  endforeach()
  set(extra "")
  if(ARG_DEBUG)
    list(APPEND extra -D WARPC_DEBUG=1)
  elseif(ARG_DEBUG_INFO)
    list(APPEND extra --lineinfo)
  endif()
  foreach(d IN LISTS ARG_CUDA_DEFINES)
    list(APPEND extra -D ${d})
  endforeach()
  set(includes "$<TARGET_PROPERTY:warpc::runtime,INTERFACE_INCLUDE_DIRECTORIES>")
  add_custom_command(
    OUTPUT ${dir}/${stem}.wp.cubin.cpp
    COMMAND warpc::nvrtc ${dir}/${stem}.wp.cu -o ${dir}/${stem}.wp.cubin.cpp ${archs} ${extra}
            "$<$<BOOL:${includes}>:-I$<JOIN:${includes},;-I>>" --depfile ${dir}/${stem}.wp.cubin.cpp.d
    DEPENDS ${dir}/${stem}.wp.cu $<TARGET_FILE:warpc::nvrtc>
    DEPFILE ${dir}/${stem}.wp.cubin.cpp.d
    COMMENT "warpc-nvrtc: compiling the CUDA kernels of ${stem}.wp (${target})"
    VERBATIM COMMAND_EXPAND_LISTS)
endfunction()

# One custom command: generate <outputs> from <source> (flags: -I…, --namespace …).
function(_warpc_module_command target source dir cuda compiler outputs flags)
  list(GET outputs 0 header)
  cmake_path(GET source FILENAME name)
  set(emit header,cpp)
  if(cuda)
    set(emit header,cpp,cuda)
    if(compiler STREQUAL "NVRTC")
      list(APPEND flags --cuda-compiler=nvrtc)
    endif()
  endif()
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND warpc::warpc ${source} -o ${dir} --emit=${emit} ${flags}
            -MD -MF ${header}.d -MT ${header}
    DEPENDS ${source} $<TARGET_FILE:warpc::warpc>
    DEPFILE ${header}.d
    COMMENT "warpc: generating code for ${name} (${target})"
    VERBATIM COMMAND_EXPAND_LISTS)
endfunction()

# The static library of the generated sources.
function(_warpc_make_library target dir sources cuda compiler)
  add_library(${target} STATIC ${sources})
  _warpc_runtime_target(${cuda} runtime)
  target_link_libraries(${target} PUBLIC ${runtime})
  target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${dir}>)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON LINKER_LANGUAGE CXX)
  _warpc_precompile_headers(${target} "${sources}")
  if(cuda AND compiler STREQUAL "NVRTC")
    target_compile_definitions(${target} PRIVATE WARPC_KERNELS_CUDA=1)
  elseif(cuda)
    # The shared CUDA runtime, as warpc::runtime links (CUDA::cudart): one cudart per process.
    set_target_properties(${target} PROPERTIES CUDA_ARCHITECTURES "${ARG_CUDA_ARCHITECTURES}"
      CUDA_RUNTIME_LIBRARY Shared)
    target_compile_definitions(${target} PRIVATE WARPC_KERNELS_CUDA=1)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:--expt-relaxed-constexpr>)
    foreach(d IN LISTS ARG_CUDA_DEFINES)
      target_compile_definitions(${target} PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:${d}>)
    endforeach()
  endif()
  _warpc_build_flavour(${target})
endfunction()

# PRECOMPILE_HEADERS (ARG_PRECOMPILE_HEADERS, ARG_SOURCES from the caller): one g++ PCH of the
# runtime and builtin headers for the library's generated .wp.cpp files.
function(_warpc_precompile_headers target sources)
  set(mode AUTO)
  if(DEFINED ARG_PRECOMPILE_HEADERS)
    set(mode ${ARG_PRECOMPILE_HEADERS})
  endif()
  list(LENGTH ARG_SOURCES count)
  if(mode STREQUAL "OFF" OR (mode STREQUAL "AUTO" AND count LESS 2))
    return()
  endif()
  target_precompile_headers(${target} PRIVATE "$<$<COMPILE_LANGUAGE:CXX>:<wp/wp.h$<ANGLE-R>>"
    "$<$<COMPILE_LANGUAGE:CXX>:<wp/builtins.h$<ANGLE-R>>")
  foreach(source IN LISTS sources)
    if(source MATCHES "\\.wp\\.cubin\\.cpp$")
      set_source_files_properties(${source} TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
  endforeach()
endfunction()

# Optimisation / debug flags of the kernel library (ARG_DEBUG, ARG_NO_OPTIMIZE, ARG_DEBUG_INFO
# from the caller): see the contract.
function(_warpc_build_flavour target)
  set(gnu_cxx "$<COMPILE_LANG_AND_ID:CXX,GNU,Clang,AppleClang>")
  if(ARG_DEBUG)
    target_compile_definitions(${target} PRIVATE WARPC_DEBUG=1)
    target_compile_options(${target} PRIVATE $<${gnu_cxx}:-g> $<$<COMPILE_LANGUAGE:CUDA>:-g>)
    return()
  endif()
  if(NOT ARG_NO_OPTIMIZE)  # (the optimised configurations keep their own -O level)
    set(unoptimised "$<NOT:$<CONFIG:Release,RelWithDebInfo,MinSizeRel>>")
    target_compile_options(${target} PRIVATE $<$<AND:${unoptimised},${gnu_cxx}>:-O2>
      $<$<AND:${unoptimised},$<COMPILE_LANGUAGE:CUDA>>:-O3>)
  endif()
  if(ARG_DEBUG_INFO)
    target_compile_options(${target} PRIVATE $<${gnu_cxx}:-g> $<$<COMPILE_LANGUAGE:CUDA>:-g>)
  endif()
endfunction()

# -I <dir> for every INCLUDE_DIRS entry, --namespace <ns>, and with the cuda backend
# --cuda-arch sm_<oldest CUDA_ARCHITECTURES> (ARG_* and `cuda`, from the caller).
function(_warpc_flags out)
  set(flags "")
  foreach(dir IN LISTS ARG_INCLUDE_DIRS)
    cmake_path(ABSOLUTE_PATH dir BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} NORMALIZE)
    list(APPEND flags -I ${dir})
  endforeach()
  if(DEFINED ARG_NAMESPACE)
    list(APPEND flags --namespace ${ARG_NAMESPACE})
  endif()
  if(DEFINED ARG_LOOP_AD)  # how backward passes reverse dynamic loops (docs/autodiff.md)
    list(APPEND flags --loop-ad=${ARG_LOOP_AD})
  endif()
  if(DEFINED ARG_ADJOINT_VARIANTS)  # specialised CUDA backward kernels (docs/codegen.md)
    list(APPEND flags --adjoint-variants=${ARG_ADJOINT_VARIANTS})
  endif()
  if(cuda)  # the oldest architecture the .cu is compiled for (90a → 90)
    set(oldest "")
    foreach(arch IN LISTS ARG_CUDA_ARCHITECTURES)
      string(REGEX REPLACE "[a-z]$" "" number ${arch})
      if(oldest STREQUAL "" OR number LESS oldest)
        set(oldest ${number})
      endif()
    endforeach()
    list(APPEND flags --cuda-arch sm_${oldest})
  endif()
  set(${out} "${flags}" PARENT_SCOPE)
endfunction()

function(_warpc_add_warp_kernels target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "CUDA_REQUIRED;DEBUG;NO_OPTIMIZE;DEBUG_INFO"
    "NAMESPACE;OUTPUT_DIR;HEADERS_OUTVAR;CUDA_COMPILER;PRECOMPILE_HEADERS;LOOP_AD;ADJOINT_VARIANTS"
    "SOURCES;TARGETS;CUDA_ARCHITECTURES;INCLUDE_DIRS;CUDA_DEFINES")
  _warpc_check_keywords(${target})
  _warpc_check_values(${target})
  if(NOT ARG_TARGETS)
    set(ARG_TARGETS cpu)
  endif()
  if(NOT ARG_CUDA_ARCHITECTURES)
    set(ARG_CUDA_ARCHITECTURES 90)
  endif()
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR ${target}.warpc)
  endif()
  cmake_path(ABSOLUTE_PATH ARG_OUTPUT_DIR BASE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR} NORMALIZE)
  file(MAKE_DIRECTORY ${ARG_OUTPUT_DIR})
  _warpc_cuda_compiler("${ARG_CUDA_COMPILER}" compiler)
  _warpc_cuda_enabled(${target} ${compiler} cuda)
  _warpc_flags(flags)

  set(all_outputs "")
  set(library_sources "")
  set(all_headers "")
  set(stems "")
  foreach(source IN LISTS ARG_SOURCES)
    cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} NORMALIZE)
    cmake_path(GET source FILENAME name)
    if(NOT name MATCHES "^(.+)\\.(wp|py)$")
      message(FATAL_ERROR "add_warp_kernels(${target}): source '${source}' is not a .wp or .py file")
    endif()
    set(stem ${CMAKE_MATCH_1})
    if(stem IN_LIST stems)
      message(FATAL_ERROR "add_warp_kernels(${target}): two sources have the stem '${stem}' ('${name}'); "
        "their outputs would collide in ${ARG_OUTPUT_DIR}")
    endif()
    list(APPEND stems ${stem})
    _warpc_module_outputs(${stem} ${ARG_OUTPUT_DIR} ${cuda} outputs)
    _warpc_module_command(${target} ${source} ${ARG_OUTPUT_DIR} ${cuda} ${compiler} "${outputs}" "${flags}")
    list(APPEND all_outputs ${outputs})
    if(cuda AND compiler STREQUAL "NVRTC")
      _warpc_nvrtc_command(${target} ${stem} ${ARG_OUTPUT_DIR})
      list(APPEND all_outputs ${ARG_OUTPUT_DIR}/${stem}.wp.cubin.cpp)
      list(APPEND library_sources ${ARG_OUTPUT_DIR}/${stem}.wp.cpp ${ARG_OUTPUT_DIR}/${stem}.wp.cubin.cpp)
    else()
      list(APPEND library_sources ${outputs})
    endif()
    list(GET outputs 0 header)
    list(APPEND all_headers ${header})
  endforeach()

  add_custom_target(${target}.warpc ALL DEPENDS ${all_outputs})
  _warpc_make_library(${target} ${ARG_OUTPUT_DIR} "${library_sources}" ${cuda} ${compiler})
  add_dependencies(${target} ${target}.warpc)
  set_target_properties(${target} PROPERTIES
    WARPC_TARGETS "${ARG_TARGETS}"
    WARPC_CUDA ${cuda}
    WARPC_CUDA_COMPILER ${compiler}
    WARPC_CUDA_ARCHITECTURES "${ARG_CUDA_ARCHITECTURES}"
    WARPC_NAMESPACE "${ARG_NAMESPACE}"
    WARPC_HEADERS "${all_headers}")
  if(ARG_HEADERS_OUTVAR)
    set(${ARG_HEADERS_OUTVAR} "${all_headers}" PARENT_SCOPE)
  endif()
endfunction()

# A macro (see the contract): enables CUDA in the caller's directory when needed, then
# defines the library.
macro(add_warp_kernels target)
  _warpc_enable_cuda(${ARGN})
  _warpc_add_warp_kernels(${target} ${ARGN})  # sets HEADERS_OUTVAR in the caller's scope
endmacro()
