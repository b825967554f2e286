-- What a refresh reads of the departmental tables (src/engine/build.sql,
-- src/catalogue/source_read.sql): the cells of the tables whose rows
-- changed, no other table's (a relation no source reads stands for every
-- table); and few changed codes of a local table whose index leads with the
-- region column are read one code at a time through that index
-- (region_indexed), which gives the very cells the whole-span read gives:
-- NULL, empty, unknown and repeated codes included.
--
-- That refresh equals rebuild after random changes (these reads included:
-- the demo's tables are indexed on (community_code, time column)) is
-- 07_refresh.sql's.
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh):
-- pgtap, safeidx, dblink and the demo city (test/demo/city.sql, small, seed 42).
BEGIN;
SELECT plan(22);
\o /dev/null
\i test/demo/schemes.sql
SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01');
SELECT * FROM safeidx.refresh('wuchang');    -- the cells up to today: a refresh from here has only changes
\o

-- ---- region_indexed: an index leading with the region column ------------------
SELECT ok(safeidx.region_indexed('demo.police_incident', 'community_code'),
          'the demo''s police table: its index (community_code, reported_at) leads with the region column');
CREATE TABLE public.t_dept (code text, code_c text COLLATE "C", code_v varchar(20), code_i integer,
                            at timestamptz);
CREATE INDEX ON public.t_dept (at, code);
SELECT ok(NOT safeidx.region_indexed('public.t_dept', 'code'), 'an index with the region column second: not');
CREATE INDEX ON public.t_dept (code) WHERE at > '2025-01-01';
SELECT ok(NOT safeidx.region_indexed('public.t_dept', 'code'), 'a partial index: not');
CREATE INDEX ON public.t_dept USING hash (code);
SELECT ok(NOT safeidx.region_indexed('public.t_dept', 'code'), 'a hash index: not');
CREATE INDEX ON public.t_dept (code, at);
SELECT ok(safeidx.region_indexed('public.t_dept', 'code'), 'a btree index (code, at): yes');
CREATE INDEX ON public.t_dept (code_c);
CREATE INDEX ON public.t_dept (code_v);
CREATE INDEX ON public.t_dept (code_i);
SELECT ok(NOT safeidx.region_indexed('public.t_dept', 'code_c'),
          'a column in another collation than the database''s: not ("column = code" would not use it)');
SELECT ok(safeidx.region_indexed('public.t_dept', 'code_v'), 'a varchar column: yes');
SELECT ok(NOT safeidx.region_indexed('public.t_dept', 'code_i'), 'an integer column: not');
SELECT ok(NOT safeidx.region_indexed('public.t_dept', 'nosuch'), 'a column the table does not have: not');

-- ---- the query: one code at a time for at most a tenth of the tree's codes -------
CREATE TEMP TABLE t_tree AS SELECT count(DISTINCT code)::integer AS n FROM safeidx.region;
CREATE FUNCTION pg_temp.by_code(ncodes integer) RETURNS boolean LANGUAGE sql AS $$
    SELECT q.sql LIKE '%CROSS JOIN LATERAL (%SELECT%WHERE community_code = safeidx_code.code AND%'
      FROM safeidx.source_cells_sql('{police_criminal,police_four_category}', 'month', '2025-01-01', '2026-01-01',
                                    'Asia/Shanghai', ncodes) q;
$$;
SELECT ok((SELECT n >= 20 FROM t_tree), 'the demo''s tree has twenty codes or more (the boundaries below are apart)');
SELECT ok(pg_temp.by_code((SELECT n / 10 FROM t_tree)), 'a tenth of the tree''s codes: read one code at a time');
SELECT ok(NOT pg_temp.by_code((SELECT n / 10 + 1 FROM t_tree)), 'more than a tenth: the span read once');
SELECT ok(NOT pg_temp.by_code(NULL), 'every code (NULL): the span read once');
SELECT is((SELECT q.sql FROM safeidx.source_cells_sql('{police_criminal}', 'month', NULL, '2026-01-01', 'Asia/Shanghai', 3) q),
          NULL, 'not STRICT for ncodes alone: a NULL date still gives no query');

-- ---- the same cells either way -----------------------------------------------------
-- three communities, one twice, NULL, an empty and an unknown code: seven
-- codes, read one at a time (7 <= a tenth of the tree), against the whole
-- span read once and filtered here
CREATE TEMP TABLE t_codes AS
SELECT array_cat((SELECT array_agg(code ORDER BY code) FROM (SELECT code FROM demo.region WHERE level = 'community'
                                                             ORDER BY code LIMIT 3) c),
                 ARRAY[(SELECT min(code) FROM demo.region WHERE level = 'community'), NULL, '', '420106099999']) AS codes;
SELECT ok(pg_temp.by_code((SELECT cardinality(codes) FROM t_codes)), 'seven codes are read one at a time');
CREATE TEMP TABLE t_by_code AS
SELECT c.* FROM t_codes, safeidx.source_cells('{police_criminal,police_four_category,police_telecom_fraud}', 'month',
                                              '2024-01-01', '2026-01-01', 'Asia/Shanghai', codes) c;
CREATE TEMP TABLE t_span AS
SELECT c.* FROM t_codes, safeidx.source_cells('{police_criminal,police_four_category,police_telecom_fraud}', 'month',
                                              '2024-01-01', '2026-01-01', 'Asia/Shanghai') c
 WHERE c.region_code = ANY (codes) OR c.region_code IS NULL;
