// tape_internal.h — the record of a wp::Tape step sequence (Tape::record_steps), shared by
// tape_checkpoint.cpp (schedule, snapshots, reversal) and tape_dump.cpp (dumps). Snapshots
// are counted on the owning tape (note_snapshots) when stored and dropped.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "wp/graph.h"
#include "wp/tape.h"

namespace wp {

struct Tape::StepSequence {
  Tape* tape = nullptr;
  int steps = 0;
  StepFn fn;
  std::vector<StateRef> state;
  size_t state_bytes = 0;
  int slots = 0;        // snapshots held at once, at most
  int repetitions = 0;  // the schedule's bound on advances of one step per backward pass
  std::vector<std::vector<std::shared_ptr<void>>> snaps;  // per step: one copy per state array
  std::vector<int> forward_checkpoints;                   // the steps the forward run stores
  std::vector<size_t> launch_counts;                      // launches of each step's first run
  // Per step: bit i set when launch i of the step only updates state arrays that no later
  // launch of the step touches (a recomputation for backward skips it: Tape::skip_launch).
  std::vector<uint64_t> skippable;
  std::vector<std::string> step0_kernels;                 // the records of step 0 (dumps)
  std::vector<ArrayRef> step0_arrays;
  bool rewound = false;  // the state arrays hold the state at step 0 (a backward pass ran)
  // Step graphs (Tape::set_step_graphs): whether every step after step 0 is replayed from a
  // graph on `graph_device`; step 1's forward work (for advanced steps); a re-run step with
  // its backward pass (captured at its first use); the state at the start of the step that
  // graph re-runs (its saves restore from there); launches that graph's re-run skips.
  bool graphs = false;
  Device graph_device;
  Graph forward_graph, rerun_graph;
  std::vector<std::shared_ptr<void>> start;
  size_t rerun_skips = 0;
  // The snapshot the state arrays are known to equal (-1: none, e.g. after a step ran):
  // restoring it again is skipped.
  mutable int current = -1;

  ~StepSequence() {
    for (int k = 0; k < static_cast<int>(snaps.size()); ++k) drop(k);
    if (!start.empty()) tape->note_snapshots(-1, -static_cast<long long>(state_bytes));
  }
  bool stored(int k) const { return !snaps[k].empty(); }
  void store(int k);
  void restore(int k) const;  // no copy when the state already equals snapshot k
  void drop(int k);
};

}  // namespace wp
