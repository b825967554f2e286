-- Releases are tamper-evident; the public view leaks no superseded revision
-- (issue 9).  Run by test/tap/security_release.sh in database safeidx_rel
-- (safeidx, pgtap, dblink, the engine fixture built: scheme fix, months
-- January to March 2025), as the superuser, without an enclosing
-- transaction (the other roles' sessions must see the releases).
--
-- The series fix_monthly (numbers from 21), published in this order:
--   A = 21.1  January
--   B = 22.1  February
--   C = 23.1  March
--   D = 22.2  February corrected after a late theft (test/fixtures/late_theft.sql)
-- Each checksum chains to the one published just before: A <- B <- C <- D.
-- Tampering happens as someone editing the tables behind safeidx's back
-- would: the superuser under session_replication_role = replica (the
-- triggers freezing released rows are off), one change at a time, each
-- undone afterwards (the change is made in a subtransaction rolled back
-- once verify_chain and verify_release have looked at it).
\set ON_ERROR_STOP 1
\i test/lib/dblink.sql
SET client_min_messages = warning;
SELECT current_database() AS db \gset

SELECT plan(99);

\o /dev/null
INSERT INTO safeidx.release_series (series, scheme, period, title_zh, first_number)
VALUES ('fix_monthly', 'fix', 'month', '平安指数月报', 21);
SELECT safeidx.publish_release('fix_monthly', '2025-01-01');
SELECT safeidx.publish_release('fix_monthly', '2025-02-01');
SELECT safeidx.publish_release('fix_monthly', '2025-03-01');
\ir ../fixtures/late_theft.sql
SELECT safeidx.rebuild('fix', '2025-01-01', '2025-04-01');
SELECT safeidx.correct_release('fix_monthly', 22, '公安补报一起盗窃警情 (late police report)');
SELECT safeidx.grant_access('tap_safeidx_rel_admin', 'admin'), safeidx.grant_access('tap_safeidx_rel_public', 'public');
\o

-- chain(series): verify_chain's problems as 'number.revision problem, ...'
-- ('' when intact); verified(series, number, revision): verify_release's
-- rows as 'region/node what[ released->recomputed], ...'.
CREATE FUNCTION pg_temp.chain(s text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(format('%s.%s %s', number, revision, problem), ', ' ORDER BY number, revision, problem), '')
      FROM safeidx.verify_chain(s) $$;
CREATE FUNCTION pg_temp.verified(s text, n integer, r integer) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(format('%s/%s %s%s', coalesce(region_code, '-'), coalesce(node, '-'), what,
                                      CASE WHEN what <> 'checksum'
                                           THEN format(' %s->%s', coalesce(released, 'NULL'), coalesce(recomputed, 'NULL')) END),
                               ', ' ORDER BY region_code NULLS FIRST, node NULLS FIRST, what), '')
      FROM safeidx.verify_release(s, n, r) $$;
-- tampered(sql, series, number, revision): runs sql under
-- session_replication_role = replica, then returns chain(series) and
-- verified(series, number, revision) (when number is given), and undoes sql.
CREATE FUNCTION pg_temp.tampered(sql text, s text, n integer DEFAULT NULL, r integer DEFAULT NULL,
                                 OUT chain text, OUT verified text) LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        PERFORM set_config('session_replication_role', 'replica', true);
        EXECUTE sql;
        PERFORM set_config('session_replication_role', 'origin', true);
        chain := pg_temp.chain(s);
        IF n IS NOT NULL THEN
            verified := pg_temp.verified(s, n, r);
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'SIDX9', MESSAGE = 'undo';
    EXCEPTION WHEN SQLSTATE 'SIDX9' THEN
        NULL;
    END;
END $$;