-- 3 communities x 3 sources x 24 months, each with rows, and whatever
-- NULL and empty codes the dirty data has
SELECT cmp_ok((SELECT count(*) FROM t_by_code WHERE region_code IS NOT NULL AND region_code <> ''), '>=', 3 * 3 * 20::bigint,
              'the codes read one at a time have their cells (not an empty comparison)');
SELECT is((SELECT count(*) FROM (SELECT * FROM t_by_code EXCEPT ALL SELECT * FROM t_span) x)
          + (SELECT count(*) FROM (SELECT * FROM t_span EXCEPT ALL SELECT * FROM t_by_code) y), 0::bigint,
          'one code at a time gives the very cells of the span read once, row for row (a repeated code once)');

-- ---- a refresh rewrites the cells of the table that changed only -------------------
CREATE TEMP TABLE t_one AS SELECT min(code) AS code FROM demo.region WHERE level = 'community';
CREATE TEMP TABLE t_cells_before AS
SELECT c.source, c.period_start, c.value, c.ctid AS at FROM safeidx.cell c, t_one o
 WHERE c.scheme = 'wuchang' AND c.period = 'month' AND c.region_code = o.code
   AND c.period_start IN ('2025-10-01', '2025-11-01');
-- three burglaries, criminal, on 2025-11-12 in the community: the police
-- sources' November cells of that code change (four_category +3,
-- criminal +3, telecom fraud +0), nothing else
INSERT INTO demo.police_incident (id, reported_at, community_code, category, is_criminal)
SELECT (SELECT max(id) FROM demo.police_incident) + g, '2025-11-12 10:00+08', o.code, 'burglary', true
  FROM generate_series(1, 3) g, t_one o;
\o /dev/null
SELECT * FROM safeidx.refresh('wuchang');
\o
CREATE TEMP TABLE t_cells_after AS
SELECT c.source, c.period_start, c.value, c.ctid AS at FROM safeidx.cell c, t_one o
 WHERE c.scheme = 'wuchang' AND c.period = 'month' AND c.region_code = o.code
   AND c.period_start IN ('2025-10-01', '2025-11-01');
SELECT is((SELECT string_agg(format('%s %s', a.source, a.value - b.value), ', ' ORDER BY a.source)
             FROM t_cells_after a JOIN t_cells_before b USING (source, period_start)
            WHERE a.period_start = '2025-11-01' AND a.source LIKE 'police%'),
          'police_criminal 3, police_four_category 3, police_telecom_fraud 0',
          'the police cells of November gained the three burglaries');
SELECT is((SELECT string_agg(a.source, ', ' ORDER BY a.source)
             FROM t_cells_after a JOIN t_cells_before b USING (source, period_start)
            WHERE a.period_start = '2025-11-01' AND a.at <> b.at),
          'police_criminal, police_four_category, police_telecom_fraud',
          'only the police table''s sources had their November cells of the code rewritten');
SELECT is((SELECT count(*) FROM t_cells_after a JOIN t_cells_before b USING (source, period_start)
            WHERE a.source NOT LIKE 'police%' AND a.at = b.at AND a.value IS NOT DISTINCT FROM b.value),
          (SELECT count(*) FROM t_cells_before WHERE source NOT LIKE 'police%'),
          'the other tables'' cells of the code stay where they were, untouched');

-- ---- a relation no source reads stands for every table ---------------------------
-- (safeidx_department may log changes by hand: a name no source has is
-- not a reason to recompute nothing)
INSERT INTO safeidx.change_log (scheme, relation, region_code, first_local, last_local)
SELECT 'wuchang', 'demo.no_such_table', o.code, '2025-10-05', '2025-10-06' FROM t_one o;
DELETE FROM t_cells_before;
INSERT INTO t_cells_before SELECT * FROM t_cells_after;
\o /dev/null
SELECT * FROM safeidx.refresh('wuchang');
\o
SELECT is((SELECT count(*) FROM safeidx.cell c, t_one o, t_cells_before b
            WHERE c.scheme = 'wuchang' AND c.period = 'month' AND c.region_code = o.code
              AND c.period_start = '2025-10-01' AND b.period_start = c.period_start AND b.source = c.source
              AND c.ctid <> b.at AND c.value IS NOT DISTINCT FROM b.value),
          (SELECT count(*) FROM t_cells_before WHERE period_start = '2025-10-01'),
          'every source''s October cell of the code rewritten, with the same value');

-- ---- planned for the codes given ---------------------------------------------------
-- a generic plan of delete_cells' DELETE (plpgsql's, from the sixth call of
-- a session) scans the range of period starts once per code: 5 s for the
-- 2,500 codes of a day's feed at city scale, against 16 ms planned for them
SELECT is((SELECT string_agg(p.proname || ' ' || array_to_string(p.proconfig, ' '), ', ' ORDER BY p.proname)
             FROM pg_proc p WHERE p.pronamespace = 'safeidx'::regnamespace AND p.proname IN ('build_cells', 'delete_cells')),
          'build_cells search_path=pg_catalog, pg_temp plan_cache_mode=force_custom_plan, delete_cells search_path=pg_catalog, pg_temp plan_cache_mode=force_custom_plan',
          'build_cells and delete_cells plan their statements for the codes given (plan_cache_mode), never generically');

SELECT * FROM finish();
ROLLBACK;
