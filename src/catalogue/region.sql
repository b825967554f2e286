-- region.sql: regions: a hierarchy of codes with validity dates.

-- [state]
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

-- [code]
-- At commit: no overlapping validity for one code; the parent exists over
-- the child's whole validity; no cycles through parent links.
CREATE OR REPLACE FUNCTION @extschema@.region_check() RETURNS trigger
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

-- [state]
CREATE CONSTRAINT TRIGGER region_valid
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.region
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.region_check();

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.regions_at(at date)
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
