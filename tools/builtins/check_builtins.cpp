// check_builtins.cpp — `warpc-check-builtins`: checks, with Clang's AST (libclang), that every
// builtin declared in stdlib/builtins.def has a C++ implementation in the stdlib headers that
// generated code can call, and that every differentiable one has its adjoint.
//
// usage: warpc-check-builtins [--groups G1,G2…] [--no-adjoints] [--hide NAME] [--hollow NAME]
//                             -- <clang args: -I…>
//        (--hide pretends wp::NAME does not exist: the test suite checks the checker with it)
//
// Contract:
//  * Parses one translation unit `#include "wp/builtins.h"` and collects every function and
//    function template declared in namespace wp: name → overloads (parameter count, how many
//    are required, variadic, which parameters are non-const lvalue references).
//  * For each table row of the checked groups (default: the builtin library's groups and
//    Geometry and Volumes — not the hash-grid rows, whose runtime does not exist yet), the C++ name (`cpp` column or the
//    name) must have an overload that accepts the row's argument count, with a non-const
//    reference wherever the row says `&T`. Constructor forms are checked as construct_<form>.
//  * For each `Diff` row, `adj_<name>` must exist with an overload taking the primal
//    arguments, one adjoint per argument, and (unless the result is None) the result's adjoint,
//    and that overload must do something: a body of nothing but `(void)x` casts (a stub that
//    would give zero gradients) counts as missing. `--hollow NAME` pretends every overload of
//    wp::NAME is such a stub (the test suite checks the checker with it).
//  * Rows with a tuple result (`U, s, V = wp.svd3(A)`) are lowered onto their `&` form, which
//    is checked; the generic constructors (vector, matrix, quaternion, transformation) become
//    construct_<form><T> calls.
//  * Rows the compiler lowers itself (tid, len) are skipped, by name, listed below.
//  * Prints one line per problem and a summary; exits 1 if any row fails, 2 on a parse failure.
#include <clang-c/Index.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

struct Row {
  const char* group;
  const char* name;
  const char* params;
  const char* result;
  bool diff;
  const char* cpp;
};

std::vector<Row> table_rows() {
  std::vector<Row> rows;
  const char* group = "";
#define WARP_BUILTIN_GROUP(g) group = #g;
#define WARP_BUILTIN(name, params, result, diff, cpp, doc) \
  rows.push_back({group, name, params, result, std::strcmp(#diff, "Diff") == 0, cpp});
#include "stdlib/builtins.def"
#undef WARP_BUILTIN_GROUP
#undef WARP_BUILTIN
  return rows;
}

// Names whose calls the compiler lowers itself: IR ops and constants (tid, len) and the generic
// type constructors (vector(…), matrix(…): code generation emits construct_<form><T>).
const std::set<std::string> kLoweredByCompiler = {"tid", "len", "vector", "matrix", "quaternion", "transformation"};

// Differentiable rows whose exact gradient is zero, so an empty adjoint is right: the furthest
// point of a mesh is a vertex, whose barycentric coordinates are locally constant.
const std::set<std::string> kZeroGradient = {"mesh_query_furthest_point_no_sign"};

// Rows whose C++ call code generation spells with template arguments taken from the result
// type (`wp::identity<N, T>()`): only the function's existence is checked.
const std::set<std::string> kTemplateFromResult = {"identity", "cast"};

struct Overload {
  int params = 0;
  int required = 0;
  bool variadic = false;
  std::vector<bool> ref;  // non-const lvalue reference parameters
  bool acts = true;       // the body has a statement other than `(void)x` casts
};

using Catalogue = std::map<std::string, std::vector<Overload>>;

// A row's parameter list: count, references, variadic, defaulted.
struct RowParams {
  int count = 0;
  int required = 0;
  bool variadic = false;
  std::vector<bool> ref;
};

RowParams parse_row_params(const std::string& text) {
  RowParams p;
  size_t depth = 0, start = 0;
  std::vector<std::string> parts;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      std::string part = text.substr(start, i - start);
      if (part.find_first_not_of(' ') != std::string::npos) parts.push_back(part);
      start = i + 1;
    } else if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')') {
      --depth;
    }
  }
  for (const std::string& part : parts) {
    // `dtype: type(T)` selects a template argument at compile time: not a C++ argument.
    if (part.find(": type(") != std::string::npos) continue;
    p.count += 1;
    p.variadic |= part.find('*') != std::string::npos && part.find('*') < part.find(':');
    p.ref.push_back(part.find(": &") != std::string::npos);
    if (part.find('=') == std::string::npos && part.find('*') == std::string::npos) p.required = p.count;
  }
  return p;
}

