-- build.sql: rebuild and incremental refresh of a scheme's cells and results.

-- [state]
CREATE TABLE @extschema@.built_range (
    scheme       text PRIMARY KEY REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    cells_from   date NOT NULL,
    cells_to     date NOT NULL,
    results_from date NOT NULL,
    results_to   date NOT NULL,
    delivery     jsonb
);
COMMENT ON TABLE @extschema@.built_range IS
'materialized: a built scheme has cells for local dates [cells_from, cells_to) (from its baselines'' lookback on) and results for periods starting in [results_from, results_to), computed when the sources had delivered what delivery records ({source: [from, through]}; NULL before 0.4.0)';
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

-- The prologue of rebuild() and refresh(): the scheme, or 42704; one build
-- of a scheme at a time (the lock is held to the end of the transaction).
CREATE OR REPLACE FUNCTION @extschema@.scheme_to_build(scheme text)
RETURNS @extschema@.scheme LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    sc @extschema@.scheme;
BEGIN
    SELECT * INTO sc FROM @extschema@.scheme s WHERE s.scheme = scheme_to_build.scheme;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown scheme "%"', scheme_to_build.scheme USING ERRCODE = 'undefined_object';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('safeidx refresh ' || sc.scheme));
    RETURN sc;
END $$;
COMMENT ON FUNCTION @extschema@.scheme_to_build(text) IS
'the scheme rebuild() and refresh() work on (error 42704 if unknown), locked against another build of it until the end of the transaction';

-- The loop of rebuild() and refresh(): the results of the period starts
-- planned for each period kind ({"month": [...], ...}), finest kind first;
-- one row per kind, and one row of refresh_log for the whole build.
CREATE OR REPLACE FUNCTION @extschema@.compute_planned(sc @extschema@.scheme, plan jsonb, build_kind text,
                                                        started timestamptz, changes bigint, cells bigint)
