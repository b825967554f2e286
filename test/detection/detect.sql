-- test/detection/detect.sql: the detection measurement of issue 12 (run by test/detection.sh).
--
-- Over the demo city generated with hotspots => 'detection' (test/demo/city.sql: burglary
-- doubled for 6 months from a random month, in small, medium and large communities;
-- ground truth in demo.hotspot, true expected counts in demo.truth), every method flags
-- community-months of monthly burglary counts; for each method and setting we count the
-- hotspots detected (an alarm in a hotspot month), the delay from onset to the first
-- alarm (months; 0 = the onset month itself) and the false alarms per 1,000
-- community-months outside hotspots.  Only months from the second year on are
-- evaluated (every method has a year of history there).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = safeidx, public;
DROP SCHEMA IF EXISTS det CASCADE;
CREATE SCHEMA det;

-- community x month, with counts, residents, the district and the truth
CREATE TABLE det.cm AS
WITH months AS (
    SELECT g::date AS m, (row_number() OVER (ORDER BY g) - 1)::int AS mi
      FROM generate_series((SELECT value::date FROM demo.meta WHERE key = 'first_month'),
                           (SELECT value::date FROM demo.meta WHERE key = 'last_month'), interval '1 month') g),
cnt AS (
    SELECT community_code AS code, date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai')::date AS m, count(*) AS n
      FROM demo.police_incident WHERE category = 'burglary' GROUP BY 1, 2)
SELECT r.code, left(r.code, 6) AS district, mo.m, mo.mi, coalesce(cnt.n, 0)::float8 AS n,
       coalesce(p.resident, p0.resident)::float8 AS pop, t.expected AS truth
  FROM demo.region r CROSS JOIN months mo
  LEFT JOIN cnt ON cnt.code = r.code AND cnt.m = mo.m
  LEFT JOIN demo.population p ON p.region_code = r.code AND p.year = extract(year FROM mo.m)
  LEFT JOIN demo.population p0 ON p0.region_code = r.code AND p0.year = extract(year FROM mo.m) - 1
  LEFT JOIN demo.truth t ON t.community_code = r.code AND t.month = mo.m
 WHERE r.level = 'community';
CREATE UNIQUE INDEX ON det.cm (code, mi);
ANALYZE det.cm;

CREATE TABLE det.hot AS
SELECT h.community_code AS code, a.mi AS onset, b.mi AS last
  FROM demo.hotspot h JOIN det.cm a ON a.code = h.community_code AND a.m = h.first_month
  JOIN det.cm b ON b.code = h.community_code AND b.m = h.last_month
 WHERE h.source = 'police_incident' AND h.category = 'burglary';

-- the ratio rule: this month's rate per 10,000 / the previous year's district-wide
-- average monthly rate per 10,000 (the Wuchang four-category rule, one category)
CREATE TABLE det.base AS
WITH y AS (SELECT district, extract(year FROM m)::int AS yr, sum(n) AS n, sum(pop) AS popm FROM det.cm GROUP BY 1, 2)
SELECT district, yr + 1 AS yr, n / popm * 10000 AS rate FROM y;
CREATE TABLE det.ratio AS
SELECT c.code, c.mi, (c.n / c.pop * 10000) / b.rate AS ratio
  FROM det.cm c JOIN det.base b ON b.district = c.district AND b.yr = extract(year FROM c.m)
 WHERE c.pop > 0;

-- an expected count from the community's own past: the empirical Bayes (Marshall) rate of
-- its previous 12 months, smoothed over its district's communities, times its residents
CREATE TABLE det.expected AS
WITH t AS (
    SELECT code, district, mi, n, pop,
           sum(n) OVER w AS n12, sum(pop) OVER w AS popm12, count(*) OVER w AS k
      FROM det.cm WINDOW w AS (PARTITION BY code ORDER BY mi ROWS BETWEEN 12 PRECEDING AND 1 PRECEDING)),
