// wp/device.h — where an array lives and where a launch runs.
//
// Contract:
//  * A Device is "cpu" or "cuda:N" (N ≥ 0). It is parsed from "cpu", "cuda" (= "cuda:0")
//    or "cuda:N"; anything else throws wp::Error naming the bad string and the valid forms.
//  * A default-constructed Device is the CPU. Devices are cheap values, compared by kind
//    and ordinal. ordinal() is -1 for the CPU (as in Warp) and N for "cuda:N".
//  * Parsing never touches a GPU: "cuda:7" is a valid Device even with no GPU; using it
//    for allocation fails later with a wp::Error.
#pragma once

#include <string>
#include <string_view>

namespace wp {

enum class DeviceKind { cpu, cuda };

class Device {
 public:
  Device() = default;  // the CPU
  Device(const char* spec) : Device(std::string_view(spec)) {}         // NOLINT: implicit
  Device(const std::string& spec) : Device(std::string_view(spec)) {}  // NOLINT: implicit
  Device(std::string_view spec);                                       // NOLINT: implicit

  static Device cpu() { return Device(); }
  static Device cuda(int ordinal = 0);

  DeviceKind kind() const { return kind_; }
  bool is_cpu() const { return kind_ == DeviceKind::cpu; }
  bool is_cuda() const { return kind_ == DeviceKind::cuda; }
  int ordinal() const { return ordinal_; }
  std::string str() const;  // "cpu" or "cuda:N"

  friend bool operator==(const Device& a, const Device& b) {
    return a.kind_ == b.kind_ && a.ordinal_ == b.ordinal_;
  }

 private:
  DeviceKind kind_ = DeviceKind::cpu;
  int ordinal_ = -1;
};

}  // namespace wp
