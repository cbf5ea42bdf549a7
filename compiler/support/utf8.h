// utf8.h — UTF-8 decoding and the code points warpc accepts in identifiers.
//
// Contract:
//  * decode_utf8(s, pos) decodes the sequence starting at s[pos]: its code point and byte
//    length, or length 0 when the bytes there are not well-formed UTF-8 (a stray continuation
//    byte, a truncated sequence, an overlong form, a surrogate, or a value above U+10FFFF).
//  * first_invalid_utf8(s) is the offset of the first byte that is not part of a well-formed
//    sequence, or std::string_view::npos. Python reads source files as UTF-8 and rejects any
//    other bytes (PEP 3120); so does warpc.
//  * identifier_code_point(cp, start) says whether a non-ASCII code point may appear in an
//    identifier (start: as its first character). warpc writes .wp identifiers into C++
//    unchanged, so it accepts the characters C++ compilers take in identifiers (the ranges of
//    C++11 Annex E.1, which g++ and NVRTC accept, less the combining marks Annex E.2 keeps
//    from starting one): letters of every script, digits, marks; not spaces, punctuation or
//    controls such as U+00A0, U+00D7 or U+2028.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace warpc {

struct Utf8Char {
  uint32_t code_point = 0;
  int length = 0;  // 0: not well-formed UTF-8
};

Utf8Char decode_utf8(std::string_view s, std::size_t pos);
std::size_t first_invalid_utf8(std::string_view s);
bool identifier_code_point(uint32_t cp, bool start);

}  // namespace warpc
