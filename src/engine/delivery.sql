-- delivery.sql: what each source of a scheme has delivered (its watermark), the
-- completeness of periods that follows, and what a change of it recomputes.

-- The local dates each source of a scheme has delivered: declared by its
-- department (source.delivered_from/through), else derived from its cells
-- (from the start of the first period with a row, through the day of the
-- last row); never beyond the cells kept nor after today in the scheme's
-- time zone.  A period is complete for a source when these dates cover it.
CREATE OR REPLACE FUNCTION @extschema@.source_delivery(scheme text)
RETURNS TABLE (source text, declared_from date, declared_through date, delivered_from date, delivered_through date)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    WITH sc AS (
        SELECT s.scheme, @extschema@.finest_period(s.periods) AS finest,
               (pg_catalog.now() AT TIME ZONE s.time_zone)::date AS today
          FROM @extschema@.scheme s WHERE s.scheme = source_delivery.scheme),
    srcs AS (
        SELECT DISTINCT x.source FROM @extschema@.indicator_source x WHERE x.scheme = source_delivery.scheme)
    -- (greatest and least skip NULLs: a source that declared nothing and has
    -- no row has delivered nothing, not the whole range)
    SELECT src.source, src.delivered_from, src.delivered_through,
           CASE WHEN coalesce(src.delivered_through, last_cell.last_day) IS NOT NULL
                THEN greatest(coalesce(src.delivered_from, first_cell.period_start), b.cells_from) END,
           CASE WHEN coalesce(src.delivered_through, last_cell.last_day) IS NOT NULL
                THEN least(coalesce(src.delivered_through, last_cell.last_day), b.cells_to - 1, sc.today) END
      FROM sc CROSS JOIN srcs
      JOIN @extschema@.source src ON src.source = srcs.source
      LEFT JOIN @extschema@.built_range b ON b.scheme = sc.scheme
      -- the cells are read only for what the department did not declare, each
      -- end by the cell key's order (period_start before source): from the
      -- first period, or back from the last, to the first cell of the source
      LEFT JOIN LATERAL (
           SELECT c.period_start FROM @extschema@.cell c
            WHERE src.delivered_from IS NULL
              AND c.scheme = sc.scheme AND c.period = sc.finest AND c.source = srcs.source
            ORDER BY c.period_start LIMIT 1) first_cell ON true
      LEFT JOIN LATERAL (
           SELECT max(c.last_day) AS last_day FROM @extschema@.cell c
            WHERE src.delivered_through IS NULL
              AND c.scheme = sc.scheme AND c.period = sc.finest AND c.source = srcs.source
              AND c.period_start = (SELECT d.period_start FROM @extschema@.cell d
                                     WHERE d.scheme = sc.scheme AND d.period = sc.finest AND d.source = srcs.source
                                     ORDER BY d.period_start DESC LIMIT 1)) last_cell
           ON true;
$$;
COMMENT ON FUNCTION @extschema@.source_delivery(text) IS
'per source of a scheme: the dates its department declared, and the local dates delivered (declared, else from the start of the first period with a row through the day of the last row), within the cells kept and not after today; a period is complete for a source when they cover it (the period in progress: through today, its results provisional), and results are computed no further than the latest';

-- The deliveries of a scheme as a JSON object {source: [from, through]},
-- recorded by each build (built_range.delivery).
CREATE OR REPLACE FUNCTION @extschema@.delivery_snapshot(scheme text)
RETURNS jsonb LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(jsonb_object_agg(d.source, jsonb_build_array(d.delivered_from, d.delivered_through)), '{}')
      FROM @extschema@.source_delivery(delivery_snapshot.scheme) d;
$$;
COMMENT ON FUNCTION @extschema@.delivery_snapshot(text) IS
'the local dates each source of a scheme has delivered, as {source: [from, through]} (source_delivery)';

-- The dates whose completeness differs between two snapshots: for each
-- source, the dates between its old and new first date, and those between
-- its old and new last date; all its dates when it delivered nothing before
-- or after; every date when there is no old snapshot.
CREATE OR REPLACE FUNCTION @extschema@.delivery_spans(old jsonb, new jsonb)
RETURNS daterange[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    WITH d AS (
        SELECT (o.v ->> 0)::date AS of, (o.v ->> 1)::date AS ot, (n.v ->> 0)::date AS nf, (n.v ->> 1)::date AS nt
          FROM jsonb_each(coalesce(old, '{}')) o(k, v)
          FULL JOIN jsonb_each(coalesce(new, '{}')) n(k, v) ON n.k = o.k
         WHERE o.v IS DISTINCT FROM n.v),
    spans AS (
        SELECT CASE WHEN d.ot IS NULL OR d.nt IS NULL
                    THEN daterange(coalesce(d.nf, d.of), coalesce(d.nt, d.ot) + 1)
                    ELSE daterange(least(d.of, d.nf), greatest(d.of, d.nf)) END AS s
          FROM d
        UNION ALL
        SELECT daterange(least(d.ot, d.nt) + 1, greatest(d.ot, d.nt) + 1) FROM d
         WHERE d.ot IS NOT NULL AND d.nt IS NOT NULL)
    SELECT CASE WHEN old IS NULL THEN ARRAY[daterange(NULL, NULL)]
                ELSE coalesce(array_agg(s.s) FILTER (WHERE NOT isempty(s.s)), '{}') END
      FROM spans s;
$$;
COMMENT ON FUNCTION @extschema@.delivery_spans(jsonb, jsonb) IS
'the date ranges whose completeness changed between two delivery snapshots (all dates when the old one is NULL)';

-- The latest date any source of a snapshot has delivered, NULL if none.
CREATE OR REPLACE FUNCTION @extschema@.latest_delivery(snapshot jsonb)
RETURNS date LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT max((d.v ->> 1)::date) FROM jsonb_each(snapshot) d(k, v);
$$;
COMMENT ON FUNCTION @extschema@.latest_delivery(jsonb) IS 'the latest date through which any source of a delivery snapshot has delivered';
