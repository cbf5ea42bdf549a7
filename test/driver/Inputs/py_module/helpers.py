# helpers.py — a function module imported by shared_kernels.py (a .py module).
import warp as wp


@wp.func
def twice(x: float):
    return 2.0 * x
