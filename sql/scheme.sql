-- Validation of schemes and indicator trees, at commit: every error names
-- what is wrong.  Reuses the sources (theft, fire, med_ok, med_all) and the
-- scheme fix of the engine fixture (test/fixtures/engine.sql; the fixtures'
-- output is kept out of this file).
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/engine.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
\set VERBOSITY terse

-- An Anning-style version that passes: below "governance" (70), positive
-- and negative leaves weigh 35 each (35% of 100); the survey part (30) is
-- outside the shares.
BEGIN;
INSERT INTO scheme (scheme, name_zh) VALUES ('anning', '安宁');
INSERT INTO scheme_version (scheme, version, valid_from, valid_to, positive_share, negative_share, share_node)
VALUES ('anning', '2025Q1', '2025-01-01', '2025-04-01', 0.35, 0.35, 'governance');
INSERT INTO indicator (scheme, version, node, parent_node, name_zh, weight, direction, sources, scoring, baseline) VALUES
    ('anning', '2025Q1', 'governance', NULL, '综治', 70, NULL, NULL, NULL, 'none'),
    ('anning', '2025Q1', 'survey', NULL, '群众评价', 30, NULL, NULL, NULL, 'none'),
    ('anning', '2025Q1', 'mediation', 'governance', '调解', 20, 'positive', '{med_ok}', 'ratio_band', 'previous_period'),
    ('anning', '2025Q1', 'cases', 'governance', '案件', 15, 'positive', '{med_all}', 'ratio_band', 'previous_period'),
    ('anning', '2025Q1', 'theft', 'governance', '盗窃', 35, 'negative', '{theft}', 'ratio_band', 'previous_period'),
    ('anning', '2025Q1', 'satisfaction', 'survey', '满意度', 30, 'positive', '{med_all}', 'target', 'previous_period');
COMMIT;
SELECT version_at('anning', '2025-02-01') AS in_force_feb, version_at('anning', '2025-04-01') AS in_force_apr;

-- The quarterly adjustment: 2025Q2 moves 5 points from cases to mediation
-- and changes nothing else (shares still 35 / 35).
BEGIN;
INSERT INTO scheme_version (scheme, version, valid_from, positive_share, negative_share, share_node)
VALUES ('anning', '2025Q2', '2025-04-01', 0.35, 0.35, 'governance');
INSERT INTO indicator (scheme, version, node, parent_node, name_zh, weight, direction, sources, scoring, baseline)
SELECT scheme, '2025Q2', node, parent_node, name_zh,
       CASE node WHEN 'mediation' THEN 25 WHEN 'cases' THEN 10 ELSE weight END,
       direction, sources, scoring, baseline
  FROM indicator WHERE scheme = 'anning' AND version = '2025Q1';
COMMIT;
SELECT version_at('anning', '2025-04-01') AS in_force_apr;

-- 1. Children's weights against their node: 20 + 15 + 30 = 65 under 70.
BEGIN;
UPDATE indicator SET weight = 30, parent_node = 'governance' WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'satisfaction';
COMMIT;
-- 2. Level-1 weights against the version's total (100): 70 + 40.
BEGIN;
UPDATE indicator SET weight = 40 WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'survey';
COMMIT;
-- 3. Positive / negative shares: moving 5 points from theft (negative) to
-- mediation (positive) keeps every node's sum but breaks 35 / 35.
BEGIN;
UPDATE indicator SET weight = weight + 5 WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'mediation';
UPDATE indicator SET weight = weight - 5 WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'theft';
COMMIT;
-- share_node must be a node of the version
BEGIN;
UPDATE scheme_version SET share_node = 'nosuch' WHERE scheme = 'anning' AND version = '2025Q1';
COMMIT;
-- 4. A cycle: governance under mediation, mediation under governance.
BEGIN;
UPDATE indicator SET parent_node = 'mediation' WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'governance';
COMMIT;
-- 5. An indicator without a source, and one reading an unknown source.
BEGIN;
UPDATE indicator SET sources = NULL WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'theft';
COMMIT;
BEGIN;
UPDATE indicator SET sources = '{theft,burglary}' WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'theft';
COMMIT;
-- 6. An inner node with a source of its own.
BEGIN;
UPDATE indicator SET sources = '{theft}' WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'governance';
COMMIT;
-- 7. A leaf without direction or scoring; ratio_band without a baseline.
BEGIN;
UPDATE indicator SET direction = NULL WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'theft';
COMMIT;
BEGIN;
UPDATE indicator SET baseline = 'none' WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'theft';
COMMIT;
-- target needs a target or a baseline
BEGIN;
UPDATE indicator SET baseline = 'none' WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'satisfaction';
COMMIT;
-- 8. Scoring parameters: unknown, of the wrong JSON type, missing, bad middle.
BEGIN;
UPDATE indicator SET scoring_params = '{"lowr": 0.8}' WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'theft';
COMMIT;
BEGIN;
UPDATE indicator SET scoring_params = '{"lower": "0.8"}' WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'theft';
COMMIT;
BEGIN;
UPDATE indicator SET scoring = 'goalposts', scoring_params = '{"minimum": 0}' WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'theft';
COMMIT;
BEGIN;
UPDATE indicator SET scoring_params = '{"middle": "curved"}' WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'theft';
COMMIT;
-- 9. Two versions in force on the same dates.
BEGIN;
UPDATE scheme_version SET valid_to = '2025-05-01' WHERE scheme = 'anning' AND version = '2025Q1';
COMMIT;
-- 10. A grade scale with unordered cut points (checked by the grade scale).
BEGIN;
INSERT INTO grade_scale VALUES ('bad', 'cut points out of order');
INSERT INTO grade_band (scale, level, min_index, label_zh, label_en, colour) VALUES
    ('bad', 1, 80, '好', 'good', '#00AA00'), ('bad', 2, 85, '中', 'fair', '#AAAA00'),
    ('bad', 3, NULL, '差', 'poor', '#AA0000');
