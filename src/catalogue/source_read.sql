-- source_read.sql: reading a source: the SQL of its rows, its counts per period, unknown codes.

-- The local time of a departmental row as SQL: its time column in time zone
-- tz (timestamptz), or as it is (a local timestamp or date), as timestamp;
-- an integer year column is January 1st of its year (NULL outside 1..9999,
-- so that no row makes the expression fail).
CREATE OR REPLACE FUNCTION @extschema@.local_time_sql(relation regclass, time_column name, tz text)
RETURNS text LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN t = 'timestamp with time zone'::regtype THEN format('(%I AT TIME ZONE %L)', time_column, tz)
                WHEN t IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype)
                THEN format('(CASE WHEN %1$I BETWEEN 1 AND 9999 THEN make_date(%1$I::integer, 1, 1)::timestamp END)', time_column)
                ELSE format('%I::timestamp', time_column) END
      FROM (SELECT @extschema@.source_column_type(relation, time_column, 'time') AS t) x;
$$;
COMMENT ON FUNCTION @extschema@.local_time_sql(regclass, name, text) IS
'the SQL expression of a departmental row''s local time (timestamp): a timestamptz time column in time zone tz, a timestamp or date column as it is, an integer year column as January 1st of its year';

-- True for an integer year time column, which only year periods can read.
CREATE OR REPLACE FUNCTION @extschema@.is_year_column(relation regclass, time_column name)
RETURNS boolean LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT @extschema@.source_column_type(relation, time_column, 'time')
           IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype);
$$;
COMMENT ON FUNCTION @extschema@.is_year_column(regclass, name) IS 'true when a source''s time column is an integer year';

-- The pieces of SQL that read a source: its local time, the value of one
-- departmental row, and the condition on its rows between two local dates.
CREATE OR REPLACE FUNCTION @extschema@.source_sql(src @extschema@.source, from_date date, to_date date, tz text,
                                       OUT local_time text, OUT value_expr text, OUT time_condition text,
                                       OUT row_filter text)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel       regclass := @extschema@.source_relation(src);
    time_type regtype := @extschema@.source_column_type(rel, src.time_column, 'time');
    lower_bound text;
    upper_bound text;
BEGIN
    local_time := @extschema@.local_time_sql(rel, src.time_column, tz);
    IF @extschema@.is_year_column(rel, src.time_column) THEN
        -- the years starting in [from, to)
        lower_bound := (extract(year FROM from_date) + CASE WHEN from_date = date_trunc('year', from_date) THEN 0 ELSE 1 END)::text;
        upper_bound := (extract(year FROM to_date) + CASE WHEN to_date = date_trunc('year', to_date) THEN 0 ELSE 1 END)::text;
    ELSIF time_type = 'timestamp with time zone'::regtype THEN
        lower_bound := format('(%L::timestamp AT TIME ZONE %L)', from_date, tz);
        upper_bound := format('(%L::timestamp AT TIME ZONE %L)', to_date, tz);
    ELSE
        lower_bound := quote_literal(from_date);
        upper_bound := quote_literal(to_date);
    END IF;
    -- numeric, so that sums are exact and do not depend on the order of rows
    value_expr := CASE src.measure
        WHEN 'count' THEN '1::numeric'
        WHEN 'sum' THEN format('%I::numeric', src.measure_column)
        ELSE format('%I', src.measure_column) END;
    IF src.severity IS NOT NULL THEN
        value_expr := format('(%s) * coalesce((%L::jsonb ->> %I::text)::numeric, 1)', value_expr, src.severity, src.category_column);
    END IF;
    time_condition := format('%I >= %s AND %I < %s', src.time_column, lower_bound, src.time_column, upper_bound);
    row_filter := coalesce(@extschema@.filter_sql(rel, src.filter, src.owner), 'true');
