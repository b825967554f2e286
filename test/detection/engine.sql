-- test/detection/engine.sql: the engine itself over the detection city (run by
-- test/detection.sh after detect.sql, which made det.cm, det.hot and det.alarm).
--
-- detect.sql computes each method in plain SQL over the monthly burglary counts; here
-- the same question is put to the engine, with schemes written as data, built by
-- rebuild(), and read from what a city reads: result.grade_level, result_node.significance
-- and the view warning (grade, consecutive and alarm rules).  The flags go to det.alarm
-- under method names starting "engine:", so the measures of test/detection/measure.sql
-- (run next) cover them; det.check, det.check_red and det.check_sig compare them with
-- the plain SQL's, and det.build holds the build's and the alarm path's times.
--
--   det        one leaf, burglary per 10,000 residents of the community, scored as Wuchang
--              scores its incidents (ratio_band 0.8 / 1.2 against the previous year's
--              district-wide average monthly rate, 100 % / 80 % / 0 of the points), on the
--              Wuchang grade scale (red below 70).  With one leaf the index is 100, 80 or 0:
--              red grade = scored poor = the ratio rule at 1.2, computed by the engine.
--              Warning rules at the community depth: red grade; two months in a row red;
--              the alarm rules cusum, ears_c1/c2/c3 and seasonal on the leaf, one rule per
--              setting of detect.sql's sweep.
--   det_p<k>   the same one-leaf scheme with significance-aware scoring: significance_level
--              alpha (0.05 ... 1e-7), min_expected 1.  Red grade = scored poor only when the
--              excess over the baseline is significant; the flag significance = 'excess'.
--   wuchang    the demo's Wuchang scheme as it is (test/demo/schemes.sql: five, from July
--              2025 seven, indicators; burglary is one of the four categories of its
--              four_category leaf): red grade and two reds in a row of a community's index
--              as a city running Wuchang's rules would see them.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = safeidx, public;

BEGIN;
\i test/demo/schemes.sql
INSERT INTO safeidx.source (source, relation, region_column, time_column, filter, description,
                            delivered_from, delivered_through)
SELECT 'police_burglary', 'demo.police_incident', 'community_code', 'reported_at', $$category = 'burglary'$$,
       '入室盗窃 burglary', delivered_from, delivered_through
  FROM safeidx.source WHERE source = 'police_four_category';

CREATE TABLE det.scheme_alpha (scheme text, alpha float8);
INSERT INTO det.scheme_alpha VALUES ('det', NULL), ('det_p05', 0.05), ('det_p01', 0.01), ('det_p001', 0.001),
    ('det_p1e4', 1e-4), ('det_p1e5', 1e-5), ('det_p1e6', 1e-6), ('det_p1e7', 1e-7);
INSERT INTO safeidx.scheme (scheme, name_zh, name_en, periods, grade_scale)
SELECT scheme, '入室盗窃 ' || scheme, 'burglary per 10,000, Wuchang-style, ' || coalesce('significance level ' || alpha, 'raw'),
       '{month}', 'wuchang' FROM det.scheme_alpha;
INSERT INTO safeidx.scheme_version (scheme, version, valid_from)
SELECT scheme, '1', (SELECT value::date FROM demo.meta WHERE key = 'first_month') FROM det.scheme_alpha;
INSERT INTO safeidx.indicator (scheme, version, node, name_zh, name_en, weight, direction, sources, measure,
                               scoring, scoring_params, baseline, baseline_of, baseline_depth,
                               significance_level, min_expected)
SELECT scheme, '1', 'burglary', '入室盗窃万人发案', 'burglaries per 10,000', 100, 'negative', '{police_burglary}', 'rate',
       'ratio_band', '{"middle": "step", "middle_share": 0.8}', 'prior_years', 'depth', 2,
       alpha, CASE WHEN alpha IS NOT NULL THEN 1 END
  FROM det.scheme_alpha;
-- depth 4: the communities (1 city, 2 district, 3 street)
INSERT INTO safeidx.warning_rule (scheme, rule, kind, depth, node, grade_level, periods, severity, description)
SELECT scheme, 'red', 'grade', 4, NULL, 4, NULL, 'warning', 'community graded red' FROM det.scheme_alpha
UNION ALL
SELECT scheme, 'red_2', 'consecutive', 4, NULL, 4, 2, 'warning', 'community red two months in a row' FROM det.scheme_alpha;
COMMIT;

-- build every scheme over every month of the data (the alarms need the whole series;
-- Wuchang from its first version), timed
CREATE TABLE det.build (scheme text, step text, ms float8, n bigint);
DO $$
DECLARE
    s     text;
    t     timestamptz;
    n     bigint;
    first date := (SELECT value::date FROM demo.meta WHERE key = 'first_month');
    upto  date := (SELECT (value::date + interval '1 month')::date FROM demo.meta WHERE key = 'last_month');