COMMIT;
-- 11. An unknown time zone; an unknown grade scale.
INSERT INTO scheme (scheme, name_zh, time_zone) VALUES ('tz', '时区', 'Asia/Beijing');
INSERT INTO scheme (scheme, name_zh, grade_scale) VALUES ('gs', '等级', 'nosuch');
-- 12. Uncapped goalposts under a geometric mean: a theft count beyond 10
-- would score below 0, which a geometric mean cannot take (22023).
BEGIN;
UPDATE indicator SET aggregation = 'geometric' WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'governance';
UPDATE indicator SET scoring = 'goalposts', scoring_params = '{"minimum": 0, "maximum": 10, "capped": false}', baseline = 'none'
 WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'theft';
COMMIT;
\echo :LAST_ERROR_SQLSTATE
-- 13. Gaps between versions.  Anning has 2025Q1 [2025-01-01, 2025-04-01)
-- and 2025Q2 from 2025-04-01 on.  Ending 2025Q2 on 2025-10-01 and starting
-- a version 2026 on 2026-01-01 leaves October to December without a
-- version (22023 at commit) ...
BEGIN;
UPDATE scheme_version SET valid_to = '2025-10-01' WHERE scheme = 'anning' AND version = '2025Q2';
INSERT INTO scheme_version (scheme, version, valid_from) VALUES ('anning', '2026', '2026-01-01');
COMMIT;
\echo :LAST_ERROR_SQLSTATE
-- ... unless the scheme says the gap is meant; turning that off again
-- brings the error back (22023) ...
BEGIN;
UPDATE scheme_version SET valid_to = '2025-10-01' WHERE scheme = 'anning' AND version = '2025Q2';
INSERT INTO scheme_version (scheme, version, valid_from) VALUES ('anning', '2026', '2026-01-01');
UPDATE scheme SET allow_version_gaps = true WHERE scheme = 'anning';
SET CONSTRAINTS ALL IMMEDIATE;
SELECT 'the gap is allowed' AS checked;
SET CONSTRAINTS ALL DEFERRED;
UPDATE scheme SET allow_version_gaps = false WHERE scheme = 'anning';
COMMIT;
\echo :LAST_ERROR_SQLSTATE
-- ... and so does deleting a version between two others: 2025Q4 fills
-- [2025-10-01, 2026-01-01), then is deleted (22023).
BEGIN;
UPDATE scheme_version SET valid_to = '2025-10-01' WHERE scheme = 'anning' AND version = '2025Q2';
INSERT INTO scheme_version (scheme, version, valid_from, valid_to) VALUES ('anning', '2025Q4', '2025-10-01', '2026-01-01');
INSERT INTO scheme_version (scheme, version, valid_from) VALUES ('anning', '2026', '2026-01-01');
SET CONSTRAINTS ALL IMMEDIATE;
SELECT 'no gap' AS checked;
SET CONSTRAINTS ALL DEFERRED;
DELETE FROM scheme_version WHERE scheme = 'anning' AND version = '2025Q4';
COMMIT;
\echo :LAST_ERROR_SQLSTATE
-- 14. A source read by an indicator cannot be deleted or renamed.
DELETE FROM source WHERE source = 'med_all';
UPDATE source SET source = 'stolen' WHERE source = 'theft';

-- Nothing above changed the two versions.
SELECT version, node, parent_node, weight, direction, sources, scoring, baseline
  FROM indicator WHERE scheme = 'anning' ORDER BY version, node;

-- Computing: refresh before any rebuild, unknown schemes, empty ranges.
SELECT * FROM refresh('anning');
SELECT * FROM refresh('nosuch');
SELECT * FROM rebuild('nosuch', '2025-01-01');
-- the steps of rebuild() and refresh() on their own: 42704 too
SELECT build_cells('nosuch', '2025-01-01', '2025-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT compute_results('nosuch', 'month', '{2025-01-01}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM rebuild('anning', '2025-03-01', '2025-03-01');
SELECT mark_changed('nosuch', '2025-01-01', '2025-02-01');
SELECT mark_changed('theft', '2025-02-01', '2025-01-01');

-- A parent node that does not exist; deleting a node that still has children.
BEGIN;
UPDATE indicator SET parent_node = 'nosuch' WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'theft';
COMMIT;
BEGIN;
DELETE FROM indicator WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'survey';
COMMIT;
-- An unknown first source is caught by the foreign key that orders pg_dump.
UPDATE indicator SET sources = '{burglary}' WHERE scheme = 'anning' AND version = '2025Q1' AND node = 'theft';
