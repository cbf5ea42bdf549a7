// builtin_signature.cpp — parses the signature strings of stdlib/builtins.def
// into TypePatterns and matches/instantiates them against interned Types.
//
// Type expression grammar (the table's notation):
//   type   := NAME                                  float32, Float, Any2, str, None,
//                                                   vec3f, mat33d, quatf, MeshQueryPoint, bvh_query_t
//           | 'vector' '(' dim ',' type ')'
//           | 'matrix' '(' dim ',' dim ',' type ')'
//           | 'quaternion' '(' type ')' | 'transformation' '(' type ')'
//           | 'array' '(' type [',' dim] ')' | 'type' '(' type ')'
//   dim    := INTEGER | NAME
//   params := [param {',' param}]
//   param  := ['*'] NAME ':' ['&'] type ['=' DEFAULT]
#include "sema/builtin_signature.h"

#include <fmt/format.h>

#include <cctype>

namespace warpc {

namespace {

using Kind = TypePattern::Kind;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits at top-level commas (not inside parentheses).
std::vector<std::string_view> split_commas(std::string_view s) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '(') ++depth;
    if (s[i] == ')') --depth;
    if (s[i] == ',' && depth == 0) {
      parts.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  std::string_view last = trim(s.substr(start));
  if (!last.empty() || !parts.empty()) parts.push_back(last);
  return parts;
}

std::optional<ScalarKind> scalar_by_name(std::string_view n) {
  static const std::pair<std::string_view, ScalarKind> kNames[] = {
      {"bool", ScalarKind::Bool},       {"int8", ScalarKind::Int8},       {"int16", ScalarKind::Int16},
      {"int32", ScalarKind::Int32},     {"int64", ScalarKind::Int64},     {"uint8", ScalarKind::UInt8},
      {"uint16", ScalarKind::UInt16},   {"uint32", ScalarKind::UInt32},   {"uint64", ScalarKind::UInt64},
      {"float16", ScalarKind::Float16}, {"float32", ScalarKind::Float32}, {"float64", ScalarKind::Float64},
      {"bfloat16", ScalarKind::BFloat16},
  };
  for (const auto& [name, kind] : kNames)
    if (name == n) return kind;
  return std::nullopt;
}

std::optional<ScalarKind> float_by_suffix(std::string_view s) {
  if (s == "h") return ScalarKind::Float16;
  if (s == "f" || s.empty()) return ScalarKind::Float32;
  if (s == "d") return ScalarKind::Float64;
  return std::nullopt;
}

std::optional<ScalarKind> vector_suffix(std::string_view s) {
  static const std::pair<std::string_view, ScalarKind> kSuffixes[] = {
      {"b", ScalarKind::Int8},    {"ub", ScalarKind::UInt8},  {"s", ScalarKind::Int16},
      {"us", ScalarKind::UInt16}, {"i", ScalarKind::Int32},   {"ui", ScalarKind::UInt32},
      {"l", ScalarKind::Int64},   {"ul", ScalarKind::UInt64},
  };
  for (const auto& [suffix, kind] : kSuffixes)
    if (suffix == s) return kind;
  return float_by_suffix(s);
}

TypePattern scalar_pattern(ScalarKind k) {
  TypePattern p;
  p.kind = Kind::Scalar;
  p.scalar = k;
  return p;
}

TypePattern composite(Kind k, int d0, int d1, ScalarKind s) {
  TypePattern p;
  p.kind = k;
  p.d0.value = d0;
  p.d1.value = d1;
  p.sub.push_back(scalar_pattern(s));
  return p;
}

// Concrete shorthand names: vec3f, vec2i, mat33d, quatf, transformd.
std::optional<TypePattern> shorthand(std::string_view n) {
  if (n.size() >= 4 && n.substr(0, 3) == "vec" && n[3] >= '2' && n[3] <= '4') {
    if (auto s = vector_suffix(n.substr(4))) return composite(Kind::Vector, n[3] - '0', -1, *s);
  }
  if (n.size() >= 5 && n.substr(0, 3) == "mat" && n[3] == n[4] && n[3] >= '2' && n[3] <= '4') {
    if (auto s = float_by_suffix(n.substr(5))) return composite(Kind::Matrix, n[3] - '0', n[3] - '0', *s);
  }
  if (n.substr(0, 4) == "quat" && n.size() <= 5) {
    if (auto s = float_by_suffix(n.substr(4))) return composite(Kind::Quat, -1, -1, *s);
  }
  if (n.substr(0, 9) == "transform" && n.size() <= 10) {
    if (auto s = float_by_suffix(n.substr(9))) return composite(Kind::Transform, -1, -1, *s);
  }
  return std::nullopt;
}

// "Float", "Int2", "Any" → class; anything else → nullopt.
std::optional<GenericKind> variable_class(std::string_view n) {
  size_t end = n.size();
  while (end > 0 && std::isdigit(static_cast<unsigned char>(n[end - 1]))) --end;
  std::string_view base = n.substr(0, end);
  if (base == "Float") return GenericKind::Float;
  if (base == "Int") return GenericKind::Int;
  if (base == "Scalar") return GenericKind::Scalar;
  if (base == "Any") return GenericKind::Any;
  return std::nullopt;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

std::optional<DimPattern> parse_dim(std::string_view s, std::string* error) {
  s = trim(s);
  DimPattern d;
  if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) {
    d.value = 0;
    for (char c : s) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        *error = fmt::format("bad dimension '{}'", s);
        return std::nullopt;
      }
      d.value = d.value * 10 + (c - '0');
    }
    return d;
  }
  if (!is_identifier(s)) {
    *error = fmt::format("bad dimension '{}'", s);
    return std::nullopt;
  }
  d.var = std::string(s);
  return d;
}

