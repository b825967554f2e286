-- User-made materialized views over safeidx's result views refresh
-- concurrently (they need a unique index) and then equal the views, also
-- after safeidx.refresh() picked up new departmental rows.
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh):
-- pgtap, safeidx, dblink and the demo city (test/demo/city.sql, small, seed 42),
-- which this file reads.
BEGIN;
SELECT plan(6);
\o /dev/null
\i test/demo/schemes.sql
\o
SELECT sum(results) AS built FROM safeidx.rebuild('wuchang', '2025-10-01', '2026-01-01') \gset

CREATE MATERIALIZED VIEW public.street_board AS
SELECT period_start, region_code, region_zh, round(index::numeric, 2) AS index, grade_zh, colour,
       rank_level, rank_change_level
  FROM safeidx.index_result WHERE scheme = 'wuchang' AND depth = 3;
CREATE UNIQUE INDEX ON public.street_board (period_start, region_code);
SELECT is((SELECT count(*) FROM public.street_board), 30::bigint, '10 streets x 3 months materialized');

SELECT events AS before FROM safeidx.indicator_result
 WHERE scheme = 'wuchang' AND node = 'four_category' AND period_start = '2025-12-01'
   AND region_code = (SELECT min(code) FROM demo.region WHERE level = 'street') \gset
-- 40 new burglaries in a community of that street in December.
INSERT INTO demo.police_incident (id, reported_at, community_code, category, is_criminal)
SELECT 900000000 + g, timestamptz '2025-12-15 10:00+08', c.code, 'burglary', true
  FROM generate_series(1, 40) g,
       (SELECT code FROM demo.region WHERE parent_code = (SELECT min(code) FROM demo.region WHERE level = 'street')
         ORDER BY code LIMIT 1) c;
SELECT ok((SELECT count(*) FROM safeidx.change_log WHERE scheme = 'wuchang') > 0, 'the insert was captured');
SELECT ok((SELECT sum(results) FROM safeidx.refresh('wuchang')) > 0, 'refresh recomputed results');

SELECT lives_ok('REFRESH MATERIALIZED VIEW CONCURRENTLY public.street_board', 'refresh concurrently');
SELECT set_eq(
    $$SELECT * FROM public.street_board WHERE period_start < '2026-01-01'$$,
    $$SELECT period_start, region_code, region_zh, round(index::numeric, 2), grade_zh, colour, rank_level, rank_change_level
        FROM safeidx.index_result WHERE scheme = 'wuchang' AND depth = 3 AND period_start < '2026-01-01'$$,
    'the materialized view equals the view after refresh');
SELECT is(
    (SELECT events FROM safeidx.indicator_result
      WHERE scheme = 'wuchang' AND node = 'four_category' AND period_start = '2025-12-01'
        AND region_code = (SELECT min(code) FROM demo.region WHERE level = 'street')),
    :before + 40::float8, 'the street''s December four-category count rose by the 40 new rows');

SELECT * FROM finish();
ROLLBACK;
