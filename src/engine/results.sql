-- results.sql: results: a scheme's values, baselines, scores, indices, grades and ranks,
-- computed from its cells.

-- [state]
CREATE TABLE @extschema@.result (
    scheme        text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    period        @extschema@.period_kind NOT NULL,
    period_start  date NOT NULL,
    region_code   text NOT NULL,
    version       text NOT NULL,
    parent_code   text,
    depth         integer NOT NULL,
    index         float8,
    coverage      float8 NOT NULL,
    grade_level   integer,
    rank_siblings integer,
    rank_level    integer,
    residents     float8,
    missing_units integer NOT NULL,
    computed_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (scheme, period, period_start, region_code)
);
COMMENT ON TABLE @extschema@.result IS
'materialized: per scheme, period and region, the index, the share of leaf weight scored, the grade level, ranks (among siblings, within the level; ties share a rank, no index no rank) and residents counted; read it through safeidx.index_result';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.result', '');

CREATE TABLE @extschema@.result_node (
    scheme         text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    period         @extschema@.period_kind NOT NULL,
    period_start   date NOT NULL,
    region_code    text NOT NULL,
    node           text NOT NULL,
    parent_node    text,
    is_leaf        boolean NOT NULL,
    weight         float8 NOT NULL,
    events         float8,
    counted_events float8,
    denominator    float8,
    residents      float8,
    value          float8,
    baseline       float8,
    ratio          float8,
    score          float8,
    points         float8,
    PRIMARY KEY (scheme, period, period_start, region_code, node)
);
COMMENT ON TABLE @extschema@.result_node IS
'materialized: per scheme, period, region and indicator node, the source measure (events; counted_events leaves out units without a population figure), the value, baseline, ratio, score in [0, 1] and points (score x weight); read it through safeidx.indicator_result and safeidx.node_result';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.result_node', '');

-- [code]
-- The first period a version's baselines look back to, for results from a date.
CREATE OR REPLACE FUNCTION @extschema@.lookback_start(scheme text, version text, period text, first_start date)
RETURNS date LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT date_trunc(period, coalesce(min(CASE i.baseline
               WHEN 'prior_years' THEN date_trunc('year', first_start) - make_interval(years => i.baseline_years)
               WHEN 'same_period_last_year' THEN first_start - interval '1 year'
               WHEN 'previous_period' THEN first_start - @extschema@.period_interval(period)
               ELSE first_start END), first_start))::date
      FROM @extschema@.indicator i
     WHERE i.scheme = lookback_start.scheme AND i.version = lookback_start.version AND i.sources IS NOT NULL;
$$;
COMMENT ON FUNCTION @extschema@.lookback_start(text, text, text, date) IS 'the first period whose cells a version''s baselines read, for results from a period start on';