std::optional<TypePattern> parse_name(std::string_view n, std::string* error) {
  TypePattern p;
  if (auto k = scalar_by_name(n)) return scalar_pattern(*k);
  if (auto cls = variable_class(n)) {
    p.kind = *cls == GenericKind::Any ? Kind::AnyVar : Kind::ScalarVar;
    p.cls = *cls;
    p.var = std::string(n);
    return p;
  }
  if (auto s = shorthand(n)) return s;
  if (n == "str") p.kind = Kind::String;
  else if (n == "None") p.kind = Kind::Void;
  else if (n.size() > 2 && n.substr(n.size() - 2) == "_t") p.kind = Kind::Query;
  else if (n == "MeshQueryPoint" || n == "MeshQueryRay" || n == "Mesh") p.kind = Kind::Struct;
  else {
    *error = fmt::format("unknown type name '{}'", n);
    return std::nullopt;
  }
  p.name = std::string(n);
  return p;
}

// Fills a parameterised pattern from its argument list: vector(3, Float) …
bool fill_composite(TypePattern& p, std::string_view head, const std::vector<std::string_view>& a,
                    std::string* error) {
  struct Form { std::string_view head; Kind kind; size_t dims; bool optional_last_dim; };
  static const Form kForms[] = {
      {"vector", Kind::Vector, 1, false}, {"matrix", Kind::Matrix, 2, false},
      {"quaternion", Kind::Quat, 0, false}, {"transformation", Kind::Transform, 0, false},
      {"array", Kind::Array, 1, true},     {"type", Kind::TypeOf, 0, false},
  };
  if (head == "tuple") {
    p.kind = Kind::Tuple;
    for (std::string_view m : a) {
      auto member = parse_type_pattern(m, error);
      if (!member) return false;
      p.sub.push_back(std::move(*member));
    }
    return !p.sub.empty();
  }
  for (const Form& f : kForms) {
    if (f.head != head) continue;
    p.kind = f.kind;
    bool array = f.kind == Kind::Array;  // array(T [, ndim]): the element comes first
    size_t want = f.dims + 1;
    if (a.size() != want && !(f.optional_last_dim && a.size() == want - 1)) {
      *error = fmt::format("'{}' takes {} arguments", head, want);
      return false;
    }
    size_t elem_at = array ? 0 : f.dims;
    auto elem = parse_type_pattern(a[elem_at], error);
    if (!elem) return false;
    p.sub.push_back(std::move(*elem));
    for (size_t i = 0, d = 0; i < a.size(); ++i) {
      if (i == elem_at) continue;
      auto dim = parse_dim(a[i], error);
      if (!dim) return false;
      (d++ == 0 ? p.d0 : p.d1) = *dim;
    }
    return true;
  }
  *error = fmt::format("unknown type constructor '{}'", head);
  return false;
}