-- Intact to begin with.
SELECT is(pg_temp.chain('fix_monthly'), '', 'the series is intact: no chain problem');
SELECT is(ARRAY(SELECT format('%s.%s %s', number, revision, coalesce(previous_checksum = (
                    SELECT p.checksum FROM safeidx.release p WHERE p.series = r.series AND p.released_at < r.released_at
                     ORDER BY p.released_at DESC LIMIT 1), previous_checksum IS NULL)::text)
                  FROM safeidx.release r ORDER BY released_at),
          ARRAY['21.1 true', '22.1 true', '23.1 true', '22.2 true'],
          'published A, B, C, D in that order, each chained to the one before (A to none)');
SELECT is(pg_temp.verified('fix_monthly', 22, 2), '', 'D (22.2) is reproduced from the departmental tables exactly');
SELECT is(pg_temp.verified('fix_monthly', 23, 1), '', 'C (23.1) too (March reads no February theft: no baseline of it)');

-- ---------------------------------------------------------------------------
-- The public view, read by the public role with a leaky function of its own
-- (RAISE NOTICE of its arguments, the lowest cost, so that the planner would
-- run it first, below the view's conditions if it could).  B (22.1) is
-- superseded by D: its row d (index 12.5722, shown with the 4 decimals of its version) must never reach
-- the function.  The NOTICEs are read from psql's output.  A copy of the
-- view without security_barrier, granted to the same role, is the negative
-- control: there the function, given columns of the released rows alone,
-- runs on rows the view does not return (the superseded revision's, as on
-- 0.2.0, whose public_result was no security barrier).  (Given the index,
-- shown with the decimals of the scheme version, it would not: the index
-- needs the version, which only the latest revisions join.)
CREATE SCHEMA rel_probe;
SELECT format('CREATE VIEW rel_probe.no_barrier AS %s', pg_get_viewdef('safeidx.public_result')) AS no_barrier_sql \gset
:no_barrier_sql
GRANT USAGE ON SCHEMA rel_probe TO tap_safeidx_rel_public;
GRANT SELECT ON rel_probe.no_barrier TO tap_safeidx_rel_public;
\set leak 'CREATE FUNCTION pg_temp.leak(code text, idx text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS $f$ BEGIN RAISE NOTICE ''saw % %'', code, idx; RETURN true; END $f$; '
\set leak_view :leak 'SELECT count(*) FROM safeidx.public_result WHERE pg_temp.leak(region_code, index::text)'
\set leak_copy :leak 'SELECT count(*) FROM rel_probe.no_barrier WHERE pg_temp.leak(region_code, region_zh)'
\set seen_view `psql -X -q -At -U tap_safeidx_rel_public -d :'db' -c :'leak_view' 2>&1`
\set seen_copy `psql -X -q -At -U tap_safeidx_rel_public -d :'db' -c :'leak_copy' 2>&1`
CREATE FUNCTION pg_temp.seen(out_text text) RETURNS text[] LANGUAGE sql AS $$
    SELECT ARRAY(SELECT DISTINCT m[1] FROM regexp_matches(out_text, 'NOTICE:  saw ([^\n]*)', 'g') m ORDER BY 1) $$;
CREATE FUNCTION pg_temp.calls(out_text text) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM regexp_matches(out_text, 'NOTICE:  saw ([^\n]*)', 'g') $$;
-- 22.1's row d as the view would show it (index with the version's decimals)
SELECT 'd ' || round(x.index::numeric, v.index_decimals) AS row_d_221
  FROM safeidx.release_result x
  JOIN safeidx.release l USING (series, number, revision)
  JOIN safeidx.release_series s USING (series)
  JOIN safeidx.scheme_version v ON v.scheme = s.scheme AND v.version = l.version
 WHERE x.series = 'fix_monthly' AND x.number = 22 AND x.revision = 1 AND x.region_code = 'd' \gset
SELECT ok(NOT :'row_d_221' = ANY (ARRAY(SELECT region_code || ' ' || index FROM safeidx.public_result)),
          'row d of 22.1 as shown differs from every row the view returns (so that seeing it is telling)');
