-- The public view: a role that may read safeidx.public_result only looks up
-- its neighbourhood in the releases that release.sql makes (series
-- fix_monthly: 21 = January, 22 = February, revision 2 the latest), set up
-- by test/fixtures/releases.sql over the built engine fixture, and can read
-- nothing else.  The fixtures' output is kept out of this file.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/engine.sql
\ir test/fixtures/engine_build.sql
\ir test/fixtures/releases.sql
\o
\set ECHO all
SET client_min_messages = warning;
\set VERBOSITY terse
SELECT current_user AS admin \gset
-- Roles are cluster-wide: the resident is created unless it exists (one left
-- by a run that stopped half-way; test/fixtures/clean.sql drops such a role
-- too) and dropped at the end.
DO $$
BEGIN
    CREATE ROLE regress_safeidx_resident LOGIN;
EXCEPTION WHEN duplicate_object THEN
    ALTER ROLE regress_safeidx_resident LOGIN;
END $$;
GRANT USAGE ON SCHEMA safeidx TO regress_safeidx_resident;
GRANT SELECT ON safeidx.public_result TO regress_safeidx_resident;

\c - regress_safeidx_resident
SELECT current_user;
-- The index as published, with the decimals of the scheme's version (4 in
-- the fixture).  Community a: January index 67.0098, rank 2 of the
-- communities (engine.sql); February 30.0000, rank 3: down one place.
-- Revision 2 of February (after the late theft) keeps a at 30: its fire
-- score was already 0.
SELECT number, period_start, region_code, region_zh, index, grade_zh, colour, rank_level, rank_change, trend
  FROM safeidx.public_result WHERE series = 'fix_monthly' AND region_code = 'a' ORDER BY number;
-- the district: 0.0000 in the corrected February; January shows 99.0000, not 15.0000,
-- because that row was changed behind the triggers' back (release.sql does it
-- to test the checksum, test/fixtures/releases.sql likewise; verify_release
-- reports it; the view shows the stored rows)
SELECT number, index, grade_zh FROM safeidx.public_result WHERE region_code = 'd' ORDER BY number;
-- nothing else is readable
SELECT count(*) FROM safeidx.result;
SELECT count(*) FROM safeidx.release_result;
SELECT count(*) FROM safeidx.indicator_result;
SELECT count(*) FROM safeidx.index_result;
SELECT count(*) FROM safeidx.population;
SELECT count(*) FROM fix.event;
SELECT count(*) FROM safeidx.rebuild('fix', '2025-01-01', '2025-02-01');

\c - :admin
REVOKE ALL ON SCHEMA safeidx FROM regress_safeidx_resident;
REVOKE ALL ON safeidx.public_result FROM regress_safeidx_resident;
DROP ROLE regress_safeidx_resident;
-- nobody but its owner may read the view until granted
SELECT has_table_privilege('public', 'safeidx.public_result', 'SELECT') AS public_can_read;
