-- Install the extension and check the promises every object makes.  The
-- database starts without it (test/fixtures/clean.sql removes what earlier
-- tests left; its output is kept out of this file).
\set ECHO none
\o /dev/null
\ir test/fixtures/clean.sql
\o
\set ECHO all
CREATE EXTENSION safeidx;
SELECT extname, extversion, extrelocatable, n.nspname
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname = 'safeidx';

-- Every function and aggregate is PARALLEL SAFE, except the five that read
-- departmental tables (source_cells, source_counts, source_unknown_regions,
-- source_changes, and source_plan, which plans the read), which are PARALLEL
-- RESTRICTED (a source may be a temporary table), as are the four that read
-- reference bindings (reference_region_rows, reference_population_rows,
-- binding_region_rows, binding_population_rows), and those that write the
-- materialized cells, results, change log, releases, reference data and
-- (issue 12) alarms, or compute a draft in a subtransaction,
-- create triggers or grant (UNSAFE).
SELECT p.oid::regprocedure AS not_parallel_safe
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'safeidx')
   AND p.proparallel <> 's'
   AND p.prorettype <> 'trigger'::regtype;

-- Every C function is IMMUTABLE and STRICT, except: the four transition
-- functions that count NULL input (ratesum_add, indexsum_add and, issue 12,
-- ebsum_add and funnelset_add) and the three scoring functions whose NULL
-- rule parameters take the rule's default (not STRICT); filter_sql and
-- source_relation, which read the catalogue (STABLE); source_cells, which
-- reads departmental tables (STABLE, and not STRICT: NULL region codes mean
-- all), and source_changes and source_plan, which read or plan them
-- (STABLE); star_rating_rows, which reads results (STABLE; it has no
-- argument to be STRICT on); compute_results, the results kernel, which
-- writes results (VOLATILE); reference_relation, reference_region_rows and
-- reference_population_rows, which read the catalogue and reference
-- bindings (STABLE); index_rank_draws, the results kernel run without
-- writing (STABLE, and not STRICT: a NULL depth means every depth).
-- Exactly those eighteen.
SELECT p.oid::regprocedure::text AS c_function_not_strict
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'safeidx')
   AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
   AND (NOT p.proisstrict OR p.provolatile <> 'i')
 ORDER BY 1;

-- Every user-facing function, aggregate, type and table has a comment
-- (expect no rows; type I/O functions are described by their type).
SELECT p.oid::regprocedure AS function_without_comment
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'safeidx')
   AND obj_description(p.oid, 'pg_proc') IS NULL
   AND p.proname !~ '_(in|out|recv|send)$'
   AND p.prorettype <> 'trigger'::regtype;
SELECT t.oid::regtype AS type_without_comment
  FROM pg_type t JOIN pg_depend d ON d.objid = t.oid AND d.classid = 'pg_type'::regclass
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'safeidx')
   AND obj_description(t.oid, 'pg_type') IS NULL;
SELECT c.oid::regclass AS table_without_comment
  FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'safeidx')
   AND c.relkind = 'r' AND obj_description(c.oid, 'pg_class') IS NULL;

-- Every aggregate has a combine function and a non-internal state.
SELECT a.aggfnoid::regprocedure::text AS aggregate, a.aggcombinefn <> 0 AS has_combine,
       a.aggtranstype::regtype AS state
  FROM pg_aggregate a JOIN pg_depend d ON d.objid = a.aggfnoid AND d.classid = 'pg_proc'::regclass
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'safeidx')
 ORDER BY 1;