-- Expected: exactly the (region, index) pairs the view returns, latest
-- revisions: 21.1, 22.2 and 23.1, seven regions each.
SELECT is(pg_temp.seen(:'seen_view'),
          ARRAY(SELECT DISTINCT region_code || ' ' || index FROM safeidx.public_result ORDER BY 1),
          'public role: its leaky function sees only the rows public_result returns');
SELECT ok(NOT :'row_d_221' = ANY (pg_temp.seen(:'seen_view')), 'public role: it never sees row d of the superseded revision 22.1');
SELECT is(split_part(:'seen_view', E'\n', -1), '21', 'public role: the view returns 21 rows (3 releases x 7 regions)');
SELECT is(pg_temp.calls(:'seen_view'), 21::bigint, 'public role: its function runs once per row returned, on no other');
SELECT is(pg_temp.calls(:'seen_copy'), (SELECT count(*) FROM safeidx.release_result WHERE series = 'fix_monthly'),
          'negative control: without security_barrier a function of the released rows'' columns runs on every released row, superseded ones too (28 = 4 revisions x 7 regions)');
SELECT is((SELECT count(*) FROM safeidx.release_result WHERE series = 'fix_monthly'), 28::bigint,
          'the series holds 4 revisions of 7 regions');

-- ---------------------------------------------------------------------------
-- Every column of release, tampered in D (22.2).  Expected (verify_chain):
-- D's checksum no longer matches; for number and revision also the
-- revision check (D is then 98.2 or 22.3, with no revision 1 of 98, or 2
-- of 22, before it); for previous_checksum also its link.  D moved to
-- another series vanishes from fix_monthly (it was the last: nothing
-- links to it) and shows there its checksum, its broken link and a
-- revision 2 without a revision 1.
-- verify_release names the checksum, and the version where that is
-- tampered (its one published column besides the rows).
CREATE TEMP TABLE release_case (col text, new_value text, series text, number integer, revision integer, expected_chain text);
INSERT INTO release_case VALUES
    ('series', '''fix_forged''', 'fix_forged', NULL, NULL, '22.2 chain, 22.2 checksum, 22.2 revision'),
    ('number', '98', 'fix_monthly', 98, 2, '98.2 checksum, 98.2 revision'),
    ('revision', '3', 'fix_monthly', 22, 3, '22.3 checksum, 22.3 revision'),
    ('period_start', '''2025-03-01''', 'fix_monthly', 22, 2, '22.2 checksum'),
    ('version', '''v1*''', 'fix_monthly', 22, 2, '22.2 checksum'),
    ('released_at', 'released_at + interval ''1 second''', 'fix_monthly', 22, 2, '22.2 checksum'),
    ('released_by', '''intruder''', 'fix_monthly', 22, 2, '22.2 checksum'),
    ('reason', 'reason || ''*''', 'fix_monthly', 22, 2, '22.2 checksum'),
    ('watermark', 'watermark - interval ''1 second''', 'fix_monthly', 22, 2, '22.2 checksum'),
    ('checksum', 'md5(checksum) || md5(checksum)', 'fix_monthly', 22, 2, '22.2 checksum'),
    ('previous_checksum', 'md5(previous_checksum) || md5(previous_checksum)', 'fix_monthly', 22, 2, '22.2 chain, 22.2 checksum'),
    ('checksum_version', '1', 'fix_monthly', 22, 2, '22.2 checksum'),
    ('completeness', '''incomplete''', 'fix_monthly', 22, 2, '22.2 checksum');
SELECT is(ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = 'safeidx.release'::regclass AND attnum > 0
                   AND NOT attisdropped AND attname NOT IN (SELECT col FROM release_case) ORDER BY attnum),
          '{}'::text[], 'every column of release is tampered with below');
CREATE TEMP TABLE release_result AS
SELECT c.*, (pg_temp.tampered(format('UPDATE safeidx.release SET %I = %s WHERE (series, number, revision) = (''fix_monthly'', 22, 2)',
                                     c.col, c.new_value), c.series, c.number, c.revision)).*
  FROM release_case c;
SELECT is(r.chain, c.expected_chain, format('release.%s tampered: verify_chain reports %s', c.col, c.expected_chain))
  FROM release_case c JOIN release_result r USING (col) ORDER BY c.col;
