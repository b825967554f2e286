-- safeidx install script, part 70: sources, bindings to the departments' own
-- tables (read in place, never copied).

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

-- Type of a column of a relation, or an error naming what is wrong.
CREATE FUNCTION @extschema@.source_column_type(rel regclass, col name, what text)
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

CREATE FUNCTION @extschema@.check_filter(filter text) RETURNS void
AS 'MODULE_PATHNAME', 'check_filter'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.check_filter(text) IS
'error 42601 unless the text parses as one SQL expression with nothing after it (no second statement, no LIMIT, ...); executes nothing';

-- Validation when a source is defined or changed.
CREATE FUNCTION @extschema@.source_check() RETURNS trigger
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

CREATE TRIGGER source_valid BEFORE INSERT OR UPDATE ON @extschema@.source
    FOR EACH ROW EXECUTE FUNCTION @extschema@.source_check();

-- The pieces of SQL that read a source: its local time, the value of one
-- departmental row, and the condition on its rows between two local dates.
CREATE FUNCTION @extschema@.source_sql(src @extschema@.source, from_date date, to_date date, tz text,
                                       OUT local_time text, OUT value_expr text, OUT time_condition text,
                                       OUT row_filter text)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    time_type regtype := @extschema@.source_column_type(src.relation::regclass, src.time_column, 'time');
    lower_bound text;
    upper_bound text;
BEGIN
    IF time_type = 'timestamp with time zone'::regtype THEN
        local_time := format('(%I AT TIME ZONE %L)', src.time_column, tz);
        lower_bound := format('(%L::timestamp AT TIME ZONE %L)', from_date, tz);
        upper_bound := format('(%L::timestamp AT TIME ZONE %L)', to_date, tz);
    ELSE
        local_time := quote_ident(src.time_column);
        lower_bound := quote_literal(from_date);
        upper_bound := quote_literal(to_date);
    END IF;
    value_expr := CASE src.measure
        WHEN 'count' THEN '1'
        WHEN 'sum' THEN format('%I::float8', src.measure_column)
        ELSE format('%I', src.measure_column) END;
    IF src.severity IS NOT NULL THEN
        value_expr := format('(%s) * coalesce((%L::jsonb ->> %I::text)::float8, 1)', value_expr, src.severity, src.category_column);
    END IF;
    time_condition := format('%I >= %s AND %I < %s', src.time_column, lower_bound, src.time_column, upper_bound);
    row_filter := coalesce('(' || src.filter || ')', 'true');
END $$;
COMMENT ON FUNCTION @extschema@.source_sql(@extschema@.source, date, date, text) IS
'SQL pieces reading a source: the local time of a row in time zone tz, the value of a row (1, a column, times its severity weight), the condition on its time between two local dates and its filter (true without one)';

-- The SQL that reads a source: one row per departmental row kept by the
-- filter, with its region code as text, its local period and its value.
CREATE FUNCTION @extschema@.source_query(src @extschema@.source, period text, from_date date, to_date date, tz text)
RETURNS text LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    part record;
BEGIN
    IF period NOT IN ('day', 'month', 'quarter', 'year') THEN
        RAISE EXCEPTION 'unknown period "%"', period
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use day, month, quarter or year.';
    END IF;
    part := @extschema@.source_sql(src, from_date, to_date, tz);
    RETURN format('SELECT %I::text AS region_code, date_trunc(%L, %s)::date AS period_start, %s AS value FROM %s WHERE %s AND %s',
                  src.region_column, period, part.local_time, part.value_expr, src.relation,
                  part.time_condition, part.row_filter);
END $$;
COMMENT ON FUNCTION @extschema@.source_query(@extschema@.source, text, date, date, text) IS
'the SQL reading one source between two dates (local, [from, to)), cut into periods in time zone tz';

CREATE FUNCTION @extschema@.source_counts(source text, period text, from_date date, to_date date,
                                          tz text DEFAULT 'Asia/Shanghai')
RETURNS TABLE (region_code text, period_start date, value float8, source_rows bigint)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    src @extschema@.source;
BEGIN
    SELECT * INTO src FROM @extschema@.source s WHERE s.source = source_counts.source;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown source "%"', source USING ERRCODE = 'undefined_object';
    END IF;
    RETURN QUERY EXECUTE format(
        'SELECT q.region_code, q.period_start, %s, count(*) FROM (%s) q GROUP BY 1, 2',
        CASE WHEN src.measure = 'count_distinct' THEN 'count(DISTINCT q.value)::float8' ELSE 'sum(q.value)::float8' END,
        @extschema@.source_query(src, period, from_date, to_date, tz));
END $$;
COMMENT ON FUNCTION @extschema@.source_counts(text, text, date, date, text) IS
'the measure of a source per region code and period between two local dates [from, to), cut in time zone tz (default Asia/Shanghai); every region code is kept, known or not';

CREATE FUNCTION @extschema@.source_unknown_regions(source text, from_date date, to_date date,
                                                   tz text DEFAULT 'Asia/Shanghai')
RETURNS TABLE (region_code text, source_rows bigint, first_day date, last_day date)
LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp AS $$
    SELECT c.region_code, sum(c.source_rows)::bigint, min(c.period_start), max(c.period_start)
      FROM @extschema@.source_counts(source, 'day', from_date, to_date, tz) c
     WHERE NOT EXISTS (SELECT FROM @extschema@.region r
                        WHERE r.code = c.region_code AND r.valid_from <= c.period_start AND c.period_start < r.valid_to)
     GROUP BY c.region_code;
$$;
COMMENT ON FUNCTION @extschema@.source_unknown_regions(text, date, date, text) IS
'departmental rows of a source whose region code is NULL or names no region in force on their day: they are counted here, never dropped silently';
