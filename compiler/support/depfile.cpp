// depfile.cpp — writes Make-syntax dependency files (see depfile.h).
#include "support/depfile.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace warpc {

namespace {

// Escapes a path for the left or right side of a Make rule.
std::string make_escape(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '#') out += '\\';
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

}  // namespace

bool write_depfile(const std::string& path, const std::string& target, const std::vector<std::string>& deps,
                   std::string& error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    error = std::strerror(errno);
    return false;
  }
  out << make_escape(target) << ':';
  for (const std::string& d : deps) out << " \\\n  " << make_escape(d);
  out << '\n';
  out.close();
  if (!out) {
    error = "write failed";
    return false;
  }
  return true;
}

}  // namespace warpc