SELECT is(r.verified ~ '(^|, )-/- checksum(,|$)', true, format('release.%s tampered: verify_release reports the checksum', c.col))
  FROM release_case c JOIN release_result r USING (col) WHERE c.number IS NOT NULL ORDER BY c.col;
SELECT is((SELECT verified FROM release_result WHERE col = 'version'), '-/- checksum, -/- version v1*->v1',
          'release.version tampered: verify_release names the version, released v1* against v1');
SELECT is(pg_temp.chain('fix_monthly'), '', 'every change undone: the series is intact again');

-- ---------------------------------------------------------------------------
-- Every column of release_result and release_indicator, tampered in D's row
-- of community a (node theft): numbers plus one, texts with '*' appended,
-- keys moved (the row then leaves D).  Expected: D's checksum fails, and
-- verify_release names the column with the tampered value against the
-- recomputed one, read here from the row before tampering; a changed key
-- shows as the row missing (a) and, for region_code and node, a row that
-- should not be there (a*, theft*).
CREATE FUNCTION pg_temp.changed(col text, typ regtype) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN typ IN ('text'::regtype, 'name'::regtype) THEN format('%I || ''*''', col)
                WHEN col = 'series' THEN '''fix_forged''' ELSE format('%I + 1', col) END $$;
CREATE TEMP TABLE row_case AS
SELECT t.tab, a.attname::text AS col, a.atttypid::regtype AS typ, a.attnum,
       format('(series, number, revision, region_code%s) = (''fix_monthly'', 22, 2, ''a''%s)',
              CASE WHEN t.tab = 'release_indicator' THEN ', node' ELSE '' END,
              CASE WHEN t.tab = 'release_indicator' THEN ', ''theft''' ELSE '' END) AS cond,
       NULL::text AS original, NULL::text AS tampered
  FROM (VALUES ('release_result'), ('release_indicator')) t(tab)
  JOIN pg_attribute a ON a.attrelid = ('safeidx.' || t.tab)::regclass AND a.attnum > 0 AND NOT a.attisdropped;
-- The value before and after, as verify_release prints values (JSON text).
DO $$
DECLARE
    c record;
    o text;
    t text;
BEGIN
    FOR c IN SELECT * FROM row_case LOOP
        EXECUTE format('SELECT to_jsonb(%1$I) #>> ''{}'', to_jsonb(%2$s) #>> ''{}'' FROM safeidx.%3$I WHERE %4$s',
                       c.col, pg_temp.changed(c.col, c.typ), c.tab, c.cond)
           INTO o, t;
        UPDATE row_case SET original = o, tampered = t WHERE tab = c.tab AND col = c.col;
    END LOOP;
END $$;
SELECT is((SELECT count(*) FROM row_case WHERE original IS NULL OR tampered IS NULL OR original = tampered), 0::bigint,
          'every column of the target rows has a value, and its tampered value differs');
CREATE TEMP TABLE row_result AS
SELECT c.tab, c.col,
       (pg_temp.tampered(format('UPDATE safeidx.%I SET %I = %s WHERE %s', c.tab, c.col, pg_temp.changed(c.col, c.typ), c.cond),
                         'fix_monthly', 22, 2)).*
  FROM row_case c;
SELECT is(r.chain, '22.2 checksum', format('%s.%s tampered: verify_chain reports D''s checksum', c.tab, c.col))
  FROM row_case c JOIN row_result r USING (tab, col) ORDER BY c.tab, c.attnum;
-- A published value: exactly the checksum and that column.
SELECT is(r.verified,
          format('-/- checksum, a/%s %s %s->%s', CASE c.tab WHEN 'release_indicator' THEN 'theft' ELSE '-' END,
                 c.col, c.tampered, c.original),
          format('%s.%s tampered: verify_release names it, %s against %s', c.tab, c.col, c.tampered, c.original))
  FROM row_case c JOIN row_result r USING (tab, col)
 WHERE c.col NOT IN ('series', 'number', 'revision', 'region_code', 'node') ORDER BY c.tab, c.attnum;
