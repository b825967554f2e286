-- The weighted index: index_agg over (score, weight) and its accessors.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET extra_float_digits = 0;

CREATE TABLE indicator_scores (street text, indicator text, score float8, weight float8);
INSERT INTO indicator_scores VALUES
    ('A', 'four_category', 0.9, 30), ('A', 'yoy', 0.5, 20), ('A', 'complaints', 1.0, 20),
    ('A', 'mediation', NULL, 15), ('A', 'fire', 0.6, 15),
    ('B', 'four_category', 0.8, 1), ('B', 'yoy', 0.9, 1), ('B', 'complaints', 0.7, 1);

-- Street A, by hand:
--   weighted sum over scored: 30*0.9 + 20*0.5 + 20*1.0 + 15*0.6 = 27 + 10 + 20 + 9 = 66
--   scored weight 85, unscored 15: coverage 85 / 100 = 0.85
--   weighted mean re-normalised: 66 / 85 = 0.776470588
--   geometric: exp((30 ln .9 + 20 ln .5 + 20 ln 1 + 15 ln .6) / 85) = 0.747945461
-- Street B (equal weights, no gap): sum 2.4, mean 0.8, coverage 1,
--   geometric (0.8 * 0.9 * 0.7)^(1/3) = 0.504^(1/3) = 0.795811442
SELECT street, scored(s), unscored(s),
       round(weighted_sum(s)::numeric, 9) AS wsum,
       round(weighted_mean(s)::numeric, 9) AS wmean,
       round(geometric_mean(s)::numeric, 9) AS gmean,
       round(coverage(s)::numeric, 9) AS coverage
  FROM (SELECT street, index_agg(score, weight) s FROM indicator_scores GROUP BY street) x
 ORDER BY street;

-- Below a coverage threshold the means are NULL: A has 0.85.
SELECT weighted_mean(s, 0.9) IS NULL AS mean_null_at_90,
       geometric_mean(s, 0.9) IS NULL AS gmean_null_at_90,
       round(weighted_mean(s, 0.85)::numeric, 9) AS mean_at_85
  FROM (SELECT index_agg(score, weight) s FROM indicator_scores WHERE street = 'A') x;

-- A zero score carrying weight makes the geometric mean 0; with weight 0 it
-- has no effect: (0 w1, 0.25 w1) -> 0;  (0 w0, 0.25 w1) -> 0.25.
SELECT geometric_mean(index_agg(s, w)) AS zero_weighted
  FROM (VALUES (0, 1), (0.25, 1)) v(s, w);
SELECT geometric_mean(index_agg(s, w)) AS zero_unweighted
  FROM (VALUES (0, 0), (0.25, 1)) v(s, w);
-- Negative scores (z-scores) are fine for the arithmetic mean: (-1 + 3) / 2 = 1,
-- but have no geometric mean.
SELECT weighted_mean(index_agg(s, 1)) FROM (VALUES (-1), (3)) v(s);
SELECT geometric_mean(index_agg(s, 1)) FROM (VALUES (-1), (3)) v(s);

-- Nothing scored: sum and means NULL, coverage 0; no weight at all: coverage NULL.
SELECT weighted_sum(s) IS NULL AS sum_null, weighted_mean(s) IS NULL AS mean_null, coverage(s)
  FROM (SELECT index_agg(NULL::float8, 5) s) x;
SELECT coverage(s) IS NULL AS coverage_null, weighted_sum(s) IS NULL AS sum_null
  FROM (SELECT index_agg(score, weight) s FROM indicator_scores WHERE false) x;

-- Summaries roll up: A's two halves rolled up equal A.
SELECT round(weighted_mean(rollup(s))::numeric, 9) AS rolled_up,
       coverage(rollup(s)) AS coverage
  FROM (SELECT indicator < 'f', index_agg(score, weight) s FROM indicator_scores
         WHERE street = 'A' GROUP BY 1) x;

-- Errors: a NULL, negative or infinite weight; a NaN score; bad min_coverage.
SELECT index_agg(0.5, NULL::float8);
SELECT index_agg(0.5, -1);
SELECT index_agg(0.5, 'Infinity');
SELECT index_agg('NaN', 1);
SELECT weighted_mean(index_agg(0.5, 1), 1.5);
SELECT geometric_mean(index_agg(0.5, 1), -0.1);
