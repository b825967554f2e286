-- poll.sql: changes without triggers: a source's watermark (a monotonically increasing id
-- or a last-modified time) polled by refresh, and the full comparison of cells that finds
-- what a watermark cannot see (deletes, rows moved to another region or date).

-- [state]
CREATE TABLE @extschema@.source_watermark (
    source           text PRIMARY KEY REFERENCES @extschema@.source ON UPDATE CASCADE ON DELETE CASCADE,
    watermark_column name NOT NULL,
    high             text NOT NULL,
    polled_at        timestamptz NOT NULL
);
COMMENT ON TABLE @extschema@.source_watermark IS
'materialized: the highest value of each source''s watermark column that refresh has taken in (its text form, compared in the column''s type), and when it was polled; rows past it are new or changed';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.source_watermark', '');

-- [code]
-- A source's watermark column: an integer (an id from a sequence) or a
-- timestamp (last modified) that its owner may read.
CREATE OR REPLACE FUNCTION @extschema@.source_watermark_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel regclass;
    t   regtype;
BEGIN
    IF NEW.watermark_column IS NULL THEN
        RETURN NEW;
    END IF;
    rel := @extschema@.source_relation(NEW);           -- source_valid() found it already
    t := @extschema@.source_column_type(rel, NEW.watermark_column, 'watermark');
    IF t NOT IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype,
                 'timestamp with time zone'::regtype, 'timestamp without time zone'::regtype) THEN
        RAISE EXCEPTION 'watermark column "%" of source "%" has type %, not an integer or a timestamp',
            NEW.watermark_column, NEW.source, t
            USING ERRCODE = 'datatype_mismatch',
                  HINT = 'Name a monotonically increasing id or a last-modified time (doc/deployments.md).';
    END IF;
    IF NOT has_column_privilege(NEW.owner, rel, NEW.watermark_column, 'SELECT') THEN
        RAISE EXCEPTION 'the owner of source "%", role %, may not read column "%" of %',
            NEW.source, NEW.owner, NEW.watermark_column, rel
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.source_watermark_check() IS
'trigger on safeidx.source: its watermark column exists (42703), is an integer or a timestamp (42804) and its owner may read it (42501)';
-- after source_valid (triggers fire in name order), which resolves the relation
CREATE OR REPLACE TRIGGER source_watermark_valid BEFORE INSERT OR UPDATE ON @extschema@.source
    FOR EACH ROW EXECUTE FUNCTION @extschema@.source_watermark_check();

-- The query of a source's rows past its watermark: per region code and UTC
-- day (date_bin, which postgres_fdw ships), the first and last time (a
-- timestamptz as it is; other times as local timestamps) and the highest
-- watermark value of all the rows read; every row when no watermark is
-- stored for the column named now.
CREATE OR REPLACE FUNCTION @extschema@.source_changes_sql(source text, OUT sql text, OUT owner name)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    src    @extschema@.source;
    rel    regclass;
    wm     @extschema@.source_watermark;
    tt     regtype;
    wt     regtype;
    zoned  boolean;
    bucket text;
    local_time text;
