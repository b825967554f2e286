-- Funnel positions of the stored results (issue 12, part 5): funnel_result()
-- over March 2025 of test/fixtures/funnel.sql.  Expected values: by hand
-- below, and test/stats/funnel_result.py (the standard library only, from
-- the definitions; its output quoted below, compared within 1e-9 relative:
-- other arithmetic); every column is also recomputed in plain SQL from
-- result_node with the kernel's funnel functions (tested against scipy in
-- sql/statistics.sql), which must give the same to the bit.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/funnel.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.close(a float8, b float8) RETURNS boolean
LANGUAGE sql IMMUTABLE RETURN a = b OR abs(a - b) <= 1e-9 * greatest(1, abs(b));
SELECT period, periods FROM rebuild('fu', '2025-03-01', '2025-04-01');

-- By hand, the communities (depth 2): events a 45, b 5, c 22, e 24, f 24 in
-- 10,000, 10,000, 20,000, 20,000, 20,000 residents; g (7 events, no
-- residents) has no rate and is left out: the level's rate is 120 / 80,000
-- per 10,000 = 15 (with g's 7 events it would be 15.875), units 5; the
-- expected counts at the level's rate E = 15, 15, 30, 30, 30.  Exact limits
-- at E = 15 (Poisson(15): F(4) = 0.000857, F(5) = 0.002792, F(7) = 0.018002,
-- F(8) = 0.037446): the 99.8 % lower limit is (5 - (0.002792 - 0.001) /
-- (0.002792 - 0.000857)) / 15 x 15 = 4.07 per 10,000 and the 95 % one
-- (8 - (0.037446 - 0.025) / (0.037446 - 0.018002)) = 7.36: b's 5 is below
-- at 95 %, inside at 99.8 %; a's 45 per 10,000 is three times the level's
-- rate, above every limit (its z-score (45 - 15) / sqrt 15 = 7.75).
-- test/stats/funnel_result.py:
--   z 7.745966692414833 -2.581988897471611 -1.4605934866804429 (c) -1.0954451150103321 (e, f)
--     winsorised at the 10 % and 90 % quantiles -2.133430733155144 4.209401969444768
--   phi 5.360784993373943 tau2 0.24324186631327696
--     (tau2 = (5 phi - 4) / (135 - 3825 / 135))
--   a, b (E 15): 95 % 7.35988987686585 .. 22.583165440539165, 99.8 % 4.074057066267198 .. 27.837114239877373
--     adjusted 95 % 0 .. 31.36651139416829, 99.8 % 0 .. 40.80472021346416
--   c, e, f (E 30): 95 % 9.616564632996285 .. 20.35822345625877, 99.8 % 7.0386237855993485 .. 23.906052356420442
--     adjusted 95 % 0 .. 30.46129858906536, 99.8 % 0 .. 39.37749100091192
--   positions a above, above, above, above; b below, inside, inside, inside; c, e, f inside
-- Against their own baseline (last year's district-wide 80 a month in
-- 80,000: 10 per 10,000) the stored expected counts are a 10, b 10, c 20,
-- e 20, f 20: O / E 4.5, 0.5, 1.1, 1.2, 1.2; a above (Poisson(10) reaches
-- 45 with probability below 1e-12), the others inside (py: the same).
SELECT region_code, region_zh, depth, parent_code, events, residents, round(rate::numeric, 9) AS rate,
       level_rate, units, position_95, position_998, re_position_95, re_position_998,
       expected, oe_ratio, oe_position_95, oe_position_998
  FROM funnel_result('fu', '2025-03-01', 'burglary', 2);
-- the limits and tau2 as test/stats/funnel_result.py computes them
SELECT region_code,
       pg_temp.close(tau2, 0.24324186631327696) AS tau2_ok,
       pg_temp.close(lower_95, CASE WHEN residents = 10000 THEN 7.35988987686585 ELSE 9.616564632996285 END)
       AND pg_temp.close(upper_95, CASE WHEN residents = 10000 THEN 22.583165440539165 ELSE 20.35822345625877 END)
       AND pg_temp.close(lower_998, CASE WHEN residents = 10000 THEN 4.074057066267198 ELSE 7.0386237855993485 END)
       AND pg_temp.close(upper_998, CASE WHEN residents = 10000 THEN 27.837114239877373 ELSE 23.906052356420442 END)
           AS exact_limits_ok,
       re_lower_95 = 0 AND re_lower_998 = 0
       AND pg_temp.close(re_upper_95, CASE WHEN residents = 10000 THEN 31.36651139416829 ELSE 30.46129858906536 END)
       AND pg_temp.close(re_upper_998, CASE WHEN residents = 10000 THEN 40.80472021346416 ELSE 39.37749100091192 END)
           AS adjusted_limits_ok
  FROM funnel_result('fu', '2025-03-01', 'burglary', 2)
 WHERE residents > 0;
-- every column the plain SQL recomputation from result_node with the kernel
-- functions gives, to the bit (g: NULLs throughout but the level's figures)
WITH n AS (
    SELECT n.region_code, n.counted_events AS o, n.residents AS x, n.expected
      FROM result_node n
     WHERE n.scheme = 'fu' AND n.period_start = '2025-03-01' AND n.node = 'burglary' AND n.region_code <> 'd'),
lv AS (SELECT sum(o) FILTER (WHERE x > 0) / sum(x) FILTER (WHERE x > 0) * 10000 AS rate FROM n),
tu AS (SELECT funnel_tau2(funnel_agg(o, lv.rate * x / 10000)) AS tau2 FROM n, lv WHERE x > 0),
r AS (
    SELECT n.region_code, n.o, n.x, lv.rate, tu.tau2,
           funnel_lower(lv.rate, n.x, 0.95, 10000) AS l95, funnel_upper(lv.rate, n.x, 0.95, 10000) AS u95,
           funnel_lower(lv.rate, n.x, 0.998, 10000) AS l998, funnel_upper(lv.rate, n.x, 0.998, 10000) AS u998,
           funnel_position(n.o, lv.rate, n.x, 0.95, 10000) AS p95, funnel_position(n.o, lv.rate, n.x, 0.998, 10000) AS p998,
           funnel_re_lower(lv.rate, n.x, tu.tau2, 0.95, 10000) AS rl95, funnel_re_upper(lv.rate, n.x, tu.tau2, 0.95, 10000) AS ru95,
           funnel_re_lower(lv.rate, n.x, tu.tau2, 0.998, 10000) AS rl998, funnel_re_upper(lv.rate, n.x, tu.tau2, 0.998, 10000) AS ru998,
           funnel_re_position(n.o, lv.rate, n.x, tu.tau2, 0.95, 10000) AS rp95,
           funnel_re_position(n.o, lv.rate, n.x, tu.tau2, 0.998, 10000) AS rp998,
           n.expected, n.o / n.expected AS oe,
           funnel_position(n.o, 1, n.expected, 0.95, 1) AS op95, funnel_position(n.o, 1, n.expected, 0.998, 1) AS op998
      FROM n, lv, tu WHERE n.x > 0)
SELECT f.region_code,
       (f.events, f.residents, f.level_rate, f.tau2, f.lower_95, f.upper_95, f.lower_998, f.upper_998,
        f.position_95, f.position_998, f.re_lower_95, f.re_upper_95, f.re_lower_998, f.re_upper_998,
        f.re_position_95, f.re_position_998, f.expected, f.oe_ratio, f.oe_position_95, f.oe_position_998)
       IS NOT DISTINCT FROM
       (r.o, r.x, coalesce(r.rate, (SELECT rate FROM lv)), coalesce(r.tau2, (SELECT tau2 FROM tu)),
        r.l95, r.u95, r.l998, r.u998, r.p95, r.p998, r.rl95, r.ru95, r.rl998, r.ru998, r.rp95, r.rp998,
        r.expected, r.oe, r.op95, r.op998) AS as_recomputed
  FROM funnel_result('fu', '2025-03-01', 'burglary', 2) f
  LEFT JOIN r USING (region_code)
 ORDER BY f.region_code;
-- g has events but no residents: every figure of its own is NULL, not 0
SELECT region_code, events, residents, rate, lower_95, position_998, re_position_998, expected, oe_ratio,
       level_rate, units
  FROM funnel_result('fu', '2025-03-01', 'burglary') WHERE region_code = 'g';
-- the district alone at depth 1: its level's rate is its own (127 counted
-- events, g's 7 included by the engine, in 80,000: 15.875), inside its own
-- limits; one unit has no overdispersion (tau2 0); against its baseline (80
-- expected) 127 is above (Poisson(80): P(X >= 127) < 1e-6).
SELECT region_code, depth, events, residents, rate, level_rate, units, position_95, position_998, tau2,
       re_position_998, expected, oe_ratio, oe_position_998
  FROM funnel_result('fu', '2025-03-01', 'burglary') WHERE depth = 1;
-- all levels: ordered by depth and code
SELECT string_agg(t.region_code || '/' || t.depth, ' ' ORDER BY t.ordinality)
  FROM funnel_result('fu', '2025-03-01', 'burglary') WITH ORDINALITY t;
-- another winsorising share: tau2 as the kernel gives it on the level's pairs
SELECT DISTINCT f.tau2 = (SELECT funnel_tau2(funnel_agg(o, 15 * x / 10000), 0.2)
                            FROM (VALUES (45, 10000), (5, 10000), (22, 20000), (24, 20000), (24, 20000)) v(o, x)) AS tau2_winsor_02
  FROM funnel_result('fu', '2025-03-01', 'burglary', 2, winsor => 0.2) f WHERE f.residents > 0;
-- The report's early-warning section (report_alarms, in release_report):
-- at the chart's level (the communities) the regions outside the
-- overdispersion-adjusted 99.8 % limits: a alone (45 per 10,000 above the
-- upper limit 40.80 of test/stats/funnel_result.py; b's 5 is inside).
CREATE FUNCTION pg_temp.rows_of(html text, pattern text) RETURNS TABLE (n bigint, m text[]) LANGUAGE sql AS $$
    SELECT n, m FROM regexp_matches(html, pattern, 'g') WITH ORDINALITY AS t(m, n)
$$;
INSERT INTO release_series (series, scheme, title_zh) VALUES ('fu_monthly', 'fu', '漏斗示例月报');
SELECT number FROM publish_release('fu_monthly', '2025-03-01');
SELECT substring(report_alarms(r) FROM '<h2>第2层漏斗图</h2>') IS NOT NULL AS heading
  FROM release r WHERE r.series = 'fu_monthly';
SELECT t.m[1] AS indicator, t.m[2] AS region, t.m[3] AS rate, t.m[4] AS level_rate, t.m[5] AS limits, t.m[6] AS position
  FROM release r, pg_temp.rows_of(substring(report_alarms(r) FROM '<table class="funnel">.*?</table>'),
       '<tr><td>([^<]*)</td><td>([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td><td>([^<]*)</td></tr>') t
 WHERE r.series = 'fu_monthly' ORDER BY t.n;
SELECT position(report_alarms(r) IN release_report('fu_monthly', 1)) > 0 AS in_the_report
  FROM release r WHERE r.series = 'fu_monthly';
-- a level with no region outside: the note instead of the table (a's
-- events brought down to 15, the level's rate 90 / 80,000 = 11.25; nothing
-- far enough from it)
DELETE FROM public.burglary WHERE code = 'a' AND at = '2025-03-15'
   AND ctid IN (SELECT ctid FROM public.burglary WHERE code = 'a' AND at = '2025-03-15' LIMIT 30);
SELECT period, periods FROM rebuild('fu', '2025-03-01', '2025-04-01');
SELECT string_agg(region_code || ' ' || re_position_998, ', ' ORDER BY region_code) AS adjusted_998
  FROM funnel_result('fu', '2025-03-01', 'burglary', 2);
SELECT substring(report_alarms(r) FROM '<h2>第2层漏斗图</h2>\n(<p class="note">[^<]*</p>)') AS note,
       position('class="funnel"' IN report_alarms(r)) = 0 AS no_table
  FROM release r WHERE r.series = 'fu_monthly';
-- errors
\set VERBOSITY terse
UPDATE indicator SET measure = 'count' WHERE scheme = 'fu';
SELECT * FROM funnel_result('fu', '2025-03-01', 'burglary');
UPDATE indicator SET measure = 'rate' WHERE scheme = 'fu';
SELECT * FROM funnel_result('fu', '2025-03-01', 'burglary', winsor => 0.5);
SELECT * FROM funnel_result('fu', '2025-03-01', 'burglary', winsor => 'NaN');
-- no results for the period: no rows
SELECT count(*) FROM funnel_result('fu', '2030-03-01', 'burglary');
