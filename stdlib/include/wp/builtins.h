// wp/builtins.h — warpc's builtin library: every builtin of stdlib/builtins.def as C++ usable
// from host and CUDA device code (namespace wp). Generated kernel code includes this header.
#pragma once

#include "wp/builtins/kernel_support.h"
#include "wp/builtins/core.h"
#include "wp/builtins/operators.h"
#include "wp/builtins/scalar.h"
#include "wp/builtins/utility.h"
#include "wp/builtins/vector.h"
#include "wp/builtins/matrix.h"
#include "wp/builtins/quat.h"
#include "wp/builtins/transform.h"
#include "wp/builtins/spatial.h"
#include "wp/builtins/random.h"
#include "wp/builtins/noise.h"
#include "wp/builtins/atomic.h"
#include "wp/builtins/print.h"
#include "wp/builtins/adjoint_support.h"
#include "wp/builtins/ray_query.h"
#include "wp/builtins/mesh_query.h"
#include "wp/builtins/hash_grid.h"
#include "wp/builtins/volume.h"
