-- build.sql: rebuild and incremental refresh of a scheme's cells and results.

-- [state]
CREATE TABLE @extschema@.built_range (
    scheme       text PRIMARY KEY REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    cells_from   date NOT NULL,
    cells_to     date NOT NULL,
    results_from date NOT NULL,
    results_to   date NOT NULL
);
COMMENT ON TABLE @extschema@.built_range IS
'materialized: a built scheme has cells for local dates [cells_from, cells_to) (from its baselines'' lookback on) and results for periods starting in [results_from, results_to)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.built_range', '');

CREATE TABLE @extschema@.refresh_log (
    scheme       text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('rebuild', 'refresh')),
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL,
    changes      bigint NOT NULL,
    cells        bigint NOT NULL,
    results      bigint NOT NULL,
    first_period date,
    last_period  date
);
COMMENT ON TABLE @extschema@.refresh_log IS
'one row per rebuild or refresh: changes consumed from change_log, cells and region results written, and the starts of the first and last period recomputed (of any kind; NULL when none was)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.refresh_log', '');

-- [code]
-- The years the baselines of a scheme look back (prior_years N; 1 for the
-- same period last year or the previous period; 0 without baselines).
CREATE OR REPLACE FUNCTION @extschema@.lookback_years(scheme text)
RETURNS integer LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(max(CASE i.baseline WHEN 'prior_years' THEN i.baseline_years WHEN 'none' THEN 0 ELSE 1 END), 0)
      FROM @extschema@.indicator i WHERE i.scheme = lookback_years.scheme;
$$;
COMMENT ON FUNCTION @extschema@.lookback_years(text) IS 'the calendar years before its results whose cells a scheme''s baselines read';

CREATE OR REPLACE FUNCTION @extschema@.rebuild(scheme text, from_date date, to_date date DEFAULT NULL)
RETURNS TABLE (period text, periods integer, first_period date, last_period date, results bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    sc       @extschema@.scheme;
    started  timestamptz := clock_timestamp();
    upto     date;
    cells_lo date;
    cells_hi date;
    coarsest text;
    kind     text;
    starts   date[];
    ncells   bigint;
    nresults bigint;
    all_results bigint := 0;
    first_done date;
    last_done  date;
    nchanges bigint;
BEGIN
    SELECT * INTO sc FROM @extschema@.scheme s WHERE s.scheme = rebuild.scheme;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown scheme "%"', rebuild.scheme USING ERRCODE = 'undefined_object';
    END IF;
    upto := coalesce(rebuild.to_date, (now() AT TIME ZONE sc.time_zone)::date + 1);
    IF NOT rebuild.from_date < upto THEN
        RAISE EXCEPTION 'empty date range [%, %) for rebuild of scheme "%"', rebuild.from_date, upto, sc.scheme
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('safeidx refresh ' || sc.scheme));
    coarsest := @extschema@.coarsest_period(sc.periods);
    cells_lo := (date_trunc('year', rebuild.from_date)
                 - make_interval(years => @extschema@.lookback_years(sc.scheme)))::date;
    cells_hi := @extschema@.period_end_after(coarsest, upto);

    -- capture changes from now on; those logged before are covered by the rebuild
    PERFORM @extschema@.capture(s.relation::regclass)
       FROM (SELECT DISTINCT relation FROM @extschema@.scheme_sources(sc.scheme)) s;
    DELETE FROM @extschema@.change_log c WHERE c.scheme = sc.scheme;
    GET DIAGNOSTICS nchanges = ROW_COUNT;
    DELETE FROM @extschema@.cell c WHERE c.scheme = sc.scheme;
    DELETE FROM @extschema@.result r WHERE r.scheme = sc.scheme;
    DELETE FROM @extschema@.result_node r WHERE r.scheme = sc.scheme;
    ncells := @extschema@.build_cells(sc.scheme, cells_lo, cells_hi);
    FOREACH kind IN ARRAY @extschema@.finest_first(sc.periods) LOOP
        starts := @extschema@.period_starts(kind, rebuild.from_date, upto);
        nresults := @extschema@.compute_results(sc.scheme, kind, starts);
        all_results := all_results + nresults;
        first_done := least(first_done, starts[1]);
        last_done := greatest(last_done, starts[cardinality(starts)]);
        period := kind;
        periods := cardinality(starts);
        first_period := starts[1];
        last_period := starts[cardinality(starts)];
        results := nresults;
        RETURN NEXT;
    END LOOP;
    INSERT INTO @extschema@.built_range AS b VALUES (sc.scheme, cells_lo, cells_hi, rebuild.from_date, upto)
        ON CONFLICT (scheme) DO UPDATE
       SET cells_from = excluded.cells_from, cells_to = excluded.cells_to,
           results_from = excluded.results_from, results_to = excluded.results_to;
    INSERT INTO @extschema@.refresh_log VALUES
        (sc.scheme, 'rebuild', started, clock_timestamp(), nchanges, ncells, all_results, first_done, last_done);
END $$;
COMMENT ON FUNCTION @extschema@.rebuild(text, date, date) IS
'recomputes everything of a scheme: cells from the departmental tables (one read per source, back to what the baselines need) and results for periods starting in [from, to) (to: default tomorrow in the scheme''s time zone); one row per period kind';

