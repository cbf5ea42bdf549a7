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
  explicit Error(std::string cause, std::string kernel = {})
      : std::runtime_error(compose(cause, kernel)),
        cause_(std::move(cause)),
        kernel_(std::move(kernel)) {}

  const std::string& cause() const noexcept { return cause_; }
  const std::string& kernel() const noexcept { return kernel_; }

 private:
  static std::string compose(const std::string& cause, const std::string& kernel) {
    return kernel.empty() ? cause : "kernel '" + kernel + "': " + cause;
  }

  std::string cause_;
  std::string kernel_;
};

}  // namespace wp
