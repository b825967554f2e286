-- ALTER EXTENSION safeidx UPDATE keeps the user's data and gives the same
-- extension as a fresh install (run by test/tap/upgrade.sh in its database
-- safeidx_upgrade_tap, which has pgtap and dblink).
--
-- psql variables set by the script:
--   db_a, db_b        database A (safeidx at version from_version with the
--                     user's fixture test/fixtures/upgrade_0.1.0.sql, loaded
--                     by the script) and database B (empty);
--   from_version      the version A starts at (0.1.0);
--   default_version   the control file's default_version, the target;
--   fixture_status    psql's exit status for the fixture (0: loaded).
--
-- Both databases are reached through named dblink connections 'a' and 'b';
-- test/tap/upgrade_catalogue.sql defines, in each of those sessions, the
-- functions that describe the catalogue and checksum the data.  In A: the
-- user's data is checksummed (every table and sequence pg_dump would keep,
-- under its extcondition, and the user's own tables), the extension updated,
-- the data checksummed again; in B: CREATE EXTENSION safeidx.  Then every
-- property of every object of the extension in A is compared with B, and a
-- difference fails the assertion of its kind, with one diagnostic line per
-- difference naming the object.  Last, refresh() runs in A.

\i test/lib/dblink.sql
\set catalogue `cat test/tap/upgrade_catalogue.sql`