bool accepts(const Overload& o, int args) {
  if (o.variadic) return args >= o.required;
  return args >= o.required && args <= o.params;
}

// ---- libclang: collect namespace wp's functions

struct Collector {
  Catalogue* out;
  int wp_depth = 0;
};

Overload overload_of(CXCursor c) {
  Overload o;
  struct Ctx {
    Overload* o;
  } ctx{&o};
  clang_visitChildren(
      c,
      [](CXCursor child, CXCursor, CXClientData data) {
        auto* ctx = static_cast<Ctx*>(data);
        if (clang_getCursorKind(child) == CXCursor_TemplateTypeParameter) {
          // `typename... Args`: a parameter pack makes the function variadic.
          CXString s = clang_getCursorPrettyPrinted(child, nullptr);
          if (std::strstr(clang_getCString(s), "...")) ctx->o->variadic = true;
          clang_disposeString(s);
        }
        if (clang_getCursorKind(child) != CXCursor_ParmDecl) return CXChildVisit_Continue;
        CXType t = clang_getCursorType(child);
        bool has_default = false;
        clang_visitChildren(
            child,
            [](CXCursor e, CXCursor, CXClientData d) {
              if (clang_isExpression(clang_getCursorKind(e))) *static_cast<bool*>(d) = true;
              return CXChildVisit_Continue;
            },
            &has_default);
        CXString spelling = clang_getTypeSpelling(t);
        const std::string type = clang_getCString(spelling);
        clang_disposeString(spelling);
        const bool pack = type.find("...") != std::string::npos;
        ctx->o->variadic |= pack;
        const bool lref = t.kind == CXType_LValueReference &&
                          !clang_isConstQualifiedType(clang_getPointeeType(t));
        ctx->o->params += 1;
        ctx->o->ref.push_back(lref);
        if (!has_default && !pack) ctx->o->required = ctx->o->params;
        return CXChildVisit_Continue;
      },
      &ctx);
  return o;
}

// A statement that does nothing: `;`, `(void)x`, `(void)x, (void)y` (parenthesised or not).
bool inert(CXCursor c) {
  const CXCursorKind k = clang_getCursorKind(c);
  if (k == CXCursor_NullStmt) return true;
  if (k == CXCursor_CStyleCastExpr) return clang_getCursorType(c).kind == CXType_Void;
  // A binary operator whose operands are both void casts can only be the comma operator.
  if (k != CXCursor_ParenExpr && k != CXCursor_BinaryOperator) return false;
  bool all = true;
  clang_visitChildren(
      c,
      [](CXCursor e, CXCursor, CXClientData d) {
        if (!inert(e)) *static_cast<bool*>(d) = false;
        return CXChildVisit_Continue;
      },
      &all);
  return all;
}

// Does the function's body contain a statement that is not inert? (No body: assumed to act.)
bool body_acts(CXCursor fn) {
  struct State {
    bool has_body = false, acts = false;
  } st;
  clang_visitChildren(
      fn,
      [](CXCursor child, CXCursor, CXClientData d) {
        auto* st = static_cast<State*>(d);
        if (clang_getCursorKind(child) != CXCursor_CompoundStmt) return CXChildVisit_Continue;
        st->has_body = true;
        clang_visitChildren(
            child,
            [](CXCursor stmt, CXCursor, CXClientData d2) {
              if (!inert(stmt)) static_cast<State*>(d2)->acts = true;
              return CXChildVisit_Continue;
            },
            st);
        return CXChildVisit_Break;
      },
      &st);
  return !st.has_body || st.acts;
}

