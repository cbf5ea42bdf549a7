// module_build.h — turning a .wp file into a loaded kernel library for warpc-gradcheck:
// warpc (--emit=header,cpp[,cuda] --reflect, and --emit=ir for minmax_targets), the host
// compiler (and warpc-nvrtc or nvcc) into a shared library linked with the PIC static
// runtime, dlopen.
//
// Contract:
//  * Toolchain::find(argv0) gives the paths configured at build time (gradcheck_config.h), or
//    those of an installed tree when the tool runs from <prefix>/bin next to warpc with
//    <prefix>/include/wp and <prefix>/lib/libwarpc_runtime.a present.
//  * A sanitizer build of warpc configures its sanitizer flags into Toolchain::cxx_flags:
//    the generated C++ is compiled and the library linked with them, so kernels run
//    instrumented under tools/sanitize.sh as the build-time kernel libraries do.
//  * CUDA kernels: with warpc-nvrtc built (Toolchain::nvrtc), warpc writes the device-only
//    .wp.cu of --cuda-compiler=nvrtc, warpc-nvrtc compiles it to an embedded cubin
//    (<stem>.wp.cubin.cpp, host C++) and the launchers load it through the driver, as
//    add_warp_kernels' default does; WARPC_GRADCHECK_CUDA_COMPILER=nvcc in the environment
//    (or no warpc-nvrtc) compiles the .wp.cu with nvcc instead. Any other value is an error.
//  * build_module() writes everything under `work_dir`; a failing step throws BuildError
//    carrying the command and its output. warpc's stderr is kept (refusal warnings).
//  * Library owns the dlopen handle (RTLD_NOW | RTLD_LOCAL); kernels() is the reflection
//    table. The library links its own copy of the runtime (symbols hidden), sharing only the
//    CUDA runtime (libcudart.so) with the tool: memory passes between them as raw pointers.
//  * refusal_reasons(warpc_stderr): kernel → the reason text of "no backward pass for kernel
//    'K': REASON" warnings.
//  * kernel_warnings(warpc_stderr): kernel → the text of its first "warning: kernel 'K' …"
//    (the warnings about a kernel whose backward pass is generated).
//  * minmax_targets(ir): kernel → names of its array parameters that are atomic_min /
//    atomic_max targets (directly or through called functions).
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "wp/reflect.h"

namespace gradcheck {

struct Toolchain {
  std::string warpc, cxx, nvcc, nvrtc, cuda_arch, runtime_lib, cuda_lib_dir;
  std::vector<std::string> include_dirs;
  bool runtime_cuda = false;
  std::vector<std::string> warpc_flags;  // extra warpc options (--loop-ad=…)
  // Extra host compiler (and nvcc) options for compiling and linking the kernel library: the
  // sanitizer flags of a WARPC_SANITIZE / WARPC_SANITIZE_THREAD build (its runtime library is
  // instrumented), -DWARPC_DEBUG=1 for bounds-checked kernels.
  std::vector<std::string> cxx_flags;
  static Toolchain find(const char* argv0);
};

struct BuildError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ModuleBuild {
  std::string library;        // the shared library
  std::string warpc_stderr;   // warnings
  std::string ir;             // warpc --emit=ir
};

ModuleBuild build_module(const Toolchain& tc, const std::string& wp_file,
                         const std::vector<std::string>& includes, bool cuda,
                         const std::string& work_dir, bool verbose);

class Library {
 public:
  explicit Library(const std::string& path);
  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
  std::vector<const wp::reflect::KernelInfo*> kernels() const;

 private:
  void* handle_ = nullptr;
  const wp::reflect::KernelInfo* table_ = nullptr;
  int count_ = 0;
};

std::map<std::string, std::string> refusal_reasons(const std::string& warpc_stderr);
// kernel → the reason of "no forward-mode (JVP) pass for kernel 'K': REASON" warnings.
std::map<std::string, std::string> jvp_refusal_reasons(const std::string& warpc_stderr);
std::map<std::string, std::string> kernel_warnings(const std::string& warpc_stderr);
std::map<std::string, std::set<std::string>> minmax_targets(const std::string& ir);

// A fresh directory under $TMPDIR (or /tmp); remove_tree deletes it.
std::string make_temp_dir();
void remove_tree(const std::string& dir);

}  // namespace gradcheck
