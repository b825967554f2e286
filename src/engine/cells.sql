-- cells.sql: cells: each source's measure per scheme, period and region code, the only
-- part of a computation that reads departmental tables.

-- [state]
CREATE TABLE @extschema@.cell (
    scheme       text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    period       @extschema@.period_kind NOT NULL,
    period_start date NOT NULL,
    source       text NOT NULL,
    region_code  text,
    value        float8 NOT NULL,
    source_rows  bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (scheme, period, period_start, source, region_code)
);
COMMENT ON TABLE @extschema@.cell IS
'materialized: the measure of each source per scheme, period and region code as written in the departmental rows (unknown and NULL codes included), cut in the scheme''s time zone';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cell', '');

-- [code]
-- Deletes the cells of a scheme in [from, to) for some region codes (NULL:
-- all codes), for one period kind.
CREATE OR REPLACE FUNCTION @extschema@.delete_cells(scheme text, period text, from_date date, to_date date, codes text[])
RETURNS void LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    DELETE FROM @extschema@.cell c
     WHERE c.scheme = delete_cells.scheme AND c.period = delete_cells.period
       AND c.period_start >= from_date AND c.period_start < to_date
       AND (codes IS NULL OR c.region_code = ANY (codes)
            OR (c.region_code IS NULL AND array_position(codes, NULL) IS NOT NULL));
$$;
COMMENT ON FUNCTION @extschema@.delete_cells(text, text, date, date, text[]) IS 'deletes the cells of a scheme and period kind in [from, to) for some region codes (NULL: all)';

-- Recomputes cells: each departmental table is read once over [from, to)
-- at the scheme's finest period kind for all the additive sources bound to
-- it (each source a FILTER of one GROUP BY; count-distinct sources once per
-- period kind), and the coarser kinds of the periods enclosing [from, to)
-- are summed from the finest cells, which must exist there.  The only
-- function reading departmental tables.
-- The statement writing the cells of some sources bound to one departmental
-- table (same relation, region and time column) for local dates [lo, hi):
-- one GROUP BY region code and period with a FILTER per source, reading the
-- table once.  Parameters: $1 scheme, $2 period kind, $3 region codes (NULL:
-- all).
CREATE OR REPLACE FUNCTION @extschema@.cells_sql(srcs @extschema@.source[], lo date, hi date, tz text)
RETURNS text LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    src     @extschema@.source;
    part    record;
    columns text := '';
    sources text := '';
    any_row text := '';
BEGIN
    FOR i IN 1 .. cardinality(srcs) LOOP
        src := srcs[i];
        part := @extschema@.source_sql(src, lo, hi, tz);
        columns := columns || format(', (%s FILTER (WHERE %s))::float8 AS v%s, count(*) FILTER (WHERE %s) AS n%s',
            CASE WHEN src.measure = 'count_distinct' THEN format('count(DISTINCT %s)', part.value_expr)
                 ELSE format('sum((%s)::float8)', part.value_expr) END,
            part.row_filter, i, part.row_filter, i);
        sources := sources || CASE WHEN i > 1 THEN ', ' ELSE '' END || format('(%L, g.v%s, g.n%s)', src.source, i, i);
        any_row := any_row || CASE WHEN i > 1 THEN ' OR ' ELSE '' END || part.row_filter;
    END LOOP;
    RETURN format(
        'INSERT INTO @extschema@.cell (scheme, period, period_start, source, region_code, value, source_rows)
         SELECT $1, $2, g.period_start, x.source, g.region_code, x.value, x.source_rows
           FROM (SELECT %I::text AS region_code, date_trunc($2, %s)::date AS period_start %s
                   FROM %s
                  WHERE %s AND (%s)
                    AND ($3::text[] IS NULL OR %I::text = ANY ($3)
                         OR (%I IS NULL AND array_position($3, NULL) IS NOT NULL))
                  GROUP BY 1, 2) g
          CROSS JOIN LATERAL (VALUES %s) x(source, value, source_rows)
          WHERE x.source_rows > 0',
        src.region_column, part.local_time, columns, src.relation, part.time_condition, any_row,
        src.region_column, src.region_column, sources);
END $$;
COMMENT ON FUNCTION @extschema@.cells_sql(@extschema@.source[], date, date, text) IS
'the INSERT writing the cells of sources bound to one departmental table for local dates [lo, hi) in time zone tz, reading the table once (parameters: scheme, period kind, region codes or NULL)';

CREATE OR REPLACE FUNCTION @extschema@.build_cells(scheme text, from_date date, to_date date, codes text[] DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    sc     @extschema@.scheme;
    grp    record;
    finest text;
    kind   text;
    lo     date;
    hi     date;
    n      bigint;
    total  bigint := 0;
BEGIN
    SELECT * INTO STRICT sc FROM @extschema@.scheme s WHERE s.scheme = build_cells.scheme;
    finest := @extschema@.finest_period(sc.periods);
    FOREACH kind IN ARRAY @extschema@.finest_first(sc.periods) LOOP
        lo := date_trunc(kind, from_date)::date;
        hi := @extschema@.period_end_after(kind, to_date);
        PERFORM @extschema@.delete_cells(sc.scheme, kind, lo, hi, codes);
        -- one read per departmental table (and region and time column) at
        -- the finest kind; count-distinct sources at every kind
        FOR grp IN
            SELECT array_agg(s ORDER BY s.source) AS srcs
              FROM @extschema@.scheme_sources(sc.scheme) s
             WHERE kind = finest OR s.measure = 'count_distinct'
             GROUP BY s.relation, s.region_column, s.time_column, s.measure = 'count_distinct',
                      CASE WHEN s.measure = 'count_distinct' THEN s.source END
        LOOP
            EXECUTE @extschema@.cells_sql(grp.srcs, lo, hi, sc.time_zone) USING sc.scheme, kind, codes;
            GET DIAGNOSTICS n = ROW_COUNT;
            total := total + n;
        END LOOP;
        -- coarser kinds: sums of the finest cells
        IF kind <> finest THEN
            INSERT INTO @extschema@.cell (scheme, period, period_start, source, region_code, value, source_rows)
            SELECT sc.scheme, kind, date_trunc(kind, c.period_start)::date, c.source, c.region_code,
                   sum(c.value), sum(c.source_rows)
              FROM @extschema@.cell c
              JOIN @extschema@.scheme_sources(sc.scheme) s ON s.source = c.source AND s.measure <> 'count_distinct'
             WHERE c.scheme = sc.scheme AND c.period = finest
               AND c.period_start >= lo AND c.period_start < hi
               AND (codes IS NULL OR c.region_code = ANY (codes)
                    OR (c.region_code IS NULL AND array_position(codes, NULL) IS NOT NULL))
             GROUP BY 3, 4, 5;
            GET DIAGNOSTICS n = ROW_COUNT;
            total := total + n;
        END IF;
    END LOOP;
    RETURN total;
END $$;
COMMENT ON FUNCTION @extschema@.build_cells(text, date, date, text[]) IS
'recomputes the cells of a scheme from the departmental tables for local dates [from, to) and the given region codes (NULL: all), reading each table once at the finest period kind for all its sources; returns the number of cells written';
