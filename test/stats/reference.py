#!/usr/bin/python3
"""test/stats/reference.py: independent reference values for sql/statistics.sql.

    /usr/bin/python3 test/stats/reference.py   (Debian: apt-get install python3-scipy python3-numpy)

Every number that sql/statistics.sql compares with comes from here, computed
with scipy / numpy from the textbook definitions (doc/statistics.md), not from
safeidx.  The output is quoted in the comments of sql/statistics.sql; re-run
this script after changing a case there and paste its lines.
"""
import math

import numpy as np
from scipy import stats

np.set_printoptions(precision=17)


def p(label, *values):
    print(label, " ".join(repr(float(v)) if not isinstance(v, (str, bool, int)) else str(v) for v in values))


def garwood(k, level):
    a = 1 - level
    lo = 0.0 if k == 0 else stats.chi2.ppf(a / 2, 2 * k) / 2
    hi = stats.chi2.ppf(1 - a / 2, 2 * k + 2) / 2
    return lo, hi


def byar(k, level):
    z = stats.norm.ppf(1 - (1 - level) / 2)
    lo = 0.0 if k == 0 else max(0.0, k * (1 - 1 / (9 * k) - z / (3 * math.sqrt(k))) ** 3)
    hi = (k + 1) * (1 - 1 / (9 * (k + 1)) + z / (3 * math.sqrt(k + 1))) ** 3
    return lo, hi


print("# counts: exact (Garwood, chi-square quantiles) and Byar")
for k, level in [(0, 0.95), (1, 0.95), (5, 0.95), (20, 0.95), (100, 0.998), (3, 0.99)]:
    p(f"garwood k={k} level={level}", *garwood(k, level))
    p(f"byar    k={k} level={level}", *byar(k, level))

print("# rate per 10,000: 7 events in 35,000 residents")
lo, hi = garwood(7, 0.95)
p("rate exact", lo / 35000 * 10000, hi / 35000 * 10000)
lo, hi = byar(7, 0.95)
p("rate byar", lo / 35000 * 10000, hi / 35000 * 10000)

print("# observed / expected: 12 observed, 7.5 expected")
lo, hi = garwood(12, 0.95)
p("oe exact", lo / 7.5, hi / 7.5)

print("# rate ratio, exact conditional (Clopper-Pearson on pi = x1 / (x1 + x2))")
for x1, e1, x2, e2, level in [(10, 1000, 5, 2000, 0.95), (3, 500, 12, 800, 0.90), (0, 100, 4, 100, 0.95)]:
    a = 1 - level
    f = e2 / e1
    lo = 0.0 if x1 == 0 else stats.beta.ppf(a / 2, x1, x2 + 1)
    hi = 1.0 if x2 == 0 else stats.beta.ppf(1 - a / 2, x1 + 1, x2)
    p(f"rate_ratio {x1},{e1},{x2},{e2},{level}", lo / (1 - lo) * f, hi / (1 - hi) * f if hi < 1 else math.inf)

print("# Poisson tails: P(X >= k) = sf(k - 1), P(X <= k) = cdf(k)")
for k, mu in [(10, 3), (0, 3), (1, 0.5), (50, 10), (200, 100), (130, 100)]:
    p(f"p_upper k={k} mu={mu}", stats.poisson.sf(k - 1, mu))
for k, mu in [(0, 3), (2, 10), (80, 100)]:
    p(f"p_lower k={k} mu={mu}", stats.poisson.cdf(k, mu))

print("# empirical Bayes (Marshall 1991), the units of sql/statistics.sql")
units = [  # parent, events, exposure
    ("A", 2, 1000), ("A", 9, 3000), ("A", 0, 400), ("A", 30, 6000),
    ("B", 1, 250), ("B", 14, 2000), ("B", 5, 1500),
]


def marshall(rows):
    x = np.array([r[1] for r in rows], float)
    n = np.array([r[2] for r in rows], float)
    m = x.sum() / n.sum()
    s2 = (n * (x / n - m) ** 2).sum() / n.sum()
    a = max(0.0, s2 - m / (n.sum() / len(rows)))
    c = a / (a + m / n) if a > 0 else np.zeros_like(n)
    return m, a, c, m + c * (x / n - m)


m, a, c, eb = marshall(units)
p("eb global prior mean per 10000", m * 1e4)
p("eb global prior variance per 10000^2", a * 1e8)
for (par, x, n), ci, ei in zip(units, c, eb):
    p(f"eb global unit {par},{x},{n} weight rate", ci, ei * 1e4)
for parent in "AB":
    rows = [u for u in units if u[0] == parent]
    m, a, c, eb = marshall(rows)
    p(f"eb local {parent} prior mean, variance", m * 1e4, a * 1e8)
    for (par, x, n), ci, ei in zip(rows, c, eb):
        p(f"eb local unit {par},{x},{n} weight rate", ci, ei * 1e4)

print("# funnel limits: exact Poisson, interpolated (Spiegelhalter 2005)")


def funnel(target, exposure, level, per, upper):
    e = target * exposure / per
    q = 1 - (1 - level) / 2 if upper else (1 - level) / 2
    y = stats.poisson.ppf(q, e)          # smallest y with F(y) >= q
    f = stats.poisson.cdf(y, e)
    fprev = stats.poisson.cdf(y - 1, e) if y > 0 else 0.0
    return target * max(0.0, y - (f - q) / (f - fprev)) / e


