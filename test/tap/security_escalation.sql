-- Escalations through safeidx, each reproduced and refused (issue 9).  Run
-- by test/tap/security_escalation.sh in database safeidx_esc (safeidx, pgtap,
-- dblink and the engine fixture test/fixtures/engine.sql), as the superuser;
-- the roles tap_safeidx_esc_dept (a department: the attacker),
-- tap_safeidx_esc_other (another department) and tap_safeidx_esc_admin (an
-- administrator who is not a superuser) exist, with no privilege yet.  The
-- other roles act through dblink connections made as them (their statements
-- commit on their own), or through psql where their WARNING must be read;
-- so this session runs without an enclosing transaction.
--
-- Every test here fails on 0.2.0, for the reason given beside it (0.2.0 had
-- no roles: a department was GRANTed what it needed by hand, and the
-- superuser who created the extension -- or pg_cron as that superuser --
-- ran every rebuild and refresh).  Messages are those the source code
-- formats (src/catalogue/source.sql, filter.c, src/engine/capture.sql).
\set ON_ERROR_STOP 1
\i test/lib/dblink.sql
SET client_min_messages = warning;
SELECT current_database() AS db \gset

SELECT plan(68);

\i test/lib/error_of.sql
-- as_dept / as_other / as_admin: a statement run by that role (dblink_exec's
-- status, e.g. 'UPDATE 0'); remote errors keep their SQLSTATE.
\o /dev/null
SELECT safeidx.grant_access('tap_safeidx_esc_dept', 'department'),
       safeidx.grant_access('tap_safeidx_esc_other', 'department'),
       safeidx.grant_access('tap_safeidx_esc_admin', 'admin');
\o
\o /dev/null
SELECT dblink_connect('dept', pg_temp.conn(:'db', 'tap_safeidx_esc_dept')),
       dblink_connect('other', pg_temp.conn(:'db', 'tap_safeidx_esc_other')),
       dblink_connect('admin', pg_temp.conn(:'db', 'tap_safeidx_esc_admin'));
\o
CREATE FUNCTION pg_temp.as_dept(sql text) RETURNS text LANGUAGE sql AS $$ SELECT dblink_exec('dept', sql) $$;
CREATE FUNCTION pg_temp.as_other(sql text) RETURNS text LANGUAGE sql AS $$ SELECT dblink_exec('other', sql) $$;
CREATE FUNCTION pg_temp.as_admin(sql text) RETURNS text LANGUAGE sql AS $$ SELECT dblink_exec('admin', sql) $$;
CREATE FUNCTION pg_temp.is_superuser(role name) RETURNS boolean LANGUAGE sql AS $$
    SELECT rolsuper FROM pg_roles WHERE rolname = role $$;

