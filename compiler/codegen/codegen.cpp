// codegen.cpp — the generator's driver: picks the kernels to expose, emits the module code
// once (shared by the .cpp and .cu files) and assembles the three outputs.
#include "codegen/codegen.h"

#include <fmt/format.h>

#include <cctype>
#include <set>

#include "codegen/codegen_impl.h"
#include "sema/symbols.h"

namespace warpc::codegen {

namespace {

// Kernels of the main module, in declaration order (imported modules' kernels are launched
// through their own module's header).
std::vector<KernelEntry> main_kernels(const ir::Module& m, const sema::Program& program) {
  std::vector<KernelEntry> out;
  for (const ir::Function* fn : m.functions) {
    if (fn->kind != ir::FunctionKind::Kernel || !fn->instance || !fn->instance->decl) continue;
    if (fn->instance->decl->module != program.main) continue;
    KernelEntry k{fn, fn->instance->decl->name, fn->primal ? fn->primal->name : fn->name, function_param_names(*fn),
                  function_tid_dims(*fn), fn->param_types.size(), false, false, std::nullopt, {}, {}};
    if (fn->primal) {
      k.name += "_backward";
      k.impl += "_backward";
      k.primal_params = fn->primal->param_types.size();
      k.backward = true;
    } else if (fn->tangent_of) {
      k.name += "_jvp";
      k.impl = fn->name;
      k.primal_params = fn->tangent_of->param_types.size();
      k.jvp = true;
    }
    out.push_back(std::move(k));
  }
  return out;
}

std::string module_code(const ModuleContext& ctx) {
  FunctionEmitOptions fo;
  if (ctx.options.line_directives) fo.sources = &ctx.sources;
  fo.locations = &ctx.sources;
  fo.max_grad_groups = ctx.options.max_grad_groups;
  std::string declarations, definitions;
  for (const ir::Function* fn : ctx.module.functions) {
    if (fn->kind != ir::FunctionKind::Kernel) declarations += emit_declaration(*fn);
    try {
      definitions += emit_definition(*fn, fo) + "\n";
    } catch (const LocatedCodegenError& e) {
      if (e.range.valid()) throw;
      throw LocatedCodegenError(e.what(), fn->loc);
    } catch (const CodegenError& e) {  // e.g. a value type with no C++ form: located at the function
      throw LocatedCodegenError(e.what(), fn->loc);
    }
  }
  if (!declarations.empty()) declarations += "\n";
  return declarations + definitions;
}

SourceRange range_of(const std::exception& e) {
  if (auto* located = dynamic_cast<const LocatedCodegenError*>(&e)) return located->range;
  return SourceRange();
}

}  // namespace

std::string default_namespace(const std::string& stem) {
  std::string out;
  for (char c : stem) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "_" + out;
  // A namespace may not share its name with a global function of the C/POSIX library that the
  // runtime's headers declare (`namespace random` vs `random()`): such stems get a '_'.
  static const std::set<std::string> kGlobalFunctions = {
      "abort", "abs", "acos", "asin", "atan", "atan2", "atexit", "ceil", "clock", "close", "cos", "cosh",
      "div", "erf", "exit", "exp", "fabs", "floor", "fmod", "free", "index", "kill", "labs", "log", "log10",
      "log2", "malloc", "memcpy", "memset", "open", "pow", "printf", "puts", "qsort", "rand", "random", "read",
      "remove", "rename", "round", "select", "signal", "sin", "sinh", "sleep", "sqrt", "srand", "stat",
      "strlen", "system", "tan", "tanh", "time", "wait", "write"};
  if (kGlobalFunctions.count(out)) out += "_";
  return cpp_identifier(out);
}

bool generate(const ir::Module& m, const sema::Program& program, const SourceManager& sources,
              const CodegenOptions& options, DiagnosticEngine& diags, GeneratedCode* out) {
  ModuleContext ctx{m, program, sources, options, {}, {}};
  if (ctx.options.ns.empty()) ctx.options.ns = default_namespace(options.stem);
  ctx.source_name = program.main && program.main->ast ? sources.name(program.main->ast->file) : options.stem + ".wp";
  try {
    ctx.kernels = main_kernels(m, program);
    if (options.wide_access)
      for (KernelEntry& k : ctx.kernels)
        if (!function_has_ad_stack(*k.fn)) k.wide = plan_wide_access(*k.fn);
    for (KernelEntry& k : ctx.kernels) {
      k.tid_accesses = unconditional_tid_accesses(*k.fn);
      k.grad = grad_slots(*k.fn, ctx.options.max_grad_groups);
    }
    const std::string code = module_code(ctx);
    GeneratedCode g;
    g.header = emit_header(ctx);
    g.cpu = emit_cpu_file(ctx, code);
    g.cuda = emit_cuda_file(ctx, code);
    if (options.line_directives) {
      g.cpu = restore_line_directives(g.cpu, options.stem + ".wp.cpp");
      g.cuda = restore_line_directives(g.cuda, options.stem + ".wp.cu");
    }
    *out = std::move(g);
    return true;
  } catch (const CodegenError& e) {
    diags.report(DiagId::err_codegen_unsupported, range_of(e), e.what());
    return false;
  }
}

}  // namespace warpc::codegen
