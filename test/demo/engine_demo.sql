-- The demo: the engine over the demo city (run by test/demo.sh after
-- demo.generate() and test/demo/schemes.sql).  Builds Wuchang (monthly, all
-- of the last year) and the Zhuhai-style scheme (daily and monthly, the last
-- month), prints the street ranking with grades, colours, rank changes and
-- why the last street lost its points, the warnings, a Zhuhai check-up, and
-- shows an incremental refresh taking in late police reports.

\set ON_ERROR_STOP 1
\set QUIET on
\pset footer off
SELECT value::date AS month, (value::date + interval '1 month')::date AS month_end,
       date_trunc('year', value::date)::date AS year_start
  FROM demo.meta WHERE key = 'last_month' \gset

\qecho
\qecho '== safeidx.rebuild(): cells read once per source, results for every region and period'
SELECT 'wuchang' AS scheme, * FROM safeidx.rebuild('wuchang', :'year_start', :'month_end')
UNION ALL
SELECT 'zhuhai', * FROM safeidx.rebuild('zhuhai', :'month', :'month_end');

\qecho
\qecho '== 武昌 平安指数 (Wuchang) — streets, month' :month
SELECT rank_level AS "排名 rank", rank_change_level AS "升降 change", region_code AS code,
       region_zh AS "街道 street", round(index::numeric, 1) AS "指数 index",
       grade_zh || ' ' || grade_en AS "等级 grade", colour, version
  FROM safeidx.index_result
 WHERE scheme = 'wuchang' AND period_start = :'month' AND depth = 3
 ORDER BY rank_level, region_code;

\qecho
\qecho '== why the last street scored what it did (safeidx.indicator_result)'
SELECT indicator_zh AS "指标 indicator", events, round(value::numeric, 2) AS value,
       round(baseline::numeric, 2) AS baseline, round(ratio::numeric, 2) AS ratio,
       weight, round(points::numeric, 1) AS points, round(points_lost::numeric, 1) AS "lost"
  FROM safeidx.indicator_result
 WHERE scheme = 'wuchang' AND period_start = :'month'
   AND region_code = (SELECT region_code FROM safeidx.index_result
                       WHERE scheme = 'wuchang' AND period_start = :'month' AND depth = 3
                       ORDER BY index, region_code LIMIT 1)
 ORDER BY points_lost DESC, node;

\qecho
\qecho '== warnings, month' :month '(safeidx.warning; rules in safeidx.warning_rule)'
SELECT rule, severity, region_code AS code, region_zh AS street, detail
  FROM safeidx.warning
 WHERE scheme = 'wuchang' AND period_start = :'month'
 ORDER BY rule, region_code;

\qecho
\qecho '== 珠海式 平安指数 (Zhuhai-style) — monthly check-up and daily barometer of the streets, month' :month
SELECT m.region_code AS code, m.region_zh AS street, round(m.index::numeric, 1) AS "月 month",
       m.grade_zh || ' ' || m.grade_en AS grade, m.colour,
       count(*) FILTER (WHERE d.grade_level = 1) AS "优秀 days",
       count(*) FILTER (WHERE d.grade_level = 2) AS "良好 days",
       count(*) FILTER (WHERE d.grade_level = 3) AS "平稳 days",
       count(*) FILTER (WHERE d.grade_level = 4) AS "较差 days"
  FROM safeidx.index_result m
  JOIN safeidx.result d ON d.scheme = 'zhuhai' AND d.period = 'day' AND d.region_code = m.region_code
 WHERE m.scheme = 'zhuhai' AND m.period = 'month' AND m.period_start = :'month' AND m.depth = 3
 GROUP BY m.region_code, m.region_zh, m.index, m.grade_zh, m.grade_en, m.colour, m.rank_level
 ORDER BY m.rank_level, m.region_code;
SELECT rule, severity, region_zh AS street, detail FROM safeidx.warning
 WHERE scheme = 'zhuhai' AND rule = 'traffic_red' ORDER BY region_code;

\qecho
\qecho '== rows with unknown region codes, left out and reported (safeidx.unknown_region_rows)'
SELECT source, coalesce(region_code, '(NULL)') AS region_code, sum(source_rows) AS rows
  FROM safeidx.unknown_region_rows
 WHERE scheme = 'wuchang' AND period_start = :'month'
 GROUP BY 1, 2 ORDER BY 1, 2;

\qecho
\qecho '== incremental refresh: 30 late burglary reports arrive for the top street''s first community'
CREATE TEMP TABLE top_street AS
SELECT region_code, index FROM safeidx.index_result
 WHERE scheme = 'wuchang' AND period_start = :'month' AND depth = 3 AND rank_level = 1
 ORDER BY region_code LIMIT 1;
