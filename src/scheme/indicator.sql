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
    PRIMARY KEY (scheme, version, node),
    FOREIGN KEY (scheme, version) REFERENCES @extschema@.scheme_version ON UPDATE CASCADE ON DELETE CASCADE,
    CHECK ((baseline_of = 'depth') = (baseline_depth IS NOT NULL)),
    CHECK ((measure = 'ratio') = (denominator_sources IS NOT NULL)),
    CONSTRAINT min_denominator_only_for_ratios CHECK (min_denominator IS NULL OR measure = 'ratio')
);
COMMENT ON TABLE @extschema@.indicator IS
'nodes of a scheme version''s indicator tree: a node without children is a leaf indicator read from sources (measure rate per "per" residents, count, or ratio of two source sums times "per", missing below min_denominator, e.g. a survey''s minimum sample, all summed up the region hierarchy; or value: the region''s own value, never summed), scored by a rule against an optional baseline; an inner node aggregates its children (arithmetic or geometric) and their weights must add up to its own';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.indicator', '');
