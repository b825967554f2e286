-- Early-warning alarms as warnings (issue 12, part 2b): the alarm rules of
-- warning_rule (cusum, ears_c1/c2/c3, seasonal) over a leaf's count series,
-- materialized in safeidx.alarm by rebuild, refresh and a rule's commit, and
-- shown by the warning view with the expected count, the threshold and the
-- first period of the run.  Expected values: test/stats/alarms.py (pure
-- Python and scipy's normal quantile, from the definitions), quoted below;
-- and the kernel functions called directly on the same series, which must
-- give the same rows to the bit.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/alarm.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;

SELECT period, periods, first_period, last_period, results FROM rebuild('al', '2024-01-01', '2025-07-01');

-- The series (test/stats/alarms.py), January 2024 .. June 2025:
--   a [4,4,4,4,4,4,4,4,4,4,4,4,4,4,12,12,4,4]
--   b [0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,3,0,0]
--   c [2 x 18]
INSERT INTO warning_rule (scheme, rule, kind, node, depth, severity, params, min_expected) VALUES
    ('al', 'cu', 'cusum', 'incident', 2, 'orange', NULL, NULL),
    ('al', 'e1', 'ears_c1', 'incident', 2, 'yellow', '{"limit": 3}', 1),
    ('al', 'se', 'seasonal', 'incident', 2, 'yellow', '{"years": 1}', NULL),
    ('al', 'se1', 'seasonal', 'incident', 2, 'yellow', '{"years": 1}', 1);

-- test/stats/alarms.py:
--   a cusum h=5 2025-03-01 12 4.0 6.2292198364441465 5.0 2025-03-01
--   a cusum h=5 2025-04-01 12 4.666666666666667 5.26742314251817 5.0 2025-04-01
--   a ears_c1 min_expected=1 2025-03-01 12 4.0 16.0 5.5 2025-03-01
--   a seasonal years=1 2025-03-01 12 4.0 10.437952877246182 2025-03-01
--   a seasonal years=1 2025-04-01 12 4.0 10.437952877246182 2025-03-01
--   b seasonal years=1 2025-04-01 3 0.0 2.083633241672213 2025-04-01
--   (with min_expected 1: b's seasonal alarm, expecting 0, is not raised)
-- the CUSUM by hand: k = 4 / ln 2 = 5.7708, S = 12 - 5.7708 = 6.2292 >= 5,
-- restart; April: mu0 = (11 x 4 + 12) / 12 = 4.6667, k = 6.7326, S = 5.2674.
-- EARS C1 in March: 7 fours, sd 0 floored at 0.5: (12 - 4) / 0.5 = 16,
-- threshold 4 + 3 x 0.5 = 5.5; April: baseline holds 12: C1 = 2.27, none.
-- The seasonal threshold is compared within 1e-9 (scipy's z differs in the
-- last bits); the rest with =.
SELECT rule, kind, period_start, region_code, region_zh, node, value, reference,
       CASE WHEN kind = 'seasonal' THEN round(threshold::numeric, 9) ELSE threshold::numeric END AS threshold,
       alarm_start, statistic, detail
  FROM warning WHERE scheme = 'al' ORDER BY rule, period_start, region_code;
SELECT count(*) = 6 AS python_rows_match
  FROM warning w
  JOIN (VALUES ('cu', '2025-03-01'::date, 'a', 12, 4.0, 5.0, '2025-03-01'::date),
               ('cu', '2025-04-01', 'a', 12, 4.666666666666667, 5.0, '2025-04-01'),
               ('e1', '2025-03-01', 'a', 12, 4.0, 5.5, '2025-03-01'),
               ('se', '2025-03-01', 'a', 12, 4.0, 10.437952877246182, '2025-03-01'),
               ('se', '2025-04-01', 'a', 12, 4.0, 10.437952877246182, '2025-03-01'),
               ('se', '2025-04-01', 'b', 3, 0.0, 2.083633241672213, '2025-04-01')) p(rule, ps, code, obs, ex, thr, run)
    ON w.scheme = 'al' AND w.rule = p.rule AND w.period_start = p.ps AND w.region_code = p.code
 WHERE w.value = p.obs AND w.reference = p.ex AND abs(w.threshold - p.thr) < 1e-9 AND w.alarm_start = p.run;
SELECT count(*) FROM warning WHERE scheme = 'al' AND rule = 'se1';   -- a's two (b expects 0 < 1)

-- The same rows as the kernel functions called directly on the series
-- (the CUSUM's expected counts: the mean of the 12 months before, from
-- month 13 on: 4, 4, 4, then (11 x 4 + 12) / 12, (10 x 4 + 24) / 12 twice), to the bit: nothing in one that is not in the other.
CREATE TEMP TABLE direct AS
SELECT 'cu' AS rule, 'a' AS code, k.period, k.observed, k.expected, k.statistic, k.threshold, k.run_start
  FROM poisson_cusum('{4,4,4,4,4,4,4,4,4,4,4,4,4,4,12,12,4,4}',
                     '{NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,4,4,4,4.666666666666667,5.333333333333333,5.333333333333333}') k
 WHERE k.alarm
UNION ALL
SELECT 'e1', 'a', k.period, k.observed, k.expected, k.statistic, k.threshold, k.run_start
  FROM ears_c1('{4,4,4,4,4,4,4,4,4,4,4,4,4,4,12,12,4,4}', 3) k WHERE k.alarm
UNION ALL
SELECT 'se', x.code, k.period, k.observed, k.expected, NULL, k.threshold, k.run_start
  FROM (VALUES ('a', '{4,4,4,4,4,4,4,4,4,4,4,4,4,4,12,12,4,4}'::float8[]),
               ('b', '{0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,3,0,0}'), ('c', array_fill(2::float8, ARRAY[18]))) x(code, s),
       seasonal_baseline(x.s, 12, 1) k WHERE k.alarm;
SELECT (SELECT count(*) FROM direct) AS direct_alarms,
       (SELECT count(*) FROM (SELECT rule, region_code, period_start, observed, expected, statistic, threshold, run_start
                                FROM alarm WHERE scheme = 'al' AND rule IN ('cu', 'e1', 'se')
                              EXCEPT
                              SELECT d.rule, d.code, (date '2024-01-01' + make_interval(months => d.period - 1))::date,
                                     d.observed, d.expected, d.statistic, d.threshold,
                                     (date '2024-01-01' + make_interval(months => d.run_start - 1))::date
                                FROM direct d) x) AS only_materialized,
       (SELECT count(*) FROM (SELECT d.rule, d.code, (date '2024-01-01' + make_interval(months => d.period - 1))::date,
                                     d.observed, d.expected, d.statistic, d.threshold,
                                     (date '2024-01-01' + make_interval(months => d.run_start - 1))::date
                                FROM direct d
                              EXCEPT
                              SELECT rule, region_code, period_start, observed, expected, statistic, threshold, run_start
                                FROM alarm WHERE scheme = 'al') x) AS only_direct;
-- alarm_series() is the kernel with the rule's defaults
SELECT count(*) AS differ FROM (
    SELECT period, observed, expected, statistic, threshold, alarm, run_start
      FROM alarm_series('ears_c3', 'month', '{4,4,4,4,4,4,4,4,4,4,4,4,4,4,12,12,4,4}')
    EXCEPT SELECT period, observed, expected, statistic, threshold, alarm, run_start
      FROM ears_c3('{4,4,4,4,4,4,4,4,4,4,4,4,4,4,12,12,4,4}', 2, 0.5)) x;

-- A late row: 10 more incidents in c in June 2025 (c: 12 against 2).
-- The refresh recomputes June and the alarms from June on:
-- CUSUM k = 2 / ln 2 = 2.8854, S = 12 - 2.8854 = 9.1146 >= 5;
-- EARS C1 (12 - 2) / 0.5 = 20 > 3, threshold 3.5; seasonal (years 1):
-- baseline May-July 2024 = 2, 2, 2: mu 2, phi 1, tau = 2 x 4/3,
-- U = 2 (1 + 2/3 z sqrt(8/3) / 2)^1.5 with z = 2.3263478740408408 (scipy)
-- = 6.8234979958098405 (Python, by hand from the formula).
INSERT INTO public.incident SELECT 'c', '2025-06-20' FROM generate_series(1, 10);
SELECT period, periods, first_period, last_period FROM refresh('al');
SELECT rule, period_start, region_code, value, reference, round(threshold::numeric, 4) AS threshold, alarm_start,
       round(statistic::numeric, 4) AS statistic
  FROM warning WHERE scheme = 'al' AND region_code = 'c' ORDER BY rule;
-- the dashboard's query of one period reads that period's alarms
SELECT rule, region_code, value FROM warning
 WHERE scheme = 'al' AND period_start = '2025-03-01' ORDER BY rule, region_code;

-- A rule changed: its alarms are computed again at commit (h = 6: only
-- March: April's S = 5.2674 after the restart stays below 6).
UPDATE warning_rule SET params = '{"h": 6}' WHERE scheme = 'al' AND rule = 'cu';
SELECT rule, period_start, region_code, statistic, threshold FROM alarm
 WHERE scheme = 'al' AND rule = 'cu' ORDER BY period_start, region_code;
-- a rule deleted takes its alarms with it
DELETE FROM warning_rule WHERE scheme = 'al' AND rule = 'se1';
SELECT count(*) FROM alarm WHERE scheme = 'al' AND rule = 'se1';
-- a rebuild computes them all again, the same
CREATE TEMP TABLE before_rebuild AS SELECT * FROM alarm;
SELECT period, periods FROM rebuild('al', '2024-01-01', '2025-07-01');
SELECT (SELECT count(*) FROM alarm) AS alarms,
       (SELECT count(*) FROM (SELECT * FROM alarm EXCEPT SELECT * FROM before_rebuild) x) AS differ;

-- Errors: checked at commit, 22023 (or a CHECK at once, 23514)
\set VERBOSITY terse
INSERT INTO warning_rule (scheme, rule, kind, node, severity, params) VALUES ('al', 'x', 'cusum', 'incident', 'red', '{"k": 1}');
INSERT INTO warning_rule (scheme, rule, kind, node, severity, params) VALUES ('al', 'x', 'cusum', 'incident', 'red', '{"ratio": 1}');
INSERT INTO warning_rule (scheme, rule, kind, node, severity, params) VALUES ('al', 'x', 'cusum', 'incident', 'red', '{"h": "5"}');
INSERT INTO warning_rule (scheme, rule, kind, node, severity, params) VALUES ('al', 'x', 'cusum', 'incident', 'red', '{"fir": 1}');
INSERT INTO warning_rule (scheme, rule, kind, node, severity, params) VALUES ('al', 'x', 'ears_c2', 'incident', 'red', '{"min_sd": 0}');
INSERT INTO warning_rule (scheme, rule, kind, node, severity, params) VALUES ('al', 'x', 'seasonal', 'incident', 'red', '{"level": 1}');
INSERT INTO warning_rule (scheme, rule, kind, node, severity, params) VALUES ('al', 'x', 'seasonal', 'incident', 'red', '{"window": 6}');
INSERT INTO warning_rule (scheme, rule, kind, node, severity, params) VALUES ('al', 'x', 'seasonal', 'incident', 'red', '{"years": 1.5}');
INSERT INTO warning_rule (scheme, rule, kind, node, severity, period) VALUES ('al', 'x', 'ears_c1', 'incident', 'red', 'quarter');
INSERT INTO warning_rule (scheme, rule, kind, node, severity) VALUES ('al', 'x', 'ears_c1', 'nothing', 'red');
INSERT INTO warning_rule (scheme, rule, kind, severity) VALUES ('al', 'x', 'ears_c1', 'red');
INSERT INTO warning_rule (scheme, rule, kind, severity, grade_level, params) VALUES ('al', 'x', 'grade', 'red', 4, '{}');
INSERT INTO warning_rule (scheme, rule, kind, node, severity, params) VALUES ('al', 'x', 'cusum', 'incident', 'red', '[1]');
INSERT INTO warning_rule (scheme, rule, kind, node, severity, min_expected) VALUES ('al', 'x', 'cusum', 'incident', 'red', -1);
SELECT * FROM alarm_cusum_expected('{1,2,NULL,4}', 2);
SELECT count(*) FROM alarm_series('nothing', 'month', '{1,2,3}');

-- The report's early-warning section (report_alarms, in release_report):
-- March's alarms with the observed, expected count, threshold and the first
-- month of the run, and the rank intervals at the chart's level (the three
-- communities: b 0, c 4, a 12 per 10,000, as in sql/rank_uncertainty.sql).
\set VERBOSITY default
CREATE FUNCTION pg_temp.rows_of(html text, pattern text) RETURNS TABLE (n bigint, m text[]) LANGUAGE sql AS $$
    SELECT n, m FROM regexp_matches(html, pattern, 'g') WITH ORDINALITY AS t(m, n)
$$;
INSERT INTO release_series (series, scheme, title_zh) VALUES ('al_monthly', 'al', '预警示例月报');
SELECT number FROM publish_release('al_monthly', '2025-03-01');
SELECT t.m[1] AS region, t.m[2] AS rule, t.m[3] AS node, t.m[4] AS observed, t.m[5] AS expected,
       t.m[6] AS threshold, t.m[7] AS since
  FROM release r, pg_temp.rows_of(substring(report_alarms(r) FROM '<table class="alarms">.*?</table>'),
       '<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td><td>([^<]*)</td></tr>') t
 WHERE r.series = 'al_monthly' ORDER BY t.n;
SELECT t.m[1] AS region, t.m[2] AS rate, t.m[3] AS rank, t.m[4] AS rank_interval
  FROM release r, pg_temp.rows_of(substring(report_alarms(r) FROM '<table class="rankci">.*?</table>'),
       '<tr><td>[^<]*</td><td>([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td></tr>') t
 WHERE r.series = 'al_monthly' ORDER BY t.n;
-- The index's rank intervals at the same level (index_sensitivity, the rates
-- redrawn, 1,000 draws, seed 1): March's index b 100, c 80, a 0 (ranks 1, 2,
-- 3; sql/preview.sql); the intervals and grade shares are the function's,
-- and the shares are near those test/stats/sensitivity.py derives (b
-- leaves 100 when Gamma(1/2) events reach 0.8 of the baseline: 0.5752; c
-- leaves the middle band: 0.7739; a leaves 0 when Gamma(12.5) events fall
-- to 1.2 of it: 0.0021; within 4 standard errors of 1,000 draws, 0.0156,
-- 0.0132 and 0.0014).
SELECT t.m[1] AS region, t.m[2] AS index, t.m[3] AS rank,
       t.m[4] = format('%s–%s', x.rank_level_lower, x.rank_level_upper) AS interval_as_computed,
       t.m[5] = round((100 * x.grade_change_share)::numeric, 1) || '%' AS share_as_computed,
       abs(x.grade_change_share - CASE x.region_code WHEN 'b' THEN 0.5752 WHEN 'c' THEN 0.7739 ELSE 0.0021 END)
           < 4 * CASE x.region_code WHEN 'b' THEN 0.0156 WHEN 'c' THEN 0.0132 ELSE 0.0014 END AS share_as_derived
  FROM release r, pg_temp.rows_of(substring(report_alarms(r) FROM '<table class="indexci">.*?</table>'),
       '<tr><td>([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td></tr>') t
  JOIN index_sensitivity('al', '2025-03-01', 2) x ON x.region_zh = t.m[1]
 WHERE r.series = 'al_monthly' ORDER BY t.n;
SELECT position(report_alarms(r) IN release_report('al_monthly', 1)) > 0 AS in_the_report
  FROM release r WHERE r.series = 'al_monthly';
