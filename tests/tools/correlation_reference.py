#!/usr/bin/env python3
# tests/tools/correlation_reference.py -- the reference values of check_theory's
# correlation tests, computed independently of winit's two-dimensional rule (mpmath):
#   erf(a x): q*, c*, chi_c, xi_q and xi_c from the closed forms of its kernels (Williams
#     1997), q* by root finding, c* by bisection;
#   tanh: c*, chi_c and xi_c by Mehler's expansion E[f(u1) f(u2)] = sum_n a_n^2 c^n / n!,
#     a_n = E[f(sqrt(q*) z) He_n(z)], 1-D quadrature only (slow: about a minute a case);
#   tanh's critical sigma_w^2 at sigma_b^2 = 0.05.
# Run: python3 tests/tools/correlation_reference.py [erf] [tanh] [critical]
import sys
from mpmath import mp, mpf, asin, sqrt, pi, findroot, quad, tanh, sech, exp, log, inf, factorial


def erf_case(sw, sb, a=1.0):
    mp.dps = 30
    s2, b2, A = mpf(sw) ** 2, mpf(sb) ** 2, mpf(a) ** 2
    V = lambda q: s2 * 2 / pi * asin(2 * A * q / (1 + 2 * A * q)) + b2
    q = findroot(lambda q: V(q) - q, 2.0)
    cmap = lambda c: (s2 * 2 / pi * asin(2 * A * q * c / (1 + 2 * A * q)) + b2) / q
    chi = lambda c: s2 * 4 * A / pi / sqrt((1 + 2 * A * q) ** 2 - 4 * A * A * q * q * c * c)
    if chi(1) <= 1:
        cs = mpf(1)
    elif cmap(0) <= 0:
        cs = mpf(0)
    else:
        lo, hi = mpf(0), 1 - mpf(10) ** -12
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if cmap(mid) - mid > 0 else (lo, mid)
        cs = (lo + hi) / 2
    slope = s2 * 2 / pi * (2 * A / (1 + 2 * A * q) ** 2) / sqrt(1 - (2 * A * q / (1 + 2 * A * q)) ** 2)
    print("erf sw %s sb %s a %s: q* %.12f c* %.12f chi_c %.12f xi_q %.10f xi_c %.10f"
          % (sw, sb, a, q, cs, chi(cs), 1 / abs(log(slope)), 1 / abs(log(chi(cs)))))


def E(g):
    return quad(lambda z: g(z) * exp(-z * z / 2) / sqrt(2 * pi), [-inf, -6, -3, 0, 3, 6, inf])


def herm(n, z):
    h0, h1 = mpf(1), z
    if n == 0:
        return h0
    for k in range(1, n):
        h0, h1 = h1, z * h1 - k * h0
    return h1


def tanh_case(sw, sb, q0, terms=80):
    mp.dps = 20
    s2, b2 = mpf(sw) ** 2, mpf(sb) ** 2
    q = findroot(lambda q: s2 * E(lambda z: tanh(sqrt(q) * z) ** 2) + b2 - q, q0)
    a = [E(lambda z, n=n: tanh(sqrt(q) * z) * herm(n, z)) for n in range(terms)]
    K = lambda c: sum(a[n] ** 2 * c ** n / factorial(n) for n in range(terms))
    dK = lambda c: sum(a[n] ** 2 * c ** (n - 1) / factorial(n - 1) for n in range(1, terms))
    cmap = lambda c: (s2 * K(c) + b2) / q
    chi1 = s2 * E(lambda z: sech(sqrt(q) * z) ** 4)
    if chi1 <= 1:
        cs = mpf(1)
    elif cmap(mpf(0)) <= mpf(10) ** -15:
        cs = mpf(0)
    else:
        lo, hi = mpf(0), 1 - mpf(10) ** -8
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if cmap(mid) - mid > 0 else (lo, mid)
        cs = (lo + hi) / 2
    chic = s2 * dK(cs) / q if cs < 1 else chi1
    print("tanh sw %s sb %s: q* %.10f c* %.10f chi_c %.10f xi_c %.10f (chi_1 %.8f)"
          % (sw, sb, q, cs, chic, 1 / abs(log(chic)), chi1))


def tanh_critical(b2=mpf("0.05")):
    mp.dps = 30
    def fp(s2):
        q = findroot(lambda q: s2 * E(lambda z: tanh(sqrt(q) * z) ** 2) + b2 - q, 1.0)
        return s2 * E(lambda z: sech(sqrt(q) * z) ** 4)
    print("tanh sigma_b^2 %s: critical sigma_w^2 %.10f" % (b2, findroot(lambda s2: fp(s2) - 1, 1.76)))


what = sys.argv[1:] or ["erf", "tanh", "critical"]
if "erf" in what:
    for case in [(2.0, 0.3), (2.0, 0.0), (1.25, 0.3), (1.5, 0.5, 0.7), (0.8, 0.3)]:
        erf_case(*case)
if "tanh" in what:
    for case in [(1.5, 0.3, 1.0), (3.0, 0.5, 6.6), (2.0, 0.0, 2.1)]:
        tanh_case(*case)
if "critical" in what:
    tanh_critical()