-- A key: the row is missing from D (its columns against NULL), and for
-- region_code and node it stands where no row should.
SELECT ok(r.verified ~ '(^|, )-/- checksum, ' AND r.verified ~ format('(^|, )a/%s [a-z_]+ NULL->',
                                                                       CASE c.tab WHEN 'release_indicator' THEN 'theft' ELSE '-' END)
          AND (c.col NOT IN ('region_code', 'node')
               OR r.verified ~ format('(^|, )%s [a-z_]+ [^ ]+->NULL',
                                      CASE WHEN c.col = 'node' THEN 'a/theft\*'
                                           WHEN c.tab = 'release_indicator' THEN 'a\*/theft' ELSE 'a\*/-' END)),
          format('%s.%s tampered: verify_release reports the row moved out of D', c.tab, c.col))
  FROM row_case c JOIN row_result r USING (tab, col)
 WHERE c.col IN ('series', 'number', 'revision', 'region_code', 'node') ORDER BY c.tab, c.attnum;
SELECT is(pg_temp.chain('fix_monthly'), '', 'every change undone: the series is intact again');

-- ---------------------------------------------------------------------------
-- Releases removed, reordered or forged.
-- Deleting C, in the middle of the chain: D's link names C, now gone.
SELECT is((pg_temp.tampered($$DELETE FROM safeidx.release_indicator WHERE (number, revision) = (23, 1);
                              DELETE FROM safeidx.release_result WHERE (number, revision) = (23, 1);
                              DELETE FROM safeidx.release WHERE (number, revision) = (23, 1)$$, 'fix_monthly')).chain,
          '22.2 chain', 'C (23.1) deleted: the chain is broken at the next revision, D');
-- Deleting B: C's link names B; and D is revision 2 of a number without
-- a revision 1.
SELECT is((pg_temp.tampered($$DELETE FROM safeidx.release_indicator WHERE (number, revision) = (22, 1);
                              DELETE FROM safeidx.release_result WHERE (number, revision) = (22, 1);
                              DELETE FROM safeidx.release WHERE (number, revision) = (22, 1)$$, 'fix_monthly')).chain,
          '22.2 revision, 23.1 chain', 'B (22.1) deleted: the chain is broken at C, and D has no revision 1');
-- Swapping the numbers of B and C (with their rows): both checksums fail.
CREATE FUNCTION pg_temp.swap_sql(recompute boolean) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(format('UPDATE safeidx.%I SET number = %s WHERE number = %s AND revision = 1;', t, x.to_n, x.from_n), ' '
                      ORDER BY x.step, t)
           || CASE WHEN recompute THEN
                  ' UPDATE safeidx.release r SET checksum = safeidx.release_digest(r) WHERE (number, revision) IN ((22, 1), (23, 1));'
              ELSE '' END
      FROM (VALUES (1, 22, 0), (2, 23, 22), (3, 0, 23)) x(step, from_n, to_n),
           unnest('{release,release_result,release_indicator}'::text[]) t $$;
SELECT is((pg_temp.tampered(pg_temp.swap_sql(false), 'fix_monthly')).chain, '22.1 checksum, 23.1 checksum',
          'B and C swap numbers: both checksums fail');
-- ... and with both checksums recomputed by the forger (release_digest),
-- the links of the revisions published after them fail: the new 22.1 (C)
-- links B's old checksum, D links C's old one.
SELECT is((pg_temp.tampered(pg_temp.swap_sql(true), 'fix_monthly')).chain, '22.1 chain, 22.2 chain',
          'B and C swap numbers, checksums recomputed: the chain breaks at the revisions after them');
