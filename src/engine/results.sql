-- results.sql: results: a scheme's values, baselines, scores, indices, grades and ranks,
-- computed from its cells.

-- [state]
CREATE TABLE @extschema@.result (
    scheme        text NOT NULL,
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
    index_unrounded float8,
    status        text NOT NULL CHECK (status IN ('complete', 'incomplete', 'provisional')),
    PRIMARY KEY (scheme, period, period_start, region_code)
);
COMMENT ON TABLE @extschema@.result IS
'materialized: per scheme, period and region, the index as published (rounded to the version''s index_decimals) and unrounded, whether every source delivered the whole period (status: complete, incomplete, or provisional when computed before the period ended from what was delivered through that day), the share of leaf weight scored, the grade level and ranks of the published index (among siblings, within the level; ties share a rank, no index no rank) and residents counted; read it through safeidx.index_result';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.result', '');
-- the periods refresh() computes again because they were computed before
-- they ended
CREATE INDEX result_provisional ON @extschema@.result (scheme) WHERE status = 'provisional';

CREATE TABLE @extschema@.result_node (
    scheme         text NOT NULL,
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
    status         text CHECK (status IN ('scored', 'insufficient_data', 'no_residents', 'no_denominator',
                                          'below_min_denominator', 'no_value', 'no_baseline', 'not_scorable')),
    expected       float8,
    p_value        float8,
    significance   text CONSTRAINT result_node_significance CHECK (significance IN ('excess', 'no_excess', 'insufficient_data')),
    smoothed       float8,
    PRIMARY KEY (scheme, period, period_start, region_code, node)
);
COMMENT ON TABLE @extschema@.result_node IS
'materialized: per scheme, period, region and indicator node, the source measure (events; counted_events leaves out units without a population figure), the value, baseline, ratio, score (0 to 1 but for uncapped goalposts) and points (score x weight), and for a leaf why it is scored or not (status); read it through safeidx.indicator_result and safeidx.node_result';
COMMENT ON COLUMN @extschema@.result_node.expected IS
'a rate or count leaf with a value and a baseline: the events expected at the baseline (baseline x residents / per for a rate, the baseline for a count)';
COMMENT ON COLUMN @extschema@.result_node.p_value IS
'the Poisson probability, under the expected count, of a count at least as bad as the one observed (counted_events for a rate, events for a count): P(X >= observed) where more is worse, P(X <= observed) where more is better';
COMMENT ON COLUMN @extschema@.result_node.significance IS
'a leaf with a significance_level: excess (p_value below it), no_excess, or insufficient_data (fewer events expected than min_expected, or none: not scored); NULL otherwise';
COMMENT ON COLUMN @extschema@.result_node.smoothed IS
'a rate leaf with smoothing: the Empirical Bayes smoothed rate scored instead of value';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.result_node', '');
-- What dashboards ask (doc/benchmark.md): one region's history (with its
-- indicators), every region of a level over a year; one period's ranking is
-- the primary key's.
CREATE INDEX result_region_history ON @extschema@.result (scheme, region_code, period, period_start);
CREATE INDEX result_level_periods ON @extschema@.result (scheme, period, depth, period_start);
CREATE INDEX result_node_region_history ON @extschema@.result_node (scheme, region_code, period, period_start);

-- The sums a prior-years baseline pools over a calendar year (the kernel's
-- YearPool, src/engine/results_pool.c), kept so that computing one period
-- does not roll up every period of the years before it again.  A cache:
-- dropped for the years whose cells, regions or population change
-- (delete_cells, capture_catalogue_changes) and with every rebuild, ignored
-- when the version's leaves no longer match "definition", recomputed from
-- the cells whenever missing; not dumped.
CREATE TABLE @extschema@.baseline_pool (
    scheme      text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    period      @extschema@.period_kind NOT NULL,
    version     text NOT NULL,
    year        integer NOT NULL,
    definition  text NOT NULL,
    pool        bytea NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (scheme, period, version, year)
);
COMMENT ON TABLE @extschema@.baseline_pool IS
'cache: per scheme, period kind, version and calendar year, the sums its prior-years baselines pool over that year''s periods (events and residents counted, sources at and below, own values, periods) for every region code, in the results kernel''s binary form; dropped when the year''s cells, regions or population change and by rebuild, recomputed from the cells when missing';

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.compute_results(scheme text, period text, starts date[])
RETURNS bigint
AS 'MODULE_PATHNAME', 'compute_results'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
-- its statements read one scheme's cells, population and stored results by
-- index: JIT compilation would cost more than the statements themselves
SET jit = off;
COMMENT ON FUNCTION @extschema@.compute_results(text, text, date[]) IS
'the results kernel (src/engine/results*.c): recomputes the results of a scheme for the given period starts of one period kind from its cells, each with the version in force at its start, in memory, in an order fixed by the data (the same cells give the same bits); returns the number of region results written';
