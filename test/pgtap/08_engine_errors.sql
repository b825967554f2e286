-- The SQLSTATE and message of every scheme, indicator-tree and computing
-- error.  The tree checks are deferred to commit; SET CONSTRAINTS ALL
-- IMMEDIATE makes them fire at the end of each statement instead.
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh);
-- of it, this file uses only the extensions pgtap and safeidx.
BEGIN;
SELECT plan(23);
SET CONSTRAINTS ALL IMMEDIATE;

CREATE TABLE public.err_event (at timestamptz, code text, kind text);
INSERT INTO safeidx.source (source, relation, region_column, time_column) VALUES
    ('err_src', 'public.err_event', 'code', 'at');
INSERT INTO safeidx.scheme (scheme, name_zh) VALUES ('err', '错误');
INSERT INTO safeidx.scheme_version (scheme, version, valid_from) VALUES ('err', 'v1', '2025-01-01');
-- a valid tree: top (100) = x (60) + y (40)
INSERT INTO safeidx.indicator (scheme, version, node, parent_node, name_zh, weight, direction, sources, scoring, baseline) VALUES
    ('err', 'v1', 'top', NULL, '总', 100, NULL, NULL, NULL, 'none'),
    ('err', 'v1', 'x', 'top', 'x', 60, 'negative', '{err_src}', 'ratio_band', 'previous_period'),
    ('err', 'v1', 'y', 'top', 'y', 40, 'positive', '{err_src}', 'target', 'previous_period');

SELECT throws_ok($$UPDATE safeidx.indicator SET weight = 50 WHERE scheme = 'err' AND node = 'y'$$,
    '22023', 'weights of the children of indicator "top" (scheme "err" version "v1") add up to 110, not its weight 100',
    'children''s weights must add up to their node''s');
SELECT throws_ok($$UPDATE safeidx.indicator SET weight = 90 WHERE scheme = 'err' AND node = 'top'$$,
    '22023', NULL, 'level-1 weights must add up to the version''s total');
SELECT throws_ok($$UPDATE safeidx.scheme_version SET positive_share = 0.5 WHERE scheme = 'err'$$,
    '22023', 'positive indicators of scheme "err" version "v1" weigh 40, not 50 (0.5 of the total 100)',
    'positive share');
SELECT throws_ok($$UPDATE safeidx.indicator SET parent_node = 'x' WHERE scheme = 'err' AND node = 'top'$$,
    '22023', NULL, 'a cycle of parent nodes');
SELECT throws_ok($$UPDATE safeidx.indicator SET sources = NULL WHERE scheme = 'err' AND node = 'x'$$,
    '22023', 'indicator "x" (scheme "err" version "v1") has no source', 'a leaf needs a source');
SELECT throws_ok($$UPDATE safeidx.indicator SET sources = '{err_src,nosuch}' WHERE scheme = 'err' AND node = 'x'$$,
    '23503', 'indicator "x" (scheme "err" version "v1") reads unknown source "nosuch"', 'unknown source');
SELECT throws_ok($$UPDATE safeidx.indicator SET sources = '{nosuch}' WHERE scheme = 'err' AND node = 'x'$$,
    '23503', NULL, 'unknown first source (caught by the foreign key on first_source)');
SELECT throws_ok($$UPDATE safeidx.indicator SET baseline = 'none' WHERE scheme = 'err' AND node = 'x'$$,
    '22023', NULL, 'ratio_band needs a baseline');
SELECT throws_ok($$UPDATE safeidx.indicator SET scoring_params = '{"upper": true}' WHERE scheme = 'err' AND node = 'x'$$,
    '22023', NULL, 'a scoring parameter of the wrong JSON type');
SELECT throws_ok($$INSERT INTO safeidx.scheme_version (scheme, version, valid_from) VALUES ('err', 'v2', '2025-06-01')$$,
    '23P01', 'versions "v2" and "v1" of scheme "err" are both in force on some dates', 'overlapping versions');
