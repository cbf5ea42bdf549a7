// main.cpp — warpc-gradcheck: checks the backward kernels warpc generates for a .wp module
// against finite differences (docs/autodiff.md, "Checking gradients").
//
//   warpc-gradcheck FILE.wp [--kernel NAME]... [--device cpu|cuda] [--dim N] [--eps E]
//                   [--tol T] [-I DIR]... [--seed S] [--set WORD]... [--pragmas FILE]...
//                   [--require-all] [--keep] [--verbose] [--loop-ad auto|store|recompute]
//
// Exit status: 0 every checked kernel passed (refused kernels are listed, not failures unless
// --require-all); 1 a gradient mismatch, a launch error or an unmet expectation; 2 bad usage
// or a failed build (warpc / compiler errors are printed); 77 --device cuda without a CUDA
// device ("skipped: no CUDA device"; CTest reads 77 as skipped).
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include "harness.h"
#include "module_build.h"
#include "report.h"
#include "settings.h"
#include "wp/allocator.h"

namespace gradcheck {
namespace {

struct Cli {
  std::string file, device = "cpu", loop_ad;
  std::vector<std::string> kernels, includes, pragma_files;
  Settings settings;
  uint64_t seed = 1;
  bool require_all = false, keep = false, verbose = false;
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "warpc-gradcheck: " << why << "\n"
            << "usage: warpc-gradcheck FILE.wp [--kernel NAME] [--device cpu|cuda] [--dim N] [--eps E]\n"
               "                       [--tol T] [-I DIR] [--seed S] [--set WORD] [--pragmas FILE]\n"
               "                       [--require-all]\n"
               "                       [--keep] [--verbose] [--loop-ad auto|store|recompute]\n";
  std::exit(2);
}

Cli parse_cli(int argc, char** argv) {
  Cli cli;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) usage(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--kernel") cli.kernels.push_back(value(i));
      else if (a == "--device") cli.device = value(i);
      else if (a == "--dim") apply_word(cli.settings, "dim=" + value(i));
      else if (a == "--eps") apply_word(cli.settings, "eps=" + value(i));
      else if (a == "--tol") apply_word(cli.settings, "tol=" + value(i));
      else if (a == "--set") apply_word(cli.settings, value(i));
      else if (a == "--pragmas") cli.pragma_files.push_back(value(i));
      else if (a == "-I") cli.includes.push_back(value(i));
      else if (a.rfind("-I", 0) == 0) cli.includes.push_back(a.substr(2));
      else if (a == "--seed") cli.seed = std::stoull(value(i));
      else if (a == "--require-all") cli.require_all = true;
      else if (a == "--keep") cli.keep = true;
      else if (a == "--loop-ad") cli.loop_ad = value(i);
      else if (a == "--verbose") cli.verbose = true;
      else if (a == "-h" || a == "--help") usage("checks generated backward kernels against finite differences");
      else if (!a.empty() && a[0] == '-') usage("unknown option '" + a + "'");
      else if (cli.file.empty()) cli.file = a;
      else usage("more than one input file");
    }
  } catch (const std::exception& e) {
    usage(e.what());
  }
  if (cli.file.empty()) usage("no input file");
  if (cli.device != "cpu" && cli.device != "cuda") usage("--device must be cpu or cuda");
  if (!cli.loop_ad.empty() && cli.loop_ad != "auto" && cli.loop_ad != "store" && cli.loop_ad != "recompute")
    usage("--loop-ad must be auto, store or recompute");
  return cli;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) usage("cannot read '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool selected(const Cli& cli, const std::string& name) {
  if (cli.kernels.empty()) return true;
  for (const std::string& k : cli.kernels)
    if (k == name) return true;
  return false;
}

// Checks one kernel and prints its table.
KernelResult check_and_print(const Cli& cli, const FileSettings& pragmas, const wp::reflect::KernelInfo& k,
                             const std::map<std::string, std::string>& reasons,
                             const std::map<std::string, std::string>& jvp_reasons,
                             const std::map<std::string, std::string>& warnings,
                             const std::map<std::string, std::set<std::string>>& minmax, const wp::Device& device) {
  const Settings own = pragmas.kernels.count(k.name) ? pragmas.kernels.at(k.name) : Settings{};
  const Settings s = resolve(Settings{}, cli.settings, pragmas, k.name);
  auto mm = minmax.find(k.name);
  KernelResult r = check_kernel(k, s, own, device, mm == minmax.end() ? std::set<std::string>{} : mm->second, cli.seed);
  if (r.status == Status::refused)
    r.reason = reasons.count(k.name) ? reasons.at(k.name) : "no backward pass (enable_backward=False)";
  if (r.jvp == "refused" && jvp_reasons.count(k.name)) r.jvp = "refused: " + jvp_reasons.at(k.name);
  auto w = warnings.find(k.name);
  apply_expectation(r, s, w == warnings.end() ? nullptr : &w->second);
  print_kernel(std::cout, r);
  std::cout.flush();
  return r;
}

