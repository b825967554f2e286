-- test/bench/engine.sql -- the engine phase of test/bench.sh: what computing a
-- whole scheme costs, next to what merely reading its data costs.
--
-- Needs the safeidx extension, the demo city (test/demo/city.sql, demo.generate)
-- and schema bench (test/bench/queries.sql, or none: it is created if missing).
-- Run from the repo root (it loads test/demo/schemes.sql), by psql -At:
--   psql -At -v runs=3 -v zhuhai=1 -f test/bench/engine.sql
--     runs    timed runs of each read-only baseline query (default 3)
--     zhuhai  1 (default): also rebuild the Zhuhai scheme; 0: Wuchang only
-- It prints one progress line per measurement and leaves the results in
-- bench.engine_timing (every measurement) and bench.engine_result (the table
-- test/bench.sh prints).  It changes the database: it loads the example
-- schemes, builds them (change-capture triggers on the departmental tables)
-- and inserts 1,000 police incidents.
--
-- The measurements (local dates in the scheme's time zone, Asia/Shanghai):
--   e1  raw scan: SELECT count(*) of every departmental table Wuchang reads,
--       over the dates its rebuild reads (2024-01-01 .. 2026-01-01, the
--       results' year and the year its baselines look back on), one query
--       per table; the sum of the per-table medians
--   e2  plain SQL: the cell step written by hand, one query per Wuchang
--       source: SELECT code, date_trunc('month', local time), count(*)
--       ... WHERE <source filter> AND <dates> GROUP BY 1, 2; the sum
--   e1 and e2 (and z1, z2) run with max_parallel_workers_per_gather = 2 and
--   = 0: one warm-up round, then :runs rounds of every query at both
--   settings, interleaved; the median EXPLAIN (ANALYZE, TIMING OFF)
--   execution time of each query (as for the first table of test/bench.sh)
--   e3  SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01'),
--       clock_timestamp() before and after, once (it writes)
--   e3c its cell step: all Wuchang cells deleted (and the table vacuumed),
--       then safeidx.build_cells('wuchang', '2024-01-01', '2026-01-01') timed
--       alone, once; e3r its results step = e3 - e3c
--   e4  safeidx.refresh('wuchang') right after the rebuild: the demo's
--       departments declared their data through 2025-12, so it computes no
--       new month (0.3.0 and earlier extended the results to today)
--   e4a refresh with no change since
--   e4b INSERT of 1,000 police incidents in December 2025 spread over 50
--       communities (ids above max(id)), with the change-capture triggers
--   e4c refresh after them; then rounds 2 and 3 (up to :runs) of other
--       1,000 incidents in other communities, each followed by a timed
--       refresh: the median of the refreshes
--   ed1..ed4  dashboard queries after e4c, each the median of :runs + 4
--       runs after a warm-up (clock_timestamp() around executing it and
--       counting its rows, in the server): the streets' ranking of one
--       month, the warnings of one month, one street's months with their
--       indicators (2025: the 12 months built), every street for 2025
--   z1, z2, z3, z3c, z3r  the same as e1 .. e3r for the Zhuhai scheme (daily
--       and monthly), rebuilt for December 2025 ('2025-12-01', '2026-01-01'):
--       its cells are daily, 2024-01-01 .. 2026-01-01, and z2 groups by day
--   z4  the Zhuhai rebuild of a year, 2025 (every day and month)
--   e3w, z4w  the results' writes alone: the rows of 2025 the rebuild (e3)
--       or the year's rebuild (z4) wrote into result and result_node,
--       copied by INSERT ... SELECT into empty tables like them (indexes
--       included): what materializing them costs, whatever computes them
--   e0, z0  the floor: one scan of each table grouped by community and day
--   e4d..e4g  a late correction in 2025-09 and a population revision, each
--       followed by a refresh (the late correction's over :runs rounds, as
--       e4c's: other communities each round, the median)
--   e4h, e4i  one day of new rows (a day of police incidents, every
--       community: 2025-12-27's copied to the 28th) and the refresh after
--       it, over :runs rounds (the 26th to the 27th, the 25th to the 26th)
-- Every other engine step runs once, at the default settings (2 workers per
-- gather; build_cells writes with INSERT ... SELECT, which PostgreSQL 15
-- never runs in parallel).  bench.engine_result gives each step's ratios to
-- the serial (0 workers) raw scan and plain SQL of its scheme.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
\if :{?runs}
\else
\set runs 3
\endif
\if :{?zhuhai}
\else
\set zhuhai 1
\endif

-- ---- the example schemes -----------------------------------------------------
BEGIN;
\i test/demo/schemes.sql
COMMIT;
SET client_min_messages = warning;
-- the catalogue tables just filled, as autovacuum would have them
ANALYZE safeidx.region, safeidx.population, safeidx.source, safeidx.indicator;

CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS bench.engine_query, bench.engine_run, bench.engine_timing CASCADE;

-- the read-only baseline queries: grp e1/e2 (Wuchang), z1/z2 (Zhuhai)
CREATE TABLE bench.engine_query (
    grp    text NOT NULL,
    item   text NOT NULL,        -- table (raw scan) or source (plain SQL)
    sql    text NOT NULL,
    PRIMARY KEY (grp, item)
);
CREATE TABLE bench.engine_run (
    grp      text NOT NULL,
    item     text NOT NULL,
    workers  integer NOT NULL,
    round    integer NOT NULL,   -- 0: warm-up
    ms       float8 NOT NULL,
    launched integer,
    scan     text
);
CREATE TABLE bench.engine_timing (
    seq     serial PRIMARY KEY,
    id      text NOT NULL,
    label   text NOT NULL,
    workers text NOT NULL,
    runs    integer NOT NULL,
    ms      float8 NOT NULL,
    detail  text,
    started  timestamptz,        -- engine steps and dashboards: when it ran,
    finished timestamptz         -- for the backend's peak memory
);
-- The backend's private memory (RssAnon of /proc/<pid>/status), sampled every
-- 20 ms by test/bench/sample_memory.sh while this file runs; loaded by
-- test/bench.sh after it (empty when not run from there).
CREATE TABLE bench.memory_sample (at_us bigint NOT NULL, rss_anon_kb bigint NOT NULL);
SELECT pg_backend_pid() AS bench_pid \gset
\setenv SAFEIDX_BENCH_PID :bench_pid
\! [ -z "$SAFEIDX_BENCH_MEMFILE" ] || bash test/bench/sample_memory.sh "$SAFEIDX_BENCH_PID" "$SAFEIDX_BENCH_MEMFILE" &

-- the floor: one scan of each table a scheme reads, its rows counted per
-- region code and local day, over [from, to) local (what no engine reading
-- the rows can go below)
CREATE FUNCTION bench.engine_floor_queries(grp text, scheme text, from_date date, to_date date)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO bench.engine_query
    SELECT DISTINCT ON (s.relation) grp, s.relation,
           format('SELECT %1$I, (%2$I AT TIME ZONE %3$L)::date AS day, count(*) FROM %4$s'
                  ' WHERE %2$I >= %5$L::timestamp AT TIME ZONE %3$L AND %2$I < %6$L::timestamp AT TIME ZONE %3$L'
                  ' GROUP BY 1, 2',
                  s.region_column, s.time_column, sc.time_zone, s.relation, from_date, to_date)
      FROM safeidx.scheme_sources(scheme) s, safeidx.scheme sc
     WHERE sc.scheme = engine_floor_queries.scheme
     ORDER BY s.relation, s.source;
$$;

-- raw scans: count(*) of each table a scheme reads, over [from, to) local
CREATE FUNCTION bench.engine_raw_queries(grp text, scheme text, from_date date, to_date date)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO bench.engine_query
    SELECT DISTINCT grp, s.relation,
           format('SELECT count(*) FROM %s WHERE %I >= %L::timestamp AT TIME ZONE %L AND %I < %L::timestamp AT TIME ZONE %L',
                  s.relation, s.time_column, from_date, sc.time_zone, s.time_column, to_date, sc.time_zone)
      FROM safeidx.scheme_sources(scheme) s, safeidx.scheme sc
     WHERE sc.scheme = engine_raw_queries.scheme;
$$;

-- the cell step by hand: per source, its rows counted per region code and
-- local period (every source of these schemes is a count)
CREATE FUNCTION bench.engine_plain_queries(grp text, scheme text, period text, from_date date, to_date date)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO bench.engine_query
    SELECT grp, s.source,
           format('SELECT %1$I, date_trunc(%2$L, %3$I AT TIME ZONE %4$L) AS period_start, count(*) FROM %5$s'
                  ' WHERE %6$s%3$I >= %7$L::timestamp AT TIME ZONE %4$L AND %3$I < %8$L::timestamp AT TIME ZONE %4$L'
                  ' GROUP BY 1, 2',
                  s.region_column, period, s.time_column, sc.time_zone, s.relation,
                  coalesce('(' || s.filter || ') AND ', ''), from_date, to_date)
      FROM safeidx.scheme_sources(scheme) s, safeidx.scheme sc
     WHERE sc.scheme = engine_plain_queries.scheme
       AND s.measure = 'count';
$$;

SELECT bench.engine_floor_queries('e0', 'wuchang', '2024-01-01', '2026-01-01') \g /dev/null
SELECT bench.engine_raw_queries('e1', 'wuchang', '2024-01-01', '2026-01-01') \g /dev/null
-- e5: the plain-SQL equivalent of every result of the rebuild e3
\set plain_wuchang `sed '/^--/d' test/bench/plain_wuchang.sql`
INSERT INTO bench.engine_query VALUES ('e5', 'wuchang', :'plain_wuchang');
SELECT bench.engine_plain_queries('e2', 'wuchang', 'month', '2024-01-01', '2026-01-01') \g /dev/null
\if :zhuhai
SELECT bench.engine_floor_queries('z0', 'zhuhai', '2024-01-01', '2026-01-01') \g /dev/null
SELECT bench.engine_raw_queries('z1', 'zhuhai', '2024-01-01', '2026-01-01') \g /dev/null
SELECT bench.engine_plain_queries('z2', 'zhuhai', 'day', '2024-01-01', '2026-01-01') \g /dev/null
\endif
-- count(*) is the hand-written equivalent only of plain counts
DO $$
BEGIN
    IF EXISTS (SELECT FROM safeidx.source s
                WHERE s.source IN (SELECT x.source FROM safeidx.scheme_sources('wuchang') x
                                   UNION SELECT x.source FROM safeidx.scheme_sources('zhuhai') x)
                  AND (s.measure <> 'count' OR s.severity IS NOT NULL)) THEN
        RAISE EXCEPTION 'bench: a source of the example schemes is not a plain count; update test/bench/engine.sql';
    END IF;
END $$;

-- One run of a read-only query: EXPLAIN (ANALYZE, TIMING OFF) execution time,
-- workers launched (the most of any Gather) and how its table is read.
CREATE FUNCTION bench.engine_explain(sql text, OUT ms float8, OUT launched integer, OUT scan text)
LANGUAGE plpgsql AS $$
DECLARE
    line text;
    m    text[];
BEGIN
    launched := 0;
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF) ' || sql LOOP
        m := regexp_match(line, 'Execution Time: ([0-9.]+) ms');
        IF m IS NOT NULL THEN ms := m[1]::float8; END IF;
        m := regexp_match(line, 'Workers Launched: ([0-9]+)');
        IF m IS NOT NULL THEN launched := greatest(launched, m[1]::integer); END IF;
        m := regexp_match(line, '((Parallel )?(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan)( using [a-z_]+)? on [a-z_]+)');
        IF m IS NOT NULL AND scan IS NULL THEN scan := m[1]; END IF;
    END LOOP;
END $$;

-- The baselines: one warm-up round, then :runs rounds of every query at 2
-- and at 0 workers per gather, interleaved.
CREATE FUNCTION bench.engine_time_reads(runs integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r integer;
    w integer;
    q bench.engine_query;
    e record;
    jit text := current_setting('jit');
BEGIN
    FOR r IN 0 .. runs LOOP
        FOREACH w IN ARRAY CASE WHEN r = 0 THEN '{2}'::int[] ELSE '{2,0}'::int[] END LOOP
            PERFORM set_config('max_parallel_workers_per_gather', w::text, true);
            FOR q IN SELECT * FROM bench.engine_query ORDER BY grp, item LOOP
                -- the plain SQL of every result without JIT, whose compiling
                -- a statement that size costs seconds (5.8 s of 6.6 s on the
                -- small city): a data team would turn it off for it too
                PERFORM set_config('jit', CASE WHEN q.grp = 'e5' THEN 'off' ELSE jit END, true);
                e := bench.engine_explain(q.sql);
                INSERT INTO bench.engine_run VALUES (q.grp, q.item, w, r, e.ms, e.launched, e.scan);
            END LOOP;
        END LOOP;
    END LOOP;
END $$;

-- One engine step, once: wall time by clock_timestamp() around it; detail_sql
-- (one text value) describes what it did.  Rebuilds and refreshes are
-- described by the row they add to safeidx.refresh_log.
CREATE FUNCTION bench.engine_step(id text, label text, sql text, detail_sql text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    t0     timestamptz;
    ms     float8;
    n      bigint;
    log    safeidx.refresh_log;
    detail text;
BEGIN
    t0 := clock_timestamp();
    EXECUTE sql;
    GET DIAGNOSTICS n = ROW_COUNT;
    ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
    IF sql ~ 'safeidx\.(rebuild|refresh)\(' THEN
        SELECT * INTO log FROM safeidx.refresh_log l ORDER BY l.started_at DESC LIMIT 1;
        detail := format('%s: %s changes consumed, %s cells and %s results written, periods %s .. %s',
                         log.kind, log.changes, log.cells, log.results,
                         coalesce(log.first_period::text, '-'), coalesce(log.last_period::text, '-'));
    ELSIF detail_sql IS NOT NULL THEN
        EXECUTE detail_sql INTO detail;
    ELSE
        detail := format('%s rows', n);
    END IF;
    INSERT INTO bench.engine_timing (id, label, workers, runs, ms, detail, started, finished)
    VALUES (id, label, current_setting('max_parallel_workers_per_gather'), 1, ms, detail, t0, clock_timestamp());
    RETURN format('  %-4s %-66s %10s ms  (%s)', id, label, round(ms::numeric, 1), detail);
END $$;

-- The range of cells a rebuild read must be the one the baselines read.
CREATE FUNCTION bench.engine_check_range(scheme text, cells_from date, cells_to date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    b safeidx.built_range;
BEGIN
    SELECT * INTO b FROM safeidx.built_range r WHERE r.scheme = engine_check_range.scheme;
    -- (cells run through today's year, as refresh keeps them; the demo has no
    -- row after 2025, so the baselines over 2024-2025 read the same rows)
    IF b.cells_from IS DISTINCT FROM cells_from OR NOT b.cells_to >= cells_to
       OR EXISTS (SELECT FROM demo.police_incident WHERE reported_at >= '2026-01-01 00:00+08') THEN
        RAISE EXCEPTION 'bench: scheme % has cells for [%, %), not [%, %) as the baselines assume',
            scheme, b.cells_from, b.cells_to, cells_from, cells_to;
    END IF;
END $$;

-- The plain SQL of every result (e5) must give the results of the rebuild
-- e3: every region and month of 2025, index, grade and both ranks alike.
CREATE FUNCTION bench.engine_check_plain() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    differing bigint;
BEGIN
    PERFORM set_config('jit', 'off', true);
    EXECUTE 'CREATE TEMP TABLE plain_wuchang AS ' || (SELECT q.sql FROM bench.engine_query q WHERE q.grp = 'e5');
    SELECT count(*), count(*) FILTER (WHERE r.region_code IS NULL OR (p.index, p.grade_level, p.rank_siblings, p.rank_level)
                                            IS DISTINCT FROM (r.index, r.grade_level, r.rank_siblings, r.rank_level))
      INTO n, differing
      FROM plain_wuchang p
      LEFT JOIN safeidx.result r ON r.scheme = 'wuchang' AND r.period = 'month' AND r.period_start = p.period_start
                                AND r.region_code = p.region_code;
    IF differing > 0 OR n <> (SELECT count(*) FROM safeidx.result r WHERE r.scheme = 'wuchang'
                                 AND r.period_start >= '2025-01-01' AND r.period_start < '2026-01-01') THEN
        RAISE EXCEPTION 'bench: the plain SQL of test/bench/plain_wuchang.sql differs from the rebuild in % of % results',
            differing, n;
    END IF;
    DROP TABLE plain_wuchang;
END $$;

-- Sums of the per-query medians of the baselines, as rows of engine_timing.
CREATE FUNCTION bench.engine_baseline(grp text, label text) RETURNS SETOF text
LANGUAGE sql AS $$
    WITH med AS (
        SELECT r.item, r.workers, count(*) AS runs,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY r.ms) AS ms,
               (array_agg(r.launched ORDER BY r.round DESC))[1] AS launched,
               (array_agg(r.scan ORDER BY r.round DESC))[1] AS scan
          FROM bench.engine_run r
         WHERE r.grp = engine_baseline.grp AND r.round > 0
         GROUP BY 1, 2),
    ins AS (
        INSERT INTO bench.engine_timing (id, label, workers, runs, ms, detail)
        SELECT grp, label, m.workers::text, min(m.runs), sum(m.ms),
               string_agg(format('%s %s ms (%s, %s launched)', m.item, round(m.ms::numeric, 1), m.scan, m.launched),
                          '; ' ORDER BY m.item)
          FROM med m GROUP BY m.workers ORDER BY m.workers DESC
        RETURNING *)
    SELECT format('  %-4s %-66s %10s ms  (%s workers per gather: the sum of the medians above)',
                  i.id, i.label, round(i.ms::numeric, 1), i.workers)
      FROM ins i ORDER BY i.workers DESC;
$$;

-- ---- baselines: reading the data, and the cell step in plain SQL ------------
\echo '  baselines: 1 warm-up round, then' :runs 'rounds at 2 and 0 workers per gather'
SELECT bench.engine_time_reads(:runs) \g /dev/null
SELECT format('    %-3s %-22s workers %s (launched %s), %s: runs %s ms, median %s ms',
              r.grp, r.item, r.workers, (array_agg(r.launched ORDER BY r.round DESC))[1],
              (array_agg(r.scan ORDER BY r.round DESC))[1],
              string_agg(round(r.ms::numeric, 1)::text, ' ' ORDER BY r.round),
              round((percentile_cont(0.5) WITHIN GROUP (ORDER BY r.ms))::numeric, 1))
  FROM bench.engine_run r WHERE r.round > 0
 GROUP BY r.grp, r.item, r.workers ORDER BY r.grp, r.item, r.workers DESC;

SELECT bench.engine_baseline('e0', format('floor: community-day count(*), one scan of each of %s tables, 2024-2025', count(*)))
  FROM bench.engine_query WHERE grp = 'e0';
SELECT bench.engine_baseline('e1', format('raw scan: count(*), %s tables of Wuchang, 2024-2025', count(*)))
  FROM bench.engine_query WHERE grp = 'e1';
SELECT bench.engine_baseline('e2', format('plain SQL: community-month count(*), %s sources, 2024-2025', count(*)))
  FROM bench.engine_query WHERE grp = 'e2';
SELECT bench.engine_baseline('e5', 'plain SQL: every result of Wuchang 2025, every level (JIT off)');

-- ---- Wuchang: rebuild, its cell step, refreshes ------------------------------
SELECT bench.engine_step('e3', 'safeidx.rebuild(''wuchang'', ''2025-01-01'', ''2026-01-01'')',
                         $$SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01')$$);
SELECT bench.engine_check_range('wuchang', '2024-01-01', '2026-01-01') \g /dev/null
SELECT bench.engine_check_plain() \g /dev/null
-- what writing the results costs in this design, whatever computes them: the
-- rows the rebuild wrote copied into empty tables like result and
-- result_node, their indexes included (the floor of the results step)
CREATE TABLE bench.w_result (LIKE safeidx.result INCLUDING ALL);
CREATE TABLE bench.w_node (LIKE safeidx.result_node INCLUDING ALL);
CREATE FUNCTION bench.engine_write_copy(scheme text, from_date date, to_date date) RETURNS bigint
LANGUAGE plpgsql AS $f$
DECLARE
    n bigint;
    m bigint;
BEGIN
    TRUNCATE bench.w_result, bench.w_node;
    INSERT INTO bench.w_result SELECT * FROM safeidx.result r
     WHERE r.scheme = engine_write_copy.scheme AND r.period_start >= from_date AND r.period_start < to_date;
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO bench.w_node SELECT * FROM safeidx.result_node r
     WHERE r.scheme = engine_write_copy.scheme AND r.period_start >= from_date AND r.period_start < to_date;
    GET DIAGNOSTICS m = ROW_COUNT;
    RETURN n + m;
END $f$;
SELECT bench.engine_step('e3w', 'the results'' writes alone: 2025''s rows copied into tables like them',
                         $$SELECT bench.engine_write_copy('wuchang', '2025-01-01', '2026-01-01')$$,
                         $$SELECT format('%s result and %s result_node rows', (SELECT count(*) FROM bench.w_result),
                                         (SELECT count(*) FROM bench.w_node))$$);
TRUNCATE bench.w_result, bench.w_node;
-- the cell step alone, into an empty (vacuumed) cell table as in the rebuild
DELETE FROM safeidx.cell WHERE scheme = 'wuchang';
VACUUM safeidx.cell;
SELECT bench.engine_step('e3c', 'cell step: build_cells(''wuchang'', ''2024-01-01'', its cells_to)',
                         $$SELECT safeidx.build_cells('wuchang', '2024-01-01', (SELECT cells_to FROM safeidx.built_range WHERE scheme = 'wuchang'))$$,
                         $$SELECT format('%s cells', count(*)) FROM safeidx.cell WHERE scheme = 'wuchang'$$);
INSERT INTO bench.engine_timing (id, label, workers, runs, ms, detail)
SELECT 'e3r', 'results step: rebuild - cell step', r.workers, 1, r.ms - c.ms, 'e3 - e3c'
  FROM bench.engine_timing r, bench.engine_timing c WHERE r.id = 'e3' AND c.id = 'e3c'
RETURNING format('  %-4s %-66s %10s ms  (%s)', id, label, round(ms::numeric, 1), detail);
-- as autovacuum would leave them after a rebuild
VACUUM ANALYZE safeidx.cell, safeidx.result, safeidx.result_node;

SELECT bench.engine_step('e4', 'refresh(''wuchang'') right after the rebuild',
                         $$SELECT * FROM safeidx.refresh('wuchang')$$);
SELECT bench.engine_step('e4a', 'refresh(''wuchang''), no change since',
                         $$SELECT * FROM safeidx.refresh('wuchang')$$);
-- The changes a refresh follows, each a function of its round (1, 2, 3: other
-- communities, other minutes), so that a refresh is timed over :runs rounds.
-- Fifty communities spread over the code list: those whose rank k among the
-- communities has k % step = offset (step: their number / 50).
CREATE FUNCTION bench.fifty_communities(k_offset integer) RETURNS text[] LANGUAGE sql AS $f$
    SELECT array_agg(x.code ORDER BY x.code)
      FROM (SELECT r.code, row_number() OVER (ORDER BY r.code) - 1 AS k, greatest(count(*) OVER () / 50, 1) AS step
              FROM demo.region r WHERE r.level = 'community') x
     WHERE x.k % x.step = k_offset AND x.k / x.step < 50;
$f$;
-- 1,000 incidents reported in December 2025 (local), every 44 minutes, in
-- 50 communities (offsets 0, 10, 20), categories in turn
CREATE FUNCTION bench.new_incidents(round integer) RETURNS bigint LANGUAGE sql AS $f$
    WITH ins AS (
        INSERT INTO demo.police_incident (id, reported_at, community_code, category, is_criminal)
        SELECT m.max_id + 1 + g.i,
               ('2025-12-01'::timestamp + g.i * interval '44 minutes' + (7 + round) * interval '1 minute')
                   AT TIME ZONE 'Asia/Shanghai',
               c.codes[g.i % cardinality(c.codes) + 1],
               k.category, k.category NOT IN ('disorder', 'other')
          FROM generate_series(0, 999) g(i)
         CROSS JOIN (SELECT max(id) AS max_id FROM demo.police_incident) m
         CROSS JOIN (SELECT bench.fifty_communities(10 * (round - 1)) AS codes) c
         CROSS JOIN LATERAL (SELECT (ARRAY['burglary', 'ebike_theft', 'other_theft', 'fraud', 'telecom_fraud',
                                           'assault', 'robbery', 'disorder', 'other'])[g.i % 9 + 1] AS category) k
        RETURNING 1)
    SELECT count(*) FROM ins;
$f$;
-- a late correction three months back: 500 police incidents of 2025-09
-- deleted and 500 inserted there, in 50 communities (offsets 1, 11, 21), in
-- one statement
CREATE FUNCTION bench.late_correction(round integer) RETURNS bigint LANGUAGE sql AS $f$
    WITH c AS (SELECT bench.fifty_communities(1 + 10 * (round - 1)) AS codes),
    gone AS (DELETE FROM demo.police_incident p
              WHERE p.id IN (SELECT i.id FROM demo.police_incident i, c
                              WHERE i.reported_at >= '2025-09-01 00:00+08' AND i.reported_at < '2025-10-01 00:00+08'
                                AND i.community_code = ANY (c.codes)
                              ORDER BY i.id LIMIT 500)
              RETURNING p.id),
    ins AS (INSERT INTO demo.police_incident (id, reported_at, community_code, category, is_criminal)
    SELECT m.max_id + 1 + g.i,
           ('2025-09-01'::timestamp + g.i * interval '86 minutes' + (2 + round) * interval '1 minute')
               AT TIME ZONE 'Asia/Shanghai',
           c.codes[g.i % cardinality(c.codes) + 1],
           (ARRAY['burglary', 'ebike_theft', 'fraud', 'assault', 'other'])[g.i % 5 + 1], g.i % 5 < 4
      FROM generate_series(0, 499) g(i)
     CROSS JOIN (SELECT max(id) AS max_id FROM demo.police_incident) m
     CROSS JOIN c
     WHERE (SELECT count(*) FROM gone) = 500
     RETURNING 1)
    SELECT count(*) FROM ins;
$f$;
-- one day of new rows: the police incidents of one day of late December
-- 2025 (the 27th, 26th, 25th: days no earlier round wrote to) copied to the
-- day after, new ids: every community's rows of a day, as a day's feed
-- appends them
CREATE FUNCTION bench.one_day(round integer) RETURNS bigint LANGUAGE sql AS $f$
    WITH ins AS (
        INSERT INTO demo.police_incident (id, reported_at, community_code, category, is_criminal)
        SELECT m.max_id + row_number() OVER (ORDER BY i.id), i.reported_at + interval '1 day', i.community_code,
               i.category, i.is_criminal
          FROM demo.police_incident i CROSS JOIN (SELECT max(id) AS max_id FROM demo.police_incident) m
         WHERE i.reported_at >= ('2025-12-28'::timestamp - round * interval '1 day') AT TIME ZONE 'Asia/Shanghai'
           AND i.reported_at < ('2025-12-29'::timestamp - round * interval '1 day') AT TIME ZONE 'Asia/Shanghai'
        RETURNING 1)
    SELECT count(*) FROM ins;
$f$;
-- A refresh after a change, over rounds: round 1's change is the step
-- before (timed there); each later round makes its change (untimed), then
-- every round's refresh is timed; the median is the step's figure.
CREATE FUNCTION bench.engine_refresh_rounds(id text, label text, change text, rounds integer) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
    t0      timestamptz;
    ms      float8[] := '{}';
    log     safeidx.refresh_log;
    details text[] := '{}';
    started timestamptz := clock_timestamp();
BEGIN
    FOR r IN 1 .. rounds LOOP
        IF r > 1 THEN
            EXECUTE format('SELECT %s(%s)', change, r);
        END IF;
        t0 := clock_timestamp();
        PERFORM * FROM safeidx.refresh('wuchang');
        ms := ms || (extract(epoch FROM clock_timestamp() - t0) * 1000)::float8;
        SELECT * INTO log FROM safeidx.refresh_log l ORDER BY l.started_at DESC LIMIT 1;
        details := details || format('%s changes, %s cells, %s results, %s .. %s', log.changes, log.cells,
                                     log.results, log.first_period, log.last_period);
    END LOOP;
    INSERT INTO bench.engine_timing (id, label, workers, runs, ms, detail, started, finished)
    VALUES (id, label, current_setting('max_parallel_workers_per_gather'), rounds,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(ms) x),
            format('runs %s ms; %s', (SELECT string_agg(round(x::numeric, 1)::text, ' ') FROM unnest(ms) x),
                   array_to_string(details, '; ')),
            started, clock_timestamp());
    RETURN format('  %-4s %-66s %10s ms  (runs %s)', id, label,
                  round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(ms) x)::numeric, 1),
                  (SELECT string_agg(round(x::numeric, 1)::text, ' ') FROM unnest(ms) x));
END $f$;
SELECT bench.engine_step('e4b', 'INSERT 1,000 police incidents, 50 communities, 2025-12',
    $$SELECT bench.new_incidents(1)$$,
    $$SELECT format('%s rows in %s communities; %s change_log rows for wuchang',
                    count(*), count(DISTINCT community_code),
                    (SELECT count(*) FROM safeidx.change_log WHERE scheme = 'wuchang'))
        FROM demo.police_incident
       WHERE id > (SELECT max(id) - 1000 FROM demo.police_incident)$$);
SELECT bench.engine_refresh_rounds('e4c', 'refresh(''wuchang'') after them (median of rounds)',
                                   'bench.new_incidents', :runs);
SELECT bench.engine_step('e4d', 'late correction: -500 and +500 police incidents in 2025-09',
    $$SELECT bench.late_correction(1)$$,
    $$SELECT format('%s change_log rows for wuchang', count(*)) FROM safeidx.change_log WHERE scheme = 'wuchang'$$);
SELECT bench.engine_refresh_rounds('e4e', 'refresh(''wuchang'') after the late correction (median)',
                                   'bench.late_correction', :runs);
-- the statistics office revises the 2025 resident figures of 50 communities
SELECT bench.engine_step('e4f', 'population change: 2025 residents of 50 communities revised (+1 %)',
    $$UPDATE safeidx.population p SET persons = round(p.persons * 1.01)
       WHERE p.kind = 'resident' AND p.period = 'year' AND p.period_start = '2025-01-01'
         AND p.region_code IN (SELECT x.code
                                 FROM (SELECT r.code, row_number() OVER (ORDER BY r.code) - 1 AS k,
                                              greatest(count(*) OVER () / 50, 1) AS step
                                         FROM demo.region r WHERE r.level = 'community') x
                                WHERE x.k % x.step = 2 AND x.k / x.step < 50)$$);
SELECT bench.engine_step('e4g', 'refresh(''wuchang'') after the population change',
                         $$SELECT * FROM safeidx.refresh('wuchang')$$);
SELECT bench.engine_step('e4h', 'one day of new rows: a day of police incidents, every community',
    $$SELECT bench.one_day(1)$$,
    $$SELECT format('2025-12-28 now holds %s rows in %s communities (2025-12-27''s copied there); %s change_log rows for wuchang',
                    count(*), count(DISTINCT community_code),
                    (SELECT count(*) FROM safeidx.change_log WHERE scheme = 'wuchang'))
        FROM demo.police_incident
       WHERE reported_at >= '2025-12-28 00:00+08' AND reported_at < '2025-12-29 00:00+08'$$);
SELECT bench.engine_refresh_rounds('e4i', 'refresh(''wuchang'') after one day of new rows (median)',
                                   'bench.one_day', :runs);
VACUUM ANALYZE safeidx.result, safeidx.result_node;

-- ---- dashboards: what a BI tool asks of the results ------------------------
-- Each query :runs + 4 times after one warm-up; the median of clock_timestamp()
-- around executing it and fetching every row (in the server).
CREATE FUNCTION bench.engine_dashboard(id text, label text, query text, runs integer) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
    t0 timestamptz;
    ms float8[] := '{}';
    n  bigint;
    started timestamptz := clock_timestamp();
BEGIN
    FOR i IN 0 .. runs LOOP
        t0 := clock_timestamp();
        EXECUTE format('SELECT count(*) FROM (%s) q', query) INTO n;
        IF i > 0 THEN
            ms := ms || (extract(epoch FROM clock_timestamp() - t0) * 1000)::float8;
        END IF;
    END LOOP;
    INSERT INTO bench.engine_timing (id, label, workers, runs, ms, detail, started, finished)
    VALUES (id, label, '2', runs, (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(ms) x),
            format('%s rows; runs %s ms', n, (SELECT string_agg(round(x::numeric, 1)::text, ' ') FROM unnest(ms) x)),
            started, clock_timestamp());
    RETURN format('  %-4s %-66s %10s ms  (%s rows)', id, label,
                  round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(ms) x)::numeric, 1), n);
END $f$;
SELECT code AS bench_street FROM demo.region WHERE level = 'street' ORDER BY code LIMIT 1 \gset
SELECT bench.engine_dashboard('ed1', 'dashboard: the streets'' ranking of 2025-12 (index_result)',
    $$SELECT * FROM safeidx.index_result WHERE scheme = 'wuchang' AND period = 'month'
        AND period_start = '2025-12-01' AND depth = 3 ORDER BY rank_level$$, :runs + 4);
SELECT bench.engine_dashboard('ed2', 'dashboard: the warnings of 2025-12 (warning)',
    $$SELECT * FROM safeidx.warning WHERE scheme = 'wuchang' AND period_start = '2025-12-01'$$, :runs + 4);
SELECT bench.engine_dashboard('ed3', 'dashboard: one street''s months with their indicators (indicator_result)',
    format($$SELECT * FROM safeidx.indicator_result WHERE scheme = 'wuchang' AND period = 'month'
               AND region_code = %L ORDER BY period_start, node$$, :'bench_street'), :runs + 4);
SELECT bench.engine_dashboard('ed4', 'dashboard: every street, every month of 2025 (index_result)',
    $$SELECT * FROM safeidx.index_result WHERE scheme = 'wuchang' AND period = 'month' AND depth = 3
        AND period_start >= '2025-01-01' AND period_start < '2026-01-01'$$, :runs + 4);

-- ---- Zhuhai: daily and monthly ----------------------------------------------
\if :zhuhai
SELECT bench.engine_baseline('z0', format('floor: community-day count(*), one scan of each of %s tables, 2024-2025', count(*)))
  FROM bench.engine_query WHERE grp = 'z0';
SELECT bench.engine_baseline('z1', format('raw scan: count(*), %s tables of Zhuhai, 2024-2025', count(*)))
  FROM bench.engine_query WHERE grp = 'z1';
SELECT bench.engine_baseline('z2', format('plain SQL: community-day count(*), %s sources, 2024-2025', count(*)))
  FROM bench.engine_query WHERE grp = 'z2';
SELECT bench.engine_step('z3', 'safeidx.rebuild(''zhuhai'', ''2025-12-01'', ''2026-01-01'')',
                         $$SELECT * FROM safeidx.rebuild('zhuhai', '2025-12-01', '2026-01-01')$$);
SELECT bench.engine_check_range('zhuhai', '2024-01-01', '2026-01-01') \g /dev/null
DELETE FROM safeidx.cell WHERE scheme = 'zhuhai';
VACUUM safeidx.cell;
SELECT bench.engine_step('z3c', 'cell step: build_cells(''zhuhai'', ''2024-01-01'', its cells_to)',
                         $$SELECT safeidx.build_cells('zhuhai', '2024-01-01', (SELECT cells_to FROM safeidx.built_range WHERE scheme = 'zhuhai'))$$,
                         $$SELECT format('%s cells (%s daily)', count(*), count(*) FILTER (WHERE period = 'day'))
                             FROM safeidx.cell WHERE scheme = 'zhuhai'$$);
INSERT INTO bench.engine_timing (id, label, workers, runs, ms, detail)
SELECT 'z3r', 'results step: rebuild - cell step', r.workers, 1, r.ms - c.ms, 'z3 - z3c'
  FROM bench.engine_timing r, bench.engine_timing c WHERE r.id = 'z3' AND c.id = 'z3c'
RETURNING format('  %-4s %-66s %10s ms  (%s)', id, label, round(ms::numeric, 1), detail);
-- a year of Zhuhai (every day and month of 2025), the issue's unit for its target
SELECT bench.engine_step('z4', 'safeidx.rebuild(''zhuhai'', ''2025-01-01'', ''2026-01-01'')',
                         $$SELECT * FROM safeidx.rebuild('zhuhai', '2025-01-01', '2026-01-01')$$);
SELECT bench.engine_step('z4w', 'the results'' writes alone: 2025''s rows copied into tables like them',
                         $$SELECT bench.engine_write_copy('zhuhai', '2025-01-01', '2026-01-01')$$,
                         $$SELECT format('%s result and %s result_node rows', (SELECT count(*) FROM bench.w_result),
                                         (SELECT count(*) FROM bench.w_node))$$);
TRUNCATE bench.w_result, bench.w_node;
\endif

-- ---- the table ----------------------------------------------------------------
-- Each row's ratios to its scheme's serial (0 workers) raw scan and plain
-- SQL (x_raw, x_plain), to the 2-worker ones (x_raw2, x_plain2) and to the
-- serial floor (x_floor).
-- peak_mb: the backend's largest private memory (RssAnon) sampled while the
-- step ran (parallel workers not included: other processes).
CREATE VIEW bench.engine_result AS
SELECT t.seq, t.id, t.label, t.workers, t.runs, t.ms,
       t.ms / nullif(r0.ms, 0) AS x_raw, t.ms / nullif(p0.ms, 0) AS x_plain,
       t.ms / nullif(r2.ms, 0) AS x_raw2, t.ms / nullif(p2.ms, 0) AS x_plain2, t.detail,
       t.ms / nullif(f0.ms, 0) AS x_floor,
       (SELECT max(m.rss_anon_kb) / 1024.0 FROM bench.memory_sample m
         WHERE m.at_us BETWEEN extract(epoch FROM t.started) * 1e6 AND extract(epoch FROM t.finished) * 1e6) AS peak_mb
  FROM bench.engine_timing t
  LEFT JOIN bench.engine_timing r0 ON r0.id = left(t.id, 1) || '1' AND r0.workers = '0'
  LEFT JOIN bench.engine_timing p0 ON p0.id = left(t.id, 1) || '2' AND p0.workers = '0'
  LEFT JOIN bench.engine_timing r2 ON r2.id = left(t.id, 1) || '1' AND r2.workers = '2'
  LEFT JOIN bench.engine_timing p2 ON p2.id = left(t.id, 1) || '2' AND p2.workers = '2'
  LEFT JOIN bench.engine_timing f0 ON f0.id = left(t.id, 1) || '0' AND f0.workers = '0'
 ORDER BY left(t.id, 1), t.seq;
