-- Significance-aware and smoothed scoring in the engine, and the uncertainty
-- of every leaf in indicator_result (issue 12, part 2a; doc/engine.md).
-- Fixture: test/fixtures/significance.sql (every figure of it in its header).
-- Every reference number below comes from test/stats/significance_reference.py
-- (scipy / numpy from the definitions, not from safeidx; its output lines are
-- quoted); those floats are compared with a relative tolerance of 1e-9
-- (different arithmetic: scipy's own gamma and chi-square); states, statuses,
-- scores of 0, 0.8 and 1, indices and colours exactly.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/significance.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET extra_float_digits = 0;

CREATE FUNCTION pg_temp.close(a float8, b float8) RETURNS boolean
LANGUAGE sql IMMUTABLE RETURN a = b OR abs(a - b) <= 1e-9 * greatest(1, abs(b));

SELECT scheme, (rebuild(scheme, '2025-01-01', '2025-03-01')).results FROM scheme ORDER BY 1;

-- ---- the rate schemes plain (no option) and sig (level 0.05, min_expected 5) ----
-- baseline: 336 / (12 x 28,000) x 10,000 = 10 per 10,000 a month: expected = residents / 1,000.
-- significance_reference.py (p = P(X >= observed | expected); plain and sig scores):
--   2025-01 a expected=1 p 0.2642411176571153 | plain 0.0 | sig insufficient_data NULL
--   2025-01 b expected=5 p 0.13337167407000744 | plain 0.0 | sig no_excess 0.8
--   2025-01 c expected=20 p 0.00809175466983513 | plain 0.0 | sig excess 0.0
--   2025-01 d expected=28 p 3.1820652326996866e-05 | plain 0.0 | sig excess 0.0
--   2025-01 e expected=2 p 4.649807501726386e-05 | plain 0.0 | sig insufficient_data NULL
--   2025-01 s1 expected=6 p 0.08392401699487584 | plain 0.0 | sig no_excess 0.8
--   2025-01 s2 expected=22 p 9.579592408168376e-05 | plain 0.0 | sig excess 0.0
--   2025-02 a expected=1 p 1.0 | plain 1.0 | sig insufficient_data NULL
--   2025-02 b expected=5 p 0.9932620530009145 | plain 1.0 | sig no_excess 1.0
--   2025-02 c expected=20 p 0.933872359040834 | plain 1.0 | sig no_excess 1.0
--   2025-02 d expected=28 p 0.9820881489524825 | plain 1.0 | sig no_excess 1.0
--   2025-02 e expected=2 p 0.32332358381693654 | plain 0.0 | sig insufficient_data NULL
--   2025-02 s1 expected=6 p 0.9975212478233336 | plain 1.0 | sig no_excess 1.0
--   2025-02 s2 expected=22 p 0.8829603276557539 | plain 1.0 | sig no_excess 1.0
-- b in January: 8 burglaries where 5 are expected (ratio 1.6, the poor band
-- under the plain rule) are no significant excess (p 0.133): scored as the
-- baseline, the middle band (0.8).  c: 32 where 20 are expected (ratio 1.6
-- too) is one (p 0.008): poor.  a and e expect fewer than 5: grey, whatever
-- they record (e's 10 where 2 are expected included).
CREATE TEMP TABLE ref_rate (m date, code text, expected float8, p float8, plain float8, state text, sig float8);
INSERT INTO ref_rate VALUES
    ('2025-01-01', 'a', 1, 0.2642411176571153, 0, 'insufficient_data', NULL),
    ('2025-01-01', 'b', 5, 0.13337167407000744, 0, 'no_excess', 0.8),
    ('2025-01-01', 'c', 20, 0.00809175466983513, 0, 'excess', 0),
    ('2025-01-01', 'd', 28, 3.1820652326996866e-05, 0, 'excess', 0),
    ('2025-01-01', 'e', 2, 4.649807501726386e-05, 0, 'insufficient_data', NULL),
    ('2025-01-01', 's1', 6, 0.08392401699487584, 0, 'no_excess', 0.8),
    ('2025-01-01', 's2', 22, 9.579592408168376e-05, 0, 'excess', 0),
    ('2025-02-01', 'a', 1, 1.0, 1, 'insufficient_data', NULL),
    ('2025-02-01', 'b', 5, 0.9932620530009145, 1, 'no_excess', 1),
    ('2025-02-01', 'c', 20, 0.933872359040834, 1, 'no_excess', 1),
    ('2025-02-01', 'd', 28, 0.9820881489524825, 1, 'no_excess', 1),
    ('2025-02-01', 'e', 2, 0.32332358381693654, 0, 'insufficient_data', NULL),
    ('2025-02-01', 's1', 6, 0.9975212478233336, 1, 'no_excess', 1),
    ('2025-02-01', 's2', 22, 0.8829603276557539, 1, 'no_excess', 1);

SELECT f.m, f.code, pl.status AS plain_status, pl.significance AS plain_sig, pl.score = f.plain AS plain_score,
       pg_temp.close(pl.expected, f.expected) AS expected, pg_temp.close(pl.p_value, f.p) AS p_plain, pg_temp.close(sg.p_value, f.p) AS p_sig,
       sg.significance, sg.significance IS NOT DISTINCT FROM f.state AS state_ok, sg.status,
       sg.score IS NOT DISTINCT FROM f.sig AS sig_score, sg.score
  FROM ref_rate f
  JOIN indicator_result pl ON pl.scheme = 'plain' AND pl.period_start = f.m AND pl.region_code = f.code
  JOIN indicator_result sg ON sg.scheme = 'sig' AND sg.period_start = f.m AND sg.region_code = f.code
 ORDER BY 1, 2;

-- the options off are today's rule: plain's results are those of the rule
-- without significance, and where sig's rule leaves the value alone (an
-- excess, or a value no worse than the baseline) it scores what plain does,
-- to the bit
SELECT count(*) AS compared,
       count(*) FILTER (WHERE sg.score = pl.score AND sg.value = pl.value AND sg.ratio = pl.ratio
                          AND sg.points = pl.points AND sg.p_value = pl.p_value AND sg.expected = pl.expected) AS equal
  FROM indicator_result pl
  JOIN indicator_result sg ON sg.scheme = 'sig' AND sg.period_start = pl.period_start AND sg.region_code = pl.region_code
 WHERE pl.scheme = 'plain' AND sg.significance <> 'insufficient_data' AND (sg.significance = 'excess' OR sg.ratio <= 1);
SELECT count(*) FILTER (WHERE significance IS NOT NULL OR smoothed IS NOT NULL OR smoothing <> 'none'
                          OR significance_level IS NOT NULL OR min_expected IS NOT NULL) AS plain_with_options
  FROM indicator_result WHERE scheme = 'plain';

-- a region below the minimum expected count has no colour: grey, no index
-- (min_coverage 1), no grade, no rank; b and s1 are in the middle band (80)
SELECT region_code, index, grade_zh, colour, rank_siblings
  FROM index_result WHERE scheme = 'sig' AND period_start = '2025-01-01' ORDER BY depth, region_code;

-- ---- the intervals of indicator_result: 95% Garwood of the rate, of observed / expected ----
-- significance_reference.py (rate 95%, ratio 95%):
--   2025-01 a 2.4220927854396495 72.2468766772396 | 0.24220927854396496 7.22468766772396
--   2025-01 c 10.943988155642282 22.58722603971023 | 1.0943988155642281 2.2587226039710235
--   2025-02 a 0.0 36.888794541139355 | 0.0 3.6888794541139354
--   2025-02 s1 0.04219634664048313 9.286072318231497 | 0.004219634664048313 0.9286072318231496
WITH ref(m, code, lo, hi, rlo, rhi) AS (VALUES
    ('2025-01-01'::date, 'a', 2.4220927854396495, 72.2468766772396, 0.24220927854396496, 7.22468766772396),
    ('2025-01-01', 'c', 10.943988155642282, 22.58722603971023, 1.0943988155642281, 2.2587226039710235),
    ('2025-02-01', 'a', 0.0, 36.888794541139355, 0.0, 3.6888794541139354),
    ('2025-02-01', 's1', 0.04219634664048313, 9.286072318231497, 0.004219634664048313, 0.9286072318231496))
SELECT f.m, f.code, pg_temp.close(n.poisson_lower, f.lo) AS lower_ok, pg_temp.close(n.poisson_upper, f.hi) AS upper_ok,
       pg_temp.close(n.ratio_lower, f.rlo) AS ratio_lower_ok, pg_temp.close(n.ratio_upper, f.rhi) AS ratio_upper_ok,
       n.poisson_lower <= n.value AND n.value <= n.poisson_upper AS value_inside
  FROM ref f JOIN indicator_result n ON n.scheme = 'sig' AND n.period_start = f.m AND n.region_code = f.code
 ORDER BY 1, 2;

-- ---- a count where more is better (sigpos): p = P(X <= observed), own 2024 mean as expected ----
-- significance_reference.py (p, state, score with significance | raw score):
--   2025-02 a expected=1 p 0.36787944117144245 | insufficient_data NULL | raw score 0.0
--   2025-02 b expected=5 p 0.04042768199451279 | excess 0.0 | raw score 0.0
--   2025-02 c expected=20 p 0.10486428110798468 | no_excess 0.8 | raw score 0.0
--   2025-02 d expected=28 p 0.0299971681614414 | excess 0.0 | raw score 0.0
--   2025-02 e expected=2 p 0.857123460498547 | insufficient_data NULL | raw score 1.0
--   2025-02 s1 expected=6 p 0.01735126523666451 | excess 0.0 | raw score 0.0
--   2025-02 s2 expected=22 p 0.1689960011951556 | no_excess 0.8 | raw score 0.0
-- (January: every count is above its mean, p > 0.93: no_excess and score 1,
-- a and e grey)
WITH ref(code, expected, p, state, score) AS (VALUES
    ('a', 1.0, 0.36787944117144245, 'insufficient_data', NULL::float8), ('b', 5, 0.04042768199451279, 'excess', 0),
    ('c', 20, 0.10486428110798468, 'no_excess', 0.8), ('d', 28, 0.0299971681614414, 'excess', 0),
    ('e', 2, 0.857123460498547, 'insufficient_data', NULL), ('s1', 6, 0.01735126523666451, 'excess', 0),
    ('s2', 22, 0.1689960011951556, 'no_excess', 0.8))
SELECT f.code, n.events, pg_temp.close(n.expected, f.expected) AS expected_ok, pg_temp.close(n.p_value, f.p) AS p_ok,
       n.significance, n.significance = f.state AS state_ok, n.status, n.score IS NOT DISTINCT FROM f.score AS score_ok
  FROM ref f JOIN indicator_result n ON n.scheme = 'sigpos' AND n.period_start = '2025-02-01' AND n.region_code = f.code
 ORDER BY 1;
SELECT significance, status, score, count(*) FROM indicator_result
 WHERE scheme = 'sigpos' AND period_start = '2025-01-01' GROUP BY 1, 2, 3 ORDER BY 1;

-- ---- Empirical Bayes smoothing (Marshall 1991): global over the level, local over siblings ----
-- significance_reference.py (smoothed per 10,000, linear 0.8 / 2.0 score of smoothed / 10):
--   2025-01 global a 18.874458874458874 0.09379509379509376   local a 16.666666666666668 0.27777777777777773
--   2025-01 global b 17.096018735362996 0.2419984387197503    local b 16.666666666666668 0.27777777777777773
--   2025-01 global c 16.40275387263339 0.2997705106138841     local c 16.336316533207725 0.305306955566023
--   2025-01 global d 18.571428571428573 0.119047619047619     local d 18.571428571428573 0.119047619047619
--   2025-01 global e 29.57142857142857 0.0                    local e 33.00809138505473 0.0
--   2025-01 global s1 18.571428571428573 0.119047619047619    local s1 18.571428571428573 0.119047619047619
--   2025-01 global s2 18.571428571428573 0.119047619047619    local s2 18.571428571428573 0.119047619047619
--   2025-02 global a 6.303501945525292   b 6.028880866425992   c 6.590909090909091   d 6.428571428571428
--           e 6.755725190839694   s1 5.812395309882747   s2 6.88667496886675   (every score 1.0)
--   2025-02 local  a 1.6666666666666665  b 1.6666666666666665  c 7.727272727272727   d 6.428571428571428
--           e 7.727272727272727   s1 5.812395309882747   s2 6.88667496886675   (every score 1.0)
-- A small unit is pulled to its group's mean: a (1,000 residents, raw 20) to
-- 18.87 over the level; the streets' spread is no more than Poisson noise
-- (A = 0): both get the mean, 18.57; d alone keeps its own rate.
CREATE TEMP TABLE ref_eb (m date, kind text, code text, smoothed float8, score float8);
INSERT INTO ref_eb VALUES
    ('2025-01-01', 'ebg', 'a', 18.874458874458874, 0.09379509379509376), ('2025-01-01', 'ebl', 'a', 16.666666666666668, 0.27777777777777773),
    ('2025-01-01', 'ebg', 'b', 17.096018735362996, 0.2419984387197503), ('2025-01-01', 'ebl', 'b', 16.666666666666668, 0.27777777777777773),
    ('2025-01-01', 'ebg', 'c', 16.40275387263339, 0.2997705106138841), ('2025-01-01', 'ebl', 'c', 16.336316533207725, 0.305306955566023),
    ('2025-01-01', 'ebg', 'd', 18.571428571428573, 0.119047619047619), ('2025-01-01', 'ebl', 'd', 18.571428571428573, 0.119047619047619),
    ('2025-01-01', 'ebg', 'e', 29.57142857142857, 0.0), ('2025-01-01', 'ebl', 'e', 33.00809138505473, 0.0),
    ('2025-01-01', 'ebg', 's1', 18.571428571428573, 0.119047619047619), ('2025-01-01', 'ebl', 's1', 18.571428571428573, 0.119047619047619),
    ('2025-01-01', 'ebg', 's2', 18.571428571428573, 0.119047619047619), ('2025-01-01', 'ebl', 's2', 18.571428571428573, 0.119047619047619),
    ('2025-02-01', 'ebg', 'a', 6.303501945525292, 1), ('2025-02-01', 'ebl', 'a', 1.6666666666666665, 1),
    ('2025-02-01', 'ebg', 'b', 6.028880866425992, 1), ('2025-02-01', 'ebl', 'b', 1.6666666666666665, 1),
    ('2025-02-01', 'ebg', 'c', 6.590909090909091, 1), ('2025-02-01', 'ebl', 'c', 7.727272727272727, 1),
    ('2025-02-01', 'ebg', 'd', 6.428571428571428, 1), ('2025-02-01', 'ebl', 'd', 6.428571428571428, 1),
    ('2025-02-01', 'ebg', 'e', 6.755725190839694, 1), ('2025-02-01', 'ebl', 'e', 7.727272727272727, 1),
    ('2025-02-01', 'ebg', 's1', 5.812395309882747, 1), ('2025-02-01', 'ebl', 's1', 5.812395309882747, 1),
    ('2025-02-01', 'ebg', 's2', 6.88667496886675, 1), ('2025-02-01', 'ebl', 's2', 6.88667496886675, 1);
SELECT f.m, f.kind, count(*) AS regions,
       count(*) FILTER (WHERE pg_temp.close(n.smoothed, f.smoothed)) AS smoothed_ok,
       count(*) FILTER (WHERE pg_temp.close(n.score, f.score)) AS score_ok,
       count(*) FILTER (WHERE n.value = pl.value AND n.ratio = pl.ratio) AS raw_value_kept,
       count(*) FILTER (WHERE pg_temp.close(n.smoothed_ratio, f.smoothed / 10)) AS smoothed_ratio_ok
  FROM ref_eb f
  JOIN indicator_result n ON n.scheme = f.kind AND n.period_start = f.m AND n.region_code = f.code
  JOIN indicator_result pl ON pl.scheme = 'plain' AND pl.period_start = f.m AND pl.region_code = f.code
 GROUP BY 1, 2 ORDER BY 1, 2;

-- a refresh equals the rebuild, to the bit, new columns included
SET client_min_messages = warning;
CREATE TEMP TABLE built AS SELECT * FROM result_node WHERE scheme IN ('sig', 'ebl');
INSERT INTO sig.burglary (happened, code) VALUES ('2025-01-20', 'b'), ('2025-01-20', 'b');
SELECT scheme, (refresh(scheme)).results > 0 AS refreshed FROM scheme WHERE scheme IN ('sig', 'ebl') ORDER BY 1;
-- b: 10 where 5 are expected, p = P(X >= 10 | 5) = 0.03182805730620481 (scipy: poisson.sf(9, 5)): an excess now
SELECT region_code, events, pg_temp.close(p_value, 0.03182805730620481) AS p_ok, significance, score
  FROM indicator_result WHERE scheme = 'sig' AND period_start = '2025-01-01' AND region_code = 'b';
DELETE FROM sig.burglary WHERE happened = '2025-01-20';
SELECT scheme, (refresh(scheme)).results > 0 AS refreshed FROM scheme WHERE scheme IN ('sig', 'ebl') ORDER BY 1;
SELECT (SELECT count(*) FROM (SELECT * FROM built EXCEPT SELECT * FROM result_node WHERE scheme IN ('sig', 'ebl')) x) AS lost,
       (SELECT count(*) FROM (SELECT * FROM result_node WHERE scheme IN ('sig', 'ebl') EXCEPT SELECT * FROM built) x) AS gained;

-- ---- configuration errors ----
\set VERBOSITY terse
-- significance needs a rate or a count against a baseline
UPDATE indicator SET significance_level = 0.05 WHERE scheme = 'ebg';   -- ok: a rate against the district
UPDATE indicator SET baseline = 'none', baseline_of = 'self', baseline_depth = NULL, scoring = 'goalposts',
                     scoring_params = '{"minimum": 0, "maximum": 50}' WHERE scheme = 'ebg';
UPDATE indicator SET significance_level = NULL WHERE scheme = 'ebg';
UPDATE indicator SET significance_level = 1 WHERE scheme = 'sig';
UPDATE indicator SET significance_level = 'NaN' WHERE scheme = 'sig';
UPDATE indicator SET min_expected = -1 WHERE scheme = 'sig';
UPDATE indicator SET min_expected = 5 WHERE scheme = 'plain';        -- a guard without a level
UPDATE indicator SET smoothing = 'global' WHERE scheme = 'sigpos';   -- a count
UPDATE indicator SET smoothing = 'regional' WHERE scheme = 'sig';
-- an inner node takes neither (checked at commit)
BEGIN;
INSERT INTO indicator (scheme, version, node, name_zh, weight, measure, baseline, significance_level)
VALUES ('plain', '1', 'order', '秩序', 100, 'rate', 'prior_years', 0.05);
UPDATE indicator SET parent_node = 'order' WHERE scheme = 'plain' AND node = 'burglary';
COMMIT;
BEGIN;
INSERT INTO indicator (scheme, version, node, name_zh, weight, smoothing)
VALUES ('plain', '1', 'order', '秩序', 100, 'local');
UPDATE indicator SET parent_node = 'order' WHERE scheme = 'plain' AND node = 'burglary';
COMMIT;
-- the kernel's excess_state() is the engine's rule
SELECT excess_state(8, 5), excess_state(32, 20), excess_state(10, 2), excess_state(0, 0, 0.05, 0);
\set VERBOSITY default
