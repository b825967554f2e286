-- Per-capita rates, the ratesum summary and its exact Poisson limits.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET extra_float_digits = 0;

-- Scalar rate: 5 events among 20,000 residents = 5 / 20000 * 10000 = 2.5
-- per 10,000; per 100,000 it is 25; 3 among 1,500 per 1,000 = 2.
SELECT rate(5, 20000) AS r10k, rate(5, 20000, 100000) AS r100k, rate(3, 1500, 1000) AS r1k;
-- Integer, bigint and numeric arguments are accepted (implicit casts).
SELECT rate(7::int, 35000::bigint), rate(7::numeric, 35000.0);   -- 7/35000*10000 = 2
-- Zero residents: the rate is undefined, NULL (also with events > 0).
SELECT rate(0, 0) IS NULL AS zero_zero_null, rate(4, 0) IS NULL AS events_no_residents_null;
-- NULL in, NULL out (STRICT).
SELECT rate(NULL, 100) IS NULL AS null_events, rate(1, NULL) IS NULL AS null_residents;

-- Bad input is an error, never a number.
SELECT rate(-1, 100);
SELECT rate(1, -100);
SELECT rate('NaN', 100);
SELECT rate(1, 'Infinity');
SELECT rate(1, 100, 0);
SELECT rate(1, 100, -10);
-- Overflow: 1e300 / 1e-300 * 10000 leaves double precision.
SELECT rate(1e300, 1e-300);

-- The aggregate sums, then divides.  Streets A and B:
--   A: (10, 20000), (2, 1000)  -> 12 / 21000 * 10000 = 5.714285714...
--   B: (0, 500)                 -> 0
-- The mean of the two community rates of A would be (5 + 20) / 2 = 12.5:
-- the summary must give 5.714..., not 12.5.
CREATE TABLE community_counts (street text, events int, residents int);
INSERT INTO community_counts VALUES ('A', 10, 20000), ('A', 2, 1000), ('B', 0, 500);
SELECT street, rate_agg(events, residents) AS summary,
       round(rate(rate_agg(events, residents))::numeric, 9) AS rate
  FROM community_counts GROUP BY street ORDER BY street;

-- Rollup of street summaries equals the aggregate over all rows:
-- 12 / 21500 * 10000 = 5.581395349
SELECT round(rate(rollup(s))::numeric, 9) AS rolled_up,
       round(rate(rate_agg(e, r))::numeric, 9) AS direct
  FROM (SELECT street, rate_agg(events, residents) s, sum(events) e, sum(residents) r
          FROM community_counts GROUP BY street) x;

-- Accessors: events 12, exposure 21000, 2 units, 0 missing.
SELECT events(s), exposure(s), units(s), missing_units(s)
  FROM (SELECT rate_agg(events, residents) s FROM community_counts WHERE street = 'A') x;

-- A row whose count or population is NULL is counted as missing and adds
-- nothing: (3, NULL) and (NULL, 800) are missing, (1, 1000) counts.
SELECT rate_agg(e, r) FROM (VALUES (3, NULL), (NULL, 800), (1, 1000)) v(e, r);
-- Empty group: the zero summary, whose rate and limits are NULL.
SELECT s, rate(s) IS NULL AS rate_null, rate_lower(s) IS NULL AS lower_null, rate_upper(s) IS NULL AS upper_null
  FROM (SELECT rate_agg(events, residents) s FROM community_counts WHERE false) x;
-- Negative and non-finite input inside the aggregate is an error.
SELECT rate_agg(e, r) FROM (VALUES (1, 100), (-2, 100)) v(e, r);
SELECT rate_agg(e, r) FROM (VALUES (1, 100), (1, 'NaN'::float8)) v(e, r);
-- Sums that overflow are refused.
SELECT rate_agg(e, 1) FROM (VALUES (1e308), (1e308)) v(e);

-- Exact (Garwood) Poisson limits of the mean, at exposure 10,000 per
-- 10,000 so the rate limit equals the mean limit.  Reference values were
-- computed independently by bisection on the Poisson CDF (sum of the
-- probability mass function), not with the gamma function:
--   k=0, 95%:  0            3.688879454   (= -ln 0.025)
--   k=1, 95%:  0.025317808  5.571643391   (lower = -ln 0.975)
--   k=5, 95%:  1.623486390 11.668332079
--   k=10,95%:  4.795388696 18.390356042
--   k=3, 99%:  0.337863389 10.977477495
--   k=20,90%: 13.254651598 29.062018840
-- and they agree with published Garwood tables to the digits printed there.
WITH ref(k, level, lo, hi) AS (VALUES
    (0, 0.95, 0, 3.688879454), (1, 0.95, 0.025317808, 5.571643391),
    (5, 0.95, 1.623486390, 11.668332079), (10, 0.95, 4.795388696, 18.390356042),
    (3, 0.99, 0.337863389, 10.977477495), (20, 0.90, 13.254651598, 29.062018840))
SELECT k, level,
       abs(rate_lower(s, level) - lo) < 1e-8 AS lower_ok,
       abs(rate_upper(s, level) - hi) < 1e-8 AS upper_ok
  FROM (SELECT k, level, lo, hi, rate_agg(k, 10000) s FROM ref GROUP BY k, level, lo, hi) x
 ORDER BY k;
-- 3 events among 1,500 residents per 1,000: the mean limits 0.337863389 and
-- 10.977477495 (99%) scale by 1000 / 1500.
SELECT round(rate_lower(s, 0.99, 1000)::numeric, 6) AS lo,   -- 0.225242
       round(rate_upper(s, 0.99, 1000)::numeric, 6) AS hi    -- 7.318318
  FROM (SELECT rate_agg(3, 1500) s) x;
-- Large counts keep full precision.  For large k the Garwood limits are
-- k - z sqrt(k) + (z^2 - 1)/3 and k + z sqrt(k) + (z^2 + 2)/3 up to terms of
-- order 1/sqrt(k) (Cornish-Fisher expansion of the gamma quantile), with
-- z = 1.959963985 at 95%: offsets 0.947 and 1.947.  At 10^6, 10^9 and 10^12
-- events the limits must sit on those offsets to within 0.01.
SELECT k, abs(rate_lower(s, 0.95, 1) - (k - 1.959963985 * sqrt(k)) - 0.947) < 0.01 AS lower_ok,
          abs(rate_upper(s, 0.95, 1) - (k + 1.959963985 * sqrt(k)) - 1.947) < 0.01 AS upper_ok
  FROM (SELECT k, rate_agg(k, 1) s FROM (VALUES (1e6::float8), (1e9), (1e12)) v(k) GROUP BY k) x
 ORDER BY k;
-- The limits bracket the rate, at every level.
SELECT bool_and(rate_lower(s, l) <= rate(s) AND rate(s) <= rate_upper(s, l)) AS brackets
  FROM (SELECT rate_agg(k, 12345) s FROM generate_series(0, 60) k GROUP BY k) x,
       (VALUES (0.5), (0.8), (0.95), (0.999)) v(l);
-- Levels outside (0, 1) and non-integer (severity-weighted) counts are refused.
SELECT rate_lower(rate_agg(3, 100), 1);
SELECT rate_upper(rate_agg(3, 100), 0);
SELECT rate_upper(rate_agg(3, 100), 'NaN');
SELECT rate_upper(rate_agg(2.5, 100));