END $$;
COMMENT ON FUNCTION @extschema@.source_sql(@extschema@.source, date, date, text) IS
'SQL pieces reading a source: the local time of a row in time zone tz, the value of a row (1, a column, times its severity weight, as numeric), the condition on its time between two local dates (an integer year column: the years starting between them) and its filter as filter_sql() analysed and deparsed it (true without one)';

-- Whether a table's rows of one region code can be found by an index: a
-- valid, complete btree index leading with the region column, a text or
-- varchar column in the database's collation (so that "column = code"
-- with a text code is its index condition).
CREATE OR REPLACE FUNCTION @extschema@.region_indexed(relation regclass, region_column name)
RETURNS boolean LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (
        SELECT FROM pg_attribute a
          JOIN pg_index i ON i.indrelid = a.attrelid AND i.indkey[0] = a.attnum
          JOIN pg_class c ON c.oid = i.indexrelid
          JOIN pg_am m ON m.oid = c.relam
         WHERE a.attrelid = relation AND a.attname = region_column AND NOT a.attisdropped
           AND a.atttypid IN ('text'::regtype, 'varchar'::regtype) AND a.attcollation = 100
           AND i.indcollation[0] = 100 AND i.indisvalid AND i.indpred IS NULL AND m.amname = 'btree');
$$;
COMMENT ON FUNCTION @extschema@.region_indexed(regclass, name) IS
'whether the rows of one region code of a table are found by an index: a valid btree index without predicate leading with the region column (text or varchar, in the database''s collation)';

