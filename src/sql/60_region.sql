-- safeidx install script, part 60: regions (a hierarchy with validity dates)
-- and population figures.

CREATE TABLE @extschema@.region (
    code        text NOT NULL CHECK (code ~ '^\S+$'),
    valid_from  date NOT NULL DEFAULT '-infinity',
    valid_to    date NOT NULL DEFAULT 'infinity',
    parent_code text,
    name_zh     text NOT NULL,
    name_en     text,
    kind        text NOT NULL,
    PRIMARY KEY (code, valid_from),
    CHECK (valid_from < valid_to),
    CHECK (parent_code IS DISTINCT FROM code)
);
COMMENT ON TABLE @extschema@.region IS
'regions of any depth (city, district, street/town, community/village, grid): one row per code and validity range [valid_from, valid_to); a boundary change closes a row and opens another, so history keeps its old hierarchy';
CREATE INDEX region_parent_idx ON @extschema@.region (parent_code);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.region', '');

-- At commit: no overlapping validity for one code; the parent exists over
-- the child's whole validity; no cycles through parent links.
CREATE FUNCTION @extschema@.region_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        -- children must not lose their parent
        SELECT c.code INTO r FROM @extschema@.region c
         WHERE c.parent_code = OLD.code
           AND NOT EXISTS (SELECT FROM @extschema@.region p
                            WHERE p.code = OLD.code AND p.valid_from <= c.valid_from AND c.valid_from < p.valid_to)
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'region "%" is still the parent of region "%"', OLD.code, r.code
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.region WHERE code = NEW.code AND valid_from = NEW.valid_from) THEN
        RETURN NULL;    -- row changed again later in the transaction
    END IF;
    SELECT o.valid_from INTO r FROM @extschema@.region o
     WHERE o.code = NEW.code AND o.valid_from <> NEW.valid_from
       AND o.valid_from < NEW.valid_to AND NEW.valid_from < o.valid_to
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'region "%" has overlapping validity ranges starting % and %', NEW.code, NEW.valid_from, r.valid_from
            USING ERRCODE = 'exclusion_violation';
    END IF;
    IF NEW.parent_code IS NOT NULL THEN
        -- a parent row holds at valid_from, and every parent row ending
        -- inside the child's range is continued by another
        IF NOT EXISTS (SELECT FROM @extschema@.region p
                        WHERE p.code = NEW.parent_code AND p.valid_from <= NEW.valid_from AND NEW.valid_from < p.valid_to)
           OR EXISTS (SELECT FROM @extschema@.region p
                       WHERE p.code = NEW.parent_code AND p.valid_to > NEW.valid_from AND p.valid_to < NEW.valid_to
                         AND NOT EXISTS (SELECT FROM @extschema@.region q
                                          WHERE q.code = NEW.parent_code AND q.valid_from = p.valid_to)) THEN
            RAISE EXCEPTION 'parent region "%" of region "%" does not exist over all of [%, %)',
                NEW.parent_code, NEW.code, NEW.valid_from, NEW.valid_to
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF EXISTS (WITH RECURSIVE up(code, path) AS (
                       SELECT NEW.parent_code, ARRAY[NEW.code]
                       UNION
                       SELECT p.parent_code, up.path || up.code
                         FROM up JOIN @extschema@.region p ON p.code = up.code
                        WHERE p.parent_code IS NOT NULL AND NOT up.code = ANY (up.path))
                   SELECT FROM up WHERE up.code = NEW.code) THEN
            RAISE EXCEPTION 'region "%" would be its own ancestor', NEW.code
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER region_valid
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.region
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.region_check();

CREATE FUNCTION @extschema@.regions_at(at date)
RETURNS TABLE (code text, parent_code text, depth integer, name_zh text, kind text, path text[])
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    WITH RECURSIVE tree AS (
        SELECT r.code, r.parent_code, 1 AS depth, r.name_zh, r.kind, ARRAY[r.code] AS path
          FROM @extschema@.region r
         WHERE r.parent_code IS NULL AND r.valid_from <= at AND at < r.valid_to
        UNION ALL
        SELECT r.code, r.parent_code, t.depth + 1, r.name_zh, r.kind, t.path || r.code
          FROM tree t JOIN @extschema@.region r ON r.parent_code = t.code
         WHERE r.valid_from <= at AND at < r.valid_to)
    SELECT * FROM tree;
$$;
COMMENT ON FUNCTION @extschema@.regions_at(date) IS
'the region hierarchy in force on a date: code, parent, depth (1 = top), Chinese name, kind and the path of codes from the top';

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

CREATE FUNCTION @extschema@.population_in(kind text, month date)
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