BEGIN
    FOR s IN SELECT scheme FROM det.scheme_alpha UNION ALL SELECT 'wuchang' ORDER BY 1 LOOP
        t := clock_timestamp();
        SELECT sum(b.results) INTO n
          FROM safeidx.rebuild(s, greatest(first, (SELECT min(valid_from) FROM safeidx.scheme_version v WHERE v.scheme = s)), upto) b;
        INSERT INTO det.build VALUES (s, 'rebuild (results)', 1000 * extract(epoch FROM clock_timestamp() - t), n);
    END LOOP;
END $$;
ANALYZE safeidx.result, safeidx.result_node, safeidx.alarm;

-- scheme det's alarm rules, added now: their alarms are computed when the transaction
-- commits (trigger warning_rule_valid, compute_alarms() of each rule), timed
SELECT clock_timestamp() AS t0 \gset
BEGIN;
-- one rule per setting of detect.sql (no minimum expected count there either)
INSERT INTO safeidx.warning_rule (scheme, rule, kind, depth, node, severity, params)
SELECT 'det', k || '_' || replace(replace(x::text, '.', '_'), '-', '_'), k, 4, 'burglary', 'attention',
       jsonb_build_object(CASE k WHEN 'cusum' THEN 'h' WHEN 'seasonal' THEN 'level' ELSE 'limit' END, x)
  FROM (VALUES ('cusum', '{2,3,4,5,6,8,10,12}'::float8[]), ('ears_c1', '{3,4,5,6,8,10,12}'),
               ('ears_c2', '{3,4,5,6,8,10,12}'), ('ears_c3', '{2,4,6,8,12,16,24}'),
               ('seasonal', '{0.99,0.999,0.9999,0.99999,0.999999}')) s(k, xs), unnest(xs) x;
COMMIT;
INSERT INTO det.build
SELECT 'det', 'alarm rules added: ' || count(*) || ' rules, alarms computed at commit',
       1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz), (SELECT count(*) FROM safeidx.alarm WHERE scheme = 'det')
  FROM safeidx.warning_rule WHERE scheme = 'det' AND kind = ANY (safeidx.alarm_kinds());
ANALYZE safeidx.alarm;

-- the cost of the alarm path of the demo's Wuchang scheme (its alarm rule four_cat_cusum,
-- streets) and of one of det's rules (communities): compute_alarms() as rebuild and
-- refresh call it; and the warning view of one month: the best of 5 runs each
DO $$
DECLARE
    t    timestamptz;
    best float8;
    n    bigint;
    last date := (SELECT value::date FROM demo.meta WHERE key = 'last_month');
    c    record;
BEGIN
    FOR c IN SELECT * FROM (VALUES (1, 'wuchang', NULL, 'compute_alarms(''wuchang'', ''month'')'),
                                   (2, 'det', 'cusum_8', 'compute_alarms(''det'', ''month'', NULL, ''cusum_8'')'),
                                   (3, 'wuchang', NULL, 'warning view, one month (every rule)'),
                                   (4, 'det', NULL, 'warning view, one month (every rule)')) v(i, scheme, rule, step) ORDER BY i LOOP
        best := NULL;
        FOR k IN 1..5 LOOP
            t := clock_timestamp();
            IF c.i <= 2 THEN
                n := safeidx.compute_alarms(c.scheme, 'month', NULL, c.rule);
            ELSE
                SELECT count(*) INTO n FROM (SELECT * FROM safeidx.warning w WHERE w.scheme = c.scheme AND w.period_start = last OFFSET 0) x;
            END IF;
            best := least(best, 1000 * extract(epoch FROM clock_timestamp() - t));
        END LOOP;
        INSERT INTO det.build VALUES (c.scheme, c.step, best, n);
    END LOOP;
END $$;

-- community x month of every scheme's results, with det.cm's month number
CREATE TABLE det.eng AS
SELECT r.scheme, r.region_code AS code, c.mi, r.grade_level, r.index, n.events, n.baseline, n.significance, n.p_value,
       n.expected, n.ratio, n.score
  FROM safeidx.result r JOIN det.cm c ON c.code = r.region_code AND c.m = r.period_start
  LEFT JOIN safeidx.result_node n ON n.scheme = r.scheme AND n.period = r.period AND n.period_start = r.period_start
        AND n.region_code = r.region_code AND n.node = 'burglary'
 WHERE r.period = 'month' AND r.depth = 4;
