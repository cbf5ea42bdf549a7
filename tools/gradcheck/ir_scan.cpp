// ir_scan.cpp — minmax_targets(): which array parameters of each kernel are targets of
// atomic_min / atomic_max, read from `warpc --emit=ir` text (see module_build.h). A parameter
// passed to a user function counts when that function (transitively) targets the matching
// parameter.
#include <regex>
#include <sstream>

#include "module_build.h"

namespace gradcheck {
namespace {

struct CallSite {
  std::string callee;
  std::vector<std::string> args;  // operand names without '%'
};

struct FnInfo {
  bool kernel = false;
  std::vector<std::string> params;
  std::set<std::string> targets;  // names targeted directly
  std::vector<CallSite> calls;
};

std::vector<std::string> operand_names(const std::string& list) {
  static const std::regex re(R"(%([A-Za-z_0-9#]+))");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(list.begin(), list.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

std::map<std::string, FnInfo> parse_functions(const std::string& ir) {
  static const std::regex header(R"(^(kernel|func) @([A-Za-z_0-9]+)\((.*)\).*\{\s*$)");
  static const std::regex param(R"(%([A-Za-z_0-9]+): )");
  static const std::regex minmax(R"(\batomic_(?:min|max) %([A-Za-z_0-9]+)\[)");
  static const std::regex call(R"(\bcall @([A-Za-z_0-9]+)\(([^)]*)\))");
  std::map<std::string, FnInfo> fns;
  std::stringstream lines(ir);
  std::string line;
  FnInfo* cur = nullptr;
  std::smatch m;
  while (std::getline(lines, line)) {
    if (std::regex_match(line, m, header)) {
      cur = &fns[m[2]];
      cur->kernel = m[1] == "kernel";
      const std::string plist = m[3];
      for (auto it = std::sregex_iterator(plist.begin(), plist.end(), param); it != std::sregex_iterator(); ++it)
        cur->params.push_back((*it)[1]);
      continue;
    }
    if (!cur) continue;
    if (line == "}") { cur = nullptr; continue; }
    if (std::regex_search(line, m, minmax)) cur->targets.insert(m[1]);
    if (std::regex_search(line, m, call)) cur->calls.push_back({m[1], operand_names(m[2])});
  }
  return fns;
}

}  // namespace

std::map<std::string, std::set<std::string>> minmax_targets(const std::string& ir) {
  std::map<std::string, FnInfo> fns = parse_functions(ir);
  for (bool changed = true; changed;) {  // propagate callee targets to caller arguments
    changed = false;
    for (auto& [name, fn] : fns) {
      for (const CallSite& c : fn.calls) {
        auto callee = fns.find(c.callee);
        if (callee == fns.end()) continue;
        const FnInfo& cf = callee->second;
        for (size_t k = 0; k < c.args.size() && k < cf.params.size(); ++k)
          if (cf.targets.count(cf.params[k]) && fn.targets.insert(c.args[k]).second) changed = true;
      }
    }
  }
  std::map<std::string, std::set<std::string>> out;
  for (const auto& [name, fn] : fns) {
    if (!fn.kernel) continue;
    std::set<std::string> params(fn.params.begin(), fn.params.end());
    for (const std::string& s : fn.targets)
      if (params.count(s)) out[name].insert(s);
  }
  return out;
}

}  // namespace gradcheck
