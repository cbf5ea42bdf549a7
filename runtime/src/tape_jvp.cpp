// tape_jvp.cpp — wp::Tape's forward mode: attach_jvp() and forward_jvp() (contract in
// wp/tape.h; kept apart from tape.cpp, the reverse-mode part).
#include "wp/tape.h"

#include <string>

namespace wp {

void Tape::attach_jvp(std::function<void()> jvp) {
  if (launches_.empty()) throw Error("Tape::attach_jvp: the tape has no record to attach a JVP to");
  if (!jvp) throw Error("Tape::attach_jvp: empty JVP closure for '" + launches_.back().kernel + "'");
  launches_.back().jvp = std::move(jvp);
}

void Tape::forward_jvp() {
  if (launches_.empty()) throw Error("Tape::forward_jvp: the tape recorded no launch");
  for (size_t i = 0; i < launches_.size(); ++i)
    if (!launches_[i].jvp && launches_[i].kind == Kind::Steps)
      throw Error("Tape::forward_jvp: record " + std::to_string(i) +
                  " is a checkpointed step sequence (record_steps), which has no forward-mode (JVP) pass");
    else if (!launches_[i].jvp)
      throw Error("Tape::forward_jvp: record " + std::to_string(i) + " ('" + launches_[i].kernel +
                  "') has no forward-mode (JVP) pass; compile its kernel with enable_jvp=True or warpc --jvp "
                  "(host functions recorded with record_func have none)");
  for (const Launch& l : launches_) l.jvp();
}

}  // namespace wp
