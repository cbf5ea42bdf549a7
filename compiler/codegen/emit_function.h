// emit_function.h — one IR function (kernel body, @wp.func or func_native) as C++ source,
// shared by the CPU (.cpp) and CUDA (.cu) outputs: the same text compiles for both, with
// WP_FUNC (wp/builtins/kernel_support.h) deciding host or device.
//
// Contract:
//  * Every SSA value becomes a named, mutable local (`x_3`), so builtins that update an
//    argument in place (`&T` parameters: random states, query iterators, svd3 outputs) update
//    the variable holding that value; string constants are inlined.
//  * Structured control flow maps 1:1: `if` results and loop-carried values are variables
//    declared before the construct and assigned by `yield` / `break` / `continue`.
//  * Kernels: `WP_FUNC void k_<name>_body(int32_t tid0…, params)`; the launch rank is
//    `function_tid_dims()`. Funcs: `WP_FUNC R f_<name>(params)`; several results are
//    returned through trailing `R& ret_i` out-parameters.
//  * With line directives on, each statement is preceded by `#line N "<file>.wp"` when its
//    source line changes; the caller restores generated-file line numbers afterwards
//    (kLineRestoreMarker lines are rewritten by restore_line_directives()).
//  * Every array element access (load, store, atomic, sub-array view, gradient access) is
//    preceded by `WP_BOUNDS_CHECK((wp::detail::AccessSite{file, line, function, array}),
//    array, i…);`, which only WARPC_DEBUG builds expand (wp/builtins/bounds_check.h).
//  * Backward kernels whose body accumulates into array parameters' gradients
//    (grad_slots.h) are `template <uint32_t wp_grad_skip = 0u> WP_FUNC void k_<name>_adj_body`;
//    each such accumulation is `if constexpr ((wp_grad_skip & bit) == 0u) wp::grad_accum_arg(…)`
//    (grad_accum_arg for any kernel's own array argument: never kernel-local). The wide body is
//    never templated.
//  * An `atomic_add` whose result no op reads is the statement `wp::atomic_add_no_return(…);`.
//  * Throws CodegenError (with the op's source range) for constructs it cannot emit.
#pragma once

#include <string>
#include <vector>

#include "codegen/cpp_names.h"
#include "ir/ir.h"
#include "support/source_manager.h"

namespace warpc::codegen {

struct LocatedCodegenError : CodegenError {
  LocatedCodegenError(const std::string& what, SourceRange r) : CodegenError(what), range(r) {}
  SourceRange range;
};

struct WidePlan;

struct FunctionEmitOptions {
  const SourceManager* sources = nullptr;  // for #line; null = no line directives
  // For the file:line of WP_BOUNDS_CHECK sites (wp/builtins/bounds_check.h), emitted before
  // every array element access whatever `sources` is; null = the generated file's own lines.
  const SourceManager* locations = nullptr;
  // Kernels only: emit the wide-access body (widen_access.h) instead:
  //   WP_FUNC void k_<name>_wide_body(int32_t tid0, int lane, params…, T* <array>_lanes…)
  // where loads and stores of the planned arrays read and write `<array>_lanes[lane]`.
  const WidePlan* wide = nullptr;
  // Backward kernels: at most this many gradient groups to specialise on (grad_slots.h).
  int max_grad_groups = 3;
};

inline constexpr const char* kLineRestoreMarker = "#line WARPC_RESTORE";

// Backward kernels that store loop-carried values (ir::Function::ad_stack_trip_bytes > 0) take two
// more parameters after their own: the launch's spill buffer and the flat launch index
// (wp/ad_stack.h); the launchers pass them.
bool function_has_ad_stack(const ir::Function& fn);
inline constexpr const char* kAdSpillParam = "wp_ad_spill";
// A backward kernel body's template parameter: the gradient groups it skips (grad_slots.h).
inline constexpr const char* kGradSkipParam = "wp_grad_skip";
inline constexpr const char* kAdIndexParam = "wp_ad_index";

// C++ names of generated functions.
std::string function_cpp_name(const ir::Function& fn);  // k_<kernel>_body / f_<func>
int function_tid_dims(const ir::Function& fn);           // kernels: launch rank (0 = no wp.tid())
std::string wide_body_cpp_name(const ir::Function& kernel);  // k_<kernel>_wide_body
// The lane-buffer parameter names of a wide body, one per planned array (plan order).
std::vector<std::string> wide_lane_names(const ir::Function& kernel, const WidePlan& plan);

// `WP_FUNC … ;` forward declaration and the full definition.
std::string emit_declaration(const ir::Function& fn);
std::string emit_definition(const ir::Function& fn, const FunctionEmitOptions& options);

// The C++ parameter list of a function as written in generated code ("type name, …").
std::vector<std::string> function_param_names(const ir::Function& fn);

// Replaces kLineRestoreMarker lines with `#line <next line> "<file>"`.
std::string restore_line_directives(const std::string& text, const std::string& file);

}  // namespace warpc::codegen
