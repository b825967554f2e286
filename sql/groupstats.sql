-- Scores relative to a group: min-max and z-score, as aggregate and window.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET extra_float_digits = 0;

CREATE TABLE street_rates (month int, street text, rate float8);
INSERT INTO street_rates VALUES
    (1, 'A', 2), (1, 'B', 4), (1, 'C', 4), (1, 'D', 6), (1, 'E', NULL),
    (2, 'A', 5), (2, 'B', 5);

-- Month 1 has values 2, 4, 4, 6 (NULL skipped): n 4, min 2, max 6, mean 4,
-- squared deviations 4 + 0 + 0 + 4 = 8, population sd sqrt(8 / 4) = 1.414213562.
SELECT month, group_stats(rate) AS stats, group_count(group_stats(rate)) AS n,
       group_min(group_stats(rate)) AS min, group_max(group_stats(rate)) AS max,
       group_mean(group_stats(rate)) AS mean,
       round(group_stddev(group_stats(rate))::numeric, 9) AS sd
  FROM street_rates GROUP BY month ORDER BY month;

-- As a window function, per month.  Month 1: min-max (v - 2) / 4 -> A 0,
-- B 0.5, C 0.5, D 1; reversed (lower rate is better) 1 - that.  z = (v - 4)
-- / 1.414213562: A -1.414213562, B 0, D 1.414213562.  Month 2 has no
-- spread: both scores NULL.  E has no value: NULL.
SELECT month, street,
       score_minmax(rate, group_stats(rate) OVER w) AS minmax,
       score_minmax(rate, group_stats(rate) OVER w, false) AS minmax_reversed,
       round(score_z(rate, group_stats(rate) OVER w)::numeric, 9) AS z,
       round(score_z(rate, group_stats(rate) OVER w, false)::numeric, 9) AS z_reversed
  FROM street_rates WINDOW w AS (PARTITION BY month)
 ORDER BY month, street;

-- Merging is exact: stats of {2,4} rolled up with {4,6} equal stats of all four.
SELECT rollup(s) AS merged
  FROM (SELECT group_stats(rate) s FROM street_rates WHERE month = 1 AND street IN ('A', 'B')
        UNION ALL
        SELECT group_stats(rate) FROM street_rates WHERE month = 1 AND street IN ('C', 'D')) x;

-- Welford stays accurate with a large offset: values 1e9 + {1, 2, 3} have
-- population variance 2/3, sd 0.816496581 (the naive sum of squares loses it).
SELECT round(group_stddev(group_stats(1e9 + v))::numeric, 9) AS sd
  FROM generate_series(1, 3) v;

-- Empty group: accessors are NULL, scores NULL.
SELECT group_count(s), group_mean(s) IS NULL AS mean_null, score_z(1, s) IS NULL AS z_null
  FROM (SELECT group_stats(rate) s FROM street_rates WHERE false) x;
-- Non-finite values are refused.
SELECT group_stats(v) FROM (VALUES (1), ('NaN'::float8)) x(v);
SELECT score_z('Infinity', '(v1,n=2,min=1,max=3,mean=2,m2=2)');
