// parse_expr.cpp — expressions, with Python's precedence (loosest first):
//   lambda (rejected) · a if c else b · or · and · not · comparisons (chained)
//   · | · ^ · & · << >> · + - · * / // % @ · unary + - ~ · ** · await
//   (rejected) · primaries (calls, subscripts, attributes) · atoms.
//
// Contract: each function parses one production (written above it) and
// returns a node whose range runs from its first token to its last (a
// parenthesised group returns the inner expression unchanged). Negative
// literals stay Unary(Neg, IntLit): sema folds them. Displays and forms
// outside Warp's language (list/dict/set literals, comprehensions, lambda,
// starred expressions, ':=', yield, await) are reported and become ErrorExpr.
#include <algorithm>

#include "parse/parser_impl.h"

namespace warpc::parse_detail {

using namespace ast;

namespace {

// Each maps a token to the binary operator of one precedence level; `ok`
// says whether the token is an operator of that level at all.
BinaryOp bitor_op(TokenKind k, bool& ok) {
  ok = k == TokenKind::Pipe;
  return BinaryOp::BitOr;
}

BinaryOp bitxor_op(TokenKind k, bool& ok) {
  ok = k == TokenKind::Caret;
  return BinaryOp::BitXor;
}

BinaryOp bitand_op(TokenKind k, bool& ok) {
  ok = k == TokenKind::Amp;
  return BinaryOp::BitAnd;
}

BinaryOp shift_op(TokenKind k, bool& ok) {
  ok = k == TokenKind::LShift || k == TokenKind::RShift;
  return k == TokenKind::LShift ? BinaryOp::LShift : BinaryOp::RShift;
}

BinaryOp sum_op(TokenKind k, bool& ok) {
  ok = k == TokenKind::Plus || k == TokenKind::Minus;
  return k == TokenKind::Plus ? BinaryOp::Add : BinaryOp::Sub;
}

BinaryOp term_op(TokenKind k, bool& ok) {
  ok = true;
  switch (k) {
    case TokenKind::Star: return BinaryOp::Mul;
    case TokenKind::Slash: return BinaryOp::Div;
    case TokenKind::DoubleSlash: return BinaryOp::FloorDiv;
    case TokenKind::Percent: return BinaryOp::Mod;
    case TokenKind::At: return BinaryOp::MatMul;
    default: ok = false; return BinaryOp::Mul;
  }
}

}  // namespace

// ------------------------------------------------------------ tree height

int Parser::height(const Expr* e) const {
  auto it = heights_.find(e);
  return it == heights_.end() ? 1 : it->second;
}

// Records the height of a freshly built composite node; a tree taller than
// kMaxExprHeight is reported and replaced by an ErrorExpr.
Expr* Parser::checked_height(Expr* e, int tallest_child) {
  if (tallest_child + 1 > kMaxExprHeight) {
    error(DiagId::err_nesting_too_deep, e->range, "expression");
    return ctx_.make<ErrorExpr>(e->range);
  }
  if (tallest_child > 0) heights_[e] = tallest_child + 1;
  return e;
}

Expr* Parser::checked(Expr* e, std::initializer_list<const Expr*> kids) {
  int h = 0;
  for (const Expr* k : kids)
    if (k) h = std::max(h, height(k));
  return checked_height(e, h);
}

Expr* Parser::checked(Expr* e, const std::vector<Expr*>& kids) {
  int h = 0;
  for (const Expr* k : kids) h = std::max(h, height(k));
  return checked_height(e, h);
}

// ------------------------------------------------------------ expressions

// star_expressions: star_expression (',' star_expression)* [',']
// (a bare tuple `a, b` where a statement allows one)
Expr* Parser::parse_star_expressions() {
  SourceLoc begin = here();
  Expr* first = parse_starred_element();
  if (!at(TokenKind::Comma)) return first;
  std::vector<Expr*> elts = {first};
  while (accept(TokenKind::Comma)) {
    if (!starts_expression(cur().kind)) break;
    elts.push_back(parse_starred_element());
  }
  auto* t = make<TupleExpr>(begin);
  t->elts = std::move(elts);
  return checked(t, t->elts);
}

// star_targets: star_target (',' star_target)* [',']
// (the loop variables of a `for`; parsed at `|` level so `in` ends them)
Expr* Parser::parse_target_list() {
  SourceLoc begin = here();
  Expr* first = at(TokenKind::Star) ? parse_starred_element() : parse_bitor();
  if (!at(TokenKind::Comma)) return first;
  std::vector<Expr*> elts = {first};
  while (accept(TokenKind::Comma)) {
    if (!starts_expression(cur().kind)) break;
    elts.push_back(at(TokenKind::Star) ? parse_starred_element() : parse_bitor());
  }
  auto* t = make<TupleExpr>(begin);
  t->elts = std::move(elts);
  return checked(t, t->elts);
}

// star_expression: '*' bitwise_or | expression      ('*' form rejected)
Expr* Parser::parse_starred_element() {
  if (!at(TokenKind::Star)) return parse_expression();
  SourceLoc begin = here();
  advance();
  parse_bitor();
  error(DiagId::err_unsupported_starred, since(begin))
      .help("unpack into separate names ('a, b, c = v') or index the components ('v[0]')");
  return error_expr(begin);
}

// expression: disjunction ['if' disjunction 'else' expression] | lambdef
// named_expression: NAME ':=' expression (rejected) | expression
Expr* Parser::parse_expression() {
  SourceLoc begin = here();
  NestingGuard guard(*this);
  if (!guard.ok()) return error_expr(begin);
  if (at(TokenKind::KwLambda)) return parse_lambda();
  Expr* e = parse_ternary();
  if (at(TokenKind::Walrus)) {
    error(DiagId::err_unsupported_walrus, cur().range).help("assign the value in a separate statement first");
    advance();
    parse_expression();
    return error_expr(begin);
  }
  return e;
}

// disjunction ['if' disjunction 'else' expression]
Expr* Parser::parse_ternary() {
  SourceLoc begin = here();
  Expr* then_value = parse_or();
  if (!at(TokenKind::KwIf) || in_error_) return then_value;
  advance();
  Expr* cond = parse_or();
  if (!accept(TokenKind::KwElse)) {
    if (at(TokenKind::Error)) poison();
    error(DiagId::err_expected, error_spot(), "'else' in the conditional expression");
    return error_expr(begin);
  }
  Expr* else_value = parse_expression();
  auto* e = make<IfExpExpr>(begin);
  e->cond = cond;
  e->then_value = then_value;
  e->else_value = else_value;
  return checked(e, {cond, then_value, else_value});
}

// disjunction: conjunction ('or' conjunction)*
Expr* Parser::parse_or() {
  SourceLoc begin = here();
  Expr* first = parse_and();
  if (!at(TokenKind::KwOr)) return first;
  std::vector<Expr*> values = {first};
  while (!in_error_ && accept(TokenKind::KwOr)) values.push_back(parse_and());
  auto* e = make<BoolOpExpr>(begin);
  e->op = BoolOpKind::Or;
  e->values = std::move(values);
  return checked(e, e->values);
}

// conjunction: inversion ('and' inversion)*
Expr* Parser::parse_and() {
  SourceLoc begin = here();
  Expr* first = parse_not();
  if (!at(TokenKind::KwAnd)) return first;
  std::vector<Expr*> values = {first};
  while (!in_error_ && accept(TokenKind::KwAnd)) values.push_back(parse_not());
  auto* e = make<BoolOpExpr>(begin);
  e->op = BoolOpKind::And;
  e->values = std::move(values);
  return checked(e, e->values);
}

// inversion: 'not' inversion | comparison
Expr* Parser::parse_not() {
  if (!at(TokenKind::KwNot)) return parse_comparison();
  SourceLoc begin = here();
  NestingGuard guard(*this);
  if (!guard.ok()) return error_expr(begin);
  advance();
  Expr* operand = parse_not();
  auto* e = make<UnaryExpr>(begin);
  e->op = UnaryOp::Not;
  e->operand = operand;
  return checked(e, {operand});
}

// comparison: bitwise_or (compare_op bitwise_or)*
// compare_op: '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not' 'in' | 'is' | 'is' 'not'
Expr* Parser::parse_comparison() {
  SourceLoc begin = here();
  Expr* left = parse_bitor();
  CompareExpr* cmp = nullptr;
  for (;;) {
    CompareOp op;
    SourceLoc op_begin = here();
    if (in_error_) return finish_comparison(cmp, left);
    switch (cur().kind) {
      case TokenKind::Less: op = CompareOp::Lt; break;
      case TokenKind::Greater: op = CompareOp::Gt; break;
      case TokenKind::LessEq: op = CompareOp::LtE; break;
      case TokenKind::GreaterEq: op = CompareOp::GtE; break;
      case TokenKind::EqEq: op = CompareOp::Eq; break;
      case TokenKind::NotEq: op = CompareOp::NotEq; break;
      case TokenKind::KwIn: op = CompareOp::In; break;
      case TokenKind::KwIs: op = peek().is(TokenKind::KwNot) ? CompareOp::IsNot : CompareOp::Is; break;
      case TokenKind::KwNot:
        if (!peek().is(TokenKind::KwIn)) return finish_comparison(cmp, left);
        op = CompareOp::NotIn;
        break;
      default: return finish_comparison(cmp, left);
    }
    if (op == CompareOp::IsNot || op == CompareOp::NotIn) advance();
    advance();
    if (!cmp) {
      cmp = ctx_.make<CompareExpr>(SourceRange(begin));
      cmp->left = left;
      cmp->comparators.reserve(2);
    }
    cmp->ops.push_back(op);
    cmp->op_ranges.push_back(since(op_begin));
    cmp->comparators.push_back(parse_bitor());
    cmp->range = since(begin);
  }
}

Expr* Parser::finish_comparison(CompareExpr* cmp, Expr* left) {
  if (!cmp) return left;
  std::vector<Expr*> kids = cmp->comparators;
  kids.push_back(left);
  return checked(cmp, kids);
}

// One left-associative binary level: operand (op operand)*.
Expr* Parser::parse_binary_chain(Expr* (Parser::*operand)(), BinaryOp (*op_of)(TokenKind, bool&)) {
  SourceLoc begin = here();
  Expr* lhs = (this->*operand)();
  for (;;) {
    bool ok = false;
    BinaryOp op = op_of(cur().kind, ok);
    if (!ok || in_error_) return lhs;
    SourceRange op_range = cur().range;
    advance();
    Expr* rhs = (this->*operand)();
    auto* e = make<BinaryExpr>(begin);
    e->op = op;
    e->op_range = op_range;
    e->lhs = lhs;
    e->rhs = rhs;
    lhs = checked(e, {lhs, rhs});
  }
}

// bitwise_or: bitwise_or '|' bitwise_xor | bitwise_xor
Expr* Parser::parse_bitor() { return parse_binary_chain(&Parser::parse_bitxor, bitor_op); }
// bitwise_xor: bitwise_xor '^' bitwise_and | bitwise_and
Expr* Parser::parse_bitxor() { return parse_binary_chain(&Parser::parse_bitand, bitxor_op); }
// bitwise_and: bitwise_and '&' shift_expr | shift_expr
Expr* Parser::parse_bitand() { return parse_binary_chain(&Parser::parse_shift, bitand_op); }
// shift_expr: shift_expr ('<<' | '>>') sum | sum
Expr* Parser::parse_shift() { return parse_binary_chain(&Parser::parse_sum, shift_op); }
// sum: sum ('+' | '-') term | term
Expr* Parser::parse_sum() { return parse_binary_chain(&Parser::parse_term, sum_op); }
// term: term ('*' | '/' | '//' | '%' | '@') factor | factor
Expr* Parser::parse_term() { return parse_binary_chain(&Parser::parse_factor, term_op); }

// factor: ('+' | '-' | '~') factor | power
Expr* Parser::parse_factor() {
  UnaryOp op;
  switch (cur().kind) {
    case TokenKind::Plus: op = UnaryOp::Pos; break;
    case TokenKind::Minus: op = UnaryOp::Neg; break;
    case TokenKind::Tilde: op = UnaryOp::Invert; break;
    default: return parse_power();
  }
  SourceLoc begin = here();
  NestingGuard guard(*this);
  if (!guard.ok()) return error_expr(begin);
  advance();
  Expr* operand = parse_factor();
  auto* e = make<UnaryExpr>(begin);
  e->op = op;
  e->operand = operand;
  return checked(e, {operand});
}

// power: await_primary ['**' factor]      (right-associative through factor)
// await_primary: 'await' primary (rejected) | primary
Expr* Parser::parse_power() {
  SourceLoc begin = here();
  if (at(TokenKind::KwAwait)) {
    error(DiagId::err_unsupported_expr_keyword, cur().range, "await")
        .help("Warp code runs synchronously inside a kernel; remove 'await'");
    advance();
    parse_primary();
    return error_expr(begin);
  }
  Expr* base = parse_primary();
  if (!at(TokenKind::DoubleStar) || in_error_) return base;
  NestingGuard guard(*this);
  if (!guard.ok()) return error_expr(begin);
  SourceRange op_range = cur().range;
  advance();
  Expr* exponent = parse_factor();
  auto* e = make<BinaryExpr>(begin);
  e->op = BinaryOp::Pow;
  e->op_range = op_range;
  e->lhs = base;
  e->rhs = exponent;
  return checked(e, {base, exponent});
}

// primary: atom ('.' NAME | '(' [arguments] ')' | '[' slices ']')*
Expr* Parser::parse_primary() {
  SourceLoc begin = here();
  Expr* e = parse_atom();
  for (;;) {
    if (in_error_) {
      return e;
    } else if (at(TokenKind::LParen)) {
      e = parse_call(begin, e);
    } else if (at(TokenKind::LBracket)) {
      e = parse_subscript(begin, e);
    } else if (at(TokenKind::Dot)) {
      advance();
      if (!at(TokenKind::Identifier)) {
        expect(TokenKind::Identifier, "an attribute name after '.'");
        return error_expr(begin);
      }
      auto* a = ctx_.make<AttributeExpr>(SourceRange(begin, cur().range.end));
      a->value = e;
      a->attr = std::string(cur().text);
      a->attr_range = cur().range;
      advance();
      e = checked(a, {e});
    } else {
      return e;
    }
  }
}

// atom: NAME | 'True' | 'False' | 'None' | strings | NUMBER | '...'
//     | tuple | group | list | dict | set      (displays rejected)
Expr* Parser::parse_atom() {
  SourceLoc begin = here();
  switch (cur().kind) {
    case TokenKind::Identifier: {
      auto* n = ctx_.make<NameExpr>(cur().range);
      n->name = std::string(cur().text);
      advance();
      return n;
    }
    case TokenKind::StringLiteral: return parse_strings();
    case TokenKind::LParen: return parse_paren();
    case TokenKind::LBracket: return parse_bracket_display();
    case TokenKind::LBrace: return parse_brace_display();
    case TokenKind::KwLambda: return parse_lambda();
    case TokenKind::KwYield:
      error(DiagId::err_unsupported_expr_keyword, cur().range, "yield")
          .help("Warp functions cannot be generators; return a value with 'return'");
      advance();
      if (starts_expression(cur().kind)) parse_star_expressions();
      return error_expr(begin);
    case TokenKind::Error:
      advance();  // the lexer reported it
      return error_expr(begin);
    default: return parse_number_or_constant();
  }
}

// NUMBER | 'True' | 'False' | 'None' | '...'
Expr* Parser::parse_number_or_constant() {
  const Token& t = cur();
  Expr* e = nullptr;
  switch (t.kind) {
    case TokenKind::IntLiteral: {
      auto* lit = ctx_.make<IntLitExpr>(t.range);
      lit->value = t.int_value;
      lit->overflow = t.int_overflow;
      e = lit;
      break;
    }
    case TokenKind::FloatLiteral: {
      auto* lit = ctx_.make<FloatLitExpr>(t.range);
      lit->value = t.float_value;
      e = lit;
      break;
    }
    case TokenKind::KwTrue:
    case TokenKind::KwFalse:
      e = ctx_.make<BoolLitExpr>(t.range);
      e->as<BoolLitExpr>()->value = t.kind == TokenKind::KwTrue;
      break;
    case TokenKind::KwNone: e = ctx_.make<NoneLitExpr>(t.range); break;
    case TokenKind::Ellipsis: e = ctx_.make<EllipsisLitExpr>(t.range); break;
    default: {
      SourceLoc begin = here();
      error(DiagId::err_expected_expression, error_spot());
      return error_expr(begin);
    }
  }
  advance();
  return e;
}

// strings: STRING+   (adjacent literals are concatenated)
Expr* Parser::parse_strings() {
  SourceLoc begin = here();
  std::string value;
  while (at(TokenKind::StringLiteral)) value += advance().string_value;
  auto* s = make<StringLitExpr>(begin);
  s->value = std::move(value);
  return s;
}

// group: '(' (yield_expr | named_expression) ')'
// tuple: '(' [star_named_expression ',' [star_named_expressions]] ')'
// genexp: '(' expression for_if_clauses ')'   (rejected)
Expr* Parser::parse_paren() {
  SourceLoc begin = here();
  const Token& open = advance();
  if (accept(TokenKind::RParen)) {
    auto* t = make<TupleExpr>(begin);
    t->parenthesized = true;
    return t;
  }
  Expr* first = parse_starred_element();
  if (at(TokenKind::KwFor)) return reject_comprehension(begin, TokenKind::RParen, "generator expressions");
  if (!at(TokenKind::Comma)) {
    expect_closing(TokenKind::RParen, open);
    return first;
  }
  std::vector<Expr*> elts = {first};
  while (accept(TokenKind::Comma)) {
    if (at(TokenKind::RParen) || !starts_expression(cur().kind)) break;
    elts.push_back(parse_starred_element());
  }
  expect_closing(TokenKind::RParen, open);
  auto* t = make<TupleExpr>(begin);
  t->elts = std::move(elts);
  t->parenthesized = true;
  return checked(t, t->elts);
}

// With the opener consumed and a 'for' ahead: reports a comprehension over
// the whole bracketed range and skips past its closer.
Expr* Parser::reject_comprehension(SourceLoc begin, TokenKind closer, const char* what) {
  skip_balanced(closer);
  error(DiagId::err_unsupported_comprehension, since(begin), what)
      .help("write a 'for' loop that fills a vector or a local array instead");
  return error_expr(begin);
}

// list: '[' [star_named_expressions] ']'      (rejected)
// listcomp: '[' named_expression for_if_clauses ']'   (rejected)
Expr* Parser::parse_bracket_display() {
  if (overload_args_ > 0) return parse_overload_display(TokenKind::RBracket);
  SourceLoc begin = here();
  advance();
  if (skip_balanced(TokenKind::RBracket)) {
    error(DiagId::err_unsupported_comprehension, since(begin), "list comprehensions")
        .help("write a 'for' loop that fills a vector or a local array instead");
  } else {
    error(DiagId::err_unsupported_list, since(begin))
        .help("use a vector type such as 'wp.vec3(…)' or a local array 'wp.zeros(shape=…, dtype=…)'");
  }
  return error_expr(begin);
}

// dict: '{' [kvpairs] '}' · set: '{' star_named_expressions '}'
// dictcomp / setcomp                            (all rejected)
Expr* Parser::parse_brace_display() {
  if (overload_args_ > 0) return parse_overload_display(TokenKind::RBrace);
  SourceLoc begin = here();
  advance();
  bool empty = at(TokenKind::RBrace);
  bool saw_colon = false;
  bool saw_for = skip_balanced(TokenKind::RBrace, &saw_colon);
  bool dict = empty || saw_colon;
  if (saw_for) {
    error(DiagId::err_unsupported_comprehension, since(begin), dict ? "dict comprehensions" : "set comprehensions")
        .help("write a 'for' loop instead");
  } else if (dict) {
    error(DiagId::err_unsupported_dict, since(begin)).help("group named values in a '@wp.struct' class");
  } else {
    error(DiagId::err_unsupported_set, since(begin))
        .help("use a vector type such as 'wp.vec3(…)' to hold several values");
  }
  return error_expr(begin);
}

// The types of `wp.overload(kernel, [T, …])` / `wp.overload(kernel, {"name": T, …})`:
// list: '[' [expression (',' expression)* [',']] ']'
// dict: '{' [expression ':' expression (',' expression ':' expression)* [',']] '}'
Expr* Parser::parse_overload_display(TokenKind closer) {
  SourceLoc begin = here();
  const Token& open = advance();
  auto* t = make<TupleExpr>(begin);
  t->display = closer == TokenKind::RBracket ? '[' : '{';
  while (!at(closer) && !in_error_) {
    Expr* e = parse_expression();
    if (t->display == '{') {
      SourceLoc key_begin = e->range.begin;
      if (!expect(TokenKind::Colon, "':' after a key")) break;
      auto* pair = make<TupleExpr>(key_begin);
      pair->elts = {e, parse_expression()};
      pair->range = since(key_begin);
      e = pair;
    }
    t->elts.push_back(e);
    if (!accept(TokenKind::Comma)) break;
  }
  if (in_error_) {
    skip_balanced(closer);
    return error_expr(begin);
  }
  expect_closing(closer, open);
  t->range = since(begin);
  return checked(t, t->elts);
}

// lambdef: 'lambda' [params] ':' expression      (rejected)
Expr* Parser::parse_lambda() {
  SourceLoc begin = here();
  error(DiagId::err_unsupported_lambda, cur().range).help("define a '@wp.func' function and call it instead");
  advance();
  while (!at_line_end() && !at(TokenKind::Colon)) advance();
  if (accept(TokenKind::Colon) && !at_line_end()) parse_expression();
  return error_expr(begin);
}

// call: primary '(' [arguments] ')'
// arguments: arg (',' arg)* [',']
Expr* Parser::parse_call(SourceLoc begin, Expr* func) {
  const Token& open = advance();
  auto* call = ctx_.make<CallExpr>(SourceRange(begin));
  call->func = func;
  int first_keyword = -1;
  const auto* attr = func->as<AttributeExpr>();
  const auto* name = func->as<NameExpr>();
  const bool overload = (attr && attr->attr == "overload") || (name && name->name == "overload");
  overload_args_ += overload;
  while (!at(TokenKind::RParen)) {
    if (!parse_call_argument(call, first_keyword)) break;
    if (!accept(TokenKind::Comma)) break;
  }
  overload_args_ -= overload;
  if (in_error_)
    skip_balanced(TokenKind::RParen);
  else
    expect_closing(TokenKind::RParen, open);
  call->range = since(begin);
  std::vector<Expr*> kids = call->args;
  kids.push_back(func);
  for (const Keyword& k : call->keywords) kids.push_back(k.value);
  return checked(call, kids);
}

// arg: NAME '=' expression | expression | '*' expression
//    | '**' expression | expression for_if_clauses   (rejected)
// Returns false when the argument list cannot continue.
bool Parser::parse_call_argument(CallExpr* call, int& first_keyword) {
  SourceLoc begin = here();
  if (at(TokenKind::Star) && first_keyword < 0) {  // `f(*v)`: expanded by sema
    advance();
    call->args.push_back(parse_expression());
    call->starred.resize(call->args.size(), false);
    call->starred.back() = true;
    return !in_error_;
  }
  if (at(TokenKind::Star) || at(TokenKind::DoubleStar)) {
    std::string_view star = cur().text;
    advance();
    parse_expression();
    error(DiagId::err_unsupported_unpack_arg, since(begin), star)
        .help("pass each component as its own argument, e.g. 'f(v[0], v[1], v[2])'");
    return false;
  }
  if (at(TokenKind::Identifier) && peek().is(TokenKind::Assign)) {
    Keyword kw{std::string(cur().text), cur().range, nullptr};
    advance();
    advance();
    kw.value = parse_expression();
    for (const Keyword& prev : call->keywords)
      if (prev.name == kw.name) {
        error(DiagId::err_duplicate_keyword, kw.name_range, kw.name)
            .note(DiagId::note_previous_keyword, prev.name_range, prev.name);
        break;
      }
    if (first_keyword < 0) first_keyword = static_cast<int>(call->keywords.size());
    call->keywords.push_back(std::move(kw));
    return !in_error_;
  }
  Expr* arg = parse_expression();
  if (at(TokenKind::KwFor)) {
    skip_balanced(TokenKind::RParen);
    error(DiagId::err_unsupported_comprehension, since(begin), "generator expressions")
        .help("write a 'for' loop that accumulates the result instead");
    return false;
  }
  if (!in_error_ && at(TokenKind::Assign)) {
    error(DiagId::err_assign_in_expression, cur().range)
        .help("a keyword argument name must be a plain name; use '==' to compare values");
    return false;
  }
  if (first_keyword >= 0 && !in_error_) {
    const Keyword& kw = call->keywords[first_keyword];
    error(DiagId::err_positional_after_keyword, arg->range)
        .note(DiagId::note_keyword_argument_here, kw.name_range, kw.name);
  }
  call->args.push_back(arg);
  if (!call->starred.empty()) call->starred.resize(call->args.size(), false);
  return !in_error_;
}

// subscript: primary '[' slices ']'
// slices: slice | ','.slice+ [',']        (several slices make a TupleExpr)
Expr* Parser::parse_subscript(SourceLoc begin, Expr* value) {
  const Token& open = advance();
  SourceLoc index_begin = here();
  Expr* index = parse_slice_item();
  if (at(TokenKind::Comma)) {
    std::vector<Expr*> elts = {index};
    while (accept(TokenKind::Comma)) {
      if (at(TokenKind::RBracket) || (!starts_expression(cur().kind) && !at(TokenKind::Colon))) break;
      elts.push_back(parse_slice_item());
    }
    auto* t = make<TupleExpr>(index_begin);
    t->elts = std::move(elts);
    index = checked(t, t->elts);
  }
  if (in_error_)
    skip_balanced(TokenKind::RBracket);
  else
    expect_closing(TokenKind::RBracket, open);
  auto* s = make<SubscriptExpr>(begin);
  s->value = value;
  s->index = index;
  return checked(s, {value, index});
}

// slice: [expression] ':' [expression] [':' [expression]] | named_expression
Expr* Parser::parse_slice_item() {
  SourceLoc begin = here();
  Expr* lower = nullptr;
  if (!at(TokenKind::Colon)) {
    lower = parse_starred_element();
    if (!at(TokenKind::Colon)) return lower;
  }
  advance();  // ':'
  auto ends_part = [&] {
    return at(TokenKind::Colon) || at(TokenKind::Comma) || at(TokenKind::RBracket) || at_line_end();
  };
  auto* s = ctx_.make<SliceExpr>(SourceRange(begin));
  s->lower = lower;
  if (!ends_part()) s->upper = parse_expression();
  if (accept(TokenKind::Colon) && !ends_part()) s->step = parse_expression();
  s->range = since(begin);
  return checked(s, {s->lower, s->upper, s->step});
}

}  // namespace warpc::parse_detail
