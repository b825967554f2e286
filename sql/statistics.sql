-- The statistics of issue 12 (doc/statistics.md): intervals, significance,
-- empirical Bayes, funnel limits, rank intervals, EARS, Poisson CUSUM and the
-- seasonal baseline.  Every reference value below comes from
-- test/stats/reference.py (scipy / numpy from the textbook definitions, not
-- from safeidx; its output lines are quoted).  Values from that independent
-- tool are compared with a relative tolerance of 1e-9 (different arithmetic:
-- scipy's own incomplete gamma / beta); counts, ranks, alarms and states exactly.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET extra_float_digits = 0;

CREATE FUNCTION pg_temp.close(a float8, b float8) RETURNS boolean
LANGUAGE sql IMMUTABLE RETURN a = b OR abs(a - b) <= 1e-9 * greatest(1, abs(b));

-- ---- counts: exact (Garwood) and Byar --------------------------------------
-- reference.py:
--   garwood k=0 level=0.95 0.0 3.6888794541139354          byar 0.0 3.6680118321737507
--   garwood k=1 level=0.95 0.025317807984289897 5.571643390938898   byar 0.013072132901504331 5.5637555824752605
--   garwood k=5 level=0.95 1.623486390118421 11.66833207932267       byar 1.6113477157471932 11.668164123398595
--   garwood k=20 level=0.95 12.216519585403946 30.8883779026746      byar 12.211428834875935 30.88988036919706
--   garwood k=100 level=0.998 71.9213974950004 134.92431906126444    byar 71.90369187259837 134.94362176226318
--   garwood k=3 level=0.99 0.33786338872773347 10.977477495329765    byar 0.30602261401109776 11.011956729317022
WITH ref(k, level, glo, ghi, blo, bhi) AS (VALUES
    (0, 0.95, 0.0, 3.6888794541139354, 0.0, 3.6680118321737507),
    (1, 0.95, 0.025317807984289897, 5.571643390938898, 0.013072132901504331, 5.5637555824752605),
    (5, 0.95, 1.623486390118421, 11.66833207932267, 1.6113477157471932, 11.668164123398595),
    (20, 0.95, 12.216519585403946, 30.8883779026746, 12.211428834875935, 30.88988036919706),
    (100, 0.998, 71.9213974950004, 134.92431906126444, 71.90369187259837, 134.94362176226318),
    (3, 0.99, 0.33786338872773347, 10.977477495329765, 0.30602261401109776, 11.011956729317022))
SELECT k, level,
       pg_temp.close(poisson_count_lower(k, level), glo) AS exact_lower,
       pg_temp.close(poisson_count_upper(k, level), ghi) AS exact_upper,
       pg_temp.close(poisson_count_lower(k, level, 'byar'), blo) AS byar_lower,
       pg_temp.close(poisson_count_upper(k, level, 'byar'), bhi) AS byar_upper
  FROM ref ORDER BY k;
-- The exact limits equal the ratesum accessors' (the same Garwood code).
SELECT poisson_count_upper(5) = rate_upper('(v1,events=5,exposure=10000,units=1,missing=0)'::ratesum) AS same_as_rate_upper;

-- Rates per 10,000: 7 events among 35,000 residents.
--   rate exact 0.8041037290056764 4.120764389057822;  rate byar 0.8012659100214473 4.120932159982587
SELECT pg_temp.close(poisson_rate_lower(7, 35000), 0.8041037290056764) AS exact_lower,
       pg_temp.close(poisson_rate_upper(7, 35000), 4.120764389057822) AS exact_upper,
       pg_temp.close(poisson_rate_lower(7, 35000, 0.95, 10000, 'byar'), 0.8012659100214473) AS byar_lower,
       pg_temp.close(poisson_rate_upper(7, 35000, 0.95, 10000, 'byar'), 4.120932159982587) AS byar_upper,
       poisson_rate_lower(3, 0) IS NULL AS no_residents_null;

-- Observed / expected (SMR-like): 12 observed, 7.5 expected.
--   oe exact 0.8267433478296292 2.7948780064235947
SELECT pg_temp.close(oe_ratio_lower(12, 7.5), 0.8267433478296292) AS lower_ok,
       pg_temp.close(oe_ratio_upper(12, 7.5), 2.7948780064235947) AS upper_ok,
       oe_ratio_upper(3, 0) IS NULL AS no_expected_null;

-- Ratio of two rates, exact conditional method (Clopper-Pearson on x1 / (x1 + x2)).
--   rate_ratio 10,1000,5,2000,0.95 1.245719108698715 14.914591821714975
--   rate_ratio 3,500,12,800,0.9 0.09643713732043194 1.2560434639179772
--   rate_ratio 0,100,4,100,0.95 0.0 1.5148668593658703
WITH ref(x1, e1, x2, e2, level, lo, hi) AS (VALUES
    (10, 1000, 5, 2000, 0.95, 1.245719108698715, 14.914591821714975),
    (3, 500, 12, 800, 0.90, 0.09643713732043194, 1.2560434639179772),
    (0, 100, 4, 100, 0.95, 0.0, 1.5148668593658703))
SELECT x1, x2, pg_temp.close(rate_ratio_lower(x1, e1, x2, e2, level), lo) AS lower_ok,
       pg_temp.close(rate_ratio_upper(x1, e1, x2, e2, level), hi) AS upper_ok
  FROM ref ORDER BY x1;
-- No event at all: no information (NULL); no event in the second rate: unbounded.
SELECT rate_ratio_lower(0, 100, 0, 100) IS NULL AS no_events_null,
       rate_ratio_upper(3, 100, 0, 100) AS unbounded, rate_ratio_lower(3, 0, 1, 100) IS NULL AS no_exposure_null;

-- ---- significance ----------------------------------------------------------
--   p_upper k=10 mu=3 0.0011024881301154815;  k=0 mu=3 1.0;  k=1 mu=0.5 0.3934693402873665
--   p_upper k=50 mu=10 1.8547268838698457e-19;  k=200 mu=100 9.343150072988544e-19
--   p_upper k=130 mu=100 0.0022820930543169544
--   p_lower k=0 mu=3 0.04978706836786395;  k=2 mu=10 0.0027693957155115775;  k=80 mu=100 0.022649176642255638
-- The far-tail values are compared relatively (1e-9 of 1e-19), not absolutely.
WITH ref(k, mu, pv) AS (VALUES (10, 3, 0.0011024881301154815), (0, 3, 1.0), (1, 0.5, 0.3934693402873665),
                              (50, 10, 1.8547268838698457e-19), (200, 100, 9.343150072988544e-19),
                              (130, 100, 0.0022820930543169544))
SELECT k, mu, abs(poisson_p_upper(k, mu) - pv) <= 1e-9 * pv AS p_upper_ok FROM ref ORDER BY k, mu;
WITH ref(k, mu, pv) AS (VALUES (0, 3, 0.04978706836786395), (2, 10, 0.0027693957155115775), (80, 100, 0.022649176642255638))
SELECT k, mu, abs(poisson_p_lower(k, mu) - pv) <= 1e-9 * pv AS p_lower_ok FROM ref ORDER BY k;
-- Expected 0: any event is certain not to come from it (P(X >= 1) = 0).
SELECT poisson_p_upper(0, 0) AS p0, poisson_p_upper(1, 0) AS p1;
-- The rule: P(X >= 10 | 3) = 0.0011 < 0.05 (excess) but expected 3 < 5 is grey;
-- 130 against 100: p = 0.00228: excess at 0.05 and 0.01, not at 0.001;
-- 110 against 100: p = 0.17 (no excess).
SELECT excess_state(10, 3) AS small_unit, excess_state(10, 3, 0.05, 3) AS min_3,
       excess_state(130, 100) AS p_0023, excess_state(130, 100, 0.001) AS at_0001,
       excess_state(110, 100) AS p_017, excess_state(0, 0, 0.05, 0) AS nothing_expected;

-- ---- empirical Bayes (Marshall 1991) ----------------------------------------
CREATE TABLE eb_units (parent text, events int, residents int);
INSERT INTO eb_units VALUES ('A', 2, 1000), ('A', 9, 3000), ('A', 0, 400), ('A', 30, 6000),
                            ('B', 1, 250), ('B', 14, 2000), ('B', 5, 1500),
                            ('B', NULL, 900), ('B', 3, 0);   -- missing and no residents: left out
--   eb global prior mean per 10000 43.109540636042404;  prior variance 46.09039110656057
SELECT s, pg_temp.close(eb_prior_mean(s), 43.109540636042404) AS mean_ok,
       pg_temp.close(eb_prior_variance(s), 46.09039110656057) AS variance_ok, eb_units(s), eb_missing(s)
  FROM (SELECT eb_agg(events, residents) s FROM eb_units) x;
-- Global smoothing, each unit against every unit:
--   A,2,1000 0.09658793566618977 40.877437811813145;  A,9,3000 0.24285087719298223 39.925877192982455
--   A,0,400 0.041011928790196196 41.34153522529897;   A,30,6000 0.39079648516074367 45.80230793661997
--   B,1,250 0.026032826656260406 43.028590503683716;  B,14,2000 0.17616085773825604 47.8465870225729
--   B,5,1500 0.13820732346554163 41.7583971910907
WITH ref(parent, events, residents, w, r) AS (VALUES
    ('A', 2, 1000, 0.09658793566618977, 40.877437811813145), ('A', 9, 3000, 0.24285087719298223, 39.925877192982455),
    ('A', 0, 400, 0.041011928790196196, 41.34153522529897), ('A', 30, 6000, 0.39079648516074367, 45.80230793661997),
    ('B', 1, 250, 0.026032826656260406, 43.028590503683716), ('B', 14, 2000, 0.17616085773825604, 47.8465870225729),
    ('B', 5, 1500, 0.13820732346554163, 41.7583971910907)),
g AS (SELECT eb_agg(events, residents) s FROM eb_units)
SELECT ref.parent, ref.events, ref.residents, round(rate(ref.events, ref.residents)::numeric, 3) AS raw_rate,
       pg_temp.close(eb_weight(ref.residents, s), w) AS weight_ok, pg_temp.close(eb_rate(ref.events, ref.residents, s), r) AS eb_ok
  FROM ref, g ORDER BY 1, 3;
-- Local smoothing over siblings: the same aggregate as a window function per parent.
--   eb local A prior mean, variance 39.42307692307692 34.578402366863905
--   A,2,1000 37.85683484260457; A,9,3000 37.46008169327887; A,0,400 38.086822548486495; A,30,6000 43.0700676090965
--   eb local B prior mean, variance 53.33333333333333 0.0  (the spread of B is all Poisson noise:
--   every unit gets the prior mean, weight 0)
WITH ref(parent, events, residents, r) AS (VALUES
    ('A', 2, 1000, 37.85683484260457), ('A', 9, 3000, 37.46008169327887), ('A', 0, 400, 38.086822548486495),
    ('A', 30, 6000, 43.0700676090965), ('B', 1, 250, 53.33333333333333), ('B', 14, 2000, 53.33333333333333),
    ('B', 5, 1500, 53.33333333333333)),
w AS (SELECT parent, events, residents, eb_agg(events, residents) OVER (PARTITION BY parent) s FROM eb_units)
SELECT w.parent, w.residents, pg_temp.close(eb_rate(w.events, w.residents, w.s), ref.r) AS local_eb_ok,
       eb_weight(w.residents, w.s) = 0 AS full_shrinkage
  FROM w JOIN ref USING (parent, events, residents) ORDER BY 1, 2;
-- GROUP BY parent gives the same summaries; rollup of them equals the global one (combine = one pass).
SELECT parent, pg_temp.close(eb_prior_mean(s), CASE parent WHEN 'A' THEN 39.42307692307692 ELSE 53.33333333333333 END) AS mean_ok,
       pg_temp.close(eb_prior_variance(s), CASE parent WHEN 'A' THEN 34.578402366863905 ELSE 0 END) AS variance_ok
  FROM (SELECT parent, eb_agg(events, residents) s FROM eb_units GROUP BY parent) x ORDER BY parent;
SELECT pg_temp.close(eb_prior_mean(r), eb_prior_mean(g)) AND pg_temp.close(eb_prior_variance(r), eb_prior_variance(g)) AS rollup_equals_one_pass,
       eb_units(r) = eb_units(g) AND eb_missing(r) = eb_missing(g) AS counts_equal
  FROM (SELECT rollup(s) r FROM (SELECT eb_agg(events, residents) s FROM eb_units GROUP BY parent) x) a,
       (SELECT eb_agg(events, residents) g FROM eb_units) b;
-- Empty group: NULL prior and rates.
SELECT s, eb_prior_mean(s) IS NULL AS mean_null, eb_rate(1, 100, s) IS NULL AS rate_null
  FROM (SELECT eb_agg(events, residents) s FROM eb_units WHERE false) x;

-- ---- funnel plots ----------------------------------------------------------
--   funnel 1,10,0.95,1 0.3775187947688402 1.615995067334478
--   funnel 1,10,0.998,1 0.12205293158961346 2.066200083599499
--   funnel 1,0.5,0.95,1 0.0 3.720051822921999
--   funnel 4,3000,0.95,10000 0.0 11.123225295838495
--   funnel 4,3000,0.998,10000 0.0 18.001547882756995
--   funnel 1,400,0.998,1 0.8478406094418405 1.1568022272753884
WITH ref(target, exposure, level, per, lo, hi) AS (VALUES
    (1, 10, 0.95, 1, 0.3775187947688402, 1.615995067334478), (1, 10, 0.998, 1, 0.12205293158961346, 2.066200083599499),
    (1, 0.5, 0.95, 1, 0.0, 3.720051822921999), (4, 3000, 0.95, 10000, 0.0, 11.123225295838495),
    (4, 3000, 0.998, 10000, 0.0, 18.001547882756995), (1, 400, 0.998, 1, 0.8478406094418405, 1.1568022272753884))
SELECT target, exposure, level, pg_temp.close(funnel_lower(target, exposure, level, per), lo) AS lower_ok,
       pg_temp.close(funnel_upper(target, exposure, level, per), hi) AS upper_ok
  FROM ref ORDER BY target, exposure, level;
-- Positions, O/E at E = 10 (95%: 0.3775 .. 1.6160): 17 above, 3 below, 10 and 16 inside;
-- against a target of 4 per 10,000 among 3,000 residents (95%: 0 .. 11.12 per 10,000), 4 events
-- (13.3 per 10,000) are above, 3 events (10 per 10,000) inside.
SELECT funnel_position(17, 1, 10) AS o17, funnel_position(3, 1, 10) AS o3, funnel_position(10, 1, 10) AS o10,
       funnel_position(16, 1, 10) AS o16, funnel_position(4, 4, 3000, 0.95, 10000) AS rate_13_3,
       funnel_position(3, 4, 3000, 0.95, 10000) AS rate_10, funnel_position(1, 1, 0) IS NULL AS no_expected_null;
-- Overdispersion over ten units (reference.py):
--   funnel phi tau2 winsor=0.1 4.478166764237095 0.5933184685597224
--   funnel phi tau2 winsor=0.0 4.775833333333334 0.6426764455782314
--   funnel phi tau2 winsor=0.2 3.1171206146157564 0.367634795790878
CREATE TABLE funnel_units (grp int, o int, e float8);
INSERT INTO funnel_units VALUES (1, 3, 2.0), (1, 9, 4.0), (2, 0, 1.5), (2, 25, 12.0), (1, 7, 8.0), (2, 2, 6.0),
                                (1, 14, 5.0), (2, 30, 20.0), (1, 1, 3.0), (2, 11, 10.0), (2, NULL, 3), (1, 4, 0);
SELECT funnel_units(f), funnel_missing(f),
       pg_temp.close(funnel_phi(f), 4.478166764237095) AS phi_ok, pg_temp.close(funnel_tau2(f), 0.5933184685597224) AS tau2_ok,
       pg_temp.close(funnel_phi(f, 0), 4.775833333333334) AS phi0_ok, pg_temp.close(funnel_tau2(f, 0), 0.6426764455782314) AS tau20_ok,
       pg_temp.close(funnel_phi(f, 0.2), 3.1171206146157564) AS phi2_ok, pg_temp.close(funnel_tau2(f, 0.2), 0.367634795790878) AS tau22_ok
  FROM (SELECT funnel_agg(o, e) f FROM funnel_units) x;
-- The order of rows and combining two groups does not change phi (sorted first):
SELECT funnel_phi(a) = funnel_phi(b) AND funnel_tau2(a) = funnel_tau2(b) AS order_free,
       funnel_phi(c) = funnel_phi(a) AND funnel_units(c) = 10 AND funnel_missing(c) = 2 AS combine_equals_one_pass
  FROM (SELECT funnel_agg(o, e ORDER BY o) a, funnel_agg(o, e ORDER BY e DESC) b FROM funnel_units) x,
       (SELECT rollup_f c FROM (SELECT funnelset_combine(g1, g2) rollup_f
                                  FROM (SELECT funnel_agg(o, e) g1 FROM funnel_units WHERE grp = 1) p,
                                       (SELECT funnel_agg(o, e) g2 FROM funnel_units WHERE grp = 2) q) r) y;
--   funnel re limits E=2.0 (95%) 0.0 3.0493749961577405;  E=20.0 0.0 2.572030981108255
--   funnel z of (9, 4) 2.5
SELECT pg_temp.close(funnel_re_upper(1, 2, 0.5933184685597224), 3.0493749961577405) AS re_upper_2,
       funnel_re_lower(1, 2, 0.5933184685597224) AS re_lower_2,
       pg_temp.close(funnel_re_upper(1, 20, 0.5933184685597224), 2.572030981108255) AS re_upper_20,
       funnel_z(9, 4) AS z, funnel_re_position(14, 1, 5, 0.5933184685597224) AS re_14_of_5,
       funnel_position(14, 1, 5) AS exact_14_of_5;
-- With tau2 = 0 the random-effects limits are the normal approximation 1 +- 1.96 / sqrt(E):
-- E = 100: 1 + 1.959963984540054 * 0.1 = 1.1959963984540054.
SELECT pg_temp.close(funnel_re_upper(1, 100, 0), 1.1959963984540054) AS normal_limit;
-- Empty group: phi and tau2 NULL.
SELECT funnel_phi(f) IS NULL AS phi_null, funnel_tau2(f) IS NULL AS tau2_null, f
  FROM (SELECT funnel_agg(o, e) f FROM funnel_units WHERE false) x;

-- ---- rank intervals --------------------------------------------------------
-- Six units, Jeffreys gamma draws; reference.py (numpy's generator, 20,000 draws):
--   unit 1 (2/1000) 1..4;  unit 2 (5/1000) 3..5;  unit 3 (9/1000) 4..5;  unit 4 (30/1000) 6..6;
--   unit 5 (0/800) 1..3;   unit 6 (12/6000) 2..3
-- 2,000 draws of safeidx's own generator must agree within one rank of each bound;
-- the observed ranks (ties share the lowest: units 1 and 6 both have rate 0.002) exactly.
WITH ref(unit, rk, lo, hi) AS (VALUES (1, 2, 1, 4), (2, 4, 3, 5), (3, 5, 4, 5), (4, 6, 6, 6), (5, 1, 1, 3), (6, 2, 2, 3))
SELECT r.unit, r.rate, r.rank, r.rank = ref.rk AS rank_ok,
       abs(r.rank_lower - ref.lo) <= 1 AS lower_ok, abs(r.rank_upper - ref.hi) <= 1 AS upper_ok
  FROM rank_interval('{2,5,9,30,0,12}', '{1000,1000,1000,1000,800,6000}', draws => 2000, seed => 7) r
  JOIN ref USING (unit) ORDER BY unit;
-- The same seed gives the same intervals; the Poisson bootstrap keeps a unit with 0
-- events at rate 0 in every draw.  Units far apart have exact ranks; NULLs and no
-- exposure take no part (rank NULL); descending ranks the highest first.
SELECT (SELECT array_agg(array[rank_lower, rank_upper] ORDER BY unit) FROM rank_interval('{2,5,9,30,0,12}', '{1000,1000,1000,1000,800,6000}', draws => 500, seed => 99))
     = (SELECT array_agg(array[rank_lower, rank_upper] ORDER BY unit) FROM rank_interval('{2,5,9,30,0,12}', '{1000,1000,1000,1000,800,6000}', draws => 500, seed => 99)) AS same_seed_same_result;
SELECT * FROM rank_interval('{0,100,10000,NULL,4}', '{1000,1000,1000,1000,0}', method => 'poisson', draws => 300, seed => 3);
SELECT unit, rank, rank_lower, rank_upper FROM rank_interval('{1,100,10000}', '{1000,1000,1000}', descending => true, draws => 100);
SELECT count(*) AS no_units FROM rank_interval('{}', '{}');

-- ---- EARS C1, C2, C3 -------------------------------------------------------
-- Series 2 1 3 2 0 1 2 3 1 2 2 9 12 4 2 1; reference.py (C1 from period 8, C2 from 10, C3 from 12):
--   C1 period 12: mean 1.5714285714285714 sd 0.9759000729485332 C1 7.612020568998559 threshold 4.499128790274171 alarm
--   C1 period 13: 2.857142857142857 2.7945525240230875 3.2716712476367853 11.24080042921212 alarm
--   C2 period 12: 1.7142857142857142 1.1126972805283735 6.547795535416968 alarm;  period 13: 10.68610579878644 alarm
--   C3 periods 12-16: 5.547795535416968 15.233901334203408 16.722446520222167 11.174650984805199 1.4885451860187597
--   alarms C1: 12, 13;  C2: 12, 13;  C3: 12, 13, 14, 15
SELECT 'C1' AS method, period, observed, alarm, run_start FROM ears_c1('{2,1,3,2,0,1,2,3,1,2,2,9,12,4,2,1}') WHERE period >= 11
UNION ALL
SELECT 'C2', period, observed, alarm, run_start FROM ears_c2('{2,1,3,2,0,1,2,3,1,2,2,9,12,4,2,1}') WHERE period >= 11
UNION ALL
SELECT 'C3', period, observed, alarm, run_start FROM ears_c3('{2,1,3,2,0,1,2,3,1,2,2,9,12,4,2,1}') WHERE period >= 11
ORDER BY 1, 2;
SELECT pg_temp.close(expected, 1.5714285714285714) AND pg_temp.close(sd, 0.9759000729485332)
       AND pg_temp.close(statistic, 7.612020568998559) AND pg_temp.close(threshold, 4.499128790274171) AS c1_period_12_ok
  FROM ears_c1('{2,1,3,2,0,1,2,3,1,2,2,9,12,4,2,1}') WHERE period = 12;
SELECT pg_temp.close(statistic, 3.2716712476367853) AND pg_temp.close(threshold, 11.24080042921212) AS c1_period_13_ok
  FROM ears_c1('{2,1,3,2,0,1,2,3,1,2,2,9,12,4,2,1}') WHERE period = 13;
SELECT bool_and(pg_temp.close(statistic, ref)) AS c2_ok
  FROM ears_c2('{2,1,3,2,0,1,2,3,1,2,2,9,12,4,2,1}') JOIN (VALUES (12, 6.547795535416968), (13, 10.68610579878644)) v(period, ref) USING (period);
SELECT bool_and(pg_temp.close(statistic, ref)) AS c3_ok
  FROM ears_c3('{2,1,3,2,0,1,2,3,1,2,2,9,12,4,2,1}')
  JOIN (VALUES (12, 5.547795535416968), (13, 15.233901334203408), (14, 16.722446520222167),
               (15, 11.174650984805199), (16, 1.4885451860187597)) v(period, ref) USING (period);
-- Too short a history, and a NULL inside the baseline: no statistic (insufficient data), never 0.
SELECT period, expected, statistic, alarm FROM ears_c1('{1,2,NULL,1,0,1,2,1,2,1,3}') WHERE period >= 8;
-- A constant baseline: the sd is floored at min_sd (0.5): 2 events over a baseline of 0 is 4 > 3.
SELECT period, sd, statistic, alarm FROM ears_c1('{0,0,0,0,0,0,0,2}') WHERE period = 8;

-- ---- Poisson CUSUM ---------------------------------------------------------
-- Same series, mu0 per period 2 1.5 2.5 2 1 1.5 2 2.5 1.5 2 2 2 2.5 2 2 1.5, ratio 2, h 4:
--   k = mu0 / ln 2; S = 0 through period 11; period 12: 6.114609918222073 alarm (restart);
--   13: 8.39326239777759 alarm; 14: 1.1146099182220732; 15: 0.22921983644414645; 16: 0
-- with FIR (start and restart at h/2 = 2): 1: 1.1146099182220732, 12: 6.114609918222073 alarm,
--   13: 10.39326239777759 alarm, 14: 3.1146099182220732, 15: 2.2292198364441465, 16: 1.0651772751107011
WITH ref(period, s, s_fir) AS (VALUES (1, 0, 1.1146099182220732), (11, 0, 0), (12, 6.114609918222073, 6.114609918222073),
                                     (13, 8.39326239777759, 10.39326239777759), (14, 1.1146099182220732, 3.1146099182220732),
                                     (15, 0.22921983644414645, 2.2292198364441465), (16, 0, 1.0651772751107011)),
c AS (SELECT * FROM poisson_cusum('{2,1,3,2,0,1,2,3,1,2,2,9,12,4,2,1}', '{2,1.5,2.5,2,1,1.5,2,2.5,1.5,2,2,2,2.5,2,2,1.5}', 2, 4)),
f AS (SELECT * FROM poisson_cusum('{2,1,3,2,0,1,2,3,1,2,2,9,12,4,2,1}', '{2,1.5,2.5,2,1,1.5,2,2.5,1.5,2,2,2,2.5,2,2,1.5}', 2, 4, true))
SELECT period, pg_temp.close(c.statistic, ref.s) AS s_ok, c.alarm, c.run_start,
       pg_temp.close(f.statistic, ref.s_fir) AS fir_ok, f.alarm AS fir_alarm
  FROM ref JOIN c USING (period) JOIN f USING (period) ORDER BY period;
SELECT pg_temp.close(reference, 2.8853900817779268) AS k_is_2_over_ln2 FROM poisson_cusum('{1}', array_fill(2.0::float8, ARRAY[1]));
-- A NULL count or expected count: no statistic, S carried over.
SELECT period, observed, expected, statistic, alarm FROM poisson_cusum('{3,NULL,3,3}', '{1,1,NULL,1}', 2, 10);

-- ---- seasonal baseline -----------------------------------------------------
-- Series 3 5 2 4 4 6 3 3 2 7 3 5 5 6 14 4 3 5 2 6, season 4, 3 years back, window 1, level 0.99:
--   period 6: mu 3.3333333333333335 phi 1 n 3 U 9.29317575020973;  period 15: mu 4.222222222222222 n 9
--   U 10.159056436861693 alarm (14 > U);  period 18: mu 5.555555555555555 phi 2.3 U 16.32873145959381;
--   period 20: 4.666666666666667 phi 2.8392857142857135 U 16.014874423568475; only period 15 alarms
WITH ref(period, mu, phi, n, u) AS (VALUES (6, 3.3333333333333335, 1.0, 3, 9.29317575020973),
                                          (15, 4.222222222222222, 1.0, 9, 10.159056436861693),
                                          (18, 5.555555555555555, 2.3, 9, 16.32873145959381),
                                          (20, 4.666666666666667, 2.8392857142857135, 9, 16.014874423568475))
SELECT period, pg_temp.close(expected, mu) AS mu_ok, pg_temp.close(s.phi, ref.phi) AS phi_ok, baseline_n = n AS n_ok,
       pg_temp.close(threshold, u) AS threshold_ok, alarm
  FROM seasonal_baseline('{3,5,2,4,4,6,3,3,2,7,3,5,5,6,14,4,3,5,2,6}', 4, 3, 1) s JOIN ref USING (period) ORDER BY period;
SELECT array_agg(period ORDER BY period) FILTER (WHERE alarm) AS alarms,
       array_agg(period ORDER BY period) FILTER (WHERE expected IS NULL) AS too_little_history
  FROM seasonal_baseline('{3,5,2,4,4,6,3,3,2,7,3,5,5,6,14,4,3,5,2,6}', 4, 3, 1);

-- ---- error paths -----------------------------------------------------------
SELECT poisson_count_lower(-1);
SELECT poisson_count_upper(2.5);
SELECT poisson_count_upper('NaN');
SELECT poisson_count_upper(3, 1.5);
SELECT poisson_count_upper(3, 0.95, 'wald');
SELECT poisson_rate_upper(3, -10);
SELECT oe_ratio_upper(3, 'Infinity');
SELECT rate_ratio_upper(1, 10, 2, 10, 0);
SELECT poisson_p_upper(3, -1);
SELECT excess_state(3, 2, 1.0, 1);
SELECT eb_agg(e, n) FROM (VALUES (1, 10), (-1, 10)) v(e, n);
SELECT eb_rate(1, 10, '(v1,units=0,missing=0,events=0,exposure=0,mean=0,m2=0)', 0);
SELECT '(v1,units=0,missing=0,events=3,exposure=0,mean=0,m2=0)'::ebsum;
SELECT '(v1,units=1,missing=0,events=3,exposure=0,mean=0,m2=0)'::ebsum;
SELECT '(v2,units=0,missing=0,events=0,exposure=0,mean=0,m2=0)'::ebsum;
SELECT '(v1,units=1,missing=0,events=3,exposure=10,mean=NaN,m2=0)'::ebsum;
SELECT funnel_upper(1, 10, 0.95, 0);
SELECT funnel_upper(-1, 10);
SELECT funnel_phi('(v1,missing=0,n=1,observed=1,expected=2)', 0.5);
SELECT '(v1,missing=0,n=2,observed=1,expected=2)'::funnelset;
SELECT '(v1,missing=0,n=1,observed=1,expected=0)'::funnelset;
SELECT '(v1,missing=0,n=1,observed=-1,expected=2)'::funnelset;
SELECT '(v1,missing=0,n=1,observed=1,expected=2) x'::funnelset;
SELECT '(v9,missing=0,n=0,observed=,expected=)'::funnelset;
SELECT funnel_agg(o, e) FROM (VALUES (1, 'NaN'::float8)) v(o, e);
SELECT * FROM rank_interval('{1,2}', '{10}');
SELECT * FROM rank_interval('{1,2}', '{10,10}', 0.9, 0.1);
SELECT * FROM rank_interval('{1,2}', '{10,10}', draws => 0);
SELECT * FROM rank_interval('{1,2}', '{10,10}', method => 'normal');
SELECT * FROM rank_interval('{1.5,2}', '{10,10}');
SELECT * FROM rank_interval('{{1,2}}', '{{10,10}}');
SELECT * FROM ears_c1('{1,-2,3}');
SELECT * FROM ears_c1('{1,2,3}', 3, 0);
SELECT * FROM ears_c2('{1,NaN,3}');
SELECT * FROM poisson_cusum('{1,2}', '{1}');
SELECT * FROM poisson_cusum('{1,2}', '{1,1}', 1.0);
SELECT * FROM poisson_cusum('{1,2}', '{1,1}', 2, 0);
SELECT * FROM seasonal_baseline('{1,2}', 4, 3, 2);
SELECT * FROM seasonal_baseline('{1,2}', 4, 3, 1, 1.0);
-- Empty series: no rows, no error.
SELECT (SELECT count(*) FROM ears_c3('{}')) + (SELECT count(*) FROM poisson_cusum('{}', '{}'))
     + (SELECT count(*) FROM seasonal_baseline('{}')) AS rows_of_empty_series;

-- ---- text and binary round trips of ebsum and funnelset ----------------------
CREATE TABLE stat_summaries (e ebsum, f funnelset);
INSERT INTO stat_summaries
SELECT eb_agg(events, residents), (SELECT funnel_agg(o, e) FROM funnel_units) FROM eb_units
UNION ALL SELECT '(v1,units=0,missing=0,events=0,exposure=0,mean=0,m2=0)', '(v1,missing=0,n=0,observed=,expected=)'
UNION ALL SELECT '(v1,units=1,missing=2,events=3,exposure=1e-310,mean=1e300,m2=0)', '(v1,missing=5,n=1,observed=0,expected=5e-324)';
SELECT e::text::ebsum::text = e::text AS ebsum_text_round_trip, f::text::funnelset::text = f::text AS funnelset_text_round_trip
  FROM stat_summaries;
\copy stat_summaries TO 'results/stat_summaries.bin' WITH (FORMAT binary)
CREATE TABLE stat_summaries_back (LIKE stat_summaries);
\copy stat_summaries_back FROM 'results/stat_summaries.bin' WITH (FORMAT binary)
SELECT (SELECT array_agg(e::text || f::text ORDER BY e::text || f::text) FROM stat_summaries)
     = (SELECT array_agg(e::text || f::text ORDER BY e::text || f::text) FROM stat_summaries_back) AS binary_round_trip;
-- Parallel aggregation (combine functions) gives the one-pass summaries.
CREATE TABLE stat_many AS
SELECT g % 7 AS grp, (g * 7919 % 13)::float8 AS events, (100 + g * 104729 % 900)::float8 AS residents
  FROM generate_series(1, 20000) g;
ANALYZE stat_many;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TEMP TABLE par AS SELECT eb_agg(events, residents)::text AS e, funnel_phi(funnel_agg(events, residents / 100)) AS phi FROM stat_many;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser AS SELECT eb_agg(events, residents)::text AS e, funnel_phi(funnel_agg(events, residents / 100)) AS phi FROM stat_many;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
-- funnel phi is the same to the bit (sorted first); the ebsum sums of integers are exact,
-- its Welford mean and m2 agree to 1e-12 (the order of a parallel plan's partial sums differs).
SELECT par.phi = ser.phi AS phi_equal,
       pg_temp.close(eb_prior_mean(par.e::ebsum), eb_prior_mean(ser.e::ebsum)) AS prior_mean_equal,
       abs(eb_prior_variance(par.e::ebsum) - eb_prior_variance(ser.e::ebsum)) <= 1e-12 * eb_prior_variance(ser.e::ebsum) AS prior_variance_equal
  FROM par, ser;

DROP TABLE eb_units, funnel_units, stat_summaries, stat_summaries_back, stat_many;
