-- The UNDP Human Development Index 2022 computed through the engine, against
-- the values, ranks and groups UNDP published (test/data/README.md names the
-- file and the method).  A scheme over one region subtree (the world), fed
-- by a table with an integer year column, whose leaves take each country's
-- own value (no summing up a hierarchy): goalposts, a capped logarithm of
-- income, an arithmetic education dimension inside a geometric mean, weights
-- of 1/3 (which add up to 0.9999999999999999), published with 3 decimals.
-- The expected figures are UNDP's, read from the file: nothing here is
-- computed by hand.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
\set VERBOSITY terse

CREATE SCHEMA hdr;
CREATE TABLE hdr.published (iso3 text PRIMARY KEY, country text NOT NULL, row_type text NOT NULL, hdicode text,
                            region text, hdi_rank integer, hdi numeric, le numeric, eys numeric, mys numeric,
                            gnipc numeric);
\copy hdr.published FROM 'test/data/hdi_hdr2023_24_year2022.csv' WITH (FORMAT csv, HEADER true)
SELECT row_type, count(*), count(hdi) AS with_hdi, count(hdi_rank) AS ranked FROM hdr.published GROUP BY 1 ORDER BY 1;

-- The statistics office's table: one row per country (or aggregate) and
-- year, its four inputs only; and a test territory whose income is missing.
CREATE TABLE hdr.input AS SELECT iso3, 2022 AS year, le, eys, mys, gnipc FROM hdr.published;
INSERT INTO hdr.input VALUES ('ZZ.TEST', 2022, 70, 12, 8, NULL);

-- Regions: the world; its countries; the aggregates, under a node of their
-- own so that they are not ranked with the countries; a test territory; and
-- a city outside the world, which the scheme does not compute.
BEGIN;
INSERT INTO region (code, parent_code, name_zh, name_en, kind) VALUES
    ('ZZK.WORLD', NULL, '世界', 'World', 'world'),
    ('ZZ.AGGREGATES', 'ZZK.WORLD', '汇总', 'aggregates', 'group'),
    ('ZZ.TEST', 'ZZK.WORLD', '测试', 'test territory', 'country'),
    ('city', NULL, '市', 'a city', 'city');
INSERT INTO region (code, parent_code, name_zh, name_en, kind)
SELECT iso3, CASE row_type WHEN 'country' THEN 'ZZK.WORLD' ELSE 'ZZ.AGGREGATES' END, country, country, row_type
  FROM hdr.published WHERE iso3 <> 'ZZK.WORLD';
COMMIT;

-- The HDR groups, on the published (rounded) value.
INSERT INTO grade_scale (scale, description) VALUES ('hdi', 'UNDP human development groups, cut points 0.800 / 0.700 / 0.550');
INSERT INTO grade_band (scale, level, min_index, label_zh, label_en, colour) VALUES
    ('hdi', 1, 0.8, '极高', 'Very High', '#1A237E'), ('hdi', 2, 0.7, '高', 'High', '#3949AB'),
    ('hdi', 3, 0.55, '中', 'Medium', '#7986CB'), ('hdi', 4, NULL, '低', 'Low', '#C5CAE9');

BEGIN;
INSERT INTO source (source, relation, region_column, time_column, measure, measure_column)
SELECT 'hdr_' || c, 'hdr.input', 'iso3', 'year', 'sum', c FROM unnest('{le,eys,mys,gnipc}'::text[]) c;
INSERT INTO scheme (scheme, name_zh, name_en, periods, grade_scale, root_region)
VALUES ('hdi', '人类发展指数', 'Human Development Index', '{year}', 'hdi', 'ZZK.WORLD');
INSERT INTO scheme_version (scheme, version, valid_from, total, aggregation, index_decimals)
VALUES ('hdi', 'hdr2023', '1990-01-01', 1, 'geometric', 3);
INSERT INTO indicator (scheme, version, node, parent_node, name_zh, name_en, weight, aggregation) VALUES
    ('hdi', 'hdr2023', 'education', NULL, '教育', 'education', 1.0 / 3, 'arithmetic');
INSERT INTO indicator (scheme, version, node, parent_node, name_zh, name_en, weight, direction, sources, measure,
                       scoring, scoring_params) VALUES
    ('hdi', 'hdr2023', 'health', NULL, '健康', 'life expectancy at birth', 1.0 / 3, 'positive', '{hdr_le}', 'value',
     'goalposts', '{"minimum": 20, "maximum": 85}'),
    ('hdi', 'hdr2023', 'eys', 'education', '预期受教育年限', 'expected years of schooling', 1.0 / 6, 'positive',
     '{hdr_eys}', 'value', 'goalposts', '{"minimum": 0, "maximum": 18}'),
    ('hdi', 'hdr2023', 'mys', 'education', '平均受教育年限', 'mean years of schooling', 1.0 / 6, 'positive',
     '{hdr_mys}', 'value', 'goalposts', '{"minimum": 0, "maximum": 15}'),
    ('hdi', 'hdr2023', 'income', NULL, '收入', 'GNI per capita (2017 PPP $)', 1.0 / 3, 'positive', '{hdr_gnipc}', 'value',
     'goalposts', '{"minimum": 100, "maximum": 75000, "log_scale": true}');
