// device.cpp — parsing and printing of wp::Device.
#include "wp/device.h"

#include <limits>

#include "wp/error.h"

namespace wp {
namespace {

[[noreturn]] void bad_device(std::string_view spec, const char* why) {
  throw Error("invalid device '" + std::string(spec) + "': " + why +
              "; expected \"cpu\", \"cuda\" or \"cuda:N\" with N a non-negative integer");
}

// Parses the N of "cuda:N": decimal digits only, no sign, fits an int.
int parse_ordinal(std::string_view spec, std::string_view digits) {
  if (digits.empty()) bad_device(spec, "missing device ordinal after 'cuda:'");
  long long value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') bad_device(spec, "device ordinal is not a non-negative integer");
    value = value * 10 + (c - '0');
    if (value > std::numeric_limits<int>::max()) bad_device(spec, "device ordinal is too large");
  }
  return static_cast<int>(value);
}

}  // namespace

Device::Device(std::string_view spec) {
  if (spec == "cpu") return;
  if (spec == "cuda") {
    kind_ = DeviceKind::cuda;
    ordinal_ = 0;
    return;
  }
  constexpr std::string_view prefix = "cuda:";
  if (spec.substr(0, prefix.size()) != prefix) bad_device(spec, "unknown device kind");
  kind_ = DeviceKind::cuda;
  ordinal_ = parse_ordinal(spec, spec.substr(prefix.size()));
}

Device Device::cuda(int ordinal) {
  if (ordinal < 0) {
    throw Error("invalid CUDA device ordinal " + std::to_string(ordinal) +
                ": it must be non-negative");
  }
  Device d;
  d.kind_ = DeviceKind::cuda;
  d.ordinal_ = ordinal;
  return d;
}

std::string Device::str() const {
  return is_cpu() ? std::string("cpu") : "cuda:" + std::to_string(ordinal_);
}

}  // namespace wp
