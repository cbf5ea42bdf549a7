// warpc_nvrtc.cpp — `warpc-nvrtc`: compiles the device-only <stem>.wp.cu that
// `warpc --cuda-compiler=nvrtc` writes with NVRTC, at build time, into <stem>.wp.cubin.cpp:
// a C++ file (plain C++, including only wp/cuda_image.h) defining the module's wp::detail::CudaImage — one
// cubin per requested architecture plus the PTX of the oldest — that the generated launchers
// load with wp/cuda_module.h.
//
//   warpc-nvrtc IN.wp.cu -o OUT.cpp [--arch sm_90]... [-I DIR]... [-D NAME[=VALUE]]... [-G] [--lineinfo]
//               [--depfile FILE] [--time]
//
// Contract:
//  * IN must carry warpc's marker line `// warpc-nvrtc-namespace: NS::impl` (else exit 2);
//    cuda_image_<module> (non-identifier characters as '_') is defined in that namespace.
//  * Each -I DIR is passed to NVRTC; when DIR/wp/rtc/std_shim.h exists, DIR/wp/rtc is searched
//    first (the minimal standard-library names of wp/rtc/std_shim.h: NVRTC has no libstdc++).
//  * nanovdb/NanoVDB.h (volume builtins) is found in the -I folders, else in /usr/include and
//    /usr/local/include, and handed to NVRTC as that one header (NanoVDB supports NVRTC),
//    without putting the system folders on NVRTC's include path.
//  * cuda_bf16.h (included by wp/bfloat16.h in device code) comes from the CUDA toolkit: when no
//    -I folder holds it, the toolkit's include folder warpc-nvrtc was built with
//    (WARPC_CUDA_INCLUDE_DIR), else $CUDA_HOME/include or /usr/local/cuda/include, is searched
//    last.
//  * NVRTC options: -arch=sm_NN -std=c++20 -default-device
//    -DWARPC_DEVICE_CODE=1 -DNDEBUG and the given -D/-G/--lineinfo; default architecture sm_90.
//  * A compile error prints NVRTC's log (file(line): error: …, paths as given) to stderr and
//    exits 1 without touching OUT. OUT is replaced only when its content changes (so a
//    rebuild that produces the same code recompiles nothing after it).
//  * --time prints the seconds NVRTC took per architecture to stderr.
//  * --depfile FILE writes a Make-style dependency file `OUT: IN HEADER…` (absolute paths) after a
//    successful compile: every header IN reaches through #include lines that resolve in the
//    including file's folder (quoted includes), then in the folders NVRTC searches (wp/rtc, the -I
//    folders, the toolkit's), plus the NanoVDB header handed over as text. Every #include line
//    counts, whatever #if surrounds it (a superset: a header that cannot matter may trigger a
//    rebuild, a header that matters is never missed); names that resolve nowhere (NVRTC's own
//    built-in headers) are not dependencies. The build system rebuilds the cubins when a builtin
//    header changes (NVRTC reports no include list itself).
#include <cctype>
#include <nvrtc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/depfile.h"

namespace fs = std::filesystem;

