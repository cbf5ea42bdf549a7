// codegen_impl.h — shared between the code generator's files (not a public interface).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "codegen/codegen.h"
#include "codegen/cpp_names.h"
#include "codegen/emit_function.h"
#include "codegen/grad_slots.h"
#include "codegen/tid_extent.h"
#include "codegen/widen_access.h"

namespace warpc::codegen {

// A kernel the generated header exposes.
struct KernelEntry {
  const ir::Function* fn = nullptr;
  std::string name;                      // the kernel's name (messages; launcher = cpp_identifier(name))
  std::string impl;                      // the name of its generated internals (k_<impl>_cpu …): = name,
                                         // but name_0, name_1 … for the instances of a generic kernel
  std::vector<std::string> param_names;  // C++ names, = the .wp parameter names where possible
  int tid_dims = 0;
  size_t primal_params = 0;              // backward kernels: parameters after these are gradient
                                         // accumulators (optional in the launcher)
  bool backward = false;                 // the adjoint of a kernel (launcher <kernel>_backward)
  bool jvp = false;                      // the tangent kernel of a kernel (launcher <kernel>_jvp);
                                         // primal_params = the kernel's parameter count
  std::optional<WidePlan> wide;          // CUDA: the wide-access variant, when planned
  std::vector<TidAccess> tid_accesses;   // checked against the launch dimension (tid_extent.h)
  GradSlots grad;                        // backward kernels: the gradient groups (grad_slots.h)
};

struct ModuleContext {
  const ir::Module& module;
  const sema::Program& program;
  const SourceManager& sources;
  CodegenOptions options;                // ns filled in
  std::vector<KernelEntry> kernels;      // declaration order
  std::string source_name;               // the .wp file as given (comments)
};

// emit_header.cpp
// A launcher-internal name that no parameter of kernel `k` uses ("dim", or "dim_" …).
std::string launcher_local(const KernelEntry& k, std::string base);

std::string emit_header(const ModuleContext& ctx);
// The header's types: struct definitions (include-guarded), and `namespace <ns>` with the
// struct `using`s and module constants (the NVRTC .cu repeats them: it cannot include the
// header, which brings in the host runtime).
std::string emit_header_types(const ModuleContext& ctx);
// emit_launchers.cpp: the .cpp and .cu files around the shared module code.
std::string emit_cpu_file(const ModuleContext& ctx, const std::string& module_code);
// The .cu also gets the wide bodies (kernels with a WidePlan) after the module code.
std::string emit_cuda_file(const ModuleContext& ctx, const std::string& module_code);

// emit_reflect.cpp: the `--reflect` C-ABI kernel table (appended to the .cpp).
std::string emit_reflect(const ModuleContext& ctx);
// The backward entry of a forward kernel, or null.
const KernelEntry* backward_of(const ModuleContext& ctx, const KernelEntry& k);

// emit_jvp.cpp: forward-mode launchers (the header declaration takes the primal's defaults).
std::string jvp_launcher_declaration(const KernelEntry& k, const std::vector<std::string>& defaults);
std::string jvp_in_grads(const KernelEntry& k, const SourceManager& sources);
std::string jvp_typed_launcher(const KernelEntry& k, const SourceManager& sources);
std::string tape_attach_jvp(const KernelEntry& k, const KernelEntry& jvp, const std::string& tape,
                            const std::string& dim, const std::string& options,
                            const std::vector<std::string>& restores);  // saved_local names
// The JVP entry of a forward kernel, or null.
const KernelEntry* jvp_of(const ModuleContext& ctx, const KernelEntry& k);
// emit_launchers.cpp: the launch-time extent checks of a kernel's thread-index accesses.
std::string tid_extent_checks(const KernelEntry& k, const std::string& dim, const SourceManager& sources);
// The CPU-or-CUDA dispatch of a typed launcher: `impl::k_<impl>_cpu(dim, options, args)` on the
// CPU, else the CUDA launcher (or, in a library built without CUDA, the runtime's error).
// `call_args` is empty or starts with ", ".
std::string device_dispatch(const KernelEntry& k, const std::string& device, const std::string& dim,
                            const std::string& options, const std::string& call_args);

// ", "-joined "type name" list of a kernel's kernel-side parameters (views, values).
std::string kernel_params(const KernelEntry& k);
// ", "-joined parameter names.
std::string kernel_args(const KernelEntry& k);
std::string join(const std::vector<std::string>& parts, const std::string& sep = ", ");

}  // namespace warpc::codegen
