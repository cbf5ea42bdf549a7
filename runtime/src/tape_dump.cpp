// tape_dump.cpp — wp::Tape::print_summary and Tape::to_dot (contract in wp/tape.h): what a
// tape recorded, in order, as text or as a Graphviz digraph. Arrays are identified by their
// data (else gradient) address and numbered in order of first appearance; each is labelled
// with the first parameter name it was recorded under.
#include <algorithm>
#include <map>
#include <ostream>
#include <sstream>
#include <string>

#include "tape_internal.h"

namespace wp {

namespace {

// Array numbering shared by both dumps.
class ArrayNames {
 public:
  int id(const Tape::ArrayRef& a) {
    const void* key = a.data ? a.data : a.grad;
    auto [it, fresh] = ids_.try_emplace(key, static_cast<int>(labels_.size()));
    if (fresh) labels_.push_back(a.name && *a.name ? a.name : "array");
    return it->second;
  }
  std::string label(int id) const { return labels_[static_cast<size_t>(id)] + "#" + std::to_string(id); }
  size_t size() const { return labels_.size(); }

 private:
  std::map<const void*, int> ids_;
  std::vector<std::string> labels_;
};

std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// The arrays of one record, each once (in order of first appearance), its read / write flags
// merged over its entries (a step sequence lists a state array as state and as an argument).
struct Use {
  int id;
  bool read, written, grad;
};
std::vector<Use> uses(const std::vector<Tape::ArrayRef>& arrays, ArrayNames& names) {
  std::vector<Use> out;
  for (const Tape::ArrayRef& a : arrays) {
    if (!a.data && !a.grad) continue;
    const int id = names.id(a);
    auto it = std::find_if(out.begin(), out.end(), [&](const Use& u) { return u.id == id; });
    if (it == out.end()) {
      out.push_back({id, a.read, a.written, a.grad != nullptr});
    } else {
      it->read |= a.read;
      it->written |= a.written;
      it->grad |= a.grad != nullptr;
    }
  }
  return out;
}

const char* kind_word(bool func, bool steps) { return steps ? "steps" : func ? "func" : "launch"; }

}  // namespace

// The one-line description of the step sequence of record `i` (dumps).
void Tape::dump_record(std::ostream& os, size_t i) const {
  const StepSequence& seq = *launches_[i].steps;
  os << seq.steps << " steps, state";
  for (const StateRef& s : seq.state) os << ' ' << (s.name.empty() ? "state" : s.name) << " (" << s.bytes << " B)";
  os << "; snapshots <= " << seq.slots << ", repetitions <= " << seq.repetitions << "; forward checkpoints at";
  for (int k : seq.forward_checkpoints) os << ' ' << k;
  os << "; step 0 launches:";
  for (const std::string& k : seq.step0_kernels) os << ' ' << k;
}

void Tape::print_summary(std::ostream& os) const {
  size_t kernels = 0, funcs = 0, seqs = 0;
  for (const Launch& l : launches_) (l.kind == Kind::Steps ? seqs : l.kind == Kind::Func ? funcs : kernels)++;
  os << "wp::Tape: " << launches_.size() << " records (" << kernels << " launches, " << funcs << " host functions, "
     << seqs << " step sequences)\n";
  ArrayNames names;
  for (size_t i = 0; i < launches_.size(); ++i) {
    const Launch& l = launches_[i];
    os << "  [" << i << "] " << kind_word(l.kind == Kind::Func, l.kind == Kind::Steps) << ' ' << l.kernel;
    if (l.kind == Kind::Steps) {
      os << ": ";
      dump_record(os, i);
    }
    std::string reads, writes;
    for (const Use& u : uses(l.arrays, names)) {
      const std::string label = names.label(u.id) + (u.grad ? "" : " (no grad)");
      if (u.read) reads += " " + label;
      if (u.written) writes += " " + label;
    }
    os << "\n      reads:" << (reads.empty() ? " -" : reads) << "\n      writes:" << (writes.empty() ? " -" : writes);
    if (!l.params.empty()) {
      os << "\n      parameter gradients:";
      for (const ParamGrad& p : l.params) os << ' ' << p.name;
    }
    os << '\n';
  }
  if (stats_.sequences) {
    os << "  checkpointing: peak " << stats_.peak_snapshots << " snapshots, " << stats_.peak_bytes << " bytes; "
       << stats_.advanced_steps << " steps advanced, " << stats_.rerun_steps << " re-run under recording, "
       << stats_.skipped_launches << " launches of re-runs skipped\n";
  }
}

void Tape::to_dot(std::ostream& os) const {
  os << "digraph tape {\n  rankdir=LR;\n  node [fontname=\"monospace\"];\n";
  ArrayNames names;
  std::string edges;
  for (size_t i = 0; i < launches_.size(); ++i) {
    const Launch& l = launches_[i];
    const std::string node = "r" + std::to_string(i);
    std::string label = "[" + std::to_string(i) + "] " + l.kernel;
    const char* shape = "box";
    if (l.kind == Kind::Func) shape = "box, style=rounded";
    if (l.kind == Kind::Steps) {
      std::ostringstream detail;
      dump_record(detail, i);
      label += "\\n" + dot_escape(detail.str());
      shape = "box3d";
    } else {
      label = dot_escape(label);
    }
    os << "  " << node << " [shape=" << shape << ", label=\"" << label << "\"];\n";
    for (const Use& u : uses(l.arrays, names)) {
      const std::string array = "a" + std::to_string(u.id);
      if (u.read) edges += "  " + array + " -> " + node + ";\n";
      if (u.written) edges += "  " + node + " -> " + array + ";\n";
    }
    if (i + 1 < launches_.size()) edges += "  " + node + " -> r" + std::to_string(i + 1) + " [style=dotted];\n";
  }
  for (size_t a = 0; a < names.size(); ++a)
    os << "  a" << a << " [shape=ellipse, label=\"" << dot_escape(names.label(static_cast<int>(a))) << "\"];\n";
  os << edges << "}\n";
}

}  // namespace wp