BEGIN
    SELECT * INTO src FROM @extschema@.source s WHERE s.source = source_changes_sql.source;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown source "%"', source USING ERRCODE = 'undefined_object';
    END IF;
    IF src.watermark_column IS NULL THEN
        RAISE EXCEPTION 'source "%" names no watermark column', src.source
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Set safeidx.source.watermark_column, or report changes with safeidx.mark_changed().';
    END IF;
    rel := @extschema@.source_relation(src);
    IF rel IS NULL THEN
        RAISE EXCEPTION 'relation "%" of source "%" does not exist', src.relation, src.source USING ERRCODE = 'undefined_table';
    END IF;
    PERFORM @extschema@.check_source_columns(src, rel);
    wt := @extschema@.source_column_type(rel, src.watermark_column, 'watermark');
    IF NOT has_column_privilege(src.owner, rel, src.watermark_column, 'SELECT') THEN
        RAISE EXCEPTION 'the owner of source "%", role %, may not read column "%" of %',
            src.source, src.owner, src.watermark_column, rel USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO wm FROM @extschema@.source_watermark w
     WHERE w.source = src.source AND w.watermark_column = src.watermark_column;
    tt := @extschema@.source_column_type(rel, src.time_column, 'time');
    zoned := tt = 'timestamp with time zone'::regtype;
    local_time := @extschema@.local_time_sql(rel, src.time_column, 'UTC');
    bucket := CASE WHEN zoned THEN format('date_bin(''1 day'', %I, ''2000-01-01 00:00:00+00''::timestamptz)', src.time_column)
                   WHEN @extschema@.is_year_column(rel, src.time_column) THEN format('%I', src.time_column)
                   ELSE format('date_bin(''1 day'', %I::timestamp, ''2000-01-01''::timestamp)', src.time_column) END;
    sql := format(
        'SELECT %I::text AS region_code, %s AS first_at, %s AS last_at, %s AS first_local, %s AS last_local,
                (max(max(%I)) OVER ())::text AS high
           FROM %s
          WHERE %s
          GROUP BY %I, %s',
        src.region_column,
        CASE WHEN zoned THEN format('min(%I)', src.time_column) ELSE 'NULL::timestamptz' END,
        CASE WHEN zoned THEN format('max(%I)', src.time_column) ELSE 'NULL::timestamptz' END,
        CASE WHEN zoned THEN 'NULL::timestamp' ELSE format('min(%s)', local_time) END,
        CASE WHEN zoned THEN 'NULL::timestamp' ELSE format('max(%s)', local_time) END,
        src.watermark_column, rel,
        CASE WHEN wm.high IS NULL THEN format('%I IS NOT NULL', src.watermark_column)
             ELSE format('%I > %L::%s', src.watermark_column, wm.high, wt) END,
        src.region_column, bucket);
    owner := src.owner;
END $$;
COMMENT ON FUNCTION @extschema@.source_changes_sql(text) IS
'the query of a source''s rows past its stored watermark, grouped by region code and UTC day (first and last time, the highest watermark value), checked against the owner''s rights; and that owner (source_changes() runs it as the owner)';

CREATE OR REPLACE FUNCTION @extschema@.source_changes(source text)
RETURNS TABLE (region_code text, first_at timestamptz, last_at timestamptz, first_local timestamp,
               last_local timestamp, high text)
AS 'MODULE_PATHNAME', 'source_changes'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.source_changes(text) IS
'the rows of a source past its stored watermark, per region code and UTC day: first and last time (timestamptz, or local for other time columns) and the highest watermark value read; read with the rights of the source''s owner (on another server, with the owner''s user mapping)';

