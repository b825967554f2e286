-- What the demo city does with its index (issue 4), defined over the
-- example schemes of test/demo/schemes.sql: load after it, in one
-- transaction.  The thresholds, shares and deadlines are the demo's own.

-- Zhuhai-style star communities and villages (平安星级村居), rated on
-- Wuchang's monthly index: 5 stars from 95, 4 from 90, 3 from 85, 2 from 80,
-- 1 from 70; not rated with a red warning or less than 90% of the weight scored.
INSERT INTO safeidx.star_rule (scheme, rule, depth, classes, method, thresholds, min_coverage, exclude_severities, description)
VALUES ('wuchang', 'star_community', 4, '{"社区 urban": ["urban_community"], "村 village": ["village"]}',
        'threshold', '{95,90,85,80,70}', 0.9, '{warning}', '平安星级村居');
-- Wuhan-style award (平安鼎) for the district: gold from 77, silver 72, bronze 70
-- on the year's mean monthly index, if 30% of its units held a star in 3 months.
INSERT INTO safeidx.award_rule (scheme, rule, depth, gold, silver, bronze, star_scheme, star_rule, min_stars,
                                min_star_periods, min_star_share, description)
VALUES ('wuchang', 'ding', 2, 77, 72, 70, 'wuchang', 'star_community', 1, 3, 0.3, '平安鼎');
-- Written notices after 3, 4 and 5 months in red: notice, summons, accountability.
INSERT INTO safeidx.notice_rule (scheme, warning_rule, notice_kind, acknowledge_within, rectify_within, addressed_to) VALUES
    ('wuchang', 'red_3', 'notice', '3 days', '30 days', '{region_zh}办事处'),
    ('wuchang', 'red_4', 'summons', '2 days', '15 days', '{region_zh}党工委'),
    ('wuchang', 'red_5', 'accountability', '2 days', '10 days', '{region_zh}党工委');
-- The monthly release series (期).
INSERT INTO safeidx.release_series (series, scheme, period, title_zh, title_en)
VALUES ('wuchang_monthly', 'wuchang', 'month', '武昌区平安指数', 'Wuchang safety index');

-- Anning-style household survey (群众满意度): answers about four departments,
-- deterministic per community and department, in December 2025; the share
-- satisfied per department with a Wilson interval, missing below 5 answers.
CREATE TABLE demo.survey_response AS
SELECT r.code AS community_code, d.department,
       timestamptz '2025-12-10 10:00+08' + (i * interval '1 hour') AS answered_at,
       (abs(hashtext(r.code || d.department || i)) % 100) < 70 + abs(hashtext(r.code || d.department)) % 25 AS satisfied
  FROM demo.region r
 CROSS JOIN (VALUES ('police'), ('city'), ('environment'), ('market')) d(department)
 CROSS JOIN LATERAL generate_series(1, 2 + abs(hashtext(r.code || d.department || 'n')) % 9) i
 WHERE r.level = 'community';
-- The survey office delivers December 2025, whole.
INSERT INTO safeidx.source (source, relation, region_column, time_column, filter, delivered_from, delivered_through)
SELECT 'survey_' || d || '_' || k, 'demo.survey_response', 'community_code', 'answered_at',
       format('department = %L', d) || CASE k WHEN 'satisfied' THEN ' AND satisfied' ELSE '' END,
       '2025-12-01', '2025-12-31'
  FROM unnest('{police,city,environment,market}'::text[]) d, unnest('{satisfied,all}'::text[]) k;
INSERT INTO safeidx.scheme (scheme, name_zh, name_en) VALUES ('anning_survey', '群众满意度', 'household satisfaction');
INSERT INTO safeidx.scheme_version (scheme, version, valid_from) VALUES ('anning_survey', '2025Q4', '2025-10-01');
INSERT INTO safeidx.indicator (scheme, version, node, name_zh, weight, direction, sources, measure, denominator_sources,
                               per, min_denominator, scoring, scoring_params)
SELECT 'anning_survey', '2025Q4', d, n, 25, 'positive', ARRAY['survey_' || d || '_satisfied'], 'ratio',
       ARRAY['survey_' || d || '_all'], 100, 5, 'goalposts', '{"minimum": 60, "maximum": 100}'
  FROM (VALUES ('police', '公安'), ('city', '城管'), ('environment', '环保'), ('market', '市场监管')) x(d, n);
