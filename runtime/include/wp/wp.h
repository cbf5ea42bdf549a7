// wp/wp.h — the whole warpc runtime (CPU slice): include this one header.
//
// Contract: brings in errors, devices, value types, arrays (host, CUDA and pinned memory when
// built with CUDA), streams and the CPU launcher. CUDA launches come with the code generator;
// wp::Tape with issue 5.
#pragma once

#include "wp/allocator.h"
#include "wp/array.h"
#include "wp/array_view.h"
#include "wp/device.h"
#include "wp/error.h"
#include "wp/launch.h"
#include "wp/shape.h"
#include "wp/stream.h"
#include "wp/types.h"
