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
    owner           name NOT NULL DEFAULT CURRENT_USER,
    delivered_from  date,
    delivered_through date,
    watermark_column name,
    CHECK ((measure = 'count') = (measure_column IS NULL)),
    CHECK (severity IS NULL OR (category_column IS NOT NULL AND jsonb_typeof(severity) = 'object')),
    CONSTRAINT source_delivered_range CHECK (delivered_from <= delivered_through
                                             AND delivered_from > '-infinity' AND delivered_through < 'infinity')
);
COMMENT ON TABLE @extschema@.source IS
'a departmental table or view read in place, with the rights of the source''s owner: its region and time columns, an optional filter (boolean SQL over its columns), the measure (count rows, sum or count distinct a column) and optional severity weights per category';
COMMENT ON COLUMN @extschema@.source.owner IS
'the role whose rights read the departmental table (default: the role that defines the source); only its members may define, change or drop the source';
COMMENT ON COLUMN @extschema@.source.delivered_from IS
'declared by the department: the first local date its data cover; NULL: the start of the first period with a row (source_delivery)';
COMMENT ON COLUMN @extschema@.source.delivered_through IS
'declared by the department: the last local date it has delivered completely (a quiet feed with no rows is still complete); NULL: the date of the last row (source_delivery)';
COMMENT ON COLUMN @extschema@.source.watermark_column IS
'optional: a monotonically increasing id or last-modified time of the departmental rows; refresh polls the rows past the last value it took in (poll_changes), for tables without capture triggers such as foreign tables; NULL: none';
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

-- The built-in types a source's columns may have, so that the casts and
-- operators that read them are PostgreSQL's own: region codes, local times,
-- summed measures.
CREATE OR REPLACE FUNCTION @extschema@.source_column_types(what text)
RETURNS regtype[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE what
        WHEN 'region' THEN ARRAY['text', 'character varying', 'character', 'integer', 'bigint']::regtype[]
        WHEN 'time' THEN ARRAY['timestamp with time zone', 'timestamp without time zone', 'date',
                               'smallint', 'integer', 'bigint']::regtype[]
        WHEN 'measure' THEN ARRAY['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision']::regtype[] END;
$$;
COMMENT ON FUNCTION @extschema@.source_column_types(text) IS
'the built-in types a source''s region, time or summed measure column may have';

CREATE OR REPLACE FUNCTION @extschema@.filter_sql(relation regclass, filter text, owner name) RETURNS text
AS 'MODULE_PATHNAME', 'filter_sql'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.filter_sql(regclass, text, name) IS
'a source''s filter analysed, never run: one boolean expression over the relation''s columns, no subquery, aggregate, window or set-returning function, only immutable functions the owner may execute and columns the owner may read; returns it deparsed by PostgreSQL (what the queries reading the source embed); errors 42601, 0A000, 42803, 22023, 42501';

-- The columns a source names: they exist, have built-in types, and the
-- owner may read them (checked when the source is defined and at every read).
CREATE OR REPLACE FUNCTION @extschema@.check_source_columns(src @extschema@.source, rel regclass)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT x.what, x.col, x.types
               FROM (VALUES ('region', src.region_column, @extschema@.source_column_types('region')),
                            ('time', src.time_column, @extschema@.source_column_types('time')),
                            ('measure', src.measure_column,
                             CASE WHEN src.measure = 'sum' THEN @extschema@.source_column_types('measure') END),
                            ('category', src.category_column, NULL)) x(what, col, types)
              WHERE x.col IS NOT NULL LOOP
        IF NOT @extschema@.source_column_type(rel, c.col, c.what) = ANY (coalesce(c.types, ARRAY[@extschema@.source_column_type(rel, c.col, c.what)])) THEN
            RAISE EXCEPTION '% column "%" of source "%" has type %, not one of %', c.what, c.col, src.source,
                @extschema@.source_column_type(rel, c.col, c.what), array_to_string(c.types, ', ')
                USING ERRCODE = 'datatype_mismatch';
        END IF;
        IF NOT has_column_privilege(src.owner, rel, c.col, 'SELECT') THEN
            RAISE EXCEPTION 'the owner of source "%", role %, may not read column "%" of %', src.source, src.owner, c.col, rel
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'A source is read with its owner''s rights: grant the owner SELECT, or define the source as a role that may read it.';
        END IF;
    END LOOP;
END $$;
COMMENT ON FUNCTION @extschema@.check_source_columns(@extschema@.source, regclass) IS
'error unless the columns a source names exist (42703), have built-in types (42804: region text or integer, time timestamptz, timestamp, date or an integer year, summed measure numeric) and its owner may read them (42501)';

-- The relation a source names, found as its owner finds it (C: the owner,
-- not the caller, needs USAGE on the schema).
CREATE OR REPLACE FUNCTION @extschema@.source_relation(src @extschema@.source, missing_ok boolean DEFAULT false)
RETURNS regclass
AS 'MODULE_PATHNAME', 'source_relation'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.source_relation(@extschema@.source, boolean) IS
'the relation a source names, resolved with its owner''s rights and search_path pg_catalog, pg_temp, whoever calls: NULL when there is none; error 42704 when the owner no longer exists, 42501 when it may not use the relation''s schema (NULL for both with missing_ok)';

-- Validation when a source is defined or changed: who may own it, what it
-- names (found as the owner finds it), its filter.
CREATE OR REPLACE FUNCTION @extschema@.source_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel regclass;
    bad text;
BEGIN
    IF NOT @extschema@.is_member_of(NEW.owner) THEN
        RAISE EXCEPTION 'source "%" cannot be owned by role %: you are not a member of it', NEW.source, NEW.owner
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A source is read with its owner''s rights; own it yourself (the default) or as a role you belong to.';
    END IF;
    rel := @extschema@.source_relation(NEW);
    IF rel IS NULL THEN
        RAISE EXCEPTION 'relation "%" of source "%" does not exist', NEW.relation, NEW.source
            USING ERRCODE = 'undefined_table', HINT = 'Give a schema-qualified table or view name.';
    END IF;
    NEW.relation := rel::text;
    PERFORM @extschema@.check_source_columns(NEW, rel);
    IF NEW.severity IS NOT NULL THEN
        SELECT key INTO bad FROM jsonb_each(NEW.severity)
         WHERE jsonb_typeof(value) <> 'number' OR value::text::numeric < 0 LIMIT 1;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'severity weight of category "%" in source "%" must be a number of 0 or more', bad, NEW.source
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    IF NEW.filter IS NOT NULL THEN
        PERFORM @extschema@.filter_sql(rel, NEW.filter, NEW.owner);
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER source_valid BEFORE INSERT OR UPDATE ON @extschema@.source
    FOR EACH ROW EXECUTE FUNCTION @extschema@.source_check();
