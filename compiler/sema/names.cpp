// names.cpp — name resolution: locals (with definite-assignment checks),
// module globals, Python builtins usable in kernels, and members of the
// namespaces `wp`/`warp`, `warp.types`, `math`, `typing` and user modules.
//
// Contract: resolve_entity() says what a Name / Attribute / Call / Subscript
// denotes and annotates it (NameExpr::symbol, Expr::type — Module, Function
// or TypeValue types for non-values); unknown names get one diagnostic with
// a "did you mean" note when a close spelling exists.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "sema/sema_impl.h"

namespace warpc::sema {

namespace {

// Members of `wp` that sema implements itself (not rows of the builtin table).
const std::set<std::string, std::less<>> kWarpSpecials = {
    "tid",       "static",      "constant",    "kernel",  "func",  "struct", "func_grad",
    "func_replay", "func_native", "overload",  "printf",  "print", "zeros",  "len",
    "adjoint",
};

// Members of `wp` that exist in Warp but not (yet) in warpc: reported as
// unsupported rather than unknown.
const std::set<std::string, std::less<>> kWarpUnsupported = {
    "grad", "ref", "map", "indexedarray", "indexedarray1d", "indexedarray2d", "indexedarray3d", "indexedarray4d",
    "fabricarray", "indexedfabricarray", "fixedarray", "Tile", "tile", "launch", "launch_tiled", "Texture1D",
    "Texture2D", "Texture3D", "texture_sample",
};

// Type families that take arguments: wp.array(dtype=…), wp.types.vector(length=…, dtype=…).
const std::set<std::string, std::less<>> kTypeTemplates = {"array",   "array1d", "array2d", "array3d",
                                                            "array4d", "vector",  "matrix"};

// Common type names, for "did you mean" notes on `wp.` members.
const char* const kTypeNames[] = {
    "float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "bool", "vec2", "vec3", "vec4", "vec2f", "vec3f", "vec4f", "vec2d", "vec3d", "vec4d",
    "vec2i", "vec3i", "vec4i", "mat22", "mat33", "mat44", "mat22f", "mat33f", "mat44f", "mat22d",
    "mat33d", "mat44d", "quat", "quatf", "quatd", "transform", "transformf", "transformd",
    "spatial_vector", "spatial_matrix", "Float", "Int", "Scalar",
};

// Python builtins a kernel may use, mapped to what they mean there.
const char* const kPythonBuiltins[] = {"range", "reversed", "print", "len",   "type", "int",  "float",
                                       "bool",  "abs",      "min",   "max", "round", "pow",  "tuple"};

// Python modules that exist but cannot be used from kernel code.
const std::set<std::string, std::less<>> kForeignModules = {
    "numpy", "torch", "jax", "scipy", "cupy", "paddle", "os", "sys", "time", "random", "ctypes",
    "dataclasses", "functools", "itertools", "collections", "abc", "re", "json", "pathlib",
    "logging", "copy", "inspect", "ast", "builtins", "warnings", "unittest", "argparse", "subprocess",
};

const char* module_display(ModuleKind k) {
  switch (k) {
    case ModuleKind::Warp: return "warp";
    case ModuleKind::WarpTypes: return "warp.types";
    case ModuleKind::Math: return "math";
    case ModuleKind::Typing: return "typing";
    case ModuleKind::VolumeClass: return "warp.Volume";
    case ModuleKind::User: return "";
  }
  return "";
}

Entity make_entity(Entity::Kind k, std::string name = {}) {
  Entity e;
  e.kind = k;
  e.name = std::move(name);
  return e;
}

}  // namespace

// ------------------------------------------------------------------ entities

Entity Sema::resolve_entity(ast::Expr* e) {
  Entity en;
  switch (e->kind) {
    case ast::ExprKind::Name: en = lookup_name(e->as<ast::NameExpr>()); break;
    case ast::ExprKind::Attribute: en = resolve_attribute(e->as<ast::AttributeExpr>()); break;
    case ast::ExprKind::Call: en = check_call(e->as<ast::CallExpr>()); break;
    case ast::ExprKind::Subscript: en = check_subscript(e->as<ast::SubscriptExpr>()); break;
    case ast::ExprKind::IfExp: en = resolve_ifexp(e->as<ast::IfExpExpr>()); break;
    default: {
      const Type* t = check_expr(e);
      en.kind = t->is_error() ? Entity::Kind::Error : Entity::Kind::Value;
      en.type = t;
      en.constant = e->constant;
      return en;
    }
  }
  annotate(e, en);
  return en;
}

// `wp.sin`, `mod.helper`, `p.x`, `a.shape`, `a.dtype` …
Entity Sema::resolve_attribute(ast::AttributeExpr* a) {
  Entity base = resolve_entity(a->value);
  if (base.kind == Entity::Kind::Module) return namespace_member(base, a->attr, a->attr_range, true);
  if (base.is_error()) return base;
  Entity en;
  if (base.kind != Entity::Kind::Value) {
    error(DiagId::err_no_attribute, a->attr_range,
          base.kind == Entity::Kind::Type ? type_name(base.type) : base.name, a->attr);
    return en;
  }
  const Type* t = attribute_type(base.type, a->attr, a->attr_range, true);
  if (t->is_error()) return en;
  en.kind = Entity::Kind::Value;
  en.type = t;
  if (t->is(TypeKind::TypeValue)) {  // a.dtype
    en.kind = Entity::Kind::Type;
    en.type = t->elem;
  } else if (base.constant) {
    en.constant = fold_attribute(base.constant, a->attr, t);
  }
  return en;
}

// `x if c else y`; with a constant c only the taken branch is checked, and it
// may be a function or a type (`wp.static(f if N > 1 else g)`).
Entity Sema::resolve_ifexp(ast::IfExpExpr* x) {
  if (!check_condition(x->cond)) return Entity{};
  if (x->cond->constant) return resolve_entity(x->cond->constant->as_bool() ? x->then_value : x->else_value);
  Entity en;
  const Type* t = check_ifexp_branches(x);
  en.kind = t->is_error() ? Entity::Kind::Error : Entity::Kind::Value;
  en.type = t;
  return en;
}

void Sema::annotate(ast::Expr* e, const Entity& en) {
  switch (en.kind) {
    case Entity::Kind::Error: e->type = err(); break;
    case Entity::Kind::Value:
      e->type = en.type;
      e->constant = en.constant;
      break;
    case Entity::Kind::Type: e->type = types_.type_value(en.type); break;
    case Entity::Kind::Module: e->type = types_.module(en.name); break;
    default: e->type = types_.function(en.name); break;
  }
}

std::string Sema::entity_description(const Entity& en) {
  switch (en.kind) {
    case Entity::Kind::Type: return fmt::format("type '{}'", type_name(en.type));
    case Entity::Kind::TypeTemplate: return fmt::format("type '{}'", en.name);
    case Entity::Kind::Module: return fmt::format("module '{}'", en.name);
    case Entity::Kind::Kernel: return fmt::format("kernel '{}'", en.name);
    case Entity::Kind::Value: return fmt::format("a value of type '{}'", type_name(en.type));
    default: return fmt::format("function '{}'", en.name);
  }
}

Entity Sema::entity_of_symbol(Symbol* s) {
  Entity en;
  en.symbol = s;
  en.name = s->name;
  switch (s->kind) {
    case SymbolKind::Local:
    case SymbolKind::Param:
    case SymbolKind::ModuleConstant:
    case SymbolKind::BuiltinConstant:
      en.kind = s->type && s->type->is_error() ? Entity::Kind::Error : Entity::Kind::Value;
      en.type = s->type;
      en.constant = s->value;
      break;
    case SymbolKind::Function: en.kind = Entity::Kind::Functions; break;
    case SymbolKind::Kernel: en.kind = Entity::Kind::Kernel; break;
    case SymbolKind::Struct:
    case SymbolKind::Type:
      en.kind = s->type && s->type->is_error() ? Entity::Kind::Error : Entity::Kind::Type;
      en.type = s->type;
      break;
    case SymbolKind::Module:
      en.kind = Entity::Kind::Module;
      en.module_kind = s->module_kind;
      en.module = s->module;
      break;
    case SymbolKind::Factory: break;  // (reported where it is named: lookup_name, module members)
    case SymbolKind::BuiltinFunction: {
      Entity ns = make_entity(Entity::Kind::Module, module_display(s->module_kind));
      ns.module_kind = s->module_kind;
      Entity m = namespace_member(ns, s->builtin_name, s->decl, false);
      m.symbol = s;
      return m;
    }
  }
  return en;
}

// ---------------------------------------------------------------------- names

Entity Sema::lookup_name(ast::NameExpr* n) {
  if (fn_) {
    if (auto it = fn_->names.find(n->name); it != fn_->names.end()) {
      Symbol* sym = it->second;
      n->symbol = sym;
      check_assigned(n, sym);
      return entity_of_symbol(sym);
    }
  }
  if (captures_) {
    if (auto it = captures_->find(n->name); it != captures_->end()) {
      n->symbol = it->second;
      return entity_of_symbol(it->second);
    }
  }
  if (module_) {
    if (auto it = module_->globals.find(n->name); it != module_->globals.end()) {
      n->symbol = it->second;
      if (it->second->kind == SymbolKind::Factory) {
        report_factory_use(it->second, n->range);
        return Entity{};
      }
      Entity en = entity_of_symbol(it->second);
      if (wide_float64() && it->second->wide_value) {  // wp.float64(C): the Python float's value
        en.type = it->second->wide_value->type;
        en.constant = it->second->wide_value;
      }
      return en;
    }
  }
  Entity b = python_builtin(n->name);
  if (!b.is_error()) return b;
  for (ModuleKind k : module_ ? module_->star_imports : std::vector<ModuleKind>{}) {
    Entity ns = make_entity(Entity::Kind::Module, module_display(k));
    ns.module_kind = k;
    Entity m = namespace_member(ns, n->name, n->range, false);
    if (!m.is_error()) return m;
  }
  report_undeclared(n);
  return Entity{};
}

bool Sema::names_type(const ast::Expr* e) const {
  auto is_type_symbol = [](const Symbol* s) { return s->kind == SymbolKind::Type || s->kind == SymbolKind::Struct; };
  if (const auto* n = e->as<ast::NameExpr>()) {
    if (n->name == "float" || n->name == "int" || n->name == "bool") return true;
    if (captures_)
      if (auto it = captures_->find(n->name); it != captures_->end()) return is_type_symbol(it->second);
    if (!module_) return false;
    auto it = module_->globals.find(n->name);
    return it != module_->globals.end() && is_type_symbol(it->second);
  }
  const auto* a = e->as<ast::AttributeExpr>();
  return a && a->value->as<ast::NameExpr>() && builtin_type(types_, a->attr) != nullptr;
}

// A local read must be assigned on every path reaching it.
void Sema::check_assigned(ast::NameExpr* n, const Symbol* sym) {
  if (!fn_->flow.reachable || sym->kind != SymbolKind::Local) return;
  VarState& st = fn_->flow.vars[sym];
  if (st.definite) return;
  auto diag = error(DiagId::err_not_assigned_every_path, n->range, n->name);
  if (st.sites.empty()) st.sites.push_back(sym->decl);
  for (SourceRange site : st.sites)
    diag.note(st.from_loop ? DiagId::note_assigned_in_loop : DiagId::note_assigned_here, site, n->name);
  st.definite = true;  // one error per variable and path
}

Entity Sema::python_builtin(const std::string& name) {
  if (name == "range" || name == "reversed" || name == "print" || name == "len" || name == "type")
    return make_entity(Entity::Kind::Special, name);
  if (name == "tuple") return make_entity(Entity::Kind::TypeTemplate, "tuple");
  if (name == "int" || name == "float" || name == "bool") {
    Entity e = make_entity(Entity::Kind::Type, name);
    e.type = name == "int" ? types_.int32() : name == "float" ? types_.float32() : types_.bool_type();
    return e;
  }
  if ((name == "abs" || name == "min" || name == "max" || name == "round" || name == "pow") &&
      is_builtin_function(name))
    return make_entity(Entity::Kind::Builtin, name);
  return Entity{};
}

std::vector<Sema::Candidate> Sema::names_in_scope() const {
  std::vector<Candidate> out;
  if (fn_)
    for (const auto& [name, sym] : fn_->names) out.push_back({name, sym->decl});
  if (module_)
    for (const auto& [name, sym] : module_->globals) out.push_back({name, sym->decl});
  for (const char* b : kPythonBuiltins) out.push_back({b, SourceRange()});
  return out;
}

// Adds a "did you mean" note for the closest spelling within edit distance 2
// (1 for names of one or two characters).
void Sema::suggest(DiagBuilder& b, const std::string& name, const std::vector<Candidate>& pool) {
  const Candidate* best = nullptr;
  int best_d = 3;
  int limit = name.size() <= 2 ? 1 : 2;
  for (const Candidate& cand : pool) {
    if (cand.name == name) continue;
    int d = edit_distance(name, cand.name, limit);
    if (d <= limit && d < best_d) {
      best_d = d;
      best = &cand;
    }
  }
  if (best) b.note(DiagId::note_did_you_mean, best->at, best->name);
}

void Sema::suggest(DiagBuilder& b, const std::string& name, const std::vector<std::string>& pool) {
  std::vector<Candidate> cands;
  for (const std::string& p : pool) cands.push_back({p, SourceRange()});
  suggest(b, name, cands);
}

void Sema::report_undeclared(ast::NameExpr* n) {
  auto b = error(DiagId::err_undeclared_name, n->range, n->name);
  suggest(b, n->name, names_in_scope());
}

// ------------------------------------------------------------------ namespaces

Entity Sema::warp_member(const std::string& name) {
  if (kWarpSpecials.count(name)) return make_entity(Entity::Kind::Special, name);
  if ((kWarpUnsupported.count(name) || name.rfind("tile_", 0) == 0) && !is_builtin_function(name))
    return make_entity(Entity::Kind::Special, "unsupported:" + name);
  if (name == "types") {
    Entity e = make_entity(Entity::Kind::Module, "warp.types");
    e.module_kind = ModuleKind::WarpTypes;
    return e;
  }
  if (name == "Function") {  // parameter annotation: a function chosen per call site
    Entity e = make_entity(Entity::Kind::Type, name);
    e.type = types_.function("Function");
    return e;
  }
  if (name == "Volume") {
    Entity e = make_entity(Entity::Kind::Module, "wp.Volume");
    e.module_kind = ModuleKind::VolumeClass;
    return e;
  }
  if (kTypeTemplates.count(name)) return make_entity(Entity::Kind::TypeTemplate, name);
  if (name == "Float" || name == "Int" || name == "Scalar") {
    Entity e = make_entity(Entity::Kind::Type, name);
    e.type = types_.generic(name == "Float" ? GenericKind::Float : name == "Int" ? GenericKind::Int : GenericKind::Scalar);
    return e;
  }
  if (name != "int" && name != "float") {
    if (const Type* t = builtin_type(types_, name)) {
      Entity e = make_entity(Entity::Kind::Type, name);
      e.type = t;
      return e;
    }
  }
  if (const ConstValue* c = builtin_constant(types_, name, wide_float64())) {
    Entity e = make_entity(Entity::Kind::Value, name);
    e.type = c->type;
    e.constant = c;
    return e;
  }
  if (is_builtin_function(name)) return make_entity(Entity::Kind::Builtin, name);
  return Entity{};
}

Entity Sema::math_member(const std::string& name) {
  static const std::set<std::string, std::less<>> kConstants = {"pi", "e", "tau", "inf", "nan"};
  if (kConstants.count(name)) {
    const ConstValue* c = builtin_constant(types_, name, wide_float64());
    Entity e = make_entity(Entity::Kind::Value, name);
    e.type = c->type;
    e.constant = c;
    return e;
  }
  // Like Warp, a math function means the builtin of the same name, if any.
  if (is_builtin_function(name)) return make_entity(Entity::Kind::Builtin, name);
  return Entity{};
}

Entity Sema::namespace_member(const Entity& ns, const std::string& name, SourceRange at, bool report) {
  Entity m;
  std::vector<std::string> pool;
  switch (ns.module_kind) {
    case ModuleKind::Warp:
    case ModuleKind::WarpTypes:
      m = warp_member(name);
      if (m.is_error() && report) {
        for (std::string_view f : builtin_function_names()) pool.emplace_back(f);
        for (const char* t : kTypeNames) pool.emplace_back(t);
        for (const std::string& s : kWarpSpecials) pool.push_back(s);
      }
      break;
    case ModuleKind::Math:
      m = math_member(name);
      if (m.is_error() && report) {
        auto b = error(DiagId::err_math_unsupported, at, name);
        if (name == "fabs") b.help("use 'wp.abs' instead");
        return Entity{};
      }
      break;
    case ModuleKind::VolumeClass:
      if (name == "CLOSEST" || name == "LINEAR") {
        m = make_entity(Entity::Kind::Value, name);
        m.type = types_.int32();
        m.constant = int_const(types_.int32(), name == "LINEAR" ? 1 : 0);
      } else if (report) {
        pool = {"CLOSEST", "LINEAR"};
      }
      break;
    case ModuleKind::Typing:
      if (name == "Any") {
        m = make_entity(Entity::Kind::Type, "Any");
        m.type = types_.generic(GenericKind::Any);
      } else if (name == "Tuple") {
        m = make_entity(Entity::Kind::TypeTemplate, "tuple");
      } else if (name == "Literal") {  // only as a size: wp.array[float, Literal[2]]
        m = make_entity(Entity::Kind::Special, "Literal");
      }
      break;
    case ModuleKind::User:
      if (ns.module) {
        if (auto it = ns.module->globals.find(name); it != ns.module->globals.end()) {
          if (it->second->kind != SymbolKind::Factory) return entity_of_symbol(it->second);
          report_factory_use(it->second, at);
          return Entity{};
        }
        if (report) {
          std::vector<Candidate> cands;
          for (const auto& [n, s] : ns.module->globals) cands.push_back({n, s->decl});
          auto b = error(DiagId::err_no_member, at, ns.name, name);
          suggest(b, name, cands);
          return Entity{};
        }
      }
      break;
  }
  if (m.is_error() && report) {
    auto b = error(DiagId::err_no_member, at, ns.name, name);
    suggest(b, name, pool);
  }
  return m;
}

// -------------------------------------------------------------------- imports

namespace {

// Binds `name` to a namespace symbol of the given kind.
Symbol* bind_namespace(Sema& s, const std::string& name, ModuleKind k, ModuleInfo* mi, SourceRange at) {
  auto it = s.module_->globals.find(name);
  if (it != s.module_->globals.end() && it->second->kind == SymbolKind::Module &&
      it->second->module_kind == k && (k != ModuleKind::User || it->second->module == mi))
    return it->second;  // the same import again
  Symbol* sym = s.define_global(name, SymbolKind::Module, at);
  if (!sym) return nullptr;
  sym->module_kind = k;
  sym->module = mi;
  sym->type = s.types_.module(name);
  return sym;
}

}  // namespace

bool Sema::builtin_module_kind(const std::string& dotted, ModuleKind& k) {
  if (dotted == "warp") k = ModuleKind::Warp;
  else if (dotted == "warp.types") k = ModuleKind::WarpTypes;
  else if (dotted == "math") k = ModuleKind::Math;
  else if (dotted == "typing") k = ModuleKind::Typing;
  else return false;
  return true;
}

bool Sema::foreign_module(const std::string& dotted, SourceRange at) {
  std::string top = dotted.substr(0, dotted.find('.'));
  bool foreign = kForeignModules.count(top) > 0 || (top == "warp" && dotted != "warp" && dotted != "warp.types");
  if (foreign)
    error(DiagId::err_module_not_available, at, dotted)
        .help("only 'warp', 'math', 'typing' and other .wp modules can be imported");
  return foreign;
}

ModuleInfo* Sema::load_user_module(const std::string& dotted, SourceRange at) {
  const size_t errors_before = diags_.error_count();
  ast::Module* m = loader_.load(dotted, at);
  if (!m) {
    // Loaders report their own errors; one that did not must not leave the
    // name poisoned in silence (later uses of it are not diagnosed again).
    if (diags_.error_count() == errors_before) error(DiagId::err_module_not_found, at, dotted);
    return nullptr;
  }
  return check_module(m, at);
}

void Sema::check_import(ast::ImportStmt* s) {
  for (const ast::ImportAlias& a : s->names) {
    ModuleKind k;
    std::string top = a.name.substr(0, a.name.find('.'));
    if (builtin_module_kind(a.name, k)) {
      if (a.asname.empty() && k == ModuleKind::WarpTypes) k = ModuleKind::Warp;  // `import warp.types` binds `warp`
      bind_namespace(*this, a.asname.empty() ? top : a.asname, k, nullptr, a.range);
      continue;
    }
    if (a.name == "enum") {  // for IntEnum classes
      if (Symbol* sym = bind_namespace(*this, a.asname.empty() ? "enum" : a.asname, ModuleKind::User, nullptr, a.range))
        sym->builtin_name = "enum";
      continue;
    }
    if (foreign_module(a.name, a.range)) continue;
    ModuleInfo* mi = load_user_module(a.name, a.range);
    if (!mi) {
      bind_poison(a.asname.empty() ? top : a.asname, a.range);
      continue;
    }
    if (!a.asname.empty() || top == a.name) {
      bind_namespace(*this, a.asname.empty() ? a.name : a.asname, ModuleKind::User, mi, a.range);
      continue;
    }
    // `import pkg.mod` binds `pkg`, a namespace whose member `mod` is the module.
    ModuleInfo* pkg = package_namespace(top, a.range);
    if (!pkg) continue;
    Symbol* sym = program_.make<Symbol>();
    sym->kind = SymbolKind::Module;
    sym->name = a.name.substr(top.size() + 1);
    sym->module_kind = ModuleKind::User;
    sym->module = mi;
    sym->decl = a.range;
    pkg->globals[sym->name] = sym;
  }
}

ModuleInfo* Sema::package_namespace(const std::string& top, SourceRange at) {
  auto it = module_->globals.find(top);
  if (it != module_->globals.end() && it->second->kind == SymbolKind::Module && it->second->module &&
      !it->second->module->ast)
    return it->second->module;
  ModuleInfo* pkg = program_.make<ModuleInfo>();
  pkg->name = top;
  Symbol* sym = bind_namespace(*this, top, ModuleKind::User, pkg, at);
  return sym ? pkg : nullptr;
}

void Sema::check_import_from(ast::ImportFromStmt* s) {
  if (s->level > 0) {
    error(DiagId::err_relative_import, s->range);
    return;
  }
  if (s->module == "__future__") return;
  if (s->module == "enum") {
    for (const ast::ImportAlias& a : s->names) {
      if (a.name != "IntEnum") {
        error(DiagId::err_module_not_available, a.range, "enum." + a.name)
            .help("only 'warp', 'math', 'typing' and other .wp modules can be imported");
        continue;
      }
      if (Symbol* sym = define_global(a.asname.empty() ? a.name : a.asname, SymbolKind::Type, a.range)) {
        sym->type = err();
        sym->builtin_name = "enum.IntEnum";
      }
    }
    return;
  }
  Entity ns = make_entity(Entity::Kind::Module, s->module);
  ModuleKind k;
  if (s->names.size() == 1 && s->names[0].name == "*") {  // Warp's and math's names, unqualified
    if (builtin_module_kind(s->module, k) && (k == ModuleKind::Warp || k == ModuleKind::Math))
      module_->star_imports.push_back(k);
    else
      error(DiagId::err_import_star, s->range, s->module);
    return;
  }
  if (builtin_module_kind(s->module, k)) {
    ns.module_kind = k;
  } else if (foreign_module(s->module, s->module_range)) {
    return;
  } else {
    ns.module = load_user_module(s->module, s->module_range);
    if (!ns.module) {
      for (const ast::ImportAlias& a : s->names) bind_poison(a.asname.empty() ? a.name : a.asname, a.range);
      return;
    }
  }
  for (const ast::ImportAlias& a : s->names) import_name(ns, a);
}

void Sema::import_name(const Entity& ns, const ast::ImportAlias& a) {
  const std::string& bound = a.asname.empty() ? a.name : a.asname;
  if (ns.module_kind == ModuleKind::User) {
    auto it = ns.module->globals.find(a.name);
    if (it == ns.module->globals.end()) {
      namespace_member(ns, a.name, a.range, true);
      bind_poison(bound, a.range);
      return;
    }
    if (module_->globals.count(bound)) {
      define_global(bound, it->second->kind, a.range);  // reports the redefinition
      return;
    }
    module_->globals[bound] = it->second;
    return;
  }
  Entity m = namespace_member(ns, a.name, a.range, true);
  if (m.is_error()) {
    bind_poison(bound, a.range);
    return;
  }
  SymbolKind kind = m.kind == Entity::Kind::Value    ? SymbolKind::BuiltinConstant
                    : m.kind == Entity::Kind::Type   ? SymbolKind::Type
                    : m.kind == Entity::Kind::Module ? SymbolKind::Module
                                                     : SymbolKind::BuiltinFunction;
  Symbol* sym = define_global(bound, kind, a.range);
  if (!sym) return;
  sym->type = m.type;
  sym->value = m.constant;
  sym->module_kind = kind == SymbolKind::Module ? m.module_kind : ns.module_kind;
  sym->builtin_name = a.name;
}

// A name whose import failed: later uses are silent (poison).
void Sema::bind_poison(const std::string& name, SourceRange at) {
  if (module_->globals.count(name)) return;
  Symbol* sym = define_global(name, SymbolKind::ModuleConstant, at);
  if (sym) sym->type = err();
}

}  // namespace warpc::sema
