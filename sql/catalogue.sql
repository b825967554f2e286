-- The catalogue: regions with validity, population figures, sources.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\o
\set ECHO all
SET search_path = safeidx, public;

-- A city with one district, two streets, four communities; community b4
-- moves from street S1 to street S2 on 2025-07-01 (a boundary change).
INSERT INTO region (code, parent_code, name_zh, name_en, kind) VALUES
    ('C', NULL, '示例市', 'Example City', 'city'),
    ('D', 'C', '示例区', 'Example District', 'district'),
    ('S1', 'D', '一街道', 'First Street', 'street'),
    ('S2', 'D', '二街道', 'Second Street', 'street'),
    ('a1', 'S1', '甲社区', NULL, 'urban_community'),
    ('a2', 'S1', '乙村', NULL, 'village'),
    ('b3', 'S2', '丙社区', NULL, 'urban_community');
INSERT INTO region (code, valid_from, valid_to, parent_code, name_zh, kind) VALUES
    ('b4', '-infinity', '2025-07-01', 'S1', '丁社区', 'urban_community'),
    ('b4', '2025-07-01', 'infinity', 'S2', '丁社区', 'urban_community');

-- The hierarchy on two dates: b4 under S1 in March, under S2 in August.
SELECT code, parent_code, depth, path FROM regions_at('2025-03-15') ORDER BY path;
SELECT code, parent_code FROM regions_at('2025-08-15') WHERE code = 'b4';

-- Refused: a parent that does not exist, a parent missing for part of the
-- child's validity, overlapping validity, a cycle, removing a parent.
INSERT INTO region (code, parent_code, name_zh, kind) VALUES ('x1', 'nowhere', 'x', 'village');
BEGIN;
INSERT INTO region (code, valid_from, parent_code, name_zh, kind) VALUES ('S3', '2025-01-01', 'D', '三街道', 'street');
INSERT INTO region (code, parent_code, name_zh, kind) VALUES ('c5', 'S3', '戊社区', 'village');
COMMIT;
INSERT INTO region (code, valid_from, valid_to, parent_code, name_zh, kind) VALUES ('b4', '2025-06-01', '2025-08-01', 'S2', 'x', 'village');
UPDATE region SET parent_code = 'a1' WHERE code = 'C';
DELETE FROM region WHERE code = 'S2';

-- Population: year figures for the communities (b4 has none for 2025), a
-- month figure for a1 in March, and a year figure given for street S2.
INSERT INTO population (region_code, period, period_start, kind, persons) VALUES
    ('a1', 'year', '2025-01-01', 'resident', 20000),
    ('a1', 'month', '2025-03-01', 'resident', 21000),
    ('a2', 'year', '2025-01-01', 'resident', 400),
    ('b3', 'year', '2025-01-01', 'resident', 8000),
    ('S2', 'year', '2025-01-01', 'resident', 9000),
    ('a1', 'year', '2025-01-01', 'registered', 15000);
-- March (b4 under S1, without a figure), by the population rule the engine
-- uses (the residents that have a figure count; units without one are
-- counted apart, and their events are left out of rates):
--   a1 21000 (its month figure), a2 400, b3 8000, b4 missing;
--   S1 = a1 + a2 = 21400 from its children, 1 community without a figure;
--   S2 9000 (its own year figure, preferred to the sum of its children);
--   D and C = S1 + S2 = 30400, with b4 the 1 unit without a figure.
SELECT region_code, depth, persons, origin, regions_without_figure
  FROM population_in('resident', '2025-03-15') ORDER BY depth, region_code;