namespace {

struct Options {
  std::string input, output, depfile;
  std::vector<int> archs;
  std::vector<std::string> includes, defines;
  bool debug = false, lineinfo = false, time = false;
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "warpc-nvrtc: " << why << "\n"
            << "usage: warpc-nvrtc IN.wp.cu -o OUT.cpp [--arch sm_NN]... [-I DIR]... [-D NAME[=VALUE]]... [-G] "
               "[--lineinfo] [--depfile FILE] [--time]\n";
  std::exit(2);
}

int parse_arch(const std::string& a) {
  std::string s = a.rfind("sm_", 0) == 0 ? a.substr(3) : a;
  while (!s.empty() && std::isalpha(static_cast<unsigned char>(s.back()))) s.pop_back();  // 90a → 90
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) usage("bad architecture '" + a + "'");
  return std::stoi(s);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string& flag) -> std::string {
      if (a.size() > flag.size() && a.rfind(flag, 0) == 0) return a.substr(flag.size() + (a[flag.size()] == '=' ? 1 : 0));
      if (i + 1 >= argc) usage("no value after " + flag);
      return argv[++i];
    };
    if (a == "-o" || a.rfind("-o", 0) == 0 && a.size() > 2 && a[2] != '-') o.output = value("-o");
    else if (a.rfind("--arch", 0) == 0) o.archs.push_back(parse_arch(value("--arch")));
    else if (a.rfind("-I", 0) == 0) o.includes.push_back(value("-I"));
    else if (a.rfind("-D", 0) == 0) o.defines.push_back(value("-D"));
    else if (a == "-G") o.debug = true;
    else if (a == "--lineinfo") o.lineinfo = true;
    else if (a == "--time") o.time = true;
    else if (a.rfind("--depfile", 0) == 0) o.depfile = value("--depfile");
    else if (!a.empty() && a[0] == '-') usage("unknown option '" + a + "'");
    else if (o.input.empty()) o.input = a;
    else usage("more than one input file");
  }
  if (o.input.empty()) usage("no input file");
  if (o.output.empty()) usage("no output file (-o)");
  if (o.archs.empty()) o.archs.push_back(90);
  return o;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::cerr << "warpc-nvrtc: cannot read '" << path << "'\n";
    std::exit(1);
  }
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// The namespace of warpc's marker line.
std::string marker_namespace(const std::string& source, const std::string& path) {
  const std::string marker = "// warpc-nvrtc-namespace: ";
  size_t at = source.find(marker);
  if (at == std::string::npos) {
    std::cerr << "warpc-nvrtc: '" << path << "' has no '" << marker
              << "NS::impl' line: generate it with warpc --cuda-compiler=nvrtc\n";
    std::exit(2);
  }
  at += marker.size();
  return source.substr(at, source.find('\n', at) - at);
}

struct Compiled {
  std::string cubin, ptx;
};

// NanoVDB's header, when the module uses volumes and it is not in an -I folder: {name, text}.
std::vector<std::pair<std::string, std::string>> extra_headers(const Options& o, const std::string& source) {
  const std::string name = "nanovdb/NanoVDB.h";
  if (source.find("wp/builtins/volume.h") == std::string::npos) return {};
  for (const std::string& dir : o.includes)
    if (fs::exists(fs::path(dir) / name)) return {};
  for (const char* dir : {"/usr/include", "/usr/local/include"})
    if (fs::exists(fs::path(dir) / name)) return {{name, read_file((fs::path(dir) / name).string())}};
  return {};
}

// The CUDA toolkit include folder to search after the -I folders ("" when one of them has cuda_bf16.h).
std::string toolkit_include(const Options& o) {
  for (const std::string& dir : o.includes)
    if (fs::exists(fs::path(dir) / "cuda_bf16.h")) return "";
  std::vector<std::string> candidates;
#ifdef WARPC_CUDA_INCLUDE_DIR
  candidates.push_back(WARPC_CUDA_INCLUDE_DIR);
#endif
  if (const char* home = std::getenv("CUDA_HOME")) candidates.push_back(std::string(home) + "/include");
  candidates.push_back("/usr/local/cuda/include");
  for (const std::string& dir : candidates)
    if (fs::exists(fs::path(dir) / "cuda_bf16.h")) return dir;
  return "";
}

