-- Example definitions over the demo city (schema demo, test/demo/city.sql):
-- the catalogue a city's data team writes once, in SQL.
--   wuchang  Wuchang 1.0 (five indicators, months before 2025-07) and 2.0
--            (adds telecom fraud and work safety, from 2025-07), monthly,
--            Wuchang green/yellow/orange/red scale, with warning rules
--   zhuhai   a Zhuhai-style daily and monthly index of the three police
--            themes (public order, fire, traffic), blue/yellow/orange/red
-- The sources give indicators, bands and colours, not weights or every
-- parameter; the weights and the middle-band share here are the demo's own.
-- Load after demo.generate(), in one transaction (psql -1, or \i inside
-- BEGIN ... COMMIT: the checks of the trees run at commit); then
--   SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01');

\set ON_ERROR_STOP 1

-- Regions and population, copied from the demo's statistics tables.
INSERT INTO safeidx.region (code, parent_code, name_zh, kind)
SELECT code, parent_code, name_zh, coalesce(kind, level) FROM demo.region;
INSERT INTO safeidx.population (region_code, period, period_start, kind, persons)
SELECT region_code, 'year', make_date(year, 1, 1), 'resident', resident FROM demo.population
 WHERE resident IS NOT NULL
UNION ALL
SELECT region_code, 'year', make_date(year, 1, 1), 'registered', registered FROM demo.population
 WHERE registered IS NOT NULL;

-- Departmental tables, read in place.  Incremental refresh reads them by
-- time: the index each department keeps on its table's time column
-- (test/demo/city.sql, <table>_<time column>_idx) keeps it cheap.

INSERT INTO safeidx.source (source, relation, region_column, time_column, filter, description) VALUES
    ('police_four_category', 'demo.police_incident', 'community_code', 'reported_at',
     $$category IN ('burglary', 'ebike_theft', 'other_theft', 'fraud')$$, '四类警情: burglary, e-bike theft, other theft, fraud'),
    ('police_criminal', 'demo.police_incident', 'community_code', 'reported_at', 'is_criminal', '违法犯罪警情'),
    ('police_telecom_fraud', 'demo.police_incident', 'community_code', 'reported_at',
     $$category = 'telecom_fraud'$$, '电诈警情'),
    ('complaint_key_sector', 'demo.complaint', 'community_code', 'received_at', 'is_key_sector', '重点行业领域投诉'),
    ('mediation_success', 'demo.mediation', 'community_code', 'opened_at', $$outcome = 'success'$$, '调解成功'),
    ('fire_alarm', 'demo.fire_alarm', 'community_code', 'alarm_at', NULL, '火灾警情'),
    ('fire_real', 'demo.fire_alarm', 'community_code', 'alarm_at', 'NOT is_false_alarm', '火灾警情 (excluding false alarms)'),
    ('worksafety_incident', 'demo.worksafety_incident', 'community_code', 'occurred_at', NULL, '生产安全事故'),
    ('traffic_accident', 'demo.traffic_accident', 'community_code', 'occurred_at', NULL, '道路交通事故');
-- Each department declares what it has delivered: every month the demo
-- generated, whole (a quiet last day is still delivered).
UPDATE safeidx.source
   SET delivered_from = (SELECT value::date FROM demo.meta WHERE key = 'first_month'),
       delivered_through = (SELECT (value::date + interval '1 month')::date - 1 FROM demo.meta WHERE key = 'last_month');

-- Wuchang.  Per-10,000 indicators are scored by their ratio to last year's
-- district-wide average monthly rate (depth 2 is the district): below 0.8
-- all points, above 1.2 none, 80% in between; criminal_yoy by the ratio of
-- this month's count to the same month last year.
INSERT INTO safeidx.scheme (scheme, name_zh, name_en, periods, grade_scale)
VALUES ('wuchang', '武昌区平安指数', 'Wuchang safety index', '{month}', 'wuchang');
INSERT INTO safeidx.scheme_version (scheme, version, valid_from, valid_to, note) VALUES
    ('wuchang', '1.0', '2024-01-01', '2025-07-01', 'five indicators'),
    ('wuchang', '2.0', '2025-07-01', 'infinity', 'adds telecom fraud and work safety');
INSERT INTO safeidx.indicator (scheme, version, node, name_zh, name_en, weight, direction, sources, measure,
                               scoring, scoring_params, baseline, baseline_of, baseline_depth)
