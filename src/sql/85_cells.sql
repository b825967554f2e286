-- safeidx install script, part 85: cells (source measures per scheme, period
-- and region code, the only part of a computation that reads departmental
-- tables) and change capture on the departmental tables.

CREATE FUNCTION @extschema@.period_end(period text, period_start date)
RETURNS date LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT (period_start + @extschema@.period_interval(period))::date;
$$;
COMMENT ON FUNCTION @extschema@.period_end(text, date) IS
'the first day after a period (day, month, quarter, year) starting on a date';

CREATE FUNCTION @extschema@.period_number(period text, period_start date)
RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE period
        WHEN 'day' THEN period_start - date '2000-01-01'
        WHEN 'month' THEN extract(year FROM period_start)::integer * 12 + extract(month FROM period_start)::integer
        WHEN 'quarter' THEN extract(year FROM period_start)::integer * 4 + extract(quarter FROM period_start)::integer
        WHEN 'year' THEN extract(year FROM period_start)::integer END;
$$;
COMMENT ON FUNCTION @extschema@.period_number(text, date) IS
'a number that grows by one from each period to the next (for runs of consecutive periods)';

CREATE TABLE @extschema@.cell (
    scheme       text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    period       text NOT NULL,
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

CREATE TABLE @extschema@.change_log (
    scheme       text NOT NULL,
    relation     text NOT NULL,
    region_code  text,
    every_region boolean NOT NULL DEFAULT false,
    first_local  timestamp NOT NULL,
    last_local   timestamp NOT NULL,
    results_only boolean NOT NULL DEFAULT false,
    logged_at    timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.change_log IS
'departmental rows inserted, updated or deleted since the last refresh of each scheme: region code and the span of their local times (every_region after TRUNCATE or mark_changed without a code); results_only for changed population figures and regions, which change results but no cell';
CREATE INDEX change_log_scheme_idx ON @extschema@.change_log (scheme);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.change_log', '');

-- Sources, with the schemes reading them: the sources of all versions.
CREATE FUNCTION @extschema@.scheme_sources(scheme text)
RETURNS SETOF @extschema@.source LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.* FROM @extschema@.source s
     WHERE EXISTS (SELECT FROM @extschema@.indicator i
                    WHERE i.scheme = scheme_sources.scheme
                      AND s.source = ANY (i.sources || coalesce(i.denominator_sources, '{}')));
$$;
COMMENT ON FUNCTION @extschema@.scheme_sources(text) IS 'the sources read by any version of a scheme';

-- Statement trigger on a departmental table: log, for every scheme reading
-- it, the region codes and local time span of the rows changed.
CREATE FUNCTION @extschema@.capture_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s record;
    local_time text;
    transition text;
BEGIN
    FOR s IN
        SELECT DISTINCT sc.scheme, sc.time_zone, src.region_column, src.time_column,
               @extschema@.source_column_type(TG_RELID, src.time_column, 'time') AS time_type
          FROM @extschema@.source src
          JOIN @extschema@.indicator i ON src.source = ANY (i.sources || coalesce(i.denominator_sources, '{}'))
          JOIN @extschema@.scheme sc ON sc.scheme = i.scheme
         WHERE to_regclass(src.relation) = TG_RELID
    LOOP
        IF TG_OP = 'TRUNCATE' THEN
            INSERT INTO @extschema@.change_log (scheme, relation, region_code, every_region, first_local, last_local)
            VALUES (s.scheme, TG_RELID::regclass::text, NULL, true, '-infinity', 'infinity');
            CONTINUE;
        END IF;
        local_time := CASE WHEN s.time_type = 'timestamp with time zone'::regtype
                           THEN format('(%I AT TIME ZONE %L)', s.time_column, s.time_zone)
                           ELSE format('%I::timestamp', s.time_column) END;
        FOREACH transition IN ARRAY CASE TG_OP WHEN 'INSERT' THEN '{new_rows}'::text[]
                                               WHEN 'DELETE' THEN '{old_rows}'::text[]
                                               ELSE '{old_rows,new_rows}'::text[] END
        LOOP
            EXECUTE format(
                'INSERT INTO @extschema@.change_log (scheme, relation, region_code, first_local, last_local)
                 SELECT %L, %L, %I::text, min(%s), max(%s) FROM %I WHERE %I IS NOT NULL GROUP BY 3',
                s.scheme, TG_RELID::regclass::text, s.region_column, local_time, local_time,
                transition, s.time_column);
        END LOOP;
    END LOOP;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.capture_changes() IS
'statement trigger installed by safeidx.capture() on departmental tables: logs changed region codes and time spans in safeidx.change_log';

-- Statement triggers on population and region: every scheme's results over
-- the dates whose figures or hierarchy changed must be recomputed (cells
-- are unchanged: they are kept per raw region code).
CREATE FUNCTION @extschema@.capture_catalogue_changes() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    transition text;
BEGIN
    FOREACH transition IN ARRAY CASE TG_OP WHEN 'INSERT' THEN '{new_rows}'::text[]
                                           WHEN 'DELETE' THEN '{old_rows}'::text[]
                                           ELSE '{old_rows,new_rows}'::text[] END
    LOOP
        EXECUTE format(
            'INSERT INTO @extschema@.change_log (scheme, relation, region_code, every_region, first_local, last_local, results_only)
             SELECT s.scheme, %L, NULL, true, t.first_day, t.last_day - interval ''1 microsecond'', true
               FROM @extschema@.scheme s,
                    (SELECT min(%s)::timestamp AS first_day, max(%s)::timestamp AS last_day FROM %I) t
              WHERE t.first_day IS NOT NULL',
            TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME,
            CASE TG_TABLE_NAME WHEN 'population' THEN 'period_start' ELSE 'valid_from' END,
            CASE TG_TABLE_NAME WHEN 'population' THEN '@extschema@.period_end(period, period_start)' ELSE 'valid_to' END,
            transition);
    END LOOP;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.capture_catalogue_changes() IS
'statement trigger on safeidx.population and safeidx.region: tells every scheme to recompute its results over the dates whose population figures or regions changed';
CREATE TRIGGER population_changes_insert AFTER INSERT ON @extschema@.population
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE TRIGGER population_changes_update AFTER UPDATE ON @extschema@.population
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE TRIGGER population_changes_delete AFTER DELETE ON @extschema@.population
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE TRIGGER region_changes_insert AFTER INSERT ON @extschema@.region
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE TRIGGER region_changes_update AFTER UPDATE ON @extschema@.region
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE TRIGGER region_changes_delete AFTER DELETE ON @extschema@.region
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();

CREATE FUNCTION @extschema@.capture(relation regclass)
RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    kind "char";
BEGIN
    SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = relation;
    IF kind NOT IN ('r', 'p') THEN
        RETURN false;       -- views, foreign tables: use safeidx.mark_changed()
    END IF;
    IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = relation AND tgname = 'safeidx_capture_insert') THEN
        EXECUTE format('CREATE TRIGGER safeidx_capture_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_changes()', relation);
        EXECUTE format('CREATE TRIGGER safeidx_capture_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_changes()', relation);
        EXECUTE format('CREATE TRIGGER safeidx_capture_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_changes()', relation);
        EXECUTE format('CREATE TRIGGER safeidx_capture_truncate AFTER TRUNCATE ON %s
                        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_changes()', relation);
    END IF;
    RETURN true;
END $$;
COMMENT ON FUNCTION @extschema@.capture(regclass) IS
'installs the change-capture triggers safeidx_capture_* on a departmental table (rebuild() does it for every table its scheme reads); false for views and foreign tables, whose changes must be reported with safeidx.mark_changed()';


CREATE FUNCTION @extschema@.mark_changed(source text, from_date date, to_date date, region_code text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    src @extschema@.source;
    logged bigint;
BEGIN
    SELECT * INTO src FROM @extschema@.source s WHERE s.source = mark_changed.source;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown source "%"', source USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT from_date < to_date THEN
        RAISE EXCEPTION 'empty date range [%, %)', from_date, to_date USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO @extschema@.change_log (scheme, relation, region_code, every_region, first_local, last_local)
    SELECT DISTINCT i.scheme, src.relation, mark_changed.region_code, mark_changed.region_code IS NULL,
           from_date, to_date::timestamp - interval '1 microsecond'
      FROM @extschema@.indicator i
     WHERE src.source = ANY (i.sources || coalesce(i.denominator_sources, '{}'));
    GET DIAGNOSTICS logged = ROW_COUNT;
    RETURN logged;
END $$;
COMMENT ON FUNCTION @extschema@.mark_changed(text, date, date, text) IS
'reports changed rows of a source by hand (views, foreign tables, bulk loads with triggers disabled): local dates [from, to), one region code or all; returns the number of schemes told';

CREATE FUNCTION @extschema@.finest_first(periods text[])
RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT array_agg(p ORDER BY array_position('{day,month,quarter,year}'::text[], p)) FROM unnest(periods) p;
$$;
COMMENT ON FUNCTION @extschema@.finest_first(text[]) IS 'period kinds sorted from the finest (day) to the coarsest (year)';

-- The finest period kind of a scheme: cells are scanned at this kind and
-- summed into the coarser ones.
CREATE FUNCTION @extschema@.finest_period(periods text[])
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT (@extschema@.finest_first(periods))[1];
$$;
COMMENT ON FUNCTION @extschema@.finest_period(text[]) IS 'the finest of some period kinds: cells are read at this kind and summed into the others';

-- Deletes the cells of a scheme in [from, to) for some region codes (NULL:
-- all codes), for one period kind.
CREATE FUNCTION @extschema@.delete_cells(scheme text, period text, from_date date, to_date date, codes text[])
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
CREATE FUNCTION @extschema@.build_cells(scheme text, from_date date, to_date date, codes text[] DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    sc      @extschema@.scheme;
    src     @extschema@.source;
    grp     record;
    part    record;
    finest  text;
    kind    text;
    lo      date;
    hi      date;
    i       integer;
    columns text;
    sources text;
    any_row text;
    n       bigint;
    total   bigint := 0;
BEGIN
    SELECT * INTO STRICT sc FROM @extschema@.scheme s WHERE s.scheme = build_cells.scheme;
    finest := @extschema@.finest_period(sc.periods);
    FOREACH kind IN ARRAY @extschema@.finest_first(sc.periods) LOOP
        lo := date_trunc(kind, from_date)::date;
        hi := @extschema@.period_end(kind, date_trunc(kind, to_date - 1)::date);
        PERFORM @extschema@.delete_cells(sc.scheme, kind, lo, hi, codes);
        -- one read per departmental table (and region and time column) at
        -- the finest kind; count-distinct sources at every kind
        FOR grp IN
            SELECT s.relation, s.region_column, s.time_column, array_agg(s ORDER BY s.source) AS srcs
              FROM @extschema@.scheme_sources(sc.scheme) s
             WHERE kind = finest OR s.measure = 'count_distinct'
             GROUP BY s.relation, s.region_column, s.time_column, s.measure = 'count_distinct',
                      CASE WHEN s.measure = 'count_distinct' THEN s.source END
        LOOP
            columns := '';
            sources := '';
            any_row := '';
            FOR i IN 1 .. cardinality(grp.srcs) LOOP
                src := grp.srcs[i];
                part := @extschema@.source_sql(src, lo, hi, sc.time_zone);
                columns := columns || format(', (%s FILTER (WHERE %s))::float8 AS v%s, count(*) FILTER (WHERE %s) AS n%s',
                    CASE WHEN src.measure = 'count_distinct' THEN format('count(DISTINCT %s)', part.value_expr)
                         ELSE format('sum((%s)::float8)', part.value_expr) END,
                    part.row_filter, i, part.row_filter, i);
                sources := sources || CASE WHEN i > 1 THEN ', ' ELSE '' END || format('(%L, g.v%s, g.n%s)', src.source, i, i);
                any_row := any_row || CASE WHEN i > 1 THEN ' OR ' ELSE '' END || part.row_filter;
            END LOOP;
            EXECUTE format(
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
                grp.region_column, part.local_time, columns, grp.relation, part.time_condition, any_row,
                grp.region_column, grp.region_column, sources)
            USING sc.scheme, kind, codes;
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
