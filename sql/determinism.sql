-- Deterministic arithmetic (issue 10): every result is computed in an order
-- fixed by the data, so that refresh() after any history of changes equals
-- rebuild() bit for bit, and verify_release() finds nothing on unchanged
-- data however often it runs.  Compared with IS DISTINCT FROM on every
-- column, float8 included: no tolerance.
--
-- The fixture is generated: 211 regions (district d, 10 streets, 200
-- communities), two years of departmental rows drawn with a fixed seed,
-- a scheme of two versions with arithmetic and geometric means whose
-- weights (1/3, 0.1, 0.2, 11/30, ...) do not add up exactly in binary.
-- The rows are random, so this file prints only counts and booleans.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
\set VERBOSITY terse

CREATE SCHEMA fix;
-- street s (1 .. 10) and community k (0 .. 199) of street k / 20 + 1
CREATE FUNCTION fix.street(s integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format('s%s', lpad(s::text, 2, '0'));
$$;
CREATE FUNCTION fix.community(k integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format('%s_c%s', fix.street(k / 20 + 1), lpad((k % 20 + 1)::text, 2, '0'));
$$;

-- Every random draw comes from generate_series() rows or a loop, in their
-- order, never from a table scan (whose order could change): the seed
-- fixes every row.
SELECT setseed(0.20240101);

BEGIN;
INSERT INTO region (code, parent_code, name_zh, kind) VALUES ('d', NULL, '区', 'district');
INSERT INTO region (code, parent_code, name_zh, kind)
SELECT fix.street(s), 'd', format('街道%s', s), 'street' FROM generate_series(1, 10) s;
INSERT INTO region (code, parent_code, name_zh, kind)
SELECT fix.community(k), fix.street(k / 20 + 1), format('社区%s', k), 'community' FROM generate_series(0, 199) k;
-- residents of every community in 2023 and 2024; about 1 in 25 has no
-- figure for 2024 (its events count, its rates are left out)
INSERT INTO population (region_code, period, period_start, kind, persons)
SELECT fix.community(i % 200), 'year', CASE WHEN i < 200 THEN date '2023-01-01' ELSE date '2024-01-01' END,
       'resident', persons
  FROM (SELECT i, 1000 + floor(random() * 8000) AS persons, random() AS skip FROM generate_series(0, 399) i) g
 WHERE i < 200 OR skip >= 0.04;
COMMIT;

-- The departments' tables: events (thefts with the loss in yuan, fires,
-- mediations) and a monthly service rating of communities and streets.
-- Local times in 2023 and 2024 (Asia/Shanghai); some codes unknown or
-- NULL, some amounts and ratings NULL.
CREATE TABLE fix.event (id integer PRIMARY KEY, at timestamptz NOT NULL, code text, kind text NOT NULL,
                        amount numeric, ok boolean);
CREATE INDEX ON fix.event (at);
CREATE TABLE fix.rating (id integer PRIMARY KEY, day date NOT NULL, code text, score float8);
-- one event at a time in [t0, t0 + span), drawn from the next random numbers
CREATE FUNCTION fix.draw_event(id integer, t0 timestamptz, span interval, OUT e fix.event) LANGUAGE plpgsql AS $$
DECLARE
    k integer := floor(random() * 200);
    u float8 := random();
    r float8 := random();
BEGIN
    e.id := id;
    e.at := t0 + random() * span;
    e.code := CASE WHEN u < 0.01 THEN 'zz' WHEN u < 0.015 THEN NULL ELSE fix.community(k) END;
    e.kind := CASE WHEN r < 0.55 THEN 'theft' WHEN r < 0.75 THEN 'fire' ELSE 'mediation' END;
    e.amount := CASE WHEN e.kind = 'theft' AND random() >= 0.05 THEN round((random() * 1000)::numeric, 2) END;
    e.ok := CASE WHEN e.kind = 'mediation' THEN random() < 0.7 END;
END $$;
INSERT INTO fix.event
SELECT e.* FROM generate_series(1, 10000) i
 CROSS JOIN LATERAL fix.draw_event(i, '2023-01-01 00:00+08', interval '731 days') e;
-- a rating of each community and street (210) a month, on the month's day
-- 1 to 28; every tenth one missing, some without a score
INSERT INTO fix.rating
SELECT i, (date '2023-01-01' + make_interval(months => i / 210))::date + (i % 28),
       CASE WHEN i % 210 < 200 THEN fix.community(i % 210) ELSE fix.street(i % 210 - 199) END,
       CASE WHEN random() >= 0.03 THEN random() * 100 END
  FROM generate_series(0, 24 * 210 - 1) i
 WHERE i % 10 <> 7;
-- 10,000 events of 3 kinds; 24 x 210 ratings less every tenth: 4,536.
SELECT count(*) AS events, count(DISTINCT kind) AS kinds,
       count(*) FILTER (WHERE code IS NULL OR code = 'zz') > 0 AS some_unknown_codes,
       count(*) FILTER (WHERE kind = 'theft' AND amount IS NULL) > 0 AS some_without_amount,
       min(at) >= '2023-01-01 00:00+08' AND max(at) < '2025-01-01 00:00+08' AS in_2023_2024
  FROM fix.event;
SELECT count(*) AS ratings, count(*) FILTER (WHERE score IS NULL) > 0 AS some_without_score FROM fix.rating;

-- Sources: thefts, fires and losses declared delivered for 2023-2024;
-- mediations and ratings delivered as far as their rows go (derived again
-- by every build: the ratings end on the 28th of December or before).
INSERT INTO source (source, relation, region_column, time_column, filter, measure, measure_column,
                    delivered_from, delivered_through) VALUES
    ('theft', 'fix.event', 'code', 'at', $$kind = 'theft'$$, 'count', NULL, '2023-01-01', '2024-12-31'),
    ('fire', 'fix.event', 'code', 'at', $$kind = 'fire'$$, 'count', NULL, '2023-01-01', '2024-12-31'),
    ('loss', 'fix.event', 'code', 'at', $$kind = 'theft'$$, 'sum', 'amount', '2023-01-01', '2024-12-31'),
    ('med_ok', 'fix.event', 'code', 'at', $$kind = 'mediation' AND ok$$, 'count', NULL, NULL, NULL),
    ('med_all', 'fix.event', 'code', 'at', $$kind = 'mediation'$$, 'count', NULL, NULL, NULL),
    ('rating', 'fix.rating', 'code', 'day', NULL, 'sum', 'score', NULL, NULL);

-- Scheme det, by month and quarter, total 1, published with 4 decimals, an
-- index where at least 0.6 of the weight is scored.
--   v1 (2024-01 .. 06): arithmetic mean of
--     order 1/3, the geometric mean of theft 0.1 (per 10,000 residents
--       against the district's 2023 average, bands 0.8 / 1.2, linear) and
--       fire 1/3 - 0.1 (count against the previous period, step 0.5);
--     loss 0.1 (yuan per 10,000 residents against the same period last
--       year of the region's parent, bands);
--     mediation 0.2 (successes per 100 mediations, at least 3, goalposts
--       50 .. 100);
--     service 11/30 (the region's own rating, min-max over its level).
--   v2 (from 2024-07): the same leaves, a geometric mean of order 0.3
--     (now arithmetic: theft 0.1, fire 0.2), loss 0.1, mediation 0.2,
--     service 0.4.
BEGIN;
INSERT INTO scheme (scheme, name_zh, periods) VALUES ('det', '确定性', '{month,quarter}');
INSERT INTO scheme_version (scheme, version, valid_from, valid_to, total, aggregation, min_coverage, index_decimals)
VALUES ('det', 'v1', '2024-01-01', '2024-07-01', 1, 'arithmetic', 0.6, 4),
       ('det', 'v2', '2024-07-01', 'infinity', 1, 'geometric', 0.6, 4);
INSERT INTO indicator (scheme, version, node, parent_node, name_zh, weight, aggregation) VALUES
    ('det', 'v1', 'order', NULL, '治安', 1.0 / 3, 'geometric'),
    ('det', 'v2', 'order', NULL, '治安', 0.3, 'arithmetic');
INSERT INTO indicator (scheme, version, node, parent_node, name_zh, weight, direction, sources, measure,
                       denominator_sources, per, min_denominator, scoring, scoring_params, baseline, baseline_of,
                       baseline_depth)
SELECT 'det', v.version, x.node, x.parent_node, x.node, CASE v.version WHEN 'v1' THEN x.w1 ELSE x.w2 END,
       x.direction, x.sources, x.measure, x.den, x.per, x.min_den, x.scoring, x.params, x.baseline, x.base_of, x.depth
  FROM (VALUES ('v1'), ('v2')) v(version),
       (VALUES ('theft', 'order', 0.1::float8, 0.1::float8, 'negative', '{theft}'::text[], 'rate', NULL::text[],
                10000::float8, NULL::float8, 'ratio_band', '{"middle": "linear"}'::jsonb, 'prior_years', 'depth', 1),
               ('fire', 'order', 1.0 / 3 - 0.1, 0.2, 'negative', '{fire}', 'count', NULL, 10000, NULL,
                'ratio_band', '{"middle_share": 0.5}', 'previous_period', 'self', NULL),
               ('loss', NULL, 0.1, 0.1, 'negative', '{loss}', 'rate', NULL, 10000, NULL,
                'ratio_band', '{}', 'same_period_last_year', 'parent', NULL),
               ('mediation', NULL, 0.2, 0.2, 'positive', '{med_ok}', 'ratio', '{med_all}', 100, 3,
                'goalposts', '{"minimum": 50, "maximum": 100}', 'none', 'self', NULL),
               ('service', NULL, 11.0 / 30, 0.4, 'positive', '{rating}', 'value', NULL, 10000, NULL,
                'minmax', '{}', 'none', 'self', NULL))
       x(node, parent_node, w1, w2, direction, sources, measure, den, per, min_den, scoring, params, baseline,
         base_of, depth);
COMMIT;
-- The weights do not add up exactly in binary (checked in Python): the
-- level-1 weights of v1 (loss 0.1, mediation 0.2, order 1/3, service
-- 11/30) and of v2 (0.1, 0.2, 0.3, 0.4) add up to 1 in name order and to
-- 0.9999999999999999 in the reverse order; the children of order add up
-- to 0.1 + 0.23333333333333334 = 0.33333333333333337 in v1, not
-- 0.3333333333333333, and to 0.1 + 0.2 = 0.30000000000000004 in v2, not
-- 0.3; every sum is within 1e-9.  The kernel adds in name order, always.
SELECT version, sum(weight ORDER BY node) = 1 AS name_order_1, sum(weight ORDER BY node DESC) = 1 AS reverse_order_1,
       abs(sum(weight) - 1) < 1e-9 AS within_1e_9
  FROM indicator WHERE scheme = 'det' AND parent_node IS NULL GROUP BY version ORDER BY version;
SELECT p.version, p.weight AS order_weight, sum(c.weight ORDER BY c.node) AS children,
       sum(c.weight ORDER BY c.node) = p.weight AS exactly, abs(sum(c.weight) - p.weight) < 1e-9 AS within_1e_9
  FROM indicator p JOIN indicator c ON (c.scheme, c.version, c.parent_node) = (p.scheme, p.version, p.node)
 WHERE p.scheme = 'det' GROUP BY p.version, p.weight ORDER BY p.version;

-- The results as they stand, every column but computed_at, and a count of
-- the rows that differ from a snapshot of them (a row on one side only
-- counts too), per table: results, node results, cells.
CREATE VIEW fix.now_result AS
SELECT scheme, period, period_start, region_code, version, parent_code, depth, index, coverage, grade_level,
       rank_siblings, rank_level, residents, missing_units, index_unrounded, status
  FROM result WHERE scheme = 'det';
CREATE VIEW fix.now_node AS SELECT * FROM result_node WHERE scheme = 'det';
CREATE VIEW fix.now_cell AS SELECT * FROM cell WHERE scheme = 'det';
CREATE FUNCTION fix.take_snapshot() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DROP TABLE IF EXISTS fix.snap_result, fix.snap_node, fix.snap_cell;
    CREATE TABLE fix.snap_result AS SELECT * FROM fix.now_result;
    CREATE TABLE fix.snap_node AS SELECT * FROM fix.now_node;
    CREATE TABLE fix.snap_cell AS SELECT * FROM fix.now_cell;
END $$;
-- (cells are keyed by their region code as written, NULL included)
CREATE FUNCTION fix.differences(OUT results bigint, OUT differing_results bigint, OUT nodes bigint,
                                OUT differing_nodes bigint, OUT differing_cells bigint)
LANGUAGE plpgsql AS $$
BEGIN
    SELECT (SELECT count(*) FROM fix.now_result),
           (SELECT count(*) FROM fix.snap_result s FULL JOIN fix.now_result n
                   USING (scheme, period, period_start, region_code) WHERE s IS DISTINCT FROM n),
           (SELECT count(*) FROM fix.now_node),
           (SELECT count(*) FROM fix.snap_node s FULL JOIN fix.now_node n
                   USING (scheme, period, period_start, region_code, node) WHERE s IS DISTINCT FROM n),
           (SELECT count(*) FROM fix.snap_cell s FULL JOIN fix.now_cell n
                   ON (s.scheme, s.period, s.period_start, s.source, coalesce(s.region_code, '(null)'))
                    = (n.scheme, n.period, n.period_start, n.source, coalesce(n.region_code, '(null)'))
             WHERE s IS DISTINCT FROM n)
      INTO results, differing_results, nodes, differing_nodes, differing_cells;
END $$;

-- Results for 2024: 12 months and 4 quarters of 211 regions, 16 x 211 =
-- 3,376 results (12 x 211 = 2,532 and 4 x 211 = 844); 6 nodes each (order
-- and its two leaves, three other leaves): 20,256 node results.
SELECT period, periods, first_period, last_period, results FROM rebuild('det', '2024-01-01', '2025-01-01');
SELECT fix.take_snapshot();
SELECT * FROM fix.differences();

-- The comparison sees the last bit: one copied float8 moved to the next
-- float8 up (x + ulp(x), ulp = 2^(floor(log2 x) - 52)), here the
-- district's theft rate of June, is one differing row, which a comparison
-- with a tolerance of 1e-12 would not see; moved back, none.
CREATE TABLE fix.ulp AS
SELECT value AS x, value + power(2::float8, floor(log(2, value::numeric)) - 52) AS next
  FROM fix.snap_node WHERE period = 'month' AND period_start = '2024-06-01' AND region_code = 'd' AND node = 'theft';
SELECT x > 0 AS positive, next <> x AS differs, next > x AS above, (next - x) / x <= 2::float8 ^ -52 AS in_the_last_bit,
       abs(next - x) < 1e-12 AS within_tolerance
  FROM fix.ulp;
UPDATE fix.snap_node s SET value = u.next FROM fix.ulp u
 WHERE s.period = 'month' AND s.period_start = '2024-06-01' AND s.region_code = 'd' AND s.node = 'theft';
SELECT differing_nodes FROM fix.differences();
SELECT count(*) AS differing_with_tolerance
  FROM fix.snap_node s JOIN fix.now_node n USING (scheme, period, period_start, region_code, node)
 WHERE abs(s.value - n.value) > 1e-12;
UPDATE fix.snap_node s SET value = u.x FROM fix.ulp u
 WHERE s.period = 'month' AND s.period_start = '2024-06-01' AND s.region_code = 'd' AND s.node = 'theft';
SELECT differing_nodes FROM fix.differences();

-- A refresh with nothing changed: no period recomputed, nothing differs.
SELECT period, periods, results FROM refresh('det');
SELECT * FROM fix.differences();

-- Six rounds of random changes, each followed by refresh(), each in a
-- window of dates: 60 rows of the window moved to another community and
-- another time in it (one in three keeps its place and changes only its
-- amount), 30 deleted, 60 new ones (some with unknown or NULL codes or no
-- amount), 10 ratings changed and 5 deleted.  The draws are made in a
-- loop into fix.draw first, so that no random number depends on the order
-- a table is scanned in.
CREATE TABLE fix.window_row (id integer PRIMARY KEY, rn bigint NOT NULL);
CREATE TABLE fix.draw (j integer PRIMARY KEY, rn bigint NOT NULL, e fix.event, u float8);
CREATE FUNCTION fix.random_round(lo date, hi date, OUT inserted bigint, OUT updated bigint, OUT deleted bigint)
LANGUAGE plpgsql AS $$
DECLARE
    top integer := (SELECT max(id) FROM fix.event);
    t0 timestamptz := lo::timestamp AT TIME ZONE 'Asia/Shanghai';
    span interval := (hi - lo) * interval '1 day';
    n bigint;
BEGIN
    -- the window's rows numbered by id; 60 draws to update, 30 to delete
    -- (an id drawn twice counts once), 60 new rows
    TRUNCATE fix.window_row, fix.draw;
    INSERT INTO fix.window_row SELECT id, row_number() OVER (ORDER BY id) FROM fix.event WHERE at >= t0 AND at < t0 + span;
    n := (SELECT count(*) FROM fix.window_row);
    FOR j IN 1 .. 150 LOOP
        INSERT INTO fix.draw VALUES (j, 1 + floor(random() * n), fix.draw_event(CASE WHEN j > 90 THEN top + j - 90 END, t0, span));
    END LOOP;
    UPDATE fix.event v SET code = CASE WHEN v.id % 3 = 0 THEN v.code ELSE (d.e).code END,
                           at = CASE WHEN v.id % 3 = 0 THEN v.at ELSE (d.e).at END,
                           amount = CASE WHEN v.kind = 'theft' THEN (d.e).amount END
      FROM (SELECT DISTINCT ON (w.id) w.id, x.e FROM fix.draw x JOIN fix.window_row w USING (rn)
             WHERE x.j <= 60 ORDER BY w.id, x.j) d
     WHERE v.id = d.id;
    GET DIAGNOSTICS updated = ROW_COUNT;
    DELETE FROM fix.event v USING fix.draw x JOIN fix.window_row w USING (rn)
     WHERE x.j BETWEEN 61 AND 90 AND v.id = w.id;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    INSERT INTO fix.event SELECT (x.e).* FROM fix.draw x WHERE x.j > 90 ORDER BY x.j;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    -- ratings of the window: 10 new scores (one in eleven NULL), 5 deleted
    TRUNCATE fix.window_row, fix.draw;
    INSERT INTO fix.window_row SELECT id, row_number() OVER (ORDER BY id) FROM fix.rating WHERE day >= lo AND day < hi;
    n := (SELECT count(*) FROM fix.window_row);
    FOR j IN 1 .. 15 LOOP
        INSERT INTO fix.draw (j, rn, u) VALUES (j, 1 + floor(random() * n), random() * 110);
    END LOOP;
    UPDATE fix.rating r SET score = CASE WHEN d.u < 100 THEN d.u END
      FROM (SELECT DISTINCT ON (w.id) w.id, x.u FROM fix.draw x JOIN fix.window_row w USING (rn)
             WHERE x.j <= 10 ORDER BY w.id, x.j) d
     WHERE r.id = d.id;
    DELETE FROM fix.rating r USING fix.draw x JOIN fix.window_row w USING (rn) WHERE x.j > 10 AND r.id = w.id;
END $$;
-- Each round inserts 60 rows; ids drawn twice make the rows updated and
-- deleted a few fewer than 60 and 30.  A refresh recomputes the periods
-- holding changed dates, the next period (previous-period baselines) and
-- the same period a year on; changes in 2023 recompute every period of 2024
-- (prior-years baselines).  Each period of a kind is 211 results.  The
-- rounds that recompute everything come first, so that the last ones leave
-- most periods as earlier refreshes computed them.
-- Round 1, anywhere in 2023 and 2024: every period (12 x 211 = 2,532 and
-- 4 x 211 = 844 results).
SELECT inserted, updated > 40 AS most_updated, deleted > 20 AS most_deleted
  FROM fix.random_round('2023-01-01', '2025-01-01');
SELECT period, periods, first_period, last_period, results FROM refresh('det');
-- Round 2, November 2023, read by the prior-years baselines of every
-- period of 2024, and 20 population figures changed (both years): every
-- period.
SELECT inserted, updated > 40 AS most_updated, deleted > 20 AS most_deleted
  FROM fix.random_round('2023-11-01', '2023-12-01');
UPDATE population p SET persons = p.persons + 100
 WHERE p.region_code IN (SELECT fix.community(floor(random() * 200)::integer) FROM generate_series(1, 20));
SELECT period, periods, first_period, last_period, results FROM refresh('det');
-- Round 3, September 2024, and community s01_c01 moves to street s02 from
-- July 2024 (a change of the hierarchy, results only): every period, as
-- the trigger on region logs the whole validity of the row updated (from
-- -infinity), not only the dates from July on.
SELECT inserted, updated > 40 AS most_updated, deleted > 20 AS most_deleted
  FROM fix.random_round('2024-09-01', '2024-10-01');
BEGIN;
UPDATE region SET valid_to = '2024-07-01' WHERE code = 's01_c01';
INSERT INTO region (code, valid_from, parent_code, name_zh, kind) VALUES ('s01_c01', '2024-07-01', 's02', '社区0', 'community');
COMMIT;
SELECT period, periods, first_period, last_period, results FROM refresh('det');
-- Round 4, March 2024: March and April, the first and second quarters
-- (2 x 211 = 422 results each).
SELECT inserted, updated > 40 AS most_updated, deleted > 20 AS most_deleted
  FROM fix.random_round('2024-03-01', '2024-04-01');
SELECT period, periods, first_period, last_period, results FROM refresh('det');
-- Round 5, 20 June to 9 July 2024, across the change of version and of
-- quarter: June to August, the second to fourth quarters (3 x 211 = 633).
SELECT inserted, updated > 40 AS most_updated, deleted > 20 AS most_deleted
  FROM fix.random_round('2024-06-20', '2024-07-10');
SELECT period, periods, first_period, last_period, results FROM refresh('det');
-- Round 6, December 2024: December and the fourth quarter (211 each; the
-- next periods are after the data delivered).
SELECT inserted, updated > 40 AS most_updated, deleted > 20 AS most_deleted
  FROM fix.random_round('2024-12-01', '2025-01-01');
SELECT period, periods, first_period, last_period, results FROM refresh('det');
SELECT count(*) AS changes_left FROM change_log WHERE scheme = 'det';
-- The changes changed results, node results and cells.
SELECT differing_results > 0 AS results_changed, differing_nodes > 0 AS nodes_changed,
       differing_cells > 0 AS cells_changed
  FROM fix.differences();

-- Publish June (v1) and September (v2) and the third quarter from the
-- refreshed results, then verify June three times and the others once:
-- verify_release rebuilds its period from the departmental tables (in a
-- subtransaction) and lists every published column that differs: none,
-- every time.
INSERT INTO release_series (series, scheme, period, title_zh) VALUES
    ('det_monthly', 'det', 'month', '月报'), ('det_quarterly', 'det', 'quarter', '季报');
SELECT series, number, period_start, version, completeness FROM publish_release('det_monthly', '2024-06-01');
SELECT series, number, period_start, version, completeness FROM publish_release('det_monthly', '2024-09-01');
SELECT series, number, period_start, version, completeness FROM publish_release('det_quarterly', '2024-07-01');
CREATE FUNCTION fix.verify(series text, number integer, times integer) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
    found bigint[] := '{}';
BEGIN
    FOR i IN 1 .. times LOOP
        found := found || (SELECT count(*) FROM safeidx.verify_release(series, number));
    END LOOP;
    RETURN found;
END $$;
SELECT series, number, fix.verify(series, number, CASE WHEN series = 'det_monthly' AND number = 1 THEN 3 ELSE 1 END)
       AS differences
  FROM release ORDER BY series, number;

-- The refreshed results against a rebuild from scratch: equal, every
-- column of every row, bit for bit (results, node results, cells).
SELECT fix.take_snapshot();
SELECT period, periods, first_period, last_period, results FROM rebuild('det', '2024-01-01', '2025-01-01');
SELECT * FROM fix.differences();
-- Again after a refresh with nothing changed, and June verified twice more
-- after it (five calls in all).
SELECT period, periods, results FROM refresh('det');
SELECT * FROM fix.differences();
SELECT fix.verify('det_monthly', 1, 2) AS differences;
SELECT * FROM fix.differences();

-- verify_release sees the last bit too: a released value moved to the next
-- float8 up (behind the triggers' back, rolled back afterwards) is reported,
-- with the checksum.
BEGIN;
ALTER TABLE release_indicator DISABLE TRIGGER release_indicator_frozen;
UPDATE release_indicator i SET value = i.value + power(2::float8, floor(log(2, i.value::numeric)) - 52)
 WHERE (i.series, i.number, i.region_code, i.node) = ('det_monthly', 1, 'd', 'theft');
ALTER TABLE release_indicator ENABLE TRIGGER release_indicator_frozen;
SELECT region_code, node, what, released <> recomputed AS differs FROM verify_release('det_monthly', 1);
ROLLBACK;

-- A latest delivery that moves back.  The departments stop declaring what
-- they delivered (theft, fire and loss are derived from their rows too) and
-- every row from 20 November 2024 on is deleted: the latest date delivered
-- is now 19 November (there are rows of every day), so a rebuild computes
-- no period starting after it.  The refresh recomputes November and the
-- fourth quarter (211 results each; incomplete now, October still
-- complete) and removes December, which a rebuild does not compute: equal
-- again, 15 x 211 = 3,165 results (11 x 211 = 2,321 months and 844
-- quarters), 18,990 node results.
UPDATE source SET delivered_from = NULL, delivered_through = NULL WHERE source IN ('theft', 'fire', 'loss');
DELETE FROM fix.event WHERE at >= '2024-11-20 00:00+08';
DELETE FROM fix.rating WHERE day >= '2024-11-20';
SELECT period, periods, first_period, last_period, results FROM refresh('det');
SELECT max(delivered_through) AS latest_delivered FROM source_delivery('det');
SELECT period, period_start, count(*) AS results, bool_and(status = 'incomplete') AS incomplete
  FROM result WHERE scheme = 'det' AND period_start >= '2024-10-01' GROUP BY period, period_start ORDER BY 1, 2;
SELECT fix.take_snapshot();
SELECT period, periods, first_period, last_period, results FROM rebuild('det', '2024-01-01', '2025-01-01');
SELECT * FROM fix.differences();
