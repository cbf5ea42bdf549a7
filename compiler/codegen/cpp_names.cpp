// cpp_names.cpp — spelling of types, literals and identifiers in generated C++ (see cpp_names.h).
#include "codegen/cpp_names.h"

#include <fmt/format.h>

#include <array>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>

namespace warpc::codegen {

namespace {

std::string scalar_cpp(ScalarKind k) {
  switch (k) {
    case ScalarKind::Bool: return "bool";
    case ScalarKind::Int8: return "int8_t";
    case ScalarKind::Int16: return "int16_t";
    case ScalarKind::Int32: return "int32_t";
    case ScalarKind::Int64: return "int64_t";
    case ScalarKind::UInt8: return "uint8_t";
    case ScalarKind::UInt16: return "uint16_t";
    case ScalarKind::UInt32: return "uint32_t";
    case ScalarKind::UInt64: return "uint64_t";
    case ScalarKind::Float16: return "wp::half";
    case ScalarKind::Float32: return "float";
    case ScalarKind::Float64: return "double";
    case ScalarKind::BFloat16: return "wp::bfloat16";
  }
  return "void";
}

// Module names may be dotted (`pkg.sim`): one C++ identifier per module.
std::string module_identifier(std::string_view module) {
  std::string out;
  for (char c : module) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  return out.empty() ? std::string("builtin") : out;
}

// Shortest text that reads back as the same value of type T.
template <typename T>
std::string float_text(double value, const char* suffix) {
  const T v = static_cast<T>(value);
  if (std::isnan(v)) return std::is_same_v<T, float> ? "NAN" : "static_cast<double>(NAN)";
  if (std::isinf(v)) {
    std::string inf = std::is_same_v<T, float> ? "INFINITY" : "static_cast<double>(INFINITY)";
    return v < 0 ? "(-" + inf + ")" : inf;
  }
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s + suffix;
}

std::string int_text(const ConstValue& c, size_t i, ScalarKind k) {
  const int64_t v = c.as_int(i);
  switch (k) {
    case ScalarKind::Bool: return c.as_bool(i) ? "true" : "false";
    case ScalarKind::Int32:
      return v == std::numeric_limits<int32_t>::min() ? "(-2147483647 - 1)" : fmt::format("{}", v);
    case ScalarKind::Int64:
      return v == std::numeric_limits<int64_t>::min() ? "(-INT64_C(9223372036854775807) - 1)"
                                                      : fmt::format("INT64_C({})", v);
    case ScalarKind::UInt32: return fmt::format("{}u", static_cast<uint32_t>(v));
    case ScalarKind::UInt64: return fmt::format("UINT64_C({})", static_cast<uint64_t>(v));
    default: return fmt::format("static_cast<{}>({})", scalar_cpp(k), v);
  }
}

std::string component_text(const ConstValue& c, size_t i, ScalarKind k) {
  switch (k) {
    case ScalarKind::Float32: return float_text<float>(c.as_double(i), "f");
    case ScalarKind::Float64: return float_text<double>(c.as_double(i), "");
    case ScalarKind::Float16: return "wp::half(" + float_text<float>(c.as_double(i), "f") + ")";
    case ScalarKind::BFloat16: return "wp::bfloat16(" + float_text<float>(c.as_double(i), "f") + ")";
    default: return int_text(c, i, k);
  }
}

std::string component_list(const ConstValue& c, size_t begin, size_t end, ScalarKind k) {
  std::string out;
  for (size_t i = begin; i < end; ++i) out += (i > begin ? ", " : "") + component_text(c, i, k);
  return out;
}

}  // namespace

std::string cpp_type(const Type* t) {
  switch (t->kind) {
    case TypeKind::Scalar: return scalar_cpp(t->scalar);
    case TypeKind::Vector: return fmt::format("wp::vec_t<{}, {}>", t->rows, scalar_cpp(t->scalar));
    case TypeKind::Matrix: return fmt::format("wp::mat_t<{}, {}, {}>", t->rows, t->cols, scalar_cpp(t->scalar));
    case TypeKind::Quat: return fmt::format("wp::quat_t<{}>", scalar_cpp(t->scalar));
    case TypeKind::Transform: return fmt::format("wp::transform_t<{}>", scalar_cpp(t->scalar));
    case TypeKind::Array: return fmt::format("wp::array_t<{}>", cpp_type(t->elem));
    case TypeKind::Struct:
      if (t->info->builtin) return t->info->name == "Mesh" ? "wp::mesh_t" : "wp::" + t->info->name;
      return "::" + struct_namespace(*t->info) + "::" + t->info->name;
    case TypeKind::Query: return "wp::" + t->name;
    case TypeKind::String: return "const char*";
    default: throw CodegenError(fmt::format("values of type '{}'", type_name(t)));
  }
}

std::string host_param_type(const Type* t) {
  if (t->kind == TypeKind::Array) return fmt::format("const wp::array<{}>&", cpp_type(t->elem));
  return cpp_type(t);
}

std::string cpp_literal(const ConstValue& c) {
  const Type* t = c.type;
  const ScalarKind k = t->scalar;
  switch (t->kind) {
    case TypeKind::Scalar: return component_text(c, 0, k);
    case TypeKind::Vector: return fmt::format("{}{{{{{}}}}}", cpp_type(t), component_list(c, 0, t->rows, k));
    case TypeKind::Matrix: {
      std::string rows;
      for (int r = 0; r < t->rows; ++r) {
        size_t b = static_cast<size_t>(r * t->cols);
        rows += fmt::format("{}{{{}}}", r ? ", " : "", component_list(c, b, b + static_cast<size_t>(t->cols), k));
      }
      return fmt::format("{}{{{{{}}}}}", cpp_type(t), rows);
    }
    case TypeKind::Quat: return fmt::format("{}{{{}}}", cpp_type(t), component_list(c, 0, 4, k));
    case TypeKind::Transform:
      return fmt::format("{}{{{{{{{}}}}}, {{{}}}}}", cpp_type(t), component_list(c, 0, 3, k), component_list(c, 3, 7, k));
    case TypeKind::String: return cpp_string_literal(c.text);
    default: throw CodegenError(fmt::format("constants of type '{}'", type_name(t)));
  }
}

std::string cpp_string_literal(std::string_view text) {
  std::string out = "\"";
  for (unsigned char ch : text) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '?': out += "\\?"; break;  // no trigraphs
      default:
        if (ch < 0x20 || ch >= 0x7f) out += fmt::format("\\{:03o}", ch);
        else out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

std::string cpp_identifier(std::string_view name) {
  static constexpr std::array<std::string_view, 62> kReserved = {
      "alignas", "alignof", "asm", "auto", "bool", "case", "catch", "char", "class", "const",
      "constexpr", "const_cast", "default", "delete", "do", "double", "dynamic_cast", "enum",
      "explicit", "export", "extern", "float", "friend", "goto", "inline", "int", "long", "mutable",
      "namespace", "new", "noexcept", "nullptr", "operator", "private", "protected", "public",
      "register", "reinterpret_cast", "short", "signed", "sizeof", "static", "static_assert",
      "static_cast", "struct", "switch", "template", "this", "throw", "typedef", "typeid", "typename",
      "union", "unsigned", "using", "virtual", "void", "volatile", "NAN", "INFINITY", "NULL", "EOF"};
  for (std::string_view r : kReserved)
    if (name == r) return std::string(name) + "_";
  return std::string(name);
}

std::string struct_namespace(const StructInfo& s) { return "wp_structs::" + module_identifier(s.module); }

std::string struct_guard(const StructInfo& s) {
  return "WARPC_STRUCT_" + module_identifier(s.module) + "_" + s.name;
}

Layout type_layout(const Type* t) {
  const Type* bad = nullptr;
  if (const std::optional<CLayout> l = c_layout(t, &bad)) return {l->size, l->align};
  throw CodegenError(fmt::format("struct fields of type '{}'", type_name(bad)));
}

Layout struct_layout(const StructInfo& s, std::vector<size_t>* offsets) {
  const Type* bad = nullptr;
  if (const std::optional<CLayout> l = struct_c_layout(s, offsets, &bad)) return {l->size, l->align};
  throw CodegenError(fmt::format("struct fields of type '{}'", type_name(bad)));
}

}  // namespace warpc::codegen