for target, exposure, level, per in [(1, 10, 0.95, 1), (1, 10, 0.998, 1), (1, 0.5, 0.95, 1),
                                     (4, 3000, 0.95, 10000), (4, 3000, 0.998, 10000), (1, 400, 0.998, 1)]:
    p(f"funnel {target},{exposure},{level},{per}", funnel(target, exposure, level, per, False),
      funnel(target, exposure, level, per, True))

print("# overdispersion: z = (O - E) / sqrt(E), winsorised at the type-7 10% / 90% quantiles")
oe = [(3, 2.0), (9, 4.0), (0, 1.5), (25, 12.0), (7, 8.0), (2, 6.0), (14, 5.0), (30, 20.0), (1, 3.0), (11, 10.0)]
O = np.array([o for o, e in oe], float)
E = np.array([e for o, e in oe], float)
z = (O - E) / np.sqrt(E)
for q in (0.1, 0.0, 0.2):
    lo, hi = np.quantile(z, [q, 1 - q])
    zw = np.clip(z, lo, hi)
    phi = (zw ** 2).mean()
    n = len(z)
    w = E
    tau2 = max(0.0, (n * phi - (n - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
    p(f"funnel phi tau2 winsor={q}", phi, tau2)
lo, hi = np.quantile(z, [0.1, 0.9])
phi = (np.clip(z, lo, hi) ** 2).mean()
tau2 = max(0.0, (len(z) * phi - (len(z) - 1)) / (E.sum() - (E ** 2).sum() / E.sum()))
zq = stats.norm.ppf(0.975)
for e in (2.0, 20.0):
    p(f"funnel re limits E={e} (95%)", max(0.0, 1 - zq * math.sqrt(1 / e + tau2)), 1 + zq * math.sqrt(1 / e + tau2))
p("funnel z of (9, 4)", (9 - 4) / math.sqrt(4))

print("# EARS on the series of sql/statistics.sql")
series = [2, 1, 3, 2, 0, 1, 2, 3, 1, 2, 2, 9, 12, 4, 2, 1]


def ears_c(xs, t, guard, min_sd=0.5):
    b = xs[t - guard - 7:t - guard]
    if t - guard - 7 < 0:
        return None
    m = np.mean(b)
    s = max(min_sd, np.std(b, ddof=1))
    return m, s, (xs[t] - m) / s


for variant, guard in (("C1", 0), ("C2", 2)):
    for t in range(len(series)):
        r = ears_c(series, t, guard)
        if r:
            m, s, c = r
            p(f"ears {variant} period {t + 1}", m, s, c, m + 3 * s, c > 3)
for t in range(len(series)):
    rs = [ears_c(series, j, 2) if j >= 0 else None for j in (t - 2, t - 1, t)]
    if all(rs):
        c3 = sum(max(0.0, r[2] - 1) for r in rs)
        p(f"ears C3 period {t + 1}", c3, c3 > 2)

print("# Poisson CUSUM (Lucas 1985), mu0 per period, ratio 2, h 4")
mu0 = [2.0, 1.5, 2.5, 2.0, 1.0, 1.5, 2.0, 2.5, 1.5, 2.0, 2.0, 2.0, 2.5, 2.0, 2.0, 1.5]
for fir in (False, True):
    h = 4.0
    s = h / 2 if fir else 0.0
    for t, (x, m) in enumerate(zip(series, mu0)):
        k = m * (2 - 1) / math.log(2)
        s = max(0.0, s + x - k)
        alarm = s >= h
        p(f"cusum fir={fir} period {t + 1}", k, s, alarm)
        if alarm:
            s = h / 2 if fir else 0.0

print("# seasonal baseline: season 4, 3 years back, window 1, level 0.99, min_baseline 3")
sx = [3, 5, 2, 4, 4, 6, 3, 3, 2, 7, 3, 5, 5, 6, 14, 4, 3, 5, 2, 6]
zq = stats.norm.ppf(0.99)
for t in range(len(sx)):
    b = [sx[t - y * 4 + d] for y in (1, 2, 3) for d in (-1, 0, 1) if 0 <= t - y * 4 + d < t]
    if len(b) < 3:
        continue
    mu = np.mean(b)
    phi = max(1.0, sum((v - mu) ** 2 for v in b) / mu / (len(b) - 1)) if mu > 0 else 1.0
    tau = phi * mu * (1 + 1 / len(b))
    u = mu * (1 + 2 / 3 * zq * math.sqrt(tau) / mu) ** 1.5
    p(f"seasonal period {t + 1}", mu, phi, len(b), u, sx[t] > u)

print("# rank intervals: an independent simulation (numpy's generator, 20000 draws, Jeffreys gamma)")
ev = np.array([2, 5, 9, 30, 0, 12], float)
ex = np.array([1000, 1000, 1000, 1000, 800, 6000], float)
rng = np.random.default_rng(2024)
D = 20000
draws = rng.gamma(ev + 0.5, 1.0, size=(D, len(ev))) / ex
ranks = stats.rankdata(draws, axis=1, method="min").astype(int)
for i in range(len(ev)):
    r = np.sort(ranks[:, i])
    p(f"rank unit {i + 1} rate per 1, 5% and 95% rank", ev[i] / ex[i], int(r[math.ceil(0.05 * D) - 1]), int(r[math.ceil(0.95 * D) - 1]))
