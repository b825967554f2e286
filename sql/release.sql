-- Numbered releases over the engine fixture (test/fixtures/engine.sql),
-- built as sql/engine.sql builds it (test/fixtures/engine_build.sql: scheme
-- fix, months 2025-01..03; indices worked out by hand in sql/engine.sql).
-- The fixtures' output is kept out of this file.  test/fixtures/releases.sql
-- makes the same releases, correction and tampered row for the tests that
-- read them (public.sql, report.sql).
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/engine.sql
\ir test/fixtures/engine_build.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
\set VERBOSITY terse

-- A series whose numbering began elsewhere: its first release here is 21.
INSERT INTO release_series (series, scheme, period, title_zh, first_number)
VALUES ('fix_monthly', 'fix', 'month', '平安指数月报', 21);
SELECT number, revision, period_start, version, reason FROM publish_release('fix_monthly', '2025-01-01');
SELECT number, revision, period_start, version, reason FROM publish_release('fix_monthly', '2025-02-01');
-- the same period twice, an earlier period, a period without results, a
-- period not ended (provisional: this month, whenever the test runs), not a
-- period start
SELECT publish_release('fix_monthly', '2025-02-01');
SELECT publish_release('fix_monthly', '2025-01-01');
SELECT publish_release('fix_monthly', '2025-06-01');
DO $$
BEGIN
    PERFORM publish_release('fix_monthly', date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date);
EXCEPTION WHEN object_not_in_prerequisite_state THEN
    RAISE WARNING '% (%)', regexp_replace(SQLERRM, '[0-9]{2}-[0-9]{2}-[0-9]{4}', '<this month>'), SQLSTATE;
END $$;
SELECT publish_release('fix_monthly', '2025-03-15');
SELECT publish_release('nosuch', '2025-03-01');
\echo :LAST_ERROR_SQLSTATE
-- freeze_release, which publish_release and correct_release run, on its own
SELECT freeze_release('nosuch', 1, 1, '2025-03-01', NULL, 'complete');
\echo :LAST_ERROR_SQLSTATE

-- Release 22 holds February as computed in engine.sql: d 12.5722, s1 30, s2 0.
SELECT region_code, round(index::numeric, 4) AS index, grade_level, rank_level
  FROM release_result WHERE series = 'fix_monthly' AND number = 22 AND depth <= 2 ORDER BY region_code;
SELECT count(*) AS indicator_rows FROM release_indicator WHERE series = 'fix_monthly' AND number = 22;
-- Checksums are SHA-256 (version 3: completeness covered), each chained to
-- the release published before it; January and February were complete.
SELECT bool_and(checksum = release_checksum(series, number, revision)) AS checksums_match,
       bool_and(checksum ~ '^[0-9a-f]{64}$') AS checksums_are_sha256,
       bool_and(checksum_version = 3) AS version_3,
       bool_and(completeness = 'complete') AS complete
  FROM release;
SELECT r.number, r.previous_checksum IS NULL AS first,
       r.previous_checksum = (SELECT p.checksum FROM release p WHERE p.series = r.series AND p.number = r.number - 1) AS chained
  FROM release r WHERE r.series = 'fix_monthly' ORDER BY r.number;
SELECT count(*) AS chain_problems FROM verify_chain('fix_monthly');

-- Released rows cannot be changed or deleted, not even by their owner.
UPDATE release_result SET index = 100 WHERE series = 'fix_monthly' AND number = 22 AND region_code = 'd';
DELETE FROM release_indicator WHERE series = 'fix_monthly';
DELETE FROM release WHERE number = 21;
TRUNCATE release_result;

-- A late theft report for a in February (2 instead of 1 per 1,000 residents):
-- a's rate 20 (ratio 2, theft score 0), s1 5/4000 = 12.5 (ratio 1.25, 0),
-- d 8/6000 = 13.3333 (ratio 1.3333, 0).  Indices: a and s1 already had
-- g = 0 (fire scored 0): unchanged at 30; d loses its theft score: g = 0,
-- mediation 0: index 0 instead of 12.5722.
INSERT INTO fix.event (at, code, kind) VALUES ('2025-02-20 10:00+08', 'a', 'theft');
-- not before the change is refreshed
SELECT correct_release('fix_monthly', 22, 'late report');
-- (refresh also computes every month after March up to today; nothing this
-- test prints depends on those months.)
SELECT count(*) > 0 AS refreshed FROM refresh('fix');
-- the released February differs from the departmental tables now, in every
-- column the late row changes: theft events (a 1 -> 2, s1 4 -> 5, d 7 -> 8),
-- values, scores (a and s1 0.5 -> 0, d 0.0833 -> 0) and points (score x
-- weight 40: 20 -> 0, d 3.3333 -> 0), d's order node (the geometric mean of
-- its theft and fire scores: 0.1796 -> 0; points x 70) and d's index
SELECT region_code, node, what, round(released::numeric, 4) AS released, round(recomputed::numeric, 4) AS recomputed
  FROM verify_release('fix_monthly', 22);
-- January is unaffected
SELECT count(*) AS differences_in_january FROM verify_release('fix_monthly', 21);
-- verify_release leaves the materialized results as they were
SELECT round(index::numeric, 4) AS d_february FROM result WHERE scheme = 'fix' AND period_start = '2025-02-01' AND region_code = 'd';

-- A correction: revision 2 of release 22, with its reason; revision 1 stays.
SELECT correct_release('fix_monthly', 22, '');
SELECT number, revision, period_start, reason FROM correct_release('fix_monthly', 22, '公安补报一起盗窃警情 (late police report)');
SELECT revision, round(index::numeric, 4) AS d_index
  FROM release_result WHERE series = 'fix_monthly' AND number = 22 AND region_code = 'd' ORDER BY revision;
SELECT count(*) AS differences_in_revision_2 FROM verify_release('fix_monthly', 22);
SELECT count(*) AS differences_in_revision_1 FROM verify_release('fix_monthly', 22, 1);
SELECT correct_release('fix_monthly', 23, 'no such release');

-- A checksum catches rows changed behind the triggers' back: verify_release
-- names the checksum and the column changed (d's index, released 15), and
-- verify_chain the revision whose checksum no longer holds.
ALTER TABLE release_result DISABLE TRIGGER release_result_frozen;
UPDATE release_result SET index = 99 WHERE series = 'fix_monthly' AND number = 21 AND region_code = 'd';
ALTER TABLE release_result ENABLE TRIGGER release_result_frozen;
SELECT region_code, node, what, CASE WHEN what = 'checksum' THEN '(sha-256)' ELSE released END AS released,
       CASE WHEN what = 'checksum' THEN '(sha-256)' ELSE recomputed END AS recomputed
  FROM verify_release('fix_monthly', 21);
SELECT number, revision, problem FROM verify_chain('fix_monthly');
