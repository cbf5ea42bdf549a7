// emit_header.cpp — <stem>.wp.h: the typed host API of a module.
//
// Layout of the header (docs/codegen.md shows one):
//   structs of every module the program uses, each in ::wp_structs::<module> under an include
//   guard (two kernel libraries that import the same module agree on one C++ type), with
//   sizeof/alignof/offsetof asserts; then `namespace <ns>` with a `using` per struct, the main
//   module's constants, and one launcher declaration per kernel instance (the instances of a
//   generic kernel overload one launcher name on their C++ parameter types); parameters with
//   .wp defaults get C++ default arguments (the trailing run of them).
#include <fmt/format.h>

#include <set>

#include "codegen/codegen_impl.h"
#include "sema/symbols.h"

namespace warpc::codegen {

namespace {

bool has_half(const Type* t) {
  return (t->scalar == ScalarKind::Float16 || t->scalar == ScalarKind::BFloat16) && t->kind != TypeKind::Struct && t->kind != TypeKind::Array;
}

std::string struct_definition(const StructInfo& s) {
  std::vector<size_t> offsets;
  Layout layout;
  try {
    layout = struct_layout(s, &offsets);
  } catch (const LocatedCodegenError&) {
    throw;
  } catch (const CodegenError& e) {  // a field type with no C++ form: located at the class
    throw LocatedCodegenError(fmt::format("{} (in struct '{}')", e.what(), s.name),
                              s.decl ? s.decl->name_range : SourceRange());
  }
  std::string out = fmt::format("#ifndef {0}\n#define {0}\nnamespace {1} {{\n", struct_guard(s), struct_namespace(s));
  out += fmt::format("struct {} {{\n", s.name);
  for (const StructField& f : s.fields) out += fmt::format("  {} {};\n", cpp_type(f.type), cpp_identifier(f.name));
  out += "};\n";
  out += fmt::format("static_assert(sizeof({0}) == {1} && alignof({0}) == {2}, \"layout of struct '{0}'\");\n", s.name,
                     layout.size, layout.align);
  // (NVRTC has no offsetof: the host compile of the same definition checks the offsets.)
  if (!s.fields.empty()) out += "#ifndef __CUDACC_RTC__\n";
  for (size_t i = 0; i < s.fields.size(); ++i)
    out += fmt::format("static_assert(offsetof({}, {}) == {});\n", s.name, cpp_identifier(s.fields[i].name), offsets[i]);
  if (!s.fields.empty()) out += "#endif\n";
  out += fmt::format("}}  // namespace {}\n#endif\n\n", struct_namespace(s));
  return out;
}

std::string constant_definition(const sema::Symbol& c) {
  const ConstValue& v = *c.value;
  switch (v.type->kind) {
    case TypeKind::Scalar:
    case TypeKind::Vector:
    case TypeKind::Matrix:
    case TypeKind::Quat:
    case TypeKind::Transform: break;
    default: return "";  // types used as values, strings … have no C++ constant
  }
  return fmt::format("inline {} {} {} = {};\n", has_half(v.type) ? "const" : "constexpr", cpp_type(v.type),
                     cpp_identifier(c.name), cpp_literal(v));
}

// " = value" for each kernel parameter in the trailing run of parameters with defaults
// (`s: float = 1.5` → `float s = 1.5f`), "" for the others.
std::vector<std::string> param_defaults(const KernelEntry& k) {
  const ir::Function* primal = k.fn->primal ? k.fn->primal : k.fn->tangent_of ? k.fn->tangent_of : k.fn;
  const ast::FunctionDefStmt* def = primal->instance ? primal->instance->def : nullptr;
  size_t n = def ? def->params.size() : 0;
  std::vector<std::string> out(k.fn->param_types.size());
  for (size_t i = n; i-- > 0;) {
    const ast::Expr* d = def->params[i].default_value;
    if (!d || !d->constant || i >= out.size()) break;
    out[i] = " = " + cpp_literal(*d->constant);
  }
  return out;
}

std::string launcher_declaration(const KernelEntry& k) {
  const ir::Function& fn = *k.fn;
  if (k.jvp) return jvp_launcher_declaration(k, param_defaults(k));
  std::string doc = fmt::format("// {}(", k.name);
  auto local = [&](std::string base) {  // "dim" / "options" unless a parameter has that name
    for (bool clash = true; clash;) {
      clash = false;
      for (const std::string& p : k.param_names) clash |= p == base;
      if (clash) base += "_";
    }
    return base;
  };
  std::vector<std::string> params = {"const wp::Dim& " + local("dim")};
  const std::vector<std::string> defaults = param_defaults(k);
  for (size_t i = 0; i < fn.param_types.size(); ++i) {
    params.push_back(host_param_type(fn.param_types[i]) + " " + k.param_names[i] +
                     (i >= k.primal_params ? " = {}" : defaults[i]));
    doc += fmt::format("{}{}: {}", i ? ", " : "", k.param_names[i], type_name(fn.param_types[i]));
  }
  params.push_back("const wp::LaunchOptions& " + local("options") + " = {}");
  doc += k.tid_dims > 1 ? fmt::format(") — launched over a {}-D dim\n", k.tid_dims) : ")\n";
  if (k.backward)
    doc += fmt::format(
        "// Backward pass of '{}': adds the gradients of its inputs to the arrays' gradient buffers\n"
        "// (from the outputs' gradient buffers) and, for each adj_<param> given, the gradient of a\n"
        "// non-array parameter (a struct: its float fields) summed over all threads to adj_<param>[0].\n",
        k.fn->primal->name);
  return doc + fmt::format("void {}({});\n", cpp_identifier(k.name), join(params));
}

}  // namespace

std::string emit_header_types(const ModuleContext& ctx) {
  std::string out;
  std::vector<const StructInfo*> structs;
  for (const sema::ModuleInfo* m : ctx.program.modules)
    for (const StructInfo* s : m->structs) structs.push_back(s);
  for (const StructInfo* s : structs) out += struct_definition(*s);

  out += fmt::format("namespace {} {{\n\n", ctx.options.ns);
  // `using` names for the structs: the main module's first, then imported ones whose names
  // are still free.
  std::vector<const StructInfo*> named(ctx.program.main->structs.begin(), ctx.program.main->structs.end());
  named.insert(named.end(), structs.begin(), structs.end());
  std::set<std::string> seen;
  for (const StructInfo* s : named)
    if (seen.insert(s->name).second) out += fmt::format("using {} = ::{}::{};\n", s->name, struct_namespace(*s), s->name);
  if (!structs.empty()) out += "\n";
  std::string constants;
  for (const sema::Symbol* c : ctx.program.main->constants)
    if (c->value) constants += constant_definition(*c);
  if (!constants.empty()) out += "// Module constants.\n" + constants + "\n";
  return out;
}

std::string emit_header(const ModuleContext& ctx) {
  std::string out = fmt::format(
      "// {}.wp.h — generated by warpc from {}; do not edit.\n"
      "// Launchers run a kernel over `dim` on options.device, or else on the device of its array\n"
      "// arguments (the CPU when it has none). See docs/codegen.md.\n"
      "#pragma once\n\n#include <cstddef>\n#include <cstdint>\n\n#include <wp/wp.h>\n\n",
      ctx.options.stem, ctx.source_name);
  out += emit_header_types(ctx);
  for (const KernelEntry& k : ctx.kernels) out += launcher_declaration(k) + "\n";
  out += fmt::format("}}  // namespace {}\n", ctx.options.ns);
  return out;
}

}  // namespace warpc::codegen
