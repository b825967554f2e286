-- Rank intervals of the composite index (index_sensitivity()): the index
-- rank and grade of every region under random weights, moved cut points and
-- redrawn rates, by the results kernel's own chain, writing nothing.
-- Fixtures: test/fixtures/sensitivity.sql (hand-worked weights and cut
-- points), then test/fixtures/sensitivity_rates.sql (rates) and
-- test/fixtures/alarm.sql (baselines).  The probabilities are worked out by
-- hand below and recomputed exactly by test/stats/sensitivity.py; simulated
-- shares are compared with them within 4 binomial standard errors (also from
-- that script), fixed seeds making each comparison the same on every run.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/sensitivity.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
SELECT period, periods FROM rebuild('sens', '2025-01-01', '2025-04-01');
CREATE TEMP TABLE result_before AS SELECT * FROM result;
CREATE TEMP TABLE node_before AS SELECT * FROM result_node;

-- Nothing perturbed (no rate or count leaf to redraw, weights and cut points
-- as they are): every draw is the published computation, so every quantile
-- is the published rank, the mean too, and no grade changes.  By hand
-- (fixture): d 50 (grade 4, alone at depth 1); a 75, b 70 (grade 3: 70 is
-- in), c 10 (grade 4), ranked a 1, b 2, c 3 within the level and among d's
-- children.
SELECT region_code, region_zh, parent_code, depth, index, grade_level, rank_level, rank_level_lower,
       rank_level_median, rank_level_upper, rank_level_mean, rank_siblings, rank_siblings_lower,
       rank_siblings_median, rank_siblings_upper, grade_change_share, draws_ranked
  FROM index_sensitivity('sens', '2025-03-01', draws => 50);
-- the published index, grade and ranks are the stored results' (compute_results)
SELECT bool_and(s.index = r.index AND s.grade_level = r.grade_level AND s.rank_level = r.rank_level
                AND s.rank_siblings = r.rank_siblings) AND count(*) = 4 AS as_stored
  FROM index_sensitivity('sens', '2025-03-01', draws => 1, rates => false) s
  JOIN result r ON r.scheme = 'sens' AND r.period = 'month' AND r.period_start = '2025-03-01'
   AND r.region_code = s.region_code;

-- Weights: each of the two level-1 weights times u ~ U[0.5, 1.5], rescaled
-- to add up to 100; the index is 100 (u1 x + u2 y) / (u1 + u2).
--   b outranks a iff 0.4 u1 + u2 > u1 + 0.5 u2 iff u2 > 1.2 u1: the area of
--   the unit square [0.5, 1.5]^2 above that line is
--   int_0.5^1.25 (1.5 - 1.2 u1) du1 = 1.125 - 0.6 (1.25^2 - 0.5^2) = 0.3375,
--   so a's mean rank is 1.3375 and b's 1.6625 (standard error of the share
--   over 20,000 draws 0.0033); a's quantiles 5 % / 50 % / 95 %: 1, 1, 2;
--   b's: 1, 2, 2; c is always third (10 points below both), d alone.
--   a leaves grade 3 (70 <= index < 80) iff u2 > 1.5 u1 or u1 > 1.5 u2:
--   2 int_0.5^1 (1.5 - 1.5 u1) du1 = 2 x 0.1875 = 0.375 (s.e. 0.0034);
--   b (exactly at 70) leaves it iff u2 < u1 (1/2) or u2 >= 2 u1
--   (int_0.5^0.75 (1.5 - 2 u1) du1 = 0.0625): 0.5625 (s.e. 0.0035).
SELECT region_code, rank_level_lower, rank_level_median, rank_level_upper,
       rank_siblings_lower, rank_siblings_median, rank_siblings_upper,
       abs(rank_level_mean - CASE region_code WHEN 'a' THEN 1.3375 WHEN 'b' THEN 1.6625
                                              WHEN 'c' THEN 3 ELSE 1 END) < 4 * 0.0034 AS mean_rank_as_derived,
       abs(grade_change_share - CASE region_code WHEN 'a' THEN 0.375 WHEN 'b' THEN 0.5625
                                                 ELSE 0 END) < 4 * 0.0035 AS grade_share_as_derived
  FROM index_sensitivity('sens', '2025-03-01', draws => 20000, weight_range => 0.5);