s AS (SELECT t.*, eb_agg(n12, popm12) OVER (PARTITION BY district, mi) AS eb FROM t WHERE k = 12)
SELECT code, mi, n, eb_rate(n12, popm12, eb, 1) * pop AS expected FROM s;
CREATE UNIQUE INDEX ON det.expected (code, mi);

CREATE TABLE det.alarm (method text, setting float8, code text, mi int);

-- ratio rule, and two poor months running
INSERT INTO det.alarm
SELECT 'ratio rule (ratio > x)', x, code, mi FROM det.ratio, unnest('{1.2,1.5,2,3,4,5,6,8}'::float8[]) x WHERE ratio > x;
INSERT INTO det.alarm
SELECT 'consecutive poor (ratio > x twice)', x, a.code, a.mi
  FROM det.ratio a JOIN det.ratio b ON b.code = a.code AND b.mi = a.mi - 1, unnest('{1.2,1.5,2,3,4}'::float8[]) x
 WHERE a.ratio > x AND b.ratio > x;
-- significance-aware: P(X >= n | expected) < x, expected >= 1 (below: insufficient data, no flag)
INSERT INTO det.alarm
SELECT 'significance (p < x, expected >= 1)', x, code, mi
  FROM det.expected, unnest('{0.05,0.01,0.001,1e-4,1e-5,1e-6,1e-7}'::float8[]) x
 WHERE excess_state(n, expected, x, 1) = 'excess';

-- EARS over each community's whole monthly series
CREATE TABLE det.series AS
SELECT code, array_agg(n ORDER BY mi) AS counts FROM det.cm GROUP BY code;
INSERT INTO det.alarm
SELECT 'EARS C1 (C1 > x)', x, s.code, e.period - 1
  FROM det.series s, unnest('{3,4,5,6,8,10,12}'::float8[]) x, ears_c1(s.counts, x) e WHERE e.alarm;
INSERT INTO det.alarm
SELECT 'EARS C2 (C2 > x)', x, s.code, e.period - 1
  FROM det.series s, unnest('{3,4,5,6,8,10,12}'::float8[]) x, ears_c2(s.counts, x) e WHERE e.alarm;
INSERT INTO det.alarm
SELECT 'EARS C3 (C3 > x)', x, s.code, e.period - 1
  FROM det.series s, unnest('{2,4,6,8,12,16,24}'::float8[]) x, ears_c3(s.counts, x) e WHERE e.alarm;

-- Poisson CUSUM from the second year, in-control mean = the EB expected count, ratio 2
CREATE TABLE det.cseries AS
SELECT code, min(mi) AS mi0, array_agg(n ORDER BY mi) AS counts, array_agg(expected ORDER BY mi) AS mu0,
       array_agg(truth ORDER BY mi) AS truth
  FROM (SELECT e.code, e.mi, e.n, e.expected, c.truth FROM det.expected e JOIN det.cm c USING (code, mi) WHERE e.mi >= 12) x
 GROUP BY code;
INSERT INTO det.alarm
SELECT 'Poisson CUSUM (h = x)', x, s.code, s.mi0 + c.period - 1
  FROM det.cseries s, unnest('{2,3,4,5,6,8,10,12}'::float8[]) x, poisson_cusum(s.counts, s.mu0, 2, x) c WHERE c.alarm;
-- the oracle: the same CUSUM knowing the true in-control mean of every month (demo.truth)
-- and the true out-of-control ratio (2)
INSERT INTO det.alarm
SELECT 'oracle Poisson CUSUM (h = x)', x, s.code, s.mi0 + c.period - 1
  FROM det.cseries s, unnest('{2,3,4,5,6,8,10,12}'::float8[]) x, poisson_cusum(s.counts, s.truth, 2, x) c WHERE c.alarm;
-- the seasonal baseline: same month of up to 3 earlier years +- 1 month, upper quantile x
INSERT INTO det.alarm
SELECT 'seasonal (level x)', x, s.code, b.period - 1
  FROM det.series s, unnest('{0.99,0.999,0.9999,0.99999,0.999999}'::float8[]) x, seasonal_baseline(s.counts, 12, 3, 1, x, 3) b
 WHERE b.alarm;