// ---- matching

bool is_value_type(const Type* t) {
  switch (t->kind) {
    case TypeKind::Scalar: case TypeKind::Vector: case TypeKind::Matrix: case TypeKind::Quat:
    case TypeKind::Transform: case TypeKind::Array: case TypeKind::Struct: case TypeKind::Tuple:
    case TypeKind::Query:
      return true;
    default:
      return false;
  }
}

bool in_class(GenericKind cls, const Type* t) {
  switch (cls) {
    case GenericKind::Float: return t->is_float_scalar();
    case GenericKind::Int: return t->is_int_scalar();
    case GenericKind::Scalar: return t->is_scalar() && !t->is_bool();
    case GenericKind::Any: return is_value_type(t);
  }
  return false;
}

bool match_dim(const DimPattern& d, int n, Binding& b) {
  if (d.value >= 0) return d.value == n;
  if (d.var.empty()) return true;
  auto it = b.dims.find(d.var);
  if (it != b.dims.end()) return it->second == n;
  b.dims.emplace(d.var, n);
  return true;
}

bool match_var(const TypePattern& p, const Type* t, Binding& b) {
  auto it = b.types.find(p.var);
  if (it != b.types.end()) return it->second == t;
  if (!in_class(p.cls, t)) return false;
  b.types.emplace(p.var, t);
  return true;
}

bool match_into(TypeContext& types, const TypePattern& p, const Type* t, Binding& b) {
  auto elem = [&](const Type* e) { return match_into(types, p.sub[0], e, b); };
  auto comp = [&] { return elem(types.scalar(t->scalar)); };
  switch (p.kind) {
    case Kind::Scalar: return t->is_scalar() && t->scalar == p.scalar;
    case Kind::ScalarVar: case Kind::AnyVar: return match_var(p, t, b);
    case Kind::Vector: return t->is(TypeKind::Vector) && match_dim(p.d0, t->rows, b) && comp();
    case Kind::Matrix:
      return t->is(TypeKind::Matrix) && match_dim(p.d0, t->rows, b) && match_dim(p.d1, t->cols, b) && comp();
    case Kind::Quat: return t->is(TypeKind::Quat) && comp();
    case Kind::Transform: return t->is(TypeKind::Transform) && comp();
    case Kind::Array: return t->is(TypeKind::Array) && match_dim(p.d0, t->ndim, b) && elem(t->elem);
    case Kind::TypeOf: return t->is(TypeKind::TypeValue) && t->elem && elem(t->elem);
    case Kind::String: return t->is(TypeKind::String);
    case Kind::Void: return t->is(TypeKind::Void) || t->is(TypeKind::None);
    case Kind::Struct: return t->is(TypeKind::Struct) && t->info && t->info->builtin && t->info->name == p.name;
    case Kind::Query: return t->is(TypeKind::Query) && t->name == p.name;
    case Kind::Tuple: {
      if (!t->is(TypeKind::Tuple) || t->elems.size() != p.sub.size()) return false;
      for (size_t i = 0; i < p.sub.size(); ++i)
        if (!match_into(types, p.sub[i], t->elems[i], b)) return false;
      return true;
    }
  }
  return false;
}

std::optional<int> dim_value(const DimPattern& d, const Binding& b) {
  if (d.value >= 0) return d.value;
  auto it = b.dims.find(d.var);
  if (it == b.dims.end()) return std::nullopt;
  return it->second;
}

