-- NULLs in every kind of source column the engine reads: the region code,
-- the time (timestamp, timestamptz, date, integer year), the summed measure
-- (integer, numeric, float8), a ratio's denominator, a filter column, a
-- category (severity) column and a count-distinct column.  rebuild() never
-- fails on them; a NULL measured value is skipped and counted (null_rows);
-- a row without a region code is counted in unknown_region_rows; a row
-- without a time is in no period (and reported nowhere); a region whose
-- rows all have a NULL measured value has no value (no_value) and gives no
-- baseline, never 0.  Every number below is worked out by hand.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
\set VERBOSITY terse

-- District 10 and its communities 11, 12, 13 (numeric codes, so that an
-- integer region column can name them); 1,000, 2,000 and 1,000 residents.
BEGIN;
INSERT INTO region (code, parent_code, name_zh, kind) VALUES
    ('10', NULL, '区', 'district'), ('11', '10', '甲', 'community'),
    ('12', '10', '乙', 'community'), ('13', '10', '丙', 'community');
INSERT INTO population (region_code, period, period_start, kind, persons) VALUES
    ('11', 'year', '2025-01-01', 'resident', 1000), ('12', 'year', '2025-01-01', 'resident', 2000),
    ('13', 'year', '2025-01-01', 'resident', 1000);
COMMIT;

CREATE SCHEMA fix;
-- timestamp, text code, integer measure, a filter column
CREATE TABLE fix.loss (code text, at timestamp, amount integer, kind text);
INSERT INTO fix.loss VALUES
    ('11', '2025-01-05 10:00', 4, 'loss'),
    ('11', '2025-01-06 10:00', NULL, 'loss'),   -- NULL amount: skipped, counted
    ('11', '2025-01-07 10:00', 6, NULL),        -- NULL filter column: not a loss row
    ('12', '2025-01-08 10:00', NULL, 'loss'),   -- 12's only loss: no amount
    ('13', '2025-01-10 10:00', 3, 'loss'),
    ('13', NULL, 9, 'loss'),                    -- NULL time
    (NULL, '2025-01-09 10:00', 2, 'loss'),      -- NULL code
    ('11', '2024-03-01 10:00', 12, 'loss'),     -- last year, for a baseline
    ('13', '2024-04-01 10:00', NULL, 'loss');   -- 13's only row last year: no amount
-- timestamptz, bigint code, numeric measure
CREATE TABLE fix.damage (code bigint, at timestamptz, amount numeric);
INSERT INTO fix.damage VALUES
    (11, '2025-01-03 12:00+08', 1.5),
    (12, '2025-01-15 12:00+08', NULL),
    (12, '2025-01-31 23:30+08', 2.25),          -- 15:30 UTC, still January in Shanghai
    (13, '2025-01-20 12:00+08', NULL),          -- 13's only dated row: no amount
    (13, NULL, 5),                              -- NULL time
    (NULL, '2025-01-15 12:00+08', 10);          -- NULL code
-- date, varchar code, float8 numerator and denominator columns
CREATE TABLE fix.survey (code varchar(8), day date, ok float8, asked float8);
INSERT INTO fix.survey VALUES
    ('11', '2025-01-02', 3, 4),
    ('11', '2025-01-03', NULL, 2),              -- numerator NULL
    ('12', '2025-01-04', 1, NULL),              -- 12's only denominator: NULL
    ('13', '2025-01-05', NULL, 5),              -- 13's only numerator: NULL
    ('13', NULL, 1, 1),                         -- NULL time
    (NULL, '2025-01-06', 1, 1);                 -- NULL code
