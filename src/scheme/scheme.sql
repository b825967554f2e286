-- scheme.sql: schemes: periods computed, time zone, population kind, grade scale.

-- [state]
CREATE TABLE @extschema@.scheme (
    scheme          text PRIMARY KEY CHECK (scheme ~ '^[a-z][a-z0-9_]*$'),
    name_zh         text NOT NULL,
    name_en         text,
    periods         @extschema@.period_kind[] NOT NULL DEFAULT '{month}' CHECK (cardinality(periods) > 0),
    time_zone       text NOT NULL DEFAULT 'Asia/Shanghai',
    population_kind text NOT NULL DEFAULT 'resident' CHECK (population_kind IN ('registered', 'resident', 'migrant')),
    grade_scale     text NOT NULL DEFAULT 'wuchang' REFERENCES @extschema@.grade_scale ON UPDATE CASCADE,
    description     text,
    root_region     text,
    allow_version_gaps boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.scheme IS
'an index scheme: the periods it is computed for (day, month, quarter, year), the time zone periods are cut in, the population kind used as denominator, the grade scale, and the region subtree it covers (root_region; NULL: the whole catalogue)';
COMMENT ON COLUMN @extschema@.scheme.root_region IS
'the region whose subtree the scheme computes (itself included); NULL: every region of the catalogue';
COMMENT ON COLUMN @extschema@.scheme.allow_version_gaps IS
'true: versions may leave dates between them uncovered (periods starting there have no results); false (default): a gap between two versions is an error';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.scheme', '');

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.scheme_time_zone_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_timezone_names WHERE name = NEW.time_zone) THEN
        RAISE EXCEPTION 'time zone "%" of scheme "%" is not known', NEW.time_zone, NEW.scheme
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use a name from pg_timezone_names, e.g. Asia/Shanghai.';
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER scheme_time_zone BEFORE INSERT OR UPDATE OF time_zone ON @extschema@.scheme
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_time_zone_check();

CREATE OR REPLACE FUNCTION @extschema@.scheme_root_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.root_region IS NOT NULL AND NOT EXISTS (SELECT FROM @extschema@.region r WHERE r.code = NEW.root_region) THEN
        RAISE EXCEPTION 'root region "%" of scheme "%" is not a region', NEW.root_region, NEW.scheme
            USING ERRCODE = 'foreign_key_violation', HINT = 'Give the code of a region of safeidx.region, or NULL for the whole catalogue.';
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.scheme_root_check() IS 'trigger: error 23503 unless a scheme''s root region is a region of the catalogue';
CREATE OR REPLACE TRIGGER scheme_root BEFORE INSERT OR UPDATE OF root_region ON @extschema@.scheme
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_root_check();
