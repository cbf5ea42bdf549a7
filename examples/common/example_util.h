// example_util.h — what the examples' programs share: choosing the device, a look-at camera
// basis, and writing a linear-RGB image as a gamma-encoded PNG through libpng.
//
// Contract:
//  * pick_device(name): `name` empty → cuda:0 when a CUDA GPU is present, else the CPU;
//    otherwise the named device. Returns nullopt for a CUDA device with no GPU present (the
//    caller prints "skipped: no CUDA device" and exits kSkipCode, which CTest reports as
//    skipped).
//  * run_on_device(device_name, program, run): the examples' main() body — picks the device
//    (pick_device), prints "skipped: no CUDA device" and returns kSkipCode when there is none,
//    else returns run(device); an exception becomes "<program>: error: …" on stderr and exit 1.
//  * SceneOptions / parse_scene_options(argc, argv, program, defaults, extra_usage, extra): the
//    command line of the particle-scene examples (--device, --out, --n, --steps, --frames,
//    --width, --height; `extra(flag, value)` takes the example's own flags and returns false for
//    an unknown one). Integers must be whole decimal numbers; a missing value, an unknown flag or
//    a value out of range prints the usage and exits 2.
//  * GraphedStep(device, enabled).run(step): step() captured once into a CUDA graph and
//    replayed on a GPU (enabled, the default of --graph), called directly otherwise.
//  * Camera::look_at(eye, target[, world_up]): unit forward, right and up vectors (world up:
//    +z unless given).
//  * picture_due(step, steps, frames): whether step (1..steps) is one of `frames` pictures spread
//    evenly over a run, the last step always among them (every step when frames ≥ steps);
//    picture_path(dir, program, index) is "<dir>/<program>_<index, 3 digits>.png".
//  * write_png(path, rgb, width, height): rgb holds width·height linear colours, rows top to
//    bottom; each channel is clamped to [0, 1] and encoded with gamma 2. Throws wp::Error when
//    the file cannot be written.
#pragma once

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "wp/wp.h"

namespace example {

inline constexpr int kSkipCode = 77;

inline std::optional<wp::Device> pick_device(const std::string& name) {
  if (name.empty()) return wp::cuda_device_count() > 0 ? wp::Device("cuda:0") : wp::Device("cpu");
  wp::Device dev(name);
  if (dev.is_cuda() && wp::cuda_device_count() == 0) return std::nullopt;
  return dev;
}

template <typename Run>
int run_on_device(const std::string& device_name, const char* program, Run&& run) {
  try {
    const std::optional<wp::Device> dev = pick_device(device_name);
    if (!dev) {
      std::printf("skipped: no CUDA device\n");
      return kSkipCode;
    }
    return run(*dev);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return 1;
  }
}

struct SceneOptions {
  std::string device, out = ".";
  int n = 8192, steps = 720, frames = 1, width = 640, height = 360;
  bool graph = true;  // --graph on|off: replay captured CUDA graphs on a GPU (GraphedStep)
};

template <typename Extra>
SceneOptions parse_scene_options(int argc, char** argv, const char* program, SceneOptions o,
                                 const std::string& extra_usage, Extra&& extra) {
  auto print_usage = [&](std::FILE* to) {
    std::fprintf(to,
                 "usage: %s [--device cpu|cuda[:N]]%s [--n N] [--steps S] [--frames F] [--out DIR] "
                 "[--width W] [--height H] [--graph on|off]\n",
                 argv[0], extra_usage.c_str());
  };
  auto usage = [&](const std::string& problem) {
    std::fprintf(stderr, "%s: %s\n", program, problem.c_str());
    print_usage(stderr);
    std::exit(2);
  };
  auto integer = [&](const std::string& flag, const std::string& v) {
    char* end = nullptr;
    const long x = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || x < -1000000000L || x > 1000000000L)
      usage("'" + v + "' after " + flag + " is not an integer");
    return static_cast<int>(x);
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") print_usage(stdout), std::exit(0);
    if (i + 1 >= argc) usage("missing value after '" + a + "'");
    const std::string v = argv[++i];
    if (a == "--device") o.device = v;
    else if (a == "--out") o.out = v;
    else if (a == "--n") o.n = integer(a, v);
    else if (a == "--steps") o.steps = integer(a, v);
    else if (a == "--frames") o.frames = integer(a, v);
    else if (a == "--width") o.width = integer(a, v);
    else if (a == "--height") o.height = integer(a, v);
    else if (a == "--graph" && (v == "on" || v == "off")) o.graph = v == "on";
    else if (a == "--graph") usage("--graph takes 'on' or 'off', got '" + v + "'");
    else if (!extra(a, v)) usage("unknown argument '" + a + "'");
  }
  if (o.n < 1 || o.steps < 1 || o.frames < 0 || o.width < 8 || o.height < 8)
    usage("--n and --steps must be positive, --frames ≥ 0, --width and --height ≥ 8");
  return o;
}

// One simulation step (or frame) replayed as a CUDA graph: on a CUDA device with graphs
// enabled, the first run(step) captures step() (nothing runs then) and every run(step)
// replays the graph with one launch; otherwise run(step) calls step(). The step must queue
// the same work on the same arrays every time (launches, fills, device copies; no host
// reads), which is what lets one capture stand for all of them.
class GraphedStep {
 public:
  GraphedStep(const wp::Device& device, bool enabled) : device_(device), enabled_(enabled && device.is_cuda()) {}
  template <typename Step>
  void run(Step&& step) {
    if (!enabled_) return step();
    if (!graph_) {
      wp::ScopedCapture capture(device_);
      step();
      graph_ = capture.end();
    }
    wp::capture_launch(graph_);
  }
  bool graphed() const { return enabled_; }

 private:
  wp::Device device_;
  bool enabled_;
  wp::Graph graph_;
};

inline wp::vec3 normalized(const wp::vec3& a) {
  const float l = std::sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
  return {{a[0] / l, a[1] / l, a[2] / l}};
}

inline wp::vec3 cross(const wp::vec3& a, const wp::vec3& b) {
  return {{a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]}};
}

struct Camera {
  wp::vec3 eye, forward, right, up;
  static Camera look_at(const wp::vec3& eye, const wp::vec3& target,
                        const wp::vec3& world_up = {{0.0f, 0.0f, 1.0f}}) {
    Camera c;
    c.eye = eye;
    c.forward = normalized({{target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]}});
    c.right = normalized(cross(c.forward, world_up));
    c.up = cross(c.right, c.forward);
    return c;
  }
};

inline bool picture_due(int step, int steps, int frames) {
  return frames > 0 && (static_cast<long long>(step) * frames) % steps < frames;
}

inline std::string picture_path(const std::string& dir, const char* program, int index) {
  char name[16];
  std::snprintf(name, sizeof name, "_%03d.png", index);
  return dir + "/" + program + name;
}

inline void write_png(const std::string& path, const std::vector<wp::vec3>& rgb, int width, int height) {
  std::vector<unsigned char> bytes(static_cast<std::size_t>(width) * height * 3);
  for (std::size_t i = 0; i < rgb.size(); ++i)
    for (int c = 0; c < 3; ++c) {
      const float g = std::sqrt(std::clamp(rgb[i][c], 0.0f, 1.0f));  // gamma ≈ 2
      bytes[i * 3 + c] = static_cast<unsigned char>(std::lround(g * 255.0f));
    }
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = PNG_FORMAT_RGB;
  if (!png_image_write_to_file(&image, path.c_str(), 0, bytes.data(), 0, nullptr))
    throw wp::Error("cannot write " + path + ": " + image.message);
}

}  // namespace example
