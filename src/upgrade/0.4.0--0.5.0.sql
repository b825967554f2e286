-- 0.4.0--0.5.0.sql: state migration from 0.4.0 to 0.5.0 (the engine at the
-- speed of one scan).  Run by every upgrade script from 0.4.0 or earlier,
-- before the code of the version upgraded to (doc/upgrades.md).

-- What dashboards ask (doc/benchmark.md): one region's history (with its
-- indicators), every region of a level over a year; one period's ranking is
-- the primary key's.
CREATE INDEX result_region_history ON @extschema@.result (scheme, region_code, period, period_start);
CREATE INDEX result_level_periods ON @extschema@.result (scheme, period, depth, period_start);
CREATE INDEX result_node_region_history ON @extschema@.result_node (scheme, region_code, period, period_start);

-- Cells and results no longer reference scheme by foreign key (one check per
-- row written); the trigger scheme_follow (0.4.0--0.5.0.post.sql) renames and
-- drops them with their scheme.
ALTER TABLE @extschema@.cell DROP CONSTRAINT cell_scheme_fkey;
ALTER TABLE @extschema@.result DROP CONSTRAINT result_scheme_fkey;
ALTER TABLE @extschema@.result_node DROP CONSTRAINT result_node_scheme_fkey;

-- The statistics kernel (issue 12): the summary types ebsum (src/kernel/ebayes.sql) and funnelset
-- (src/kernel/funnel.sql), with their I/O functions.
CREATE TYPE @extschema@.ebsum;

CREATE FUNCTION @extschema@.ebsum_in(cstring) RETURNS @extschema@.ebsum
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ebsum_out(@extschema@.ebsum) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ebsum_recv(internal) RETURNS @extschema@.ebsum
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ebsum_send(@extschema@.ebsum) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.ebsum (
    INPUT = @extschema@.ebsum_in,
    OUTPUT = @extschema@.ebsum_out,
    RECEIVE = @extschema@.ebsum_recv,
    SEND = @extschema@.ebsum_send,
    INTERNALLENGTH = 48,
    ALIGNMENT = double,
    STORAGE = plain
);

CREATE TYPE @extschema@.funnelset;

