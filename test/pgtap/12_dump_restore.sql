-- pg_dump keeps everything safeidx holds for its users.  test/check.sh built
-- database safeidx_dump (demo city, example schemes, a user grade scale,
-- Wuchang results, two releases), dumped it with pg_dump -Fc and restored it into
-- safeidx_restore with pg_restore --exit-on-error; this compares the two
-- through dblink and then refreshes the restored copy.

CREATE FUNCTION pg_temp.conn(db text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT format('host=%s port=%s dbname=%s user=%s',
                  coalesce(host(inet_server_addr()),
                           split_part(current_setting('unix_socket_directories'), ',', 1)),
                  current_setting('port'), db, current_user)
$$;
-- One text value from a query in another database (NULL if it cannot connect).
CREATE FUNCTION pg_temp.value_in(db text, query text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN (SELECT v FROM dblink(pg_temp.conn(db), query) AS t(v text));
EXCEPTION WHEN sqlclient_unable_to_establish_sqlconnection OR invalid_catalog_name THEN
    RETURN NULL;
END $$;
-- A checksum of a table's rows in a database.
CREATE FUNCTION pg_temp.digest(db text, rel text, cond text DEFAULT 'true') RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT pg_temp.value_in(db, format('SELECT count(*) || '' rows '' || md5(coalesce(string_agg(t::text, ''|'' ORDER BY t::text), '''')) FROM %s t WHERE %s', rel, cond));
$$;

BEGIN;
SELECT plan(32);

SELECT isnt(pg_temp.value_in('safeidx_restore', 'SELECT extversion FROM pg_extension WHERE extname = ''safeidx'''),
            NULL, 'the restored database exists and has safeidx');
SELECT is(pg_temp.digest('safeidx_restore', 'safeidx.' || t), pg_temp.digest('safeidx_dump', 'safeidx.' || t),
          t || ' restored row for row')
  FROM unnest('{scheme,scheme_version,indicator,source,region,population,warning_rule,grade_scale,grade_band,cell,result,result_node,built_range,refresh_log,release_series,release,release_result,release_indicator,star_rule,award_rule,notice_rule,notice,notice_log}'::text[]) t;
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
