// wp/wp.h — the whole warpc runtime: include this one header.
//
// Contract: brings in errors, devices, value types, arrays (host, CUDA and pinned memory when
// built with CUDA), streams, the CPU launcher, what generated kernel launchers call
// (wp/kernel_abi.h), wp::Tape (wp/tape.h, which generated forward launchers record on) and
// the geometry objects wp::Bvh, wp::Mesh, wp::HashGrid and wp::Volume (wp/bvh.h, wp/mesh.h,
// wp/hash_grid.h, wp/volume.h).
// Not included: wp/cuda_launch.h (only generated .cu files, compiled by nvcc, use it) and
// wp/reflect.h (the --reflect kernel table).
#pragma once

#include "wp/ad_spill.h"
#include "wp/allocator.h"
#include "wp/array.h"
#include "wp/array_view.h"
#include "wp/bvh.h"
#include "wp/device.h"
#include "wp/error.h"
#include "wp/graph.h"
#include "wp/hash_grid.h"
#include "wp/jvp.h"
#include "wp/kernel_abi.h"
#include "wp/launch.h"
#include "wp/mesh.h"
#include "wp/shape.h"
#include "wp/stream.h"
#include "wp/tape.h"
#include "wp/types.h"
#include "wp/volume.h"
