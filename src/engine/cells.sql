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
-- all codes) and some sources (NULL: all), for one period kind, and the
-- stored baseline pools of the years they fall in (results.sql: cells are
-- only ever written after this).
CREATE OR REPLACE FUNCTION @extschema@.delete_cells(scheme text, period text, from_date date, to_date date, codes text[],
                                                     sources text[] DEFAULT NULL)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
-- planned for the codes given: a generic plan makes "region_code = ANY
-- (codes)" an index condition after the range of period starts, one scan
-- of the range per code (2,500 codes of a day's feed: 5 s, against 15 ms
-- for the range read once with the codes hashed)
SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    DELETE FROM @extschema@.baseline_pool p
     WHERE p.scheme = delete_cells.scheme
       AND p.year BETWEEN extract(year FROM from_date) AND extract(year FROM to_date - 1);
    -- one statement per case, so that the codes are an index condition of
    -- the cell key, never a filter over every cell of the span
    IF codes IS NULL THEN
        DELETE FROM @extschema@.cell c
         WHERE c.scheme = delete_cells.scheme AND c.period = delete_cells.period
           AND c.period_start >= from_date AND c.period_start < to_date
           AND (sources IS NULL OR c.source = ANY (sources));
        RETURN;
    END IF;
    DELETE FROM @extschema@.cell c
     WHERE c.scheme = delete_cells.scheme AND c.period = delete_cells.period
       AND c.period_start >= from_date AND c.period_start < to_date AND c.region_code = ANY (codes)
       AND (sources IS NULL OR c.source = ANY (sources));
    IF array_position(codes, NULL) IS NOT NULL THEN
        DELETE FROM @extschema@.cell c
         WHERE c.scheme = delete_cells.scheme AND c.period = delete_cells.period
           AND c.period_start >= from_date AND c.period_start < to_date AND c.region_code IS NULL
           AND (sources IS NULL OR c.source = ANY (sources));
    END IF;
END $$;
COMMENT ON FUNCTION @extschema@.delete_cells(text, text, date, date, text[], text[]) IS 'deletes the cells of a scheme and period kind in [from, to) for some region codes (NULL: all) and sources (NULL: all), and the stored baseline pools of the years they fall in';

-- Recomputes cells: each departmental table is read once over [from, to)
-- at the scheme's finest period kind for all the additive sources bound to
-- it (each source a FILTER of one GROUP BY; count-distinct sources once per
-- period kind), and the coarser kinds of the periods enclosing [from, to)
-- are summed from the finest cells, which must exist there.  Only the
-- sources of some departmental tables when a refresh knows which changed.
-- Cells are written in period order, so that the results kernel reads a
-- period's cells from a few pages, not one page per cell.  The only
-- function reading departmental tables.
CREATE OR REPLACE FUNCTION @extschema@.build_cells(scheme text, from_date date, to_date date, codes text[] DEFAULT NULL,
                                                    relations text[] DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
-- planned for the codes given, as delete_cells is
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    sc     @extschema@.scheme;
    grp    record;
    finest text;
    kind   text;
    srcs   text[];     -- the sources recomputed (NULL: all)
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
    IF relations IS NOT NULL THEN
        SELECT coalesce(array_agg(s.source), '{}') INTO srcs
          FROM @extschema@.scheme_sources(sc.scheme) s WHERE s.relation = ANY (relations);
    END IF;
    FOREACH kind IN ARRAY @extschema@.finest_first(sc.periods) LOOP
        lo := date_trunc(kind, from_date)::date;
        hi := @extschema@.period_end_after(kind, to_date);
        PERFORM @extschema@.delete_cells(sc.scheme, kind, lo, hi, codes, srcs);
        -- one read per departmental table (and region and time column and
        -- owner) at the finest kind, with the owner's rights; count-distinct
        -- sources at every kind
        FOR grp IN
            SELECT array_agg(s.source ORDER BY s.source) AS sources
              FROM @extschema@.scheme_sources(sc.scheme) s
             WHERE (kind = finest OR s.measure = 'count_distinct') AND (srcs IS NULL OR s.source = ANY (srcs))
             GROUP BY s.relation, s.region_column, s.time_column, s.owner, s.measure = 'count_distinct',
                      CASE WHEN s.measure = 'count_distinct' THEN s.source END
        LOOP
            INSERT INTO @extschema@.cell (scheme, period, period_start, source, region_code, value, source_rows,
                                          null_rows, last_day)
            SELECT sc.scheme, kind, c.period_start, c.source, c.region_code, c.value, c.source_rows,
                   c.null_rows, c.last_day
              FROM @extschema@.source_cells(grp.sources, kind, lo, hi, sc.time_zone, codes) c
             ORDER BY c.period_start;
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
                                                           AND (srcs IS NULL OR s.source = ANY (srcs))
             WHERE c.scheme = sc.scheme AND c.period = finest
               AND c.period_start >= lo AND c.period_start < hi
               AND (codes IS NULL OR c.region_code = ANY (codes)
                    OR (c.region_code IS NULL AND array_position(codes, NULL) IS NOT NULL))
             GROUP BY 3, 4, 5
             ORDER BY 3;
            GET DIAGNOSTICS n = ROW_COUNT;
            total := total + n;
        END IF;
    END LOOP;
    RETURN total;
END $$;
COMMENT ON FUNCTION @extschema@.build_cells(text, date, date, text[], text[]) IS
'recomputes the cells of a scheme from the departmental tables for local dates [from, to), the given region codes (NULL: all) and the sources of the given relations (as source.relation names them; NULL: every source), reading each table once at the finest period kind for all its sources of one owner, with that owner''s rights (source_cells); returns the number of cells written; error 42704 for an unknown scheme';
