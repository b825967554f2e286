-- Every refusal carries the SQLSTATE an application can act on.
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh);
-- of it, this file uses only the extensions pgtap and safeidx.
BEGIN;
SELECT plan(18);
SET LOCAL search_path = safeidx, public;

-- 22023 invalid_parameter_value: a value no indicator can take.
SELECT throws_ok('SELECT rate(-1, 10)', '22023', NULL, 'negative count');
SELECT throws_ok('SELECT rate(1, ''NaN'')', '22023', NULL, 'NaN residents');
SELECT throws_ok('SELECT rate(1, 10, 0)', '22023', NULL, 'zero rate base');
SELECT throws_ok('SELECT rate_upper(rate_agg(1.5, 10))', '22023', NULL, 'fractional count has no Poisson interval');
SELECT throws_ok('SELECT rate_lower(rate_agg(1, 10), 1.5)', '22023', NULL, 'confidence level above 1');
SELECT throws_ok('SELECT score_ratio_band(1, 1, 1, middle => ''x'')', '22023', NULL, 'unknown middle scoring');
SELECT throws_ok('SELECT score_goalposts(1, 5, 5)', '22023', NULL, 'empty goalposts');
SELECT throws_ok('SELECT geometric_mean(index_agg(-1, 1))', '22023', NULL, 'negative score in geometric mean');
SELECT throws_ok('SELECT grade_level(1, ''{1,2}'')', '22023', NULL, 'unordered cut points');
-- 22003 numeric_value_out_of_range: a result beyond double precision.
SELECT throws_ok('SELECT rate(1e300, 1e-300)', '22003', NULL, 'rate overflow');
SELECT throws_ok('SELECT rate_agg(e, 1) FROM (VALUES (1e308), (1e308)) v(e)', '22003', NULL, 'sum overflow');
-- 22004 null_value_not_allowed: a weight or cut point that is missing.
SELECT throws_ok('SELECT index_agg(1, NULL::float8)', '22004', NULL, 'NULL weight');
SELECT throws_ok('SELECT grade_level(1, ''{2,NULL}'')', '22004', NULL, 'NULL cut point');
-- 22P02 invalid_text_representation and unsupported versions.
SELECT throws_ok('SELECT ''(v1,events=x)''::ratesum', '22P02', NULL, 'malformed summary text');
SELECT throws_ok('SELECT ''(v2,events=1,exposure=1,units=1,missing=0)''::ratesum', '22023', NULL, 'future format version');
-- 42704 undefined_object: an unknown grade scale.
SELECT throws_ok('SELECT grade(50, ''atlantis'')', '42704', NULL, 'unknown grade scale');
-- 42501 insufficient_privilege: built-in rows are read-only.
SELECT throws_ok('DELETE FROM grade_band WHERE scale = ''wuchang''', '42501', NULL, 'built-in scale is read-only');
-- 23514 check_violation: a colour that is not #RRGGBB.
SELECT throws_ok($$INSERT INTO grade_scale VALUES ('c', 'c'); INSERT INTO grade_band VALUES ('c', 1, NULL, 'x', 'x', 'blue')$$,
                 '23514', NULL, 'colour must be #RRGGBB');

SELECT * FROM finish();
ROLLBACK;