-- The query reading sources bound to one departmental table (same relation,
-- columns and owner) for local dates [from, to), cut into periods of a kind
-- in time zone tz: one GROUP BY region code and period with a FILTER per
-- source; $1 holds the region codes to read (NULL: all).  The table is read
-- once, or, for few codes (ncodes, at most a tenth of the region tree's: a
-- refresh's changed communities) of a local table that has an index
-- leading with the region column, one code at a time through that index
-- (the whole span of every code is not read).  Built from the stored
-- definitions, whose columns and filters are checked again against the
-- owner's rights; source_cells() runs it as the owner.
CREATE OR REPLACE FUNCTION @extschema@.source_cells_sql(sources text[], period text, from_date date, to_date date, tz text,
                                                         ncodes integer DEFAULT NULL, OUT sql text, OUT owner name)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    srcs    @extschema@.source[];
    src     @extschema@.source;
    rel     regclass;
    part    record;
    columns text := '';
    rows    text := '';
    any_row text := '';
    zoned   boolean;
    monotone boolean;       -- the local date never goes back (local_day_monotone)
    shipping text;          -- source_shipping(): local, safeidx or builtin
    spec    text;           -- local_period's jsonb spec (safeidx)
    starts  date[];         -- the period starts (builtin)
    period_key text;
    period_of  text;
    grouped    text;        -- the rows grouped by region code and period
BEGIN
    -- not STRICT for ncodes alone: NULL for anything else NULL
    IF sources IS NULL OR period IS NULL OR from_date IS NULL OR to_date IS NULL OR tz IS NULL THEN
        RETURN;
    END IF;
    IF @extschema@.period_interval(period) IS NULL THEN
        RAISE EXCEPTION 'unknown period "%"', period
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use day, month, quarter or year.';
    END IF;
    IF cardinality(sources) = 0 OR array_position(sources, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'no source to read: the list of sources is empty or holds a NULL'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT array_agg(s ORDER BY s.source) INTO srcs FROM @extschema@.source s WHERE s.source = ANY (sources);
    IF coalesce(cardinality(srcs), 0) <> cardinality(sources) THEN
        RAISE EXCEPTION 'unknown source "%"',
            (SELECT x FROM unnest(sources) x WHERE NOT EXISTS (SELECT FROM @extschema@.source s WHERE s.source = x) LIMIT 1)
            USING ERRCODE = 'undefined_object';
    END IF;
    src := srcs[1];
    IF EXISTS (SELECT FROM unnest(srcs) x WHERE (x.relation, x.region_column, x.time_column, x.owner)
                                                IS DISTINCT FROM (src.relation, src.region_column, src.time_column, src.owner)) THEN
        RAISE EXCEPTION 'sources read together must share their relation, region and time columns and owner'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    rel := @extschema@.source_relation(src);        -- as the owner finds it
    IF rel IS NULL THEN
        RAISE EXCEPTION 'relation "%" of source "%" does not exist', src.relation, src.source USING ERRCODE = 'undefined_table';
    END IF;
    IF @extschema@.is_year_column(rel, src.time_column) AND period <> 'year' THEN
        RAISE EXCEPTION 'source "%" has an integer year column ("%"), which only yearly periods can read, not %',
            src.source, src.time_column, period
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Read it in a scheme computed by year only.';
    END IF;
    -- a timestamptz column's local period in one C call per row (local_period)
    zoned := @extschema@.source_column_type(rel, src.time_column, 'time') = 'timestamp with time zone'::regtype;
    -- on other servers (postgres_fdw), an expression it ships, so that the
    -- GROUP BY runs there and only cells cross the network
    -- (source_remote.sql, doc/deployments.md)
    shipping := @extschema@.source_shipping(rel);
    IF shipping = 'safeidx' AND NOT zoned THEN
        shipping := 'builtin';
    END IF;
    monotone := zoned AND @extschema@.local_day_monotone(tz, from_date, to_date);
    IF zoned AND shipping = 'builtin' AND NOT monotone THEN
        RAISE EXCEPTION 'source "%" is read on a server without safeidx, and in time zone % the clocks went back across a midnight between % and %: the last local day of its rows cannot be computed there',
            src.source, tz, from_date, to_date
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Install safeidx on the department''s server and list it in the foreign server''s "extensions" option.';
    END IF;
    spec := format('%L::jsonb', jsonb_build_object('period', period, 'zone', tz));
    starts := @extschema@.period_starts(period, from_date, to_date);
    -- per source: the value (NULL when every row's measured column is NULL),
    -- the rows, the rows whose measured column is NULL, the last local day
    FOR i IN 1 .. cardinality(srcs) LOOP
        src := srcs[i];
        PERFORM @extschema@.check_source_columns(src, rel);
        part := @extschema@.source_sql(src, from_date, to_date, tz);
        columns := columns || format(
            ', (%s)::float8 AS v%s, count(*) FILTER (WHERE %s) AS n%s, %s AS z%s, %s AS d%s',
            CASE WHEN src.measure = 'count' AND src.severity IS NULL
                 THEN format('count(*) FILTER (WHERE %s)', part.row_filter)
                 WHEN src.measure = 'count_distinct'
                 THEN format('CASE WHEN count(%1$s) FILTER (WHERE %2$s) > 0 THEN count(DISTINCT %1$s) FILTER (WHERE %2$s) END',
                             part.value_expr, part.row_filter)
                 ELSE format('sum(%s) FILTER (WHERE %s)', part.value_expr, part.row_filter) END, i,
            part.row_filter, i,
            CASE WHEN src.measure = 'count' THEN '0::bigint'
                 ELSE format('count(*) FILTER (WHERE (%s) AND %I IS NULL)', part.row_filter, src.measure_column) END, i,
            CASE WHEN @extschema@.is_year_column(rel, src.time_column)
                 THEN format('(date_trunc(''year'', max(%s) FILTER (WHERE %s)) + interval ''1 year - 1 day'')::date',
                             part.local_time, part.row_filter)
                 -- the local day of the latest row, one C call per group, where
                 -- the local date never goes back (local_day_monotone); else
                 -- every row's
                 WHEN zoned AND shipping = 'safeidx' AND monotone
                 THEN format('@extschema@.local_period(max(%I) FILTER (WHERE %s), %L::jsonb)',
                             src.time_column, part.row_filter, jsonb_build_object('period', 'day', 'zone', tz))
                 WHEN zoned AND shipping = 'safeidx'
                 THEN format('max(@extschema@.local_period(%I, %L::jsonb)) FILTER (WHERE %s)',
                             src.time_column, jsonb_build_object('period', 'day', 'zone', tz), part.row_filter)
                 WHEN zoned AND shipping = 'builtin' AND monotone
                 THEN format('((max(%I) FILTER (WHERE %s)) AT TIME ZONE %L)::date', src.time_column, part.row_filter, tz)
                 WHEN zoned AND monotone
                 THEN format('@extschema@.local_period(max(%I) FILTER (WHERE %s), ''day'', %L)',
                             src.time_column, part.row_filter, tz)
                 WHEN zoned THEN format('max(@extschema@.local_period(%I, ''day'', %L)) FILTER (WHERE %s)',
                                        src.time_column, tz, part.row_filter)
                 ELSE format('(max(%s) FILTER (WHERE %s))::date', part.local_time, part.row_filter) END, i);
        rows := rows || CASE WHEN i > 1 THEN ', ' ELSE '' END
                     || format('(%L, g.v%s, g.n%s, g.z%s, g.d%s)', src.source, i, i, i, i);
        any_row := any_row || CASE WHEN i > 1 THEN ' OR ' ELSE '' END || part.row_filter;
    END LOOP;
    -- the period of a row: in safeidx's C function, or its number among
    -- the period starts (width_bucket), turned into its start here
    IF shipping = 'builtin' THEN
        period_key := CASE WHEN zoned
                           THEN format('width_bucket(%I, %L::timestamptz[])', src.time_column,
                                       (SELECT array_agg((d::timestamp AT TIME ZONE tz) ORDER BY d) FROM unnest(starts) d))
                           ELSE format('width_bucket(%s, %L::timestamp[])', part.local_time, starts::timestamp[]) END;
        period_of := format('(%L::date[])[g.period_key]', starts);
    ELSE
        period_key := CASE WHEN zoned AND shipping = 'safeidx' THEN format('@extschema@.local_period(%I, %s)', src.time_column, spec)
                           WHEN zoned THEN format('@extschema@.local_period(%I, %L, %L)', src.time_column, period, tz)
                           ELSE format('date_trunc(%L, %s)::date', period, part.local_time) END;
        period_of := 'g.period_key';
    END IF;
    IF ncodes IS NOT NULL AND shipping = 'local' AND @extschema@.region_indexed(rel, src.region_column)
       AND ncodes::bigint * 10 <= (SELECT count(DISTINCT r.code) FROM @extschema@.region r) THEN
        grouped := format(
            '(SELECT safeidx_code.code AS region_code, i.*
                FROM (SELECT DISTINCT c AS code FROM unnest($1::text[]) c WHERE c IS NOT NULL) safeidx_code
               CROSS JOIN LATERAL (
                     SELECT %2$s AS period_key %3$s FROM %4$s
                      WHERE %1$I = safeidx_code.code AND %5$s AND (%6$s) GROUP BY 1) i
              UNION ALL
              SELECT NULL::text, %2$s %3$s FROM %4$s
               WHERE %1$I IS NULL AND array_position($1, NULL) IS NOT NULL AND %5$s AND (%6$s)
               GROUP BY 2)',
            src.region_column, period_key, columns, rel, part.time_condition, any_row);
    ELSE
        grouped := format(
            '(SELECT %1$I::text AS region_code, %2$s AS period_key %3$s
                FROM %4$s
               WHERE %5$s AND (%6$s)
                 AND ($1::text[] IS NULL OR %1$I::text = ANY ($1)
                      OR (%1$I IS NULL AND array_position($1, NULL) IS NOT NULL))
               GROUP BY 1, 2)',
            src.region_column, period_key, columns, rel, part.time_condition, any_row);
    END IF;
    sql := format(
        'SELECT x.source, g.region_code, %s AS period_start, x.value, x.source_rows, x.null_rows, x.last_day
           FROM %s g
          CROSS JOIN LATERAL (VALUES %s) x(source, value, source_rows, null_rows, last_day)
          WHERE x.source_rows > 0',
        period_of, grouped, rows);
    owner := src.owner;
END $$;
COMMENT ON FUNCTION @extschema@.source_cells_sql(text[], text, date, date, text, integer) IS
'the query reading sources bound to one departmental table (same relation, columns and owner) for local dates [from, to) cut into periods in time zone tz, checked against the owner''s rights, for ncodes region codes given as $1 (NULL: all; few codes of a local table with an index leading with the region column are read one at a time through it); and that owner (source_cells() runs it as the owner)';

CREATE OR REPLACE FUNCTION @extschema@.source_cells(sources text[], period text, from_date date, to_date date, tz text,
                                                     codes text[] DEFAULT NULL)
RETURNS TABLE (source text, region_code text, period_start date, value float8, source_rows bigint,
               null_rows bigint, last_day date)
AS 'MODULE_PATHNAME', 'source_cells'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.source_cells(text[], text, date, date, text, text[]) IS
'the measure of sources bound to one departmental table per region code and period, for local dates [from, to) cut in time zone tz, and some region codes (NULL: all): read with the rights of the sources'' owner, in a security-restricted operation, never the caller''s';

CREATE OR REPLACE FUNCTION @extschema@.source_counts(source text, period text, from_date date, to_date date,
                                          tz text DEFAULT 'Asia/Shanghai')
RETURNS TABLE (region_code text, period_start date, value float8, source_rows bigint, null_rows bigint)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT from_date < to_date THEN
        RAISE EXCEPTION 'empty date range [%, %)', from_date, to_date
            USING ERRCODE = 'invalid_parameter_value', HINT = 'The range is [from_date, to_date): to_date is the first day after it.';
    END IF;
    RETURN QUERY
    SELECT c.region_code, c.period_start, c.value, c.source_rows, c.null_rows
      FROM @extschema@.source_cells(ARRAY[source_counts.source], source_counts.period, from_date, to_date, tz) c;
END $$;
COMMENT ON FUNCTION @extschema@.source_counts(text, text, date, date, text) IS
'the measure of a source per region code and period between two local dates [from, to), cut in time zone tz (default Asia/Shanghai), read with the rights of the source''s owner; every region code is kept, known or not; value NULL when every row''s measured column is NULL, null_rows the rows whose measured column is NULL (skipped); error 22023 for an empty range';

CREATE OR REPLACE FUNCTION @extschema@.source_unknown_regions(source text, from_date date, to_date date,
                                                   tz text DEFAULT 'Asia/Shanghai')
RETURNS TABLE (region_code text, source_rows bigint, first_day date, last_day date)
LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp AS $$
    -- by day; by year for an integer year column, which has no days
    SELECT c.region_code, sum(c.source_rows)::bigint, min(c.period_start), max(c.period_start)
      FROM @extschema@.source_counts(source,
               CASE WHEN (SELECT @extschema@.is_year_column(@extschema@.source_relation(s), s.time_column)
                            FROM @extschema@.source s WHERE s.source = source_unknown_regions.source)
                    THEN 'year' ELSE 'day' END, from_date, to_date, tz) c
     WHERE NOT EXISTS (SELECT FROM @extschema@.region r
                        WHERE r.code = c.region_code AND r.valid_from <= c.period_start AND c.period_start < r.valid_to)
     GROUP BY c.region_code;
$$;
COMMENT ON FUNCTION @extschema@.source_unknown_regions(text, date, date, text) IS
'departmental rows of a source whose region code is NULL or names no region in force on their day (their year for an integer year column): they are counted here, never dropped silently';
