// optim_cuda_test.cu — wp::optim::SGD and wp::optim::Adam on cuda:0 (the generated CUDA update
// kernels): the shared tests of optim_test_util.h; each skips itself without a GPU.
#include "optim_test_util.h"

WARPC_OPTIM_TESTS(OptimCuda, wp::Device("cuda:0"),
                  if (wp::cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device")
