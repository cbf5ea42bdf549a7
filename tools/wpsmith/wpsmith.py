#!/usr/bin/env python3
"""wpsmith.py — a generator of random, well-typed, terminating .wp modules.

    wpsmith.py SEED OUT_DIR        writes OUT_DIR/smith_SEED.wp, .in (warpc-smith-exec
                                   inputs), .ref.json (the float64 reference) and, for the
                                   differentiable kernel, a `# gradcheck:` pragma in the .wp

Contract:
  * The same seed gives the same module, inputs and reference (random.Random(seed) only).
  * A module holds structs, @wp.func functions (early returns, tuple returns), forward kernels
    over 1- to 4-D launches and one differentiable kernel `kgrad` (smooth operations only).
    Statements: assignments, augmented assignments, component/field stores, if/elif/else,
    static and dynamic `for` loops, bounded `while` loops, break/continue, early returns,
    vector/matrix/quaternion math, vec4/mat33 locals indexed dynamically, int and float
    atomics.
  * UB-free by construction: every integer expression carries an interval and is kept inside
    ±2^30 (values are folded with `%` into declared variable ranges), divisors are `abs(e) % k
    + 1`, array indices are `abs(e) % n`, floats are kept bounded (clamp / tanh squashing)
    and never reach a NaN domain (sqrt of x*x+1, divisions by 1+x*x).
  * The reference is the generator's own evaluation of the program in Python: float64 (the
    reference) and float32-rounded-after-every-operation (an estimate of how much float32
    rounding can move each output). Threads run in launch order; atomics are summed exactly.
    A float comparison whose operands are closer than a margin, in either evaluation, marks
    the thread's outputs (and any atomic slot it touched) "fragile": run_campaign.py does
    not compare those.
  * Statement trees are kept in the module object (Module.stmts); minimise.py removes
    statements and functions and re-renders and re-evaluates the module (`render(module)`).
"""
import json
import math
import random
import struct
import sys
from pathlib import Path

INT_LIM = 1000          # declared range of int variables: [-INT_LIM, INT_LIM]
FLT_LIM = 100.0         # declared range of float variables
IN_N = 16               # length of the 1-D input arrays
ACC_N = 4               # slots of the atomic accumulators
GRAD_N = 8              # launch size / array length of kgrad
MAX_BOUND = 1 << 30


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def ident(x):
    return x


class Return(Exception):
    def __init__(self, value=None):
        self.value = value


class Break(Exception):
    pass


class Continue(Exception):
    pass


class Env:
    """Evaluation state of one thread: variables, rounding, fragility, atomics."""

    def __init__(self, R, module, arrays, scalars):
        self.R, self.module, self.arrays, self.scalars = R, module, arrays, scalars
        self.vars = {}
        self.fragile = False
        self.touched = set()


# ---------------------------------------------------------------------------------------------
# Expressions: (code, fn(env) -> value, bound). Values: float, int, tuples for vectors/quats,
# tuple of row tuples for mat33, dicts for structs.

def fl(x):
    s = repr(float(x))
    return s if ("." in s or "e" in s) else s + ".0"


def vmap(env, f, *vs):
    return tuple(env.R(f(*c)) for c in zip(*vs))


def cmp_margin(env, a, b):
    if abs(a - b) <= 1e-3 * (1.0 + abs(a) + abs(b)):
        env.fragile = True


def c_div(a, b):
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def c_mod(a, b):
    return a - c_div(a, b) * b


def quat_mul(env, p, q):
    px, py, pz, pw = p
    qx, qy, qz, qw = q
    R = env.R
    return (R(pw * qx + px * qw + py * qz - pz * qy), R(pw * qy - px * qz + py * qw + pz * qx),
            R(pw * qz + px * qy - py * qx + pz * qw), R(pw * qw - px * qx - py * qy - pz * qz))


def cross(env, a, b):
    R = env.R
    return (R(a[1] * b[2] - a[2] * b[1]), R(a[2] * b[0] - a[0] * b[2]), R(a[0] * b[1] - a[1] * b[0]))


def quat_rotate(env, q, v):
    u, w = q[:3], q[3]
    t = cross(env, u, v)
    t = tuple(env.R(2.0 * c) for c in t)
    ut = cross(env, u, t)
    return tuple(env.R(v[k] + w * t[k] + ut[k]) for k in range(3))


def matvec(env, m, v):
    return tuple(env.R(sum(m[r][c] * v[c] for c in range(3))) for r in range(3))