SELECT throws_ok($$DELETE FROM safeidx.source WHERE source = 'err_src'$$,
    '2BP01', NULL, 'a source in use cannot be deleted');
SELECT throws_ok($$INSERT INTO safeidx.scheme (scheme, name_zh, time_zone) VALUES ('err2', 'x', 'Mars/Olympus')$$,
    '22023', 'time zone "Mars/Olympus" of scheme "err2" is not known', 'unknown time zone');
SELECT throws_ok($$SELECT * FROM safeidx.refresh('err')$$,
    '55000', 'scheme "err" has not been built yet', 'refresh before rebuild');
SELECT throws_ok($$SELECT * FROM safeidx.rebuild('nosuch', '2025-01-01')$$,
    '42704', 'unknown scheme "nosuch"', 'rebuild of an unknown scheme');
-- and the two steps rebuild() and refresh() run, called on their own (not
-- PL/pgSQL's no_data_found, P0002, of a SELECT INTO STRICT)
SELECT throws_ok($$SELECT safeidx.build_cells('nosuch', '2025-01-01', '2025-02-01')$$,
    '42704', 'unknown scheme "nosuch"', 'build_cells of an unknown scheme');
SELECT throws_ok($$SELECT safeidx.compute_results('nosuch', 'month', '{2025-01-01}')$$,
    '42704', 'unknown scheme "nosuch"', 'compute_results of an unknown scheme');
SELECT throws_ok($$SELECT * FROM safeidx.rebuild('err', '2025-02-01', '2025-01-01')$$,
    '22023', NULL, 'rebuild of an empty range');
SELECT throws_ok($$SELECT safeidx.mark_changed('nosuch', '2025-01-01', '2025-02-01')$$,
    '42704', 'unknown source "nosuch"', 'mark_changed of an unknown source');

-- The tree is still valid and computes.  Without regions there is no result;
-- a region without residents has no rates, so nothing scores: coverage 0,
-- no index, no grade, no rank.
SELECT is((SELECT sum(results) FROM safeidx.rebuild('err', '2025-01-01', '2025-02-01')), 0::numeric,
          'no region, no result');
INSERT INTO safeidx.region (code, name_zh, kind) VALUES ('r', '区', 'district');
-- (its department declares January delivered: a source without rows and
-- without a declaration has delivered nothing, and no period is computed)
UPDATE safeidx.source SET delivered_from = '2025-01-01', delivered_through = '2025-01-31' WHERE source = 'err_src';
SELECT results FROM safeidx.rebuild('err', '2025-01-01', '2025-02-01') \gset
SELECT results_eq($$SELECT index, coverage, grade_level, rank_level
                      FROM safeidx.index_result WHERE scheme = 'err' AND region_code = 'r'$$,
                  $$VALUES (NULL::float8, 0::float8, NULL::integer, NULL::integer)$$,
                  'a region without residents: coverage 0, no index, grade or rank');

-- bad arguments of the steps scripts call (found by sqlsmith, issue 13)
SELECT throws_ok($$SELECT * FROM safeidx.source_cells('{}', 'month', '2025-01-01', '2025-02-01', 'Asia/Shanghai')$$,
                 '22023', 'no source to read: the list of sources is empty or holds a NULL',
                 'source_cells of no source: 22023, not a relation "<NULL>"');
SELECT throws_ok($$SELECT * FROM safeidx.source_plan('{err_src,NULL}', 'month', '2025-01-01', '2025-02-01')$$,
                 '22023', 'no source to read: the list of sources is empty or holds a NULL',
                 'source_plan with a NULL source: 22023');
SELECT throws_ok($$SELECT safeidx.poll_changes('no_such_scheme')$$, '42704', 'unknown scheme "no_such_scheme"',
                 'poll_changes of an unknown scheme: 42704, not 0');

SELECT * FROM finish();
ROLLBACK;
