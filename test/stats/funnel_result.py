#!/usr/bin/python3
"""test/stats/funnel_result.py: independent reference values for sql/funnel_result.sql.

    /usr/bin/python3 test/stats/funnel_result.py   (the standard library only)

March 2025 of the fixture test/fixtures/funnel.sql: the communities' funnel
limits, positions and tau^2 computed here from the textbook definitions
(Spiegelhalter 2005; doc/statistics.md#funnel-plots), not from safeidx: the
Poisson CDF summed term by term, the normal quantile of statistics.NormalDist.
The output is quoted in the comments of sql/funnel_result.sql.
"""
import math
from statistics import NormalDist

PER = 10000.0
units = [("a", 45, 10000), ("b", 5, 10000), ("c", 22, 20000), ("e", 24, 20000), ("f", 24, 20000)]
baseline = 10.0  # 2024: 80 a month in 80,000 residents


def cdf(k, mu):
    if k < 0:
        return 0.0
    return sum(math.exp(i * math.log(mu) - mu - math.lgamma(i + 1)) for i in range(k + 1))


def exact_ratio_limit(e, p):
    y = 0
    while cdf(y, e) < p:
        y += 1
    f1, f0 = cdf(y, e), cdf(y - 1, e)
    a = (f1 - p) / (f1 - f0)
    return max(0.0, (y - a) / e)


def position(o, lo, hi):
    return "above" if o > hi else "below" if o < lo else "inside"


level_rate = sum(o for _, o, _ in units) / sum(r for _, _, r in units) * PER
E = [level_rate * r / PER for _, _, r in units]
z = [(o - e) / math.sqrt(e) for (_, o, _), e in zip(units, E)]
s = sorted(z)
n = len(s)


def q(p):  # type 7
    h = (n - 1) * p
    lo = math.floor(h)
    return s[lo] + (h - lo) * (s[min(lo + 1, n - 1)] - s[lo])


zlo, zhi = q(0.1), q(0.9)
phi = sum(min(max(x, zlo), zhi) ** 2 for x in z) / n
tau2 = max(0.0, (n * phi - (n - 1)) / (sum(E) - sum(w * w for w in E) / sum(E)))
print(f"level_rate {level_rate!r} E {E}")
print(f"z {z} winsorised at {zlo!r} {zhi!r}")
print(f"phi {phi!r} tau2 {tau2!r}")
for (code, o, r), e in zip(units, E):
    rate = o / r * PER
    row = [code]
    for level in (0.95, 0.998):
        lo = level_rate * exact_ratio_limit(e, (1 - level) / 2)
        hi = level_rate * exact_ratio_limit(e, 1 - (1 - level) / 2)
        zz = NormalDist().inv_cdf(1 - (1 - level) / 2)
        rlo = max(0.0, level_rate * (1 - zz * math.sqrt(1 / e + tau2)))
        rhi = level_rate * (1 + zz * math.sqrt(1 / e + tau2))
        row += [level, lo, hi, position(rate, lo, hi), rlo, rhi, position(rate, rlo, rhi)]
    ex = baseline * r / PER
    for level in (0.95, 0.998):
        row += ["oe", level, position(o / ex, exact_ratio_limit(ex, (1 - level) / 2),
                                      exact_ratio_limit(ex, 1 - (1 - level) / 2))]
    print(" ".join(repr(x) if isinstance(x, float) else str(x) for x in row))
