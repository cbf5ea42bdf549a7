// token.cpp — names and spellings of token kinds, generated from the
// WARPC_TOKEN_KINDS X-macro in token.h so the three views never drift.
#include "parse/token.h"

namespace warpc {

namespace {

struct KindText {
  std::string_view name;
  std::string_view spelling;
};

constexpr KindText kKindTexts[] = {
#define X(kind, name, spelling) {name, spelling},
    WARPC_TOKEN_KINDS(X)
#undef X
};

}  // namespace

std::string_view token_kind_name(TokenKind k) { return kKindTexts[static_cast<size_t>(k)].name; }

std::string_view token_kind_spelling(TokenKind k) { return kKindTexts[static_cast<size_t>(k)].spelling; }

}  // namespace warpc
