-- Grade scales: grade_level (C) and grade() over the scale tables.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\o
\set ECHO all
SET search_path = safeidx, public;

-- Built-in scales: cut points 90 / 80 / 70, best first.
SELECT s.scale, b.level, b.min_index, b.label_zh, b.label_en, b.colour
  FROM grade_scale s JOIN grade_band b USING (scale) ORDER BY s.scale, b.level;

-- Boundaries belong to the better band: 90 -> 1, 89.99 -> 2, 80 -> 2,
-- 79.99 -> 3, 70 -> 3, 69.99 -> 4; 100 and 0 and -5 as expected.
SELECT i, (grade(i)).level, (grade(i)).label_zh, (grade(i)).colour,
       (grade(i, 'zhuhai')).label_zh AS zhuhai
  FROM (VALUES (100), (90), (89.99), (80), (79.99), (70), (69.99), (0), (-5)) v(i)
 ORDER BY i DESC;

-- grade_level with any cut points: {3, 2, 1} puts 2.5 at level 2, 0.5 at 4;
-- no cut points: everything is level 1.
SELECT grade_level(2.5, '{3,2,1}') AS two, grade_level(0.5, '{3,2,1}') AS four,
       grade_level(3, '{3,2,1}') AS one, grade_level(42, '{}') AS only;
-- Errors: cut points not strictly decreasing, a NULL cut, two dimensions,
-- a non-finite index, an unknown scale.
SELECT grade_level(1, '{1,2,3}');
SELECT grade_level(1, '{3,3}');
SELECT grade_level(1, '{3,NULL}');
SELECT grade_level(1, '{{3,2},{1,0}}');
SELECT grade('NaN');
SELECT grade('Infinity', 'zhuhai');
SELECT grade(50, 'nowhere');

-- A user scale: three bands on a 5-point index.
BEGIN;
INSERT INTO grade_scale (scale, description) VALUES ('five_point', 'test scale');
INSERT INTO grade_band (scale, level, min_index, label_zh, label_en, colour) VALUES
    ('five_point', 3, NULL, '差', 'poor', '#FF0000'),
    ('five_point', 1, 4, '好', 'good', '#00FF00'),
    ('five_point', 2, 2.5, '中', 'fair', '#FFFF00');
COMMIT;
SELECT i, (grade(i, 'five_point')).label_en FROM (VALUES (4.5), (3), (1)) v(i) ORDER BY i DESC;

-- Badly formed scales are refused at commit.
BEGIN;
INSERT INTO grade_scale (scale, description) VALUES ('unordered', 'bad');
INSERT INTO grade_band (scale, level, min_index, label_zh, label_en, colour) VALUES
    ('unordered', 1, 70, 'a', 'a', '#000000'), ('unordered', 2, 80, 'b', 'b', '#000000'),
    ('unordered', 3, NULL, 'c', 'c', '#000000');
COMMIT;
BEGIN;
INSERT INTO grade_scale (scale, description) VALUES ('gap', 'bad');
INSERT INTO grade_band (scale, level, min_index, label_zh, label_en, colour) VALUES
    ('gap', 1, 80, 'a', 'a', '#000000'), ('gap', 3, NULL, 'c', 'c', '#000000');
COMMIT;
BEGIN;
INSERT INTO grade_scale (scale, description) VALUES ('closed', 'bad');
INSERT INTO grade_band (scale, level, min_index, label_zh, label_en, colour) VALUES
    ('closed', 1, 80, 'a', 'a', '#000000'), ('closed', 2, 60, 'b', 'b', '#000000');
COMMIT;
INSERT INTO grade_band (scale, level, min_index, label_zh, label_en, colour)
    VALUES ('five_point', 4, NULL, 'x', 'x', 'red');
SELECT scale FROM grade_scale ORDER BY scale;

-- Built-in rows cannot be changed, nor new rows marked built-in.
UPDATE grade_band SET colour = '#000000' WHERE scale = 'wuchang' AND level = 1;
DELETE FROM grade_scale WHERE scale = 'zhuhai';
INSERT INTO grade_scale VALUES ('sneaky', 'x', true);

-- pg_dump keeps user scales only (built-in rows come with the extension).
SELECT c.relname, x.cond
  FROM pg_extension e, unnest(e.extconfig, e.extcondition) x(oid, cond)
  JOIN pg_class c ON c.oid = x.oid
 WHERE e.extname = 'safeidx' ORDER BY 1;
