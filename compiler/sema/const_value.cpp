// const_value.cpp — conversions and Warp-style printing of compile-time values
// (see const_value.h).
//
// Contract: printing follows Python/Warp spelling: ints in decimal, floats in
// the shortest text that round-trips at the value's own precision (always with
// a '.' or exponent: `1.0`, `1.5`, `1e-05`), bools as True/False, composites
// as `vec3f(0.0, 1.0, 0.0)`, strings quoted, types by name.
#include "sema/const_value.h"

#include <fmt/format.h>

#include <cmath>

namespace warpc {

double ConstValue::as_double(size_t i) const {
  if (i >= comps.size()) return 0.0;
  return std::visit([](auto v) { return static_cast<double>(v); }, comps[i]);
}

int64_t ConstValue::as_int(size_t i) const {
  if (i >= comps.size()) return 0;
  return std::visit(
      [](auto v) -> int64_t {
        using V = decltype(v);
        if constexpr (std::is_same_v<V, double>) {
          if (std::isnan(v)) return 0;
          if (v >= 9.2e18) return INT64_MAX;
          if (v <= -9.2e18) return INT64_MIN;
          return static_cast<int64_t>(v);  // truncation toward zero, like C
        } else {
          return static_cast<int64_t>(v);
        }
      },
      comps[i]);
}

bool ConstValue::as_bool(size_t i) const {
  if (i >= comps.size()) return false;
  return std::visit([](auto v) { return v != 0; }, comps[i]);
}

namespace {

// Python's repr of a float at the precision of `k`.
std::string float_text(double v, ScalarKind k) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  std::string s = k == ScalarKind::Float64 ? fmt::format("{}", v) : fmt::format("{}", static_cast<float>(v));
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

std::string scalar_text(const ConstValue& v, size_t i, ScalarKind k) {
  if (i >= v.comps.size()) return "?";
  if (k == ScalarKind::Bool) return v.as_bool(i) ? "True" : "False";
  if (is_float(k)) return float_text(v.as_double(i), k);
  if (const uint64_t* u = std::get_if<uint64_t>(&v.comps[i])) return fmt::format("{}", *u);
  if (!is_signed(k)) return fmt::format("{}", static_cast<uint64_t>(v.as_int(i)));
  return fmt::format("{}", v.as_int(i));
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string const_value_text(const ConstValue& v) {
  const Type* t = v.type;
  if (!t) return "?";
  switch (t->kind) {
    case TypeKind::Scalar: return scalar_text(v, 0, t->scalar);
    case TypeKind::String: return quoted(v.text);
    case TypeKind::TypeValue: return type_name(t->elem);
    case TypeKind::None:
    case TypeKind::Void: return "None";
    default: break;
  }
  if (!t->is_composite()) return type_name(t);
  std::string out = type_name(t) + "(";
  for (size_t i = 0; i < v.comps.size(); ++i) out += (i ? ", " : "") + scalar_text(v, i, t->scalar);
  return out + ")";
}

}  // namespace warpc
