-- pg_dump keeps everything safeidx holds for its users (run by
-- test/tap/dump_restore.sh in its database safeidx_dump_tap, which has pgtap
-- and dblink).  The script built database safeidx_dump
-- (test/fixtures/released_city.sql: demo city, example schemes and governance
-- rules, a user grade scale, Wuchang results, two releases, warning notices),
-- dumped it with pg_dump -Fc and restored it into safeidx_restore with
-- pg_restore --exit-on-error; this compares the two through dblink
-- (test/lib/dblink.sql) and then refreshes the restored copy.  Should the
-- set-up have failed, the first comparisons fail.

\i test/lib/dblink.sql

BEGIN;
SELECT plan(36);

SELECT isnt(pg_temp.value_in('safeidx_restore', 'SELECT extversion FROM pg_extension WHERE extname = ''safeidx'''),
            NULL, 'the restored database exists and has safeidx');
SELECT is(pg_temp.digest('safeidx_restore', 'safeidx.' || t), pg_temp.digest('safeidx_dump', 'safeidx.' || t),
          t || ' restored row for row')
  FROM unnest('{scheme,scheme_version,indicator,source,region,population,warning_rule,grade_scale,grade_band,cell,result,result_node,built_range,refresh_log,release_series,release,release_result,release_indicator,star_rule,award_rule,notice_rule,notice,notice_log,alarm}'::text[]) t;
SELECT is(pg_temp.value_in('safeidx_restore', 'SELECT count(*) FROM safeidx.grade_band WHERE scale = ''three'''), '3',
          'the user grade scale came back, the built-in ones are not doubled (grade_band compared above)');
SELECT is(pg_temp.value_in('safeidx_restore',
            $$SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'demo.police_incident'::regclass$$),
          'safeidx_capture_delete,safeidx_capture_insert,safeidx_capture_truncate,safeidx_capture_update',
          'the change-capture triggers came back with the departmental table');
SELECT is(pg_temp.value_in('safeidx_restore',
            $$SELECT count(*) FROM safeidx.index_result WHERE scheme = 'wuchang'$$), '1308',
          'the result views read the restored results');
SELECT is(pg_temp.value_in('safeidx_restore',
            $$SELECT string_agg(number || ':' || (checksum = safeidx.release_checksum(series, number, revision)), ',' ORDER BY number)
                FROM safeidx.release$$), '1:true,2:true',
          'both releases came back and match their checksums');
SELECT is(pg_temp.value_in('safeidx_restore',
            $$SELECT string_agg(number || ':' || state, ',' ORDER BY number) FROM safeidx.notice_status WHERE number = '2025-001'$$),
          '2025-001:acknowledged', 'the notices came back with their history');

-- A restore is no change: nothing for refresh to recompute, nothing holding
-- up publishing (0.3.0 logged every restored region and population row as
-- changed, so publishing was refused until a refresh recomputed everything).
SELECT is(pg_temp.value_in('safeidx_restore', 'SELECT count(*) FROM safeidx.change_log'), '0',
          'the restore logged no change');
SELECT is(pg_temp.value_in('safeidx_restore', $$SELECT correct_release.revision
                                                  FROM safeidx.correct_release('wuchang_monthly', 2, 'a restored copy corrects') $$),
          '2', 'a release can be published in the restored copy without a refresh (a correction of release 2: revision 2)');
SELECT is(pg_temp.value_in('safeidx_restore', $$SELECT coalesce(sum(periods), 0) FROM safeidx.refresh('wuchang')$$), '0',
          'a refresh of the restored copy recomputes no period');

-- The restored copy keeps working: a new December incident is captured and refreshed.
SELECT is(pg_temp.value_in('safeidx_restore', $$
    WITH ins AS (INSERT INTO demo.police_incident (id, reported_at, community_code, category, is_criminal)
                 VALUES (-1, '2025-12-20 10:00+08', (SELECT min(code) FROM demo.region WHERE level = 'community'),
                         'burglary', true) RETURNING 1)
    SELECT count(*) FROM ins$$), '1', 'a departmental row inserted in the restored copy');
SELECT is(pg_temp.value_in('safeidx_restore',
            $$SELECT (sum(results) > 0)::text FROM safeidx.refresh('wuchang')$$), 'true',
          'refresh runs in the restored copy');
SELECT is(pg_temp.value_in('safeidx_restore', $q$SELECT events FROM safeidx.indicator_result
              WHERE scheme = 'wuchang' AND node = 'four_category' AND period_start = '2025-12-01'
                AND region_code = (SELECT min(code) FROM demo.region WHERE level = 'community')$q$)::float8,
          pg_temp.value_in('safeidx_dump', $q$SELECT events FROM safeidx.indicator_result
              WHERE scheme = 'wuchang' AND node = 'four_category' AND period_start = '2025-12-01'
                AND region_code = (SELECT min(code) FROM demo.region WHERE level = 'community')$q$)::float8 + 1,
          'and the community''s December count rose by one');

SELECT * FROM finish();
ROLLBACK;