SELECT 'wuchang', v.version, i.node, i.name_zh, i.name_en, i.weight, i.direction, i.sources::text[], i.measure,
       'ratio_band', '{"middle": "step", "middle_share": 0.8}', i.baseline,
       CASE WHEN i.baseline = 'prior_years' THEN 'depth' ELSE 'self' END,
       CASE WHEN i.baseline = 'prior_years' THEN 2 END
  FROM (VALUES
    ('1.0', 'four_category',  '四类警情万人发案指数', 'four-category incidents per 10,000', 30, 'negative', '{police_four_category}', 'rate', 'prior_years'),
    ('1.0', 'criminal_yoy',   '违法犯罪警情同比升降指数', 'criminal incidents, year on year', 20, 'negative', '{police_criminal}', 'count', 'same_period_last_year'),
    ('1.0', 'key_complaints', '重点行业领域万人投诉量', 'key-sector complaints per 10,000', 15, 'negative', '{complaint_key_sector}', 'rate', 'prior_years'),
    ('1.0', 'mediation',      '万人调解成功数', 'successful mediations per 10,000', 15, 'positive', '{mediation_success}', 'rate', 'prior_years'),
    ('1.0', 'fire',           '万人火灾警情指数', 'fire alarms per 10,000', 20, 'negative', '{fire_alarm}', 'rate', 'prior_years'),
    ('2.0', 'four_category',  '四类警情万人发案指数', 'four-category incidents per 10,000', 25, 'negative', '{police_four_category}', 'rate', 'prior_years'),
    ('2.0', 'criminal_yoy',   '违法犯罪警情同比升降指数', 'criminal incidents, year on year', 15, 'negative', '{police_criminal}', 'count', 'same_period_last_year'),
    ('2.0', 'key_complaints', '重点行业领域万人投诉量', 'key-sector complaints per 10,000', 10, 'negative', '{complaint_key_sector}', 'rate', 'prior_years'),
    ('2.0', 'mediation',      '万人调解成功数', 'successful mediations per 10,000', 10, 'positive', '{mediation_success}', 'rate', 'prior_years'),
    ('2.0', 'fire',           '万人火灾警情指数', 'fire alarms per 10,000', 15, 'negative', '{fire_alarm}', 'rate', 'prior_years'),
    ('2.0', 'telecom_fraud',  '电诈警情万人发案指数', 'telecom-fraud incidents per 10,000', 15, 'negative', '{police_telecom_fraud}', 'rate', 'prior_years'),
    ('2.0', 'worksafety',     '安全生产情况月度统计', 'work-safety incidents per 10,000', 10, 'negative', '{worksafety_incident}', 'rate', 'prior_years')
  ) i(version, node, name_zh, name_en, weight, direction, sources, measure, baseline)
  JOIN safeidx.scheme_version v ON v.scheme = 'wuchang' AND v.version = i.version;

INSERT INTO safeidx.warning_rule (scheme, rule, kind, depth, node, grade_level, periods, places, rise, severity, description) VALUES
    ('wuchang', 'red',            'grade',       3, NULL, 4, NULL, NULL, NULL, 'warning', 'street graded red (预警)'),
    ('wuchang', 'red_3',          'consecutive', 3, NULL, 4, 3, NULL, NULL, 'notice', 'three months in red: warning notice'),
    ('wuchang', 'red_4',          'consecutive', 3, NULL, 4, 4, NULL, NULL, 'summons', 'four months in red: summons'),
    ('wuchang', 'red_5',          'consecutive', 3, NULL, 4, 5, NULL, NULL, 'accountability', 'five months in red: accountability'),
    ('wuchang', 'rank_drop',      'rank_drop',   3, NULL, NULL, NULL, 3, NULL, 'attention', 'street fell 3 or more places'),
    ('wuchang', 'four_cat_worst', 'worst_band',  3, 'four_category', NULL, NULL, NULL, NULL, 'attention', 'four-category incidents in the poor band (差)'),
    ('wuchang', 'four_cat_yoy',   'yoy_rise',    3, 'four_category', NULL, NULL, NULL, 0.3, 'attention', 'four-category rate up more than 30% on last year');
-- issue 12: an early-warning alarm, the Poisson CUSUM of the street's
-- four-category incidents against its own last 12 months (doc/governance.md#alarms)
INSERT INTO safeidx.warning_rule (scheme, rule, kind, depth, node, severity, params, min_expected, description) VALUES
    ('wuchang', 'four_cat_cusum', 'cusum', 3, 'four_category', 'attention', '{"h": 8}', 1,
     'four-category incidents: Poisson CUSUM against the street''s last 12 months (doubling, h = 8)');

-- Zhuhai-style: a daily barometer and a monthly check-up of the first three
-- police themes, each scored linearly between 0.8 and 1.2 of last year's
-- district-wide average daily (monthly) rate, on the blue/yellow/orange/red scale.
INSERT INTO safeidx.scheme (scheme, name_zh, name_en, periods, grade_scale)
VALUES ('zhuhai', '珠海平安指数', 'Zhuhai safety index', '{day,month}', 'zhuhai');
INSERT INTO safeidx.scheme_version (scheme, version, valid_from) VALUES ('zhuhai', '1', '2024-01-01');
INSERT INTO safeidx.indicator (scheme, version, node, name_zh, name_en, weight, direction, sources,
                               scoring, scoring_params, baseline, baseline_of, baseline_depth)
SELECT 'zhuhai', '1', i.node, i.name_zh, i.name_en, i.weight, 'negative', i.sources::text[],
       'ratio_band', '{"middle": "linear"}', 'prior_years', 'depth', 2
  FROM (VALUES
    ('public_order', '违法犯罪警情', 'criminal incidents per 10,000', 40, '{police_criminal}'),
    ('fire_safety',  '火灾', 'fires per 10,000', 30, '{fire_real}'),
    ('traffic',      '交通事故', 'traffic accidents per 10,000', 30, '{traffic_accident}')
  ) i(node, name_zh, name_en, weight, sources);
INSERT INTO safeidx.warning_rule (scheme, rule, kind, period, depth, node, grade_level, severity, description) VALUES
    ('zhuhai', 'traffic_red', 'worst_band', 'month', 3, 'traffic', NULL, 'red', 'traffic theme in its worst band for the month: red traffic warning (交通红色预警)'),
    ('zhuhai', 'poor_day',    'grade',      'day',   3, NULL, 4, 'watch', 'town/street graded 较差 for the day');
