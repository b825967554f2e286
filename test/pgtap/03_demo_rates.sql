-- Rates over the demo city (small, seed 42) against plain SQL written
-- without safeidx: summaries hold sums, roll up exactly, and parallel plans
-- give the same summaries as serial ones.
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh):
-- pgtap, safeidx, dblink and the demo city (test/demo/city.sql, small, seed 42),
-- which this file reads.
BEGIN;
SELECT plan(9);

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
-- Rolling up street summaries gives the district summary exactly.
SELECT is((SELECT safeidx.rollup(s)::text FROM summarised),
          (SELECT safeidx.rate_agg(events, resident)::text FROM community_2025),
          'rollup of streets equals the district aggregate');
-- And it is not the mean of street rates (the mistake summaries prevent).
SELECT isnt((SELECT round(safeidx.rate(safeidx.rollup(s))::numeric, 6) FROM summarised),
            (SELECT round(avg(safeidx.rate(s))::numeric, 6) FROM summarised),
            'district rate differs from the average of street rates');
-- Every street's 95% interval contains its rate and lies within [0, 3 x rate].
SELECT ok(bool_and(safeidx.rate_lower(s) < safeidx.rate(s) AND safeidx.rate(s) < safeidx.rate_upper(s)
                   AND safeidx.rate_upper(s) < 3 * safeidx.rate(s)),
          'street intervals bracket the rate')
  FROM summarised;

-- Parallel and serial plans over the raw police table give identical summaries.
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN plan;
END $$;
SELECT matches(pg_temp.plan_of('SELECT community_code, safeidx.rate_agg(1, 1) FROM demo.police_incident GROUP BY 1'),
               'Finalize.*Partial', 'the plan aggregates in parallel (Partial then Finalize)');
CREATE TEMP TABLE par AS
SELECT community_code, safeidx.rate_agg(1, 1)::text AS s FROM demo.police_incident GROUP BY 1;
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT doesnt_match(pg_temp.plan_of('SELECT community_code, safeidx.rate_agg(1, 1) FROM demo.police_incident GROUP BY 1'),
                    'Partial', 'the serial plan has no partial aggregation');
SELECT set_eq('SELECT community_code, s FROM par',
              'SELECT community_code, safeidx.rate_agg(1, 1)::text FROM demo.police_incident GROUP BY 1',
              'parallel and serial summaries per community are identical');

SELECT * FROM finish();
ROLLBACK;
