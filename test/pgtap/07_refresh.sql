-- Incremental refresh (safeidx.refresh) against a full rebuild.  After
-- rounds of random changes to the demo's departmental tables -- inserts,
-- updates of a row's region code, of its time across month and year
-- boundaries and of the columns a source's filter reads (rows entering and
-- leaving a source), deletes, late rows that change last year's baselines,
-- NULL and unknown region codes, rows in periods never computed yet or
-- outside the cells kept, a TRUNCATE -- each followed by refresh, the cells,
-- results and result nodes equal, row for row, those of a rebuild over the
-- same range.  Also: refresh needs a build (55000); without changes it
-- computes only new periods, then nothing; it consumes the change log; after
-- one insert it rewrites only the changed table's cells of the changed code and the results
-- of the periods that read them.
--
-- Every value is compared exactly, float8 included (=, through its text,
-- which PostgreSQL prints with every digit it needs to read back the same
-- bits): the results kernel adds in an order fixed by the data, so a
-- refresh gives the very bits a rebuild does (doc/engine.md, deterministic
-- arithmetic).
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh):
-- pgtap, safeidx, dblink and the demo city (test/demo/city.sql, small, seed 42),
-- which this file reads.
BEGIN;
SELECT plan(37);
\o /dev/null
\i test/demo/schemes.sql
\o
-- The feeds are live: every department has delivered through today (the demo
-- declares through its last generated month), so refresh grows the results to
-- today and rows of this year are complete when they arrive.
UPDATE safeidx.source SET delivered_through = (now() AT TIME ZONE 'Asia/Shanghai')::date;

-- ---- helpers -----------------------------------------------------------------

-- what a refresh must reproduce: every column but computed_at
CREATE TEMP VIEW v_cell AS
SELECT scheme, period, period_start, source, region_code, value, source_rows, null_rows, last_day FROM safeidx.cell;
CREATE TEMP VIEW v_result AS
SELECT scheme, period, period_start, region_code, version, parent_code, depth,
       index, index_unrounded, coverage, grade_level, rank_siblings, rank_level, residents, missing_units, status
  FROM safeidx.result;
CREATE TEMP VIEW v_node AS
SELECT scheme, period, period_start, region_code, node, parent_node, is_leaf, weight, events,
       counted_events, denominator, residents, value, baseline, ratio,
       score, points, status
  FROM safeidx.result_node;

CREATE TEMP TABLE t_today AS SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date AS today;
CREATE TEMP SEQUENCE t_new_id START 10000000;
CREATE TEMP TABLE t_community AS
SELECT array_agg(code ORDER BY code) AS codes FROM demo.region WHERE level = 'community';

-- a random region code: mostly a community, else NULL, '', a code no region
-- has, or a street's (a known region that is not a leaf)
CREATE FUNCTION pg_temp.rcode() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN r < 0.82 THEN (SELECT codes[1 + floor(random() * cardinality(codes))::integer] FROM t_community)
                WHEN r < 0.87 THEN NULL
                WHEN r < 0.91 THEN ''
                WHEN r < 0.95 THEN '420106099999'
                ELSE (SELECT code FROM demo.region WHERE level = 'street' ORDER BY code LIMIT 1) END
      FROM (SELECT random() AS r) x;
$$;

-- a random time, to the second, on local dates [lo, hi)
CREATE FUNCTION pg_temp.rtime(lo date, hi date) RETURNS timestamptz LANGUAGE sql VOLATILE AS $$
    SELECT date_trunc('second', lo + random() * (hi - lo) * interval '1 day') AT TIME ZONE 'Asia/Shanghai';
$$;