-- With b4's figure (600) added: S1 = 21000 + 400 + 600 = 22000 in March,
-- D = 22000 + 9000 = 31000.  In August b4 belongs to S2, whose own figure
-- 9000 stands; S1 = 20000 + 400 = 20400; D = 29400.
INSERT INTO population VALUES ('b4', 'year', '2025-01-01', 'resident', 600);
SELECT region_code, persons, origin FROM population_in('resident', '2025-03-15') WHERE depth <= 3 ORDER BY depth, region_code;
SELECT region_code, persons, origin FROM population_in('resident', '2025-08-15') WHERE depth <= 3 ORDER BY depth, region_code;
-- Another kind of population is kept apart: only a1 has a registered
-- figure, 15000, which S1, D and C count; S2 has none below it (NULL).
SELECT region_code, persons FROM population_in('registered', '2025-03-15') WHERE persons IS NOT NULL;
-- Refused: negative, NaN or infinite figures, a period start that is not
-- the first day of its period.
INSERT INTO population VALUES ('a2', 'month', '2025-03-01', 'resident', -1);
INSERT INTO population VALUES ('a2', 'month', '2025-03-01', 'resident', 'NaN');
INSERT INTO population VALUES ('a2', 'month', '2025-03-01', 'resident', 'Infinity');
INSERT INTO population VALUES ('a2', 'month', '2025-03-02', 'resident', 10);

-- A departmental table, in its own shape: incidents with local times.
CREATE TABLE public.jingqing (
    id int, baojing_time timestamptz, shequ_dm text, leibie text, renshu int);
INSERT INTO public.jingqing VALUES
    (1, '2025-02-28 23:59:59+08', 'a1', 'burglary', 1),   -- February in Shanghai
    (2, '2025-02-28 16:30:00+00', 'a1', 'fraud', 2),      -- 00:30 on 1 March in Shanghai
    (3, '2025-03-10 09:00:00+08', 'a1', 'burglary', 1),
    (4, '2025-03-11 09:00:00+08', 'a2', 'disorder', 5),
    (5, '2025-03-12 09:00:00+08', 'b3', 'burglary', 1),
    (6, '2025-03-13 09:00:00+08', 'zz9', 'burglary', 1),  -- unknown code
    (7, '2025-03-14 09:00:00+08', NULL, 'fraud', 1),      -- no code
    (8, '2025-03-31 23:30:00+08', 'b3', 'fraud', 1);      -- still March

INSERT INTO source (source, relation, region_column, time_column, description) VALUES
    ('police_all', 'public.jingqing', 'shequ_dm', 'baojing_time', 'all incidents');
INSERT INTO source (source, relation, region_column, time_column, filter) VALUES
    ('police_theft', 'public.jingqing', 'shequ_dm', 'baojing_time', $$leibie IN ('burglary', 'fraud')$$);
INSERT INTO source (source, relation, region_column, time_column, measure, measure_column) VALUES
    ('police_persons', 'public.jingqing', 'shequ_dm', 'baojing_time', 'sum', 'renshu'),
    ('police_kinds', 'public.jingqing', 'shequ_dm', 'baojing_time', 'count_distinct', 'leibie');
INSERT INTO source (source, relation, region_column, time_column, category_column, severity) VALUES
    ('police_severity', 'public.jingqing', 'shequ_dm', 'baojing_time', 'leibie', '{"burglary": 3, "fraud": 2}');

