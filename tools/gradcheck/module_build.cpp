// module_build.cpp — warpc + host compiler + dlopen for warpc-gradcheck (see module_build.h).
#include "module_build.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "gradcheck_config.h"

namespace gradcheck {
namespace fs = std::filesystem;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The first `max_lines` lines of `text` (compiler output can run to thousands of lines).
std::string head(const std::string& text, int max_lines) {
  size_t pos = 0;
  for (int i = 0; i < max_lines && pos != std::string::npos; ++i) {
    pos = text.find('\n', pos);
    if (pos != std::string::npos) ++pos;
  }
  return pos == std::string::npos ? text : text.substr(0, pos) + "[… output truncated]\n";
}

std::string quoted(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

// Runs argv (no shell) with stdout and stderr sent to the two files; returns the exit status.
int run(const std::vector<std::string>& argv, const std::string& out_file,
        const std::string& err_file, bool verbose) {
  if (verbose) std::cerr << "+ " << quoted(argv) << "\n";
  const pid_t pid = fork();
  if (pid < 0) throw BuildError("fork failed");
  if (pid == 0) {
    const int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0) _exit(127);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// run() that throws BuildError with the command and its output on a non-zero status.
std::string must_run(const std::vector<std::string>& argv, const std::string& dir,
                     const std::string& tag, bool verbose, std::string* err_text = nullptr) {
  const std::string out = dir + "/" + tag + ".out", err = dir + "/" + tag + ".err";
  const int rc = run(argv, out, err, verbose);
  if (err_text) *err_text = read_text(err);
  if (rc != 0) {
    throw BuildError("command failed (exit " + std::to_string(rc) + "): " + quoted(argv) + "\n" +
                     head(read_text(out) + read_text(err), 30));
  }
  return read_text(out);
}

std::string stem_of(const std::string& wp_file) {
  std::string name = fs::path(wp_file).filename().string();
  if (name.size() > 3 && name.ends_with(".wp")) name.resize(name.size() - 3);
  return name;
}

// The directory holding libcudart.so: the one configured at build time when it has it, else
// the usual places next to nvcc (toolkits lay out lib, lib64 or targets/<arch>/lib), so that
// a build tree copied to another machine still links.
std::string find_cuda_lib_dir(const std::string& configured, const std::string& nvcc) {
  std::vector<fs::path> candidates = {configured};
  const fs::path root = fs::path(nvcc).parent_path().parent_path();
  for (const char* sub : {"lib64", "lib", "targets/x86_64-linux/lib", "targets/sbsa-linux/lib"})
    candidates.push_back(root / sub);
  std::error_code ec;
  for (const fs::path& dir : candidates)
    if (!dir.empty() && fs::exists(dir / "libcudart.so", ec)) return dir.string();
  return configured;
}

}  // namespace

Toolchain Toolchain::find(const char* argv0) {
  Toolchain tc;
  tc.warpc = GRADCHECK_WARPC;
  tc.cxx = GRADCHECK_CXX;
  tc.nvcc = GRADCHECK_NVCC;
  tc.nvrtc = GRADCHECK_NVRTC;
  tc.cuda_arch = GRADCHECK_CUDA_ARCH;
  tc.runtime_lib = GRADCHECK_RUNTIME_LIB;
  tc.cuda_lib_dir = find_cuda_lib_dir(GRADCHECK_CUDA_LIB_DIR, tc.nvcc);
  tc.include_dirs = {GRADCHECK_RUNTIME_INCLUDE, GRADCHECK_STDLIB_INCLUDE, GRADCHECK_NANOVDB_INCLUDE};
  tc.runtime_cuda = GRADCHECK_RUNTIME_CUDA;
  std::istringstream sanitizer_flags(GRADCHECK_SANITIZER_FLAGS);
  for (std::string flag; sanitizer_flags >> flag;) tc.cxx_flags.push_back(flag);
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (ec) return tc;
  const fs::path prefix = exe.parent_path().parent_path();
  const fs::path lib = prefix / "lib" / "libwarpc_runtime.a";
  if (fs::exists(exe.parent_path() / "warpc") && fs::exists(prefix / "include/wp/wp.h") &&
      fs::exists(lib)) {  // an installed tree: <prefix>/bin/{warpc,warpc-gradcheck}
    tc.warpc = (exe.parent_path() / "warpc").string();
    const fs::path nvrtc = exe.parent_path() / "warpc-nvrtc";
    tc.nvrtc = fs::exists(nvrtc) ? nvrtc.string() : "";
    tc.runtime_lib = lib.string();
    tc.include_dirs = {(prefix / "include").string()};
  }
  (void)argv0;
  return tc;
}

ModuleBuild build_module(const Toolchain& tc, const std::string& wp_file,
                         const std::vector<std::string>& includes, bool cuda,
                         const std::string& dir, bool verbose) {
  ModuleBuild mb;
  const std::string stem = stem_of(wp_file);
  bool use_nvrtc = cuda && !tc.nvrtc.empty();
  if (const char* choice = std::getenv("WARPC_GRADCHECK_CUDA_COMPILER"); cuda && choice && *choice) {
    const std::string c = choice;
    if (c != "nvrtc" && c != "nvcc")
      throw BuildError("WARPC_GRADCHECK_CUDA_COMPILER='" + c + "': expected nvrtc or nvcc");
    if (c == "nvrtc" && tc.nvrtc.empty())
      throw BuildError("WARPC_GRADCHECK_CUDA_COMPILER=nvrtc, but this build has no warpc-nvrtc");
    use_nvrtc = c == "nvrtc";
  }
  std::vector<std::string> warpc = {tc.warpc, wp_file};
  for (const std::string& i : includes) warpc.insert(warpc.end(), {"-I", i});
  warpc.insert(warpc.end(), tc.warpc_flags.begin(), tc.warpc_flags.end());
  std::vector<std::string> gen = warpc;
  gen.insert(gen.end(), {cuda ? "--emit=header,cpp,cuda" : "--emit=header,cpp", "--reflect", "--jvp",
                         "--namespace", "gradcheck_module", "-o", dir, "--color", "never"});
  if (use_nvrtc) gen.push_back("--cuda-compiler=nvrtc");
  must_run(gen, dir, "warpc", verbose, &mb.warpc_stderr);
  std::vector<std::string> ir = warpc;
  ir.insert(ir.end(), {"--emit=ir", "--color", "never"});
  mb.ir = must_run(ir, dir, "warpc-ir", verbose);

  std::vector<std::string> flags = {"-std=c++20", "-O1", "-fPIC", "-I" + dir};
  for (const std::string& i : tc.include_dirs) flags.push_back("-I" + i);
  if (tc.runtime_cuda) flags.push_back("-DWARPC_RUNTIME_CUDA");
  flags.insert(flags.end(), tc.cxx_flags.begin(), tc.cxx_flags.end());
  std::vector<std::string> objects;
  if (use_nvrtc) {
    std::vector<std::string> rtc = {tc.nvrtc, dir + "/" + stem + ".wp.cu", "-o", dir + "/" + stem + ".wp.cubin.cpp",
                                    "--arch", tc.cuda_arch};
    for (const std::string& i : tc.include_dirs) rtc.push_back("-I" + i);
    for (const std::string& f : tc.cxx_flags)  // the -D flags (WARPC_DEBUG); the rest are host-only
      if (f.rfind("-D", 0) == 0) rtc.push_back(f);
    must_run(rtc, dir, "warpc-nvrtc", verbose);
    std::vector<std::string> cc = {tc.cxx};
    cc.insert(cc.end(), flags.begin(), flags.end());
    cc.insert(cc.end(), {"-c", dir + "/" + stem + ".wp.cubin.cpp", "-o", dir + "/cubin.o"});
    must_run(cc, dir, "cxx-cubin", verbose);
    objects.push_back(dir + "/cubin.o");
    flags.push_back("-DWARPC_KERNELS_CUDA=1");
  } else if (cuda) {
    std::vector<std::string> nv = {tc.nvcc, "-std=c++20", "-O1", "-arch=" + tc.cuda_arch,
                                   "-Xcompiler=-fPIC", "-I" + dir, "-DWARPC_RUNTIME_CUDA"};
    for (const std::string& i : tc.include_dirs) nv.push_back("-I" + i);
    for (const std::string& f : tc.cxx_flags)  // -D/-I as they are; host-only flags through -Xcompiler
      nv.push_back(f.rfind("-D", 0) == 0 || f.rfind("-I", 0) == 0 ? f : "-Xcompiler=" + f);
    nv.insert(nv.end(), {"-c", dir + "/" + stem + ".wp.cu", "-o", dir + "/cu.o"});
    must_run(nv, dir, "nvcc", verbose);
    objects.push_back(dir + "/cu.o");
    flags.push_back("-DWARPC_KERNELS_CUDA=1");
  }
  std::vector<std::string> cc = {tc.cxx};
  cc.insert(cc.end(), flags.begin(), flags.end());
  cc.insert(cc.end(), {"-c", dir + "/" + stem + ".wp.cpp", "-o", dir + "/cpp.o"});
  must_run(cc, dir, "cxx", verbose);
  objects.insert(objects.begin(), dir + "/cpp.o");

  mb.library = dir + "/lib" + stem + "_gradcheck.so";
  std::vector<std::string> ld = {tc.cxx, "-shared", "-o", mb.library};
  ld.insert(ld.end(), tc.cxx_flags.begin(), tc.cxx_flags.end());
  ld.insert(ld.end(), objects.begin(), objects.end());
  ld.insert(ld.end(), {tc.runtime_lib, "-Wl,--exclude-libs,ALL", "-pthread"});
  if (tc.runtime_cuda)
    ld.insert(ld.end(), {"-L" + tc.cuda_lib_dir, "-Wl,-rpath," + tc.cuda_lib_dir, "-lcudart"});
  must_run(ld, dir, "link", verbose);
  return mb;
}

Library::Library(const std::string& path) {
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) throw BuildError(std::string("dlopen failed: ") + dlerror());
  using TableFn = const wp::reflect::KernelInfo* (*)(int*);
  auto fn = reinterpret_cast<TableFn>(dlsym(handle_, "warpc_reflect_kernels"));
  if (!fn) throw BuildError(path + " has no warpc_reflect_kernels (warpc --reflect)");
  table_ = fn(&count_);
}

Library::~Library() {
  if (handle_) dlclose(handle_);
}

std::vector<const wp::reflect::KernelInfo*> Library::kernels() const {
  std::vector<const wp::reflect::KernelInfo*> out;
  for (int i = 0; i < count_; ++i) out.push_back(&table_[i]);
  return out;
}

std::map<std::string, std::string> refusal_reasons(const std::string& text) {
  static const std::regex re(R"(no backward pass for kernel '([A-Za-z_0-9]+)': ([^\n]*))");
  std::map<std::string, std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    out[(*it)[1]] = (*it)[2];
  return out;
}

std::map<std::string, std::string> jvp_refusal_reasons(const std::string& text) {
  static const std::regex re(R"(no forward-mode \(JVP\) pass for kernel '([A-Za-z_0-9]+)': ([^\n]*))");
  std::map<std::string, std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    out[(*it)[1]] = (*it)[2];
  return out;
}

std::map<std::string, std::string> kernel_warnings(const std::string& text) {
  static const std::regex re(R"(warning: kernel '([A-Za-z_0-9]+)' ([^\n]*))");
  std::map<std::string, std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    out.emplace((*it)[1], "kernel '" + (*it)[1].str() + "' " + (*it)[2].str());
  return out;
}

std::string make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/warpc-gradcheck-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw BuildError("cannot create a temporary directory in " + tmpl);
  return tmpl;
}

void remove_tree(const std::string& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace gradcheck