-- Recomputes the results of a scheme for some periods of one kind, from its
-- cells (which must exist back to each version's lookback_start).
CREATE OR REPLACE FUNCTION @extschema@.compute_results(scheme text, period text, starts date[])
RETURNS bigint LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off               -- its plans are costed high but run in seconds; JIT only adds compile time
AS $$
#variable_conflict use_column
DECLARE
    sc       @extschema@.scheme;
    v        @extschema@.scheme_version;
    vstarts  date[];
    cuts     float8[];
    lookback date;
    step     interval := @extschema@.period_interval(compute_results.period);
    lvl      integer;
    n        bigint;
    total    bigint := 0;
BEGIN
    SELECT * INTO sc FROM @extschema@.scheme s WHERE s.scheme = compute_results.scheme;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown scheme "%"', compute_results.scheme USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT compute_results.period = ANY (sc.periods) THEN
        RAISE EXCEPTION 'scheme "%" is not computed by %', sc.scheme, compute_results.period
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT coalesce(array_agg(b.min_index ORDER BY b.level) FILTER (WHERE b.min_index IS NOT NULL), '{}')
      INTO cuts FROM @extschema@.grade_band b WHERE b.scale = sc.grade_scale;
    DELETE FROM @extschema@.result r
     WHERE r.scheme = sc.scheme AND r.period = compute_results.period AND r.period_start = ANY (starts);
    DELETE FROM @extschema@.result_node r
     WHERE r.scheme = sc.scheme AND r.period = compute_results.period AND r.period_start = ANY (starts);

    FOR v IN SELECT * FROM @extschema@.scheme_version x WHERE x.scheme = sc.scheme ORDER BY x.valid_from LOOP
        SELECT array_agg(DISTINCT s ORDER BY s) INTO vstarts FROM unnest(starts) s
         WHERE s >= v.valid_from AND s < v.valid_to;
        CONTINUE WHEN vstarts IS NULL;
        lookback := @extschema@.lookback_start(sc.scheme, v.version, compute_results.period, vstarts[1]);

        -- the tree of indicator nodes, with its level (1 = top)
        CREATE TEMP TABLE t_node_def ON COMMIT DROP AS
        WITH RECURSIVE tree AS (
            SELECT i.*, 1 AS level FROM @extschema@.indicator i
             WHERE i.scheme = v.scheme AND i.version = v.version AND i.parent_node IS NULL
            UNION ALL
            SELECT i.*, t.level + 1 FROM tree t JOIN @extschema@.indicator i
              ON i.scheme = t.scheme AND i.version = t.version AND i.parent_node = t.node)
        SELECT t.*, t.sources IS NOT NULL AS is_leaf FROM tree t;

        -- the region hierarchy of every period from the lookback on, with
        -- each region's own population figure (population_figures(), rule 1
        -- of the population rule; rules 2 and 3 are the bottom-up pass below)
        CREATE TEMP TABLE t_tree ON COMMIT DROP AS
        WITH periods AS (
            SELECT p::date AS ps FROM generate_series(lookback, vstarts[cardinality(vstarts)], step) p),
        bounds AS (
            SELECT DISTINCT b.x FROM @extschema@.region r, LATERAL (VALUES (r.valid_from), (r.valid_to)) b(x)
             WHERE isfinite(b.x)),
        epochs AS (
            SELECT p.ps, coalesce((SELECT max(b.x) FROM bounds b WHERE b.x <= p.ps), '-infinity'::date) AS epoch
              FROM periods p),
        trees AS MATERIALIZED (
            SELECT e.epoch, t.* FROM (SELECT DISTINCT epoch FROM epochs) e, LATERAL @extschema@.regions_at(e.epoch) t),
        leaves AS MATERIALIZED (
            SELECT t.*, NOT EXISTS (SELECT FROM trees c WHERE c.epoch = t.epoch AND c.parent_code = t.code) AS is_leaf
              FROM trees t)
        SELECT e.ps, l.code, l.parent_code, l.depth, l.path, l.is_leaf, f.persons AS own
          FROM epochs e JOIN leaves l ON l.epoch = e.epoch
          LEFT JOIN @extschema@.population_figures(sc.population_kind, lookback,
                                                    @extschema@.period_end(compute_results.period, vstarts[cardinality(vstarts)])) f
                 ON f.region_code = l.code AND f.month = date_trunc('month', e.ps)::date;
        CREATE INDEX ON t_tree (depth);
        ANALYZE t_tree;

        -- source measures coded to each region, per leaf indicator
        CREATE TEMP TABLE t_direct ON COMMIT DROP AS
        WITH leaf_source AS (
            SELECT x.node, x.source, x.numerator AS num, x.denominator AS den
              FROM @extschema@.indicator_source x WHERE x.scheme = v.scheme AND x.version = v.version)
        SELECT c.period_start AS ps, c.region_code AS code, l.node,
               sum(c.value) FILTER (WHERE l.num) AS num,
               sum(c.value) FILTER (WHERE l.den) AS den
          FROM @extschema@.cell c
          JOIN leaf_source l ON l.source = c.source
         WHERE c.scheme = sc.scheme AND c.period = compute_results.period
           AND c.period_start >= lookback AND c.period_start <= vstarts[cardinality(vstarts)]
           AND c.region_code IS NOT NULL
         GROUP BY 1, 2, 3;
        CREATE INDEX ON t_direct (ps, code, node);
        ANALYZE t_direct;

        -- bottom-up: all events below a region; the residents it counts
        -- (its own figure, else its children's that have one) and the events
        -- of those residents; lowest-level units without a figure
        CREATE TEMP TABLE t_agg (ps date, code text, parent_code text, depth integer, node text,
                                 num_all float8, den_all float8, num_counted float8,
                                 exposure float8, missing integer) ON COMMIT DROP;
        FOR lvl IN REVERSE (SELECT coalesce(max(depth), 0) FROM t_tree)..1 LOOP
            INSERT INTO t_agg
            SELECT t.ps, t.code, t.parent_code, t.depth, d.node,
                   coalesce(x.num, 0) + coalesce(ch.num_all, 0),
                   coalesce(x.den, 0) + coalesce(ch.den_all, 0),
                   CASE WHEN t.own IS NOT NULL THEN coalesce(x.num, 0) + coalesce(ch.num_all, 0)
                        WHEN ch.exposure IS NOT NULL THEN coalesce(x.num, 0) + ch.num_counted
                        ELSE 0 END,
                   coalesce(t.own, ch.exposure),
                   CASE WHEN t.own IS NOT NULL THEN 0 WHEN t.is_leaf THEN 1 ELSE coalesce(ch.missing, 0) END
              FROM t_tree t
              JOIN t_node_def d ON d.is_leaf
              LEFT JOIN t_direct x ON x.ps = t.ps AND x.code = t.code AND x.node = d.node
              LEFT JOIN (SELECT a.ps, a.parent_code, a.node, sum(a.num_all) AS num_all, sum(a.den_all) AS den_all,
                                sum(a.num_counted) AS num_counted, sum(a.exposure) AS exposure,
                                sum(a.missing)::integer AS missing
                           FROM t_agg a WHERE a.depth = lvl + 1 GROUP BY 1, 2, 3) ch
                     ON ch.ps = t.ps AND ch.parent_code = t.code AND ch.node = d.node
             WHERE t.depth = lvl;
            ANALYZE t_agg;
        END LOOP;

        -- leaf values
        CREATE TEMP TABLE t_val ON COMMIT DROP AS
        SELECT a.*, t.path,
               CASE d.measure
                   WHEN 'rate' THEN @extschema@.rate(a.num_counted, a.exposure, d.per)
                   WHEN 'count' THEN a.num_all
                   ELSE CASE WHEN a.den_all > 0 AND a.den_all >= coalesce(d.min_denominator, 0)
                             THEN a.num_all / a.den_all * d.per END END AS value
          FROM t_agg a JOIN t_tree t ON t.ps = a.ps AND t.code = a.code
          JOIN t_node_def d ON d.node = a.node;
        CREATE INDEX ON t_val (code, node, ps);
        ANALYZE t_val;

        -- leaves of the periods asked for: baseline, score
        CREATE TEMP TABLE t_node ON COMMIT DROP AS
        WITH asked AS (
            SELECT x.*, d.weight, d.parent_node, d.measure, d.per, d.scoring, d.scoring_params AS sp,
                   d.direction = 'positive' AS higher_is_better, d.baseline, d.baseline_years,
                   CASE d.baseline_of WHEN 'self' THEN x.code
                                      WHEN 'parent' THEN coalesce(x.parent_code, x.code)
                                      ELSE x.path[least(x.depth, d.baseline_depth)] END AS base_code
              FROM t_val x JOIN t_node_def d ON d.node = x.node
             WHERE x.ps IN (SELECT unnest(vstarts))),
        -- prior_years baselines: pooled over the N years before each year asked
        prior AS (
            SELECT y.year_start, p.code, p.node,
                   CASE d.measure
                       WHEN 'rate' THEN @extschema@.rate(sum(p.num_counted), sum(p.exposure), d.per)
                       WHEN 'count' THEN avg(p.num_all)
                       ELSE CASE WHEN sum(p.den_all) > 0 THEN sum(p.num_all) / sum(p.den_all) * d.per END END AS pooled
              FROM (SELECT DISTINCT date_trunc('year', s)::date AS year_start FROM unnest(vstarts) s) y
              JOIN t_node_def d ON d.is_leaf AND d.baseline = 'prior_years'
              JOIN t_val p ON p.node = d.node
                          AND p.ps >= (y.year_start - make_interval(years => d.baseline_years))::date
                          AND p.ps < y.year_start
             GROUP BY y.year_start, p.code, p.node, d.measure, d.per),
        based AS (
            SELECT a.*,
                   CASE a.baseline
                       WHEN 'same_period_last_year' THEN
                           (SELECT p.value FROM t_val p WHERE p.code = a.base_code AND p.node = a.node
                               AND p.ps = (a.ps - interval '1 year')::date)
                       WHEN 'previous_period' THEN
                           (SELECT p.value FROM t_val p WHERE p.code = a.base_code AND p.node = a.node
                               AND p.ps = (a.ps - step)::date)
                       WHEN 'prior_years' THEN y.pooled
                   END AS baseline_value
              FROM asked a
              LEFT JOIN prior y ON y.year_start = date_trunc('year', a.ps)::date
                               AND y.code = a.base_code AND y.node = a.node),
        scored AS (
            SELECT b.*,
                   @extschema@.score_indicator(b.scoring, b.value, b.baseline_value, b.higher_is_better, b.sp,
                       @extschema@.group_stats(b.value) OVER (PARTITION BY b.ps, b.depth, b.node)) AS score
              FROM based b)
        SELECT s.ps, s.code, s.node, s.parent_node, true AS is_leaf, s.weight,
               s.num_all AS events, s.num_counted AS counted_events,
               CASE WHEN s.measure = 'ratio' THEN s.den_all END AS denominator,
               s.exposure AS residents, s.missing, s.value, s.baseline_value AS baseline,
               CASE WHEN s.baseline_value = 0 THEN CASE WHEN s.value = 0 THEN 1 ELSE 'Infinity'::float8 END
                    ELSE s.value / s.baseline_value END AS ratio,
               -- minmax scores of values outside the group are clamped
               CASE WHEN s.score < 0 THEN 0 WHEN s.score > 1 THEN 1 ELSE s.score END AS score
          FROM scored s;

        -- inner nodes, deepest first
        FOR lvl IN REVERSE (SELECT coalesce(max(level), 0) FROM t_node_def WHERE NOT is_leaf)..1 LOOP
            INSERT INTO t_node (ps, code, node, parent_node, is_leaf, weight, score)
            SELECT c.ps, c.code, d.node, d.parent_node, false, d.weight,
                   CASE d.aggregation
                       WHEN 'arithmetic' THEN @extschema@.weighted_mean(@extschema@.index_agg(c.score, c.weight))
                       ELSE @extschema@.geometric_mean(@extschema@.index_agg(c.score, c.weight)) END
              FROM t_node c JOIN t_node_def d ON d.node = c.parent_node
             WHERE d.level = lvl AND NOT d.is_leaf
             GROUP BY c.ps, c.code, d.node, d.parent_node, d.weight, d.aggregation;
        END LOOP;

        INSERT INTO @extschema@.result_node
              (scheme, period, period_start, region_code, node, parent_node, is_leaf, weight, events,
               counted_events, denominator, residents, value, baseline, ratio, score, points)
        SELECT sc.scheme, compute_results.period, n.ps, n.code, n.node, n.parent_node, n.is_leaf, n.weight,
               n.events, n.counted_events, n.denominator, n.residents, n.value, n.baseline, n.ratio,
               n.score, n.score * n.weight
          FROM t_node n;

        -- the index: the version's aggregation of level-1 nodes, times its total
        INSERT INTO @extschema@.result
              (scheme, period, period_start, region_code, version, parent_code, depth, index, coverage,
               grade_level, rank_siblings, rank_level, residents, missing_units)
        WITH top AS (
            SELECT n.ps, n.code,
                   CASE v.aggregation
                       WHEN 'arithmetic' THEN @extschema@.weighted_mean(@extschema@.index_agg(n.score, n.weight))
                       ELSE @extschema@.geometric_mean(@extschema@.index_agg(n.score, n.weight)) END AS score
              FROM t_node n WHERE n.parent_node IS NULL GROUP BY 1, 2),
        leaf AS (
            SELECT n.ps, n.code, sum(n.weight) FILTER (WHERE n.score IS NOT NULL) / v.total AS coverage,
                   max(n.residents) AS residents, max(n.missing) AS missing
              FROM t_node n WHERE n.is_leaf GROUP BY 1, 2),
        indexed AS (
            SELECT t.ps, t.code, tr.parent_code, tr.depth, coalesce(l.coverage, 0) AS coverage,
                   l.residents, coalesce(l.missing, 0) AS missing,
                   CASE WHEN coalesce(l.coverage, 0) >= v.min_coverage AND coalesce(l.coverage, 0) > 0
                        THEN t.score * v.total END AS index
              FROM top t JOIN leaf l ON l.ps = t.ps AND l.code = t.code
              JOIN t_tree tr ON tr.ps = t.ps AND tr.code = t.code)
        SELECT sc.scheme, compute_results.period, i.ps, i.code, v.version, i.parent_code, i.depth, i.index,
               i.coverage, @extschema@.grade_level(i.index, cuts),
               CASE WHEN i.index IS NOT NULL THEN
                   rank() OVER (PARTITION BY i.ps, i.parent_code, i.index IS NULL ORDER BY round(i.index::numeric, 9) DESC) END,
               CASE WHEN i.index IS NOT NULL THEN
                   rank() OVER (PARTITION BY i.ps, i.depth, i.index IS NULL ORDER BY round(i.index::numeric, 9) DESC) END,
               i.residents, i.missing
          FROM indexed i;
        GET DIAGNOSTICS n = ROW_COUNT;
        total := total + n;
        DROP TABLE t_node_def, t_tree, t_direct, t_agg, t_val, t_node;
    END LOOP;
    RETURN total;
END $$;
COMMENT ON FUNCTION @extschema@.compute_results(text, text, date[]) IS
'recomputes the results of a scheme for the given period starts of one period kind from its cells, each with the version in force at its start; returns the number of region results written; error 42704 for an unknown scheme';
