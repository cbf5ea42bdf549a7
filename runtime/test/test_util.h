// test_util.h — helpers shared by the runtime's GoogleTest files.
#pragma once

#include <string>

#include "wp/error.h"

namespace wp_test {

// Runs `f` and returns the wp::Error message it throws ("<no error>" otherwise).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const wp::Error& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace wp_test
