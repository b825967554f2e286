-- source.sql: sources: bindings to the departments' own tables, validated when defined.

-- [state]
CREATE TABLE @extschema@.source (
    source          text PRIMARY KEY CHECK (source ~ '^[a-z][a-z0-9_]*$'),
    relation        text NOT NULL,
    region_column   name NOT NULL,
    time_column     name NOT NULL,
    filter          text,
    measure         text NOT NULL DEFAULT 'count' CHECK (measure IN ('count', 'sum', 'count_distinct')),
    measure_column  name,
    category_column name,
    severity        jsonb,
    description     text,
    CHECK ((measure = 'count') = (measure_column IS NULL)),
    CHECK (severity IS NULL OR (category_column IS NOT NULL AND jsonb_typeof(severity) = 'object'))
);
COMMENT ON TABLE @extschema@.source IS
'a departmental table or view read in place: its region and time columns, an optional filter (boolean SQL over its columns), the measure (count rows, sum or count distinct a column) and optional severity weights per category';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.source', '');

-- [code]
-- Type of a column of a relation, or an error naming what is wrong.
CREATE OR REPLACE FUNCTION @extschema@.source_column_type(rel regclass, col name, what text)
RETURNS regtype LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t regtype;
BEGIN
    SELECT a.atttypid::regtype INTO t FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
    IF t IS NULL THEN
        RAISE EXCEPTION '% column "%" does not exist in %', what, col, rel
            USING ERRCODE = 'undefined_column';
    END IF;
    RETURN t;
END $$;
COMMENT ON FUNCTION @extschema@.source_column_type(regclass, name, text) IS
'type of a column of a relation; error 42703 naming the role of the column when it does not exist';

CREATE OR REPLACE FUNCTION @extschema@.check_filter(filter text) RETURNS void
AS 'MODULE_PATHNAME', 'check_filter'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.check_filter(text) IS
'error 42601 unless the text parses as one SQL expression with nothing after it (no second statement, no LIMIT, ...); executes nothing';

-- Validation when a source is defined or changed.
CREATE OR REPLACE FUNCTION @extschema@.source_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel regclass := to_regclass(NEW.relation);
    t regtype;
    bad text;
BEGIN
    IF rel IS NULL THEN
        RAISE EXCEPTION 'relation "%" of source "%" does not exist', NEW.relation, NEW.source
            USING ERRCODE = 'undefined_table', HINT = 'Give a schema-qualified table or view name.';
    END IF;
    NEW.relation := rel::text;
    t := @extschema@.source_column_type(rel, NEW.region_column, 'region');
    IF t NOT IN ('text'::regtype, 'character varying'::regtype, 'bpchar'::regtype,
                 'integer'::regtype, 'bigint'::regtype) THEN
        RAISE EXCEPTION 'region column "%" of source "%" has type %, not a code type (text or integer)', NEW.region_column, NEW.source, t
            USING ERRCODE = 'datatype_mismatch';
    END IF;
    t := @extschema@.source_column_type(rel, NEW.time_column, 'time');
    IF t NOT IN ('timestamp with time zone'::regtype, 'timestamp without time zone'::regtype, 'date'::regtype) THEN
        RAISE EXCEPTION 'time column "%" of source "%" has type %, not timestamptz, timestamp or date', NEW.time_column, NEW.source, t
            USING ERRCODE = 'datatype_mismatch';
    END IF;
    IF NEW.measure_column IS NOT NULL THEN
        t := @extschema@.source_column_type(rel, NEW.measure_column, 'measure');
        IF NEW.measure = 'sum' AND t NOT IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype,
                                             'numeric'::regtype, 'real'::regtype, 'double precision'::regtype) THEN
            RAISE EXCEPTION 'measure column "%" of source "%" has type %, which cannot be summed', NEW.measure_column, NEW.source, t
                USING ERRCODE = 'datatype_mismatch';
        END IF;
    END IF;
    IF NEW.category_column IS NOT NULL THEN
        PERFORM @extschema@.source_column_type(rel, NEW.category_column, 'category');
    END IF;
    IF NEW.severity IS NOT NULL THEN
        SELECT key INTO bad FROM jsonb_each(NEW.severity)
         WHERE jsonb_typeof(value) <> 'number' OR value::text::numeric < 0 LIMIT 1;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'severity weight of category "%" in source "%" must be a number of 0 or more', bad, NEW.source
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    IF NEW.filter IS NOT NULL THEN
        PERFORM @extschema@.check_filter(NEW.filter);
        BEGIN
            EXECUTE format('SELECT FROM %s WHERE %s LIMIT 0', rel, NEW.filter);
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'filter of source "%" is not a valid condition on %: %', NEW.source, rel, SQLERRM
                USING ERRCODE = 'syntax_error';
        END;
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER source_valid BEFORE INSERT OR UPDATE ON @extschema@.source
    FOR EACH ROW EXECUTE FUNCTION @extschema@.source_check();
