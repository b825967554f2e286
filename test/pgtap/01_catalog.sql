-- The kernel's types and grade tables exist, grade() is STABLE and every
-- PL/pgSQL function pins its search_path.  (The extension and its schema, the
-- aggregates with their signatures, IMMUTABLE and STRICT C functions and
-- parallel safety are checked for every object by pg_regress,
-- sql/kernel_setup.sql.)
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh);
-- of it, this file uses only the extensions pgtap and safeidx.
BEGIN;
SELECT plan(8);

SELECT has_type('safeidx', 'ratesum', 'type ratesum');
SELECT has_type('safeidx', 'groupstats', 'type groupstats');
SELECT has_type('safeidx', 'indexsum', 'type indexsum');
SELECT has_type('safeidx', 'grade', 'type grade');
SELECT has_table('safeidx', 'grade_scale', 'table grade_scale');
SELECT has_table('safeidx', 'grade_band', 'table grade_band');

-- grade() reads the scale tables, so it is STABLE, not IMMUTABLE.
SELECT volatility_is('safeidx', 'grade', ARRAY['double precision', 'text'], 'stable');

-- Functions that run later pin their search_path.
SELECT is(count(*), 0::bigint, 'every PL/pgSQL function pins search_path')
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'safeidx')
   AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
   AND NOT coalesce(p.proconfig::text ~ 'search_path', false);

SELECT * FROM finish();
ROLLBACK;
