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