-- A scheme of one indicator counting one source by month (goalposts 0..4,
-- no baseline, like the engine fixture's fixd), made by the superuser.
CREATE FUNCTION pg_temp.one_source_scheme(scheme text, source text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO safeidx.scheme (scheme, name_zh, periods) VALUES (scheme, scheme, '{month}');
    INSERT INTO safeidx.scheme_version (scheme, version, valid_from) VALUES (scheme, 'v1', '2025-01-01');
    INSERT INTO safeidx.indicator (scheme, version, node, name_zh, weight, direction, sources, measure, scoring, scoring_params)
    VALUES (scheme, 'v1', 'n', 'n', 100, 'negative', ARRAY[source], 'count', 'goalposts', '{"minimum": 0, "maximum": 4}');
END $$;

-- The department's own schema, and what only a superuser may write.
CREATE SCHEMA esc_dept AUTHORIZATION tap_safeidx_esc_dept;
CREATE SCHEMA esc_other AUTHORIZATION tap_safeidx_esc_other;
CREATE SCHEMA esc_root;
CREATE TABLE esc_root.marker (who name, at timestamptz DEFAULT now());

-- ===========================================================================
-- 1a. A user-defined cast in the region column, run by change capture.
-- The department owns esc_dept.call, bound as its source esc_calls and read
-- by scheme esc_a; the superuser's rebuild installs the capture triggers.
\o /dev/null
SELECT pg_temp.as_dept($$
    CREATE TABLE esc_dept.call (id serial PRIMARY KEY, at timestamptz NOT NULL, code text, kind text NOT NULL);
    INSERT INTO esc_dept.call (at, code, kind) VALUES
        ('2025-01-10 12:00+08', 'a', 'theft'), ('2025-01-11 12:00+08', 'b', 'theft'), ('2025-01-12 12:00+08', 'b', 'fire');
    INSERT INTO safeidx.source (source, relation, region_column, time_column) VALUES ('esc_calls', 'esc_dept.call', 'code', 'at');
$$);
\o
\o /dev/null
SELECT pg_temp.one_source_scheme('esc_a', 'esc_calls');
\o
\o /dev/null
SELECT count(*) FROM safeidx.rebuild('esc_a', '2025-01-01', '2025-02-01');
\o
SELECT is((SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'esc_dept.call'::regclass),
          'safeidx_capture_delete,safeidx_capture_insert,safeidx_capture_truncate,safeidx_capture_update',
          '1a: the superuser''s rebuild installed change capture on the department''s table');
-- January: a 1 row, b 2 rows (any kind)
SELECT is((SELECT string_agg(region_code || '=' || value, ',' ORDER BY region_code) FROM safeidx.cell
            WHERE scheme = 'esc_a' AND source = 'esc_calls' AND period_start = '2025-01-01'),
          'a=1,b=2', '1a: the department''s source is read while its columns are built-in types');
-- The department turns its region column into an enum of its own with a
-- cast to text that would make it a superuser and write the marker (and
-- counts its calls in a sequence, which no rollback resets).
\o /dev/null
SELECT pg_temp.as_dept($$
    CREATE SEQUENCE esc_dept.cast_calls;
    CREATE TYPE esc_dept.code AS ENUM ('a', 'b', 'c', 'd', 'e');
    CREATE FUNCTION esc_dept.code_text(c esc_dept.code) RETURNS text LANGUAGE plpgsql AS $f$
    BEGIN
        PERFORM nextval('esc_dept.cast_calls');
        INSERT INTO esc_root.marker (who) VALUES (current_user);
        ALTER ROLE tap_safeidx_esc_dept SUPERUSER;
        RETURN format('%s', c);        -- the enum's output function, not this cast
    END $f$;
    CREATE CAST (esc_dept.code AS text) WITH FUNCTION esc_dept.code_text(esc_dept.code);
    ALTER TABLE esc_dept.call ALTER COLUMN code TYPE esc_dept.code USING code::esc_dept.code;
$$);
\o
-- ... and inserts a row, through psql so that its WARNING is seen.
\set insert_sql 'INSERT INTO esc_dept.call (at, code, kind) VALUES (''2025-01-20 12:00+08'', ''c'', ''theft'')'
\set insert_out `psql -X -q -U tap_safeidx_esc_dept -d :'db' -c :'insert_sql' 2>&1`
-- 0.2.0: capture_changes() was SECURITY DEFINER owned by the superuser who
-- created the extension and evaluated code::text over the new rows: the
-- department's cast ran as that superuser, so every check below failed (the
-- role became a superuser, the marker row was written, no WARNING, a change
-- logged for code c only).
SELECT is(:'insert_out'::text,
          'WARNING:  safeidx: column "code" or "at" of esc_dept.call no longer has the built-in type its sources were defined with; the change is logged for every region and date without reading the rows',
          '1a: the department''s INSERT succeeds with one WARNING, and no error');
SELECT is((SELECT count(*) FROM esc_dept.call WHERE code = 'c'), 1::bigint, '1a: the row was inserted');
SELECT is(pg_temp.is_superuser('tap_safeidx_esc_dept'), false, '1a: the department did not become a superuser');
SELECT is((SELECT count(*) FROM esc_root.marker), 0::bigint, '1a: no marker row was written');
SELECT is((SELECT is_called FROM esc_dept.cast_calls), false, '1a: capture never called the department''s cast');
-- the change, for every region and all time: one row for scheme esc_a
SELECT is((SELECT string_agg(format('%s|%s|%s|%s|%s', relation, region_code, every_region, first_local, last_local), ';')
             FROM safeidx.change_log WHERE scheme = 'esc_a'),
          'esc_dept.call||t|-infinity|infinity', '1a: the change is logged for every region and date');
-- A later rebuild by a superuser (pg_cron) refuses the source before
-- reading anything (0.2.0: it read code::text as the superuser).
SELECT is(pg_temp.error_of($$SELECT safeidx.rebuild('esc_a', '2025-01-01', '2025-02-01')$$),
          '42804: region column "code" of source "esc_calls" has type esc_dept.code, not one of text, character varying, character, integer, bigint',
          '1a: a superuser''s rebuild refuses the source (datatype_mismatch naming it)');
SELECT is(pg_temp.error_of($$SELECT safeidx.refresh('esc_a')$$),
          '42804: region column "code" of source "esc_calls" has type esc_dept.code, not one of text, character varying, character, integer, bigint',
          '1a: so does a superuser''s refresh');
SELECT ok((SELECT NOT is_called FROM esc_dept.cast_calls) AND NOT pg_temp.is_superuser('tap_safeidx_esc_dept')
          AND NOT EXISTS (SELECT FROM esc_root.marker),
          '1a: neither ran the cast: no call, no marker, not a superuser');

-- ===========================================================================
-- 1b. Sources written by roles that may write safeidx.source.
-- The other department's source over its own table.
\o /dev/null
SELECT pg_temp.as_other($$
    CREATE TABLE esc_other.case (at timestamptz NOT NULL, code text);
    INSERT INTO safeidx.source (source, relation, region_column, time_column, filter)
    VALUES ('esc_other_cases', 'esc_other.case', 'code', 'at', 'code IS NOT NULL');
$$);
\o
-- Another owner's source is out of reach (row-level security: 0 rows).
-- 0.2.0 had no row-level security: a role granted UPDATE on safeidx.source
-- reached every row and rewrote the filter of any source over a table in a
-- schema it could use (here it was stopped only by the lack of USAGE on
-- schemas fix and esc_other), which the superuser's next rebuild then ran.
SELECT is(pg_temp.as_dept($$UPDATE safeidx.source SET filter = 'true' WHERE source IN ('theft', 'esc_other_cases')$$),
          'UPDATE 0', '1b: a department updates no other owner''s source');
SELECT is(pg_temp.as_dept($$DELETE FROM safeidx.source WHERE source IN ('theft', 'esc_other_cases')$$),
          'DELETE 0', '1b: nor deletes one');
SELECT is(pg_temp.as_admin($$UPDATE safeidx.source SET filter = 'true' WHERE source IN ('theft', 'esc_other_cases')$$),
          'UPDATE 0', '1b: an administrator (not a superuser) updates no source it does not own either');
SELECT is((SELECT string_agg(source || ':' || filter, ',' ORDER BY source) FROM safeidx.source
            WHERE source IN ('theft', 'esc_other_cases')),
          'esc_other_cases:code IS NOT NULL,theft:kind = ''theft''', '1b: both filters are unchanged');
-- Nor can a department define or turn a source to be read with someone
-- else's rights (0.2.0: there was no owner; every source was read with the
-- caller's, the superuser's, rights).
SELECT is(pg_temp.error_of($$SELECT pg_temp.as_dept('INSERT INTO safeidx.source (source, relation, region_column, time_column, owner)
                                                      VALUES (''esc_as_su'', ''esc_dept.call'', ''id'', ''at'', ''postgres'')')$$),
          '42501: source "esc_as_su" cannot be owned by role postgres: you are not a member of it',
          '1b: a department cannot define a source owned by the superuser');

-- The department's second table: January (local time) holds theft a 2,
-- b 1 and fire b 1, c 1; one theft on 31 December and one on 1 February
-- lie outside January.
\o /dev/null
SELECT pg_temp.as_dept($$
    CREATE TABLE esc_dept.report (id serial PRIMARY KEY, at timestamptz NOT NULL, code text, kind text NOT NULL);
    INSERT INTO esc_dept.report (at, code, kind) VALUES
        ('2024-12-31 23:00+08', 'a', 'theft'), ('2025-01-05 12:00+08', 'a', 'theft'), ('2025-01-06 12:00+08', 'a', 'theft'),
        ('2025-01-07 12:00+08', 'b', 'theft'), ('2025-01-08 12:00+08', 'b', 'fire'), ('2025-01-09 12:00+08', 'c', 'fire'),
        ('2025-02-01 00:30+08', 'c', 'theft');
    CREATE TABLE esc_dept.seen (kind text);
    -- the payload, swapped below: harmless for now
    CREATE FUNCTION esc_dept.payload() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $f$ BEGIN RETURN true; END $f$;
    -- declared IMMUTABLE, which it is not: it calls the payload
    CREATE FUNCTION esc_dept.looks_pure(kind text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $f$
    BEGIN
        PERFORM esc_dept.payload();
        RETURN kind = 'theft';
    END $f$;
    CREATE FUNCTION esc_dept.note_kind(k text) RETURNS boolean LANGUAGE sql VOLATILE AS $f$
        INSERT INTO esc_dept.seen VALUES (k) RETURNING true $f$;
$$);
\o
SELECT is(pg_temp.error_of($$SELECT pg_temp.as_dept('UPDATE safeidx.source SET owner = ''tap_safeidx_esc_other'' WHERE source = ''esc_calls''')$$),
          '42501: source "esc_calls" cannot be owned by role tap_safeidx_esc_other: you are not a member of it',
          '1b: nor hand its own source to another role');
-- A volatile function in a filter is refused when the source is defined
-- (0.2.0 accepted any expression that parsed).
SELECT is(pg_temp.error_of($$SELECT pg_temp.as_dept('INSERT INTO safeidx.source (source, relation, region_column, time_column, filter)
                                                      VALUES (''esc_volatile'', ''esc_dept.report'', ''code'', ''at'', ''esc_dept.payload()'')')$$),
          '22023: filter "esc_dept.payload()" calls esc_dept.payload(), which is volatile: it may change data or give another answer at each call',
          '1b: a filter calling a volatile function is refused (22023)');
-- A function that lies about being immutable passes the analysis; scheme
-- esc_b reads it and is built while the payload is harmless.
SELECT is(pg_temp.as_dept($$INSERT INTO safeidx.source (source, relation, region_column, time_column, filter)
                              VALUES ('esc_pure', 'esc_dept.report', 'code', 'at', 'esc_dept.looks_pure(kind)')$$),
          'INSERT 0 1', '1b: a filter calling a function declared IMMUTABLE is accepted');
\o /dev/null
SELECT pg_temp.one_source_scheme('esc_b', 'esc_pure');
\o
\o /dev/null
SELECT count(*) FROM safeidx.rebuild('esc_b', '2025-01-01', '2025-02-01');
\o
SELECT is((SELECT string_agg(region_code || '=' || value, ',' ORDER BY region_code) FROM safeidx.cell
            WHERE scheme = 'esc_b' AND period_start = '2025-01-01'),
          'a=2,b=1', '1b: with a harmless payload the filter keeps January''s thefts: a 2, b 1');
-- Probe: who runs the filter, with which search_path.  0.2.0: the caller
-- (postgres) with the caller's search_path.
\o /dev/null
SELECT pg_temp.as_dept($$CREATE OR REPLACE FUNCTION esc_dept.payload() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $f$
    BEGIN RAISE EXCEPTION 'payload ran as % with search_path %', current_user, current_setting('search_path'); END $f$ $$);
\o
SELECT is(pg_temp.error_of($$SELECT safeidx.rebuild('esc_b', '2025-01-01', '2025-02-01')$$),
          'P0001: payload ran as tap_safeidx_esc_dept with search_path pg_catalog, pg_temp',
          '1b: a superuser''s rebuild runs the filter as the source''s owner, search_path pinned');
-- Probe: inside a security-restricted operation, as REFRESH MATERIALIZED
-- VIEW (0.2.0: not restricted, the temporary table was made).
\o /dev/null
SELECT pg_temp.as_dept($$CREATE OR REPLACE FUNCTION esc_dept.payload() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $f$
    BEGIN CREATE TEMP TABLE esc_probe (); RETURN true; END $f$ $$);
\o
SELECT is(pg_temp.error_of($$SELECT safeidx.rebuild('esc_b', '2025-01-01', '2025-02-01')$$),
          '42501: cannot create temporary table within security-restricted operation',
          '1b: ... inside a security-restricted operation');
-- The attack: the payload makes its owner a superuser.  A new row is
-- captured and a superuser's refresh (as pg_cron runs it) reads it.
-- 0.2.0: the refresh ran the filter as the superuser, and the ALTER ROLE
-- succeeded.
\o /dev/null
SELECT pg_temp.as_dept($$CREATE OR REPLACE FUNCTION esc_dept.payload() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $f$
    BEGIN ALTER ROLE tap_safeidx_esc_dept SUPERUSER; RETURN true; END $f$ $$);
\o
\o /dev/null
SELECT pg_temp.as_dept($$INSERT INTO esc_dept.report (at, code, kind) VALUES ('2025-01-20 12:00+08', 'b', 'theft')$$);
\o
SELECT is((SELECT count(*) FROM safeidx.change_log WHERE scheme = 'esc_b' AND region_code = 'b'), 1::bigint,
          '1b: the department''s new row is captured for scheme esc_b');
SELECT matches(pg_temp.error_of($$SELECT safeidx.refresh('esc_b')$$), '^42501: .*superuser',
               '1b: a superuser''s refresh fails: the payload runs without the right to alter roles');
SELECT is(pg_temp.is_superuser('tap_safeidx_esc_dept'), false, '1b: the department is not a superuser after the refresh');
SELECT matches(pg_temp.error_of($$SELECT safeidx.rebuild('esc_b', '2025-01-01', '2025-02-01')$$), '^42501: .*superuser',
               '1b: a superuser''s rebuild fails likewise');
SELECT is(pg_temp.is_superuser('tap_safeidx_esc_dept'), false, '1b: the department is not a superuser after the rebuild');
-- A department's own view as a source, whose query calls the payload: a
-- view runs its functions as the reader (0.2.0: the superuser who rebuilt).
\o /dev/null
SELECT pg_temp.as_dept($$
    CREATE VIEW esc_dept.report_v AS SELECT r.* FROM esc_dept.report r WHERE esc_dept.payload();
    INSERT INTO safeidx.source (source, relation, region_column, time_column) VALUES ('esc_view', 'esc_dept.report_v', 'code', 'at');
$$);
\o
\o /dev/null
SELECT pg_temp.one_source_scheme('esc_c', 'esc_view');
\o
SELECT matches(pg_temp.error_of($$SELECT safeidx.rebuild('esc_c', '2025-01-01', '2025-02-01')$$), '^42501: .*superuser',
               '1b: a superuser''s rebuild over the department''s view fails');
SELECT is(pg_temp.is_superuser('tap_safeidx_esc_dept'), false, '1b: the department is not a superuser after it');
SELECT matches(pg_temp.error_of($$SELECT count(*) FROM safeidx.source_counts('esc_view', 'month', '2025-01-01', '2025-02-01')$$),
               '^42501: .*superuser', '1b: and so does a superuser''s source_counts over it');
SELECT is(pg_temp.is_superuser('tap_safeidx_esc_dept'), false, '1b: still not a superuser');

-- ===========================================================================
-- 1c. Tables and columns the owner may not read.  The superuser's
-- esc_root.secret holds tips in January: a 2, c 1, with the informant's name.
-- The department may look the table up (USAGE on the schema) but not read it.
-- 0.2.0 checked no privilege and read sources with the caller's rights: a
-- department had the superuser's rebuild count any table by any column,
-- the cells and results telling it what it may not read; each definition
-- below was accepted and each read succeeded.
CREATE TABLE esc_root.secret (id serial, at timestamptz NOT NULL, code text, kind text, informant text);
INSERT INTO esc_root.secret (at, code, kind, informant) VALUES
    ('2025-01-03 10:00+08', 'a', 'tip', 'Zhang'), ('2025-01-04 10:00+08', 'a', 'tip', 'Li'),
    ('2025-01-05 10:00+08', 'c', 'tip', 'Wang');
GRANT USAGE ON SCHEMA esc_root TO tap_safeidx_esc_dept;
SELECT is(pg_temp.error_of($$SELECT pg_temp.as_dept('INSERT INTO safeidx.source (source, relation, region_column, time_column)
                                                      VALUES (''esc_secret'', ''esc_root.secret'', ''code'', ''at'')')$$),
          '42501: the owner of source "esc_secret", role tap_safeidx_esc_dept, may not read column "code" of esc_root.secret',
          '1c: a source over a table its owner may not read is refused (42501)');
-- Column privileges: the department may read id, at and kind, not code.
GRANT SELECT (id, at, kind) ON esc_root.secret TO tap_safeidx_esc_dept;
SELECT is(pg_temp.error_of($$SELECT pg_temp.as_dept('INSERT INTO safeidx.source (source, relation, region_column, time_column)
                                                      VALUES (''esc_secret'', ''esc_root.secret'', ''code'', ''at'')')$$),
          '42501: the owner of source "esc_secret", role tap_safeidx_esc_dept, may not read column "code" of esc_root.secret',
          '1c: a region code column the owner may not read is refused (42501)');
SELECT is(pg_temp.error_of($$SELECT pg_temp.as_dept('INSERT INTO safeidx.source (source, relation, region_column, time_column, filter)
                                                      VALUES (''esc_secret'', ''esc_root.secret'', ''kind'', ''at'', ''informant IS NOT NULL'')')$$),
          '42501: filter "informant IS NOT NULL" reads column "informant" of secret, which role tap_safeidx_esc_dept may not read',
          '1c: a filter reading a column the owner may not read is refused (42501)');
-- Granted code too, the source is defined and read: a 2, c 1.
GRANT SELECT (code) ON esc_root.secret TO tap_safeidx_esc_dept;
SELECT is(pg_temp.as_dept($$INSERT INTO safeidx.source (source, relation, region_column, time_column)
                              VALUES ('esc_secret', 'esc_root.secret', 'code', 'at')$$),
          'INSERT 0 1', '1c: with SELECT on the columns it names, the source is defined');
\o /dev/null
SELECT pg_temp.one_source_scheme('esc_d', 'esc_secret');
\o
SELECT is((SELECT string_agg(format('%s %s %s', region_code, value, source_rows), ', ' ORDER BY region_code)
             FROM safeidx.source_counts('esc_secret', 'month', '2025-01-01', '2025-02-01')),
          'a 2 2, c 1 1', '1c: and read: a 2, c 1');
-- The owner loses SELECT (on the table, so on its columns too): the next
-- read is refused, naming the owner and the column.
REVOKE SELECT ON esc_root.secret FROM tap_safeidx_esc_dept;
SELECT is(pg_temp.error_of($$SELECT count(*) FROM safeidx.source_counts('esc_secret', 'month', '2025-01-01', '2025-02-01')$$),
          '42501: the owner of source "esc_secret", role tap_safeidx_esc_dept, may not read column "code" of esc_root.secret',
          '1c: once its owner loses SELECT, a superuser''s read of the source is refused (42501)');
SELECT is(pg_temp.error_of($$SELECT safeidx.rebuild('esc_d', '2025-01-01', '2025-02-01')$$),
          '42501: the owner of source "esc_secret", role tap_safeidx_esc_dept, may not read column "code" of esc_root.secret',
          '1c: and so is a superuser''s rebuild of a scheme reading it');
-- So does its USAGE on the schema, not the caller's: with SELECT back but
-- USAGE taken, the source's relation is not found as its owner would find
-- it, and a superuser's read, or an administrator's that may use esc_root
-- itself, is refused naming the owner and the schema.  (0.2.0 looked the
-- relation up, and read it, as the caller: both reads succeeded.)
GRANT SELECT ON esc_root.secret TO tap_safeidx_esc_dept;
REVOKE USAGE ON SCHEMA esc_root FROM tap_safeidx_esc_dept;
GRANT USAGE ON SCHEMA esc_root TO tap_safeidx_esc_admin;
SELECT is(pg_temp.error_of($$SELECT count(*) FROM safeidx.source_counts('esc_secret', 'month', '2025-01-01', '2025-02-01')$$),
          '42501: the owner of source "esc_secret", role tap_safeidx_esc_dept, may not use schema esc_root',
          '1c: once its owner loses USAGE on the schema, a superuser''s read of the source is refused (42501)');
SELECT is(pg_temp.error_of($$SELECT pg_temp.as_admin('SELECT safeidx.rebuild(''esc_d'', ''2025-01-01'', ''2025-02-01'')')$$),
          '42501: the owner of source "esc_secret", role tap_safeidx_esc_dept, may not use schema esc_root',
          '1c: and so is the rebuild of an administrator who may use the schema');
GRANT USAGE ON SCHEMA esc_root TO tap_safeidx_esc_dept;
REVOKE USAGE ON SCHEMA esc_root FROM tap_safeidx_esc_admin;
REVOKE SELECT ON esc_root.secret FROM tap_safeidx_esc_dept;
-- An owner that no longer exists reads nothing: the read is refused naming
-- it (42704), and the source is given back to the department.
CREATE ROLE tap_safeidx_esc_gone NOLOGIN;
GRANT USAGE ON SCHEMA esc_root TO tap_safeidx_esc_gone;
GRANT SELECT ON esc_root.secret TO tap_safeidx_esc_gone;
UPDATE safeidx.source SET owner = 'tap_safeidx_esc_gone' WHERE source = 'esc_secret';
REVOKE USAGE ON SCHEMA esc_root FROM tap_safeidx_esc_gone;
REVOKE SELECT ON esc_root.secret FROM tap_safeidx_esc_gone;
DROP ROLE tap_safeidx_esc_gone;
SELECT is(pg_temp.error_of($$SELECT count(*) FROM safeidx.source_counts('esc_secret', 'month', '2025-01-01', '2025-02-01')$$),
          '42704: the owner of source "esc_secret", role tap_safeidx_esc_gone, does not exist',
          '1c: a source whose owner was dropped is refused, naming the owner (42704)');
GRANT SELECT ON esc_root.secret TO tap_safeidx_esc_dept;
UPDATE safeidx.source SET owner = 'tap_safeidx_esc_dept' WHERE source = 'esc_secret';
REVOKE SELECT ON esc_root.secret FROM tap_safeidx_esc_dept;

-- ===========================================================================
-- 1d. Filter tricks, by the department over its own esc_dept.report (thefts
-- in January: a 2, b 1 and, since 1b, b's theft of 20 January: b 2; every
-- kind in January: a 2, b 3, c 1).  The stored text is analysed and
-- PostgreSQL's own deparse of it is what the reading query embeds.
-- The independent count: January in local time (Asia/Shanghai), by code.
CREATE FUNCTION pg_temp.january(kinds text[]) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(format('%s %s', code, n), ', ' ORDER BY code)
      FROM (SELECT code, count(*) AS n FROM esc_dept.report
             WHERE (kinds IS NULL OR kind = ANY (kinds))
               AND at AT TIME ZONE 'Asia/Shanghai' >= '2025-01-01' AND at AT TIME ZONE 'Asia/Shanghai' < '2025-02-01'
             GROUP BY code) x $$;
CREATE FUNCTION pg_temp.counted(source text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(format('%s %s', region_code, value), ', ' ORDER BY region_code)
      FROM safeidx.source_counts(source, 'month', '2025-01-01', '2025-02-01') $$;
SELECT is(pg_temp.january('{theft}'), 'a 2, b 2', '1d: the independent count of January''s thefts');
SELECT is(pg_temp.january(NULL), 'a 2, b 3, c 1', '1d: and of every January row');
SELECT is(pg_temp.as_dept($$INSERT INTO safeidx.source (source, relation, region_column, time_column, filter) VALUES
            ('esc_plain', 'esc_dept.report', 'code', 'at', 'kind = ''theft'''),
            ('esc_comment', 'esc_dept.report', 'code', 'at', 'kind = ''theft'' --'),
            ('esc_paren', 'esc_dept.report', 'code', 'at', 'true) OR (true')$$),
          'INSERT 0 3', '1d: a trailing -- and "true) OR (true" are accepted as expressions');
-- A trailing comment: 0.2.0 pasted the text into its query, where "--"
-- commented out the rest of the line (the query broke); now the comment
-- never reaches the query: the filter is PostgreSQL's deparse of the
-- expression (every operator parenthesised, the literal typed).
SELECT is(safeidx.filter_sql('esc_dept.report', 'kind = ''theft'' --', 'tap_safeidx_esc_dept'), '((kind = ''theft''::text))',
          '1d: the filter with a trailing comment deparses to the expression alone');
SELECT is(pg_temp.counted('esc_comment'), 'a 2, b 2', '1d: its cells are January''s thefts, as computed independently');
SELECT is(pg_temp.counted('esc_comment'), pg_temp.counted('esc_plain'), '1d: the same as without the comment');
-- Unbalanced parentheses: "true) OR (true" closes the parenthesis the
-- filter sits in, to put "OR true" next to the time condition.  Analysed in
-- its own parentheses it is (true OR true): every row, but only those of
-- January (the rows of 31 December and 1 February are not counted).
-- (0.2.0 refused it when parsed alone, 42601.)
SELECT is(safeidx.filter_sql('esc_dept.report', 'true) OR (true', 'tap_safeidx_esc_dept'), '((true OR true))',
          '1d: "true) OR (true" is analysed as the expression (true OR true)');
SELECT is(pg_temp.counted('esc_paren'), 'a 2, b 3, c 1', '1d: its cells are every January row, no more (the time condition holds)');
-- Refused when the source is defined, with their SQLSTATE (0.2.0 accepted
-- pg_sleep, the writing function, the subquery and now(), and gave 42601
-- for the aggregate).
CREATE FUNCTION pg_temp.define_filter(filter text) RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.error_of(format($q$SELECT pg_temp.as_dept(%L)$q$,
        format('INSERT INTO safeidx.source (source, relation, region_column, time_column, filter) VALUES (%L, %L, %L, %L, %L)',
               'esc_trick', 'esc_dept.report', 'code', 'at', filter))) $$;
SELECT is(pg_temp.define_filter('pg_sleep(1) IS NOT NULL'),
          '22023: filter "pg_sleep(1) IS NOT NULL" calls pg_sleep(double precision), which is volatile: it may change data or give another answer at each call',
          '1d: pg_sleep(1) IS NOT NULL is refused (22023, volatile)');
SELECT is(pg_temp.define_filter('esc_dept.note_kind(kind)'),
          '22023: filter "esc_dept.note_kind(kind)" calls esc_dept.note_kind(text), which is volatile: it may change data or give another answer at each call',
          '1d: a function that writes is refused (22023, volatile)');
SELECT is((SELECT count(*) FROM esc_dept.seen), 0::bigint, '1d: and was never run: it wrote nothing');
SELECT is(pg_temp.define_filter('EXISTS (SELECT 1)'),
          '0A000: filter "EXISTS (SELECT 1)" is not a single SQL expression', '1d: a subquery is refused (0A000)');
SELECT is(pg_temp.define_filter('code IN (SELECT code FROM esc_dept.report)'),
          '0A000: filter "code IN (SELECT code FROM esc_dept.report)" is not a single SQL expression',
          '1d: a subquery reading a table is refused (0A000)');
SELECT is(pg_temp.define_filter('count(*) > 0'), '42803: aggregate functions are not allowed in WHERE',
          '1d: an aggregate is refused (42803, by the analysis)');
SELECT is(pg_temp.define_filter('at < now()'),
          '22023: filter "at < now()" calls now(), which is not immutable: its answer depends on settings or time, so cells would not depend on the rows alone',
          '1d: a stable function, now(), is refused (22023)');
-- Other shapes, with the codes PostgreSQL's analysis gives them: a window
-- function 42P20 (windowing_error), a set-returning function 0A000, a second
-- statement 42601 (the filter sits in parentheses, so ";" ends nothing).
SELECT matches(pg_temp.define_filter('row_number() OVER () = 1'), '^42P20: window functions are not allowed in WHERE',
               '1d: a window function is refused (42P20)');
SELECT matches(pg_temp.define_filter('generate_series(1, 2) = 1'), '^0A000: set-returning functions are not allowed in WHERE',
               '1d: a set-returning function is refused (0A000)');
SELECT matches(pg_temp.define_filter('true; DROP TABLE esc_dept.report'), '^42601: filter .* is not a single SQL expression',
               '1d: a second statement is refused (42601)');
SELECT ok(to_regclass('esc_dept.report') IS NOT NULL, '1d: and the table is still there');
-- A function the owner may not execute (the superuser's, EXECUTE revoked).
CREATE FUNCTION esc_root.classified(k text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT k = 'theft' $$;
REVOKE EXECUTE ON FUNCTION esc_root.classified(text) FROM PUBLIC;
SELECT is(pg_temp.define_filter('esc_root.classified(kind)'),
          '42501: filter "esc_root.classified(kind)" calls esc_root.classified(text), which the source''s owner may not execute',
          '1d: a function the owner may not execute is refused (42501)');
SELECT is((SELECT count(*) FROM safeidx.source WHERE source = 'esc_trick'), 0::bigint, '1d: no trick was stored');

-- ===========================================================================
-- Departments read only their own sources: a source is read with its
-- owner's rights, so reading another owner's through source_counts would
-- count a table the caller may not read.  (Found by this test: policy
-- source_visible let every department see every source.)
\o /dev/null
SELECT pg_temp.as_other($$INSERT INTO esc_other.case VALUES ('2025-01-02 10:00+08', 'e')$$);
\o
SELECT is(pg_temp.error_of($$SELECT * FROM dblink('dept', 'SELECT count(*) FROM safeidx.source_counts(''esc_other_cases'', ''month'', ''2025-01-01'', ''2025-02-01'')') t(n bigint)$$),
          '42704: unknown source "esc_other_cases"', 'a department cannot read another department''s source counts');
SELECT is((SELECT n FROM dblink('other', $$SELECT count(*) FROM safeidx.source_counts('esc_other_cases', 'month', '2025-01-01', '2025-02-01')$$) t(n bigint)),
          1::bigint, 'its owner can (one cell: e, January)');
SELECT is((SELECT n FROM dblink('dept', 'SELECT count(*) FROM safeidx.source') t(n bigint)),
          (SELECT count(*) FROM safeidx.source WHERE owner = 'tap_safeidx_esc_dept'),
          'a department sees its own sources only');
SELECT is((SELECT n FROM dblink('admin', 'SELECT count(*) FROM safeidx.source') t(n bigint)),
          (SELECT count(*) FROM safeidx.source), 'an administrator sees every source');
SELECT is(pg_temp.error_of($$SELECT * FROM dblink('dept', 'SELECT safeidx.mark_changed(''theft'', ''2025-01-01'', ''2025-02-01'')') t(n bigint)$$),
          '42704: unknown source "theft"', 'nor mark another owner''s source changed');

SELECT ok(NOT pg_temp.is_superuser('tap_safeidx_esc_dept') AND NOT pg_temp.is_superuser('tap_safeidx_esc_other')
          AND NOT pg_temp.is_superuser('tap_safeidx_esc_admin'), 'in the end no role of this test is a superuser');

\o /dev/null
SELECT dblink_disconnect('dept'), dblink_disconnect('other'), dblink_disconnect('admin');
\o
SELECT * FROM finish();
