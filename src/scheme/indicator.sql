-- indicator.sql: indicator trees: the nodes of a scheme version.

-- [state]
CREATE TABLE @extschema@.indicator (
    scheme             text NOT NULL,
    version            text NOT NULL,
    node               text NOT NULL CHECK (node ~ '^[a-z][a-z0-9_]*$'),
    parent_node        text,
    name_zh            text NOT NULL,
    name_en            text,
    weight             float8 NOT NULL CHECK (weight >= 0 AND weight < 'Infinity'),
    aggregation        text NOT NULL DEFAULT 'arithmetic' CHECK (aggregation IN ('arithmetic', 'geometric')),
    direction          text CHECK (direction IN ('negative', 'positive')),
    sources            text[],
    measure            text NOT NULL DEFAULT 'rate' CHECK (measure IN ('rate', 'count', 'ratio', 'value')),
    denominator_sources text[],
    -- a foreign key makes pg_dump load sources before indicators, whose
    -- check at commit needs them; every source is checked by that trigger
    first_source       text GENERATED ALWAYS AS (sources[1]) STORED REFERENCES @extschema@.source,
    per                float8 NOT NULL DEFAULT 10000 CHECK (per > 0 AND per < 'Infinity'),
    min_denominator    float8 CHECK (min_denominator > 0 AND min_denominator < 'Infinity'),
    scoring            text,
    scoring_params     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(scoring_params) = 'object'),
    baseline           text NOT NULL DEFAULT 'none'
                       CHECK (baseline IN ('none', 'prior_years', 'same_period_last_year', 'previous_period')),
    baseline_of        text NOT NULL DEFAULT 'self' CHECK (baseline_of IN ('self', 'parent', 'depth')),
    baseline_depth     integer CHECK (baseline_depth >= 1),
    baseline_years     integer NOT NULL DEFAULT 1 CHECK (baseline_years BETWEEN 1 AND 20),
    significance_level float8 CONSTRAINT indicator_significance_level CHECK (significance_level > 0 AND significance_level < 1),
    min_expected       float8 CONSTRAINT indicator_min_expected CHECK (min_expected >= 0 AND min_expected < 'Infinity'),
    smoothing          text NOT NULL DEFAULT 'none' CONSTRAINT indicator_smoothing CHECK (smoothing IN ('none', 'global', 'local')),
    PRIMARY KEY (scheme, version, node),
    FOREIGN KEY (scheme, version) REFERENCES @extschema@.scheme_version ON UPDATE CASCADE ON DELETE CASCADE,
    CHECK ((baseline_of = 'depth') = (baseline_depth IS NOT NULL)),
    CHECK ((measure = 'ratio') = (denominator_sources IS NOT NULL)),
    CONSTRAINT min_denominator_only_for_ratios CHECK (min_denominator IS NULL OR measure = 'ratio'),
    CONSTRAINT significance_only_for_counts_against_a_baseline
        CHECK (significance_level IS NULL OR (measure IN ('rate', 'count') AND baseline <> 'none')),
    CONSTRAINT min_expected_only_with_significance CHECK (min_expected IS NULL OR significance_level IS NOT NULL),
    CONSTRAINT smoothing_only_for_rates CHECK (smoothing = 'none' OR measure = 'rate')
);
COMMENT ON TABLE @extschema@.indicator IS
'nodes of a scheme version''s indicator tree: a node without children is a leaf indicator read from sources (measure rate per "per" residents, count, or ratio of two source sums times "per", missing below min_denominator, e.g. a survey''s minimum sample, all summed up the region hierarchy; or value: the region''s own value, never summed), scored by a rule against an optional baseline; an inner node aggregates its children (arithmetic or geometric) and their weights must add up to its own';
COMMENT ON COLUMN @extschema@.indicator.significance_level IS
'significance-aware scoring of a rate or count leaf with a baseline: a value worse than the baseline is scored as the baseline unless the Poisson probability of a count at least as bad as the observed one under the expected count (baseline x residents / per, or the count baseline) is below this level; NULL (default): off';
COMMENT ON COLUMN @extschema@.indicator.min_expected IS
'with significance_level: a leaf expecting fewer events than this (or none) is not scored, status insufficient_data (grey, never a colour); NULL: only an expected count of 0';
COMMENT ON COLUMN @extschema@.indicator.smoothing IS
'rate leaves: score the Empirical Bayes smoothed rate (Marshall 1991) instead of the raw one: global over the regions of the same level, local over the region and its siblings; none (default): the raw rate';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.indicator', '');
