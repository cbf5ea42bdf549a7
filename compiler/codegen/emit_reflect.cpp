// emit_reflect.cpp — `--reflect`: the C-ABI kernel table appended to <stem>.wp.cpp
// (runtime/include/wp/reflect.h documents it). Each kernel gets two wrappers that rebuild typed
// arguments from `void*`s and call the typed launchers, and a ParamInfo row per parameter.
#include <fmt/format.h>

#include "codegen/codegen_impl.h"

namespace warpc::codegen {

namespace {

bool float_valued(const Type* t) {
  return t->kind != TypeKind::Struct && t->kind != TypeKind::Array && is_float(t->scalar) &&
         (t->is_scalar() || t->is_composite());
}

std::string param_info(const std::string& name, const Type* t, bool accumulator) {
  const bool array = t->kind == TypeKind::Array;
  const Type* v = array ? t->elem : t;
  const bool is_struct = v->kind == TypeKind::Struct;
  const Layout l = type_layout(v);
  return fmt::format("{{\"{}\", {}, \"{}\", \"{}\", {}, {}, {}, {}, {}}}", name, array ? "true" : "false",
                     type_name(v), is_struct ? "" : std::string(scalar_name(v->scalar)),
                     is_struct ? 0 : v->component_count(), array ? t->ndim : 0, l.size,
                     float_valued(v) ? "true" : "false", accumulator ? "true" : "false");
}

// `::NS::kernel(dim, <args rebuilt from void*>, options)`.
std::string wrapper_call(const ModuleContext& ctx, const KernelEntry& k, bool backward) {
  std::vector<std::string> args = {"dim"};
  size_t acc = 0;
  for (size_t i = 0; i < k.fn->param_types.size(); ++i) {
    const Type* t = k.fn->param_types[i];
    const bool accumulator = i >= k.primal_params;
    const std::string src = accumulator ? fmt::format("acc[{}]", acc++) : fmt::format("args[{}]", i);
    if (t->kind == TypeKind::Array) args.push_back(fmt::format("wrap<{}>({}, device)", cpp_type(t->elem), src));
    else args.push_back(fmt::format("*static_cast<const {}*>({})", cpp_type(t), src));
  }
  args.push_back("options");
  (void)backward;
  return fmt::format("::{}::{}({});", ctx.options.ns, cpp_identifier(k.name), join(args));
}

}  // namespace

std::string emit_reflect(const ModuleContext& ctx) {
  std::string out = fmt::format(
      "\n// ---- Reflection (warpc --reflect): a C-ABI view of the kernels for generic tools.\n"
      "#include <wp/reflect.h>\n\nnamespace {}::reflect_impl {{\n\n"
      "template <typename T>\nwp::array<T> wrap(void* p, const wp::Device& device) {{\n"
      "  const auto* a = static_cast<const wp::reflect::ArrayArg*>(p);\n"
      "  if (!a || !a->data) return {{}};\n"
      "  const int64_t extents[4] = {{a->shape[0], a->shape[1], a->shape[2], a->shape[3]}};\n"
      "  return wp::array<T>(static_cast<T*>(a->data), wp::Shape::from_extents(extents, a->ndim), device,\n"
      "                      static_cast<T*>(a->grad));\n}}\n\n",
      ctx.options.ns);
  std::string table;
  int count = 0;
  for (const KernelEntry& k : ctx.kernels) {
    if (k.backward) continue;
    const KernelEntry* bwd = backward_of(ctx, k);
    std::vector<std::string> params;
    for (size_t i = 0; i < k.fn->param_types.size(); ++i) {
      const Type* t = k.fn->param_types[i];
      bool accumulator = false;
      for (size_t j = bwd ? bwd->primal_params : 0; bwd && j < bwd->fn->param_types.size(); ++j)
        accumulator |= bwd->param_names[j] == "adj_" + k.param_names[i];
      params.push_back(param_info(k.param_names[i], t, accumulator));
    }
    out += fmt::format("const wp::reflect::ParamInfo {}_params[] = {{\n  {}{}}};\n", k.name, join(params, ",\n  "),
                       params.empty() ? "{}" : "");
    out += fmt::format(
        "void {}_forward(const wp::Dim& dim, void* const* args, const wp::LaunchOptions& options) {{\n"
        "  const wp::Device device = options.device.value_or(wp::Device());\n  {}\n}}\n",
        k.name, wrapper_call(ctx, k, false));
    if (bwd)
      out += fmt::format(
          "void {}_backward(const wp::Dim& dim, void* const* args, void* const* acc,\n"
          "                 const wp::LaunchOptions& options) {{\n"
          "  const wp::Device device = options.device.value_or(wp::Device());\n  {}\n}}\n",
          k.name, wrapper_call(ctx, *bwd, true));
    out += "\n";
    table += fmt::format("      {{\"{0}\", {1}, {4}::reflect_impl::{0}_params, {2}, {3}, {4}::reflect_impl::{0}_forward, {5}}},\n", k.name,
                         k.fn->param_types.size(), k.tid_dims, bwd ? "true" : "false", ctx.options.ns,
                         bwd ? fmt::format("{}::reflect_impl::{}_backward", ctx.options.ns, k.name) : "nullptr");
    ++count;
  }
  out += fmt::format("}}  // namespace {}::reflect_impl\n\n", ctx.options.ns);
  out += "extern \"C\" const wp::reflect::KernelInfo* warpc_reflect_kernels(int* count) {\n";
  if (count == 0) {
    out += "  *count = 0;\n  return nullptr;\n}\n";
    return out;
  }
  out += fmt::format("  static const wp::reflect::KernelInfo kernels[] = {{\n{}  }};\n", table);
  out += fmt::format("  *count = {};\n  return kernels;\n}}\n", count);
  return out;
}

}  // namespace warpc::codegen
