-- test/tap/detection.sql: the checks of test/tap/detection.sh, over the small detection
-- city measured by test/detection/{detect,engine,measure}.sql (tables of schema det).
-- Truths that hold whatever the figures: the engine against plain SQL computed from the
-- incident rows, and orderings that follow from how the rules are built.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = safeidx, public;
BEGIN;
SELECT plan(21);

SELECT ok(to_regclass('det.result') IS NOT NULL AND (SELECT count(*) FROM det.result) > 0,
          'the measurement ran: det.result has rows');

-- 1. the alarm rules of the warning view are the kernel functions over the counts of
--    det.cm (incident rows counted in plain SQL), flag for flag, at every setting
SELECT is((SELECT sum(engine_only + plain_only)::int FROM det.check WHERE engine LIKE 'engine: ' || m || '%'), 0,
          format('the engine''s %s alarms (warning view) are the kernel''s over the plain monthly counts, flag for flag', m))
  FROM unnest('{EARS C1,EARS C2,EARS C3,seasonal,Poisson CUSUM}'::text[]) m;
SELECT ok((SELECT bool_and(f > 0) FROM (SELECT (SELECT sum(engine_flags) FROM det.check WHERE engine LIKE 'engine: ' || m || '%') AS f
                                         FROM unnest('{EARS C1,EARS C2,EARS C3,seasonal,Poisson CUSUM}'::text[]) m) x),
          'each alarm kind raises alarms (the comparison is not vacuous)');

