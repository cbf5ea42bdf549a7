// ast.cpp — small helpers of the AST: the Python spelling of each operator.
//
// Contract: every enumerator of BinaryOp/UnaryOp/BoolOpKind/CompareOp has a
// spelling; the spellings are exactly what a user writes in source.
#include "parse/ast.h"

namespace warpc::ast {

std::string_view binary_op_spelling(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Mul: return "*";
    case BinaryOp::MatMul: return "@";
    case BinaryOp::Div: return "/";
    case BinaryOp::FloorDiv: return "//";
    case BinaryOp::Mod: return "%";
    case BinaryOp::Pow: return "**";
    case BinaryOp::LShift: return "<<";
    case BinaryOp::RShift: return ">>";
    case BinaryOp::BitAnd: return "&";
    case BinaryOp::BitOr: return "|";
    case BinaryOp::BitXor: return "^";
  }
  return "?";
}

std::string_view unary_op_spelling(UnaryOp op) {
  switch (op) {
    case UnaryOp::Neg: return "-";
    case UnaryOp::Pos: return "+";
    case UnaryOp::Invert: return "~";
    case UnaryOp::Not: return "not";
  }
  return "?";
}

std::string_view bool_op_spelling(BoolOpKind op) { return op == BoolOpKind::And ? "and" : "or"; }

std::string_view compare_op_spelling(CompareOp op) {
  switch (op) {
    case CompareOp::Lt: return "<";
    case CompareOp::Gt: return ">";
    case CompareOp::LtE: return "<=";
    case CompareOp::GtE: return ">=";
    case CompareOp::Eq: return "==";
    case CompareOp::NotEq: return "!=";
    case CompareOp::Is: return "is";
    case CompareOp::IsNot: return "is not";
    case CompareOp::In: return "in";
    case CompareOp::NotIn: return "not in";
  }
  return "?";
}

}  // namespace warpc::ast
