// text_escape.h — one-line, unambiguous spelling of arbitrary text for the
// --emit dumps: backslash as \\, control bytes as \n \r \t \f \v or \xHH and,
// with `quote`, '"' as \". Used by the token and AST printers.
#pragma once

#include <string>
#include <string_view>

namespace warpc {

std::string escape_text(std::string_view s, bool quote);

}  // namespace warpc
