-- Scoring rules for one indicator value.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET extra_float_digits = 0;

-- Ratio bands, the Wuchang rule, negative indicator (incidents), 20 points,
-- bands < 0.8 / [0.8, 1.2] / > 1.2, step scoring (half the points) inside:
--   value 6, baseline 10: ratio 0.6 -> 20
--   value 8, baseline 10: ratio 0.8 (edge belongs to the middle) -> 10
--   value 10: ratio 1.0 -> 10;  12: ratio 1.2 (edge) -> 10;  12.5: 1.25 -> 0
SELECT v, score_ratio_band(v, 10, 20) AS points
  FROM (VALUES (6), (8), (10), (12), (12.5)) x(v) ORDER BY v;
-- Linear inside the middle band: points * (1.2 - r) / 0.4
--   r 0.8 -> 20;  r 1.0 -> 10;  r 1.1 -> 5;  r 1.2 -> 0
SELECT v, round(score_ratio_band(v, 10, 20, middle => 'linear')::numeric, 9) AS points
  FROM (VALUES (8), (10), (11), (12)) x(v) ORDER BY v;
-- Positive indicator (mediations, higher is better): r > 1.2 -> all points,
-- r < 0.8 -> none; linear middle: points * (r - 0.8) / 0.4, so r 1.1 -> 15.
SELECT v, score_ratio_band(v, 10, 20, higher_is_better => true) AS step,
       round(score_ratio_band(v, 10, 20, higher_is_better => true, middle => 'linear')::numeric, 9) AS linear
  FROM (VALUES (5), (8), (11), (13)) x(v) ORDER BY v;
-- Other bands and shares: bands 0.9 / 1.1, a step worth 30% of 10 points = 3.
SELECT score_ratio_band(1, 1, 10, 0.9, 1.1, false, 'step', 0.3) AS three;
-- Zero baseline: 0 against 0 is "as the baseline" (ratio 1, middle band,
-- 10 of 20); anything against 0 is above every band (negative: 0 points,
-- positive: all points).
SELECT score_ratio_band(0, 0, 20) AS zero_zero,
       score_ratio_band(3, 0, 20) AS rise_from_zero_negative,
       score_ratio_band(3, 0, 20, higher_is_better => true) AS rise_from_zero_positive;
-- Errors: unknown middle scoring, bands out of order, shares out of range,
-- negative or non-finite values.
SELECT score_ratio_band(1, 1, 20, middle => 'smooth');
SELECT score_ratio_band(1, 1, 20, 1.2, 0.8);
SELECT score_ratio_band(1, 1, 20, middle_share => 1.5);
SELECT score_ratio_band(-1, 1, 20);
SELECT score_ratio_band(1, 'NaN', 20);
SELECT score_ratio_band(1, 1, 'Infinity');

-- Goalposts.  UNDP life-expectancy index: (LE - 20) / (85 - 20);
-- LE 72.5 -> 52.5 / 65 = 0.807692308.  Education (expected years, max 18):
-- 13 / 18 = 0.722222222.  Above the top goalpost the score is capped at 1,
-- uncapped it is (90 - 20) / 65 = 1.076923077.
SELECT round(score_goalposts(72.5, 20, 85)::numeric, 9) AS life,
       round(score_goalposts(13, 0, 18)::numeric, 9) AS school,
       score_goalposts(90, 20, 85) AS capped,
       round(score_goalposts(90, 20, 85, capped => false)::numeric, 9) AS uncapped,
       score_goalposts(10, 20, 85) AS capped_below;
-- UNDP income index on logarithms: (ln 20000 - ln 100) / (ln 75000 - ln 100)
-- = ln 200 / ln 750 = 5.298317367 / 6.620073207 = 0.800341205.
SELECT round(score_goalposts(20000, 100, 75000, log_scale => true)::numeric, 9) AS income;
-- Negative indicator: 1 - (30 - 10) / (50 - 10) = 0.5.
SELECT score_goalposts(30, 10, 50, higher_is_better => false) AS reversed;
-- A value of 0 on a log scale has no logarithm: capped, it is below the
-- (positive) minimum and scores 0 (1 for a negative indicator); uncapped, it
-- cannot be scored (NULL).  Data never make a computation fail.
SELECT score_goalposts(0, 1, 10, log_scale => true) AS capped,
       score_goalposts(-5, 1, 10, higher_is_better => false, log_scale => true) AS capped_negative,
       score_goalposts(0, 1, 10, log_scale => true, capped => false) AS uncapped;
-- Errors: goalposts not increasing, NaN.
SELECT score_goalposts(5, 10, 10);
SELECT score_goalposts(5, 50, 10);
SELECT score_goalposts('NaN', 1, 10);

-- Distance to target: positive 45 of 60 = 0.75, beyond the target 1;
-- negative: 8 against a target of 10 -> 1, 16 -> 10/16 = 0.625;
-- a target of 0 is met only by 0.
SELECT score_target(45, 60) AS reached, score_target(75, 60) AS beyond,
       score_target(8, 10, false) AS under, score_target(16, 10, false) AS over,
       score_target(0, 0, false) AS zero_met, score_target(2, 0, false) AS zero_missed;
