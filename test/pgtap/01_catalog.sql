-- The kernel's objects exist with the promised signatures, volatility,
-- strictness and parallel safety.
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh);
-- of it, this file uses only the extensions pgtap and safeidx.
BEGIN;
SELECT plan(37);

SELECT has_extension('safeidx');
SELECT has_schema('safeidx');
SELECT has_type('safeidx', 'ratesum', 'type ratesum');
SELECT has_type('safeidx', 'groupstats', 'type groupstats');
SELECT has_type('safeidx', 'indexsum', 'type indexsum');
SELECT has_type('safeidx', 'grade', 'type grade');
SELECT has_table('safeidx', 'grade_scale', 'table grade_scale');
SELECT has_table('safeidx', 'grade_band', 'table grade_band');

SELECT is_aggregate('safeidx', 'rate_agg', ARRAY['double precision', 'double precision']);
SELECT is_aggregate('safeidx', 'index_agg', ARRAY['double precision', 'double precision']);
SELECT is_aggregate('safeidx', 'group_stats', ARRAY['double precision']);
SELECT is_aggregate('safeidx', 'rollup', ARRAY['safeidx.ratesum']);
SELECT is_aggregate('safeidx', 'rollup', ARRAY['safeidx.groupstats']);
SELECT is_aggregate('safeidx', 'rollup', ARRAY['safeidx.indexsum']);

-- Pure functions are IMMUTABLE (so postgres_fdw may ship them) and STRICT.
SELECT volatility_is('safeidx', f, args, 'immutable', f || ' is immutable')
  FROM (VALUES
    ('rate', ARRAY['double precision', 'double precision', 'double precision']),
    ('rate', ARRAY['safeidx.ratesum', 'double precision']),
    ('rate_lower', ARRAY['safeidx.ratesum', 'double precision', 'double precision']),
    ('rate_upper', ARRAY['safeidx.ratesum', 'double precision', 'double precision']),
    ('score_ratio_band', ARRAY['double precision', 'double precision', 'double precision', 'double precision',
                               'double precision', 'boolean', 'text', 'double precision']),
    ('score_goalposts', ARRAY['double precision', 'double precision', 'double precision', 'boolean', 'boolean', 'boolean']),
    ('score_target', ARRAY['double precision', 'double precision', 'boolean']),
    ('change', ARRAY['double precision', 'double precision', 'double precision']),
    ('score_minmax', ARRAY['double precision', 'safeidx.groupstats', 'boolean']),
    ('score_z', ARRAY['double precision', 'safeidx.groupstats', 'boolean']),
    ('weighted_mean', ARRAY['safeidx.indexsum', 'double precision']),
    ('geometric_mean', ARRAY['safeidx.indexsum', 'double precision']),
    ('grade_level', ARRAY['double precision', 'double precision[]'])) v(f, args);

SELECT is_strict('safeidx', f, args, f || ' is strict')
  FROM (VALUES
    ('rate', ARRAY['double precision', 'double precision', 'double precision']),
    ('rate_lower', ARRAY['safeidx.ratesum', 'double precision', 'double precision']),
    ('score_ratio_band', ARRAY['double precision', 'double precision', 'double precision', 'double precision',
                               'double precision', 'boolean', 'text', 'double precision']),
    ('change', ARRAY['double precision', 'double precision', 'double precision']),
    ('grade_level', ARRAY['double precision', 'double precision[]'])) v(f, args);

-- The two transition functions that count NULL input are not strict.
SELECT isnt_strict('safeidx', 'ratesum_add', ARRAY['safeidx.ratesum', 'double precision', 'double precision']);
SELECT isnt_strict('safeidx', 'indexsum_add', ARRAY['safeidx.indexsum', 'double precision', 'double precision']);

-- grade() reads the scale tables, so it is STABLE, not IMMUTABLE.
SELECT volatility_is('safeidx', 'grade', ARRAY['double precision', 'text'], 'stable');

-- No C function or aggregate of the extension is parallel restricted or unsafe.
SELECT is(count(*), 0::bigint, 'every C function and aggregate is PARALLEL SAFE')
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'safeidx')
   AND p.proparallel <> 's'
   AND (p.prokind = 'a' OR p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c'));

-- Functions that run later pin their search_path.
SELECT is(count(*), 0::bigint, 'every PL/pgSQL function pins search_path')
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'safeidx')
   AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
   AND NOT coalesce(p.proconfig::text ~ 'search_path', false);

SELECT * FROM finish();
ROLLBACK;