-- 2. one leaf scored as Wuchang scores it: the ratio is the plain ratio to the bit where the
--    community has its own figure for the year; red grade is the ratio rule at 1.2 but for
--    the community-months the population rule leaves without a rate (no figure for the
--    year: missing, where detect.sql falls back on last year's); two reds = two poor months
SELECT is((SELECT count(*)::int FROM det.ratio r JOIN det.cm c USING (code, mi)
             JOIN demo.population p ON p.region_code = r.code AND p.year = extract(year FROM c.m)
             LEFT JOIN det.eng e ON e.scheme = 'det' AND e.code = r.code AND e.mi = r.mi
            WHERE e.ratio IS DISTINCT FROM r.ratio), 0,
          'the engine''s burglary ratio to the district''s prior-year rate is the plain SQL''s, bit for bit');
SELECT is((SELECT count(*)::int FROM det.check_red WHERE side = 'engine only'), 0,
          'every red grade of the one-leaf scheme is a ratio above 1.2 in plain SQL');
SELECT set_eq($$SELECT code, mi FROM det.check_red WHERE side = 'plain only'$$,
              $$SELECT a.code, a.mi FROM det.alarm a JOIN det.cm c USING (code, mi)
                 WHERE a.method = 'ratio rule (ratio > x)' AND a.setting = 1.2
                   AND NOT EXISTS (SELECT FROM demo.population p WHERE p.region_code = a.code AND p.year = extract(year FROM c.m))$$,
              'the ratio rule''s flags the engine does not grade red are exactly those of communities without a figure for the year');
SELECT is((SELECT engine_only + plain_only FROM det.check WHERE engine = 'engine: consecutive reds, one leaf (ratio > x)')::int, 0,
          'two reds running (warning rule consecutive) are two months running above 1.2, flag for flag');

-- 3. significance-aware scoring (det_p*: min_expected 1)
SELECT is((SELECT count(*)::int FROM det.eng e JOIN det.cm c USING (code, mi)
             JOIN det.base b ON b.district = c.district AND b.yr = extract(year FROM c.m)
            WHERE e.scheme = 'det_p05' AND e.expected IS NOT NULL
              AND abs(e.expected - b.rate * c.pop / 10000) > 1e-12 * e.expected), 0,
          'the expected count is the district''s prior-year rate x the community''s residents / 10,000 (relative 1e-12: another order of operations)');
-- P(X >= k | E) summed term by term in SQL: exp(-E + i ln E - ln i!) for i = k .. k + 150
SELECT is((SELECT count(*)::int FROM det.eng e,
                  LATERAL (SELECT sum(exp(-e.expected + i * ln(e.expected) - lf)) AS p
                             FROM (SELECT i, sum(CASE WHEN i > 0 THEN ln(i::float8) ELSE 0 END) OVER (ORDER BY i) AS lf
                                     FROM generate_series(0, e.events::int + 150) i) t
                            WHERE i >= e.events) q
            WHERE e.scheme = 'det_p05' AND e.expected >= 1 AND abs(e.p_value - q.p) > 1e-9 * q.p), 0,
          'the p-value is the Poisson upper tail summed term by term (relative 1e-9: another method)');
SELECT ok((SELECT count(*) FROM det.eng WHERE scheme = 'det_p05' AND expected >= 1) > 500,
          'the p-value check covers the community-months expecting at least one burglary');
SELECT is((SELECT count(*)::int FROM det.eng e JOIN det.scheme_alpha a USING (scheme)
            WHERE a.alpha IS NOT NULL AND e.expected IS NOT NULL
              AND e.significance IS DISTINCT FROM CASE WHEN e.expected < 1 THEN 'insufficient_data'
                                                       WHEN e.p_value < a.alpha THEN 'excess' ELSE 'no_excess' END), 0,
          'significance: insufficient_data below 1 expected, excess where p < the level, no_excess otherwise');
SELECT ok((SELECT count(*) FROM det.eng WHERE scheme = 'det_p05' AND significance = 'insufficient_data') > 0
          AND NOT EXISTS (SELECT FROM det.eng WHERE significance = 'insufficient_data' AND grade_level IS NOT NULL),
          'small communities are insufficient data, and then have no grade (grey), never a colour');
SELECT set_eq($$SELECT code, mi, alpha FROM det.eng e JOIN det.scheme_alpha a USING (scheme)
                 WHERE a.alpha IS NOT NULL AND e.grade_level = 4$$,
              $$SELECT e.code, e.mi, a.alpha FROM det.eng e JOIN det.scheme_alpha a USING (scheme)
                  JOIN det.eng r ON r.scheme = 'det' AND r.code = e.code AND r.mi = e.mi AND r.grade_level = 4
                 WHERE a.alpha IS NOT NULL AND e.significance = 'excess'$$,
              'significance-aware red grade = red without it and a significant excess');
SELECT ok((SELECT count(*) FROM det.eng WHERE scheme = 'det_p05' AND grade_level = 4) > 0
          AND (SELECT count(*) FROM det.eng WHERE scheme = 'det_p05' AND grade_level = 4)
              < (SELECT count(*) FROM det.eng WHERE scheme = 'det' AND grade_level = 4),
          'at 0.05, fewer reds than without significance, and some');
SELECT is((SELECT count(*)::int FROM det.warn w WHERE w.scheme LIKE 'det_p%' AND w.rule = 'red'
              AND NOT EXISTS (SELECT FROM det.eng e WHERE e.scheme = w.scheme AND e.code = w.code AND e.mi = w.mi AND e.grade_level = 4))
          + (SELECT count(*)::int FROM det.eng e WHERE e.scheme LIKE 'det%' AND e.grade_level = 4
              AND NOT EXISTS (SELECT FROM det.warn w WHERE w.scheme = e.scheme AND w.rule = 'red' AND w.code = e.code AND w.mi = e.mi)), 0,
          'the warning view''s red-grade rows are the results graded red');

-- 4. the measures of nested rules (a stricter setting flags a subset) never rise with
--    the setting: detected hotspots and false alarms
CREATE TEMP VIEW nested_pairs AS
WITH strict AS (
    SELECT method, setting, detected, fa_per_1000,
           row_number() OVER (PARTITION BY method ORDER BY CASE WHEN method LIKE '%p < x%' THEN -setting ELSE setting END) AS k
      FROM det.result
     WHERE method NOT LIKE '%CUSUM%' AND method NOT LIKE '%Wuchang%')
SELECT a.method, a.detected < b.detected OR a.fa_per_1000 < b.fa_per_1000 AS rises
  FROM strict a JOIN strict b ON b.method = a.method AND b.k = a.k + 1;
SELECT is((SELECT count(*)::int FROM nested_pairs WHERE rises), 0,
          'for every nested method, detections and false alarms do not rise with a stricter setting');
SELECT ok((SELECT count(DISTINCT method) FROM nested_pairs) >= 10, 'the ordering check covers at least 10 methods');

SELECT * FROM finish();
ROLLBACK;