-- integer year, text code, numeric value (a region's own figure)
CREATE TABLE fix.gdp (code text, year integer, gdp numeric);
INSERT INTO fix.gdp VALUES
    ('10', 2024, 300), ('11', 2024, 100),
    ('11', 2024, NULL),                         -- NULL value
    ('12', 2024, NULL),                         -- 12's only row: no value
    ('13', NULL, 50),                           -- NULL year
    (NULL, 2024, 70);                           -- NULL code

-- Every department declares what it delivered (January 2025, loss since
-- January 2024; the year 2024).
INSERT INTO source (source, relation, region_column, time_column, filter, measure, measure_column,
                    delivered_from, delivered_through) VALUES
    ('loss', 'fix.loss', 'code', 'at', $$kind = 'loss'$$, 'sum', 'amount', '2024-01-01', '2025-01-31'),
    ('damage', 'fix.damage', 'code', 'at', NULL, 'sum', 'amount', '2025-01-01', '2025-01-31'),
    ('ok', 'fix.survey', 'code', 'day', NULL, 'sum', 'ok', '2025-01-01', '2025-01-31'),
    ('asked', 'fix.survey', 'code', 'day', NULL, 'sum', 'asked', '2025-01-01', '2025-01-31'),
    ('gdp', 'fix.gdp', 'code', 'year', NULL, 'sum', 'gdp', '2024-01-01', '2024-12-31');

-- Scheme nm, monthly: index = 100 x (30 loss + 30 damage + 40 ok share) /
-- weight scored (min_coverage 0), 4 decimals.
--   loss:   the summed amount (count), goalposts 0 .. 10, lower is better
--   damage: the summed amount per 10,000 residents, goalposts 0 .. 20, lower is better
--   share:  ok per 100 asked, goalposts 0 .. 100
-- Scheme ny, yearly: each region's own gdp (value), goalposts 0 .. 400.
-- Scheme nb, monthly: the loss against the region's own monthly mean of the
-- year before (prior_years), ratio bands 0.8 / 1.2 (step 0.5).
BEGIN;
INSERT INTO scheme (scheme, name_zh, periods) VALUES ('nm', '空值', '{month}'), ('ny', '空值年', '{year}'),
    ('nb', '空值基线', '{month}');
INSERT INTO scheme_version (scheme, version, valid_from, min_coverage, index_decimals) VALUES
    ('nm', 'v1', '2025-01-01', 0, 4), ('ny', 'v1', '2024-01-01', 0, 4), ('nb', 'v1', '2025-01-01', 0, 4);
INSERT INTO indicator (scheme, version, node, name_zh, weight, direction, sources, measure, denominator_sources,
                       per, scoring, scoring_params) VALUES
    ('nm', 'v1', 'loss', '损失', 30, 'negative', '{loss}', 'count', NULL, 10000, 'goalposts', '{"minimum": 0, "maximum": 10}'),
    ('nm', 'v1', 'damage', '损害', 30, 'negative', '{damage}', 'rate', NULL, 10000, 'goalposts', '{"minimum": 0, "maximum": 20}'),
    ('nm', 'v1', 'share', '满意', 40, 'positive', '{ok}', 'ratio', '{asked}', 100, 'goalposts', '{"minimum": 0, "maximum": 100}'),
    ('ny', 'v1', 'gdp', '产值', 100, 'positive', '{gdp}', 'value', NULL, 10000, 'goalposts', '{"minimum": 0, "maximum": 400}');
INSERT INTO indicator (scheme, version, node, name_zh, weight, direction, sources, measure, scoring, baseline)
VALUES ('nb', 'v1', 'loss', '损失', 100, 'negative', '{loss}', 'count', 'ratio_band', 'prior_years');
COMMIT;

-- rebuild() does not fail: one month, four regions; one year, four regions.
SELECT * FROM rebuild('nm', '2025-01-01', '2025-02-01');
SELECT * FROM rebuild('ny', '2024-01-01', '2025-01-01');
SELECT * FROM rebuild('nb', '2025-01-01', '2025-02-01');

-- The cells, per source and region code as written (NULL code included):
-- value = the sum of the non-NULL amounts (NULL when there are rows but
-- every amount is NULL), source_rows = the dated rows the filter keeps,
-- null_rows = those whose measured column is NULL.
--   (nm's cells start in 2025: it has no baseline)
--   loss   11: 4 (2 rows, 1 NULL; the row with a NULL kind is no loss row);
--          12: NULL (1 row, 1 NULL);  13: 3 (1 row; its undated row is not read);
--          NULL code: 2 (1 row)
--   damage 11: 1.5 (1 row);  12: 2.25 (2 rows, 1 NULL);  13: NULL (1 row, 1 NULL);
--          NULL code: 10
--   ok     11: 3 (2 rows, 1 NULL);  12: 1;  13: NULL (1 row, 1 NULL);  NULL code: 1
--   asked  11: 6 (2 rows);  12: NULL (1 row, 1 NULL);  13: 5;  NULL code: 1
--   gdp    10: 300;  11: 100 (2 rows, 1 NULL);  12: NULL (1 row, 1 NULL);
--          13: none (its only row has no year);  NULL code: 70
SELECT scheme, source, region_code, value, source_rows, null_rows, last_day
  FROM cell WHERE scheme IN ('nm', 'ny') ORDER BY scheme, source, region_code NULLS LAST;
-- source_counts says the same for one source (here a year column read by
-- year), and source_unknown_regions names the row without a code.
SELECT * FROM source_counts('gdp', 'year', '2024-01-01', '2025-01-01') ORDER BY region_code NULLS LAST;
SELECT * FROM source_unknown_regions('damage', '2025-01-01', '2025-02-01');
-- For the year column, by year: the row of 2024 without a code (1 row,
-- first and last day 2024-01-01, the start of its year).
SELECT * FROM source_unknown_regions('gdp', '2024-01-01', '2025-01-01');
-- The rows without a code are counted in unknown_region_rows (one per
-- source), and left out of every result.
SELECT scheme, period_start, source, region_code, source_rows, value
  FROM unknown_region_rows WHERE scheme IN ('nm', 'ny') ORDER BY scheme, source;
-- A row without a time belongs to no period: it is in no cell, and no
-- count lists it, whatever the dates asked (one undated row per table:
-- 8 loss rows, 7 counted; 6 and 5 in each of the others).
SELECT (SELECT count(*) FROM fix.loss WHERE kind = 'loss') AS loss_rows,
       (SELECT sum(source_rows) FROM source_counts('loss', 'year', '1900-01-01', '2100-01-01')) AS loss_rows_counted,
       (SELECT count(*) FROM fix.damage) AS damage_rows,
       (SELECT sum(source_rows) FROM source_counts('damage', 'year', '1900-01-01', '2100-01-01')) AS damage_rows_counted,
       (SELECT count(*) FROM fix.survey) AS survey_rows,
       (SELECT sum(source_rows) FROM source_counts('asked', 'year', '1900-01-01', '2100-01-01')) AS survey_rows_counted,
       (SELECT count(*) FROM fix.gdp) AS gdp_rows,
       (SELECT sum(source_rows) FROM source_counts('gdp', 'year', '1900-01-01', '2100-01-01')) AS gdp_rows_counted;

-- A category column (severity weights) and a count-distinct column with
-- NULLs, over the January rows of fix.loss (11: loss 4, loss NULL, NULL
-- kind; 12, 13 and the NULL code one loss each): a NULL category weighs 1,
-- as a category not listed (11: 2 + 2 + 1 = 5; the others 2); a NULL kind
-- is no distinct value and counts in null_rows (11: 1 kind, 1 NULL row).
INSERT INTO source (source, relation, region_column, time_column, measure, measure_column, category_column, severity)
VALUES ('weighted', 'fix.loss', 'code', 'at', 'count', NULL, 'kind', '{"loss": 2}'),
       ('kinds', 'fix.loss', 'code', 'at', 'count_distinct', 'kind', NULL, NULL);
SELECT x.source, c.region_code, c.value, c.source_rows, c.null_rows
  FROM unnest('{kinds,weighted}'::text[]) x(source),
       source_counts(x.source, 'month', '2025-01-01', '2025-02-01') c
 ORDER BY 1, 2 NULLS LAST;

-- The leaves.  A NULL amount is skipped: the sums are those of the amounts
-- given.  A region whose rows all lack the amount has no value (no_value),
-- not 0; its parent adds up the amounts its other rows give.
--   loss (count; score 1 - v / 10):
--     11: 4 -> 0.6;  12: no value;  13: 3 -> 0.7;  10: 4 + 3 = 7 -> 0.3
--   damage (per 10,000 residents; score 1 - v / 20):
--     11: 1.5 / 1000 -> 15 -> 0.25;  12: 2.25 / 2000 -> 11.25 -> 0.4375;
--     13: no value;  10: 3.75 / 4000 -> 9.375 -> 0.53125
--   share (ok per 100 asked; score v / 100):
--     11: 3 / 6 -> 50 -> 0.5;  12: no denominator (its only one is NULL);
--     13: no value (its only numerator is NULL);
--     10: (3 + 1) / (6 + 5) = 36.3636 -> 0.363636 (NULLs skipped per column)
SELECT region_code, node, events, counted_events, denominator, residents, round(value::numeric, 4) AS value,
       round(score::numeric, 6) AS score, status
  FROM indicator_result WHERE scheme = 'nm' ORDER BY node, region_code;
-- Index = 100 x sum(w s) / (weight scored):
--   11: 30 x 0.6 + 30 x 0.25 + 40 x 0.5 = 18 + 7.5 + 20 = 45.5 (coverage 1)
--   12: damage only: 43.75 (coverage 0.3)
--   13: loss only: 70 (coverage 0.3)
--   10: 9 + 15.9375 + 14.545454 = 39.482954 -> 39.4830 (coverage 1)
SELECT region_code, index, coverage, rank_level, status
  FROM index_result WHERE scheme = 'nm' ORDER BY depth, region_code;

-- gdp (a region's own value, never summed; score v / 400): 10: 300 -> 0.75;
-- 11: 100 -> 0.25 (its NULL row skipped); 12: no value (only a NULL);
-- 13: no value (no dated row).  Indices 75, 25, none, none.
SELECT r.region_code, n.events, n.value, n.score, n.status, r.index, r.coverage
  FROM result r JOIN result_node n USING (scheme, period, period_start, region_code)
 WHERE r.scheme = 'ny' ORDER BY r.depth, r.region_code;

-- Baselines: the 2024 monthly mean of a region's own losses, NULLs skipped
-- as in any sum; rows whose amounts are all NULL give no baseline, not 0.
--   11: 4 against 12 / 12 = 1, ratio 4 > 1.2 -> 0
--   12: no value (January), baseline 0 / 12 = 0 (no row in 2024)
--   13: 3 against no baseline (its only 2024 row has no amount): unscored
--   10: 7 against (12 + nothing) / 12 = 1, ratio 7 -> 0
SELECT region_code, events, value, baseline, ratio, score, status
  FROM indicator_result WHERE scheme = 'nb' ORDER BY region_code;
SELECT period, period_start, region_code, value, source_rows, null_rows FROM cell
 WHERE scheme = 'nb' AND period_start < '2025-01-01' ORDER BY period_start, region_code;

-- Refresh after a change: 12's NULL loss amount becomes 5 and 13's
-- damage amount 0.5.  loss 12: 5 -> 0.5, 10: 4 + 5 + 3 = 12 -> score 0
-- (capped); damage 13: 0.5 / 1000 -> 5 -> 0.75, 10: 4.25 / 4000 -> 10.625
-- -> 0.46875.  Null rows: loss 12 0; damage 13 0.
--   12: (30 x 0.5 + 30 x 0.4375) / 60 = 46.875;  13: (21 + 22.5) / 60 = 72.5
--   10: 0 + 14.0625 + 14.545454 = 28.607954 -> 28.6080
UPDATE fix.loss SET amount = 5 WHERE code = '12';
UPDATE fix.damage SET amount = 0.5 WHERE code = 13 AND at IS NOT NULL;
SELECT period, periods, results FROM refresh('nm');
SELECT source, region_code, value, source_rows, null_rows FROM cell
 WHERE scheme = 'nm' AND ((source = 'loss' AND region_code = '12') OR (source = 'damage' AND region_code = '13'));
SELECT region_code, index, coverage FROM index_result WHERE scheme = 'nm' ORDER BY depth, region_code;
-- and back to NULL: the results of the first build again
UPDATE fix.loss SET amount = NULL WHERE code = '12';
UPDATE fix.damage SET amount = NULL WHERE code = 13 AND at IS NOT NULL;
SELECT period, periods, results FROM refresh('nm');
SELECT region_code, index, coverage FROM index_result WHERE scheme = 'nm' ORDER BY depth, region_code;
SELECT region_code, node, status FROM indicator_result WHERE scheme = 'nm' AND status <> 'scored' ORDER BY 1, 2;
