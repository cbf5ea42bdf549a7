// emit_jvp.cpp — the host side of forward-mode (JVP) kernels (ad/generate_tangents.h):
// the header declaration and the typed launcher of `<kernel>_jvp`, and the internal entry
// Tape::forward_jvp replays.
//
// Launcher convention (docs/autodiff.md, "Forward mode"):
//   NS::k_jvp(dim, <k's parameters>, <one tan_<p> per differentiable parameter p, in order>, options)
//   Launched on the forward's inputs, the JVP performs the forward's stores (it can replace the
//   forward launch) and writes tangents next to them.
//   tan_<p> of a float array p is a `const wp::array<T>&` of p's shape: the tangent of p's
//   contents in (inputs), the tangent of what the kernel stores into p out (outputs) — the
//   launcher points p's gradient slot at it (wp::detail::tangent_arg); of a float value
//   parameter (scalar, vector, matrix, quaternion, transform, struct with float fields) a
//   value of p's type. Every tangent defaults to zero ({}).
//   impl::k_<impl>_jvp_in_grads(dim, <k's parameters>, options): the same launch with each
//   array's own gradient buffer as its tangent and zero value tangents (Tape::forward_jvp).
#include <fmt/format.h>

#include <functional>
#include <map>

#include "ad/ad_support.h"
#include "codegen/codegen_impl.h"