-- Renumbering C to 24, checksum recomputed: a gap in the numbers, and D's link.
SELECT is((pg_temp.tampered($$UPDATE safeidx.release SET number = 24 WHERE (number, revision) = (23, 1);
                              UPDATE safeidx.release_result SET number = 24 WHERE (number, revision) = (23, 1);
                              UPDATE safeidx.release_indicator SET number = 24 WHERE (number, revision) = (23, 1);
                              UPDATE safeidx.release r SET checksum = safeidx.release_digest(r) WHERE (number, revision) = (24, 1)$$,
                            'fix_monthly')).chain,
          '22.2 chain, 24.1 numbering', 'C renumbered 24 with a recomputed checksum: a gap in the numbering, and D''s link');
-- A forged revision 21.2 between A and B, with A's checksum as its link,
-- January's rows with d's index changed, and its checksum computed by
-- release_digest: it holds, but B's link no longer names the revision
-- published just before it.
SELECT is((pg_temp.tampered($$
    INSERT INTO safeidx.release_result
    SELECT series, number, 2, region_code, region_zh, depth, parent_code,
           CASE region_code WHEN 'd' THEN 99 ELSE index END, grade_level, rank_siblings, rank_level, coverage, residents
      FROM safeidx.release_result WHERE (number, revision) = (21, 1);
    INSERT INTO safeidx.release_indicator
    SELECT series, number, 2, region_code, node, events, residents, value, baseline, score, points
      FROM safeidx.release_indicator WHERE (number, revision) = (21, 1);
    INSERT INTO safeidx.release (series, number, revision, period_start, version, released_at, released_by, reason,
                                 watermark, checksum, previous_checksum, checksum_version)
    SELECT a.series, 21, 2, a.period_start, a.version, a.released_at + (b.released_at - a.released_at) / 2, a.released_by,
           'forged', a.watermark, 'to be computed', a.checksum, 2
      FROM safeidx.release a, safeidx.release b WHERE (a.number, a.revision) = (21, 1) AND (b.number, b.revision) = (22, 1);
    UPDATE safeidx.release r SET checksum = safeidx.release_digest(r) WHERE (number, revision) = (21, 2)$$, 'fix_monthly')).chain,
          '22.1 chain', 'a forged revision 21.2 in the middle, with a recomputed checksum: the chain breaks at the next revision, B');

-- ---------------------------------------------------------------------------
-- Adding a row to a released revision.
SELECT dblink_connect('admin', pg_temp.conn(:'db', 'tap_safeidx_rel_admin')) \g /dev/null
\i test/lib/error_of.sql
\set add_row 'INSERT INTO safeidx.release_result (series, number, revision, region_code, depth, coverage) VALUES (''fix_monthly'', 22, 2, ''zz'', 3, 1)'
SELECT is(pg_temp.error_of(format('SELECT dblink_exec(''admin'', %L)', :'add_row')),
          '42501: permission denied for table release_result',
          'an administrator (not a superuser) may not add a row to a released revision');
SELECT is(pg_temp.error_of(:'add_row'),
          '42501: INSERT is not allowed on safeidx.release_result: release 22 revision 2 of series "fix_monthly" is published and closed',
          'nor may the superuser, but through session_replication_role = replica: the trigger refuses it');
-- With row_security off (as pg_restore runs) the trigger lets rows in, for
-- restoring releases; the checksum still tells.
CREATE FUNCTION pg_temp.chain_with_row_off(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    BEGIN
        PERFORM set_config('row_security', 'off', true);
        EXECUTE sql;
        PERFORM set_config('row_security', 'on', true);
        result := pg_temp.chain('fix_monthly');
        RAISE EXCEPTION USING ERRCODE = 'SIDX9', MESSAGE = 'undo';
    EXCEPTION WHEN SQLSTATE 'SIDX9' THEN
        NULL;
    END;
    RETURN result;
END $$;
SELECT is(pg_temp.chain_with_row_off(:'add_row'), '22.2 checksum',
          'a row added with row_security off (as pg_restore) is caught by D''s checksum');
SELECT is(pg_temp.chain('fix_monthly'), '', 'and undone, the series is intact');

SELECT dblink_disconnect('admin') \g /dev/null
SELECT * FROM finish();
