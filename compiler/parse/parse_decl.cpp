// parse_decl.cpp — definitions and imports: decorators, `def` (parameters
// with annotations and defaults, `-> T`), `class` (bases, body, docstring),
// `import a.b as c` and `from ..a import b as c`.
//
// Contract: each function parses one production (written above it) starting
// at the current token. A FunctionDef/ClassDef range starts at its `def` /
// `class` keyword (decorators have their own ranges); the docstring is moved
// out of the body into `.docstring`. Variadic parameters, class keywords and
// duplicate/misordered parameters are reported here.
#include <fmt/format.h>

#include "parse/parser_impl.h"

namespace warpc::parse_detail {

using namespace ast;

// decorated: decorators (function_def | class_def)
// decorators: ('@' named_expression NEWLINE)+
Stmt* Parser::parse_decorated() {
  std::vector<Expr*> decorators;
  while (at(TokenKind::At)) {
    advance();
    in_error_ = false;
    decorators.push_back(parse_expression());
    if (in_error_) {
      skip_to_line_end();
    } else if (!accept(TokenKind::Newline)) {
      error(DiagId::err_expected_end_of_statement, cur().range, describe(cur()));
      skip_to_line_end();
    }
  }
  in_error_ = false;
  if (at(TokenKind::KwDef)) return parse_function_def(here(), std::move(decorators));
  if (at(TokenKind::KwClass)) return parse_class_def(here(), std::move(decorators));
  if (at(TokenKind::KwAsync)) return parse_unsupported_statement();
  SourceRange where = at(TokenKind::Indent) ? peek().range : cur().range;
  error(DiagId::err_decorator_target, where);
  // The statement after the decorators is parsed on its own.
  return ctx_.make<ErrorStmt>(decorators.empty() ? where : decorators.front()->range);
}

// function_def: 'def' NAME '(' [params] ')' ['->' expression] ':' block
// (a nameless def is reported, its body checked, and an ErrorStmt returned)
Stmt* Parser::parse_function_def(SourceLoc begin, std::vector<Expr*> decorators) {
  advance();  // 'def'
  auto* fn = ctx_.make<FunctionDefStmt>(SourceRange(begin));
  fn->decorators = std::move(decorators);
  if (at(TokenKind::Identifier)) {
    fn->name = std::string(cur().text);
    fn->name_range = cur().range;
    advance();
    if (at(TokenKind::LParen))
      parse_params(fn->params);
    else
      expect(TokenKind::LParen, "'(' after the function name");
  } else {
    fn->name_range = error_spot();
    expect(TokenKind::Identifier, "a function name after 'def'");
  }
  if (!in_error_ && accept(TokenKind::Arrow)) fn->returns = parse_expression();
  expect_header_colon("the function signature");
  fn->body = parse_block(on_line("function definition", begin));
  fn->docstring = take_docstring(fn->body);
  fn->range = since(begin);
  if (fn->name.empty()) return ctx_.make<ErrorStmt>(fn->range);  // body checked, nothing to bind
  return fn;
}

// params: param (',' param)* [',']
// param: NAME [':' expression] ['=' expression]
//      | '*' [NAME] | '**' NAME | '/'            (rejected)
void Parser::parse_params(std::vector<Param>& params) {
  const Token& open = advance();
  bool seen_default = false;
  while (!at(TokenKind::RParen) && !in_error_) {
    if (!parse_variadic_param()) {
      if (!at(TokenKind::Identifier)) {
        expect(TokenKind::Identifier, "a parameter name");
        break;
      }
      Param p;
      p.name = std::string(cur().text);
      p.range = cur().range;
      advance();
      if (accept(TokenKind::Colon)) p.annotation = parse_expression();
      if (!in_error_ && accept(TokenKind::Assign)) p.default_value = parse_expression();
      for (const Param& q : params)
        if (q.name == p.name) {
          error(DiagId::err_duplicate_param, p.range, p.name).note(DiagId::note_previous_param, q.range, q.name);
          break;
        }
      if (!p.default_value && seen_default)
        error(DiagId::err_non_default_after_default, p.range, p.name);
      seen_default = seen_default || p.default_value;
      params.push_back(std::move(p));
    }
    if (!accept(TokenKind::Comma)) break;
  }
  if (in_error_) {
    skip_balanced(TokenKind::RParen);
    return;
  }
  expect_closing(TokenKind::RParen, open);
}

// '*' [NAME] | '**' NAME | '/'   — reported (Warp parameters are all named
// and typed); returns false when the current token starts no such form.
bool Parser::parse_variadic_param() {
  TokenKind k = cur().kind;
  if (k != TokenKind::Star && k != TokenKind::DoubleStar && k != TokenKind::Slash) return false;
  SourceLoc begin = here();
  advance();
  std::string name = at(TokenKind::Identifier) ? std::string(cur().text) : "";
  if (!name.empty()) advance();
  std::string what;
  if (k == TokenKind::Slash)
    what = "positional-only parameter markers ('/')";
  else if (k == TokenKind::DoubleStar)
    what = fmt::format("variadic keyword parameters ('**{}')", name);
  else if (name.empty())
    what = "keyword-only parameter markers ('*')";
  else
    what = fmt::format("variadic parameters ('*{}')", name);
  error(DiagId::err_unsupported_variadic_param, since(begin), what)
      .help("declare each parameter by name, with a type annotation");
  return true;
}

// class_def: 'class' NAME ['(' [arguments] ')'] ':' block
// (a nameless class is reported, its body checked, and an ErrorStmt returned)
Stmt* Parser::parse_class_def(SourceLoc begin, std::vector<Expr*> decorators) {
  advance();  // 'class'
  auto* cls = ctx_.make<ClassDefStmt>(SourceRange(begin));
  cls->decorators = std::move(decorators);
  if (at(TokenKind::Identifier)) {
    cls->name = std::string(cur().text);
    cls->name_range = cur().range;
    advance();
    if (at(TokenKind::LParen)) parse_class_bases(cls);
  } else {
    cls->name_range = error_spot();
    expect(TokenKind::Identifier, "a class name after 'class'");
  }
  expect_header_colon("the class name");
  cls->body = parse_block(on_line("class definition", begin));
  cls->docstring = take_docstring(cls->body);
  cls->range = since(begin);
  if (cls->name.empty()) return ctx_.make<ErrorStmt>(cls->range);
  return cls;
}

// '(' [arguments] ')' after a class name: positional bases only.
void Parser::parse_class_bases(ClassDefStmt* cls) {
  SourceLoc begin = here();
  auto* call = static_cast<CallExpr*>(parse_call(begin, ctx_.make<ErrorExpr>(cur().range)));
  cls->bases = call->args;
  if (!call->keywords.empty() && !in_error_) {
    const Keyword& kw = call->keywords.front();
    error(DiagId::err_class_keywords, SourceRange::join(kw.name_range, kw.value->range))
        .help("Warp structs take no class options; declare them as '@wp.struct' classes with annotated fields");
  }
}

// import_name: 'import' dotted_as_names
// dotted_as_names: dotted_as_name (',' dotted_as_name)*
Stmt* Parser::parse_import() {
  SourceLoc begin = here();
  advance();
  auto* s = ctx_.make<ImportStmt>(SourceRange(begin));
  do {
    ImportAlias alias;
    if (!parse_import_alias(alias, /*dotted=*/true)) break;
    s->names.push_back(std::move(alias));
  } while (accept(TokenKind::Comma));
  s->range = since(begin);
  return s;
}

// import_from: 'from' ('.' | '...')* dotted_name 'import' import_targets
//            | 'from' ('.' | '...')+ 'import' import_targets
// import_targets: '(' import_as_names [','] ')' | import_as_names | '*'
// import_as_names: import_as_name (',' import_as_name)*
Stmt* Parser::parse_import_from() {
  SourceLoc begin = here();
  advance();
  auto* s = ctx_.make<ImportFromStmt>(SourceRange(begin));
  for (;; advance()) {
    if (at(TokenKind::Dot)) ++s->level;
    else if (at(TokenKind::Ellipsis)) s->level += 3;
    else break;
  }
  if (at(TokenKind::Identifier) || s->level == 0) {
    if (!parse_dotted_name(s->module, s->module_range)) return s;
  }
  if (!expect(TokenKind::KwImport, "'import' after the module name")) return s;
  if (at(TokenKind::Star)) {
    s->names.push_back(ImportAlias{"*", cur().range, ""});
    advance();
  } else {
    const Token* open = at(TokenKind::LParen) ? &advance() : nullptr;
    do {
      if (open && at(TokenKind::RParen)) break;  // trailing comma
      ImportAlias alias;
      if (!parse_import_alias(alias, /*dotted=*/false)) break;
      s->names.push_back(std::move(alias));
    } while (accept(TokenKind::Comma));
    if (open && !in_error_) expect_closing(TokenKind::RParen, *open);
  }
  s->range = since(begin);
  return s;
}

// dotted_name: NAME ('.' NAME)*
bool Parser::parse_dotted_name(std::string& name, SourceRange& range) {
  SourceLoc begin = here();
  if (!expect(TokenKind::Identifier, "a module name")) return false;
  name = std::string(tokens_[pos_ - 1].text);
  while (accept(TokenKind::Dot)) {
    if (!expect(TokenKind::Identifier, "a name after '.' in the module path")) return false;
    name += '.';
    name += tokens_[pos_ - 1].text;
  }
  range = since(begin);
  return true;
}

// dotted_as_name: dotted_name ['as' NAME]   (dotted)
// import_as_name: NAME ['as' NAME]          (!dotted)
bool Parser::parse_import_alias(ImportAlias& alias, bool dotted) {
  if (dotted) {
    if (!parse_dotted_name(alias.name, alias.range)) return false;
  } else {
    if (!expect(TokenKind::Identifier, "a name to import")) return false;
    alias.name = std::string(tokens_[pos_ - 1].text);
    alias.range = tokens_[pos_ - 1].range;
  }
  if (!accept(TokenKind::KwAs)) return true;
  if (!expect(TokenKind::Identifier, "a name after 'as'")) return false;
  alias.asname = std::string(tokens_[pos_ - 1].text);
  return true;
}

}  // namespace warpc::parse_detail
