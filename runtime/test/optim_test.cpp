// optim_test.cpp — wp::optim::SGD and wp::optim::Adam on the CPU: the shared tests of
// optim_test_util.h (closed-form updates, a reference recurrence, mixed element types, reset,
// errors).
#include "optim_test_util.h"

WARPC_OPTIM_TESTS(Optim, wp::Device("cpu"), (void)0)
