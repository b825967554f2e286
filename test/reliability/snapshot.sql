-- test/reliability/snapshot.sql: what the pgbench and kill -9 checks compare
-- (doc/reliability.md).  Run in a database with safeidx; creates schema rel:
--
--   rel.fl(x float8)    how a float column computed by summing over rows in
--                       plan order is compared: rounded to 12 significant
--                       digits, as test/pgtap/07_refresh.sql does (a refresh
--                       computes other sets of periods than a rebuild, so it
--                       may get other plans, and float addition is not
--                       associative).  To compare bit for bit, replace its
--                       body by the line marked "bit-exact" below: it is the
--                       only place the comparisons round.
--   rel.cell, rel.result, rel.result_node
--                       every column but computed_at; rel.fl() on index,
--                       coverage, score and points (the columns 07_refresh
--                       rounds); counts, residents, rates and baselines exact
--   rel.built_range, rel.refresh_log, rel.change_log, rel.release,
--   rel.release_result, rel.release_indicator
--                       without the columns that hold the time of the run
--                       (refresh_log.started_at and finished_at,
--                       change_log.logged_at, release.released_at and
--                       watermark)
--   rel.digest(view, cond)  "<n> rows <md5>": the rows ordered by their text
--   rel.snapshot(cond)  (name, digest) of every view above, WHERE cond (e.g.
--                       scheme = 'wuchang'; release views are always whole)
CREATE SCHEMA IF NOT EXISTS rel;

CREATE OR REPLACE FUNCTION rel.fl(x float8) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN x IS NULL THEN NULL
                WHEN x = 0 THEN '0'
                WHEN x IN ('Infinity', '-Infinity', 'NaN') THEN x::text
                ELSE round(x::numeric, 11 - floor(log(abs(x)))::integer)::text END;
    -- bit-exact:  SELECT float8send(x)::text;
$$;

CREATE OR REPLACE VIEW rel.cell AS
SELECT scheme, period, period_start, source, region_code, float8send(value)::text AS value, source_rows
  FROM safeidx.cell;
CREATE OR REPLACE VIEW rel.result AS
SELECT scheme, period, period_start, region_code, version, parent_code, depth,
       rel.fl(index) AS index, rel.fl(coverage) AS coverage, grade_level,
       rank_siblings, rank_level, residents, missing_units
  FROM safeidx.result;
CREATE OR REPLACE VIEW rel.result_node AS
SELECT scheme, period, period_start, region_code, node, parent_node, is_leaf, weight, events,
       counted_events, denominator, residents, float8send(value)::text AS value,
       float8send(baseline)::text AS baseline, float8send(ratio)::text AS ratio,
       rel.fl(score) AS score, rel.fl(points) AS points
  FROM safeidx.result_node;
CREATE OR REPLACE VIEW rel.built_range AS SELECT * FROM safeidx.built_range;
CREATE OR REPLACE VIEW rel.refresh_log AS
SELECT scheme, kind, changes, cells, results, first_period, last_period FROM safeidx.refresh_log;
CREATE OR REPLACE VIEW rel.change_log AS
SELECT scheme, relation, region_code, every_region, first_local, last_local, results_only FROM safeidx.change_log;
CREATE OR REPLACE VIEW rel.release AS
SELECT series, number, revision, period_start, version, released_by, reason, checksum FROM safeidx.release;
CREATE OR REPLACE VIEW rel.release_result AS SELECT * FROM safeidx.release_result;
CREATE OR REPLACE VIEW rel.release_indicator AS SELECT * FROM safeidx.release_indicator;

CREATE OR REPLACE FUNCTION rel.digest(view text, cond text DEFAULT 'true') RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    d text;
BEGIN
    EXECUTE format('SELECT count(*) || '' rows '' || md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), ''''))
                      FROM rel.%I t WHERE %s', view, cond) INTO d;
    RETURN d;
END $$;

CREATE OR REPLACE FUNCTION rel.snapshot(cond text DEFAULT 'true') RETURNS TABLE (name text, digest text)
LANGUAGE sql AS $$
    SELECT v, rel.digest(v, CASE WHEN v LIKE 'release%' THEN 'true' ELSE cond END)
      FROM unnest('{cell,result,result_node,built_range,refresh_log,change_log,release,release_result,release_indicator}'::text[])
           WITH ORDINALITY AS x(v, i)
     ORDER BY i;
$$;
