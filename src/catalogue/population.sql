-- population.sql: population figures and the population rule.

-- [state]
CREATE TABLE @extschema@.population (
    region_code  text NOT NULL,
    period       text NOT NULL CHECK (period IN ('year', 'month')),
    period_start date NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('registered', 'resident', 'migrant')),
    persons      float8 NOT NULL CHECK (persons >= 0 AND persons NOT IN ('Infinity', 'NaN')),
    PRIMARY KEY (region_code, kind, period, period_start),
    CHECK (period_start = date_trunc(period, period_start)::date)
);
COMMENT ON TABLE @extschema@.population IS
'population figures per region, year or month, and kind (registered 户籍, resident 常住, migrant 流动); a month without its own figure uses its year''s, a region without one sums its children';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.population', '');

-- [code]
-- The population rule, used by population_in() and by the engine alike:
--   1. a region's own figure for a month is its figure for that month, else
--      its figure for the month's year;
--   2. a region without its own figure counts the residents of its children
--      that have (own or counted) residents, and the lowest-level regions
--      below it without any figure are counted apart: their events are left
--      out of its rates, never counted against residents they do not have;
--   3. a region with no figure at or below it has no residents (NULL), never 0.

-- Rule 1: the own figure of every region that has one, for every month of
-- [from, to).
CREATE OR REPLACE FUNCTION @extschema@.population_figures(kind text, from_date date, to_date date)
RETURNS TABLE (month date, region_code text, persons float8, origin text)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT m.month, f.region_code, f.persons, f.period
      FROM (SELECT d::date AS month
              FROM generate_series(date_trunc('month', from_date), to_date - 1, interval '1 month') d) m
     CROSS JOIN LATERAL (
           SELECT DISTINCT ON (p.region_code) p.region_code, p.persons, p.period
             FROM @extschema@.population p
            WHERE p.kind = population_figures.kind
              AND ((p.period = 'month' AND p.period_start = m.month)
                   OR (p.period = 'year' AND p.period_start = date_trunc('year', m.month)::date))
            ORDER BY p.region_code, p.period = 'month' DESC) f;
$$;
COMMENT ON FUNCTION @extschema@.population_figures(text, date, date) IS
'the own population figure of each region that has one, for each month meeting [from, to): its month''s figure, else its year''s (origin month or year)';

-- Rules 2 and 3 for the hierarchy in force in one month: for each region
-- r and each region d at or below it, d's own figure counts for r when
-- nothing between r and d (r included, d excluded) has a figure.
CREATE OR REPLACE FUNCTION @extschema@.population_in(kind text, month date)
RETURNS TABLE (region_code text, depth integer, persons float8, origin text, regions_without_figure integer)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    WITH own AS (
        SELECT t.code, t.depth, t.path, f.persons, f.origin,
               NOT EXISTS (SELECT FROM @extschema@.regions_at(population_in.month) c WHERE c.parent_code = t.code) AS is_leaf
          FROM @extschema@.regions_at(population_in.month) t
          LEFT JOIN @extschema@.population_figures(population_in.kind, population_in.month, population_in.month + 1) f
                 ON f.region_code = t.code),
    counted AS (
        SELECT r.code AS region, d.persons, d.is_leaf
          FROM own r JOIN own d ON r.code = ANY (d.path)
         WHERE NOT EXISTS (SELECT FROM own x
                            WHERE x.code = ANY (d.path[array_position(d.path, r.code) : array_length(d.path, 1) - 1])
                              AND x.persons IS NOT NULL))
    SELECT o.code, o.depth,
           coalesce(o.persons, (SELECT sum(c.persons) FROM counted c WHERE c.region = o.code)),
           coalesce(o.origin, CASE WHEN EXISTS (SELECT FROM counted c WHERE c.region = o.code AND c.persons IS NOT NULL)
                                   THEN 'children' END),
           (SELECT count(*) FROM counted c WHERE c.region = o.code AND c.is_leaf AND c.persons IS NULL)::integer
      FROM own o;
$$;
COMMENT ON FUNCTION @extschema@.population_in(text, date) IS
'the population rule (doc/engine.md) for every region in force in a month: its own figure (the month''s, else the year''s), else the residents of its children that have some (origin children), and the lowest-level regions below it without any figure, whose events rates leave out; NULL only when no region at or below it has a figure';
