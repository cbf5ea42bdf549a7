// wp/peer.h — peer access between CUDA devices (not in wp/wp.h).
//
// Contract: peer_access(dst, src) says whether copies from CUDA device `src` to `dst` use
// peer access; the runtime enables it (once per pair, cudaDeviceEnablePeerAccess) when the GPUs
// allow it, at the first wp::copy between them or at this call. Without it wp::copy between
// two GPUs still works: the CUDA driver stages the bytes through host memory. The same device:
// true; a CPU side, or CUDA not built: false. A missing device throws wp::Error.
#pragma once

#include "wp/device.h"

namespace wp {

bool peer_access(const Device& dst, const Device& src);

}  // namespace wp