SELECT score_target(5, 0);
SELECT score_target(-5, 10);

-- Relative change (同比/环比): 120 from 100 = +0.2, 75 from 100 = -0.25,
-- -3 from -6 = +0.5 (over |earlier|).  From 0: 0 -> 0, 5 -> +1 (default),
-- -5 -> -1, and 5 with from_zero 2 -> 2.
SELECT change(120, 100) AS up, change(75, 100) AS down, change(-3, -6) AS neg_base,
       change(0, 0) AS zero_zero, change(5, 0) AS from_zero,
       change(-5, 0) AS from_zero_down, change(5, 0, 2) AS from_zero_custom;
SELECT change('Infinity', 1);
SELECT change(1, 'NaN');

-- The registry of scoring rules (scoring_rules.c): the rules, their
-- parameters and defaults, as documented in doc/reference.md.
SELECT rule, baseline, uses_group FROM scoring_rules() ORDER BY rule;
SELECT parameter, json_type, required, default_value FROM scoring_parameters('ratio_band');
SELECT parameter, json_type, required, default_value FROM scoring_parameters('goalposts');
SELECT parameter, json_type, required, default_value FROM scoring_parameters('target');
SELECT count(*) AS minmax_parameters FROM scoring_parameters('minmax');
SELECT * FROM scoring_parameters('nosuch');

-- A NULL band parameter takes the rule's default: 9 against 10 is a ratio
-- of 0.9, inside [0.8, 1.2], so the step share 0.5 of 20 points = 10.
SELECT score_ratio_band(9, 10, 20) AS defaults, score_ratio_band(9, 10, 20, lower => NULL, middle => NULL) AS nulls,
       score_ratio_band(NULL, 10, 20) AS no_value, score_ratio_band(9, 10, 20, higher_is_better => NULL) AS no_direction;
-- score_goalposts with capped NULL is capped (default): 90 of 20..85 -> 1.
SELECT score_goalposts(90, 20, 85, capped => NULL) AS capped_default;

-- The engine's entry point, score_indicator(rule, value, baseline,
-- higher_is_better, params, stats):
--   ratio_band 9 vs 10, step: 0.5; linear: (1.2 - 0.9) / 0.4 = 0.75;
--   without a baseline: NULL (unscored);
--   goalposts 75 of 50..100: 0.5;
--   target without target or baseline: NULL; 5 of a baseline 10: 0.5;
--     the parameter wins over the baseline: 5 of 20 = 0.25;
--   minmax 3 in the group {1, 3, 5}: (3 - 1) / (5 - 1) = 0.5.
SELECT score_indicator('ratio_band', 9, 10, false) AS step,
       score_indicator('ratio_band', 9, 10, false, '{"middle": "linear"}') AS linear,
       score_indicator('ratio_band', 9, NULL, false) AS no_baseline,
       score_indicator('goalposts', 75, NULL, true, '{"minimum": 50, "maximum": 100}') AS goalposts,
       score_indicator('target', 5, NULL, true) AS no_target,
       score_indicator('target', 5, 10, true) AS target_baseline,
       score_indicator('target', 5, 10, true, '{"target": 20}') AS target_param,
       (SELECT score_indicator('minmax', 3, NULL, true, '{}', group_stats(x)) FROM unnest('{1,3,5}'::float8[]) x) AS minmax;
-- Errors: an unknown rule, an unknown parameter, a parameter of the wrong
-- JSON type, a missing required parameter, a bad choice, minmax without its
-- group, no rule.
SELECT score_indicator('nosuch', 1, 1, true);
SELECT score_indicator('ratio_band', 1, 1, true, '{"lowr": 0.7}');
SELECT score_indicator('ratio_band', 1, 1, true, '{"lower": "0.7"}');
SELECT score_indicator('goalposts', 1, NULL, true, '{"minimum": 0}');
SELECT score_indicator('ratio_band', 1, 1, true, '{"middle": "curved"}');
SELECT score_indicator('minmax', 1, NULL, true);
SELECT score_indicator(NULL, 1, 1, true);

-- check_scoring() refuses at definition what could never score: parameters
-- out of range, a missing baseline.
SELECT check_scoring('ratio_band', '{"lower": 1.2, "upper": 0.8}', false, true);
SELECT check_scoring('ratio_band', '{"middle_share": 2}', false, true);
SELECT check_scoring('goalposts', '{"minimum": 0, "maximum": 10, "log_scale": true}', true, false);
SELECT check_scoring('target', '{"target": 0}', true, false);
SELECT check_scoring('ratio_band', '{}', false, false);
SELECT check_scoring('target', '{}', false, false);
SELECT check_scoring('ratio_band', '{"upper": 1.5}', false, true) AS fine;