-- Cut points 90 / 80 / 70 each moved by U(-4, 4) index points: only b, at
-- 70, can change grade (the cut 70 moving up past it: 1/2, s.e. 0.0035);
-- a at 75 is 5 points from 70 and 80; the ranks never move.
SELECT region_code, rank_level_lower, rank_level_upper,
       abs(grade_change_share - CASE region_code WHEN 'b' THEN 0.5 ELSE 0 END) < 4 * 0.0035 AS grade_share_as_derived
  FROM index_sensitivity('sens', '2025-03-01', draws => 20000, cut_range => 4);

-- The same seed gives the same output bit for bit; one depth gives the rows
-- of that depth of the whole run (the draws do not depend on what is shown);
-- another seed other draws.
CREATE TEMP TABLE run1 AS
SELECT * FROM index_sensitivity('sens', '2025-03-01', draws => 3000, seed => 42, weight_range => 0.3, cut_range => 5);
SELECT (SELECT array_agg(r::text ORDER BY r.region_code) FROM run1 r)
     = (SELECT array_agg(r::text ORDER BY r.region_code)
          FROM index_sensitivity('sens', '2025-03-01', draws => 3000, seed => 42, weight_range => 0.3,
                                 cut_range => 5) r) AS same_seed_same_output,
       (SELECT array_agg(r::text ORDER BY r.region_code) FROM run1 r WHERE r.depth = 2)
     = (SELECT array_agg(r::text ORDER BY r.region_code)
          FROM index_sensitivity('sens', '2025-03-01', 2, draws => 3000, seed => 42, weight_range => 0.3,
                                 cut_range => 5) r) AS one_depth_same_rows,
       (SELECT array_agg(r.grade_change_share ORDER BY r.region_code) FROM run1 r)
     <> (SELECT array_agg(r.grade_change_share ORDER BY r.region_code)
           FROM index_sensitivity('sens', '2025-03-01', draws => 3000, seed => 43, weight_range => 0.3,
                                  cut_range => 5) r) AS other_seed_other_draws;

-- STABLE and PARALLEL SAFE: in a parallel worker and in a read-only
-- transaction it gives the same rows.
SET force_parallel_mode = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
EXPLAIN (COSTS OFF)
SELECT * FROM index_sensitivity('sens', '2025-03-01', draws => 3000, seed => 42, weight_range => 0.3, cut_range => 5);
SELECT (SELECT array_agg(r::text ORDER BY r.region_code) FROM run1 r)
     = (SELECT array_agg(r::text ORDER BY r.region_code)
          FROM index_sensitivity('sens', '2025-03-01', draws => 3000, seed => 42, weight_range => 0.3,
                                 cut_range => 5) r) AS same_in_a_worker;
RESET force_parallel_mode;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
BEGIN TRANSACTION READ ONLY;
SELECT (SELECT array_agg(r::text ORDER BY r.region_code) FROM run1 r)
     = (SELECT array_agg(r::text ORDER BY r.region_code)
          FROM index_sensitivity('sens', '2025-03-01', draws => 3000, seed => 42, weight_range => 0.3,
                                 cut_range => 5) r) AS same_read_only;
COMMIT;