CXChildVisitResult visit(CXCursor c, CXCursor, CXClientData data) {
  auto* col = static_cast<Collector*>(data);
  CXCursorKind k = clang_getCursorKind(c);
  CXString name = clang_getCursorSpelling(c);
  std::string n = clang_getCString(name);
  clang_disposeString(name);
  if (k == CXCursor_Namespace) {
    const bool is_wp = n == "wp" && col->wp_depth == 0;
    if (is_wp) ++col->wp_depth;
    if (col->wp_depth > 0 || is_wp) clang_visitChildren(c, visit, data);
    else clang_visitChildren(c, visit, data);
    if (is_wp) --col->wp_depth;
    return CXChildVisit_Continue;
  }
  if (col->wp_depth == 0) return CXChildVisit_Continue;
  if (k == CXCursor_FunctionDecl || k == CXCursor_FunctionTemplate) {
    Overload o = overload_of(c);
    o.acts = body_acts(c);
    (*col->out)[n].push_back(o);
  }
  return CXChildVisit_Continue;
}

bool collect(const std::vector<const char*>& clang_args, Catalogue* out) {
  CXIndex index = clang_createIndex(0, 1);
  const char* source = "#include \"wp/builtins.h\"\n";
  CXUnsavedFile file{"check_builtins_tu.cpp", source, static_cast<unsigned long>(std::strlen(source))};
  std::vector<const char*> args = {"-x", "c++", "-std=c++20"};
  args.insert(args.end(), clang_args.begin(), clang_args.end());
  CXTranslationUnit tu = clang_parseTranslationUnit(index, "check_builtins_tu.cpp", args.data(),
                                                    static_cast<int>(args.size()), &file, 1, CXTranslationUnit_None);
  if (!tu) {
    std::fprintf(stderr, "warpc-check-builtins: clang could not parse wp/builtins.h\n");
    return false;
  }
  bool ok = true;
  for (unsigned i = 0; i < clang_getNumDiagnostics(tu); ++i) {
    CXDiagnostic d = clang_getDiagnostic(tu, i);
    if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
      CXString s = clang_formatDiagnostic(d, clang_defaultDiagnosticDisplayOptions());
      std::fprintf(stderr, "%s\n", clang_getCString(s));
      clang_disposeString(s);
      ok = false;
    }
    clang_disposeDiagnostic(d);
  }
  Collector col{out};
  clang_visitChildren(clang_getTranslationUnitCursor(tu), visit, &col);
  clang_disposeTranslationUnit(tu);
  clang_disposeIndex(index);
  return ok;
}

// ---- checks

std::string cpp_name(const Row& r) { return r.cpp[0] ? r.cpp : r.name; }

bool has_forward(const Catalogue& cat, const Row& r, const RowParams& p, std::string* why) {
  auto it = cat.find(cpp_name(r));
  if (it == cat.end()) {
    *why = "no function wp::" + cpp_name(r);
    return false;
  }
  for (int args = p.required; args <= p.count; ++args) {
    bool found = false;
    for (const Overload& o : it->second) {
      if (!accepts(o, args)) continue;
      bool refs_ok = true;
      for (int i = 0; i < args && i < static_cast<int>(p.ref.size()); ++i)
        if (p.ref[static_cast<size_t>(i)] && !(i < static_cast<int>(o.ref.size()) && o.ref[static_cast<size_t>(i)]))
          refs_ok = o.variadic;
      found |= refs_ok;
    }
    if (!found) {
      bool refs = false;
      for (bool b : p.ref) refs |= b;
      *why = "no overload of wp::" + cpp_name(r) + " takes " + std::to_string(args) + " arguments" +
             (refs ? " with non-const references where the row has '&'" : "");
      return false;
    }
  }
  return true;
}