-- March in Shanghai holds rows 2-8: a1 has 2 (rows 2, 3), a2 1, b3 2, zz9 1,
-- NULL 1.  February holds row 1.
SELECT * FROM source_counts('police_all', 'month', '2025-02-01', '2025-04-01') ORDER BY period_start, region_code;
-- Theft and fraud only in March: a1 2, b3 2, zz9 1, NULL 1 (a2's is disorder).
SELECT region_code, value FROM source_counts('police_theft', 'month', '2025-03-01', '2025-04-01') ORDER BY region_code;
-- Sum of persons in March: a1 2 + 1 = 3, a2 5, b3 1 + 1 = 2.
SELECT region_code, value FROM source_counts('police_persons', 'month', '2025-03-01', '2025-04-01')
 WHERE region_code LIKE '__' ORDER BY region_code;
-- Distinct kinds in March: a1 {fraud, burglary} 2, a2 1, b3 2.
SELECT region_code, value FROM source_counts('police_kinds', 'month', '2025-03-01', '2025-04-01')
 WHERE region_code LIKE '__' ORDER BY region_code;
-- Severity: a1 fraud 2 + burglary 3 = 5; a2 disorder (not listed) 1;
-- b3 burglary 3 + fraud 2 = 5.
SELECT region_code, value FROM source_counts('police_severity', 'month', '2025-03-01', '2025-04-01')
 WHERE region_code LIKE '__' ORDER BY region_code;
-- Day periods: row 2 falls on 1 March local time.
SELECT period_start, value FROM source_counts('police_all', 'day', '2025-02-28', '2025-03-02') ORDER BY 1;
-- In UTC instead, row 2 is on 28 February.
SELECT period_start, value FROM source_counts('police_all', 'day', '2025-02-28', '2025-03-02', 'UTC') ORDER BY 1;
-- Rows with unknown or missing codes are reported, never dropped.
SELECT * FROM source_unknown_regions('police_all', '2025-01-01', '2026-01-01') ORDER BY region_code;

-- Refused definitions, each with its reason.
INSERT INTO source (source, relation, region_column, time_column) VALUES ('s1', 'public.nothing', 'a', 'b');
INSERT INTO source (source, relation, region_column, time_column) VALUES ('s2', 'jingqing', 'shequ_dm', 'baojing_time');
INSERT INTO source (source, relation, region_column, time_column) VALUES ('s3', 'public.jingqing', 'community', 'baojing_time');
INSERT INTO source (source, relation, region_column, time_column) VALUES ('s4', 'public.jingqing', 'shequ_dm', 'leibie');
INSERT INTO source (source, relation, region_column, time_column) VALUES ('s5', 'public.jingqing', 'baojing_time', 'baojing_time');
INSERT INTO source (source, relation, region_column, time_column, filter) VALUES ('s6', 'public.jingqing', 'shequ_dm', 'baojing_time', 'leibie = ');
INSERT INTO source (source, relation, region_column, time_column, filter) VALUES ('s7', 'public.jingqing', 'shequ_dm', 'baojing_time', 'nosuch > 1');
INSERT INTO source (source, relation, region_column, time_column, filter) VALUES ('s8', 'public.jingqing', 'shequ_dm', 'baojing_time', 'renshu');
INSERT INTO source (source, relation, region_column, time_column, filter) VALUES ('s9', 'public.jingqing', 'shequ_dm', 'baojing_time', 'true; DROP TABLE public.jingqing');
INSERT INTO source (source, relation, region_column, time_column, filter) VALUES ('s10', 'public.jingqing', 'shequ_dm', 'baojing_time', 'true) IS NOT NULL; DROP TABLE public.jingqing; SELECT (true');
INSERT INTO source (source, relation, region_column, time_column, filter) VALUES ('s11', 'public.jingqing', 'shequ_dm', 'baojing_time', 'true LIMIT 1');
INSERT INTO source (source, relation, region_column, time_column, measure, measure_column) VALUES ('s12', 'public.jingqing', 'shequ_dm', 'baojing_time', 'sum', 'leibie');
INSERT INTO source (source, relation, region_column, time_column, measure) VALUES ('s13', 'public.jingqing', 'shequ_dm', 'baojing_time', 'sum');
INSERT INTO source (source, relation, region_column, time_column, category_column, severity) VALUES ('s14', 'public.jingqing', 'shequ_dm', 'baojing_time', 'leibie', '{"fraud": -1}');
INSERT INTO source (source, relation, region_column, time_column, severity) VALUES ('s15', 'public.jingqing', 'shequ_dm', 'baojing_time', '{"fraud": 2}');
SELECT count(*) AS jingqing_rows_still_there FROM public.jingqing;
SELECT source_counts('police_all', 'week', '2025-01-01', '2025-02-01');
SELECT source_counts('nosuch', 'month', '2025-01-01', '2025-02-01');

-- pg_dump keeps the catalogue: every table is registered as configuration.
SELECT c.relname, x.cond
  FROM pg_extension e, unnest(e.extconfig, e.extcondition) x(oid, cond)
  JOIN pg_class c ON c.oid = x.oid
 WHERE e.extname = 'safeidx' ORDER BY 1;
