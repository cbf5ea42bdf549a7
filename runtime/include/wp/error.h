// wp/error.h — the runtime's one exception type.
//
// Contract:
//  * Every runtime failure the C++ layer reports is a wp::Error (a std::runtime_error).
//  * kernel() names the kernel whose launch failed ("" when the error is not tied to a
//    launch); cause() is the message alone; what() is "kernel 'name': cause", or just the
//    cause when no kernel is named.
//  * Asynchronous CUDA errors surface at wp::synchronize().
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace wp {

class Error : public std::runtime_error {
 public:
  // Out of line (runtime/src/error.cpp): every generated launcher throws, and an inline
  // constructor would be compiled into each of them.
  explicit Error(std::string cause, std::string kernel = {});

  const std::string& cause() const noexcept { return cause_; }
  const std::string& kernel() const noexcept { return kernel_; }

 private:
  static std::string compose(const std::string& cause, const std::string& kernel);

  std::string cause_;
  std::string kernel_;
};

}  // namespace wp