-- Errors: draws, ranges, quantiles, depth, NULLs, the scheme and the period.
\set VERBOSITY terse
SELECT * FROM index_sensitivity('sens', '2025-03-01', draws => 0);
SELECT * FROM index_sensitivity('sens', '2025-03-01', draws => 100001);
SELECT * FROM index_sensitivity('sens', '2025-03-01', weight_range => 1);
SELECT * FROM index_sensitivity('sens', '2025-03-01', weight_range => -0.1);
SELECT * FROM index_sensitivity('sens', '2025-03-01', weight_range => 'NaN');
SELECT * FROM index_sensitivity('sens', '2025-03-01', cut_range => -1);
SELECT * FROM index_sensitivity('sens', '2025-03-01', cut_range => 'Infinity');
SELECT * FROM index_sensitivity('sens', '2025-03-01', lower_q => 0.9, upper_q => 0.1);
SELECT * FROM index_sensitivity('sens', '2025-03-01', upper_q => 1.5);
SELECT * FROM index_sensitivity('sens', '2025-03-01', at_depth => 0);
SELECT * FROM index_sensitivity('sens', '2025-03-01', draws => NULL);
SELECT * FROM index_sensitivity('sens', NULL);
SELECT * FROM index_sensitivity('nosuch', '2025-03-01');
SELECT * FROM index_sensitivity('sens', '2025-01-01', period => 'year');
SELECT * FROM index_sensitivity('sens', '2025-03-01', period => 'week');
SELECT * FROM index_sensitivity('sens', '2025-03-02');
SELECT * FROM index_sensitivity('sens', '2024-12-01');
-- the SQLSTATEs: undefined_object, invalid_parameter_value, null_value_not_allowed
\set VERBOSITY sqlstate
SELECT * FROM index_sensitivity('nosuch', '2025-03-01');
SELECT * FROM index_sensitivity('sens', '2024-12-01');
SELECT * FROM index_sensitivity('sens', '2025-03-01', weight_range => 1);
SELECT * FROM index_sensitivity('sens', '2025-03-01', rates => NULL);
\set VERBOSITY default
-- a depth the tree does not have: no rows
SELECT count(*) FROM index_sensitivity('sens', '2025-03-01', 5);

-- nothing stored changed
SELECT (SELECT count(*) FROM (SELECT * FROM result EXCEPT SELECT * FROM result_before) x)
     + (SELECT count(*) FROM (SELECT * FROM result_before EXCEPT SELECT * FROM result) x) AS results_changed,
       (SELECT count(*) FROM (SELECT * FROM result_node EXCEPT SELECT * FROM node_before) x)
     + (SELECT count(*) FROM (SELECT * FROM node_before EXCEPT SELECT * FROM result_node) x) AS nodes_changed;

-- Rates (test/fixtures/sensitivity_rates.sql): one rate leaf whose index
-- falls as the rate rises, so that the index ranks are the rate ranks, and
-- the rates are redrawn as rank_interval() redraws them (Gamma(x + 1/2) / n,
-- the regions in the same order, the same generator and seed): the intervals
-- are rank_interval()'s, itself checked against numpy in sql/statistics.sql.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/sensitivity_rates.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
SELECT period, periods FROM rebuild('sensr', '2025-03-01', '2025-04-01');
SELECT (SELECT array_agg(ARRAY[rank_level, rank_level_lower, rank_level_upper] ORDER BY region_code)
          FROM index_sensitivity('sensr', '2025-03-01'))
     = (SELECT array_agg(ARRAY[k.rank, k.rank_lower, k.rank_upper] ORDER BY k.unit)
          FROM rank_interval('{12,0,2}', '{10000,500,5000}', 0.05, 0.95, 1000, 1, 'gamma', false) k) AS as_rank_interval,
       (SELECT array_agg(ARRAY[rank_level_lower, rank_level_median] ORDER BY region_code)
          FROM index_sensitivity('sensr', '2025-03-01', draws => 4000, seed => 7, lower_q => 0.2))
     = (SELECT array_agg(ARRAY[a.rank_lower, b.rank_lower] ORDER BY a.unit)
          FROM rank_interval('{12,0,2}', '{10000,500,5000}', 0.2, 0.2, 4000, 7, 'gamma', false) a
          JOIN rank_interval('{12,0,2}', '{10000,500,5000}', 0.5, 0.5, 4000, 7, 'gamma', false) b
            USING (unit)) AS median_as_rank_interval;
