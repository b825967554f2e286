-- The sensitivity preview of a draft version (issue 12, part 2b):
-- preview_version() computes chosen periods with a draft version beside the
-- results in force, and touches nothing stored.  Fixture:
-- test/fixtures/alarm.sql; every index below worked out by hand.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/alarm.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
SELECT period, periods FROM rebuild('al', '2024-01-01', '2025-07-01');
INSERT INTO warning_rule (scheme, rule, kind, node, depth, severity) VALUES ('al', 'cu', 'cusum', 'incident', 2, 'orange');
CREATE TEMP TABLE result_before AS SELECT * FROM result;
CREATE TEMP TABLE node_before AS SELECT * FROM result_node;
CREATE TEMP TABLE alarm_before AS SELECT * FROM alarm;

-- Baseline: 2024's district-wide monthly rate, 73 incidents (a 48, b 1,
-- c 24) / 12 / 15,500 residents x 10,000 = 3.9247 per 10,000.  March 2025:
--   a 12 per 10,000, ratio 3.0576; b 0, ratio 0; c 4, ratio 1.0192;
--   d 14 / 15,500 = 9.0323, ratio 2.3014.
-- Version 1.0 (bands 0.8 / 1.2, middle 80 points): a 0, b 100, c 80, d 0;
-- grades (Wuchang scale: 90, 80, 70): a 4, b 1, c 2, d 4; ranks in the
-- level: b 1, c 2, a 3.
-- A draft 2.0 with the upper edge at 3.5: a, c and d in the middle band,
-- 80 (grade 2); ranks: b 1, a and c 2 (tied): a rises one place and two
-- grades, d two grades.  The draft is entered in a transaction that is
-- rolled back after the preview (it could as well be committed with dates
-- of its own).
BEGIN;
UPDATE scheme_version SET valid_to = '2030-01-01' WHERE scheme = 'al' AND version = '1.0';
INSERT INTO scheme_version (scheme, version, valid_from) VALUES ('al', '2.0', '2030-01-01');
INSERT INTO indicator (scheme, version, node, name_zh, weight, direction, sources, scoring,
                       scoring_params, baseline, baseline_of, baseline_depth)
VALUES ('al', '2.0', 'incident', '万人发案', 100, 'negative', '{incident}', 'ratio_band',
        '{"upper": 3.5, "middle": "step", "middle_share": 0.8}', 'prior_years', 'depth', 1);
SELECT * FROM preview_version('al', '2.0', '{2025-03-01}');
-- two periods: April (a 12, ratio 3.0576; b 3 / 500 = 60 per 10,000,
-- ratio 15.29; c 4; d 17 / 15,500 = 10.97, ratio 2.794): only the changes.
-- In force: c 80 (rank 1), a and b 0 (rank 2, tied); draft: a and c 80
-- (rank 1), b 0 (rank 3): a rises one place and two grades, b falls one
-- place, d moves up two grades.
SELECT period_start, region_code, current_index, draft_index, rank_change, grade_change
  FROM preview_version('al', '2.0', '{2025-03-01,2025-04-01}')
 WHERE rank_change <> 0 OR grade_change <> 0 ORDER BY 1, 2;
ROLLBACK;
-- nothing stored changed: results, indicator results, alarms, versions
SELECT (SELECT count(*) FROM (SELECT * FROM result EXCEPT SELECT * FROM result_before) x)
     + (SELECT count(*) FROM (SELECT * FROM result_before EXCEPT SELECT * FROM result) x) AS results_changed,
       (SELECT count(*) FROM (SELECT * FROM result_node EXCEPT SELECT * FROM node_before) x)
     + (SELECT count(*) FROM (SELECT * FROM node_before EXCEPT SELECT * FROM result_node) x) AS nodes_changed,
       (SELECT count(*) FROM (SELECT * FROM alarm EXCEPT SELECT * FROM alarm_before) x)
     + (SELECT count(*) FROM (SELECT * FROM alarm_before EXCEPT SELECT * FROM alarm) x) AS alarms_changed;
-- the version in force previewed against itself: no change
SELECT count(*) AS changes FROM preview_version('al', '1.0', '{2025-01-01,2025-02-01,2025-03-01}')
 WHERE current_index IS DISTINCT FROM draft_index OR rank_change <> 0 OR grade_change <> 0;
-- and inside a transaction, the stored results are as they were afterwards
BEGIN;
SELECT count(*) > 0 AS rows FROM preview_version('al', '1.0', '{2025-03-01}');
SELECT count(*) AS results_changed FROM (SELECT * FROM result EXCEPT SELECT * FROM result_before) x;
SELECT version, valid_from, valid_to FROM scheme_version WHERE scheme = 'al';
COMMIT;
-- errors
\set VERBOSITY terse
SELECT * FROM preview_version('al', '9.9', '{2025-03-01}');
SELECT * FROM preview_version('al', '1.0', '{}');
SELECT * FROM preview_version('al', '1.0', '{2025-03-01,NULL}');
SELECT * FROM preview_version('al', '1.0', '{2025-03-01}', 'quarter');