bool compile(const Options& o, const std::string& source, int arch, Compiled* out) {
  nvrtcProgram prog;
  const auto headers = extra_headers(o, source);
  std::vector<const char*> header_names, header_texts;
  for (const auto& [name, text] : headers) {
    header_names.push_back(name.c_str());
    header_texts.push_back(text.c_str());
  }
  if (nvrtcCreateProgram(&prog, source.c_str(), o.input.c_str(), static_cast<int>(headers.size()), header_texts.data(),
                         header_names.data()) != NVRTC_SUCCESS) {
    std::cerr << "warpc-nvrtc: nvrtcCreateProgram failed\n";
    return false;
  }
  std::vector<std::string> args = {"-arch=sm_" + std::to_string(arch), "-std=c++20", "-default-device",
                                   "-DWARPC_DEVICE_CODE=1", "-DNDEBUG",
                                   // generated SSA copies the optimiser drops: not the user's variables
                                   "-diag-suppress=550"};
  for (const std::string& dir : o.includes) {
    if (fs::exists(fs::path(dir) / "wp" / "rtc" / "std_shim.h")) args.push_back("-I" + (fs::path(dir) / "wp" / "rtc").string());
  }
  for (const std::string& dir : o.includes) args.push_back("-I" + dir);
  if (const std::string toolkit = toolkit_include(o); !toolkit.empty()) args.push_back("-I" + toolkit);
  for (const std::string& d : o.defines) args.push_back("-D" + d);
  if (o.debug) args.push_back("-G");
  if (o.lineinfo) args.push_back("-lineinfo");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  const auto t0 = std::chrono::steady_clock::now();
  const nvrtcResult r = nvrtcCompileProgram(prog, static_cast<int>(argv.size()), argv.data());
  if (o.time)
    std::cerr << "warpc-nvrtc: sm_" << arch << ": "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";
  size_t log_size = 0;
  nvrtcGetProgramLogSize(prog, &log_size);
  std::string log(log_size, '\0');
  if (log_size) nvrtcGetProgramLog(prog, log.data());
  while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
  if (r != NVRTC_SUCCESS) {
    std::cerr << log << "\nwarpc-nvrtc: compiling '" << o.input << "' for sm_" << arch
              << " failed: " << nvrtcGetErrorString(r) << "\n";
    nvrtcDestroyProgram(&prog);
    return false;
  }
  size_t n = 0;
  nvrtcGetCUBINSize(prog, &n);
  out->cubin.resize(n);
  nvrtcGetCUBIN(prog, out->cubin.data());
  nvrtcGetPTXSize(prog, &n);  // (includes the terminating NUL)
  out->ptx.resize(n);
  nvrtcGetPTX(prog, out->ptx.data());
  nvrtcDestroyProgram(&prog);
  return true;
}

// `bytes` as a C++ string literal (octal escapes; lines of 32 bytes, concatenated).
std::string literal(const std::string& bytes) {
  std::string out = "\"";
  char buf[8];
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i && i % 32 == 0) out += "\"\n    \"";
    std::snprintf(buf, sizeof buf, "\\%o", static_cast<unsigned char>(bytes[i]));
    out += buf;
  }
  return out + "\"";
}

std::string image_file(const Options& o, const std::string& ns, const std::vector<Compiled>& code) {
  const std::string stem = fs::path(o.input).filename().string();
  std::string out = "// " + fs::path(o.output).filename().string() + " — generated by warpc-nvrtc from " + stem +
                    "; do not edit.\n#include <wp/cuda_image.h>\n\nnamespace " + ns + " {\nnamespace {\n";
  std::string entries;
  for (size_t i = 0; i < code.size(); ++i) {
    const std::string arch = std::to_string(o.archs[i]);
    out += "const char kCubin" + arch + "[] =\n    " + literal(code[i].cubin) + ";\n";
    entries += "    {" + arch + ", false, reinterpret_cast<const unsigned char*>(kCubin" + arch + "), sizeof(kCubin" +
               arch + ") - 1},\n";
  }
  int oldest = 0;
  for (size_t i = 1; i < code.size(); ++i)
    if (o.archs[i] < o.archs[oldest]) oldest = static_cast<int>(i);
  out += "const char kPtx[] =\n    " + literal(code[oldest].ptx) + ";\n";
  entries += "    {" + std::to_string(o.archs[oldest]) + ", true, reinterpret_cast<const unsigned char*>(kPtx), sizeof(kPtx) - 1},\n";
  out += "const wp::detail::CudaImageEntry kEntries[] = {\n" + entries + "};\n}  // namespace\n\n";
  std::string module = stem;
  if (module.size() > 6 && module.compare(module.size() - 6, 6, ".wp.cu") == 0) module.resize(module.size() - 6);
  else module = module.substr(0, module.rfind('.'));
  // cuda_image_<module>: one symbol per module (the launchers in <module>.wp.cpp name it so).
  std::string symbol = "cuda_image_";
  for (char c : module) symbol += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  out += "extern const wp::detail::CudaImage " + symbol + " = {\"" + module + "\", " + std::to_string(code.size() + 1) +
         ", kEntries};\n\n}  // namespace " + ns + "\n";
  return out;
}

