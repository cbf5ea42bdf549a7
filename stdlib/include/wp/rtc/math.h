// math.h for NVRTC: see wp/rtc/std_shim.h.
#pragma once
#include "wp/rtc/std_shim.h"
