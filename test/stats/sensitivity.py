#!/usr/bin/python3
"""test/stats/sensitivity.py: independent reference values for sql/sensitivity.sql.

    /usr/bin/python3 test/stats/sensitivity.py   (plain Python 3, no package)

The fixture test/fixtures/sensitivity.sql: two leaves x, y of weight 50,
scores = values, index = 100 (w1 x + w2 y) / (w1 + w2); regions a (1.0, 0.5),
b (0.4, 1.0), c (0.1, 0.1) under d (0.5, 0.5); Wuchang cut points 90 / 80 / 70
(index >= 70 is grade 3).  Under the weight perturbation of doc/statistics.md
(each weight times u ~ U[1 - w, 1 + w], siblings rescaled to their parent's
weight) only the ratio u1 / u2 matters, so each probability is the area of a
region of the square [1 - w, 1 + w]^2 cut by a line u2 = k u1, computed here
exactly (fractions), and checked by a Monte Carlo of the same model with
Python's own generator (Mersenne Twister, nothing shared with safeidx).
Also the tails of the Gamma posteriors of sql/sensitivity.sql's rate parts,
in closed form for half-integer shapes: P(Gamma(1/2) > x) = erfc(sqrt x),
P(Gamma(5/2) > x) = erfc(sqrt x) + exp(-x) 2 sqrt(x / pi) (1 + 2 x / 3).  The output is quoted in the comments of sql/sensitivity.sql.
"""
import math
import random
from fractions import Fraction as F


def p_u2_above(k, w):
    """P(u2 > k u1) for u1, u2 independent uniform on [1 - w, 1 + w], exactly."""
    lo, hi = 1 - w, 1 + w
    # integrate over u1 the length of {u2 in [lo, hi]: u2 > k u1}, piecewise linear:
    # split [lo, hi] where k u1 crosses lo and hi
    points = sorted({lo, hi} | {p for p in (lo / k, hi / k) if lo < p < hi})
    total = F(0)
    for a, b in zip(points, points[1:]):
        m = (a + b) / 2
        if k * m >= hi:
            continue                               # empty
        if k * m <= lo:
            total += (b - a) * (hi - lo)           # all of [lo, hi]
        else:                                      # (k u1, hi]: hi - k u1
            total += (hi * (b - a) - k * (b * b - a * a) / 2)
    return total / (hi - lo) ** 2


def index(x, y, u1, u2):
    return 100 * (x * u1 + y * u2) / (u1 + u2)


def grade(i):
    return 1 if i >= 90 else 2 if i >= 80 else 3 if i >= 70 else 4


w = F(1, 2)
# b outranks a iff 0.4 u1 + u2 > u1 + 0.5 u2 iff u2 > 1.2 u1
p_b_over_a = p_u2_above(F(6, 5), w)
# a leaves grade 3 iff index < 70 (u2 > 1.5 u1) or >= 80 (u2 < 2/3 u1 = u1 > 1.5 u2)
p_a_grade = 2 * p_u2_above(F(3, 2), w)
# b leaves grade 3 iff index < 70 (u2 < u1) or >= 80 (u2 >= 2 u1)
p_b_grade = F(1, 2) + p_u2_above(F(2), w)
print(f"P(b outranks a), w = 1/2: {p_b_over_a} = {float(p_b_over_a)}")
print(f"  mean rank a = 1 + p = {float(1 + p_b_over_a)}, b = 2 - p = {float(2 - p_b_over_a)}")
print(f"P(a's grade changes), w = 1/2: {p_a_grade} = {float(p_a_grade)}")
print(f"P(b's grade changes), w = 1/2: {p_b_grade} = {float(p_b_grade)}")

rng = random.Random(20251124)
n = 400000
over = ga = gb = 0
for _ in range(n):
    u1, u2 = rng.uniform(0.5, 1.5), rng.uniform(0.5, 1.5)
    ia, ib = index(1.0, 0.5, u1, u2), index(0.4, 1.0, u1, u2)
    over += ib > ia
    ga += grade(ia) != 3
    gb += grade(ib) != 3
print(f"Monte Carlo ({n} draws): {over / n:.4f}, {ga / n:.4f}, {gb / n:.4f}")

# cut points moved by U(-4, 4): b (70) leaves grade 3 iff the cut 70 moves up
print("P(b's grade changes), cut range 4: 1/2")
print(f"P(Gamma(1/2, 1) > 5) = erfc(sqrt(5)) = {math.erfc(math.sqrt(5))}")
# test/fixtures/alarm.sql, April 2025: c's 2 events in 5,000 against the baseline
# B = 73 / 12 / 15,500 x 10,000; c leaves the middle band (0.8 B, 1.2 B] when
# its drawn events x ~ Gamma(5/2) give x / 5,000 x 10,000 above 1.2 B or below 0.8 B
B = 73 / 12 / 15500 * 10000


def gamma52_sf(x):
    return math.erfc(math.sqrt(x)) + math.exp(-x) * 2 * math.sqrt(x / math.pi) * (1 + 2 * x / 3)


up, down = gamma52_sf(1.2 * B / 2), 1 - gamma52_sf(0.8 * B / 2)
print(f"alarm fixture, April 2025, c leaves grade 2: {up:.5f} + {down:.5f} = {up + down:.5f}")
def gamma_half_sf(n, x):
    """P(Gamma(n + 1/2, 1) > x) for a whole n >= 0: erfc(sqrt x) + exp(-x) sum_k x^(k - 1/2) / Gamma(k + 1/2)."""
    return math.erfc(math.sqrt(x)) + math.exp(-x) * sum(x ** (k - 0.5) / math.gamma(k + 0.5) for k in range(1, n + 1))


assert abs(gamma_half_sf(2, 2.0) - gamma52_sf(2.0)) < 1e-15

# March 2025 (report_alarms in sql/alarm.sql): b's 0 events in 500 (score 100,
# grade 1) leaves grade 1 when x ~ Gamma(1/2) gives a ratio of 0.8 or more
# (x >= 0.8 B x 500 / 10,000); c's 2 in 5,000 as in April
b_march = math.erfc(math.sqrt(0.8 * B * 500 / 10000))
# a's 12 events in 10,000 (score 0, grade 4) leave grade 4 when x ~ Gamma(12.5)
# gives a ratio of 1.2 or less
a_march = 1 - gamma_half_sf(12, 1.2 * B)
print(f"alarm fixture, March 2025, b leaves grade 1: {b_march:.5f}; c leaves grade 2: {up + down:.5f};"
      f" a leaves grade 4: {a_march:.5f}")
mc = [sum(rng.gammavariate(shape, 1) > x for _ in range(n)) / n
      for shape, x in ((0.5, 5), (2.5, 1.2 * B / 2), (12.5, 1.2 * B))]
print(f"Monte Carlo ({n} draws, Python's gammavariate): P(Gamma(1/2) > 5) {mc[0]:.5f},"
      f" P(Gamma(5/2) > 1.2 B / 2) {mc[1]:.5f}, P(Gamma(25/2) <= 1.2 B) {1 - mc[2]:.5f}")
for p, d in ((b_march, 1000), (a_march, 1000), (up + down, 1000), (up + down, 20000), (float(p_b_over_a), 20000), (float(p_a_grade), 20000), (float(p_b_grade), 20000), (0.5, 20000),
             (math.erfc(math.sqrt(5)), 100000)):
    print(f"  binomial standard error of a share {p:.6f} over {d} draws: {math.sqrt(p * (1 - p) / d):.6f}")