bool has_adjoint(const Catalogue& cat, const Row& r, const RowParams& p, std::string* why) {
  const std::string adj = "adj_" + cpp_name(r);
  auto it = cat.find(adj);
  if (it == cat.end()) {
    *why = "no adjoint wp::" + adj;
    return false;
  }
  const bool returns = std::strcmp(r.result, "None") != 0;
  const int want = 2 * p.count + (returns ? 1 : 0);
  bool stub = false;
  for (const Overload& o : it->second) {
    if (!accepts(o, want)) continue;
    if (o.acts || kZeroGradient.count(r.name)) return true;
    stub = true;
  }
  *why = stub ? "wp::" + adj + " taking " + std::to_string(want) + " arguments does nothing (an empty stub)"
              : "no overload of wp::" + adj + " takes " + std::to_string(want) + " arguments (primal, adjoints" +
                    (returns ? ", result adjoint)" : ")");
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::set<std::string> groups = {"ScalarMath", "VectorMath", "QuaternionMath", "Transformations", "SpatialMath",
                                  "Operators",  "Random",     "Noise",          "Utility",        "Geometry",
                                  "Volumes"};
  bool adjoints = true;
  std::vector<std::string> hidden;  // --hide NAME: pretend wp::NAME is missing (self-test)
  std::vector<std::string> hollow;  // --hollow NAME: pretend wp::NAME's bodies are empty (self-test)
  std::vector<const char*> clang_args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--no-adjoints") {
      adjoints = false;
    } else if (a == "--hide" && i + 1 < argc) {
      hidden.push_back(argv[++i]);
    } else if (a == "--hollow" && i + 1 < argc) {
      hollow.push_back(argv[++i]);
    } else if (a == "--groups" && i + 1 < argc) {
      groups.clear();
      std::string list = argv[++i];
      for (size_t s = 0, e; s <= list.size(); s = e + 1) {
        e = list.find(',', s);
        if (e == std::string::npos) e = list.size();
        groups.insert(list.substr(s, e - s));
      }
    } else if (a == "--") {
      for (++i; i < argc; ++i) clang_args.push_back(argv[i]);
    } else {
      std::fprintf(stderr, "usage: warpc-check-builtins [--groups G,…] [--no-adjoints] [--hide NAME] [--hollow NAME] -- <clang args>\n");
      return 2;
    }
  }
  Catalogue cat;
  if (!collect(clang_args, &cat)) return 2;
  for (const std::string& h : hidden) cat.erase(h);
  for (const std::string& h : hollow)
    for (Overload& o : cat[h]) o.acts = false;
  int rows = 0, failures = 0, adjoint_rows = 0;
  for (const Row& r : table_rows()) {
    if (!groups.count(r.group) || kLoweredByCompiler.count(r.name) || std::strncmp(r.result, "tuple(", 6) == 0)
      continue;
    ++rows;
    RowParams p = parse_row_params(r.params);
    std::string why;
    if (kTemplateFromResult.count(r.name)) {
      if (!cat.count(cpp_name(r))) {
        ++failures;
        std::printf("missing: %s [%s]: no function template wp::%s\n", r.name, r.group, cpp_name(r).c_str());
      }
      continue;
    }
    if (!has_forward(cat, r, p, &why)) {
      ++failures;
      std::printf("missing: %s(%s) [%s]: %s\n", r.name, r.params, r.group, why.c_str());
      continue;
    }
    if (adjoints && r.diff) {
      ++adjoint_rows;
      if (!has_adjoint(cat, r, p, &why)) {
        ++failures;
        std::printf("missing adjoint: %s(%s) [%s]: %s\n", r.name, r.params, r.group, why.c_str());
      }
    }
  }
  // Constructor forms (compiler/sema/builtin_constructors.cpp): wp::construct_<form><T>(…).
  for (const char* form : {"zeros", "broadcast", "components", "rows", "compose", "convert", "default"}) {
    if (!cat.count(std::string("construct_") + form)) {
      ++failures;
      std::printf("missing: constructor form wp::construct_%s\n", form);
    }
  }
  std::printf("warpc-check-builtins: %d rows checked (%d differentiable), %d problems\n", rows, adjoint_rows,
              failures);
  return failures ? 1 : 0;
}
