-- test/bench/queries.sql -- the queries of test/bench.sh, as views in schema bench.
--
-- Needs the safeidx extension and the demo city (test/demo/city.sql, demo.generate).
-- test/bench.sh times `EXPLAIN (ANALYZE, TIMING OFF) SELECT * FROM bench.<view>`;
-- the views expand to exactly the queries written here.
--
-- The rate queries (2, 3, 4) all start from the same input: police incidents counted
-- per community and local (Asia/Shanghai) month, joined to demo.population on the
-- year.  Rows whose community code is not a community with a population figure for
-- that year (the generator's dirty codes, the community missing its latest figure)
-- drop out of the inner join, in every variant alike.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
COMMENT ON SCHEMA bench IS 'benchmark queries of test/bench.sh';

-- 1. the floor: read every row once
CREATE VIEW bench.q1_raw_scan AS
SELECT count(*) AS n
  FROM demo.police_incident;

-- 1h. the floor of a heap scan: the two columns the rate queries read (count(*)
-- above may be answered from an index alone; no index holds both columns)
CREATE VIEW bench.q1h_heap_scan AS
SELECT count(community_code) AS n_code, count(reported_at) AS n_time
  FROM demo.police_incident;

-- 2. plain SQL: incidents per 10,000 residents per street and month
CREATE VIEW bench.q2_plain_sql AS
WITH c AS (
    SELECT community_code,
           date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai') AS month,
           count(*) AS events
      FROM demo.police_incident
     GROUP BY 1, 2
)
SELECT r.parent_code AS street_code, c.month,
       sum(c.events) * 10000.0 / sum(p.resident) AS rate
  FROM c
  JOIN demo.population p ON p.region_code = c.community_code
                        AND p.year = extract(year FROM c.month)::int
  JOIN demo.region r ON r.code = c.community_code
 GROUP BY 1, 2;

-- 3. safeidx: the same with rate_agg / rate
CREATE VIEW bench.q3_safeidx AS
WITH c AS (
    SELECT community_code,
           date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai') AS month,
           count(*) AS events
      FROM demo.police_incident
     GROUP BY 1, 2
)
SELECT r.parent_code AS street_code, c.month,
       safeidx.rate(safeidx.rate_agg(c.events, p.resident)) AS rate
  FROM c
  JOIN demo.population p ON p.region_code = c.community_code
                        AND p.year = extract(year FROM c.month)::int
  JOIN demo.region r ON r.code = c.community_code
 GROUP BY 1, 2;

-- 4. roll-up from stored community-month summaries ("refresh from summaries").
-- The summaries are materialized once (REFRESH MATERIALIZED VIEW, timed by bench.sh).
CREATE MATERIALIZED VIEW bench.community_month AS
WITH c AS (
    SELECT community_code,
           date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai') AS month,
           count(*) AS events
      FROM demo.police_incident
     GROUP BY 1, 2
)
SELECT c.community_code, c.month, safeidx.rate_agg(c.events, p.resident) AS s
  FROM c
  JOIN demo.population p ON p.region_code = c.community_code
                        AND p.year = extract(year FROM c.month)::int
 GROUP BY 1, 2
WITH NO DATA;

CREATE VIEW bench.q4_street_rollup AS
SELECT r.parent_code AS street_code, cm.month,
       safeidx.rate(safeidx.rollup(cm.s)) AS rate
  FROM bench.community_month cm
  JOIN demo.region r ON r.code = cm.community_code
 GROUP BY 1, 2;

CREATE VIEW bench.q4_district_rollup AS
SELECT st.parent_code AS district_code, cm.month,
       safeidx.rate(safeidx.rollup(cm.s)) AS rate
  FROM bench.community_month cm
  JOIN demo.region r ON r.code = cm.community_code
  JOIN demo.region st ON st.code = r.parent_code
 GROUP BY 1, 2;

-- 4p. the plain-SQL counterpart of 4: stored community-month (events, resident)
-- columns summed into streets.  Materialized with 4.
CREATE MATERIALIZED VIEW bench.community_month_plain AS
WITH c AS (
    SELECT community_code,
           date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai') AS month,
           count(*) AS events
      FROM demo.police_incident
     GROUP BY 1, 2
)
SELECT c.community_code, c.month, c.events, p.resident
  FROM c
  JOIN demo.population p ON p.region_code = c.community_code
                        AND p.year = extract(year FROM c.month)::int
WITH NO DATA;

CREATE VIEW bench.q4p_street_plain_rollup AS
SELECT r.parent_code AS street_code, cm.month,
       sum(cm.events) * 10000.0 / sum(cm.resident) AS rate
  FROM bench.community_month_plain cm
  JOIN demo.region r ON r.code = cm.community_code
 GROUP BY 1, 2;

-- 5. the transition function's per-row cost: an aggregate straight over the raw
-- table, against count(*) with the same grouping.
CREATE VIEW bench.q5_rate_agg_raw AS
SELECT community_code,
       date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai') AS month,
       safeidx.rate_agg(1, 0) AS s
  FROM demo.police_incident
 GROUP BY 1, 2;

CREATE VIEW bench.q5_count_raw AS
SELECT community_code,
       date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai') AS month,
       count(*) AS n
  FROM demo.police_incident
 GROUP BY 1, 2;

-- 6. the local period of a row: safeidx.local_period() (C, the zone looked up
-- once per query) against date_trunc(... AT TIME ZONE ...)::date, the same
-- grouping as 5b (what the cell step reads each departmental table with).
CREATE VIEW bench.q6_local_period AS
SELECT community_code, safeidx.local_period(reported_at, 'month', 'Asia/Shanghai') AS month, count(*) AS n
  FROM demo.police_incident
 GROUP BY 1, 2;

CREATE VIEW bench.q6_date_trunc AS
SELECT community_code, date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai')::date AS month, count(*) AS n
  FROM demo.police_incident
 GROUP BY 1, 2;

-- Checks: street-month (and district-month) rates of two queries side by side.
-- rel is the relative difference; 0 when both are 0.
CREATE FUNCTION bench.compare(a_view regclass, b_view regclass, key text DEFAULT 'street_code',
                              OUT n bigint, OUT unmatched bigint, OUT null_mismatch bigint,
                              OUT max_rel float8)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($q$
        SELECT count(*),
               count(*) FILTER (WHERE a.%1$I IS NULL OR b.%1$I IS NULL),
               count(*) FILTER (WHERE (a.rate IS NULL) <> (b.rate IS NULL)),
               max(CASE WHEN a.rate::float8 = b.rate::float8 THEN 0
                        ELSE abs(a.rate::float8 - b.rate::float8)
                             / greatest(abs(a.rate::float8), abs(b.rate::float8)) END)
          FROM %2$s a FULL JOIN %3$s b ON a.%1$I = b.%1$I AND a.month = b.month$q$,
        key, a_view, b_view)
      INTO n, unmatched, null_mismatch, max_rel;
END $$;

-- District-month rates in plain SQL straight from the raw table (checks 4).
CREATE VIEW bench.check_district_plain AS
WITH c AS (
    SELECT community_code,
           date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai') AS month,
           count(*) AS events
      FROM demo.police_incident
     GROUP BY 1, 2
)
SELECT st.parent_code AS district_code, c.month,
       sum(c.events) * 10000.0 / sum(p.resident) AS rate
  FROM c
  JOIN demo.population p ON p.region_code = c.community_code
                        AND p.year = extract(year FROM c.month)::int
  JOIN demo.region r ON r.code = c.community_code
  JOIN demo.region st ON st.code = r.parent_code
 GROUP BY 1, 2;