COMMIT;

SELECT * FROM rebuild('hdi', '2022-01-01', '2023-01-01');
-- 2022 delivered by every source (the year column's year, whole).
SELECT source, delivered_from, delivered_through FROM source_delivery('hdi') ORDER BY source;

-- Every published value at 3 decimals, every rank among the 193 countries
-- (ties share a rank), every group; the world and the other aggregates
-- too; the city outside the scheme's root has no result.
SELECT count(*) AS published,
       count(*) FILTER (WHERE r.index = p.hdi::float8) AS same_value,
       count(*) FILTER (WHERE p.row_type = 'country') AS countries,
       count(*) FILTER (WHERE p.row_type = 'country' AND r.rank_level = p.hdi_rank) AS same_rank,
       count(*) FILTER (WHERE p.row_type = 'country' AND r.grade_en = p.hdicode) AS same_group
  FROM hdr.published p
  LEFT JOIN index_result r ON r.scheme = 'hdi' AND r.period = 'year' AND r.period_start = '2022-01-01'
                          AND r.region_code = p.iso3;
SELECT p.iso3, p.hdi, r.index, p.hdi_rank, r.rank_level, p.hdicode, r.grade_en
  FROM hdr.published p
  LEFT JOIN index_result r ON r.scheme = 'hdi' AND r.period = 'year' AND r.period_start = '2022-01-01'
                          AND r.region_code = p.iso3
 WHERE r.index IS DISTINCT FROM p.hdi::float8
    OR (p.row_type = 'country' AND (r.rank_level IS DISTINCT FROM p.hdi_rank OR r.grade_en IS DISTINCT FROM p.hdicode));
-- Ties: UNDP ranks Denmark and Sweden 5th (0.952), Germany and Ireland 7th
-- (0.950), Belgium and Finland 12th (0.942).
SELECT region_code, index, index_unrounded <> index AS rounded, rank_level, grade_en
  FROM index_result WHERE scheme = 'hdi' AND region_code IN ('DNK', 'SWE', 'DEU', 'IRL', 'BEL', 'FIN')
 ORDER BY rank_level, region_code;
-- Full coverage is reached although 1/3 + 1/6 + 1/6 + 1/3 is not exactly 1:
-- every coverage is 0.9999999999999999, and every region has its index
-- (min_coverage 1 is compared with a tolerance of 1e-9); no index where no
-- data: the node of
-- the aggregates, and the test territory whose income is missing (its NULL
-- skipped and counted, the indicator unscored: no_value).
SELECT count(*) FILTER (WHERE coverage < 1) AS coverage_below_1,
       count(*) FILTER (WHERE coverage < 1 AND index IS NOT NULL) AS indexed_below_1
  FROM index_result WHERE scheme = 'hdi' AND region_code NOT IN ('ZZ.AGGREGATES', 'ZZ.TEST');
SELECT region_code, index, round(coverage::numeric, 4) AS coverage, status
  FROM index_result WHERE scheme = 'hdi' AND region_code IN ('ZZ.AGGREGATES', 'ZZ.TEST', 'city') ORDER BY 1;
SELECT node, round(value::numeric, 4) AS value, round(score::numeric, 4) AS score, status
  FROM indicator_result WHERE scheme = 'hdi' AND region_code = 'ZZ.TEST' ORDER BY node;
SELECT source, region_code, value, source_rows, null_rows FROM cell
 WHERE scheme = 'hdi' AND region_code = 'ZZ.TEST' ORDER BY source;

-- From 1997: the sources have delivered 2022 only, so the 25 years before
-- are computed but unscored (insufficient data), never 0; none fails on the
-- logarithm of a missing income.
SELECT * FROM rebuild('hdi', '1997-01-01', '2023-01-01');
SELECT period_start < '2022-01-01' AS before_2022, count(*) AS results, count(index) AS indexed,
       count(*) FILTER (WHERE status = 'incomplete') AS incomplete
  FROM index_result WHERE scheme = 'hdi' GROUP BY 1 ORDER BY 1;
SELECT status, count(*) FROM indicator_result WHERE scheme = 'hdi' AND period_start < '2022-01-01' GROUP BY 1;
-- And the same 2022 values as before.
SELECT count(*) FILTER (WHERE r.index = p.hdi::float8) AS same_value
  FROM hdr.published p
  JOIN index_result r ON r.scheme = 'hdi' AND r.period_start = '2022-01-01' AND r.region_code = p.iso3;

-- An integer year column is read by yearly periods only.
SELECT source_counts('hdr_le', 'month', '2022-01-01', '2023-01-01');
-- A root region must exist.
INSERT INTO scheme (scheme, name_zh, root_region) VALUES ('nowhere', '无', 'ZZZ');