-- Polls the watermarks of a scheme's sources: the rows past each one are
-- logged in change_log, as the capture triggers log theirs, for every
-- scheme reading the source (their region codes and local time spans in
-- each scheme's time zone), and the watermark moves to the highest value
-- read.  Called by refresh() and rebuild() (which then drops what it
-- logged for the scheme it rebuilds).  A row whose watermark is NULL is
-- never seen; deletes and the old region or time of an updated row are not
-- seen either: compare_cells() or mark_changed() report those.
CREATE OR REPLACE FUNCTION @extschema@.poll_changes(scheme text)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    src    @extschema@.source;
    top    text;
    n      bigint;
    total  bigint := 0;
BEGIN
    IF NOT EXISTS (SELECT FROM @extschema@.scheme s WHERE s.scheme = poll_changes.scheme) THEN
        RAISE EXCEPTION 'unknown scheme "%"', poll_changes.scheme USING ERRCODE = 'undefined_object';
    END IF;
    FOR src IN SELECT s.* FROM @extschema@.source s
                WHERE s.watermark_column IS NOT NULL
                  AND s.source IN (SELECT x.source FROM @extschema@.scheme_sources(poll_changes.scheme) x)
                ORDER BY s.source LOOP
        -- one poll of a source at a time (two schemes refreshing at once)
        PERFORM pg_advisory_xact_lock(hashtext('safeidx poll ' || src.source));
        WITH changed AS MATERIALIZED (SELECT * FROM @extschema@.source_changes(src.source)),
        logged AS (
            INSERT INTO @extschema@.change_log (scheme, relation, region_code, first_local, last_local)
            SELECT t.scheme, src.relation, c.region_code,
                   coalesce(c.first_local, c.first_at AT TIME ZONE t.time_zone),
                   coalesce(c.last_local, c.last_at AT TIME ZONE t.time_zone)
              FROM changed c,
                   (SELECT DISTINCT i.scheme, sc.time_zone
                      FROM @extschema@.indicator_source i
                      JOIN @extschema@.scheme sc ON sc.scheme = i.scheme
                     WHERE i.source = src.source) t
             WHERE coalesce(c.first_local, c.first_at AT TIME ZONE t.time_zone) IS NOT NULL
            RETURNING 1)
        SELECT (SELECT count(*) FROM changed), (SELECT max(c.high) FROM changed c) INTO n, top;
        IF top IS NOT NULL THEN
            INSERT INTO @extschema@.source_watermark AS w VALUES (src.source, src.watermark_column, top, now())
                ON CONFLICT ON CONSTRAINT source_watermark_pkey DO UPDATE
               SET watermark_column = excluded.watermark_column, high = excluded.high, polled_at = excluded.polled_at;
        END IF;
        total := total + n;
    END LOOP;
    RETURN total;
END $$;
COMMENT ON FUNCTION @extschema@.poll_changes(text) IS
'polls the watermark of every source of a scheme that names one (foreign tables, which carry no capture triggers): logs the rows past it in change_log for every scheme reading the source and moves it on; returns the number of region-and-day groups found; deletes and the old side of updates are not seen (compare_cells, mark_changed)';

-- The full comparison: the finest cells of a scheme recomputed from the
-- departmental tables (cells only cross the network) against the stored
-- ones over local dates [from, to) (default: the cells kept); each cell
-- that differs, appeared or vanished is logged in change_log, so that the
-- next refresh recomputes it.  Finds what no watermark sees: deletes, the
-- old region or date of an updated row, rows committed behind the
-- watermark.  Returns the number of cells that differ.
CREATE OR REPLACE FUNCTION @extschema@.compare_cells(scheme text, from_date date DEFAULT NULL, to_date date DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    sc     @extschema@.scheme;
    br     @extschema@.built_range;
    grp    record;
    finest text;
    lo     date;
    hi     date;
    n      bigint;
    total  bigint := 0;
BEGIN
    SELECT * INTO sc FROM @extschema@.scheme s WHERE s.scheme = compare_cells.scheme;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown scheme "%"', compare_cells.scheme USING ERRCODE = 'undefined_object';
    END IF;
    SELECT * INTO br FROM @extschema@.built_range b WHERE b.scheme = sc.scheme;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'scheme "%" has not been built yet', sc.scheme
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    finest := @extschema@.finest_period(sc.periods);
    lo := date_trunc(finest, greatest(coalesce(from_date, br.cells_from), br.cells_from))::date;
    hi := @extschema@.period_end_after(finest, least(coalesce(to_date, br.cells_to), br.cells_to));
    IF NOT lo < hi THEN
        RAISE EXCEPTION 'empty date range [%, %) for the cells of scheme "%"', lo, hi, sc.scheme
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR grp IN
        SELECT array_agg(s.source ORDER BY s.source) AS sources, min(s.relation) AS relation
          FROM @extschema@.scheme_sources(sc.scheme) s
         GROUP BY s.relation, s.region_column, s.time_column, s.owner, s.measure = 'count_distinct',
                  CASE WHEN s.measure = 'count_distinct' THEN s.source END
    LOOP
        INSERT INTO @extschema@.change_log (scheme, relation, region_code, first_local, last_local)
        SELECT sc.scheme, grp.relation, d.region_code, min(d.period_start),
               max(@extschema@.period_end(finest, d.period_start))::timestamp - interval '1 microsecond'
          FROM (SELECT x.region_code, x.period_start
                  FROM (SELECT c.source, c.region_code, c.period_start, c.value, c.source_rows, c.null_rows, c.last_day
                          FROM @extschema@.source_cells(grp.sources, finest, lo, hi, sc.time_zone) c
                        UNION ALL
                        SELECT c.source, c.region_code, c.period_start, c.value, c.source_rows, c.null_rows, c.last_day
                          FROM @extschema@.cell c
                         WHERE c.scheme = sc.scheme AND c.period = finest AND c.source = ANY (grp.sources)
                           AND c.period_start >= lo AND c.period_start < hi) x
                 GROUP BY x.source, x.region_code, x.period_start
                HAVING count(*) <> 2
                    OR count(DISTINCT ROW(x.value, x.source_rows, x.null_rows, x.last_day)) <> 1) d
         GROUP BY d.region_code, d.period_start;
        GET DIAGNOSTICS n = ROW_COUNT;
        total := total + n;
    END LOOP;
    RETURN total;
END $$;
COMMENT ON FUNCTION @extschema@.compare_cells(text, date, date) IS
'recomputes the finest cells of a built scheme from the departmental tables over local dates [from, to) (default: the cells kept) and logs every cell that differs from the stored one in change_log for the next refresh (deletes, moved rows, rows behind a watermark); returns the number of region-and-period cells logged';
