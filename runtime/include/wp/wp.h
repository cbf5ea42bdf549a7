// wp/wp.h — the whole warpc runtime (CPU slice): include this one header.
//
// Contract: brings in errors, devices, value types, arrays and the CPU launcher. CUDA
// allocation/launches, streams and wp::Tape come with issues 3 and 5.
#pragma once

#include "wp/allocator.h"
#include "wp/array.h"
#include "wp/array_view.h"
#include "wp/device.h"
#include "wp/error.h"
#include "wp/launch.h"
#include "wp/shape.h"
#include "wp/types.h"