namespace warpc::codegen {

namespace {


bool float_array(const Type* t) { return t->kind == TypeKind::Array && ad_differentiable(t->elem); }

// The tangent parameters of the public launcher, in primal parameter order: (primal index, name).
std::vector<std::pair<size_t, std::string>> tangent_params(const KernelEntry& k) {
  std::vector<std::pair<size_t, std::string>> out;
  size_t value = k.primal_params;  // the JVP kernel's own tangent parameters, in order
  for (size_t i = 0; i < k.primal_params; ++i) {
    const Type* t = k.fn->param_types[i];
    if (float_array(t)) out.push_back({i, launcher_local(k, "tan_" + k.param_names[i])});
    else if (t->kind != TypeKind::Array && ad_differentiable(t)) out.push_back({i, k.param_names[value++]});
  }
  return out;
}

// The kernel-side arguments for the value tangents, in the JVP kernel's parameter order.
std::vector<std::string> value_tangent_args(const KernelEntry& k, bool zero) {
  std::vector<std::string> out;
  for (size_t j = k.primal_params; j < k.fn->param_types.size(); ++j)
    out.push_back(zero ? cpp_type(k.fn->param_types[j]) + "{}" : k.param_names[j]);
  return out;
}

// Device choice, array views (`view_of(i)` for array parameter i), extent checks and dispatch.
std::string launch_body(const KernelEntry& k, const std::vector<std::string>& device_args,
                        const std::function<std::string(size_t, const std::string&)>& view_of,
                        const std::vector<std::string>& value_tangents, const SourceManager& sources) {
  const ir::Function& fn = *k.fn;
  const std::string dim = launcher_local(k, "dim"), options = launcher_local(k, "options"), device = launcher_local(k, "device");
  std::string out = fmt::format("  wp::detail::check_launch_dim({}, {}, \"{}\");\n", dim, k.tid_dims, k.name);
  out += fmt::format("  const wp::Device {} = wp::detail::launch_device({}, {{{}}}, \"{}\");\n", device, options,
                     join(device_args), k.name);
  std::vector<std::string> args;
  for (size_t i = 0; i < k.primal_params; ++i) {
    if (fn.param_types[i]->kind != TypeKind::Array) {
      args.push_back(k.param_names[i]);
      continue;
    }
    out += fmt::format("  const {} {}_view = {};\n", cpp_type(fn.param_types[i]), k.param_names[i], view_of(i, device));
    args.push_back(k.param_names[i] + "_view");
  }
  args.insert(args.end(), value_tangents.begin(), value_tangents.end());
  out += tid_extent_checks(k, dim, sources);
  const std::string call_args = args.empty() ? "" : ", " + join(args);
  out += "  " + device_dispatch(k, device, dim, options, call_args);
  return out;
}

std::vector<std::string> primal_host_params(const KernelEntry& k) {
  std::vector<std::string> params = {"const wp::Dim& " + launcher_local(k, "dim")};
  for (size_t i = 0; i < k.primal_params; ++i)
    params.push_back(host_param_type(k.fn->param_types[i]) + " " + k.param_names[i]);
  return params;
}

}  // namespace

std::string jvp_launcher_declaration(const KernelEntry& k, const std::vector<std::string>& defaults) {
  const ir::Function& fn = *k.fn;
  std::vector<std::string> params = primal_host_params(k);
  for (size_t i = 0; i < k.primal_params; ++i) params[i + 1] += defaults[i];
  std::string doc = fmt::format("// {}(", k.name);
  for (size_t i = 0; i < k.primal_params; ++i)
    doc += fmt::format("{}{}: {}", i ? ", " : "", k.param_names[i], type_name(fn.param_types[i]));
  for (const auto& [i, name] : tangent_params(k)) {
    params.push_back(host_param_type(fn.param_types[i]) + " " + name + " = {}");
    doc += fmt::format(", {}", name);
  }
  params.push_back("const wp::LaunchOptions& " + launcher_local(k, "options") + " = {}");
  doc += k.tid_dims > 1 ? fmt::format(") — launched over a {}-D dim\n", k.tid_dims) : ")\n";
  doc += fmt::format(
      "// Forward-mode (JVP) pass of '{0}': launch it on the forward's inputs, in place of '{0}'\n"
      "// (same arguments): it performs the forward's stores and atomics and writes the tangents\n"
      "// of every stored array into its tan_<p> (tan_<p> of an input: its tangent in).\n",
      fn.tangent_of->name);
  return doc + fmt::format("void {}({});\n", cpp_identifier(k.name), join(params));
}

// In namespace impl: the Tape::forward_jvp entry (each array's gradient buffer is its tangent).
std::string jvp_in_grads(const KernelEntry& k, const SourceManager& sources) {
  std::vector<std::string> params = primal_host_params(k);
  params.push_back("const wp::LaunchOptions& " + launcher_local(k, "options"));
  std::vector<std::string> devices;
  for (size_t i = 0; i < k.primal_params; ++i)
    if (k.fn->param_types[i]->kind == TypeKind::Array) devices.push_back(k.param_names[i]);
  auto view = [&](size_t i, const std::string& device) {
    return fmt::format("wp::detail::grads_as_tangents({}, {}, {}, \"{}\", \"{}\")", k.param_names[i],
                       k.fn->param_types[i]->ndim, device, k.name, k.param_names[i]);
  };
  std::string body = launch_body(k, devices, view, value_tangent_args(k, true), sources);
  // Inside namespace impl the launch calls its siblings directly.
  std::string out = fmt::format("void k_{}_in_grads({}) {{\n", k.impl, join(params));
  size_t pos = 0;
  while ((pos = body.find("impl::", pos)) != std::string::npos) body.erase(pos, 6);
  return out + body + "}\n\n";
}

std::string jvp_typed_launcher(const KernelEntry& k, const SourceManager& sources) {
  std::vector<std::string> params = primal_host_params(k);
  std::vector<std::string> devices;
  std::map<size_t, std::string> array_tangent;
  for (const auto& [i, name] : tangent_params(k)) {
    params.push_back(host_param_type(k.fn->param_types[i]) + " " + name);
    if (k.fn->param_types[i]->kind == TypeKind::Array) array_tangent[i] = name;
  }
  params.push_back("const wp::LaunchOptions& " + launcher_local(k, "options"));
  for (size_t i = 0; i < k.primal_params; ++i)
    if (k.fn->param_types[i]->kind == TypeKind::Array) {
      devices.push_back(k.param_names[i]);
      if (array_tangent.count(i)) devices.push_back(array_tangent[i]);
    }
  auto view = [&](size_t i, const std::string& device) {
    const std::string& p = k.param_names[i];
    const int ndim = k.fn->param_types[i]->ndim;
    if (!array_tangent.count(i))  // no tangent (integer arrays): no gradient slot either
      return fmt::format("wp::detail::tangent_arg({0}, wp::array<{4}>{{}}, {1}, {2}, \"{3}\", \"{0}\")", p, ndim,
                         device, k.name, cpp_type(k.fn->param_types[i]->elem));
    return fmt::format("wp::detail::tangent_arg({}, {}, {}, {}, \"{}\", \"{}\")", p, array_tangent[i], ndim, device,
                       k.name, p);
  };
  std::string out = fmt::format("void {}({}) {{\n", cpp_identifier(k.name), join(params));
  out += launch_body(k, devices, view, value_tangent_args(k, false), sources);
  return out + "}\n\n";
}

// After a forward launch that a tape records: the JVP closure of the record (Tape::attach_jvp).
std::string tape_attach_jvp(const KernelEntry& k, const KernelEntry& jvp, const std::string& tape,
                            const std::string& dim, const std::string& options, const std::vector<std::string>& restores) {
  std::vector<std::string> call = {dim};
  for (size_t i = 0; i < k.fn->param_types.size(); ++i) call.push_back(k.param_names[i]);
  call.push_back(options);
  std::string restore = "nullptr";  // the launch's inputs back (Tape::forward_jvp's rewind)
  if (!restores.empty()) {
    restore = "[=] {";
    for (const std::string& r : restores) restore += fmt::format(" if ({0}) {0}();", r);
    restore += " }";
  }
  return fmt::format("    {}->attach_jvp([=] {{ impl::k_{}_in_grads({}); }},\n                     {});\n", tape,
                     jvp.impl, join(call), restore);
}

const KernelEntry* jvp_of(const ModuleContext& ctx, const KernelEntry& k) {
  if (k.backward || k.jvp) return nullptr;
  for (const KernelEntry& j : ctx.kernels)
    if (j.jvp && j.fn->tangent_of == k.fn) return &j;
  return nullptr;
}

}  // namespace warpc::codegen