-- the warnings of the det schemes, as the view gives them
CREATE TABLE det.warn AS
SELECT w.scheme, w.rule, w.kind, w.region_code AS code, c.mi, w.threshold, w.statistic
  FROM safeidx.warning w JOIN det.cm c ON c.code = w.region_code AND c.m = w.period_start
 WHERE w.period = 'month' AND (w.scheme LIKE 'det%' AND w.rule IN ('red', 'red_2') OR w.scheme = 'det');

-- red grade and two reds running, one-leaf scheme without and with significance-aware scoring
INSERT INTO det.alarm
SELECT CASE WHEN d.alpha IS NULL THEN 'engine: red grade, one leaf (ratio > x)' ELSE 'engine: red grade, one leaf, poor only if p < x' END,
       coalesce(d.alpha, 1.2), w.code, w.mi
  FROM det.warn w JOIN det.scheme_alpha d USING (scheme) WHERE w.rule = 'red';
INSERT INTO det.alarm
SELECT CASE WHEN d.alpha IS NULL THEN 'engine: consecutive reds, one leaf (ratio > x)' ELSE 'engine: consecutive reds, one leaf, p < x' END,
       coalesce(d.alpha, 1.2), w.code, w.mi
  FROM det.warn w JOIN det.scheme_alpha d USING (scheme) WHERE w.rule = 'red_2';
-- the engine's significance flag: significance = 'excess' (p < x, expected >= 1)
INSERT INTO det.alarm
SELECT 'engine: significance = excess (p < x, expected >= 1)', d.alpha, e.code, e.mi
  FROM det.eng e JOIN det.scheme_alpha d USING (scheme) WHERE d.alpha IS NOT NULL AND e.significance = 'excess';
-- the Wuchang scheme as it is: a community's index red, and red two months running
INSERT INTO det.alarm
SELECT 'engine: red grade, Wuchang scheme (index < x)', 70, code, mi FROM det.eng WHERE scheme = 'wuchang' AND grade_level >= 4;
INSERT INTO det.alarm
SELECT 'engine: consecutive reds, Wuchang scheme (index < x)', 70, a.code, a.mi
  FROM det.eng a JOIN det.eng b ON b.scheme = a.scheme AND b.code = a.code AND b.mi = a.mi - 1
 WHERE a.scheme = 'wuchang' AND a.grade_level >= 4 AND b.grade_level >= 4;
-- the alarm rules of scheme det, from the view
INSERT INTO det.alarm
SELECT 'engine: ' || CASE w.kind WHEN 'cusum' THEN 'Poisson CUSUM, own 12-month mean (h = x)'
                                 WHEN 'ears_c1' THEN 'EARS C1 (C1 > x)' WHEN 'ears_c2' THEN 'EARS C2 (C2 > x)'
                                 WHEN 'ears_c3' THEN 'EARS C3 (C3 > x)' ELSE 'seasonal (level x)' END,
       (r.params ->> CASE w.kind WHEN 'cusum' THEN 'h' WHEN 'seasonal' THEN 'level' ELSE 'limit' END)::float8,
       w.code, w.mi
  FROM det.warn w JOIN safeidx.warning_rule r ON r.scheme = w.scheme AND r.rule = w.rule
 WHERE w.scheme = 'det' AND r.kind = ANY (safeidx.alarm_kinds());

