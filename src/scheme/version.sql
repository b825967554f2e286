-- version.sql: scheme versions: the version in force for each period.

-- [state]
CREATE TABLE @extschema@.scheme_version (
    scheme         text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    version        text NOT NULL,
    valid_from     date NOT NULL,
    valid_to       date NOT NULL DEFAULT 'infinity',
    total          float8 NOT NULL DEFAULT 100 CHECK (total > 0 AND total < 'Infinity'),
    aggregation    text NOT NULL DEFAULT 'arithmetic' CHECK (aggregation IN ('arithmetic', 'geometric')),
    min_coverage   float8 NOT NULL DEFAULT 1 CHECK (min_coverage BETWEEN 0 AND 1),
    positive_share float8 CHECK (positive_share BETWEEN 0 AND 1),
    negative_share float8 CHECK (negative_share BETWEEN 0 AND 1),
    share_node     text,
    note           text,
    index_decimals integer NOT NULL DEFAULT 2 CHECK (index_decimals BETWEEN 0 AND 15),
    score_decimals integer CHECK (score_decimals BETWEEN 0 AND 15),
    PRIMARY KEY (scheme, version),
    CHECK (valid_from < valid_to AND valid_from > '-infinity')
);
COMMENT ON TABLE @extschema@.scheme_version IS
'a version of a scheme in force for periods starting in [valid_from, valid_to); total is the index of a region scoring every point; optional shares of the total that positive and negative leaf indicators must carry (Anning: 0.35 / 0.35), counted below share_node if given (Anning: the governance part, beside the survey part)';
COMMENT ON COLUMN @extschema@.scheme_version.min_coverage IS
'the share of the total weight whose leaf indicators must be scored for a region to have an index (compared with a tolerance of 1e-9); default 1: every leaf';
COMMENT ON COLUMN @extschema@.scheme_version.index_decimals IS
'the decimals the index is published with (Wuchang 2, HDR 3): grades, ranks, ties, stars, awards, warnings and releases use the index rounded to them (round(index::numeric, decimals)); result.index_unrounded keeps the unrounded value';
COMMENT ON COLUMN @extschema@.scheme_version.score_decimals IS
'the decimals leaf indicator scores are published with, rounded before they are aggregated; NULL (default): unrounded';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.scheme_version', '');

-- [code]
-- The version of a scheme in force for a period starting on a date.
CREATE OR REPLACE FUNCTION @extschema@.version_at(scheme text, period_start date)
RETURNS text LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT v.version FROM @extschema@.scheme_version v
     WHERE v.scheme = version_at.scheme AND v.valid_from <= period_start AND period_start < v.valid_to;
$$;
COMMENT ON FUNCTION @extschema@.version_at(text, date) IS
'the version of a scheme in force for a period starting on a date, NULL if none';
