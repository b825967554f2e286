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

-- local_day_monotone(zone, from, to): whether the local date never goes back.
-- By hand (PostgreSQL's own AT TIME ZONE, below): St. John's set its clocks
-- back at 00:01 until 2010, from 7 November 00:01 to 6 November 23:01, so the
-- local date went back a day; Shanghai has had no clock change since 1991;
-- Sao Paulo's 2018 change set 00:00 back to 23:00 (just before it was 23:59:59
-- of the same day: the date does not go back); Berlin changes at 03:00.
SELECT t AT TIME ZONE 'UTC' AS utc, t AT TIME ZONE 'America/St_Johns' AS local_time
  FROM unnest(ARRAY[timestamptz '2010-11-07 02:30+00', '2010-11-07 02:45+00']) t;
SELECT local_day_monotone('America/St_Johns', '2010-01-01', '2010-12-31') AS st_johns_2010,
       local_day_monotone('America/St_Johns', '2012-01-01', '2012-12-31') AS st_johns_2012,
       local_day_monotone('Asia/Shanghai', '1992-01-01', '2030-01-01') AS shanghai,
       local_day_monotone('America/Sao_Paulo', '2018-01-01', '2018-12-31') AS sao_paulo_2018,
       local_day_monotone('Europe/Berlin', '1990-01-01', '2030-01-01') AS berlin,
       -- a day before and after the dates count: the change of 7 November 2010
       local_day_monotone('America/St_Johns', '2010-11-08', '2010-12-31') AS day_after;
-- Where it holds, the cell query converts the latest instant of a group once
-- (local_period(max(at))); where not, every row (max(local_period(at))).
-- Two rows across St. John's change: the later instant is on 6 November
-- locally, the earlier on 7 November, so November's last local day is the 7th.
CREATE TABLE public.report (at timestamptz, code text);
INSERT INTO public.report VALUES ('2010-11-07 02:30+00', 'a'), ('2010-11-07 02:45+00', 'a');
INSERT INTO source (source, relation, region_column, time_column) VALUES ('reports', 'public.report', 'code', 'at');
SELECT z, position('local_period(max(at)' IN q.sql) > 0 AS per_group,
       position('max(safeidx.local_period(at' IN q.sql) > 0 AS per_row
  FROM unnest(ARRAY['Asia/Shanghai', 'America/St_Johns']) z,
       source_cells_sql(ARRAY['reports'], 'month', '2010-01-01', '2011-01-01', z) q;
SELECT period_start, source_rows, last_day
  FROM source_cells(ARRAY['reports'], 'month', '2010-01-01', '2011-01-01', 'America/St_Johns');
SELECT local_day_monotone('Mars/Olympus', '2020-01-01', '2021-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT local_day_monotone('UTC', '-infinity', '2021-01-01');
\echo :LAST_ERROR_SQLSTATE

-- local_period(at, spec jsonb), the form postgres_fdw ships (doc/deployments.md):
-- the same dates as local_period(at, period, zone), also when the spec
-- changes from row to row (its parsed form is kept while it stays the same).
SELECT count(*) AS compared,
       count(*) FILTER (WHERE local_period(t, jsonb_build_object('period', k, 'zone', z))
                        IS DISTINCT FROM local_period(t, k, z)) AS differing
  FROM generate_series(timestamptz '2024-12-30 00:00+00', '2025-01-02 23:00+00', interval '1 hour') t,
       unnest('{day,month,quarter,year}'::text[]) k,
       unnest('{America/New_York,Asia/Kathmandu,Asia/Shanghai}'::text[]) z;
-- (96 hours x 4 kinds x 3 zones = 1,152, the spec changing on every row)
SELECT local_period('2025-01-31 16:30+00', '{"period": "month", "zone": "Asia/Shanghai"}') AS feb_in_shanghai;
SELECT local_period(now(), '{"period": "month"}');
\echo :LAST_ERROR_SQLSTATE
SELECT local_period(now(), '["month", "UTC"]');
\echo :LAST_ERROR_SQLSTATE
SELECT local_period(now(), '{"period": "week", "zone": "UTC"}');
\echo :LAST_ERROR_SQLSTATE
-- names longer than the names kept (255 bytes for a zone, 15 for a period)
-- are refused whole, never cut to a shorter name (nor inside a character):
-- a zone of 130 two-byte letters (260 bytes), a period of 20 of them
SELECT local_period(now(), jsonb_build_object('period', 'month', 'zone', repeat('é', 130)));
\echo :LAST_ERROR_SQLSTATE
SELECT local_period(now(), 'month', repeat('é', 130));
\echo :LAST_ERROR_SQLSTATE
SELECT local_period(now(), jsonb_build_object('period', repeat('é', 20), 'zone', 'UTC'));
\echo :LAST_ERROR_SQLSTATE
