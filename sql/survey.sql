-- Survey indicators (Anning's public evaluation): the share of households
-- satisfied with a department, per region, with a Wilson interval, missing
-- below a minimum sample.  Over the regions of the engine fixture
-- (test/fixtures/engine.sql: d, s1 (a, b), s2 (c, e); its output is kept out
-- of this file).
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/engine.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
\set VERBOSITY terse

-- Wilson intervals against an independent computation (Python's
-- statistics.NormalDist for the quantile, the textbook formula):
--   4 of 5 at 95%: [0.375535, 0.963776];  0 of 10: [0, 0.277533];
--   81 of 100: [0.722212, 0.874852];  95 of 100 at 99%: lower 0.860850
SELECT round(share_lower(4, 5)::numeric, 6) AS lo, round(share_upper(4, 5)::numeric, 6) AS hi;
SELECT share_lower(0, 10) AS lo, round(share_upper(0, 10)::numeric, 6) AS hi, share_upper(10, 10) AS all_hi;
SELECT round(share_lower(81, 100)::numeric, 6) AS lo, round(share_upper(81, 100)::numeric, 6) AS hi;
SELECT round(share_lower(95, 100, 0.99)::numeric, 6) AS lo99;
SELECT share_lower(0, 0) AS no_trials;
SELECT share_lower(6, 5);
SELECT share_lower(-1, 5);
SELECT share_upper(1, 5, 1);
SELECT share_upper('NaN', 5);

CREATE TABLE fix.survey (answered_at timestamptz NOT NULL, code text, department text NOT NULL, satisfied boolean NOT NULL);
-- n answers of one kind for a community in January 2025
CREATE FUNCTION fix.answers(n integer, code text, department text, satisfied boolean) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO fix.survey SELECT '2025-01-15 12:00+08', code, department, satisfied FROM generate_series(1, n);
$$;
-- police: a 4 of 5 satisfied, b 9 of 10, c 1 of 2;  city management: a 2 of 3, b 5 of 5
SELECT fix.answers(4, 'a', 'police', true), fix.answers(1, 'a', 'police', false),
       fix.answers(9, 'b', 'police', true), fix.answers(1, 'b', 'police', false),
       fix.answers(1, 'c', 'police', true), fix.answers(1, 'c', 'police', false),
       fix.answers(2, 'a', 'city', true), fix.answers(1, 'a', 'city', false),
       fix.answers(5, 'b', 'city', true);

-- The survey of January is delivered whole (declared: its answers are all of
-- one day); an index from whatever is scored (min_coverage 0), 4 decimals.
BEGIN;
INSERT INTO source (source, relation, region_column, time_column, filter, delivered_from, delivered_through) VALUES
    ('police_satisfied', 'fix.survey', 'code', 'answered_at', $$department = 'police' AND satisfied$$, '2025-01-01', '2025-01-31'),
    ('police_surveyed', 'fix.survey', 'code', 'answered_at', $$department = 'police'$$, '2025-01-01', '2025-01-31'),
    ('city_satisfied', 'fix.survey', 'code', 'answered_at', $$department = 'city' AND satisfied$$, '2025-01-01', '2025-01-31'),
    ('city_surveyed', 'fix.survey', 'code', 'answered_at', $$department = 'city'$$, '2025-01-01', '2025-01-31');
INSERT INTO scheme (scheme, name_zh) VALUES ('survey', '群众满意度');
INSERT INTO scheme_version (scheme, version, valid_from, min_coverage, index_decimals) VALUES ('survey', 'v1', '2025-01-01', 0, 4);
-- satisfied per 100 surveyed, at least 5 answers, scored 60 % -> 0 .. 100 % -> 1
INSERT INTO indicator (scheme, version, node, name_zh, weight, direction, sources, measure, denominator_sources,
                       per, min_denominator, scoring, scoring_params) VALUES
    ('survey', 'v1', 'police', '公安满意率', 60, 'positive', '{police_satisfied}', 'ratio', '{police_surveyed}',
     100, 5, 'goalposts', '{"minimum": 60, "maximum": 100}'),
    ('survey', 'v1', 'city', '城管满意率', 40, 'positive', '{city_satisfied}', 'ratio', '{city_surveyed}',
     100, 5, 'goalposts', '{"minimum": 60, "maximum": 100}');
COMMIT;
-- min_denominator is for ratios only
INSERT INTO indicator (scheme, version, node, name_zh, weight, direction, sources, measure, min_denominator, scoring, baseline)
VALUES ('survey', 'v1', 'x', 'x', 0, 'negative', '{theft}', 'rate', 5, 'ratio_band', 'previous_period');

SELECT * FROM rebuild('survey', '2025-01-01', '2025-02-01');
-- police: a 4/5 = 80 -> (80 - 60) / 40 = 0.5, Wilson [37.55, 96.38];
--   b 9/10 = 90 -> 0.75, [59.58, 98.21];  c 1/2: below 5 answers -> missing;
--   s1 13/15 = 86.667 -> 0.6667, [62.12, 96.26];  s2 (c only) missing;
--   d 14/17 = 82.353 -> 0.5588, [58.97, 93.81]
-- city: a 2/3 missing;  b 5/5 = 100 -> 1, [56.55, 100];  s1 7/8 = 87.5 -> 0.6875, [52.91, 97.76];
--   d 7/8 -> 0.6875;  c, e, s2 none
SELECT region_code, node, events, denominator, round(value::numeric, 4) AS value,
       round(value_lower::numeric, 2) AS lower, round(value_upper::numeric, 2) AS upper, round(score::numeric, 4) AS score
  FROM indicator_result WHERE scheme = 'survey' AND denominator > 0 ORDER BY node, region_code;
-- index = 100 x (60 p + 40 c) / (weight scored):
--   a 50 (police only, coverage 0.6);  b (45 + 40) = 85;  c, e, s2 nothing scored: no index
--   s1 60 x 0.6667 + 40 x 0.6875 = 40 + 27.5 = 67.5;  d 60 x 0.5588 + 27.5 = 33.5294 + 27.5 = 61.0294
SELECT region_code, round(index::numeric, 4) AS index, coverage, rank_level
  FROM index_result WHERE scheme = 'survey' ORDER BY depth, region_code;
