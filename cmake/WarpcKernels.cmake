# WarpcKernels.cmake — add_warp_kernels(): compile .wp modules with warpc at build time.
#
#   add_warp_kernels(<target>
#     SOURCES a.wp [b.wp ...]
#     [TARGETS cpu cuda]              backends to generate (default: cpu)
#     [CUDA_ARCHITECTURES 90 ...]     SM architectures for the cuda backend (default: 90)
#     [NAMESPACE ns]                  C++ namespace of the generated launchers (default: none)
#     [INCLUDE_DIRS dir ...]          searched for imported .wp modules (warpc -I)
#     [OUTPUT_DIR dir]                where outputs go (default: <current binary dir>/<target>.warpc)
#     [HEADERS_OUTVAR var])           receives the list of generated headers
#
# Contract (today: warpc has no code generation yet):
#  * Each .wp gets one add_custom_command that runs `warpc::warpc --stop-after=sema -I …` on
#    it and then touches <OUTPUT_DIR>/<stem>.wp.checked; a .wp that fails to type-check fails
#    the build with warpc's diagnostics. The command re-runs when the .wp, any .wp module it
#    imports (a DEPFILE written by `warpc -MD -MF`) or warpc itself changes.
#  * <target> is an INTERFACE library linking warpc::runtime, with OUTPUT_DIR on its include
#    path; anything linking it is built after every .wp is checked (custom target <target>.warpc,
#    part of `all`, like the static library that replaces it).
#  * TARGETS, CUDA_ARCHITECTURES and NAMESPACE are validated and stored as the target
#    properties WARPC_TARGETS, WARPC_CUDA_ARCHITECTURES and WARPC_NAMESPACE; they take effect
#    with code generation. HEADERS_OUTVAR is set to an empty list until headers exist.
#
# For the code generation session — only two places change:
#  1. _warpc_module_outputs(): return <stem>.wp.h/.cpp/.cu (per TARGETS) as outputs and
#     <stem>.wp.h as the header, and replace the `--stop-after=sema` in _warpc_module_command()
#     with `-o <dir> --emit=…` (the -MD/-MF/-MT DEPFILE wiring is already in place).
#  2. _warpc_make_library(): `add_library(<target> STATIC <.cpp/.cu>)` (PUBLIC instead of
#     INTERFACE, CUDA_ARCHITECTURES from the argument, FILE_SET HEADERS for the headers).
# Everything else (argument parsing, validation, per-source loop, the custom target) stays.
include_guard(GLOBAL)
# DEPFILE paths are interpreted relative to the build tree, as Ninja expects (CMake ≥ 3.20).
cmake_policy(SET CMP0116 NEW)

# Checks the keywords add_warp_kernels parsed (ARG_*, read from the caller's scope).
function(_warpc_check_keywords target)
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "add_warp_kernels(${target}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS} "
      "(allowed: SOURCES TARGETS CUDA_ARCHITECTURES NAMESPACE INCLUDE_DIRS OUTPUT_DIR HEADERS_OUTVAR)")
  endif()
  if(ARG_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "add_warp_kernels(${target}): no value given for: ${ARG_KEYWORDS_MISSING_VALUES}")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "add_warp_kernels(${target}): SOURCES is required (one or more .wp files)")
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
  set(ident "[A-Za-z_][A-Za-z0-9_]*")
  if(DEFINED ARG_NAMESPACE AND NOT ARG_NAMESPACE MATCHES "^${ident}(::${ident})*$")
    message(FATAL_ERROR "add_warp_kernels(${target}): NAMESPACE '${ARG_NAMESPACE}' is not a C++ "
      "namespace name (identifiers joined by '::')")
  endif()
endfunction()

# The files warpc produces for one module, and which of them are headers.
function(_warpc_module_outputs stem dir out_files out_headers)
  set(${out_files} "${dir}/${stem}.wp.checked" PARENT_SCOPE)
  set(${out_headers} "" PARENT_SCOPE)
endfunction()

# One custom command: check <source>, then touch its stamp (the first output).
function(_warpc_module_command target source outputs include_flags)
  list(GET outputs 0 stamp)
  cmake_path(GET source FILENAME name)
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND warpc::warpc --stop-after=sema -MD -MF ${stamp}.d -MT ${stamp} ${include_flags} ${source}
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${source} $<TARGET_FILE:warpc::warpc>
    DEPFILE ${stamp}.d
    COMMENT "warpc: checking ${name} (${target})"
    VERBATIM COMMAND_EXPAND_LISTS)
endfunction()

# The library consumers link: today an INTERFACE library (nothing to compile yet).
function(_warpc_make_library target dir)
  add_library(${target} INTERFACE)
  target_link_libraries(${target} INTERFACE warpc::runtime)
  target_include_directories(${target} INTERFACE $<BUILD_INTERFACE:${dir}>)
endfunction()

function(add_warp_kernels target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG ""
    "NAMESPACE;OUTPUT_DIR;HEADERS_OUTVAR"
    "SOURCES;TARGETS;CUDA_ARCHITECTURES;INCLUDE_DIRS")
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

  set(include_flags "")
  foreach(dir IN LISTS ARG_INCLUDE_DIRS)
    cmake_path(ABSOLUTE_PATH dir BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} NORMALIZE)
    list(APPEND include_flags -I ${dir})
  endforeach()

  set(all_outputs "")
  set(all_headers "")
  set(stems "")
  foreach(source IN LISTS ARG_SOURCES)
    cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} NORMALIZE)
    cmake_path(GET source FILENAME name)
    if(NOT name MATCHES "^(.+)\\.wp$")
      message(FATAL_ERROR "add_warp_kernels(${target}): source '${source}' is not a .wp file")
    endif()
    set(stem ${CMAKE_MATCH_1})
    if(stem IN_LIST stems)
      message(FATAL_ERROR "add_warp_kernels(${target}): two sources are named '${name}'; "
        "their outputs would collide in ${ARG_OUTPUT_DIR}")
    endif()
    list(APPEND stems ${stem})
    _warpc_module_outputs(${stem} ${ARG_OUTPUT_DIR} outputs headers)
    _warpc_module_command(${target} ${source} "${outputs}" "${include_flags}")
    list(APPEND all_outputs ${outputs})
    list(APPEND all_headers ${headers})
  endforeach()

  add_custom_target(${target}.warpc ALL DEPENDS ${all_outputs})
  _warpc_make_library(${target} ${ARG_OUTPUT_DIR})
  add_dependencies(${target} ${target}.warpc)
  set_target_properties(${target} PROPERTIES
    WARPC_TARGETS "${ARG_TARGETS}"
    WARPC_CUDA_ARCHITECTURES "${ARG_CUDA_ARCHITECTURES}"
    WARPC_NAMESPACE "${ARG_NAMESPACE}")
  if(ARG_HEADERS_OUTVAR)
    set(${ARG_HEADERS_OUTVAR} "${all_headers}" PARENT_SCOPE)
  endif()
endfunction()