// On the CPU each kernel runs in a child process, so a kernel that crashes (an index out of
// range for the shapes it was given) is reported as an error and the others still run. The
// child prints the table and exits with 2·status + expected. (CUDA contexts do not survive
// fork(): on a GPU the checks run in-process.)
KernelResult isolated(const std::function<KernelResult()>& check, const std::string& name) {
  std::cout.flush();
  const pid_t pid = fork();
  if (pid == 0) {
    const KernelResult r = check();
    std::cout.flush();
    _exit(2 * static_cast<int>(r.status) + (r.expected ? 1 : 0));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  KernelResult r;
  r.kernel = name;
  if (WIFEXITED(status)) {
    r.status = static_cast<Status>(WEXITSTATUS(status) / 2);
    r.expected = WEXITSTATUS(status) % 2;
    return r;
  }
  r.status = Status::error;
  r.reason = std::string("crashed (") + strsignal(WTERMSIG(status)) +
             "): an index out of range for the array shapes? set them with shape()/dim/range() pragmas";
  print_kernel(std::cout, r);
  return r;
}

int run(const Cli& cli, const Toolchain& tc) {
  FileSettings pragmas = parse_pragmas(read_file(cli.file), cli.file);
  for (const std::string& f : cli.pragma_files) {  // pragmas kept outside the .wp file
    const FileSettings extra = parse_pragmas(read_file(f), f);
    pragmas.file.merge_from(extra.file);
    for (const auto& [k, s] : extra.kernels) pragmas.kernels[k].merge_from(s);
  }
  const std::string dir = make_temp_dir();
  struct Cleanup {
    std::string dir;
    bool keep;
    ~Cleanup() { if (keep) std::cerr << "kept " << dir << "\n"; else remove_tree(dir); }
  } cleanup{dir, cli.keep};
  const ModuleBuild mb = build_module(tc, cli.file, cli.includes, cli.device == "cuda", dir, cli.verbose);
  const Library lib(mb.library);
  const auto reasons = refusal_reasons(mb.warpc_stderr);
  const auto jvp_reasons = jvp_refusal_reasons(mb.warpc_stderr);
  const auto warnings = kernel_warnings(mb.warpc_stderr);
  const auto minmax = minmax_targets(mb.ir);
  const wp::Device device = cli.device == "cuda" ? wp::Device("cuda:0") : wp::Device();
  std::cout << "warpc-gradcheck " << cli.file << " (" << cli.device << ")\n";
  std::vector<KernelResult> results;
  std::set<std::string> names;
  for (const wp::reflect::KernelInfo* k : lib.kernels()) {
    names.insert(k->name);
    if (!selected(cli, k->name)) continue;
    auto check = [&] { return check_and_print(cli, pragmas, *k, reasons, jvp_reasons, warnings, minmax, device); };
    results.push_back(device.is_cpu() ? isolated(check, k->name) : check());
  }
  std::vector<std::string> problems;
  for (const auto& [k, s] : pragmas.kernels)
    if (!names.count(k)) problems.push_back("a pragma names kernel '" + k + "', which the module does not define");
  for (const std::string& k : cli.kernels)
    if (!names.count(k)) problems.push_back("--kernel " + k + ": the module defines no such kernel");
  return print_summary(std::cout, results, problems, cli.require_all);
}

}  // namespace
}  // namespace gradcheck

int main(int argc, char** argv) {
  using namespace gradcheck;
  const Cli cli = parse_cli(argc, argv);
  Toolchain tc = Toolchain::find(argv[0]);
  if (!cli.loop_ad.empty()) tc.warpc_flags.push_back("--loop-ad=" + cli.loop_ad);
  if (cli.device == "cuda" && (!tc.runtime_cuda || wp::cuda_device_count() == 0)) {
    std::cout << (tc.runtime_cuda ? "skipped: no CUDA device\n" : "skipped: no CUDA device (runtime built without CUDA)\n");
    return 77;
  }
  try {
    return run(cli, tc);
  } catch (const BuildError& e) {
    std::cerr << "warpc-gradcheck: build failed: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "warpc-gradcheck: " << e.what() << "\n";
  }
  return 2;
}