-- the engine's CUSUM expects the mean count of the 12 months before; detect.sql's CUSUM the
-- empirical Bayes expected count.  The same kernel call in plain SQL with that mean (a
-- window over det.cm's counts, NULL until 12 months are there), for the check that the
-- engine's alarm path gives exactly the kernel's alarms
CREATE TABLE det.own_mean AS
SELECT code, array_agg(n ORDER BY mi) AS counts, array_agg(CASE WHEN k = 12 THEN m END ORDER BY mi) AS mu0
  FROM (SELECT code, mi, n, avg(n) OVER w AS m, count(n) OVER w AS k
          FROM det.cm WINDOW w AS (PARTITION BY code ORDER BY mi ROWS BETWEEN 12 PRECEDING AND 1 PRECEDING)) x
 GROUP BY code;
INSERT INTO det.alarm
SELECT 'Poisson CUSUM, own 12-month mean (h = x)', x, s.code, c.period - 1
  FROM det.own_mean s, unnest('{2,3,4,5,6,8,10,12}'::float8[]) x, poisson_cusum(s.counts, s.mu0, 2, x) c WHERE c.alarm;

-- checks: the engine against the plain SQL of the same rule (detect.sql), flag for flag
-- (community-months of every month, not only those evaluated)
CREATE TABLE det.check AS
WITH pairs(engine, plain) AS (VALUES
    ('engine: red grade, one leaf (ratio > x)', 'ratio rule (ratio > x)'),
    ('engine: consecutive reds, one leaf (ratio > x)', 'consecutive poor (ratio > x twice)'),
    ('engine: EARS C1 (C1 > x)', 'EARS C1 (C1 > x)'),
    ('engine: EARS C2 (C2 > x)', 'EARS C2 (C2 > x)'),
    ('engine: EARS C3 (C3 > x)', 'EARS C3 (C3 > x)'),
    ('engine: seasonal (level x)', 'seasonal (level x)'),
    ('engine: Poisson CUSUM, own 12-month mean (h = x)', 'Poisson CUSUM, own 12-month mean (h = x)')),
settings AS (SELECT DISTINCT p.engine, p.plain, a.setting FROM pairs p JOIN det.alarm a ON a.method = p.engine),
e AS (SELECT s.engine, s.setting, a.code, a.mi FROM settings s JOIN det.alarm a ON a.method = s.engine AND a.setting = s.setting),
p AS (SELECT s.engine, s.setting, a.code, a.mi FROM settings s JOIN det.alarm a ON a.method = s.plain AND a.setting = s.setting)
SELECT s.engine, s.plain, s.setting,
       (SELECT count(*) FROM e WHERE (e.engine, e.setting) = (s.engine, s.setting)) AS engine_flags,
       (SELECT count(*) FROM p WHERE (p.engine, p.setting) = (s.engine, s.setting)) AS plain_flags,
       (SELECT count(*) FROM (SELECT code, mi FROM e WHERE (e.engine, e.setting) = (s.engine, s.setting)
                              EXCEPT SELECT code, mi FROM p WHERE (p.engine, p.setting) = (s.engine, s.setting)) x) AS engine_only,
       (SELECT count(*) FROM (SELECT code, mi FROM p WHERE (p.engine, p.setting) = (s.engine, s.setting)
                              EXCEPT SELECT code, mi FROM e WHERE (e.engine, e.setting) = (s.engine, s.setting)) x) AS plain_only
  FROM settings s;
-- where red grade and the ratio rule differ: the community-months, with why
CREATE TABLE det.check_red AS
WITH e AS (SELECT code, mi FROM det.alarm WHERE method = 'engine: red grade, one leaf (ratio > x)'),
p AS (SELECT code, mi FROM det.alarm WHERE method = 'ratio rule (ratio > x)' AND setting = 1.2)
SELECT x.side, x.code, x.mi, c.m AS month, c.n AS burglaries, c.pop AS residents_used_by_detect_sql,
       (SELECT pp.resident FROM demo.population pp WHERE pp.region_code = x.code AND pp.year = extract(year FROM c.m)) AS residents_of_the_year,
       e.ratio AS engine_ratio, r.ratio AS plain_ratio
  FROM (SELECT 'engine only' AS side, * FROM (SELECT * FROM e EXCEPT SELECT * FROM p) a
        UNION ALL SELECT 'plain only', * FROM (SELECT * FROM p EXCEPT SELECT * FROM e) b) x
  JOIN det.cm c USING (code, mi)
  LEFT JOIN det.eng e ON e.scheme = 'det' AND e.code = x.code AND e.mi = x.mi
  LEFT JOIN det.ratio r ON r.code = x.code AND r.mi = x.mi;
-- why the engine's significance flags differ from detect.sql's: its expected count is the
-- district's prior-year rate x the community's residents, not the community's own past.
-- For the false alarms (outside hotspots, from the second year) of each level: how many
-- communities raise them, and the community-month's true expected count (demo.truth)
-- over the engine's expected count; beside it the same ratio over every community-month
CREATE TABLE det.check_sig AS
SELECT a.alpha, count(*) AS false_alarms, count(DISTINCT e.code) AS communities,
       avg(c.truth / e.expected) AS mean_truth_over_expected,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY c.truth / e.expected) AS median_truth_over_expected,
       (SELECT avg(c2.truth / e2.expected) FROM det.eng e2 JOIN det.cm c2 USING (code, mi)
         WHERE e2.scheme = a.scheme AND e2.expected > 0 AND e2.mi >= 12) AS all_mean_truth_over_expected
  FROM det.eng e JOIN det.scheme_alpha a USING (scheme) JOIN det.cm c USING (code, mi)
 WHERE a.alpha IS NOT NULL AND e.significance = 'excess' AND e.mi >= 12
   AND NOT EXISTS (SELECT FROM det.hot h WHERE h.code = e.code AND e.mi BETWEEN h.onset AND h.last)
 GROUP BY a.scheme, a.alpha;