std::string dim_text(const DimPattern& d, const Binding* b) {
  if (d.value >= 0) return std::to_string(d.value);
  if (b) {
    if (auto v = dim_value(d, *b)) return std::to_string(*v);
  }
  return d.var.empty() ? "Any" : d.var;
}

// Defaults the table may use: numbers, inf/-inf/nan, True/False, type names, None (an omitted
// argument lowering fills in: transformation's identity rotation).
bool valid_default(std::string_view text) {
  if (text == "True" || text == "False" || text == "inf" || text == "-inf" || text == "nan" || text == "None")
    return true;
  if (!text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-')) {
    return text.find_first_not_of("0123456789.eE+-") == std::string_view::npos;
  }
  std::string error;
  auto p = parse_type_pattern(text, &error);
  return p && !pattern_is_generic(*p) && p->kind != Kind::Void;
}

}  // namespace

std::optional<TypePattern> parse_type_pattern(std::string_view text, std::string* error) {
  text = trim(text);
  size_t open = text.find('(');
  if (open == std::string_view::npos) {
    if (!is_identifier(text)) {
      *error = fmt::format("bad type '{}'", text);
      return std::nullopt;
    }
    return parse_name(text, error);
  }
  if (text.back() != ')') {
    *error = fmt::format("missing ')' in '{}'", text);
    return std::nullopt;
  }
  TypePattern p;
  std::string_view head = trim(text.substr(0, open));
  auto inner = split_commas(text.substr(open + 1, text.size() - open - 2));
  if (!fill_composite(p, head, inner, error)) return std::nullopt;
  return p;
}

bool parse_param_list(std::string_view text, std::vector<BuiltinParam>& out, std::string* error) {
  for (std::string_view part : split_commas(text)) {
    BuiltinParam param;
    if (!part.empty() && part[0] == '*') {
      param.variadic = true;
      part = trim(part.substr(1));
    }
    size_t colon = part.find(':');
    if (colon == std::string_view::npos) {
      *error = fmt::format("parameter '{}' has no type", part);
      return false;
    }
    param.name = std::string(trim(part.substr(0, colon)));
    std::string_view type = trim(part.substr(colon + 1));
    if (size_t eq = type.find('='); eq != std::string_view::npos) {
      param.default_text = std::string(trim(type.substr(eq + 1)));
      type = trim(type.substr(0, eq));
      if (!valid_default(*param.default_text)) {
        *error = fmt::format("bad default value '{}'", *param.default_text);
        return false;
      }
    }
    if (!type.empty() && type[0] == '&') {
      param.by_ref = true;
      type = trim(type.substr(1));
    }
    auto pattern = parse_type_pattern(type, error);
    if (!pattern || !is_identifier(param.name)) {
      if (pattern) *error = fmt::format("bad parameter name '{}'", param.name);
      return false;
    }
    param.type = std::move(*pattern);
    out.push_back(std::move(param));
  }
  return true;
}

bool match_pattern(TypeContext& types, const TypePattern& p, const Type* t, Binding& b) {
  if (!t) return false;
  Binding trial = b;
  if (!match_into(types, p, t, trial)) return false;
  b = std::move(trial);
  return true;
}

