#!/usr/bin/python3
"""test/stats/alarms.py: independent reference values for sql/alarm.sql.

    /usr/bin/python3 test/stats/alarms.py   (Debian: apt-get install python3-scipy)

The monthly counts of the fixture test/fixtures/alarm.sql (communities a, b,
c, results January 2024 to June 2025), and the alarms the rules of
sql/alarm.sql must raise, computed here from the textbook definitions
(doc/statistics.md, doc/governance.md#alarms), not from safeidx.  The output
is quoted in the comments of sql/alarm.sql.
"""
import math

from scipy import stats

months = [f"{y}-{m:02d}-01" for y in (2024, 2025) for m in range(1, 13)][:18]


def series(code):
    out = []
    for mo in months:
        if code == "a":
            out.append(12 if mo in ("2025-03-01", "2025-04-01") else 4)
        elif code == "b":
            out.append({"2024-06-01": 1, "2025-04-01": 3}.get(mo, 0))
        else:
            out.append(2)
    return out


def cusum(x, base=12, ratio=2.0, h=5.0, min_expected=0.0):
    """Lucas's Poisson CUSUM; expected = mean of the base periods before."""
    s, run, rows = 0.0, None, []
    for t in range(len(x)):
        if t < base:
            continue
        mu = sum(x[t - base:t]) / base
        if mu < min_expected:
            continue
        k = mu * (ratio - 1) / math.log(ratio)
        s = max(0.0, s + x[t] - k)
        if s > 0 and run is None:
            run = t
        if s == 0:
            run = None
        if s >= h:
            rows.append((months[t], x[t], mu, s, h, months[run]))
            s, run = 0.0, None
    return rows


def ears_c1(x, limit=3.0, min_sd=0.5, min_expected=0.0):
    rows, run = [], None
    for t in range(len(x)):
        if t < 7:
            continue
        b = x[t - 7:t]
        m = sum(b) / 7
        sd = max(min_sd, math.sqrt(sum((v - m) ** 2 for v in b) / 6))
        c1 = (x[t] - m) / sd
        alarm = c1 > limit
        run = (run if run is not None else t) if alarm else None
        if alarm and m >= min_expected:
            rows.append((months[t], x[t], m, c1, m + limit * sd, months[run]))
    return rows


def seasonal(x, season=12, years=1, window=1, level=0.99, min_baseline=3, min_expected=0.0):
    z = stats.norm.ppf(level)
    rows, run = [], None
    for t in range(len(x)):
        b = [x[t - y * season + d] for y in range(1, years + 1) for d in range(-window, window + 1)
             if 0 <= t - y * season + d < t]
        if len(b) < min_baseline:
            run = None
            continue
        n = len(b)
        mu = sum(b) / n
        phi = 1.0 if mu == 0 or n == 1 else max(1.0, sum((v - mu) ** 2 for v in b) / mu / (n - 1))
        mup = max(mu, 0.5 / n)
        tau = phi * mup * (1 + 1 / n)
        u = mup * (1 + 2 / 3 * z * math.sqrt(tau) / mup) ** 1.5
        alarm = x[t] > u
        run = (run if run is not None else t) if alarm else None
        if alarm and mu >= min_expected:
            rows.append((months[t], x[t], mu, u, months[run]))
    return rows


for code in "abc":
    x = series(code)
    print(code, "series", x)
    for r in cusum(x):
        print(code, "cusum h=5", *r)
    for r in cusum(x, h=6):
        print(code, "cusum h=6", *r)
    for r in ears_c1(x, min_expected=1):
        print(code, "ears_c1 min_expected=1", *r)
    for r in seasonal(x):
        print(code, "seasonal years=1", *r)
    for r in seasonal(x, min_expected=1):
        print(code, "seasonal years=1 min_expected=1", *r)
