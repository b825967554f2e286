-- period_end, period_before and period_number in C (src/kernel/period.c)
-- against the SQL they replaced (PostgreSQL's own date and interval
-- arithmetic, written out here: an independent computation), over every day
-- of 1999-2001 (month ends, a leap day) and far dates.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\o
\set ECHO all
SET search_path = safeidx, public;

SELECT count(*) AS compared,
       count(*) FILTER (WHERE period_end(k, d) IS DISTINCT FROM (d + i)::date) AS end_differs,
       count(*) FILTER (WHERE period_before(k, d) IS DISTINCT FROM (d - i)::date) AS before_differs,
       count(*) FILTER (WHERE period_number(k, d) IS DISTINCT FROM
                        CASE WHEN k = 'day' THEN d - date '2000-01-01'
                             ELSE (extract(year FROM d)::integer * 12 + extract(month FROM d)::integer - 1)
                                  / (extract(year FROM i) * 12 + extract(month FROM i))::integer END) AS number_differs
  FROM generate_series(timestamp '1999-01-01', '2001-12-31', interval '1 day') t,
       LATERAL (SELECT t::date AS d) dd,
       (VALUES ('day', interval '1 day'), ('month', interval '1 month'), ('quarter', interval '3 months'),
               ('year', interval '1 year')) p(k, i);
-- (1,096 days x 4 kinds = 4,384)

-- By hand: a month before 31 March 2025 is 28 February; the month after
-- 31 January 2024 starts 29 February (a leap year); consecutive months
-- number consecutively across a year's end; the first day of 2000 is day 0
-- and 1 BC's December is month 11 of year 0 (one before January of 1 AD;
-- the SQL before 0.5.0 took extract(year) = -1 for 1 BC and skipped 12).
SELECT period_before('month', '2025-03-31') AS feb28, period_end('month', '2024-01-31') AS feb29,
       period_number('month', '2026-01-01') - period_number('month', '2025-12-01') AS one_apart,
       period_number('day', '2000-01-01') AS day0,
       period_number('month', '0001-12-01 BC') AS dec_1bc, period_number('month', '0001-01-01') AS jan_1ad;
-- Not a period kind: NULL, as before; infinite dates stay infinite for steps.
SELECT period_end('week', '2025-01-01') IS NULL AS week_null, period_before('infinity', 'infinity') IS NULL AS inf_kind,
       period_before('month', 'infinity') AS pos_inf, period_end('year', '-infinity') AS neg_inf;
-- Errors: no period number for an infinite date; out of range (22008).
SELECT period_number('month', 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT period_end('year', '5874897-06-01');
\echo :LAST_ERROR_SQLSTATE
SELECT period_before('month', '4714-11-24 BC');
\echo :LAST_ERROR_SQLSTATE
