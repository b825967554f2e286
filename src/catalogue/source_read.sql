-- source_read.sql: reading a source: the SQL of its rows, its counts per period, unknown codes.

-- The local time of a departmental row as SQL: its time column in time zone
-- tz (timestamptz), or as it is (a local timestamp or date), as timestamp.
CREATE OR REPLACE FUNCTION @extschema@.local_time_sql(relation regclass, time_column name, tz text)
RETURNS text LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN @extschema@.source_column_type(relation, time_column, 'time') = 'timestamp with time zone'::regtype
                THEN format('(%I AT TIME ZONE %L)', time_column, tz)
                ELSE format('%I::timestamp', time_column) END;
$$;
COMMENT ON FUNCTION @extschema@.local_time_sql(regclass, name, text) IS
'the SQL expression of a departmental row''s local time (timestamp): a timestamptz time column in time zone tz, a timestamp or date column as it is';

-- The pieces of SQL that read a source: its local time, the value of one
-- departmental row, and the condition on its rows between two local dates.
CREATE OR REPLACE FUNCTION @extschema@.source_sql(src @extschema@.source, from_date date, to_date date, tz text,
                                       OUT local_time text, OUT value_expr text, OUT time_condition text,
                                       OUT row_filter text)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    time_type regtype := @extschema@.source_column_type(src.relation::regclass, src.time_column, 'time');
    lower_bound text;
    upper_bound text;
BEGIN
    local_time := @extschema@.local_time_sql(src.relation::regclass, src.time_column, tz);
    IF time_type = 'timestamp with time zone'::regtype THEN
        lower_bound := format('(%L::timestamp AT TIME ZONE %L)', from_date, tz);
        upper_bound := format('(%L::timestamp AT TIME ZONE %L)', to_date, tz);
    ELSE
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
CREATE OR REPLACE FUNCTION @extschema@.source_query(src @extschema@.source, period text, from_date date, to_date date, tz text)
RETURNS text LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    part record;
BEGIN
    IF @extschema@.period_interval(period) IS NULL THEN
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

CREATE OR REPLACE FUNCTION @extschema@.source_counts(source text, period text, from_date date, to_date date,
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

CREATE OR REPLACE FUNCTION @extschema@.source_unknown_regions(source text, from_date date, to_date date,
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
