# shared_kernels.py — a kernel module written as a .py file (importable by Python Warp too):
# warpc compiles it like a .wp, and `import helpers` finds helpers.py beside it.
import warp as wp

import helpers


@wp.kernel
def double(a: wp.array(dtype=float)):
    i = wp.tid()
    a[i] = helpers.twice(a[i])