CREATE OR REPLACE FUNCTION @extschema@.refresh(scheme text)
RETURNS TABLE (period text, periods integer, first_period date, last_period date, results bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    sc       @extschema@.scheme;
    br       @extschema@.built_range;
    started  timestamptz := clock_timestamp();
    coarsest text;
    new_to   date;
    new_cells_to date;
    lo       date;
    hi       date;
    codes    text[];
    every    boolean;
    kind     text;
    starts   date[];
    years    integer;
    ncells   bigint := 0;
    nresults bigint;
    all_results bigint := 0;
    first_done date;
    last_done  date;
    nchanges bigint;
BEGIN
    SELECT * INTO sc FROM @extschema@.scheme s WHERE s.scheme = refresh.scheme;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown scheme "%"', refresh.scheme USING ERRCODE = 'undefined_object';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('safeidx refresh ' || sc.scheme));
    SELECT * INTO br FROM @extschema@.built_range b WHERE b.scheme = sc.scheme;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'scheme "%" has not been built yet', sc.scheme
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run safeidx.rebuild(scheme, from_date) once; refresh then keeps it current.';
    END IF;
    coarsest := @extschema@.coarsest_period(sc.periods);
    years := @extschema@.lookback_years(sc.scheme);
    -- results grow to today; cells to the end of today's coarsest period
    new_to := greatest(br.results_to, (now() AT TIME ZONE sc.time_zone)::date + 1);
    new_cells_to := greatest(br.cells_to, @extschema@.period_end_after(coarsest, new_to));

    -- consume the changes committed so far; rows committed later are
    -- logged again and picked up by the next refresh
    CREATE TEMP TABLE t_changes ON COMMIT DROP AS
    WITH consumed AS (DELETE FROM @extschema@.change_log c WHERE c.scheme = sc.scheme RETURNING c.*)
    SELECT c.region_code, c.every_region, c.results_only,
           greatest(c.first_local::date, br.cells_from) AS lo,
           least(c.last_local::date + 1, br.cells_to) AS hi
      FROM consumed c;
    GET DIAGNOSTICS nchanges = ROW_COUNT;
    DELETE FROM t_changes WHERE NOT lo < hi;

    -- new periods since the last build: every code
    IF new_cells_to > br.cells_to THEN
        ncells := ncells + @extschema@.build_cells(sc.scheme, br.cells_to, new_cells_to);
    END IF;
    -- changed rows inside the built range: the codes changed, over their span
    -- (population and region changes need results recomputed, not cells)
    SELECT min(c.lo), max(c.hi), bool_or(c.every_region), array_agg(DISTINCT c.region_code)
      INTO lo, hi, every, codes FROM t_changes c WHERE NOT c.results_only;
    IF lo IS NOT NULL THEN
        ncells := ncells + @extschema@.build_cells(sc.scheme, lo, hi, CASE WHEN every THEN NULL ELSE codes END);
    END IF;

    FOREACH kind IN ARRAY @extschema@.finest_first(sc.periods) LOOP
        -- periods whose cells changed, those whose baselines read them, and new ones
        WITH touched AS (
            SELECT DISTINCT p AS ps
              FROM t_changes c, unnest(@extschema@.period_starts(kind, c.lo, c.hi)) p),
        affected AS (
            SELECT ps FROM touched
            UNION SELECT (t.ps + interval '1 year')::date FROM touched t WHERE years > 0
            UNION SELECT @extschema@.period_end(kind, t.ps) FROM touched t WHERE years > 0
            UNION SELECT p FROM touched t,
                  unnest(@extschema@.period_starts(kind, (date_trunc('year', t.ps) + interval '1 year')::date,
                                                   (date_trunc('year', t.ps) + make_interval(years => years + 1))::date)) p
             WHERE years > 0
            -- new: starting from results_to on (the period enclosing
            -- results_to starts before it and was computed already)
            UNION SELECT p FROM unnest(@extschema@.period_starts(kind, br.results_to, new_to)) p
             WHERE p >= br.results_to)
        SELECT coalesce(array_agg(a.ps ORDER BY a.ps), '{}') INTO starts FROM affected a
         WHERE a.ps >= date_trunc(kind, br.results_from) AND a.ps < new_to;
        nresults := CASE WHEN cardinality(starts) > 0
                         THEN @extschema@.compute_results(sc.scheme, kind, starts) ELSE 0 END;
        all_results := all_results + nresults;
        first_done := least(first_done, starts[1]);
        last_done := greatest(last_done, starts[cardinality(starts)]);
        period := kind;
        periods := cardinality(starts);
        first_period := starts[1];
        last_period := starts[cardinality(starts)];
        results := nresults;
        RETURN NEXT;
    END LOOP;
    UPDATE @extschema@.built_range b SET cells_to = new_cells_to, results_to = new_to WHERE b.scheme = sc.scheme;
    INSERT INTO @extschema@.refresh_log VALUES
        (sc.scheme, 'refresh', started, clock_timestamp(), nchanges, ncells, all_results, first_done, last_done);
    DROP TABLE t_changes;
END $$;
COMMENT ON FUNCTION @extschema@.refresh(text) IS
'brings a built scheme up to date: recomputes the cells of the region codes and dates changed in the departmental tables since the last refresh (late rows included), then the results of the periods whose cells or baselines changed, and computes new periods up to today; one row per period kind';
