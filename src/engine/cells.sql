-- cells.sql: cells: each source's measure per scheme, period and region code, the only
-- part of a computation that reads departmental tables.

-- [state]
CREATE TABLE @extschema@.cell (
    scheme       text NOT NULL,
    period       @extschema@.period_kind NOT NULL,
    period_start date NOT NULL,
    source       text NOT NULL,
    region_code  text,
    value        float8,
    source_rows  bigint NOT NULL,
    null_rows    bigint NOT NULL DEFAULT 0,
    last_day     date NOT NULL,
    UNIQUE NULLS NOT DISTINCT (scheme, period, period_start, source, region_code)
);
COMMENT ON TABLE @extschema@.cell IS
'materialized: the measure of each source per scheme, period and region code as written in the departmental rows (unknown and NULL codes included), cut in the scheme''s time zone: value (NULL when every row''s measured column is NULL), rows, rows whose measured column is NULL, and the local day of the last row';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cell', '');

-- [code]
-- Deletes the cells of a scheme in [from, to) for some region codes (NULL:
-- all codes), for one period kind, and the stored baseline pools of the
-- years they fall in (results.sql: cells are only ever written after this).
CREATE OR REPLACE FUNCTION @extschema@.delete_cells(scheme text, period text, from_date date, to_date date, codes text[])
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM @extschema@.baseline_pool p
     WHERE p.scheme = delete_cells.scheme
       AND p.year BETWEEN extract(year FROM from_date) AND extract(year FROM to_date - 1);
    -- one statement per case, so that the codes are an index condition of
    -- the cell key, never a filter over every cell of the span
    IF codes IS NULL THEN
        DELETE FROM @extschema@.cell c
         WHERE c.scheme = delete_cells.scheme AND c.period = delete_cells.period
           AND c.period_start >= from_date AND c.period_start < to_date;
        RETURN;
    END IF;
    DELETE FROM @extschema@.cell c
     WHERE c.scheme = delete_cells.scheme AND c.period = delete_cells.period
       AND c.period_start >= from_date AND c.period_start < to_date AND c.region_code = ANY (codes);
    IF array_position(codes, NULL) IS NOT NULL THEN
        DELETE FROM @extschema@.cell c
         WHERE c.scheme = delete_cells.scheme AND c.period = delete_cells.period
           AND c.period_start >= from_date AND c.period_start < to_date AND c.region_code IS NULL;
    END IF;
END $$;
COMMENT ON FUNCTION @extschema@.delete_cells(text, text, date, date, text[]) IS 'deletes the cells of a scheme and period kind in [from, to) for some region codes (NULL: all), and the stored baseline pools of the years they fall in';

-- Recomputes cells: each departmental table is read once over [from, to)
-- at the scheme's finest period kind for all the additive sources bound to
-- it (each source a FILTER of one GROUP BY; count-distinct sources once per
-- period kind), and the coarser kinds of the periods enclosing [from, to)
-- are summed from the finest cells, which must exist there.  The only
-- function reading departmental tables.
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
    -- the scheme stays until the cells are written (scheme_follow.sql)
    SELECT * INTO sc FROM @extschema@.scheme s WHERE s.scheme = build_cells.scheme FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown scheme "%"', build_cells.scheme USING ERRCODE = 'undefined_object';
    END IF;
    finest := @extschema@.finest_period(sc.periods);
    FOREACH kind IN ARRAY @extschema@.finest_first(sc.periods) LOOP
        lo := date_trunc(kind, from_date)::date;
        hi := @extschema@.period_end_after(kind, to_date);
        PERFORM @extschema@.delete_cells(sc.scheme, kind, lo, hi, codes);
        -- one read per departmental table (and region and time column and
        -- owner) at the finest kind, with the owner's rights; count-distinct
        -- sources at every kind
        FOR grp IN
            SELECT array_agg(s.source ORDER BY s.source) AS sources
              FROM @extschema@.scheme_sources(sc.scheme) s
             WHERE kind = finest OR s.measure = 'count_distinct'
             GROUP BY s.relation, s.region_column, s.time_column, s.owner, s.measure = 'count_distinct',
                      CASE WHEN s.measure = 'count_distinct' THEN s.source END
        LOOP
            INSERT INTO @extschema@.cell (scheme, period, period_start, source, region_code, value, source_rows,
                                          null_rows, last_day)
            SELECT sc.scheme, kind, c.period_start, c.source, c.region_code, c.value, c.source_rows,
                   c.null_rows, c.last_day
              FROM @extschema@.source_cells(grp.sources, kind, lo, hi, sc.time_zone, codes) c;
            GET DIAGNOSTICS n = ROW_COUNT;
            total := total + n;
        END LOOP;
        -- coarser kinds: sums of the finest cells, added in date order (the
        -- same bits whatever the plan)
        IF kind <> finest THEN
            INSERT INTO @extschema@.cell (scheme, period, period_start, source, region_code, value, source_rows,
                                          null_rows, last_day)
            SELECT sc.scheme, kind, date_trunc(kind, c.period_start)::date, c.source, c.region_code,
                   sum(c.value ORDER BY c.period_start), sum(c.source_rows), sum(c.null_rows), max(c.last_day)
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
'recomputes the cells of a scheme from the departmental tables for local dates [from, to) and the given region codes (NULL: all), reading each table once at the finest period kind for all its sources of one owner, with that owner''s rights (source_cells); returns the number of cells written; error 42704 for an unknown scheme';