const Type* instantiate_pattern(TypeContext& types, const TypePattern& p, const Binding& b) {
  auto comp = [&]() -> const Type* {
    const Type* e = instantiate_pattern(types, p.sub[0], b);
    return e && e->is_scalar() ? e : nullptr;
  };
  switch (p.kind) {
    case Kind::Scalar: return types.scalar(p.scalar);
    case Kind::ScalarVar: case Kind::AnyVar: {
      auto it = b.types.find(p.var);
      return it == b.types.end() ? nullptr : it->second;
    }
    case Kind::Vector: {
      auto n = dim_value(p.d0, b);
      const Type* e = comp();
      return n && e ? types.vector(*n, e->scalar) : nullptr;
    }
    case Kind::Matrix: {
      auto r = dim_value(p.d0, b), c = dim_value(p.d1, b);
      const Type* e = comp();
      return r && c && e ? types.matrix(*r, *c, e->scalar) : nullptr;
    }
    case Kind::Quat: { const Type* e = comp(); return e ? types.quat(e->scalar) : nullptr; }
    case Kind::Transform: { const Type* e = comp(); return e ? types.transform(e->scalar) : nullptr; }
    case Kind::Array: {
      auto n = dim_value(p.d0, b);
      const Type* e = instantiate_pattern(types, p.sub[0], b);
      return n && e ? types.array(e, *n) : nullptr;
    }
    case Kind::TypeOf: {
      const Type* e = instantiate_pattern(types, p.sub[0], b);
      return e ? types.type_value(e) : nullptr;
    }
    case Kind::String: return types.string();
    case Kind::Void: return types.void_type();
    case Kind::Struct: return builtin_type(types, p.name);
    case Kind::Query: return types.query(p.name);
    case Kind::Tuple: {
      std::vector<const Type*> members;
      for (const TypePattern& m : p.sub) {
        const Type* e = instantiate_pattern(types, m, b);
        if (!e) return nullptr;
        members.push_back(e);
      }
      return types.tuple(members);
    }
  }
  return nullptr;
}

std::string pattern_text(TypeContext* types, const TypePattern& p, const Binding* b) {
  if (p.kind != Kind::Void && (!types || !b) && !pattern_is_generic(p)) {
    static TypeContext scratch;  // concrete patterns print as their types do: vec3f, mat33d
    static const Binding none;
    types = &scratch;
    b = &none;
  }
  if (types && b && p.kind != Kind::Void) {
    if (const Type* t = instantiate_pattern(*types, p, *b)) return type_name(t);
  }
  auto sub = [&] { return pattern_text(types, p.sub[0], b); };
  switch (p.kind) {
    case Kind::Scalar: return std::string(scalar_name(p.scalar));
    case Kind::ScalarVar: case Kind::AnyVar: return p.var;
    case Kind::Vector: return fmt::format("vector({}, {})", dim_text(p.d0, b), sub());
    case Kind::Matrix: return fmt::format("matrix({}, {}, {})", dim_text(p.d0, b), dim_text(p.d1, b), sub());
    case Kind::Quat: return fmt::format("quaternion({})", sub());
    case Kind::Transform: return fmt::format("transformation({})", sub());
    case Kind::Array:
      if (p.d0.value < 0 && p.d0.var.empty()) return fmt::format("array({})", sub());
      return fmt::format("array({}, {})", sub(), dim_text(p.d0, b));
    case Kind::TypeOf: return fmt::format("type({})", sub());
    case Kind::String: return "str";
    case Kind::Void: return "None";
    case Kind::Struct: case Kind::Query: return p.name;
    case Kind::Tuple: {
      std::string out = "tuple(";
      for (size_t i = 0; i < p.sub.size(); ++i) out += (i ? ", " : "") + pattern_text(types, p.sub[i], b);
      return out + ")";
    }
  }
  return "?";
}

bool pattern_is_generic(const TypePattern& p) {
  if (p.kind == Kind::ScalarVar || p.kind == Kind::AnyVar) return true;
  if ((p.kind == Kind::Vector || p.kind == Kind::Matrix || p.kind == Kind::Array) &&
      (p.d0.value < 0 || (p.kind == Kind::Matrix && p.d1.value < 0)))
    return true;
  for (const TypePattern& s : p.sub)
    if (pattern_is_generic(s)) return true;
  return false;
}

std::string_view builtin_group_title(BuiltinGroup g) {
  static const std::string_view kTitles[] = {
      "Scalar Math", "Vector Math", "Quaternion Math", "Transformations", "Spatial Math", "Operators",
      "Random", "Noise", "Utility", "Geometry", "Volumes", "Other", "Constructors",
  };
  return kTitles[static_cast<int>(g)];
}

}  // namespace warpc
