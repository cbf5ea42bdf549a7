// wp/deterministic.h — deterministic CPU launches: every CPU kernel launch runs its indices in
// order on the calling thread, so atomics (wp.atomic_add on floats, adjoint accumulations of
// backward kernels) happen in index order and results are bit-identical from run to run.
//
// Contract:
//  * set_deterministic_cpu(true) switches it on for the whole process (all threads), false off;
//    deterministic_cpu() reports it. The environment variable WARPC_DETERMINISTIC=1 switches
//    it on at start-up (any other value, or unset: off).
//  * While on, CPU launches use one thread (as LaunchOptions::max_threads = 1): slower on
//    many cores, identical otherwise. CUDA launches are not affected (their atomics stay
//    unordered).
#pragma once

namespace wp {

void set_deterministic_cpu(bool on);
bool deterministic_cpu();

}  // namespace wp