def matmul(env, a, b):
    return tuple(tuple(env.R(sum(a[r][k] * b[k][c] for k in range(3))) for c in range(3)) for r in range(3))


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.seed = seed
        self.counter = 0
        self.funcs = []        # (name, params[(name, type)], ret types, FuncDef)
        self.structs = []      # (name, fields[(name, type)])
        self.smooth = False    # differentiable kernel: smooth operations only

    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def chance(self, p):
        return self.rng.random() < p

    # ---- float expressions ------------------------------------------------------------------
    def wrap_float(self, e):
        code, fn, b = e
        if b <= FLT_LIM:
            return e
        if self.smooth:
            return (f"wp.tanh(({code}) * 0.01) * 100.0",
                    lambda env: env.R(env.R(math.tanh(env.R(fn(env) * 0.01))) * 100.0), FLT_LIM)
        return (f"wp.clamp({code}, -100.0, 100.0)", lambda env: min(max(fn(env), -100.0), 100.0), FLT_LIM)

    def lit_float(self):
        v = self.rng.randint(-32, 32) / 8.0
        return (fl(v), lambda env: v, abs(v))

    def gen_float(self, sc, d):
        r = self.rng
        if d <= 0 or r.random() < 0.2:
            opts = [self.lit_float]
            fv = sc.of("f")
            if fv:
                opts += [lambda: self.var(r.choice(fv))] * 3
            if sc.kernel:
                opts.append(lambda: self.read_in(sc, d))
            return r.choice(opts)()
        k = r.randrange(15)
        if k <= 2:
            a, b = self.gen_float(sc, d - 1), self.gen_float(sc, d - 1)
            op = r.choice("+-*")
            if op == "*" and a[2] * b[2] > 1e6:
                op = "+"
            f = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y}[op]
            bound = a[2] * b[2] if op == "*" else a[2] + b[2]
            return (f"({a[0]} {op} {b[0]})", lambda env: env.R(f(a[1](env), b[1](env))), bound)
        if k == 3:
            a, b = self.gen_float(sc, d - 1), self.wrap_float(self.gen_float(sc, d - 1))
            return (f"({a[0]} / (1.0 + {b[0]} * {b[0]}))",
                    lambda env: env.R(a[1](env) / env.R(1.0 + env.R(b[1](env) * b[1](env)))), a[2])
        if k == 4:
            a = self.wrap_float(self.gen_float(sc, d - 1))
            name, f = r.choice([("sin", math.sin), ("cos", math.cos), ("tanh", math.tanh)])
            return (f"wp.{name}({a[0]})", lambda env: env.R(f(a[1](env))), 1.0)
        if k == 5:
            a = self.wrap_float(self.gen_float(sc, d - 1))
            return (f"wp.sqrt({a[0]} * {a[0]} + 1.0)",
                    lambda env: env.R(math.sqrt(env.R(env.R(a[1](env) * a[1](env)) + 1.0))), a[2] + 1.0)
        if k == 6 and not self.smooth:
            a, b = self.gen_float(sc, d - 1), self.gen_float(sc, d - 1)
            name = r.choice(["min", "max"])
            f = min if name == "min" else max
            return (f"wp.{name}({a[0]}, {b[0]})", lambda env: f(a[1](env), b[1](env)), max(a[2], b[2]))
        if k == 7:
            a = self.gen_int(sc, d - 1)
            return (f"float({a[0]})", lambda env: env.R(float(a[1](env))), a[2])
        if k == 8:
            v, w = self.gen_vec(sc, d - 1), self.gen_vec(sc, d - 1)
            if v[2] * w[2] * 3 > 1e6:
                return self.gen_float(sc, d - 1)
            return (f"wp.dot({v[0]}, {w[0]})",
                    lambda env: dot(env, v[1](env), w[1](env)), 3 * v[2] * w[2])
        if k == 9:
            v = self.gen_vec(sc, d - 1)
            c = r.randrange(3)
            code = r.choice([f"{v[0]}[{c}]", f"{v[0]}.{'xyz'[c]}"]) if v[0].isidentifier() else f"{v[0]}[{c}]"
            return (code, lambda env: v[1](env)[c], v[2])
        if k == 10:
            m = self.gen_mat(sc, d - 1)
            i, j = r.randrange(3), r.randrange(3)
            if r.random() < 0.5 and m[2] < 40:
                return (f"wp.determinant({m[0]})", lambda env: det(env, m[1](env)), 6 * m[2] ** 3)
            return (f"{m[0]}[{i}, {j}]", lambda env: m[1](env)[i][j], m[2])
        if k == 11 and self.funcs:
            call = self.call_func(sc, d, "f")
            if call:
                return call
        if k == 12:
            v4 = sc.of("v4")
            if v4:
                name = r.choice(v4)
                idx = self.index_expr(sc, d - 1, 4)
                return (f"{name}[{idx[0]}]", lambda env: env.vars[name][idx[1](env)], FLT_LIM)
        if k == 13:
            s = [n for n, t in sc.vars if t in dict(self.structs)]
            if s:
                name = r.choice(s)
                fields = [(fn, ft) for fn, ft in dict(self.structs)[sc.type_of(name)] if ft == "f"]
                if fields:
                    fname = r.choice(fields)[0]
                    return (f"{name}.{fname}", lambda env: env.vars[name][fname], FLT_LIM)
        if k == 14 and not self.smooth:
            fv = sc.of("f")
            if fv:
                a = self.gen_float(sc, d - 1)
                return (f"wp.abs({a[0]})", lambda env: abs(a[1](env)), a[2])
        return self.gen_float(sc, d - 1)

    def read_in(self, sc, d):
        idx = self.index_expr(sc, d - 1, IN_N)
        return (f"in_f[{idx[0]}]", lambda env: env.arrays["in_f"][idx[1](env)], 4.0)

    def var(self, name):
        return (name, lambda env: env.vars[name], FLT_LIM)

    # ---- int expressions --------------------------------------------------------------------
    def index_expr(self, sc, d, n):
        a = self.gen_int(sc, d)
        return (f"wp.abs({a[0]}) % {n}", lambda env: c_mod(abs(a[1](env)), n), n - 1)

    def wrap_int(self, e):
        code, fn, b = e
        if b <= INT_LIM:
            return e
        return (f"({code}) % {INT_LIM + 1}", lambda env: c_mod(fn(env), INT_LIM + 1), INT_LIM)

    def gen_int(self, sc, d):
        r = self.rng
        if d <= 0 or r.random() < 0.25:
            opts = [lambda: (lambda v: (str(v), lambda env: v, abs(v)))(r.randint(-20, 20))]
            iv = sc.of("i")
            if iv:
                opts += [lambda: (lambda n: (n, lambda env: env.vars[n], sc.bound(n)))(r.choice(iv))] * 4
            if sc.kernel:
                opts.append(lambda: (lambda idx: (f"in_i[{idx[0]}]", lambda env: env.arrays["in_i"][idx[1](env)], 100))(
                    self.index_expr(sc, d - 1, IN_N)))
                opts.append(lambda: ("sc_i", lambda env: env.scalars["sc_i"], 100))
            return r.choice(opts)()
        k = r.randrange(9)
        a, b = self.gen_int(sc, d - 1), self.gen_int(sc, d - 1)
        if k <= 2:
            op = r.choice("+-*")
            if op == "*" and a[2] * b[2] >= MAX_BOUND:
                op = "-"
            f = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y}[op]
            bound = a[2] * b[2] if op == "*" else a[2] + b[2]
            if bound >= MAX_BOUND:
                return a
            return (f"({a[0]} {op} {b[0]})", lambda env: f(a[1](env), b[1](env)), bound)
        if k == 3:
            m = r.randint(2, 9)
            op = r.choice(["//", "%", "/"])
            f = c_mod if op == "%" else c_div if op == "/" else (lambda x, y: x // y)  # // floors (Python's)
            return (f"({a[0]} {op} (wp.abs({b[0]}) % {m} + 1))",
                    lambda env: f(a[1](env), c_mod(abs(b[1](env)), m) + 1), a[2])
        if k == 4:
            name = r.choice(["min", "max"])
            f = min if name == "min" else max
            return (f"wp.{name}({a[0]}, {b[0]})", lambda env: f(a[1](env), b[1](env)), max(a[2], b[2]))
        if k == 5:
            op = r.choice(["&", "|", "^"])
            f = {"&": lambda x, y: x & y, "|": lambda x, y: x | y, "^": lambda x, y: x ^ y}[op]
            bound = 1 << max(a[2], b[2], 1).bit_length()
            return (f"({a[0]} {op} {b[0]})", lambda env: f(a[1](env), b[1](env)), bound)
        if k == 6:
            s = r.randint(0, 3)
            return (f"(({a[0]} & 1023) << {s})", lambda env: (a[1](env) & 1023) << s, 1023 << s)
        if k == 7:
            s = r.randint(0, 4)
            return (f"({a[0]} >> {s})", lambda env: a[1](env) >> s, a[2])
        if k == 8 and self.funcs:
            call = self.call_func(sc, d, "i")
            if call:
                return call
        return (f"wp.abs({a[0]})", lambda env: abs(a[1](env)), a[2])

    # ---- conditions -------------------------------------------------------------------------
    def gen_cond(self, sc, d):
        r = self.rng
        k = r.randrange(7)
        if k <= 2:
            a, b = self.gen_int(sc, d), self.gen_int(sc, d)
            op = r.choice(["<", "<=", ">", ">=", "==", "!="])
            f = CMP[op]
            return (f"{a[0]} {op} {b[0]}", lambda env: f(a[1](env), b[1](env)))
        if k == 3:
            a = self.gen_int(sc, d)
            m = r.randint(2, 4)
            return (f"{a[0]} % {m} == 0", lambda env: c_mod(a[1](env), m) == 0)
        if k == 4 and d > 0:
            a, b = self.gen_cond(sc, d - 1), self.gen_cond(sc, d - 1)
            op = r.choice(["and", "or"])
            if op == "and":
                return (f"({a[0]}) and ({b[0]})", lambda env: a[1](env) and b[1](env))
            return (f"({a[0]}) or ({b[0]})", lambda env: a[1](env) or b[1](env))
        if k == 5 and d > 0:
            a = self.gen_cond(sc, d - 1)
            return (f"not ({a[0]})", lambda env: not a[1](env))
        if self.smooth:
            return self.gen_cond(sc, d) if d > 0 else ("True", lambda env: True)
        a, b = self.gen_float(sc, d), self.gen_float(sc, d)
        op = r.choice(["<", ">", "<=", ">="])
        f = CMP[op]

        def ev(env):
            x, y = a[1](env), b[1](env)
            cmp_margin(env, x, y)
            return f(x, y)
        return (f"{a[0]} {op} {b[0]}", ev)

    # ---- vectors, matrices, quaternions -----------------------------------------------------
    def gen_vec(self, sc, d):
        r = self.rng
        vv = sc.of("v3")
        k = r.randrange(8)
        if d <= 0 or k == 0:
            if vv and r.random() < 0.6:
                n = r.choice(vv)
                return (n, lambda env: env.vars[n], FLT_LIM)
            cs = [self.wrap_float(self.gen_float(sc, min(d, 1))) for _ in range(3)]
            return (f"wp.vec3({', '.join(c[0] for c in cs)})",
                    lambda env: tuple(c[1](env) for c in cs), max(c[2] for c in cs))
        if k in (1, 2):
            a, b = self.gen_vec(sc, d - 1), self.gen_vec(sc, d - 1)
            op = r.choice("+-")
            f = (lambda x, y: x + y) if op == "+" else (lambda x, y: x - y)
            return (f"({a[0]} {op} {b[0]})", lambda env: vmap(env, f, a[1](env), b[1](env)), a[2] + b[2])
        if k == 3:
            a, s = self.gen_vec(sc, d - 1), self.wrap_float(self.gen_float(sc, d - 1))
            if r.random() < 0.5:
                code = f"({a[0]} * {s[0]})"
            else:
                code = f"({s[0]} * {a[0]})"
            return (code, lambda env: (lambda x, y: tuple(env.R(c * y) for c in x))(a[1](env), s[1](env)), a[2] * s[2])
        if k == 4:
            a, b = self.wrap_vec(self.gen_vec(sc, d - 1)), self.wrap_vec(self.gen_vec(sc, d - 1))
            return (f"wp.cross({a[0]}, {b[0]})", lambda env: cross(env, a[1](env), b[1](env)), 2 * a[2] * b[2])
        if k == 5:
            m, v = self.gen_mat(sc, d - 1), self.wrap_vec(self.gen_vec(sc, d - 1))
            return (f"({m[0]} * {v[0]})", lambda env: matvec(env, m[1](env), v[1](env)), 3 * m[2] * v[2])
        if k == 6:
            q, v = self.gen_quat(sc, d - 1), self.gen_vec(sc, d - 1)
            name = r.choice(["quat_rotate", "quat_rotate_inv"])
            if name == "quat_rotate":
                return (f"wp.quat_rotate({q[0]}, {v[0]})", lambda env: quat_rotate(env, q[1](env), v[1](env)), 3 * v[2])
            return (f"wp.quat_rotate_inv({q[0]}, {v[0]})",
                    lambda env: quat_rotate(env, conj(q[1](env)), v[1](env)), 3 * v[2])
        s = [n for n, t in sc.vars if t in dict(self.structs)]
        if s:
            name = r.choice(s)
            fields = [fn for fn, ft in dict(self.structs)[sc.type_of(name)] if ft == "v3"]
            if fields:
                fname = r.choice(fields)
                return (f"{name}.{fname}", lambda env: env.vars[name][fname], FLT_LIM)
        return self.gen_vec(sc, 0)

    def wrap_vec(self, e):
        if e[2] <= FLT_LIM:
            return e
        if self.smooth:
            return (f"({e[0]} / (1.0 + 0.0001 * wp.dot({e[0]}, {e[0]})))",
                    lambda env: (lambda v: tuple(env.R(c / env.R(1.0 + env.R(0.0001 * dot(env, v, v)))) for c in v))(e[1](env)),
                    FLT_LIM)
        k = max(0, math.ceil(math.log2(e[2] / FLT_LIM)))
        c = 2.0 ** -k
        return (f"({e[0]} * {fl(c)})", lambda env: tuple(x * c for x in e[1](env)), e[2] * c)

    def gen_mat(self, sc, d):
        r = self.rng
        mv = sc.of("m33")
        k = r.randrange(5)
        if mv and (d <= 0 or k == 0):
            n = r.choice(mv)
            return (n, lambda env: env.vars[n], FLT_LIM)
        if d <= 0 or k == 1:
            cs = [self.wrap_float(self.gen_float(sc, 0)) for _ in range(9)]
            return (f"wp.mat33({', '.join(c[0] for c in cs)})",
                    lambda env: tuple(tuple(cs[3 * i + j][1](env) for j in range(3)) for i in range(3)),
                    max(c[2] for c in cs))
        if k == 2:
            m = self.gen_mat(sc, d - 1)
            return (f"wp.transpose({m[0]})", lambda env: tuple(zip(*m[1](env))), m[2])
        if k == 3:
            a, b = self.gen_mat(sc, d - 1), self.gen_mat(sc, d - 1)
            if a[2] * b[2] * 3 > FLT_LIM * 10:
                return (f"({a[0]} + {b[0]})",
                        lambda env: tuple(vmap(env, lambda x, y: x + y, p, q) for p, q in zip(a[1](env), b[1](env))),
                        a[2] + b[2])
            return (f"({a[0]} * {b[0]})", lambda env: matmul(env, a[1](env), b[1](env)), 3 * a[2] * b[2])
        v, w = self.wrap_vec(self.gen_vec(sc, d - 1)), self.wrap_vec(self.gen_vec(sc, d - 1))
        if v[2] * w[2] > FLT_LIM * 10:
            return self.gen_mat(sc, 0)
        return (f"wp.outer({v[0]}, {w[0]})",
                lambda env: (lambda x, y: tuple(tuple(env.R(x[i] * y[j]) for j in range(3)) for i in range(3)))(v[1](env), w[1](env)),
                v[2] * w[2])

    def gen_quat(self, sc, d):
        r = self.rng
        qv = sc.of("q")
        if qv and r.random() < 0.5:
            n = r.choice(qv)
            return (n, lambda env: env.vars[n], 1.0)
        if d > 0 and r.random() < 0.3:
            a, b = self.gen_quat(sc, d - 1), self.gen_quat(sc, d - 1)
            return (f"({a[0]} * {b[0]})", lambda env: quat_mul(env, a[1](env), b[1](env)), 1.0)
        axis = r.randrange(3)
        ax = [0.0, 0.0, 0.0]
        ax[axis] = 1.0
        ang = self.wrap_float(self.gen_float(sc, max(d - 1, 0)))

        def ev(env):
            h = env.R(ang[1](env) * 0.5)
            s, c = env.R(math.sin(h)), env.R(math.cos(h))
            return tuple(env.R(x * s) for x in ax) + (c,)
        return (f"wp.quat_from_axis_angle(wp.vec3({', '.join(fl(x) for x in ax)}), {ang[0]})", ev, 1.0)

    def gen_typed(self, sc, t, d):
        if t == "f":
            return self.wrap_float(self.gen_float(sc, d))
        if t == "i":
            return self.wrap_int(self.gen_int(sc, d))
        if t == "v3":
            return self.wrap_vec(self.gen_vec(sc, d))
        if t == "m33":
            m = self.gen_mat(sc, d)
            if m[2] > FLT_LIM:
                return self.gen_mat(sc, 0)
            return m
        if t == "q":
            return self.gen_quat(sc, d)
        raise AssertionError(t)

    # ---- functions ---------------------------------------------------------------------------
    def call_func(self, sc, d, want):
        cands = [f for f in self.funcs if f.rets == [want] and (f.smooth or not self.smooth)]
        if not cands or sc.func_index is not None and all(self.funcs.index(f) >= sc.func_index for f in cands):
            return None
        cands = [f for f in cands if sc.func_index is None or self.funcs.index(f) < sc.func_index]
        f = self.rng.choice(cands)
        args = [self.gen_typed(sc, t, d - 1) for _, t in f.params]

        def ev(env):
            vals = [a[1](env) for a in args]
            return f.call(env, vals)
        bound = FLT_LIM if want == "f" else INT_LIM
        return (f"{f.name}({', '.join(a[0] for a in args)})", ev, bound)


CMP = {"<": lambda x, y: x < y, "<=": lambda x, y: x <= y, ">": lambda x, y: x > y,
       ">=": lambda x, y: x >= y, "==": lambda x, y: x == y, "!=": lambda x, y: x != y}


def dot(env, a, b):
    acc = 0.0
    for x, y in zip(a, b):
        acc = env.R(acc + env.R(x * y))
    return acc


def det(env, m):
    R = env.R
    a = R(m[1][1] * m[2][2] - m[1][2] * m[2][1])
    b = R(m[1][0] * m[2][2] - m[1][2] * m[2][0])
    c = R(m[1][0] * m[2][1] - m[1][1] * m[2][0])
    return R(R(m[0][0] * a) - R(m[0][1] * b) + R(m[0][2] * c))


def conj(q):
    return (-q[0], -q[1], -q[2], q[3])


TYPE_CODE = {"f": "float", "i": "int", "v3": "wp.vec3", "v4": "wp.vec4", "m33": "wp.mat33", "q": "wp.quat"}


def zero_of(t, structs):
    if t == "f":
        return 0.0
    if t == "i":
        return 0
    if t == "v3":
        return (0.0,) * 3
    if t == "v4":
        return (0.0,) * 4
    if t == "m33":
        return ((0.0,) * 3,) * 3
    if t == "q":
        return (0.0, 0.0, 0.0, 1.0)
    return {fn: zero_of(ft, structs) for fn, ft in dict(structs)[t]}


class Scope:
    def __init__(self, kernel, func_index=None, parent=None):
        self.kernel, self.func_index = kernel, func_index
        self.vars = list(parent.vars) if parent else []
        self.bounds = dict(parent.bounds) if parent else {}
        self.readonly = set(parent.readonly) if parent else set()

    def of(self, t):
        return [n for n, tt in self.vars if tt == t]

    def writable(self, t):
        return [n for n, tt in self.vars if tt == t and n not in self.readonly]

    def type_of(self, name):
        return dict(self.vars)[name]

    def bound(self, n):
        return self.bounds.get(n, INT_LIM)

    def add(self, name, t, bound=None, readonly=False):
        self.vars.append((name, t))
        if bound is not None:
            self.bounds[name] = bound
        if readonly:
            self.readonly.add(name)


# ---------------------------------------------------------------------------------------------
# Statements: objects with lines(indent) and run(env); `kids` lists nested statement lists so
# minimise.py can delete statements.

class Stmt:
    removable = True

    def lines(self, ind):
        raise NotImplementedError

    def run(self, env):
        raise NotImplementedError


class Simple(Stmt):
    def __init__(self, code, fn, removable=True):
        self.code, self.fn, self.removable = code, fn, removable

    def lines(self, ind):
        return [ind + c for c in self.code.split("\n")]

    def run(self, env):
        self.fn(env)


class Block(Stmt):
    """A compound statement: header lines + bodies."""

    def __init__(self, parts, runner, prefix=None):
        self.parts = parts          # [(header, [Stmt])]
        self.runner = runner        # runner(env, run_body(i))
        self.prefix = prefix or []  # Simple statements emitted before (loop counters)

    def lines(self, ind):
        out = []
        for p in self.prefix:
            out += p.lines(ind)
        for header, body in self.parts:
            out.append(ind + header)
            inner = [l for s in body for l in s.lines(ind + "    ")]
            out += inner or [ind + "    pass"]
        return out

    def run(self, env):
        for p in self.prefix:
            p.run(env)

        def run_body(i):
            for s in self.parts[i][1]:
                s.run(env)
        self.runner(env, run_body)


def run_list(env, stmts):
    for s in stmts:
        s.run(env)


class FuncDef:
    def __init__(self, name, params, rets, smooth):
        self.name, self.params, self.rets, self.smooth = name, params, rets, smooth
        self.body = []

    def lines(self, structs):
        ps = ", ".join(f"{n}: {TYPE_CODE.get(t, t)}" for n, t in self.params)
        out = ["@wp.func", f"def {self.name}({ps}):"]
        out += [l for s in self.body for l in s.lines("    ")]
        return out

    def call(self, env, vals):
        sub = Env(env.R, env.module, env.arrays, env.scalars)
        sub.vars = {n: v for (n, _), v in zip(self.params, vals)}
        try:
            run_list(sub, self.body)
        except Return as r:
            env.fragile |= sub.fragile
            return r.value
        raise AssertionError("function fell off its end")


class KernelDef:
    def __init__(self, name, ndim, dims, grad=False):
        self.name, self.ndim, self.dims, self.grad = name, ndim, dims, grad
        self.body = []

    def params(self):
        if self.grad:
            return [("x", "array f32 1"), ("y", "array f32 1")]
        return [("in_f", "array f32 1"), ("in_i", "array i32 1"), ("sc_f", "f32"), ("sc_i", "i32"),
                ("out_f", f"array f32 {self.ndim}"), ("out_i", f"array i32 {self.ndim}"),
                ("acc_i", "array i32 1"), ("acc_f", "array f32 1")]

    def lines(self):
        if self.grad:
            sig = "x: wp.array(dtype=float), y: wp.array(dtype=float)"
        else:
            nd = "" if self.ndim == 1 else f", ndim={self.ndim}"
            sig = (f"in_f: wp.array(dtype=float), in_i: wp.array(dtype=int), sc_f: float, sc_i: int, "
                   f"out_f: wp.array(dtype=float{nd}), out_i: wp.array(dtype=int{nd}), "
                   f"acc_i: wp.array(dtype=int), acc_f: wp.array(dtype=float)")
        out = ["@wp.kernel", f"def {self.name}({sig}):"]
        out += [l for s in self.body for l in s.lines("    ")]
        return out


class Module:
    def __init__(self, seed):
        self.seed = seed
        self.structs = []
        self.funcs = []
        self.kernels = []
        self.inputs = {}


# ---------------------------------------------------------------------------------------------
# Statement generation.

class StmtGen:
    def __init__(self, g):
        self.g = g

    def block(self, sc, depth, n, ctx):
        """n statements into a new list; ctx: dict(loop=bool, func=FuncDef|None, kernel=KernelDef|None)."""
        out = []
        for _ in range(n):
            out.append(self.stmt(sc, depth, ctx))
        return out

    def stmt(self, sc, depth, ctx):
        g, r = self.g, self.g.rng
        k = r.randrange(16)
        d = 2
        if k <= 3:
            return self.assign(sc, d)
        if k == 4:
            return self.new_var(sc, d)
        if k == 5 and depth > 0:
            return self.if_stmt(sc, depth, ctx)
        if k == 6 and depth > 0:
            return self.for_static(sc, depth, ctx)
        if k == 7 and depth > 0:
            return self.for_dynamic(sc, depth, ctx)
        if k == 8 and depth > 0:
            return self.while_stmt(sc, depth, ctx)
        if k == 9 and ctx["loop"]:
            return self.break_continue(sc)
        if k == 10 and r.random() < 0.3:
            return self.early_return(sc, ctx)
        if k == 11 and ctx["kernel"] and not g.smooth:
            return self.atomic(sc)
        if k == 12:
            return self.component_store(sc)
        if k == 13 and ctx["kernel"] and not ctx["kernel"].grad:
            return self.out_store(sc, ctx["kernel"])
        if k == 14 and g.funcs:
            return self.tuple_call(sc)
        return self.assign(sc, d)

    def assign(self, sc, d):
        g, r = self.g, self.g.rng
        types = [t for t in ("f", "i", "v3", "m33", "q") if sc.writable(t)]
        if not types:
            return self.new_var(sc, d)
        t = r.choice(types)
        name = r.choice(sc.writable(t))
        if t in ("f", "i") and r.random() < 0.3:
            op = r.choice("+-")
            sgn = 1 if op == "+" else -1
            e = g.gen_typed(sc, t, d)
            if t == "f":
                w = g.wrap_float((name, lambda env: env.vars[name], 2 * FLT_LIM + 1))
                return Simple(f"{name} {op}= {e[0]}\n{name} = {w[0]}", lambda env: (
                    env.vars.__setitem__(name, env.R(env.vars[name] + sgn * e[1](env))),
                    env.vars.__setitem__(name, w[1](env))))
            w = g.wrap_int((name, lambda env: env.vars[name], 2 * INT_LIM + 1))
            return Simple(f"{name} {op}= {e[0]}\n{name} = {w[0]}", lambda env: (
                env.vars.__setitem__(name, env.vars[name] + sgn * e[1](env)),
                env.vars.__setitem__(name, w[1](env))))
        e = g.gen_typed(sc, t, d)
        code = e[0]
        if t in ("f", "i") and not code.isidentifier() and not code.startswith(("(", "wp.", "float(")):
            code = f"{TYPE_CODE[t]}({code})"  # a bare literal: Warp would make the variable a constant
        return Simple(f"{name} = {code}", lambda env: env.vars.__setitem__(name, e[1](env)))

    def new_var(self, sc, d):
        g, r = self.g, self.g.rng
        t = r.choice(["f", "f", "i", "i", "v3", "m33", "q", "v4"] + [s for s, _ in g.structs])
        name = g.fresh("v")
        if t == "v4":
            cs = [g.wrap_float(g.gen_float(sc, 1)) for _ in range(4)]
            code = f"{name} = wp.vec4({', '.join(c[0] for c in cs)})"
            stmt = Simple(code, lambda env: env.vars.__setitem__(name, [c[1](env) for c in cs]))
        elif t in dict(g.structs):
            structs = g.structs
            stmt = Simple(f"{name} = {t}()", lambda env: env.vars.__setitem__(name, zero_of(t, structs)))
        else:
            e = g.gen_typed(sc, t, d)
            if t == "f":
                code = f"{name} = float({e[0]})"
            elif t == "i":
                code = f"{name} = int({e[0]})"
            else:
                code = f"{name} = {TYPE_CODE[t]}({e[0]})"
            stmt = Simple(code, lambda env: env.vars.__setitem__(name, e[1](env)))
        stmt.removable = False
        sc.add(name, t)
        return stmt

    def if_stmt(self, sc, depth, ctx):
        g, r = self.g, self.g.rng
        parts, conds = [], []
        n = r.randint(1, 3)
        for i in range(n):
            c = g.gen_cond(sc, 1)
            conds.append(c[1])
            parts.append((("if " if i == 0 else "elif ") + c[0] + ":",
                          self.block(Scope(sc.kernel, sc.func_index, sc), depth - 1, r.randint(1, 3), ctx)))
        has_else = r.random() < 0.6
        if has_else:
            parts.append(("else:", self.block(Scope(sc.kernel, sc.func_index, sc), depth - 1, r.randint(1, 3), ctx)))

        def runner(env, run_body):
            for i, c in enumerate(conds):
                if c(env):
                    return run_body(i)
            if has_else:
                run_body(len(conds))
        return Block(parts, runner)

    def loop_body(self, sc, depth, ctx, var, bound):
        inner = Scope(sc.kernel, sc.func_index, sc)
        inner.add(var, "i", bound, readonly=True)
        c = dict(ctx, loop=True)
        return self.block(inner, depth - 1, self.g.rng.randint(1, 3), c)

    @staticmethod
    def loop_runner(values, var, body_index=0):
        def runner(env, run_body):
            for k in values(env):
                env.vars[var] = k
                try:
                    run_body(body_index)
                except Continue:
                    continue
                except Break:
                    break
        return runner

    def for_static(self, sc, depth, ctx):
        g, r = self.g, self.g.rng
        var = g.fresh("k")
        lo, hi = r.randint(0, 2), r.randint(2, 5)
        rev = r.random() < 0.2
        body = self.loop_body(sc, depth, ctx, var, hi)
        header = f"for {var} in reversed(range({lo}, {hi})):" if rev else f"for {var} in range({lo}, {hi}):"
        vals = list(range(lo, hi))
        if rev:
            vals.reverse()
        return Block([(header, body)], self.loop_runner(lambda env: vals, var))

    def for_dynamic(self, sc, depth, ctx):
        g, r = self.g, self.g.rng
        var = g.fresh("k")
        a = g.wrap_int(g.gen_int(sc, 1))
        n = g.gen_int(sc, 1)
        m = r.randint(2, 6)
        body = self.loop_body(sc, depth, ctx, var, a[2] + m)
        header = f"for {var} in range({a[0]}, {a[0]} + wp.abs({n[0]}) % {m}):"

        def values(env):
            lo = a[1](env)
            return range(lo, lo + c_mod(abs(n[1](env)), m))
        return Block([(header, body)], self.loop_runner(values, var))

    def while_stmt(self, sc, depth, ctx):
        g, r = self.g, self.g.rng
        cnt = g.fresh("w")
        lim = g.gen_int(sc, 1)
        m = r.randint(2, 5)
        init = Simple(f"{cnt} = int(0)", lambda env: env.vars.__setitem__(cnt, 0), removable=False)
        inner = Scope(sc.kernel, sc.func_index, sc)
        inner.add(cnt, "i", m, readonly=True)
        step = Simple(f"{cnt} = {cnt} + 1", lambda env: env.vars.__setitem__(cnt, env.vars[cnt] + 1), removable=False)
        body = [step] + self.block(inner, depth - 1, r.randint(1, 3), dict(ctx, loop=True))
        header = f"while {cnt} < wp.abs({lim[0]}) % {m} + 1:"

        def runner(env, run_body):
            while env.vars[cnt] < c_mod(abs(lim[1](env)), m) + 1:
                try:
                    run_body(0)
                except Continue:
                    continue
                except Break:
                    break
        return Block([(header, body)], runner, prefix=[init])

    def break_continue(self, sc):
        g, r = self.g, self.g.rng
        c = g.gen_cond(sc, 1)
        word = r.choice(["break", "continue"])
        exc = Break if word == "break" else Continue

        def runner(env, run_body):
            if c[1](env):
                raise exc()
        return Block([(f"if {c[0]}:", [Simple(word, lambda env: None, removable=False)])], runner)

    def early_return(self, sc, ctx):
        g = self.g
        c = g.gen_cond(sc, 1)
        f = ctx["func"]
        if f is None:
            def runner(env, run_body):
                if c[1](env):
                    raise Return()
            return Block([(f"if {c[0]}:", [Simple("return", lambda env: None, removable=False)])], runner)
        vals = [g.gen_typed(sc, t, 1) for t in f.rets]
        code = "return " + ", ".join(v[0] for v in vals)

        def runner(env, run_body):
            if c[1](env):
                out = [v[1](env) for v in vals]
                raise Return(out[0] if len(out) == 1 else tuple(out))
        return Block([(f"if {c[0]}:", [Simple(code, lambda env: None, removable=False)])], runner)

    def atomic(self, sc):
        g, r = self.g, self.g.rng
        slot = r.randrange(ACC_N)
        if r.random() < 0.6:
            e = g.gen_int(sc, 1)
            name = r.choice(["atomic_add", "atomic_max", "atomic_min", "atomic_sub"])
            e = g.wrap_int(e)

            def fn(env):
                v = e[1](env)
                a = env.arrays["acc_i"]
                a[slot] = {"atomic_add": a[slot] + v, "atomic_sub": a[slot] - v,
                           "atomic_max": max(a[slot], v), "atomic_min": min(a[slot], v)}[name]
                env.touched.add(("acc_i", slot))
            return Simple(f"wp.{name}(acc_i, {slot}, {e[0]})", fn)
        e = g.wrap_float(g.gen_float(sc, 1))

        def fn(env):
            v = e[1](env)
            env.arrays["acc_f"][slot] += v
            env.arrays["acc_f_scale"][slot] += abs(v)
            env.touched.add(("acc_f", slot))
        return Simple(f"wp.atomic_add(acc_f, {slot}, {e[0]})", fn)

    def component_store(self, sc):
        g, r = self.g, self.g.rng
        opts = []
        for n in sc.writable("v3"):
            opts.append(("v3", n))
        for n in sc.writable("v4"):
            opts.append(("v4", n))
        for n in sc.writable("m33"):
            opts.append(("m33", n))
        for n, t in sc.vars:
            if t in dict(g.structs) and n not in sc.readonly:
                opts.append(("s", n))
        if not opts:
            return self.assign(sc, 2)
        kind, name = r.choice(opts)
        e = g.wrap_float(g.gen_float(sc, 1))
        if kind == "v4":
            idx = g.index_expr(sc, 1, 4)

            def fn(env):
                i, v = idx[1](env), e[1](env)
                env.vars[name] = list(env.vars[name])
                env.vars[name][i] = v
            return Simple(f"{name}[{idx[0]}] = {e[0]}", fn)
        if kind == "v3":
            c = r.randrange(3)
            code = f"{name}.{'xyz'[c]} = {e[0]}" if r.random() < 0.5 else f"{name}[{c}] = {e[0]}"

            def fn(env):
                v = list(env.vars[name])
                v[c] = e[1](env)
                env.vars[name] = tuple(v)
            return Simple(code, fn)
        if kind == "m33":
            i, j = r.randrange(3), r.randrange(3)

            def fn(env):
                m = [list(row) for row in env.vars[name]]
                m[i][j] = e[1](env)
                env.vars[name] = tuple(tuple(row) for row in m)
            return Simple(f"{name}[{i}, {j}] = {e[0]}", fn)
        fields = dict(g.structs)[sc.type_of(name)]
        fname, ft = r.choice(fields)
        e = g.gen_typed(sc, ft, 1)

        def fn(env):
            s = dict(env.vars[name])
            s[fname] = e[1](env)
            env.vars[name] = s
        return Simple(f"{name}.{fname} = {e[0]}", fn)

    def out_store(self, sc, k):
        g, r = self.g, self.g.rng
        idx = ", ".join(f"t{d}" for d in range(k.ndim))
        if r.random() < 0.5:
            e = g.wrap_float(g.gen_float(sc, 2))
            arr = "out_f"
        else:
            e = g.wrap_int(g.gen_int(sc, 2))
            arr = "out_i"

        if arr == "out_f":
            def fn(env):
                f = env.vars["__flat"]
                env.arrays[arr][f] = env.R(env.R(env.arrays[arr][f] * 0.5) + e[1](env))
            return Simple(f"{arr}[{idx}] = {arr}[{idx}] * 0.5 + {e[0]}", fn)

        def fn(env):
            f = env.vars["__flat"]
            env.arrays[arr][f] = c_mod(env.arrays[arr][f] * 3 + e[1](env), 1000003)
        return Simple(f"{arr}[{idx}] = ({arr}[{idx}] * 3 + {e[0]}) % 1000003", fn)

    def fold_state(self, sc, k):
        """The kernel's last statements: every top-level variable folded into the outputs, so
        that no computed value is dead."""
        idx = ", ".join(f"t{d}" for d in range(k.ndim))
        fterms, iterms = [], []
        for n, t in sc.vars:
            if t == "f":
                fterms.append((n, lambda env, n=n: env.vars[n]))
            elif t == "i":
                iterms.append((n, lambda env, n=n: env.vars[n]))
            elif t in ("v3", "v4", "q"):
                for c in range({"v3": 3, "v4": 4, "q": 4}[t]):
                    fterms.append((f"{n}[{c}]", lambda env, n=n, c=c: env.vars[n][c]))
            elif t == "m33":
                fterms.append((f"{n}[1, 2]", lambda env, n=n: env.vars[n][1][2]))
        fcode = " + ".join(c for c, _ in fterms) or "0.0"
        icode = " + ".join(c for c, _ in iterms) or "0"

        def ffn(env):
            f, acc = env.vars["__flat"], 0.0
            for _, g in fterms:
                acc = env.R(acc + g(env))
            env.arrays["out_f"][f] = env.R(env.R(env.arrays["out_f"][f] * 0.5) + acc)

        def ifn(env):
            f = env.vars["__flat"]
            env.arrays["out_i"][f] = c_mod(env.arrays["out_i"][f] * 3 + sum(g(env) for _, g in iterms), 1000003)
        return [Simple(f"out_f[{idx}] = out_f[{idx}] * 0.5 + ({fcode})", ffn, removable=False),
                Simple(f"out_i[{idx}] = (out_i[{idx}] * 3 + ({icode})) % 1000003", ifn, removable=False)]

    def tuple_call(self, sc):
        g, r = self.g, self.g.rng
        cands = [f for f in g.funcs if len(f.rets) > 1 and (f.smooth or not g.smooth)
                 and (sc.func_index is None or g.funcs.index(f) < sc.func_index)]
        if not cands:
            return self.assign(sc, 2)
        f = r.choice(cands)
        args = [g.gen_typed(sc, t, 1) for _, t in f.params]
        names = [g.fresh("r") for _ in f.rets]
        code = f"{', '.join(names)} = {f.name}({', '.join(a[0] for a in args)})"
        for n, t in zip(names, f.rets):
            sc.add(n, t, readonly=True)

        def fn(env):
            res = f.call(env, [a[1](env) for a in args])
            for n, v in zip(names, res):
                env.vars[n] = v
        s = Simple(code, fn)
        s.removable = False
        return s


# ---------------------------------------------------------------------------------------------
# Module generation.

def gen_module(seed):
    g = Gen(seed)
    r = g.rng
    sg = StmtGen(g)
    m = Module(seed)
    for s in range(r.randint(0, 2)):
        name = f"S{s}"
        fields = [(f"f{j}", r.choice(["f", "i", "v3"])) for j in range(r.randint(1, 3))]
        g.structs.append((name, fields))
    m.structs = g.structs
    for fi in range(r.randint(1, 4)):
        smooth = r.random() < 0.5
        g.smooth = smooth
        params = [(f"p{j}", r.choice(["f", "f", "i", "v3", "q"])) for j in range(r.randint(1, 3))]
        rets = [r.choice(["f", "i"])] if r.random() < 0.7 else [r.choice(["f", "i"]), r.choice(["f", "i", "v3"])]
        fd = FuncDef(f"fn{fi}", params, rets, smooth)
        sc = Scope(False, func_index=fi)
        for n, t in params:
            sc.add(n, t, bound=INT_LIM if t == "i" else None, readonly=True)
        ctx = {"loop": False, "func": fd, "kernel": None}
        body = sg.block(sc, 2, r.randint(2, 5), ctx)
        vals = [g.gen_typed(sc, t, 2) for t in rets]
        body.append(Simple("return " + ", ".join(v[0] for v in vals),
                           lambda env, vals=vals: (_ for _ in ()).throw(
                               Return(vals[0][1](env) if len(vals) == 1 else tuple(v[1](env) for v in vals))),
                           removable=False))
        fd.body = body
        g.funcs.append(fd)
        m.funcs.append(fd)
    g.smooth = False
    for ki in range(r.randint(1, 2)):
        ndim = r.randint(1, 4)
        dims = [r.randint(1, {1: 24, 2: 6, 3: 4, 4: 3}[ndim]) for _ in range(ndim)]
        k = KernelDef(f"k{ki}", ndim, dims)
        sc = Scope(True)
        tids = [f"t{d}" for d in range(ndim)]
        head = Simple(f"{', '.join(tids)} = wp.tid()" if ndim > 1 else "t0 = wp.tid()",
                      lambda env: None, removable=False)
        for d, t in enumerate(tids):
            sc.add(t, "i", bound=dims[d], readonly=True)
        sc.add("sc_f", "f", readonly=True)
        sc.add("sc_i", "i", bound=100, readonly=True)
        ctx = {"loop": False, "func": None, "kernel": k}
        body = [head] + sg.block(sc, 3, r.randint(4, 9), ctx)
        body.append(sg.out_store(sc, k))
        body += sg.fold_state(sc, k)
        k.body = body
        m.kernels.append(k)
    # The differentiable kernel: smooth float code over x, y.
    g.smooth = True
    k = KernelDef("kgrad", 1, [GRAD_N], grad=True)
    sc = Scope(False)
    sc.add("i", "i", bound=GRAD_N, readonly=True)
    x0 = Simple("a = float(x[i])", lambda env: env.vars.__setitem__("a", env.arrays["x"][env.vars["i"]]), removable=False)
    x1 = Simple(f"b = float(x[(i + 1) % {GRAD_N}])",
                lambda env: env.vars.__setitem__("b", env.arrays["x"][(env.vars["i"] + 1) % GRAD_N]), removable=False)
    sc.add("a", "f")
    sc.add("b", "f")
    ctx = {"loop": False, "func": None, "kernel": k}
    body = [Simple("i = wp.tid()", lambda env: None, removable=False), x0, x1] + sg.block(sc, 2, r.randint(3, 6), ctx)
    e = g.wrap_float(g.gen_float(sc, 2))
    body.append(Simple(f"y[i] = {e[0]} + a * b + wp.sin(b)", lambda env: env.arrays["y"].__setitem__(
        env.vars["i"], env.R(env.R(e[1](env) + env.R(env.vars["a"] * env.vars["b"])) + env.R(math.sin(env.vars["b"])))),
        removable=False))
    k.body = body
    m.kernels.append(k)
    # Inputs.
    m.inputs = {
        "in_f": [r.randint(-32, 32) / 8.0 for _ in range(IN_N)],
        "in_i": [r.randint(-100, 100) for _ in range(IN_N)],
        "sc_f": r.randint(-16, 16) / 4.0,
        "sc_i": r.randint(-100, 100),
        "x": [r.randint(-16, 16) / 8.0 for _ in range(GRAD_N)],
        "w": [r.randint(-8, 8) / 4.0 for _ in range(GRAD_N)],
    }
    return m


# ---------------------------------------------------------------------------------------------
# Rendering and evaluation.

def render(m):
    out = ["# Generated by tools/wpsmith/wpsmith.py (seed %d)." % m.seed]
    if any(k.grad for k in m.kernels):
        out.append(f"# gradcheck: kernel=kgrad launch={GRAD_N} shape(x)={GRAD_N} shape(y)={GRAD_N} range=-2,2")
    out += ["import warp as wp", "", ""]
    for name, fields in m.structs:
        out += ["@wp.struct", f"class {name}:"] + [f"    {fn}: {TYPE_CODE[ft]}" for fn, ft in fields] + ["", ""]
    for f in m.funcs:
        out += f.lines(m.structs) + ["", ""]
    for k in m.kernels:
        out += k.lines() + ["", ""]
    return "\n".join(out).rstrip() + "\n"


def flat_indices(dims):
    idx = [[]]
    for d in dims:
        idx = [p + [i] for p in idx for i in range(d)]
    return idx


def run_grad_kernel(m, k, xs, R=ident):
    arrays = {"x": list(xs), "y": [0.0] * GRAD_N}
    for i in range(GRAD_N):
        env = Env(R, m, arrays, {})
        env.vars["i"] = i
        try:
            run_list(env, k.body)
        except Return:
            pass
    return arrays["y"]


def grad_reference(m, k, h=1e-6):
    """x's gradient for the adjoint seeds w: sum_i w_i dy_i/dx_j, central differences in float64."""
    x, w = m.inputs["x"], m.inputs["w"]
    out = []
    for j in range(GRAD_N):
        xp, xm = list(x), list(x)
        xp[j] += h
        xm[j] -= h
        yp, ym = run_grad_kernel(m, k, xp), run_grad_kernel(m, k, xm)
        out.append(sum(wi * (a - b) / (2 * h) for wi, a, b in zip(w, yp, ym)))
    return out


def evaluate(m, R):
    """Runs every kernel; returns {launch: {param: (values, fragile_flags, scales)}}."""
    results = []
    for k in m.kernels:
        if k.grad:
            arrays = {"x": [R(v) for v in m.inputs["x"]], "y": [0.0] * GRAD_N}
            fragile = [False] * GRAD_N
            for i in range(GRAD_N):
                env = Env(R, m, arrays, {})
                env.vars["i"] = i
                try:
                    run_list(env, k.body)
                except Return:
                    pass
                fragile[i] = env.fragile
            res = {"x": (arrays["x"], [False] * GRAD_N, None), "y": (arrays["y"], fragile, None)}
            if R is ident:
                res["grad:x"] = (grad_reference(m, k), [False] * GRAD_N, None)
            results.append(res)
            continue
        n = math.prod(k.dims)
        arrays = {"in_f": list(m.inputs["in_f"]), "in_i": list(m.inputs["in_i"]),
                  "out_f": [0.0] * n, "out_i": [0] * n, "acc_i": [0] * ACC_N, "acc_f": [0.0] * ACC_N,
                  "acc_f_scale": [0.0] * ACC_N}
        scalars = {"sc_f": m.inputs["sc_f"], "sc_i": m.inputs["sc_i"]}
        frag_out = [False] * n
        frag_acc = {"acc_i": [False] * ACC_N, "acc_f": [False] * ACC_N}
        for flat, tid in enumerate(flat_indices(k.dims)):
            env = Env(R, m, arrays, scalars)
            env.vars.update({f"t{d}": t for d, t in enumerate(tid)})
            env.vars.update({"sc_f": scalars["sc_f"], "sc_i": scalars["sc_i"], "__flat": flat})
            try:
                run_list(env, k.body)
            except Return:
                pass
            if env.fragile:
                frag_out[flat] = True
                for arr, slot in env.touched:
                    frag_acc[arr][slot] = True
        results.append({
            "in_f": (arrays["in_f"], [False] * IN_N, None), "in_i": (arrays["in_i"], [False] * IN_N, None),
            "out_f": (arrays["out_f"], frag_out, None), "out_i": (arrays["out_i"], frag_out, None),
            "acc_i": (arrays["acc_i"], frag_acc["acc_i"], None),
            "acc_f": (arrays["acc_f"], frag_acc["acc_f"], arrays["acc_f_scale"]),
        })
    return results


def exec_inputs(m):
    """The warpc-smith-exec input file."""
    lines = []
    for k in m.kernels:
        lines.append(f"launch {k.name} {len(k.dims)} {' '.join(map(str, k.dims))}")
        if k.grad:
            lines.append(f"arg array f32 1 {GRAD_N} " + " ".join(float(v).hex() for v in m.inputs["x"]))
            lines.append(f"arg array f32 1 {GRAD_N} " + " ".join("0x0p+0" for _ in range(GRAD_N)))
            lines.append(f"seed 1 " + " ".join(float(v).hex() for v in m.inputs["w"]))
        else:
            n = math.prod(k.dims)
            shape = " ".join(map(str, k.dims))
            lines.append(f"arg array f32 1 {IN_N} " + " ".join(float(v).hex() for v in m.inputs["in_f"]))
            lines.append(f"arg array i32 1 {IN_N} " + " ".join(map(str, m.inputs["in_i"])))
            lines.append(f"arg f32 {float(m.inputs['sc_f']).hex()}")
            lines.append(f"arg i32 {m.inputs['sc_i']}")
            lines.append(f"arg array f32 {k.ndim} {shape} " + " ".join("0x0p+0" for _ in range(n)))
            lines.append(f"arg array i32 {k.ndim} {shape} " + " ".join("0" for _ in range(n)))
            lines.append(f"arg array i32 1 {ACC_N} " + " ".join("0" for _ in range(ACC_N)))
            lines.append(f"arg array f32 1 {ACC_N} " + " ".join("0x0p+0" for _ in range(ACC_N)))
        lines.append("end")
    return "\n".join(lines) + "\n"


def reference(m):
    ref64 = evaluate(m, ident)
    ref32 = evaluate(m, f32)
    out = []
    for k, a, b in zip(m.kernels, ref64, ref32):
        launch = {"kernel": k.name, "params": {}}
        for p, (vals, frag, scale) in a.items():
            if p.startswith("grad:"):
                launch["params"][p] = {"f64": vals, "f32emu": vals, "fragile": frag, "scale": None, "grad": True}
                continue
            vals32, frag32, _ = b[p]
            launch["params"][p] = {
                "f64": vals, "f32emu": vals32,
                "fragile": [x or y for x, y in zip(frag, frag32)],
                "scale": scale,
            }
        out.append(launch)
    return out


def write_case(m, out_dir, stem):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{stem}.wp").write_text(render(m))
    (out_dir / f"{stem}.in").write_text(exec_inputs(m))
    (out_dir / f"{stem}.ref.json").write_text(json.dumps(reference(m)))


def main(argv):
    if len(argv) != 3:
        print("usage: wpsmith.py SEED OUT_DIR", file=sys.stderr)
        return 2
    seed = int(argv[1])
    m = gen_module(seed)
    write_case(m, argv[2], f"smith_{seed}")
    print(Path(argv[2]) / f"smith_{seed}.wp")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
