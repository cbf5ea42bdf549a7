// report.h — warpc-gradcheck's output: one table per kernel and a summary line.
//
// Contract:
//  * apply_expectation(r, s): with `expect=refused`, a refused kernel is expected (not
//    counted against --require-all) and a kernel that has a backward pass fails. With
//    `expect=warned` (a backward pass warpc warns about: a documented limitation), a kernel
//    whose backward pass disagrees with finite differences and that warpc `warning`s about
//    (kernel_warnings) is an expected failure; one that is refused, has no warning, or whose
//    backward pass agrees fails (the pragma is stale), and so does one whose forward-mode
//    (JVP) pass disagrees with finite differences (the warning covers the backward pass only;
//    the JVP's dot-product test, against the wrong VJP, is not counted).
//  * print_kernel() prints one kernel's line and table; print_summary() the problems and the
//    counts (expected failures apart: "N wrong as warned"), and returns the exit status: 1
//    when a kernel failed unexpectedly or errored, a problem was
//    given, or (require_all) a kernel was refused without an expectation or unsupported;
//    else 0.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "harness.h"

namespace gradcheck {

void apply_expectation(KernelResult& r, const Settings& s, const std::string* warning = nullptr);
void print_kernel(std::ostream& os, const KernelResult& r);
int print_summary(std::ostream& os, const std::vector<KernelResult>& results,
                  const std::vector<std::string>& problems, bool require_all);

}  // namespace gradcheck