-- Grades: the index is 100 - rate / 10 (grade 1 from 90: a rate up to 100
-- per 10,000).  q (500 residents, no incident) leaves grade 1 when its drawn
-- events exceed 5: P(Gamma(1/2, 1) > 5) = erfc(sqrt 5) = 0.0015654
-- (test/stats/sensitivity.py; s.e. over 100,000 draws 0.000125); p and r
-- would need 100 and 50 events (P < 1e-20).
SELECT region_code, grade_level,
       abs(grade_change_share - CASE region_code WHEN 'q' THEN 0.0015654 ELSE 0 END) < 4 * 0.000125
           AS grade_share_as_derived
  FROM index_sensitivity('sensr', '2025-03-01', draws => 100000) ORDER BY region_code;

-- Baselines (test/fixtures/alarm.sql: a rate leaf against last year's
-- district-wide average by the 0.8 / 1.2 bands): with nothing perturbed the
-- draws reproduce the stored results, whose baselines the draws reuse.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/alarm.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
SELECT period, periods FROM rebuild('al', '2024-01-01', '2025-07-01');
SELECT count(*) AS regions,
       bool_and(s.index = r.index AND s.grade_level = r.grade_level AND s.rank_level = r.rank_level
                AND s.rank_level_lower = r.rank_level AND s.rank_level_upper = r.rank_level
                AND s.grade_change_share = 0) AS as_stored
  FROM index_sensitivity('al', '2025-04-01', draws => 20, rates => false) s
  JOIN result r ON r.scheme = 'al' AND r.period = 'month' AND r.period_start = '2025-04-01'
   AND r.region_code = s.region_code;
-- The prior years' pools are read as the engine reads them, and none is
-- stored: without stored pools (summed from the cells), in a read-only
-- transaction, the same rows, and still no pool afterwards.
CREATE TEMP TABLE al_run AS SELECT * FROM index_sensitivity('al', '2025-04-01');
SELECT count(*) > 0 AS pools_stored_by_rebuild FROM baseline_pool WHERE scheme = 'al';
DELETE FROM baseline_pool WHERE scheme = 'al';
BEGIN TRANSACTION READ ONLY;
SELECT (SELECT array_agg(r::text ORDER BY r.region_code) FROM al_run r)
     = (SELECT array_agg(r::text ORDER BY r.region_code) FROM index_sensitivity('al', '2025-04-01') r)
       AS same_without_stored_pools;
COMMIT;
SELECT count(*) AS pools_stored FROM baseline_pool WHERE scheme = 'al';
-- one depth gives the rows of that depth of the whole run, the rates redrawn too
SELECT (SELECT array_agg(r::text ORDER BY r.region_code) FROM index_sensitivity('al', '2025-04-01') r WHERE r.depth = 2)
     = (SELECT array_agg(r::text ORDER BY r.region_code) FROM index_sensitivity('al', '2025-04-01', 2) r)
       AS one_depth_same_rows;
-- With the rates redrawn, April: c (2 incidents / 5,000 residents, 4 per
-- 10,000 against the baseline B = 73 / 12 / 15,500 x 10,000 = 3.9247) is in
-- the middle band (80 points, grade 2) and leaves it when its drawn events
-- x ~ Gamma(2.5) give a ratio above 1.2 (x > 1.2 B / 2 = 2.3548) or below
-- 0.8 (x < 1.5699): P = 0.45233 + 0.32155 = 0.77388 (test/stats/sensitivity.py,
-- closed form of the Gamma(5/2) tail; s.e. over 20,000 draws 0.0030).
SELECT region_code, grade_level, rank_level, draws_ranked,
       abs(grade_change_share - 0.77388) < 4 * 0.0030 AS grade_share_as_derived
  FROM index_sensitivity('al', '2025-04-01', 2, draws => 20000) WHERE region_code = 'c';
