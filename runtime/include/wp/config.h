// wp/config.h — compile-environment macros shared by the runtime headers.
//
// Contract: WP_HD marks functions callable from host and (under nvcc) device code.
#pragma once

#if defined(__CUDACC__)
#define WP_HD __host__ __device__ inline
#else
#define WP_HD inline
#endif
