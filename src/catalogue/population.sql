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
CREATE OR REPLACE FUNCTION @extschema@.population_in(kind text, month date)
RETURNS TABLE (region_code text, depth integer, persons float8, origin text, regions_without_figure integer)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    WITH tree AS (
        SELECT * FROM @extschema@.regions_at(month)),
    own AS (
        SELECT t.code, t.depth, t.path,
               coalesce(m.persons, y.persons) AS persons,
               CASE WHEN m.persons IS NOT NULL THEN 'month' WHEN y.persons IS NOT NULL THEN 'year' END AS origin,
               NOT EXISTS (SELECT FROM tree c WHERE c.parent_code = t.code) AS is_leaf
          FROM tree t
          LEFT JOIN @extschema@.population m
                 ON m.region_code = t.code AND m.kind = population_in.kind AND m.period = 'month'
                AND m.period_start = date_trunc('month', population_in.month)::date
          LEFT JOIN @extschema@.population y
                 ON y.region_code = t.code AND y.kind = population_in.kind AND y.period = 'year'
                AND y.period_start = date_trunc('year', population_in.month)::date),
    -- For each region r and each region d at or below it, the nearest figure
    -- on the way down from r to d: d provides r's sum when d has a figure
    -- and nothing strictly between r and d has one.
    below AS (
        SELECT r.code AS region, d.code, d.persons, d.is_leaf,
               d.path[array_position(d.path, r.code) + 1 : array_length(d.path, 1) - 1] AS between_codes
          FROM own r JOIN own d ON r.code = ANY (d.path)),
    marked AS (
        SELECT b.*, NOT EXISTS (SELECT FROM own x WHERE x.code = ANY (b.between_codes) AND x.persons IS NOT NULL) AS open_path
          FROM below b),
    derived AS (
        SELECT region,
               sum(persons) FILTER (WHERE persons IS NOT NULL AND open_path AND code <> region) AS children_sum,
               count(*) FILTER (WHERE is_leaf AND open_path AND persons IS NULL) AS leaves_without
          FROM marked GROUP BY region)
    SELECT o.code, o.depth,
           CASE WHEN o.persons IS NOT NULL THEN o.persons
                WHEN d.leaves_without = 0 THEN d.children_sum END,
           CASE WHEN o.persons IS NOT NULL THEN o.origin
                WHEN d.leaves_without = 0 THEN 'children' END,
           CASE WHEN o.persons IS NOT NULL THEN 0 ELSE d.leaves_without::integer END
      FROM own o JOIN derived d ON d.region = o.code;
$$;
COMMENT ON FUNCTION @extschema@.population_in(text, date) IS
'population of every region in force in a month: its own month figure, else its year figure, else the sum of the nearest figures below it; NULL (and the number of lowest-level regions without any figure) when that sum would be incomplete';
