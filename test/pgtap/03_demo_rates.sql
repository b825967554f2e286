-- Rates over the demo city (small, seed 42) against plain SQL written
-- without safeidx: street summaries hold the sums of events and residents,
-- and count the community without a figure as missing.  (Rollup, the pooled
-- rate against the mean of rates, interval brackets and parallel plans are
-- pg_regress's: sql/rate.sql, sql/parallel.sql.)
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh):
-- pgtap, safeidx, dblink and the demo city (test/demo/city.sql, small, seed 42),
-- which this file reads.
BEGIN;
SELECT plan(3);

-- Police incidents per community for 2025 (local time), with 2025 residents.
CREATE TEMP TABLE community_2025 AS
SELECT c.code, c.parent_code AS street, count(p.id) AS events, pop.resident
  FROM demo.region c
  LEFT JOIN demo.police_incident p
         ON p.community_code = c.code
        AND p.reported_at >= timestamptz '2025-01-01 00:00 Asia/Shanghai'
        AND p.reported_at <  timestamptz '2026-01-01 00:00 Asia/Shanghai'
  LEFT JOIN demo.population pop ON pop.region_code = c.code AND pop.year = 2025
 WHERE c.level = 'community'
 GROUP BY c.code, c.parent_code, pop.resident;

-- Plain SQL: street rate = street events * 10000 / street residents over
-- the communities that have a population figure.
CREATE TEMP TABLE plain AS
SELECT street, sum(events) AS events, sum(resident) AS residents,
       sum(events) * 10000.0 / sum(resident) AS rate
  FROM community_2025 WHERE resident IS NOT NULL GROUP BY street;

CREATE TEMP TABLE summarised AS
SELECT street, safeidx.rate_agg(events, resident) AS s FROM community_2025 GROUP BY street;

SELECT is((SELECT count(*) FROM plain), (SELECT count(*) FROM summarised), 'one summary per street');
SELECT is((SELECT count(*) FROM plain p JOIN summarised s USING (street)
            WHERE safeidx.events(s.s) = p.events AND safeidx.exposure(s.s) = p.residents
              AND abs(safeidx.rate(s.s) - p.rate) <= 1e-9 * p.rate),
          (SELECT count(*) FROM plain),
          'street events, exposure and rate equal plain SQL');
-- The demo lacks one community's 2025 figure: its street reports it missing.
SELECT is((SELECT sum(safeidx.missing_units(s)) FROM summarised)::bigint, 1::bigint,
          'the community without a 2025 population figure is reported missing');

SELECT * FROM finish();
ROLLBACK;