INSERT INTO demo.police_incident (id, reported_at, community_code, category, is_criminal)
SELECT (SELECT max(id) FROM demo.police_incident) + g, (:'month'::timestamp + interval '9 days') AT TIME ZONE 'Asia/Shanghai',
       (SELECT min(code) FROM demo.region WHERE parent_code = (SELECT region_code FROM top_street)),
       'burglary', true
  FROM generate_series(1, 30) g;
SELECT count(*) AS "changes logged by the capture trigger" FROM safeidx.change_log WHERE scheme = 'wuchang';
SELECT period, periods, first_period, last_period, results FROM safeidx.refresh('wuchang') WHERE period = 'month';
SELECT t.region_code AS code, r.region_zh AS street, round(t.index::numeric, 1) AS "before",
       round(r.index::numeric, 1) AS "after", r.rank_level AS "rank now"
  FROM top_street t
  JOIN safeidx.index_result r ON r.scheme = 'wuchang' AND r.period_start = :'month' AND r.region_code = t.region_code;

\qecho
\qecho '== governance (test/demo/governance.sql): releases, stars, awards, notices, the public view'
\i test/demo/governance.sql
SELECT '第' || r.number || '期' AS release, r.period_start, r.version, r.watermark, r.checksum
  FROM generate_series(date '2025-10-01', :'month'::date, interval '1 month') m,
       LATERAL safeidx.publish_release('wuchang_monthly', m::date) r;

\qecho
\qecho '== 平安星级村居 (star_rating), month' :month
SELECT class, stars, count(*) AS units, string_agg(region_zh, ' ' ORDER BY rank_in_class) FILTER (WHERE stars >= 3) AS "3+ stars"
  FROM safeidx.star_rating WHERE rule = 'star_community' AND period_start = :'month'
 GROUP BY class, stars ORDER BY class, stars DESC;

\qecho
\qecho '== 平安鼎 (award), year' :year_start
SELECT region_zh, round(score::numeric, 1) AS score, round(star_share::numeric, 2) AS star_share,
       coalesce(award_zh, '-') AS award, reason
  FROM safeidx.award WHERE rule = 'ding' AND year_start = :'year_start';

\qecho
\qecho '== 预警通知书 (issue_notices for each month, in order; notice_status)'
SELECT count(*) AS issued
  FROM generate_series(:'year_start'::date, :'month'::date, interval '1 month') m,
       LATERAL safeidx.issue_notices('wuchang', m::date, (m + interval '1 month 4 days')::date);
SELECT number, kind, region_zh, period_start, addressed_to, state, previous_number
  FROM safeidx.notice_status WHERE scheme = 'wuchang' ORDER BY number;

\qecho
SELECT min(code) AS community FROM demo.region WHERE level = 'community' \gset
\qecho '== what a resident sees (public_result), community' :community
SELECT number, period_start, region_zh, index, grade_zh, colour, rank_level, trend
  FROM safeidx.public_result WHERE series = 'wuchang_monthly' AND region_code = :'community' ORDER BY number;

\qecho
\qecho '== 群众满意度 (Anning-style survey), streets, month' :month '— share satisfied per department, 95% Wilson interval'
SELECT sum(results) AS "region results" FROM safeidx.rebuild('anning_survey', :'month', :'month_end');
SELECT i.region_zh AS street, i.indicator_zh AS department, i.events || '/' || i.denominator AS answers,
       round(i.value::numeric, 1) AS "satisfied %",
       '[' || round(i.value_lower::numeric, 1) || ', ' || round(i.value_upper::numeric, 1) || ']' AS "95% interval"
  FROM safeidx.indicator_result i
  JOIN safeidx.result r ON r.scheme = i.scheme AND r.period = i.period AND r.period_start = i.period_start
                       AND r.region_code = i.region_code AND r.depth = 3
 WHERE i.scheme = 'anning_survey' AND i.period_start = :'month'
   AND i.region_code IN (SELECT region_code FROM safeidx.result WHERE scheme = 'anning_survey' AND depth = 3
                          ORDER BY region_code LIMIT 2)
 ORDER BY i.region_code, i.node;

\qecho
\qecho '== the check-up report of the last release (release_report), written to /tmp/safeidx-demo-report.html'
\pset tuples_only on
\pset format unaligned
\o /tmp/safeidx-demo-report.html
SELECT safeidx.release_report('wuchang_monthly', 3);
\o
\pset format aligned
\pset tuples_only off
\! wc -c /tmp/safeidx-demo-report.html