-- One text value of a query over a named dblink connection, or 'error: ...'.
CREATE FUNCTION pg_temp.value_on(connection text, query text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN (SELECT v FROM dblink(connection, query) AS t(v text));
EXCEPTION WHEN OTHERS THEN
    RETURN 'error: ' || SQLERRM;
END $$;

-- Where two values differ: both in full when short, else the first line that
-- differs (if there are several) and, in it, 120 characters from a little
-- before the first character that differs.
CREATE FUNCTION pg_temp.difference(upgraded text, fresh text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    WITH line AS (
        SELECT coalesce(n, m) AS n, coalesce(a, '') AS a, coalesce(b, '') AS b
          FROM unnest(string_to_array(upgraded, E'\n')) WITH ORDINALITY x (a, n)
          FULL JOIN unnest(string_to_array(fresh, E'\n')) WITH ORDINALITY y (b, m) ON m = n
         WHERE a IS DISTINCT FROM b
         ORDER BY 1 LIMIT 1),
    pos AS (
        SELECT line.*, (SELECT min(i) FROM generate_series(1, greatest(length(a), length(b)) + 1) i
                         WHERE substr(a, i, 1) <> substr(b, i, 1) OR (i > length(a)) <> (i > length(b))) AS p
          FROM line)
    SELECT CASE
        WHEN upgraded IS NULL OR fresh IS NULL
             OR (length(upgraded) <= 100 AND length(fresh) <= 100 AND upgraded !~ E'\n' AND fresh !~ E'\n')
        THEN format('upgraded %s, fresh %s', coalesce(quote_literal(upgraded), 'NULL'), coalesce(quote_literal(fresh), 'NULL'))
        ELSE (SELECT format('%scharacter %s: upgraded %s, fresh %s',
                            CASE WHEN upgraded ~ E'\n' OR fresh ~ E'\n' THEN 'line ' || n || ', ' ELSE '' END, p,
                            quote_literal(CASE WHEN p > 41 THEN '...' ELSE '' END || substr(a, greatest(1, p - 40), 120)),
                            quote_literal(CASE WHEN p > 41 THEN '...' ELSE '' END || substr(b, greatest(1, p - 40), 120)))
                FROM pos)
    END
$$;

\o /dev/null
SELECT dblink_connect('a', pg_temp.conn(:'db_a'));
SELECT dblink_connect('b', pg_temp.conn(:'db_b'));
SELECT dblink_exec('a', :'catalogue');
SELECT dblink_exec('b', :'catalogue');
\o

BEGIN;
SELECT plan(26);

-- ---- database A at the old version, with the user's data ----------------------------
SELECT is(:fixture_status, 0, 'the ' || :'from_version' || ' fixture (test/fixtures/upgrade_0.1.0.sql) loaded into database A');
SELECT is(pg_temp.value_on('a', $$SELECT extversion FROM pg_extension WHERE extname = 'safeidx'$$), :'from_version',
          'database A has safeidx ' || :'from_version');

CREATE TEMP TABLE data_before AS
SELECT * FROM dblink('a', 'SELECT * FROM pg_temp.upgrade_user_data()') AS t (relation text, rows bigint, digest text);
SELECT is_empty($$SELECT r FROM unnest('{safeidx.region,safeidx.population,safeidx.source,safeidx.grade_scale,
                      safeidx.grade_band,safeidx.scheme,safeidx.scheme_version,safeidx.indicator,safeidx.warning_rule,
                      safeidx.star_rule,safeidx.notice_rule,safeidx.cell,safeidx.change_log,safeidx.result,
                      safeidx.result_node,safeidx.built_range,safeidx.refresh_log,safeidx.release_series,safeidx.release,
                      safeidx.release_result,safeidx.release_indicator,safeidx.notice,safeidx.notice_log,
                      safeidx.notice_id_seq,public.upgrade_event}'::text[]) r
                   EXCEPT SELECT relation FROM data_before WHERE rows > 0 AND digest !~ '^error'$$,
                'the checksum of the user''s data covers rows in every table the fixture fills (catalogue, '
                || 'cells, results, releases, notices, logs, the departmental table)');

-- ---- the update -------------------------------------------------------------------------------
SELECT lives_ok($$SELECT dblink_exec('a', 'ALTER EXTENSION safeidx UPDATE')$$,
                'ALTER EXTENSION safeidx UPDATE in database A (' || :'from_version' || ' -> ' || :'default_version' || ')');
SELECT is(pg_temp.value_on('a', $$SELECT extversion FROM pg_extension WHERE extname = 'safeidx'$$), :'default_version',
          'database A is at the default version ' || :'default_version');

-- The one change an update makes to the user's data on purpose: 0.4.0 asks the
-- next refresh of every built scheme to recompute everything (change_log rows
-- of relation 'safeidx 0.4.0', see src/upgrade/0.3.0--0.4.0.sql).  They are
-- read, then removed in a transaction rolled back, to compare the rest.
SELECT dblink_exec('a', 'BEGIN') \g /dev/null
CREATE TEMP TABLE requests AS
SELECT * FROM dblink('a', $$SELECT scheme, every_region, region_code, first_local::text, last_local::text
                             FROM safeidx.change_log WHERE relation = 'safeidx 0.4.0'$$)
    AS t (scheme text, every_region boolean, region_code text, first_local text, last_local text);
CREATE TEMP TABLE built_schemes AS
SELECT * FROM dblink('a', 'SELECT scheme FROM safeidx.built_range') AS t (scheme text);
SELECT dblink_exec('a', $$DELETE FROM safeidx.change_log WHERE relation = 'safeidx 0.4.0'$$) \g /dev/null
CREATE TEMP TABLE data_after AS
SELECT * FROM dblink('a', 'SELECT * FROM pg_temp.upgrade_user_data()') AS t (relation text, rows bigint, digest text);
SELECT dblink_exec('a', 'ROLLBACK') \g /dev/null
SELECT set_eq($$SELECT scheme, every_region, region_code, first_local, last_local FROM requests$$,
              $$SELECT scheme, true AS every_region, NULL::text AS region_code, '-infinity'::text AS first_local, 'infinity'::text AS last_local FROM built_schemes$$,
              'the update asks the next refresh of each built scheme to recompute everything, once (0.4.0)');
SELECT ok(NOT EXISTS (SELECT FROM data_before b FULL JOIN data_after a USING (relation)
                       WHERE (a.rows, a.digest) IS DISTINCT FROM (b.rows, b.digest)),
          'but for that, the user''s data is unchanged by the update: the same rows in every table, the same sequence values')
       || coalesce(E'\n' || diag(string_agg(format('%s: %s before the update, %s after', relation,
                                                   coalesce(b.rows || ' rows ' || b.digest, '(none)'),
                                                   coalesce(a.rows || ' rows ' || a.digest, '(none)')),
                                            E'\n' ORDER BY relation)), '')
  FROM data_before b FULL JOIN data_after a USING (relation)
 WHERE (a.rows, a.digest) IS DISTINCT FROM (b.rows, b.digest);

-- ---- database B: a fresh install ----------------------------------------------------------
SELECT lives_ok($$SELECT dblink_exec('b', 'CREATE EXTENSION safeidx')$$,
                'CREATE EXTENSION safeidx in database B (a fresh install of ' || :'default_version' || ')');

CREATE TEMP TABLE desc_a AS
SELECT * FROM dblink('a', 'SELECT * FROM pg_temp.upgrade_describe()') AS t (kind text, object text, attribute text, value text);
CREATE TEMP TABLE desc_b AS
SELECT * FROM dblink('b', 'SELECT * FROM pg_temp.upgrade_describe()') AS t (kind text, object text, attribute text, value text);
SELECT ok((SELECT count(*) FILTER (WHERE kind = 'member') > 100 AND count(*) FILTER (WHERE kind = 'column') > 100
                  AND count(*) FILTER (WHERE kind = 'comment') > 100 FROM desc_b)
          AND (SELECT count(*) FILTER (WHERE kind = 'member') > 100 FROM desc_a),
          'the comparison is not vacuous: both databases describe over 100 members, columns and comments');

-- The differences, by the assertion that reports them.
CREATE TEMP TABLE diff AS
WITH objects_a AS (SELECT DISTINCT kind, object FROM desc_a),
     objects_b AS (SELECT DISTINCT kind, object FROM desc_b),
     d AS (
    SELECT kind, object, 'only in the upgraded database, not in a fresh install' AS detail
      FROM (SELECT * FROM objects_a EXCEPT SELECT * FROM objects_b) x
    UNION ALL
    SELECT kind, object, 'missing from the upgraded database (a fresh install has it)'
      FROM (SELECT * FROM objects_b EXCEPT SELECT * FROM objects_a) x
    UNION ALL
    SELECT kind, object, attribute || ': ' || pg_temp.difference(a.value, b.value)
      FROM desc_a a FULL JOIN desc_b b USING (kind, object, attribute)
     WHERE a.value IS DISTINCT FROM b.value
       AND (kind, object) IN (SELECT * FROM objects_a INTERSECT SELECT * FROM objects_b))
SELECT CASE WHEN kind IN ('function', 'aggregate', 'procedure', 'window function', 'operator', 'cast') THEN 'functions'
            WHEN kind IN ('base type', 'composite type', 'type column', 'domain', 'enum', 'range', 'multirange',
                          'pseudo-type') THEN 'types'
            WHEN kind IN ('table', 'partitioned table', 'foreign table', 'column', 'rule', 'policy') THEN 'tables'
            WHEN kind IN ('view', 'materialized view', 'view column') THEN 'views'
            WHEN kind IN ('constraint', 'index', 'trigger', 'sequence', 'comment', 'acl', 'extconfig') THEN kind
            ELSE 'members' END AS grp,
       kind, object, detail
  FROM d;

-- ok(no difference of group g, description), then one diagnostic line per difference.
CREATE FUNCTION pg_temp.same_as_fresh(g text, description text) RETURNS text LANGUAGE sql AS $$
    SELECT ok(count(*) = 0, description)
           || coalesce(E'\n' || diag(string_agg(x.kind || ' ' || x.object || ': ' || x.detail, E'\n'
                                                ORDER BY x.kind, x.object, x.detail)
                                     || CASE WHEN count(*) > 200 THEN E'\n(and more)' ELSE '' END), '')
      FROM (SELECT * FROM diff WHERE grp = g ORDER BY kind, object, detail) x
$$;

SELECT pg_temp.same_as_fresh('functions',
    'functions, aggregates and procedures as in a fresh install: signature, result, language, source, '
    || 'volatility, strictness, parallel safety, security, leakproofness, configuration, cost, rows; '
    || 'aggregates'' support functions, states and initial conditions');
SELECT pg_temp.same_as_fresh('types', 'types and domains as in a fresh install (with their constraints)');
SELECT pg_temp.same_as_fresh('tables',
    'tables as in a fresh install: live columns in order with type, typmod, not null, default, generated '
    || 'expression and identity; options, rules, policies');
SELECT pg_temp.same_as_fresh('constraint', 'table constraints as in a fresh install');
SELECT pg_temp.same_as_fresh('index', 'indexes as in a fresh install');
SELECT pg_temp.same_as_fresh('trigger', 'triggers as in a fresh install, enabled as there');
SELECT pg_temp.same_as_fresh('sequence', 'sequences as in a fresh install');
SELECT pg_temp.same_as_fresh('views', 'views as in a fresh install: definition, options, columns');
SELECT pg_temp.same_as_fresh('comment',
    'comments as in a fresh install, on every object above, on columns, and on the schema');
SELECT pg_temp.same_as_fresh('acl', 'privileges as in a fresh install (whoever owns the objects)');
SELECT pg_temp.same_as_fresh('extconfig',
    'the tables pg_dump keeps (extconfig) and their conditions (extcondition) as in a fresh install');
SELECT pg_temp.same_as_fresh('members', 'the extension''s members, schema and version as in a fresh install');

CREATE TEMP TABLE builtin_a AS
SELECT * FROM dblink('a', 'SELECT * FROM pg_temp.upgrade_builtin_rows()') AS t (relation text, rows bigint, digest text);
CREATE TEMP TABLE builtin_b AS
SELECT * FROM dblink('b', 'SELECT * FROM pg_temp.upgrade_builtin_rows()') AS t (relation text, rows bigint, digest text);
SELECT ok(NOT EXISTS (SELECT FROM builtin_a a FULL JOIN builtin_b b USING (relation)
                       WHERE (a.rows, a.digest) IS DISTINCT FROM (b.rows, b.digest)),
          'the rows that come with the extension (built-in grade scales, the notice lifecycle) as in a fresh install')
       || coalesce(E'\n' || diag(string_agg(format('%s: upgraded %s, fresh %s', relation,
                                                   coalesce(a.rows || ' rows ' || a.digest, '(not built in)'),
                                                   coalesce(b.rows || ' rows ' || b.digest, '(not built in)')),
                                            E'\n' ORDER BY relation)), '')
  FROM builtin_a a FULL JOIN builtin_b b USING (relation)
 WHERE (a.rows, a.digest) IS DISTINCT FROM (b.rows, b.digest);

-- ---- the upgraded database keeps working --------------------------------------------------
SELECT coalesce(pg_temp.value_on('a', $q$SELECT events FROM safeidx.indicator_result
                                          WHERE scheme = 'up' AND node = 'theft' AND period = 'month'
                                            AND period_start = '2025-03-01' AND region_code = 'c'$q$),
                'no row') AS march_before \gset
SELECT lives_ok($$SELECT * FROM dblink('a', 'SELECT count(*) FROM safeidx.refresh(''up'')') AS t (n bigint)$$,
                'safeidx.refresh() runs in the upgraded database');
SELECT is(pg_temp.value_on('a', 'SELECT count(*) FROM safeidx.change_log'), '0',
          'it consumed the change logged before the update');
SELECT is(pg_temp.value_on('a', $q$SELECT events FROM safeidx.indicator_result
                                    WHERE scheme = 'up' AND node = 'theft' AND period = 'month'
                                      AND period_start = '2025-03-01' AND region_code = 'c'$q$),
          CASE WHEN :'march_before' ~ '^[0-9]+$' THEN (:'march_before'::bigint + 1)::text
               ELSE 'one more than before (' || :'march_before' || ')' END,
          'and took in the row inserted before the update (March thefts of c up by one)');
SELECT is(pg_temp.value_on('a', $$SELECT string_agg(number || ':' || (checksum = safeidx.release_checksum(series, number, revision)),
                                                    ',' ORDER BY number) FROM safeidx.release$$),
          '7:true,8:true', 'both releases still match their checksums after the update');

SELECT * FROM finish();
ROLLBACK;