-- Changes to the six departmental tables the schemes read, on local dates
-- [lo, hi): n police rows inserted, fewer in the other tables; then rows of
-- each table picked at random on [lo, hi) get a new region code, are moved
-- back to the end of the month before or forward to the start of the next,
-- both, have the column their source's filter reads flipped (entering or
-- leaving the source), or are deleted.  The change log keeps one time span
-- per statement and region code, so a round calls this once per span: late
-- rows changed in the same statements as recent ones would make refresh
-- recompute every month in between, and the test could not tell whether it
-- recomputes the months whose baselines read the late ones.
CREATE TEMP TABLE t_pick (g integer, kind text, id bigint, code text, minutes integer, cat text);
CREATE FUNCTION pg_temp.dml(lo date, hi date, n integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    tz constant text := 'Asia/Shanghai';
    t record;
    ids bigint[];
BEGIN
    INSERT INTO demo.police_incident (id, reported_at, community_code, category, is_criminal)
    SELECT nextval('t_new_id'), pg_temp.rtime(lo, hi), pg_temp.rcode(),
           ('{burglary,ebike_theft,other_theft,fraud,telecom_fraud,assault,robbery,disorder,other}'::text[])
               [1 + floor(random() * 9)::integer],
           random() < 0.6
      FROM generate_series(1, n) g;
    INSERT INTO demo.fire_alarm (id, alarm_at, community_code, cause, is_false_alarm)
    SELECT nextval('t_new_id'), pg_temp.rtime(lo, hi), pg_temp.rcode(), 'electrical', random() < 0.3
      FROM generate_series(1, n / 3) g;
    INSERT INTO demo.complaint (id, received_at, community_code, sector, is_key_sector)
    SELECT nextval('t_new_id'), pg_temp.rtime(lo, hi), pg_temp.rcode(), 'food', random() < 0.5
      FROM generate_series(1, n / 3) g;
    INSERT INTO demo.mediation (id, opened_at, community_code, dispute_type, outcome)
    SELECT nextval('t_new_id'), pg_temp.rtime(lo, hi), pg_temp.rcode(), 'neighbour',
           CASE WHEN random() < 0.6 THEN 'success' ELSE 'failed' END
      FROM generate_series(1, n / 3) g;
    INSERT INTO demo.worksafety_incident (id, occurred_at, community_code, industry, deaths, injuries)
    SELECT nextval('t_new_id'), pg_temp.rtime(lo, hi), pg_temp.rcode(), 'construction', 0, 1
      FROM generate_series(1, n / 6) g;
    INSERT INTO demo.traffic_accident (id, occurred_at, community_code, deaths, injuries)
    SELECT nextval('t_new_id'), pg_temp.rtime(lo, hi), pg_temp.rcode(), 0, 1
      FROM generate_series(1, n / 3) g;

    FOR t IN SELECT * FROM (VALUES
        ('police_incident', 'reported_at', n,
         $f$category = CASE WHEN x.category IN ('burglary', 'ebike_theft', 'other_theft', 'fraud') THEN 'disorder'
                            ELSE k.cat END, is_criminal = NOT x.is_criminal$f$),
        ('fire_alarm', 'alarm_at', n / 3, 'is_false_alarm = NOT x.is_false_alarm'),
        ('complaint', 'received_at', n / 3, 'is_key_sector = NOT x.is_key_sector'),
        ('mediation', 'opened_at', n / 3, $f$outcome = CASE x.outcome WHEN 'success' THEN 'failed' ELSE 'success' END$f$),
        ('worksafety_incident', 'occurred_at', n / 6, 'injuries = x.injuries + 1'),
        ('traffic_accident', 'occurred_at', n / 3, 'injuries = x.injuries + 1')) v(tab, tcol, picks, flip)
    LOOP
        EXECUTE format('SELECT array_agg(id ORDER BY id) FROM demo.%1$I
                         WHERE %2$I >= ($1::timestamp AT TIME ZONE %3$L) AND %2$I < ($2::timestamp AT TIME ZONE %3$L)',
                       t.tab, t.tcol, tz)
           INTO ids USING lo, hi;
        CONTINUE WHEN ids IS NULL;
        TRUNCATE t_pick;
        INSERT INTO t_pick
        SELECT DISTINCT ON (id) * FROM (
            SELECT g, ('{code,back,forward,code_back,filter,delete}'::text[])[1 + g % 6] AS kind,
                   ids[1 + floor(random() * cardinality(ids))::integer] AS id, pg_temp.rcode() AS code,
                   1 + floor(random() * 2880)::integer AS minutes,
                   ('{burglary,ebike_theft,other_theft,fraud}'::text[])[1 + floor(random() * 4)::integer] AS cat
              FROM generate_series(1, greatest(t.picks, 6)) g) s
         ORDER BY id, g;
        EXECUTE format('UPDATE demo.%I x SET community_code = k.code FROM t_pick k
                         WHERE k.id = x.id AND k.kind = ''code''', t.tab);
        EXECUTE format('UPDATE demo.%1$I x
                           SET %2$I = (date_trunc(''month'', x.%2$I AT TIME ZONE %3$L) - k.minutes * interval ''1 minute'') AT TIME ZONE %3$L,
                               community_code = CASE k.kind WHEN ''code_back'' THEN k.code ELSE x.community_code END
                          FROM t_pick k WHERE k.id = x.id AND k.kind IN (''back'', ''code_back'')', t.tab, t.tcol, tz);
        EXECUTE format('UPDATE demo.%1$I x
                           SET %2$I = (date_trunc(''month'', x.%2$I AT TIME ZONE %3$L) + interval ''1 month''
                                       + k.minutes * interval ''1 minute'') AT TIME ZONE %3$L
                          FROM t_pick k WHERE k.id = x.id AND k.kind = ''forward''', t.tab, t.tcol, tz);
        EXECUTE format('UPDATE demo.%I x SET %s FROM t_pick k WHERE k.id = x.id AND k.kind = ''filter''', t.tab, t.flip);
        EXECUTE format('DELETE FROM demo.%I x USING t_pick k WHERE k.id = x.id AND k.kind = ''delete''', t.tab);
    END LOOP;
END $$;

-- rows of the two local days after `boundary` moved back across it, and of
-- the two days before it moved forward, in each table
CREATE FUNCTION pg_temp.move_across(boundary date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t record;
    b timestamptz := boundary::timestamp AT TIME ZONE 'Asia/Shanghai';
BEGIN
    FOR t IN SELECT * FROM (VALUES ('police_incident', 'reported_at'), ('fire_alarm', 'alarm_at'),
                                   ('complaint', 'received_at'), ('mediation', 'opened_at'),
                                   ('worksafety_incident', 'occurred_at'), ('traffic_accident', 'occurred_at')) v(tab, tcol)
    LOOP
        EXECUTE format('UPDATE demo.%1$I SET %2$I = %2$I - interval ''2 days''
                         WHERE id IN (SELECT id FROM demo.%1$I WHERE %2$I >= $1 AND %2$I < $1 + interval ''2 days''
                                       ORDER BY id OFFSET $2 LIMIT 3)', t.tab, t.tcol)
          USING b, floor(random() * 5)::integer;
        EXECUTE format('UPDATE demo.%1$I SET %2$I = %2$I + interval ''2 days''
                         WHERE id IN (SELECT id FROM demo.%1$I WHERE %2$I >= $1 - interval ''2 days'' AND %2$I < $1
                                       ORDER BY id OFFSET $2 LIMIT 3)', t.tab, t.tcol)
          USING b, floor(random() * 5)::integer;
    END LOOP;
END $$;

-- A round: changes on [lo, hi), late ones on [late_lo, late_hi), moves
-- across `boundary`, and two police rows after today (the first one likely
-- in this month's cells, the second after every cell kept).
CREATE FUNCTION pg_temp.dml_round(lo date, hi date, late_lo date, late_hi date, boundary date, n integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.dml(lo, hi, n);
    PERFORM pg_temp.dml(late_lo, late_hi, n / 2);
    PERFORM pg_temp.move_across(boundary);
    INSERT INTO demo.police_incident (id, reported_at, community_code, category, is_criminal) VALUES
        (nextval('t_new_id'), pg_temp.rtime((SELECT today + 1 FROM t_today), (SELECT today + 5 FROM t_today)),
         pg_temp.rcode(), 'burglary', true),
        (nextval('t_new_id'), pg_temp.rtime((SELECT today + 40 FROM t_today), (SELECT today + 100 FROM t_today)),
         pg_temp.rcode(), 'fraud', true);
END $$;

-- refresh, keeping what it returned
CREATE TEMP TABLE t_refreshed (round text, period text, periods integer, first_period date, last_period date, results bigint);
CREATE FUNCTION pg_temp.refresh(scheme text, round text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO t_refreshed SELECT round, r.* FROM safeidx.refresh(scheme) r;
$$;

-- what refresh left, then a rebuild over the same range
CREATE TEMP TABLE t_snap_range AS SELECT * FROM safeidx.built_range LIMIT 0;
CREATE TEMP TABLE t_snap_cell AS SELECT * FROM v_cell LIMIT 0;
CREATE TEMP TABLE t_snap_result AS SELECT * FROM v_result LIMIT 0;
CREATE TEMP TABLE t_snap_node AS SELECT * FROM v_node LIMIT 0;
CREATE FUNCTION pg_temp.snapshot_and_rebuild(s text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    br safeidx.built_range;
BEGIN
    TRUNCATE t_snap_range, t_snap_cell, t_snap_result, t_snap_node;
    INSERT INTO t_snap_range SELECT * FROM safeidx.built_range WHERE scheme = s;
    INSERT INTO t_snap_cell SELECT * FROM v_cell WHERE scheme = s;
    INSERT INTO t_snap_result SELECT * FROM v_result WHERE scheme = s;
    INSERT INTO t_snap_node SELECT * FROM v_node WHERE scheme = s;
    SELECT * INTO br FROM safeidx.built_range WHERE scheme = s;
    PERFORM safeidx.rebuild(s, br.results_from, br.results_to);
END $$;

-- ---- refresh before a build; without changes ---------------------------------

SELECT throws_ok($$SELECT * FROM safeidx.refresh('wuchang')$$, '55000', 'scheme "wuchang" has not been built yet',
                 'refresh of a scheme never built: 55000');
SELECT throws_ok($$SELECT * FROM safeidx.refresh('no_such_scheme')$$, '42704', NULL, 'refresh of an unknown scheme: 42704');

\o /dev/null
SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01');
\o
CREATE TEMP TABLE t_old_result AS
SELECT ctid AS tid, scheme, period, period_start, region_code FROM safeidx.result WHERE scheme = 'wuchang';
CREATE TEMP TABLE t_old_cell AS
SELECT ctid AS tid, * FROM safeidx.cell WHERE scheme = 'wuchang';
\o /dev/null
SELECT pg_temp.refresh('wuchang', 'no changes');
\o

SELECT is((SELECT sum(results) FROM t_refreshed WHERE round = 'no changes'),
          (SELECT count(*)::numeric FROM safeidx.result WHERE scheme = 'wuchang' AND period_start >= '2026-01-01'),
          'refresh without changes writes the results of the new periods only');
SELECT is((SELECT (first_period, last_period, periods)::text FROM t_refreshed WHERE round = 'no changes'),
          (SELECT (date '2026-01-01', date_trunc('month', today)::date,
                   (SELECT count(*) FROM generate_series(date '2026-01-01', today, interval '1 month')))::text
             FROM t_today),
          'the new periods: the months from 2026-01 to this month');
SELECT is((SELECT results_to FROM safeidx.built_range WHERE scheme = 'wuchang'), (SELECT today + 1 FROM t_today),
          'results now run to today');
SELECT is_empty($$SELECT tid, scheme, period, period_start, region_code FROM t_old_result
                  EXCEPT SELECT ctid, scheme, period, period_start, region_code FROM safeidx.result$$,
                'the results of the periods built before are not rewritten');
SELECT is_empty($$SELECT * FROM t_old_cell EXCEPT SELECT ctid, * FROM safeidx.cell$$,
                'the cells built before are not rewritten');

\o /dev/null
SELECT pg_temp.refresh('wuchang', 'again');
\o
-- ... but the month in progress, computed before its end (provisional):
-- 109 regions, again at every refresh until after the month has ended
SELECT is((SELECT (sum(periods), sum(results), min(first_period) = date_trunc('month', min(today))::date)::text
             FROM t_refreshed, t_today WHERE round = 'again'), '(1,109,t)',
          'a second refresh without changes computes only the month in progress (provisional), 109 regions');

-- ---- one insert: only its code's cells, only the periods reading them ------

TRUNCATE t_old_result, t_old_cell;
INSERT INTO t_old_result SELECT ctid, scheme, period, period_start, region_code FROM safeidx.result WHERE scheme = 'wuchang';
INSERT INTO t_old_cell SELECT ctid, * FROM safeidx.cell WHERE scheme = 'wuchang';
-- every column too: the kernel rewrites only the rows whose values change
CREATE TEMP TABLE t_old_full AS SELECT ctid AS tid, * FROM safeidx.result WHERE scheme = 'wuchang';
CREATE TEMP TABLE t_old_node AS SELECT ctid AS tid, * FROM safeidx.result_node WHERE scheme = 'wuchang';
CREATE TEMP TABLE t_one AS SELECT codes[5] AS code FROM t_community;
INSERT INTO demo.police_incident (id, reported_at, community_code, category, is_criminal)
SELECT nextval('t_new_id'), timestamptz '2025-05-31 23:30:00+08', code, 'burglary', true FROM t_one;
SELECT is((SELECT count(*) FROM safeidx.change_log WHERE scheme = 'wuchang'), 1::bigint, 'the insert is logged once for wuchang');
\o /dev/null
SELECT pg_temp.refresh('wuchang', 'one insert');
\o

SELECT is((SELECT count(*) FROM safeidx.change_log WHERE scheme = 'wuchang'), 0::bigint, 'refresh consumed the change log');
SELECT is_empty($$SELECT * FROM t_old_cell WHERE region_code IS DISTINCT FROM (SELECT code FROM t_one)
                  EXCEPT SELECT ctid, * FROM safeidx.cell$$,
                'the cells of every other region code are not rewritten');
SELECT is_empty($$SELECT * FROM t_old_cell WHERE region_code = (SELECT code FROM t_one) AND period_start <> '2025-05-01'
                  EXCEPT SELECT ctid, * FROM safeidx.cell$$,
                'the cells of the changed code in other months are not rewritten');
SELECT is_empty($$SELECT * FROM t_old_cell WHERE region_code = (SELECT code FROM t_one) AND period_start = '2025-05-01'
                    AND source IN (SELECT s.source FROM safeidx.source s WHERE s.relation = 'demo.police_incident')
                    AND tid IN (SELECT ctid FROM safeidx.cell)$$,
                'the changed code''s cells of May 2025 of the police table''s sources are rewritten');
SELECT is_empty($$SELECT * FROM t_old_cell WHERE region_code = (SELECT code FROM t_one) AND period_start = '2025-05-01'
                    AND source NOT IN (SELECT s.source FROM safeidx.source s WHERE s.relation = 'demo.police_incident')
                  EXCEPT SELECT ctid, * FROM safeidx.cell$$,
                'its cells of May 2025 of the other tables'' sources are not rewritten (no row of theirs changed)');
SELECT results_eq($$SELECT source, coalesce(n.value, 0) - coalesce(o.value, 0)
                      FROM (SELECT * FROM safeidx.cell WHERE scheme = 'wuchang' AND period_start = '2025-05-01'
                               AND region_code = (SELECT code FROM t_one)) n
                      FULL JOIN (SELECT * FROM t_old_cell WHERE period_start = '2025-05-01'
                                    AND region_code = (SELECT code FROM t_one)) o USING (source)
                     WHERE n.value IS DISTINCT FROM o.value ORDER BY 1$$,
                  $$VALUES ('police_criminal', 1::float8), ('police_four_category', 1)$$,
                  'the row counts in its code''s May 2025 cells of the two sources it belongs to');
SELECT is_empty($$SELECT o.* FROM t_old_result o
                   WHERE (o.period_start < '2025-05-01' OR o.period_start BETWEEN '2025-07-01' AND '2025-12-01')
                     AND NOT EXISTS (SELECT FROM safeidx.result r WHERE r.ctid = o.tid AND r.scheme = o.scheme
                                        AND r.period_start = o.period_start AND r.region_code = o.region_code)$$,
                'results of months that neither hold the row nor read it in a baseline are not rewritten');
-- May 2025 and the months of 2026 (whose prior-year baselines read 2025) are
-- recomputed; of their rows, exactly those whose values changed are written
-- anew, the others keep their place (ctid)
SELECT is_empty($$SELECT o.period_start, o.region_code FROM t_old_full o
                    JOIN safeidx.result r ON r.scheme = o.scheme AND r.period = o.period
                                         AND r.period_start = o.period_start AND r.region_code = o.region_code
                   WHERE (o.period_start = '2025-05-01' OR o.period_start >= '2026-01-01')
                     AND (r.ctid = o.tid)
                         <> ((r.version, r.parent_code, r.depth, r.index, r.index_unrounded, r.coverage, r.grade_level,
                              r.rank_siblings, r.rank_level, r.residents, r.missing_units, r.status)
                             IS NOT DISTINCT FROM
                             (o.version, o.parent_code, o.depth, o.index, o.index_unrounded, o.coverage, o.grade_level,
                              o.rank_siblings, o.rank_level, o.residents, o.missing_units, o.status))$$,
                'May 2025 and the months of 2026 (prior-year baselines) are recomputed: a region result is written anew exactly when it changed');
SELECT is_empty($$SELECT o.period_start, o.region_code, o.node FROM t_old_node o
                    JOIN safeidx.result_node n USING (scheme, period, period_start, region_code, node)
                   WHERE (n.ctid = o.tid)
                         <> ((n.parent_node, n.is_leaf, n.weight, n.events, n.counted_events, n.denominator, n.residents,
                              n.value, n.baseline, n.ratio, n.score, n.points, n.status)
                             IS NOT DISTINCT FROM
                             (o.parent_node, o.is_leaf, o.weight, o.events, o.counted_events, o.denominator, o.residents,
                              o.value, o.baseline, o.ratio, o.score, o.points, o.status))$$,
                'an indicator result is written anew exactly when it changed');
-- the community and every region above it counted the row in May 2025
SELECT is((SELECT count(*) FROM t_old_node o
            WHERE o.period_start = '2025-05-01' AND o.node IN ('four_category', 'criminal_yoy')
              AND o.region_code IN (WITH RECURSIVE up (code) AS (
                                        SELECT code FROM t_one
                                        UNION ALL
                                        SELECT r.parent_code FROM up JOIN demo.region r ON r.code = up.code
                                         WHERE r.parent_code IS NOT NULL)
                                    SELECT code FROM up)
              AND o.tid NOT IN (SELECT ctid FROM safeidx.result_node)),
          8::bigint,
          'the events of the changed community, its street, district and city in May 2025 are written anew (2 indicators x 4 regions)');
SELECT is((SELECT (changes, first_period, last_period)::text FROM safeidx.refresh_log
             WHERE scheme = 'wuchang' ORDER BY finished_at DESC LIMIT 1),
          (SELECT (1, date '2025-05-01', date_trunc('month', today)::date)::text FROM t_today),
          'refresh_log: the one change consumed, the first and last month recomputed');

-- ---- wuchang: three rounds of random changes, then a rebuild ----------------

\o /dev/null
SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2025-10-01');   -- results and cells end 2025-10-01
SELECT setseed(0.31);
\o
-- Rounds 2 and 3 change a few months only, late rows included, so that the
-- months whose results must be recomputed are not all touched directly (a
-- later round recomputing everything would hide what an earlier one missed).
-- round 1: TRUNCATE (every region code, every date) and most rows back, some
-- with other codes; rows in months never computed (October 2025 on), late
-- rows of March 2024, moves across New Year 2025
CREATE TEMP TABLE t_worksafety AS SELECT * FROM demo.worksafety_incident;
TRUNCATE demo.worksafety_incident;
INSERT INTO demo.worksafety_incident
SELECT id, occurred_at, CASE WHEN id % 5 = 0 THEN pg_temp.rcode() ELSE community_code END, industry, deaths, injuries
  FROM t_worksafety WHERE id % 7 <> 0 ORDER BY id;
SELECT is((SELECT count(*) FROM safeidx.change_log WHERE scheme = 'wuchang' AND every_region), 1::bigint,
          'TRUNCATE is logged as a change of every region code');
\o /dev/null
SELECT pg_temp.dml_round('2025-09-01', today + 1, '2024-03-01', '2024-04-01', '2025-01-01', 90) FROM t_today;
SELECT pg_temp.refresh('wuchang', 'w1');
\o
SELECT is((SELECT count(*) FROM safeidx.change_log WHERE scheme = 'wuchang'), 0::bigint, 'round 1: change log consumed');
-- round 2: 2026, late rows of July 2024, moves across New Year 2026
\o /dev/null
SELECT pg_temp.dml_round('2026-01-01', today + 1, '2024-07-01', '2024-08-01', '2026-01-01', 90) FROM t_today;
SELECT pg_temp.refresh('wuchang', 'w2');
\o
SELECT is((SELECT count(*) FROM safeidx.change_log WHERE scheme = 'wuchang'), 0::bigint, 'round 2: change log consumed');
-- round 3, few rows (so few codes that refresh does not rebuild every code's
-- cells): from June 2026, late rows of February 2025 (baselines of 2026),
-- moves across the switch to version 2.0 (2025-07-01)
\o /dev/null
SELECT pg_temp.dml_round('2026-06-01', today + 1, '2025-02-01', '2025-03-01', '2025-07-01', 15) FROM t_today;
SELECT pg_temp.refresh('wuchang', 'w3');
\o
SELECT is((SELECT count(*) FROM safeidx.change_log WHERE scheme = 'wuchang'), 0::bigint, 'round 3: change log consumed');
SELECT ok((SELECT bool_and(changes > 0) FROM (SELECT changes FROM safeidx.refresh_log WHERE scheme = 'wuchang'
                                               ORDER BY finished_at DESC LIMIT 3) x),
          'each round logged changes that refresh consumed');

\o /dev/null
SELECT pg_temp.snapshot_and_rebuild('wuchang');
\o
SELECT ok((SELECT count(*) FROM t_snap_result WHERE period_start >= '2025-10-01') > 1000
          AND (SELECT results_to FROM t_snap_range) = (SELECT today + 1 FROM t_today),
          'wuchang: refresh computed the new months up to today');
SELECT set_eq($$SELECT * FROM t_snap_range$$, $$SELECT * FROM safeidx.built_range WHERE scheme = 'wuchang'$$,
              'wuchang: refresh and rebuild keep the same built range');
SELECT set_eq($$SELECT * FROM t_snap_cell$$, $$SELECT * FROM v_cell WHERE scheme = 'wuchang'$$,
              'wuchang: cells after refresh = cells after rebuild');
SELECT set_eq($$SELECT * FROM t_snap_result$$, $$SELECT * FROM v_result WHERE scheme = 'wuchang'$$,
              'wuchang: results after refresh = results after rebuild');
SELECT set_eq($$SELECT * FROM t_snap_node$$, $$SELECT * FROM v_node WHERE scheme = 'wuchang'$$,
              'wuchang: result nodes after refresh = result nodes after rebuild');

-- ---- zhuhai (daily and monthly): from October 2026 ---------------------------

\o /dev/null
SELECT * FROM safeidx.rebuild('zhuhai', '2026-10-01', '2026-11-01');    -- cells from 2025-01-01
SELECT setseed(0.57);
\o
-- round 1: October and November 2026 only (November never computed), moves
-- across the first of November
\o /dev/null
SELECT pg_temp.dml('2026-10-01', today + 1, 240), pg_temp.move_across('2026-11-01') FROM t_today;
SELECT pg_temp.refresh('zhuhai', 'z1');
\o
SELECT is((SELECT count(*) FROM safeidx.change_log WHERE scheme = 'zhuhai'), 0::bigint, 'zhuhai round 1: change log consumed');
-- round 2: late rows of a week of March 2025 (last year's baselines); moves
-- across New Year 2025, in and out of the cells kept (from 2025)
\o /dev/null
SELECT pg_temp.dml('2025-03-01', '2025-03-08', 90), pg_temp.move_across('2025-01-01');
SELECT pg_temp.refresh('zhuhai', 'z2');
\o
SELECT is((SELECT count(*) FROM safeidx.change_log WHERE scheme = 'zhuhai'), 0::bigint, 'zhuhai round 2: change log consumed');

\o /dev/null
SELECT pg_temp.snapshot_and_rebuild('zhuhai');
\o
SELECT ok((SELECT count(DISTINCT period_start) FROM t_snap_result WHERE period = 'day')
          = (SELECT today - date '2026-10-01' + 1 FROM t_today),
          'zhuhai: refresh computed every day up to today');
SELECT set_eq($$SELECT * FROM t_snap_range$$, $$SELECT * FROM safeidx.built_range WHERE scheme = 'zhuhai'$$,
              'zhuhai: refresh and rebuild keep the same built range');
SELECT set_eq($$SELECT * FROM t_snap_cell$$, $$SELECT * FROM v_cell WHERE scheme = 'zhuhai'$$,
              'zhuhai: cells after refresh = cells after rebuild');
SELECT set_eq($$SELECT * FROM t_snap_result$$, $$SELECT * FROM v_result WHERE scheme = 'zhuhai'$$,
              'zhuhai: results after refresh = results after rebuild');
SELECT set_eq($$SELECT * FROM t_snap_node$$, $$SELECT * FROM v_node WHERE scheme = 'zhuhai'$$,
              'zhuhai: result nodes after refresh = result nodes after rebuild');

SELECT * FROM finish();
ROLLBACK;
