-- local_period(at, period, zone): the start of the local period holding a
-- timestamptz, in C, against PostgreSQL's own date_trunc(period, at AT TIME
-- ZONE zone)::date (an independent computation: PostgreSQL's time zone
-- code and date_trunc).
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\o
\set ECHO all
SET search_path = safeidx, public;

-- By hand: 2025-01-31 16:30 UTC is 00:30 on 1 February in Shanghai (UTC+8),
-- so February there; 2025-03-31 23:59:59 UTC is 1 April 07:59:59 there, the
-- second quarter; 2024-12-31 16:00 UTC is midnight of 2025-01-01 there, the
-- year 2025.  In New York (UTC-5 in winter) the first is still 31 January.
SELECT local_period('2025-01-31 16:30+00', 'month', 'Asia/Shanghai') AS feb_in_shanghai,
       local_period('2025-01-31 16:30+00', 'day', 'America/New_York') AS jan31_in_new_york,
       local_period('2025-03-31 23:59:59+00', 'quarter', 'Asia/Shanghai') AS q2,
       local_period('2024-12-31 16:00+00', 'year', 'Asia/Shanghai') AS y2025;

-- Every hour of two years, in zones with and without daylight saving time
-- (New York, Sydney, Lord Howe's half hour, Kathmandu's +5:45, Shanghai, UTC)
-- and every period kind: equal to date_trunc(period, at AT TIME ZONE zone).
SELECT count(*) AS compared,
       count(*) FILTER (WHERE local_period(t, k, z) IS DISTINCT FROM date_trunc(k, t AT TIME ZONE z)::date) AS differing
  FROM generate_series(timestamptz '2024-01-01 00:00+00', '2025-12-31 23:00+00', interval '1 hour') t,
       unnest('{day,month,quarter,year}'::text[]) k,
       unnest('{America/New_York,Australia/Sydney,Australia/Lord_Howe,Asia/Kathmandu,Asia/Shanghai,UTC}'::text[]) z;
-- (17,544 hours x 4 kinds x 6 zones = 421,056)

-- Far dates and the infinities: the ides of March of the year 44 stay 15 March (UTC);
-- 9999-12-31 23:00 UTC is 07:00 on 1 January 10000 in Shanghai.
SELECT local_period('0044-03-15 12:00+00', 'day', 'UTC') AS ides,
       local_period('9999-12-31 23:00+00', 'year', 'Asia/Shanghai') AS last_year,
       local_period('infinity', 'month', 'UTC') AS pos_inf,
       local_period('-infinity', 'month', 'UTC') AS neg_inf;

-- Errors: an unknown period or zone (22023); NULL in, NULL out.
SELECT local_period(now(), 'week', 'UTC');
\echo :LAST_ERROR_SQLSTATE
SELECT local_period(now(), 'day', 'Mars/Olympus');
\echo :LAST_ERROR_SQLSTATE
SELECT local_period(NULL, 'day', 'UTC') IS NULL AS null_in_null_out;
