// wp/cuda_image.h — the embedded code of one NVRTC-compiled kernel module (wp/cuda_module.h
// loads it). Kept free of other includes: the <stem>.wp.cubin.cpp files warpc-nvrtc writes
// include only this header, so compiling them is mostly reading the bytes.
//
// Contract: CudaImage lists `count` entries, each a cubin for one SM architecture (sm = 90 for
// sm_90) or, with ptx = true, NUL-terminated PTX for that architecture (JIT-compiled by the
// driver on newer GPUs); `size` counts the bytes (for PTX, with the NUL).
#pragma once

#include <cstddef>

namespace wp::detail {

struct CudaImageEntry {
  int sm;
  bool ptx;
  const unsigned char* data;
  std::size_t size;
};

struct CudaImage {
  const char* module;  // the .wp module's stem (messages)
  int count;
  const CudaImageEntry* entries;
};

}  // namespace wp::detail
