-- Text and binary form of the summary types, hostile input, and the
-- transition and combine functions called directly.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\o
\set ECHO all
SET search_path = safeidx, public;

-- Text round trip keeps every digit (shortest exact form).
SELECT '(v1,events=3,exposure=0.1,units=2,missing=1)'::ratesum;
SELECT ' (v1,events=1e3,exposure=12345.5,units=7,missing=0) '::ratesum AS spaces_and_exponents;
SELECT '(v1,n=3,min=-1.5,max=2,mean=0.25,m2=7.125)'::groupstats;
SELECT '(v1,scored=2,unscored=1,weight=3,weight_unscored=1,weighted_scores=-2.5,weighted_logs=-0.5,zeros=1,negatives=1)'::indexsum;
-- 0.1 + 0.2 in double precision is 0.30000000000000004; the text form must
-- keep it so that a dump and restore changes nothing.
SELECT rate_agg(e, 1) FROM (VALUES (0.1::float8), (0.2::float8)) v(e);

-- Hostile text input: each is refused with a clear message.
SELECT ''::ratesum;
SELECT 'garbage'::ratesum;
SELECT '(v1'::ratesum;
SELECT '(v0,events=1,exposure=1,units=1,missing=0)'::ratesum;
SELECT '(v99999999999,events=1,exposure=1,units=1,missing=0)'::ratesum;
SELECT '(v1,exposure=1,events=1,units=1,missing=0)'::ratesum;
SELECT '(v1,events=1,exposure=1,units=1,missing=0,extra=1)'::ratesum;
SELECT '(v1,events=1,exposure=1,units=1,missing=0)x'::ratesum;
SELECT '(v1,events=abc,exposure=1,units=1,missing=0)'::ratesum;
SELECT '(v1,events=1e999,exposure=1,units=1,missing=0)'::ratesum;
SELECT '(v1,events=nan,exposure=1,units=1,missing=0)'::ratesum;
SELECT '(v1,events=inf,exposure=1,units=1,missing=0)'::ratesum;
SELECT '(v1,events=1,exposure=-1,units=1,missing=0)'::ratesum;
SELECT '(v1,events=1,exposure=1,units=1.5,missing=0)'::ratesum;
SELECT '(v1,events=1,exposure=1,units=-1,missing=0)'::ratesum;
SELECT '(v1,events=1,exposure=1,units=99999999999999999999,missing=0)'::ratesum;
SELECT '(v1,events=5,exposure=1,units=0,missing=0)'::ratesum;
SELECT '(v1,n=0,min=1,max=1,mean=1,m2=0)'::groupstats;
SELECT '(v1,n=2,min=3,max=1,mean=2,m2=2)'::groupstats;
SELECT '(v1,n=2,min=1,max=3,mean=2,m2=-2)'::groupstats;
SELECT '(v1,scored=1,unscored=0,weight=1,weight_unscored=0,weighted_scores=1,weighted_logs=0,zeros=1,negatives=1)'::indexsum;
SELECT '(v1,scored=0,unscored=0,weight=2,weight_unscored=0,weighted_scores=0,weighted_logs=0,zeros=0,negatives=0)'::indexsum;

-- Binary round trip through COPY ... (FORMAT binary): what goes out comes back.
CREATE TABLE summaries (r ratesum, g groupstats, i indexsum);
INSERT INTO summaries VALUES
    ('(v1,events=12,exposure=21000.25,units=2,missing=1)',
     '(v1,n=4,min=2,max=6,mean=4,m2=8)',
     '(v1,scored=4,unscored=1,weight=85,weight_unscored=15,weighted_scores=66,weighted_logs=-24.6,zeros=0,negatives=0)'),
    ('(v1,events=0,exposure=0,units=0,missing=0)',
     '(v1,n=0,min=0,max=0,mean=0,m2=0)',
     '(v1,scored=0,unscored=0,weight=0,weight_unscored=0,weighted_scores=0,weighted_logs=0,zeros=0,negatives=0)');
\copy summaries TO 'results/summaries.bin' WITH (FORMAT binary)
CREATE TABLE summaries_back (LIKE summaries);
\copy summaries_back FROM 'results/summaries.bin' WITH (FORMAT binary)
SELECT (SELECT array_agg(s::text ORDER BY s::text) FROM summaries s)
     = (SELECT array_agg(s::text ORDER BY s::text) FROM summaries_back s) AS binary_round_trip;
-- A truncated binary file is refused.
\! head -c 40 results/summaries.bin > results/summaries_cut.bin
\copy summaries_back FROM 'results/summaries_cut.bin' WITH (FORMAT binary)

-- Summaries are storable and comparable as text (materialized views, dumps).
CREATE MATERIALIZED VIEW street_summary AS
    SELECT s, rate_agg(e, r) AS rs FROM (VALUES ('A', 1, 100), ('A', 2, 300), ('B', 0, 50)) v(s, e, r) GROUP BY s;
SELECT s, rs, rate(rs) FROM street_summary ORDER BY s;   -- A: 3 / 400 * 10000 = 75; B: 0

-- Transition and combine functions called directly with hostile input:
-- in the two non-strict transition functions a NULL state starts from zero, a NULL row is counted as missing, strict
-- combine functions return NULL for NULL, bad values are refused.
SELECT ratesum_add(NULL, 2, 10) AS from_null_state;
SELECT ratesum_add(NULL, NULL, NULL) AS all_null;
SELECT ratesum_add('(v1,events=1,exposure=1,units=1,missing=0)', -5, 10);
SELECT ratesum_add('(v1,events=1,exposure=1,units=1,missing=0)', 5, 'Infinity');
SELECT ratesum_combine(NULL, '(v1,events=1,exposure=1,units=1,missing=0)') IS NULL AS strict_combine;
SELECT ratesum_combine('(v1,events=1e308,exposure=1,units=1,missing=0)',
                       '(v1,events=1e308,exposure=1,units=1,missing=0)');
SELECT groupstats_add(NULL, 3) IS NULL AS strict_null_state;
SELECT groupstats_add('(v1,n=1,min=1,max=1,mean=1,m2=0)', 'NaN');
SELECT groupstats_combine('(v1,n=1,min=1e308,max=1e308,mean=1e308,m2=0)',
                          '(v1,n=1,min=-1e308,max=-1e308,mean=-1e308,m2=0)');
SELECT indexsum_add(NULL, NULL, 2) AS unscored_from_null_state;
SELECT indexsum_add(NULL, 1, NULL);
SELECT indexsum_add(NULL, 1e308, 10);
-- Direct calls do not change their input (they copy it).
WITH x AS (SELECT '(v1,events=1,exposure=1,units=1,missing=0)'::ratesum AS s)
SELECT ratesum_add(s, 1, 1) AS added, s AS unchanged FROM x;
