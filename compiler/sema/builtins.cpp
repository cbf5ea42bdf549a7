// builtins.cpp — loads stdlib/builtins.def into typed overloads (once, at
// first use), indexes them by name and answers builtins.h's function queries.
// Types, constants and attributes live in builtin_types.cpp, constructors in
// builtin_constructors.cpp, resolution in builtin_resolve.cpp.
#include "sema/builtins.h"

#include <fmt/format.h>

#include <map>

#include "sema/builtin_signature.h"

namespace warpc {

namespace {

enum class DiffFlag { Diff, NoDiff };

struct RawRow {
  BuiltinGroup group;
  const char* name;
  const char* params;
  const char* result;
  DiffFlag diff;
  const char* cpp;
  const char* doc;
};

std::vector<RawRow> raw_rows() {
  std::vector<RawRow> rows;
  BuiltinGroup group = BuiltinGroup::Other;
#define WARP_BUILTIN_GROUP(g) group = BuiltinGroup::g;
#define WARP_BUILTIN(name, params, result, diff, cpp, doc) \
  rows.push_back({group, name, params, result, DiffFlag::diff, cpp, doc});
#include "stdlib/builtins.def"
#undef WARP_BUILTIN
#undef WARP_BUILTIN_GROUP
  return rows;
}

bool parse_result(BuiltinOverload& ov, std::string* error) {
  std::string_view text = ov.result_text;
  if (!text.empty() && text[0] == '@') {
    const ResultRule* rule = find_result_rule(text.substr(1));
    if (!rule) *error = fmt::format("unknown result function '{}'", text);
    else ov.result_fn = rule->fn;
    return rule != nullptr;
  }
  auto pattern = parse_type_pattern(text, error);
  if (pattern) ov.result = std::move(*pattern);
  return pattern.has_value();
}

// Parses one row; false with `error` set when the row is malformed.
bool build_overload(const RawRow& row, int index, BuiltinOverload& ov, std::string* error) {
  ov.name = row.name;
  ov.group = row.group;
  ov.params_text = row.params;
  ov.result_text = row.result;
  ov.cpp = *row.cpp ? row.cpp : row.name;
  ov.doc = row.doc;
  ov.differentiable = row.diff == DiffFlag::Diff;
  ov.row = index;
  return parse_param_list(ov.params_text, ov.params, error) && parse_result(ov, error);
}

struct Table {
  std::vector<BuiltinOverload> rows;
  std::vector<std::string> errors;
  std::map<std::string, std::vector<const BuiltinOverload*>, std::less<>> by_name;
  std::vector<std::string_view> names;  // first-appearance order
};

const Table& table() {
  static const Table t = [] {
    Table t;
    std::vector<RawRow> raw = raw_rows();
    t.rows.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
      BuiltinOverload ov;
      std::string error;
      if (!build_overload(raw[i], static_cast<int>(i), ov, &error)) {
        t.errors.push_back(fmt::format("row {} '{}': {}", i, raw[i].name, error));
        continue;
      }
      t.rows.push_back(std::move(ov));
    }
    for (const BuiltinOverload& ov : t.rows) {
      auto& list = t.by_name[ov.name];
      if (list.empty()) t.names.push_back(ov.name);
      list.push_back(&ov);
    }
    return t;
  }();
  return t;
}

const BuiltinParam* param_at(const BuiltinOverload* ov, int i) {
  if (!ov || i < 0 || i >= static_cast<int>(ov->params.size())) return nullptr;
  return &ov->params[i];
}

std::string param_text(const BuiltinParam& p) {
  std::string out = fmt::format("{}{}: {}{}", p.variadic ? "*" : "", p.name, p.by_ref ? "&" : "",
                                pattern_text(nullptr, p.type, nullptr));
  if (p.default_text) out += fmt::format(" = {}", *p.default_text);
  return out;
}

}  // namespace

const std::vector<BuiltinOverload>& builtin_table() { return table().rows; }

const std::vector<std::string>& builtin_table_errors() { return table().errors; }

std::span<const BuiltinOverload* const> builtin_overloads(std::string_view name) {
  const Table& t = table();
  auto it = t.by_name.find(name);
  if (it == t.by_name.end()) return {};
  return it->second;
}

bool is_builtin_function(std::string_view name) { return !builtin_overloads(name).empty(); }

BuiltinResolution resolve_builtin(TypeContext& types, std::string_view name, std::span<const BuiltinArg> args) {
  return resolve_overload_set(types, builtin_overloads(name), fmt::format("wp.{}", name), args);
}

std::vector<std::string_view> builtin_function_names() { return table().names; }

std::string builtin_signature_text(const BuiltinOverload* ov) {
  if (!ov) return "";
  std::string out = ov->name + "(";
  for (size_t i = 0; i < ov->params.size(); ++i) out += (i ? ", " : "") + param_text(ov->params[i]);
  out += ")";
  if (ov->constructor) return out;
  if (!ov->result_text.empty() && ov->result_text[0] == '@') {
    const ResultRule* rule = find_result_rule(std::string_view(ov->result_text).substr(1));
    return out + " -> " + std::string(rule ? rule->shown : "?");
  }
  return out + " -> " + pattern_text(nullptr, ov->result, nullptr);
}

std::string_view builtin_name(const BuiltinOverload* ov) { return ov ? std::string_view(ov->name) : ""; }
std::string_view builtin_cpp_name(const BuiltinOverload* ov) { return ov ? std::string_view(ov->cpp) : ""; }
std::string_view builtin_group(const BuiltinOverload* ov) { return ov ? builtin_group_title(ov->group) : ""; }
std::string_view builtin_doc(const BuiltinOverload* ov) { return ov ? ov->doc : ""; }
bool builtin_is_differentiable(const BuiltinOverload* ov) { return ov && ov->differentiable; }
int builtin_param_count(const BuiltinOverload* ov) { return ov ? static_cast<int>(ov->params.size()) : 0; }

std::string_view builtin_param_name(const BuiltinOverload* ov, int param) {
  const BuiltinParam* p = param_at(ov, param);
  return p ? std::string_view(p->name) : "";
}

bool builtin_param_is_ref(const BuiltinOverload* ov, int param) {
  const BuiltinParam* p = param_at(ov, param);
  return p && p->by_ref;
}

bool builtin_param_is_variadic(const BuiltinOverload* ov, int param) {
  const BuiltinParam* p = param_at(ov, param);
  return p && p->variadic;
}

std::string_view builtin_param_default(const BuiltinOverload* ov, int param) {
  const BuiltinParam* p = param_at(ov, param);
  return p && p->default_text ? std::string_view(*p->default_text) : "";
}

}  // namespace warpc
