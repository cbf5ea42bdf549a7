// plot_util.h — pictures of the optimisation examples through gnuplot (Debian gnuplot-nox):
// the example writes a data file and a gnuplot script, and run_gnuplot renders the script
// (its `set output` names the PNG).
//
// Contract:
//  * gnuplot_found(): whether a `gnuplot` executable is on PATH.
//  * run_gnuplot(script): runs `gnuplot <script>` and returns true when it exits 0. When gnuplot
//    is not installed it prints "note: gnuplot not found; <script> was not rendered" and returns
//    false (the examples then skip their picture; their checks do not depend on it).
//  * shell_quote(s): s in single quotes for /bin/sh (embedded quotes escaped).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace example {

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline bool gnuplot_found() {
  return std::system("command -v gnuplot > /dev/null 2>&1") == 0;
}

inline bool run_gnuplot(const std::string& script) {
  if (!gnuplot_found()) {
    std::printf("note: gnuplot not found; %s was not rendered\n", script.c_str());
    return false;
  }
  return std::system(("gnuplot " + shell_quote(script)).c_str()) == 0;
}

}  // namespace example
