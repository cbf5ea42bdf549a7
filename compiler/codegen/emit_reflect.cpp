// emit_reflect.cpp — `--reflect`: the C-ABI kernel table appended to <stem>.wp.cpp
// (runtime/include/wp/reflect.h documents it). Each kernel gets two wrappers that rebuild typed
// arguments from `void*`s and call the typed launchers, and a ParamInfo row per parameter. A
// struct parameter also gets a FieldInfo table of its leaf fields (flattened through nested
// structs, offsets from struct_layout(): the layout the header static_asserts) and a loader that
// rebuilds the struct from the tool's buffer (array fields' slots hold a wp::reflect::ArrayArg).
// An array parameter whose dtype is a struct gets the FieldInfo table of its element (offsets
// inside one element) and no loader: its elements are passed as raw bytes.
#include <fmt/format.h>

#include "ad/ad_support.h"
#include "codegen/codegen_impl.h"

namespace warpc::codegen {

namespace {

bool float_valued(const Type* t) {
  return t->kind != TypeKind::Struct && t->kind != TypeKind::Array && is_float(t->scalar) &&
         (t->is_scalar() || t->is_composite());
}

// A leaf field of a struct parameter: .wp path, C++ member path, type, byte offset.
struct Leaf {
  std::string path, member;
  const Type* type;
  size_t offset;
};

void collect_leaves(const StructInfo& s, const std::string& path, const std::string& member, size_t base,
                    std::vector<Leaf>& out) {
  std::vector<size_t> offsets;
  struct_layout(s, &offsets);
  for (size_t i = 0; i < s.fields.size(); ++i) {
    const StructField& f = s.fields[i];
    const std::string p = path.empty() ? f.name : path + "." + f.name;
    const std::string m = member + "." + cpp_identifier(f.name);
    if (f.type->kind == TypeKind::Struct) collect_leaves(*f.type->info, p, m, base + offsets[i], out);
    else out.push_back({p, m, f.type, base + offsets[i]});
  }
}

std::vector<Leaf> leaves_of(const Type* t) {
  std::vector<Leaf> out;
  if (t->kind == TypeKind::Struct) collect_leaves(*t->info, "", "", 0, out);
  return out;
}

// The value columns shared by ParamInfo and FieldInfo: dtype, scalar, components.
std::string value_columns(const Type* v) {
  const bool is_struct = v->kind == TypeKind::Struct;
  return fmt::format("\"{}\", \"{}\", {}", type_name(v), is_struct ? "" : std::string(scalar_name(v->scalar)),
                     is_struct ? 0 : v->component_count());
}

std::string field_info(const Leaf& f) {
  const bool array = f.type->kind == TypeKind::Array;
  const Type* v = array ? f.type->elem : f.type;
  return fmt::format("{{\"{}\", {}, {}, {}, {}, {}, {}}}", f.path, array ? "true" : "false", value_columns(v),
                     array ? f.type->ndim : 0, f.offset, type_layout(v).size, float_valued(v) ? "true" : "false");
}

std::string param_info(const std::string& name, const Type* t, bool accumulator, const std::string& fields) {
  const bool array = t->kind == TypeKind::Array;
  const Type* v = array ? t->elem : t;
  const size_t nfields = leaves_of(v).size();
  return fmt::format("{{\"{}\", {}, {}, {}, {}, {}, {}, {}, {}}}", name, array ? "true" : "false", value_columns(v),
                     array ? t->ndim : 0, type_layout(v).size, float_valued(v) ? "true" : "false",
                     accumulator ? "true" : "false", nfields, nfields ? fields : "nullptr");
}

// `<kernel>_<i>_fields[]`: the leaf-field rows of struct type `s` (a struct parameter's, or an
// array parameter's element's).
std::string field_table(const std::string& kernel, size_t i, const Type* s) {
  std::vector<std::string> rows;
  for (const Leaf& f : leaves_of(s)) rows.push_back(field_info(f));
  if (rows.empty()) return "";
  return fmt::format("const wp::reflect::FieldInfo {}_{}_fields[] = {{\n  {}}};\n", kernel, i, join(rows, ",\n  "));
}

// `<kernel>_<i>_fields[]` and `<kernel>_<i>_load()` of struct parameter i.
std::string struct_param_support(const std::string& kernel, size_t i, const Type* t) {
  const std::vector<Leaf> leaves = leaves_of(t);
  std::vector<std::string> loads;
  for (const Leaf& f : leaves) {
    if (f.type->kind == TypeKind::Array)
      loads.push_back(fmt::format("  v{} = wrap<{}>(const_cast<std::byte*>(b + {}), device).view();", f.member,
                                  cpp_type(f.type->elem), f.offset));
    else
      loads.push_back(fmt::format("  std::memcpy(&v{0}, b + {1}, sizeof(v{0}));", f.member, f.offset));
  }
  std::string out = field_table(kernel, i, t);
  out += fmt::format(
      "{0} {1}_{2}_load(void* p, const wp::Device& device) {{\n"
      "  const std::byte* b = static_cast<const std::byte*>(p);\n  {0} v{{}};\n{3}\n"
      "  (void)b;\n  (void)device;\n  return v;\n}}\n",
      cpp_type(t), kernel, i, join(loads, "\n"));
  return out;
}

// `::NS::kernel(dim, <args rebuilt from void*>, options)`.
// Struct parameters (not accumulators) go through the kernel's `<forward>_<i>_load()`.
std::string wrapper_call(const ModuleContext& ctx, const KernelEntry& k, const std::string& forward) {
  std::vector<std::string> args = {"dim"};
  size_t acc = 0;
  for (size_t i = 0; i < k.fn->param_types.size(); ++i) {
    const Type* t = k.fn->param_types[i];
    const bool accumulator = i >= k.primal_params;
    const std::string src = accumulator ? fmt::format("acc[{}]", acc++) : fmt::format("args[{}]", i);
    if (t->kind == TypeKind::Array) args.push_back(fmt::format("wrap<{}>({}, device)", cpp_type(t->elem), src));
    else if (t->kind == TypeKind::Struct) args.push_back(fmt::format("{}_{}_load({}, device)", forward, i, src));
    else args.push_back(fmt::format("*static_cast<const {}*>({})", cpp_type(t), src));
  }
  args.push_back("options");
  return fmt::format("::{}::{}({});", ctx.options.ns, cpp_identifier(k.name), join(args));
}

// `::NS::kernel_jvp(dim, <args>, <tangents>, options)`: a null tangent pointer is a zero tangent.
std::string jvp_wrapper_call(const ModuleContext& ctx, const KernelEntry& k, const KernelEntry& jvp) {
  std::vector<std::string> args = {"dim"}, tangents;
  for (size_t i = 0; i < k.fn->param_types.size(); ++i) {
    const Type* t = k.fn->param_types[i];
    const std::string src = fmt::format("args[{}]", i), tan = fmt::format("tan[{}]", i);
    if (t->kind == TypeKind::Array) {
      args.push_back(fmt::format("wrap<{}>({}, device)", cpp_type(t->elem), src));
      if (ad_differentiable(t->elem)) tangents.push_back(fmt::format("wrap<{}>({}, device)", cpp_type(t->elem), tan));
      continue;
    }
    if (t->kind == TypeKind::Struct) args.push_back(fmt::format("{}_{}_load({}, device)", k.impl, i, src));
    else args.push_back(fmt::format("*static_cast<const {}*>({})", cpp_type(t), src));
    if (!ad_differentiable(t)) continue;
    if (t->kind == TypeKind::Struct)
      tangents.push_back(fmt::format("{0} ? {1}_{2}_load({0}, device) : {3}{{}}", tan, k.impl, i, cpp_type(t)));
    else
      tangents.push_back(fmt::format("{0} ? *static_cast<const {1}*>({0}) : {1}{{}}", tan, cpp_type(t)));
  }
  args.insert(args.end(), tangents.begin(), tangents.end());
  args.push_back("options");
  return fmt::format("::{}::{}({});", ctx.options.ns, cpp_identifier(jvp.name), join(args));
}

}  // namespace

std::string emit_reflect(const ModuleContext& ctx) {
  std::string out = fmt::format(
      "\n// ---- Reflection (warpc --reflect): a C-ABI view of the kernels for generic tools.\n"
      "#include <wp/reflect.h>\n\n#include <cstddef>\n#include <cstring>\n\nnamespace {}::reflect_impl {{\n\n"
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
    if (k.backward || k.jvp) continue;
    const KernelEntry* jvp = jvp_of(ctx, k);
    const KernelEntry* bwd = backward_of(ctx, k);
    std::vector<std::string> params;
    for (size_t i = 0; i < k.fn->param_types.size(); ++i) {
      const Type* t = k.fn->param_types[i];
      bool accumulator = false;
      for (size_t j = bwd ? bwd->primal_params : 0; bwd && j < bwd->fn->param_types.size(); ++j)
        accumulator |= bwd->param_names[j] == "adj_" + k.param_names[i];
      const bool is_struct = t->kind == TypeKind::Struct;
      if (is_struct) out += struct_param_support(k.impl, i, t);
      else if (t->kind == TypeKind::Array && t->elem->kind == TypeKind::Struct) out += field_table(k.impl, i, t->elem);
      params.push_back(param_info(k.param_names[i], t, accumulator, fmt::format("{}_{}_fields", k.impl, i)));
    }
    out += fmt::format("const wp::reflect::ParamInfo {}_params[] = {{\n  {}{}}};\n", k.impl, join(params, ",\n  "),
                       params.empty() ? "{}" : "");
    out += fmt::format(
        "void {}_forward(const wp::Dim& dim, void* const* args, const wp::LaunchOptions& options) {{\n"
        "  const wp::Device device = options.device.value_or(wp::Device());\n  {}\n}}\n",
        k.impl, wrapper_call(ctx, k, k.name));
    if (bwd)
      out += fmt::format(
          "void {}_backward(const wp::Dim& dim, void* const* args, void* const* acc,\n"
          "                 const wp::LaunchOptions& options) {{\n"
          "  const wp::Device device = options.device.value_or(wp::Device());\n  {}\n}}\n",
          k.impl, wrapper_call(ctx, *bwd, k.name));
    if (jvp)
      out += fmt::format(
          "void {}_jvp(const wp::Dim& dim, void* const* args, void* const* tan,\n"
          "            const wp::LaunchOptions& options) {{\n"
          "  const wp::Device device = options.device.value_or(wp::Device());\n  {}\n}}\n",
          k.impl, jvp_wrapper_call(ctx, k, *jvp));
    out += "\n";
    table += fmt::format("      {{\"{0}\", {1}, {4}::reflect_impl::{0}_params, {2}, {3}, {4}::reflect_impl::{0}_forward, {5}, {6}}},\n", k.impl,
                         k.fn->param_types.size(), k.tid_dims, bwd ? "true" : "false", ctx.options.ns,
                         bwd ? fmt::format("{}::reflect_impl::{}_backward", ctx.options.ns, k.impl) : "nullptr",
                         jvp ? fmt::format("{}::reflect_impl::{}_jvp", ctx.options.ns, k.impl) : "nullptr");
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
