// error.cpp — wp::Error's constructor (see wp/error.h).
#include "wp/error.h"

namespace wp {

Error::Error(std::string cause, std::string kernel)
    : std::runtime_error(compose(cause, kernel)), cause_(std::move(cause)), kernel_(std::move(kernel)) {}

std::string Error::compose(const std::string& cause, const std::string& kernel) {
  return kernel.empty() ? cause : "kernel '" + kernel + "': " + cause;
}

}  // namespace wp
