#!/usr/bin/python3
"""test/stats/significance_reference.py: independent reference values for sql/significance.sql.

    /usr/bin/python3 test/stats/significance_reference.py   (apt-get install python3-scipy python3-numpy)

The fixture test/fixtures/significance.sql (issue 12, part 2a) recomputed from
its data with scipy / numpy and the textbook definitions (doc/statistics.md,
doc/engine.md), not from safeidx.  The output is quoted in the comments of
sql/significance.sql.
"""
import numpy as np
from scipy import stats

np.set_printoptions(precision=17)

res = {"a": 1000, "b": 5000, "c": 20000, "e": 2000}
parent = {"a": "s1", "b": "s1", "c": "s2", "e": "s2", "s1": "d", "s2": "d", "d": None}
events = {"2025-01": {"a": 2, "b": 8, "c": 32, "e": 10}, "2025-02": {"a": 0, "b": 1, "c": 14, "e": 3}}
year2024 = {"a": 12, "b": 60, "c": 240, "e": 24}
for m in events:
    for s, kids in (("s1", "ab"), ("s2", "ce")):
        events[m][s] = sum(events[m][k] for k in kids)
    events[m]["d"] = events[m]["s1"] + events[m]["s2"]
for s, kids in (("s1", "ab"), ("s2", "ce")):
    res[s] = sum(res[k] for k in kids)
    year2024[s] = sum(year2024[k] for k in kids)
res["d"] = res["s1"] + res["s2"]
year2024["d"] = year2024["s1"] + year2024["s2"]
codes = ["a", "b", "c", "d", "e", "s1", "s2"]
depth = {"d": 1, "s1": 2, "s2": 2, "a": 3, "b": 3, "c": 3, "e": 3}

baseline = year2024["d"] / (12 * res["d"]) * 10000          # district, per 10,000 a month
print("baseline per 10,000 a month", baseline)


def p(label, *values):
    print(label, " ".join(str(v) if isinstance(v, str) else repr(float(v)) for v in values))


def band_step(r, lower=0.8, upper=1.2, share=0.8):            # lower is better
    return 1.0 if r < lower else 0.0 if r > upper else share


def band_linear(r, lower=0.8, upper=2.0):
    return 1.0 if r < lower else 0.0 if r > upper else (upper - r) / (upper - lower)


print("# rate schemes plain and sig (negative): expected = baseline x residents / 10,000,")
print("# p = P(X >= observed) = poisson.sf(observed - 1, expected); sig: level 0.05, min_expected 5")
for m in events:
    for c in codes:
        x, n = events[m][c], res[c]
        e = baseline * n / 10000
        pv = stats.poisson.sf(x - 1, e)
        ratio = (x / n * 10000) / baseline
        plain = band_step(ratio)
        state = "insufficient_data" if e < 5 else "excess" if pv < 0.05 else "no_excess"
        scored = ratio if state == "excess" or ratio <= 1 else 1.0
        sig = "NULL" if state == "insufficient_data" else band_step(scored)
        lo, hi = stats.chi2.ppf(0.025, 2 * x) / 2 if x > 0 else 0.0, stats.chi2.ppf(0.975, 2 * x + 2) / 2
        p(f"{m} {c} expected={e:g} p", pv, "| plain", plain, "| sig", state, str(sig),
          "| rate 95%", lo / n * 10000, hi / n * 10000, "| ratio 95%", lo / e, hi / e)

print("# count scheme sigpos (positive), baseline = own 2024 monthly mean; p = P(X <= observed) = poisson.cdf")
for m in events:
    for c in codes:
        x = events[m][c]
        e = year2024[c] / 12
        pv = stats.poisson.cdf(x, e)
        ratio = x / e
        raw = 1.0 if ratio > 1.2 else 0.0 if ratio < 0.8 else 0.8
        state = "insufficient_data" if e < 5 else "excess" if pv < 0.05 else "no_excess"
        scored = ratio if state == "excess" or ratio >= 1 else 1.0
        s = "NULL" if state == "insufficient_data" else (1.0 if scored > 1.2 else 0.0 if scored < 0.8 else 0.8)
        p(f"{m} {c} expected={e:g} p", pv, "|", state, str(s), "| raw score", raw)


def marshall(units):
    """units: list of (events, exposure); the smoothed rates per 1 (Marshall 1991)."""
    x = np.array([u[0] for u in units], float)
    n = np.array([u[1] for u in units], float)
    r = x / n
    m = x.sum() / n.sum()
    s2 = (n * (r - m) ** 2).sum() / n.sum()
    a = max(0.0, s2 - m / (n.sum() / len(n)))
    cw = a / (a + m / n) if a > 0 else np.zeros(len(n))
    return m + cw * (r - m)


print("# EB smoothed rates per 10,000 and linear 0.8 / 2.0 scores: global (same depth), local (same parent)")
for m in events:
    for kind in ("global", "local"):
        key = (lambda c: depth[c]) if kind == "global" else (lambda c: parent[c])
        for c in codes:
            group = [g for g in codes if key(g) == key(c)]
            eb = marshall([(events[m][g], res[g]) for g in group])[group.index(c)] * 10000
            p(f"{m} {kind} {c} smoothed", eb, "score", band_linear(eb / baseline))