bool write_if_changed(const std::string& path, const std::string& text) {
  std::ifstream old(path, std::ios::binary);
  if (old) {
    std::ostringstream s;
    s << old.rdbuf();
    if (s.str() == text) return true;
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    if (!f.flush()) {
      std::cerr << "warpc-nvrtc: cannot write '" << tmp << "'\n";
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) std::cerr << "warpc-nvrtc: cannot write '" << path << "': " << ec.message() << "\n";
  return !ec;
}

// The folders NVRTC searches for <…> and, after the including file's folder, "…" includes.
std::vector<fs::path> search_path(const Options& o) {
  std::vector<fs::path> dirs;
  for (const std::string& dir : o.includes)
    if (fs::exists(fs::path(dir) / "wp" / "rtc" / "std_shim.h")) dirs.push_back(fs::path(dir) / "wp" / "rtc");
  for (const std::string& dir : o.includes) dirs.emplace_back(dir);
  if (const std::string toolkit = toolkit_include(o); !toolkit.empty()) dirs.emplace_back(toolkit);
  return dirs;
}

// Every file reachable from `source` (the text of o.input) through #include lines, absolute.
std::set<std::string> included_files(const Options& o, const std::string& source) {
  static const std::regex include_line(R"(^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"])");
  const std::vector<fs::path> dirs = search_path(o);
  std::set<std::string> seen;
  std::vector<std::pair<fs::path, std::string>> todo = {{fs::absolute(o.input).parent_path(), source}};
  for (const auto& [name, text] : extra_headers(o, source)) {
    for (const char* dir : {"/usr/include", "/usr/local/include"}) {
      const fs::path p = fs::path(dir) / name;
      if (fs::exists(p) && seen.insert(p.string()).second) {
        todo.push_back({p.parent_path(), text});
        break;
      }
    }
  }
  while (!todo.empty()) {
    const auto [folder, text] = todo.back();
    todo.pop_back();
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (!std::regex_search(line, m, include_line)) continue;
      std::vector<fs::path> candidates;
      if (m[1] == "\"") candidates.push_back(folder / m[2].str());
      for (const fs::path& dir : dirs) candidates.push_back(dir / m[2].str());
      for (const fs::path& c : candidates) {
        std::error_code ec;
        if (!fs::is_regular_file(c, ec)) continue;
        const fs::path file = fs::weakly_canonical(fs::absolute(c), ec);
        if (seen.insert(file.string()).second) todo.push_back({file.parent_path(), read_file(file.string())});
        break;
      }
    }
  }
  return seen;
}

bool write_dependencies(const Options& o, const std::string& source) {
  const std::set<std::string> files = included_files(o, source);
  std::vector<std::string> deps = {fs::absolute(o.input).lexically_normal().string()};
  deps.insert(deps.end(), files.begin(), files.end());
  std::string error;
  if (warpc::write_depfile(o.depfile, fs::absolute(o.output).lexically_normal().string(), deps, error)) return true;
  std::cerr << "warpc-nvrtc: cannot write '" << o.depfile << "': " << error << "\n";
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const std::string source = read_file(o.input);
  const std::string ns = marker_namespace(source, o.input);
  std::vector<Compiled> code(o.archs.size());
  for (size_t i = 0; i < o.archs.size(); ++i)
    if (!compile(o, source, o.archs[i], &code[i])) return 1;
  if (!write_if_changed(o.output, image_file(o, ns, code))) return 1;
  return o.depfile.empty() || write_dependencies(o, source) ? 0 : 1;
}
