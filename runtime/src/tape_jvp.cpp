// tape_jvp.cpp — wp::Tape's forward mode: attach_jvp() and forward_jvp() (contract in
// wp/tape.h; kept apart from tape.cpp, the reverse-mode part).
#include "wp/tape.h"

#include <string>

#include "tape_internal.h"  // StepSequence::restore (jvp_steps lives in tape_checkpoint.cpp)

namespace wp {

void Tape::attach_jvp(std::function<void()> jvp, std::function<void()> restore_inputs) {
  if (launches_.empty()) throw Error("Tape::attach_jvp: the tape has no record to attach a JVP to");
  if (!jvp) throw Error("Tape::attach_jvp: empty JVP closure for '" + launches_.back().kernel + "'");
  launches_.back().jvp = std::move(jvp);
  launches_.back().jvp_restore = std::move(restore_inputs);
}

void Tape::forward_jvp() {
  if (launches_.empty()) throw Error("Tape::forward_jvp: the tape recorded no launch");
  check_not_in_step("forward_jvp");
  for (size_t i = 0; i < launches_.size(); ++i)
    if (!launches_[i].jvp && launches_[i].kind != Kind::Steps)
      throw Error("Tape::forward_jvp: record " + std::to_string(i) + " ('" + launches_[i].kernel +
                  "') has no forward-mode (JVP) pass; compile its kernel with enable_jvp=True or warpc --jvp "
                  "(host functions recorded with record_func have none)");
  // Rewind (a step sequence to its snapshot of step 0, which it always keeps; one an earlier
  // backward() left rewound stays marked so: the next backward() re-runs it to store its other
  // snapshots): the last record's inputs first, so each array ends with what the first launch
  // that changed it read.
  for (size_t i = launches_.size(); i-- > 0;)
    if (launches_[i].kind == Kind::Steps) launches_[i].steps->restore(0);
    else if (launches_[i].jvp_restore) launches_[i].jvp_restore();
  for (Launch& l : launches_)
    if (l.kind == Kind::Steps) jvp_steps(l);
    else l.jvp();
}

}  // namespace wp