RETURNS TABLE (period text, periods integer, first_period date, last_period date, results bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    kind   text;
    starts date[];
    total  bigint := 0;
    first_done date;
    last_done  date;
BEGIN
    FOREACH kind IN ARRAY @extschema@.finest_first(sc.periods) LOOP
        SELECT coalesce(array_agg(d::date ORDER BY d::date), '{}') INTO starts
          FROM jsonb_array_elements_text(coalesce(plan -> kind, '[]')) d;
        period := kind;
        periods := cardinality(starts);
        first_period := starts[1];
        last_period := starts[cardinality(starts)];
        results := CASE WHEN periods > 0 THEN @extschema@.compute_results(sc.scheme, kind, starts) ELSE 0 END;
        -- the alarms of the periods recomputed and of
        -- those after them, whose series read them (warning.sql)
        IF periods > 0 THEN
            PERFORM @extschema@.compute_alarms(sc.scheme, kind, starts[1]);
        END IF;
        total := total + results;
        first_done := least(first_done, first_period);
        last_done := greatest(last_done, last_period);
        RETURN NEXT;
    END LOOP;
    INSERT INTO @extschema@.refresh_log VALUES
        (sc.scheme, build_kind, started, clock_timestamp(), changes, cells, total, first_done, last_done);
END $$;
COMMENT ON FUNCTION @extschema@.compute_planned(@extschema@.scheme, jsonb, text, timestamptz, bigint, bigint) IS
'computes the results of the period starts planned per period kind, finest first, and logs the build in refresh_log; one row per period kind (used by rebuild and refresh)';

CREATE OR REPLACE FUNCTION @extschema@.rebuild(scheme text, from_date date, to_date date DEFAULT NULL)
RETURNS TABLE (period text, periods integer, first_period date, last_period date, results bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    started  timestamptz := clock_timestamp();
    sc       @extschema@.scheme := @extschema@.scheme_to_build(scheme);
    upto     date := coalesce(to_date, (now() AT TIME ZONE sc.time_zone)::date + 1);
    cells_lo date := (date_trunc('year', from_date) - make_interval(years => @extschema@.lookback_years(sc.scheme)))::date;
    -- cells through today's coarsest period, as refresh keeps them: the
    -- dates a source has delivered are derived from them
    cells_hi date := @extschema@.period_end_after(@extschema@.coarsest_period(sc.periods),
                                                  greatest(upto, (now() AT TIME ZONE sc.time_zone)::date + 1));
    plan     jsonb;
    nchanges bigint;
    ncells   bigint;
    snapshot jsonb;
BEGIN
    IF NOT from_date < upto THEN
        RAISE EXCEPTION 'empty date range [%, %) for rebuild of scheme "%"', from_date, upto, sc.scheme
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM @extschema@.sync_reference();    -- bound regions and population first (reference.sql)
    -- capture changes from now on; those logged before are covered by the rebuild
    PERFORM @extschema@.capture_scheme(sc.scheme);
    PERFORM @extschema@.poll_changes(sc.scheme);    -- sources' watermarks (poll.sql) taken in here too
    DELETE FROM @extschema@.change_log c WHERE c.scheme = sc.scheme;
    GET DIAGNOSTICS nchanges = ROW_COUNT;
    DELETE FROM @extschema@.cell c WHERE c.scheme = sc.scheme;
    DELETE FROM @extschema@.result r WHERE r.scheme = sc.scheme;
    DELETE FROM @extschema@.result_node r WHERE r.scheme = sc.scheme;
    DELETE FROM @extschema@.alarm a WHERE a.scheme = sc.scheme;
    DELETE FROM @extschema@.baseline_pool p WHERE p.scheme = sc.scheme;
    ncells := @extschema@.build_cells(sc.scheme, cells_lo, cells_hi);
    INSERT INTO @extschema@.built_range AS b VALUES (sc.scheme, cells_lo, cells_hi, from_date, upto)
        ON CONFLICT ON CONSTRAINT built_range_pkey DO UPDATE
       SET cells_from = excluded.cells_from, cells_to = excluded.cells_to,
           results_from = excluded.results_from, results_to = excluded.results_to;
    -- no period beyond the latest date a source has delivered
    snapshot := @extschema@.delivery_snapshot(sc.scheme);
    IF coalesce(@extschema@.latest_delivery(snapshot) + 1, from_date) < upto THEN
        upto := greatest(from_date, coalesce(@extschema@.latest_delivery(snapshot) + 1, from_date));
        RAISE NOTICE 'scheme "%": no source has delivered data after %, so no period starting later is computed',
            sc.scheme, coalesce(@extschema@.latest_delivery(snapshot)::text, 'any date');
    END IF;
    UPDATE @extschema@.built_range b SET results_to = upto, delivery = snapshot WHERE b.scheme = sc.scheme;
    SELECT jsonb_object_agg(k, CASE WHEN from_date < upto THEN @extschema@.period_starts(k, from_date, upto) ELSE '{}' END)
      INTO plan FROM unnest(sc.periods) k;
    RETURN QUERY SELECT * FROM @extschema@.compute_planned(sc, plan, 'rebuild', started, nchanges, ncells);
END $$;
COMMENT ON FUNCTION @extschema@.rebuild(text, date, date) IS
'recomputes everything of a scheme: cells from the departmental tables (one read per source, from what the baselines need through today''s coarsest period, as refresh keeps them) and results for periods starting in [from, to) (to: default tomorrow in the scheme''s time zone), but none after the latest date a source has delivered (source_delivery); one row per period kind';

-- The periods of one kind a refresh recomputes: those holding changed dates
-- (spans [lo, hi)), those whose baselines read them (the next period, the
-- same period a year on, the years of prior-years baselines), and the new
-- ones from results_to on; all within [results_from, new_to).
CREATE OR REPLACE FUNCTION @extschema@.periods_to_refresh(kind text, spans daterange[], years integer,
                                                           results_from date, results_to date, new_to date)
RETURNS date[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    -- the spans merged first: a day's feed logs a span per region code
    WITH merged AS (SELECT unnest(range_agg(s)) AS c FROM unnest(spans) s),
    touched AS (
        SELECT DISTINCT p AS ps
          FROM merged m, unnest(@extschema@.period_starts(kind, lower(m.c), upper(m.c))) p),
    affected AS (
        SELECT ps FROM touched
        UNION SELECT (t.ps + interval '1 year')::date FROM touched t WHERE years > 0
        UNION SELECT @extschema@.period_end(kind, t.ps) FROM touched t WHERE years > 0
        UNION SELECT p FROM touched t,
              unnest(@extschema@.period_starts(kind, (date_trunc('year', t.ps) + interval '1 year')::date,
                                               (date_trunc('year', t.ps) + make_interval(years => years + 1))::date)) p
         WHERE years > 0
        -- new: from results_to on (the period enclosing results_to starts
        -- before it and was computed already)
        UNION SELECT p FROM unnest(@extschema@.period_starts(kind, results_to, new_to)) p WHERE p >= results_to)
    SELECT coalesce(array_agg(a.ps ORDER BY a.ps), '{}') FROM affected a
     WHERE a.ps >= date_trunc(kind, results_from) AND a.ps < new_to;
$$;
COMMENT ON FUNCTION @extschema@.periods_to_refresh(text, daterange[], integer, date, date, date) IS
'the period starts of one kind a refresh recomputes: periods holding changed dates, those whose baselines read them, and new ones, within the built range';

CREATE OR REPLACE FUNCTION @extschema@.refresh(scheme text)
RETURNS TABLE (period text, periods integer, first_period date, last_period date, results bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    started  timestamptz := clock_timestamp();
    sc       @extschema@.scheme := @extschema@.scheme_to_build(scheme);
    br       @extschema@.built_range;
    new_to   date;
    new_cells_to date;
    spans    daterange[];
    changed  jsonb;          -- per departmental table: span, codes, every code
    tbl      jsonb;
    plan     jsonb;
    nchanges bigint;
    ncells   bigint := 0;
    snapshot jsonb;
BEGIN
    SELECT * INTO br FROM @extschema@.built_range b WHERE b.scheme = sc.scheme;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'scheme "%" has not been built yet', sc.scheme
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run safeidx.rebuild(scheme, from_date) once; refresh then keeps it current.';
    END IF;
    PERFORM @extschema@.sync_reference();    -- bound regions and population first, logged in change_log
    -- results grow to today; cells to the end of today's coarsest period
    new_to := greatest(br.results_to, (now() AT TIME ZONE sc.time_zone)::date + 1);
    new_cells_to := greatest(br.cells_to, @extschema@.period_end_after(@extschema@.coarsest_period(sc.periods), new_to));

    PERFORM @extschema@.poll_changes(sc.scheme);    -- rows past the sources' watermarks (poll.sql) into change_log
    -- consume the changes committed so far (rows committed later are logged
    -- again and picked up by the next refresh), clipped to the cells kept
    WITH consumed AS (DELETE FROM @extschema@.change_log c WHERE c.scheme = sc.scheme RETURNING c.*),
    clipped AS (
        SELECT c.relation, c.region_code, c.every_region, c.results_only,
               CASE WHEN greatest(c.first_local::date, br.cells_from) < least(c.last_local::date + 1, br.cells_to)
                    THEN daterange(greatest(c.first_local::date, br.cells_from), least(c.last_local::date + 1, br.cells_to))
                    ELSE 'empty' END AS span
          FROM consumed c),
    -- cells: per departmental table changed, its span and codes (a
    -- relation no source of the scheme reads stands for all of them)
    per_table AS (
        SELECT CASE WHEN x.relation IN (SELECT s.relation FROM @extschema@.scheme_sources(sc.scheme) s)
                    THEN x.relation END AS relation,
               range_merge(range_agg(x.span)) AS span, bool_or(x.every_region) AS every,
               array_agg(DISTINCT x.region_code) AS codes
          FROM clipped x WHERE NOT x.results_only AND NOT isempty(x.span)
         GROUP BY 1)
    SELECT (SELECT count(*) FROM clipped), (SELECT array_agg(x.span) FROM clipped x WHERE NOT isempty(x.span)),
           (SELECT jsonb_agg(jsonb_build_object('relation', t.relation, 'from', lower(t.span), 'to', upper(t.span),
                                                'codes', CASE WHEN NOT t.every THEN t.codes END)) FROM per_table t)
      INTO nchanges, spans, changed;
    -- new periods since the last build: every code
    IF new_cells_to > br.cells_to THEN
        ncells := ncells + @extschema@.build_cells(sc.scheme, br.cells_to, new_cells_to);
    END IF;
    -- changed rows inside the built range: each table's sources, for the
    -- codes changed over their span (population and region changes need
    -- results recomputed, not cells)
    FOR tbl IN SELECT * FROM jsonb_array_elements(changed) LOOP
        ncells := ncells + @extschema@.build_cells(
            sc.scheme, (tbl ->> 'from')::date, (tbl ->> 'to')::date,
            (SELECT array_agg(c) FROM jsonb_array_elements_text(nullif(tbl -> 'codes', 'null')) c),
            CASE WHEN tbl ->> 'relation' IS NOT NULL THEN ARRAY[tbl ->> 'relation'] END);
    END LOOP;
    UPDATE @extschema@.built_range b SET cells_to = new_cells_to WHERE b.scheme = sc.scheme;
    -- periods whose completeness changed with what the sources delivered;
    -- none beyond the latest date delivered
    snapshot := @extschema@.delivery_snapshot(sc.scheme);
    SELECT coalesce(spans, '{}') || coalesce(array_agg(x.d * daterange(br.cells_from, new_cells_to)), '{}')
      INTO spans FROM unnest(@extschema@.delivery_spans(br.delivery, snapshot)) x(d)
     WHERE NOT isempty(x.d * daterange(br.cells_from, new_cells_to));
    -- periods computed before they ended (provisional): again, until they
    -- are computed after their end
    SELECT spans || coalesce(array_agg(DISTINCT daterange(r.period_start, @extschema@.period_end(r.period, r.period_start))), '{}')
      INTO spans FROM @extschema@.result r WHERE r.scheme = sc.scheme AND r.status = 'provisional';
    -- as rebuild() does: when that date has moved back (the latest rows
    -- deleted or redated, a declaration corrected), the periods starting
    -- after it are not recomputed but removed
    new_to := greatest(br.results_from,
                       least(new_to, coalesce(@extschema@.latest_delivery(snapshot) + 1, br.results_from)));
    IF coalesce(@extschema@.latest_delivery(snapshot) + 1, br.results_from) <= (now() AT TIME ZONE sc.time_zone)::date THEN
        RAISE NOTICE 'scheme "%": no source has delivered data after %, so no period starting later is computed',
            sc.scheme, coalesce(@extschema@.latest_delivery(snapshot)::text, 'any date');
    END IF;
    IF new_to < br.results_to THEN
        DELETE FROM @extschema@.result r WHERE r.scheme = sc.scheme AND r.period_start >= new_to;
        DELETE FROM @extschema@.result_node r WHERE r.scheme = sc.scheme AND r.period_start >= new_to;
        DELETE FROM @extschema@.alarm a WHERE a.scheme = sc.scheme AND a.period_start >= new_to;
    END IF;
    SELECT jsonb_object_agg(k, @extschema@.periods_to_refresh(k, spans, @extschema@.lookback_years(sc.scheme),
                                                              br.results_from, br.results_to, new_to))
      INTO plan FROM unnest(sc.periods) k;
    UPDATE @extschema@.built_range b SET results_to = new_to, delivery = snapshot WHERE b.scheme = sc.scheme;
    RETURN QUERY SELECT * FROM @extschema@.compute_planned(sc, plan, 'refresh', started, nchanges, ncells);
END $$;
COMMENT ON FUNCTION @extschema@.refresh(text) IS
'brings a built scheme up to date: recomputes the cells of the region codes and dates changed in the departmental tables since the last refresh (late rows included), then the results of the periods whose cells, baselines or completeness (what the sources delivered) changed and of those computed before they ended (provisional), and computes new periods up to today but none after the latest date a source has delivered (removing those starting after it when it has moved back, as a rebuild has none); one row per period kind';