CREATE FUNCTION @extschema@.funnelset_in(cstring) RETURNS @extschema@.funnelset
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.funnelset_out(@extschema@.funnelset) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.funnelset_recv(internal) RETURNS @extschema@.funnelset
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.funnelset_send(@extschema@.funnelset) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.funnelset (
    INPUT = @extschema@.funnelset_in,
    OUTPUT = @extschema@.funnelset_out,
    RECEIVE = @extschema@.funnelset_recv,
    SEND = @extschema@.funnelset_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

-- issue 13 (sources over postgres_fdw, changes without triggers): a source's
-- watermark column and the watermarks refresh has taken in.
ALTER TABLE @extschema@.source ADD COLUMN watermark_column name;
COMMENT ON COLUMN @extschema@.source.watermark_column IS
'optional: a monotonically increasing id or last-modified time of the departmental rows; refresh polls the rows past the last value it took in (poll_changes), for tables without capture triggers such as foreign tables; NULL: none';
CREATE TABLE @extschema@.source_watermark (
    source           text PRIMARY KEY REFERENCES @extschema@.source ON UPDATE CASCADE ON DELETE CASCADE,
    watermark_column name NOT NULL,
    high             text NOT NULL,
    polled_at        timestamptz NOT NULL
);
COMMENT ON TABLE @extschema@.source_watermark IS
'materialized: the highest value of each source''s watermark column that refresh has taken in (its text form, compared in the column''s type), and when it was polled; rows past it are new or changed';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.source_watermark', '');

-- Issue 13 (reference data in place, src/catalogue/reference.sql): the input
-- types of the reference-data checks and the table of reference bindings.
-- One candidate row of region or population, from a binding or a CSV file:
-- origin names the binding or the file, line the CSV line (NULL for a
-- binding), problem a fault found while reading it (a value that does not
-- parse, a wrong number of columns).
CREATE TYPE @extschema@.region_input AS (
    origin      text,
    line        integer,
    code        text,
    valid_from  date,
    valid_to    date,
    parent_code text,
    name_zh     text,
    name_en     text,
    kind        text,
    problem     text
);
COMMENT ON TYPE @extschema@.region_input IS
'a region row to be loaded or reconciled (from a binding or a CSV file), with its origin, CSV line and any problem found reading it';
CREATE TYPE @extschema@.population_input AS (
    origin       text,
    line         integer,
    region_code  text,
    kind         text,
    period       text,
    period_start date,
    persons      float8,
    problem      text
);
COMMENT ON TYPE @extschema@.population_input IS
'a population figure to be loaded or reconciled (from a binding or a CSV file), with its origin, CSV line and any problem found reading it';

CREATE TABLE @extschema@.reference_binding (
    binding     text PRIMARY KEY CHECK (binding ~ '^[a-z][a-z0-9_]*$'),
    target      text NOT NULL CHECK (target IN ('region', 'population')),
    relation    text NOT NULL,
    columns     jsonb NOT NULL CHECK (jsonb_typeof(columns) = 'object'),
    kinds       text[] NOT NULL CHECK (cardinality(kinds) > 0 AND array_position(kinds, NULL) IS NULL),
    owner       name NOT NULL DEFAULT CURRENT_USER,
    description text
);
COMMENT ON TABLE @extschema@.reference_binding IS
'regions or population figures kept in place (a table, view or foreign table of the statistics office or civil-affairs bureau), read with the owner''s rights and reconciled into region / population by sync_reference() at every rebuild and refresh; the region kinds or population kinds listed are bound: the catalogue rows of those kinds are the relation''s, never entered by hand';
COMMENT ON COLUMN @extschema@.reference_binding.columns IS
'the column map {catalogue column: relation column}; region: code, name_zh (required), parent_code, name_en, kind, valid_from, valid_to; population: region_code, persons (required), year (and month) or period_start (and period), kind';
COMMENT ON COLUMN @extschema@.reference_binding.kinds IS
'the region kinds (region.kind) or population kinds (registered, resident, migrant) the binding holds; without a kind column, exactly one, the kind of every row';
COMMENT ON COLUMN @extschema@.reference_binding.owner IS
'the role whose rights read the relation (default: the role that defines the binding); only its members may define, change or drop the binding';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.reference_binding', '');

-- issue 12, part 2a: significance-aware and smoothed scoring (src/scheme/indicator.sql,
-- src/engine/results.sql)
ALTER TABLE @extschema@.indicator
    ADD COLUMN significance_level float8 CONSTRAINT indicator_significance_level CHECK (significance_level > 0 AND significance_level < 1),
    ADD COLUMN min_expected       float8 CONSTRAINT indicator_min_expected CHECK (min_expected >= 0 AND min_expected < 'Infinity'),
    ADD COLUMN smoothing          text NOT NULL DEFAULT 'none' CONSTRAINT indicator_smoothing CHECK (smoothing IN ('none', 'global', 'local')),
    ADD CONSTRAINT significance_only_for_counts_against_a_baseline
        CHECK (significance_level IS NULL OR (measure IN ('rate', 'count') AND baseline <> 'none')),
    ADD CONSTRAINT min_expected_only_with_significance CHECK (min_expected IS NULL OR significance_level IS NOT NULL),
    ADD CONSTRAINT smoothing_only_for_rates CHECK (smoothing = 'none' OR measure = 'rate');
COMMENT ON COLUMN @extschema@.indicator.significance_level IS
'significance-aware scoring (issue 12) of a rate or count leaf with a baseline: a value worse than the baseline is scored as the baseline unless the Poisson probability of a count at least as bad as the observed one under the expected count (baseline x residents / per, or the count baseline) is below this level; NULL (default): off';
COMMENT ON COLUMN @extschema@.indicator.min_expected IS
'with significance_level: a leaf expecting fewer events than this (or none) is not scored, status insufficient_data (grey, never a colour); NULL: only an expected count of 0';
COMMENT ON COLUMN @extschema@.indicator.smoothing IS
'rate leaves: score the Empirical Bayes smoothed rate (Marshall 1991) instead of the raw one: global over the regions of the same level, local over the region and its siblings; none (default): the raw rate';
ALTER TABLE @extschema@.result_node
    ADD COLUMN expected     float8,
    ADD COLUMN p_value      float8,
    ADD COLUMN significance text CONSTRAINT result_node_significance CHECK (significance IN ('excess', 'no_excess', 'insufficient_data')),
    ADD COLUMN smoothed     float8;
COMMENT ON COLUMN @extschema@.result_node.expected IS
'a rate or count leaf with a value and a baseline: the events expected at the baseline (baseline x residents / per for a rate, the baseline for a count)';
COMMENT ON COLUMN @extschema@.result_node.p_value IS
'the Poisson probability, under the expected count, of a count at least as bad as the one observed (counted_events for a rate, events for a count): P(X >= observed) where more is worse, P(X <= observed) where more is better';
COMMENT ON COLUMN @extschema@.result_node.significance IS
'a leaf with a significance_level: excess (p_value below it), no_excess, or insufficient_data (fewer events expected than min_expected, or none: not scored); NULL otherwise';
COMMENT ON COLUMN @extschema@.result_node.smoothed IS
'a rate leaf with smoothing: the Empirical Bayes smoothed rate scored instead of value';

-- Issue 12, part 2b (early-warning alarms as warnings, src/governance/warning.sql):
-- the alarm kinds of warning_rule with their parameters, the materialized
-- alarms, and the rule's check at commit (which computes its alarms).
ALTER TABLE @extschema@.warning_rule
    DROP CONSTRAINT warning_rule_kind_check,
    ADD CONSTRAINT warning_rule_kind_check CHECK (kind IN ('grade', 'worst_band', 'consecutive', 'rank_drop', 'yoy_rise',
                                                           'cusum', 'ears_c1', 'ears_c2', 'ears_c3', 'seasonal')),
    DROP CONSTRAINT warning_rule_check4,
    ADD CONSTRAINT warning_rule_check4
        CHECK ((kind IN ('worst_band', 'yoy_rise', 'cusum', 'ears_c1', 'ears_c2', 'ears_c3', 'seasonal')) = (node IS NOT NULL)),
    ADD COLUMN params jsonb CHECK (jsonb_typeof(params) = 'object'),
    ADD COLUMN min_expected float8 CHECK (min_expected >= 0 AND min_expected < 'Infinity'),
    ADD CONSTRAINT warning_rule_alarm_parameters
        CHECK (kind IN ('cusum', 'ears_c1', 'ears_c2', 'ears_c3', 'seasonal') OR (params IS NULL AND min_expected IS NULL));
CREATE TABLE @extschema@.alarm (
    scheme       text NOT NULL,
    period_start date NOT NULL,
    period       @extschema@.period_kind NOT NULL,
    rule         text NOT NULL,
    region_code  text NOT NULL,
    node         text NOT NULL,
    observed     float8 NOT NULL,
    expected     float8,
    statistic    float8,
    threshold    float8,
    run_start    date NOT NULL,
    PRIMARY KEY (scheme, period_start, period, rule, region_code),
    FOREIGN KEY (scheme, rule) REFERENCES @extschema@.warning_rule ON UPDATE CASCADE ON DELETE CASCADE
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.alarm', '');
-- (the rule's check at commit, trigger warning_rule_valid, is made in
-- 0.4.0--0.5.0.post.sql: its function rule_check() is code)

-- issue 11: stored yearly pools of prior-years baselines (results.sql)
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
