// text_escape.cpp — see text_escape.h.
#include "support/text_escape.h"

namespace warpc {

std::string escape_text(std::string_view s, bool quote) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\f': out += "\\f"; continue;
      case '\v': out += "\\v"; continue;
      default: break;
    }
    if (c == '\\' || (quote && c == '"')) {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += {'\\', 'x', kHex[u >> 4], kHex[u & 15]};
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace warpc
