-- safeidx install script, part 80: schemes, their versions and indicator
-- trees, validated at commit.

CREATE TABLE @extschema@.scheme (
    scheme          text PRIMARY KEY CHECK (scheme ~ '^[a-z][a-z0-9_]*$'),
    name_zh         text NOT NULL,
    name_en         text,
    periods         text[] NOT NULL DEFAULT '{month}'
                    CHECK (cardinality(periods) > 0 AND periods <@ '{day,month,quarter,year}'),
    time_zone       text NOT NULL DEFAULT 'Asia/Shanghai',
    population_kind text NOT NULL DEFAULT 'resident' CHECK (population_kind IN ('registered', 'resident', 'migrant')),
    grade_scale     text NOT NULL DEFAULT 'wuchang' REFERENCES @extschema@.grade_scale ON UPDATE CASCADE,
    description     text
);
COMMENT ON TABLE @extschema@.scheme IS
'an index scheme: the periods it is computed for (day, month, quarter, year), the time zone periods are cut in, the population kind used as denominator and the grade scale';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.scheme', '');

CREATE FUNCTION @extschema@.scheme_time_zone_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_timezone_names WHERE name = NEW.time_zone) THEN
        RAISE EXCEPTION 'time zone "%" of scheme "%" is not known', NEW.time_zone, NEW.scheme
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use a name from pg_timezone_names, e.g. Asia/Shanghai.';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER scheme_time_zone BEFORE INSERT OR UPDATE OF time_zone ON @extschema@.scheme
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_time_zone_check();

CREATE TABLE @extschema@.scheme_version (
    scheme         text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    version        text NOT NULL,
    valid_from     date NOT NULL,
    valid_to       date NOT NULL DEFAULT 'infinity',
    total          float8 NOT NULL DEFAULT 100 CHECK (total > 0 AND total < 'Infinity'),
    aggregation    text NOT NULL DEFAULT 'arithmetic' CHECK (aggregation IN ('arithmetic', 'geometric')),
    min_coverage   float8 NOT NULL DEFAULT 0 CHECK (min_coverage BETWEEN 0 AND 1),
    positive_share float8 CHECK (positive_share BETWEEN 0 AND 1),
    negative_share float8 CHECK (negative_share BETWEEN 0 AND 1),
    share_node     text,
    note           text,
    PRIMARY KEY (scheme, version),
    CHECK (valid_from < valid_to AND valid_from > '-infinity')
);
COMMENT ON TABLE @extschema@.scheme_version IS
'a version of a scheme in force for periods starting in [valid_from, valid_to); total is the index of a region scoring every point; optional shares of the total that positive and negative leaf indicators must carry (Anning: 0.35 / 0.35), counted below share_node if given (Anning: the governance part, beside the survey part)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.scheme_version', '');

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
    measure            text NOT NULL DEFAULT 'rate' CHECK (measure IN ('rate', 'count', 'ratio')),
    denominator_sources text[],
    -- a foreign key makes pg_dump load sources before indicators, whose
    -- check at commit needs them; every source is checked by that trigger
    first_source       text GENERATED ALWAYS AS (sources[1]) STORED REFERENCES @extschema@.source,
    per                float8 NOT NULL DEFAULT 10000 CHECK (per > 0 AND per < 'Infinity'),
    min_denominator    float8 CHECK (min_denominator > 0 AND min_denominator < 'Infinity'),
    scoring            text CHECK (scoring IN ('ratio_band', 'goalposts', 'target', 'minmax')),
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
'nodes of a scheme version''s indicator tree: a node without children is a leaf indicator read from sources (measure rate per "per" residents, count, or ratio of two source sums times "per", missing below min_denominator, e.g. a survey''s minimum sample), scored by a rule against an optional baseline; an inner node aggregates its children (arithmetic or geometric) and their weights must add up to its own';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.indicator', '');

-- Parameters a scoring rule accepts, with their JSON types.
CREATE FUNCTION @extschema@.scoring_parameters(scoring text)
RETURNS TABLE (parameter text, json_type text, required boolean)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT p.parameter, p.json_type, p.required
      FROM (VALUES ('ratio_band', 'lower', 'number', false), ('ratio_band', 'upper', 'number', false),
                   ('ratio_band', 'middle', 'string', false), ('ratio_band', 'middle_share', 'number', false),
                   ('goalposts', 'minimum', 'number', true), ('goalposts', 'maximum', 'number', true),
                   ('goalposts', 'log_scale', 'boolean', false), ('goalposts', 'capped', 'boolean', false),
                   ('target', 'target', 'number', false)) p(rule, parameter, json_type, required)
     WHERE p.rule = scoring;
$$;
COMMENT ON FUNCTION @extschema@.scoring_parameters(text) IS
'the parameters (scoring_params keys) a scoring rule accepts: ratio_band lower, upper, middle, middle_share; goalposts minimum, maximum, log_scale, capped; target target (else the baseline is the target); minmax none';

-- Everything that must hold for one scheme version; errors name the node.
CREATE FUNCTION @extschema@.check_scheme_version(check_scheme text, check_version text)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v   @extschema@.scheme_version;
    r   record;
    bad text;
    got text;
    tol constant float8 := 1e-9;
BEGIN
    SELECT * INTO v FROM @extschema@.scheme_version
     WHERE scheme = check_scheme AND version = check_version;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT o.version INTO r FROM @extschema@.scheme_version o
     WHERE o.scheme = v.scheme AND o.version <> v.version
       AND o.valid_from < v.valid_to AND v.valid_from < o.valid_to LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'versions "%" and "%" of scheme "%" are both in force on some dates', v.version, r.version, v.scheme
            USING ERRCODE = 'exclusion_violation', HINT = 'Close the older version (valid_to) where the newer one starts.';
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.indicator WHERE scheme = v.scheme AND version = v.version) THEN
        RETURN;     -- still empty: nothing to check until it has nodes
    END IF;
    -- parents exist (checked here, not by a foreign key, which pg_dump
    -- would report as circular)
    SELECT i.node, i.parent_node INTO r FROM @extschema@.indicator i
     WHERE i.scheme = v.scheme AND i.version = v.version AND i.parent_node IS NOT NULL
       AND NOT EXISTS (SELECT FROM @extschema@.indicator p
                        WHERE p.scheme = v.scheme AND p.version = v.version AND p.node = i.parent_node)
     ORDER BY i.node LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'parent node "%" of indicator "%" (scheme "%" version "%") does not exist', r.parent_node, r.node, v.scheme, v.version
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    -- cycles: a node must reach the top by parent links
    SELECT i.node INTO r FROM @extschema@.indicator i
     WHERE i.scheme = v.scheme AND i.version = v.version
       AND NOT EXISTS (
           WITH RECURSIVE up(node, parent_node, steps) AS (
               SELECT i.node, i.parent_node, 0
               UNION ALL
               SELECT p.node, p.parent_node, up.steps + 1
                 FROM up JOIN @extschema@.indicator p
                   ON p.scheme = v.scheme AND p.version = v.version AND p.node = up.parent_node
                WHERE up.steps < 1000)
           SELECT FROM up WHERE up.parent_node IS NULL)
     ORDER BY i.node LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'indicator "%" of scheme "%" version "%" does not reach the top of the tree: its parent nodes form a cycle', r.node, v.scheme, v.version
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- weights: level 1 against the total, children against their parent
    FOR r IN
        SELECT coalesce(p.node, '') AS node, coalesce(p.weight, v.total) AS expected, sum(c.weight) AS actual
          FROM @extschema@.indicator c
          LEFT JOIN @extschema@.indicator p
            ON p.scheme = c.scheme AND p.version = c.version AND p.node = c.parent_node
         WHERE c.scheme = v.scheme AND c.version = v.version
         GROUP BY p.node, p.weight
        HAVING abs(sum(c.weight) - coalesce(p.weight, v.total)) > tol * greatest(1, coalesce(p.weight, v.total))
         ORDER BY 1 LIMIT 1
    LOOP
        IF r.node = '' THEN
            RAISE EXCEPTION 'level-1 weights of scheme "%" version "%" add up to %, not the version''s total %', v.scheme, v.version, r.actual, r.expected
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        RAISE EXCEPTION 'weights of the children of indicator "%" (scheme "%" version "%") add up to %, not its weight %', r.node, v.scheme, v.version, r.actual, r.expected
            USING ERRCODE = 'invalid_parameter_value';
    END LOOP;
    -- leaves and inner nodes
    FOR r IN
        SELECT i.*, NOT EXISTS (SELECT FROM @extschema@.indicator c
                                 WHERE c.scheme = i.scheme AND c.version = i.version AND c.parent_node = i.node) AS is_leaf
          FROM @extschema@.indicator i
         WHERE i.scheme = v.scheme AND i.version = v.version ORDER BY i.node
    LOOP
        IF NOT r.is_leaf THEN
            IF r.sources IS NOT NULL OR r.scoring IS NOT NULL OR r.direction IS NOT NULL THEN
                RAISE EXCEPTION 'indicator "%" (scheme "%" version "%") has children, so it takes no sources, direction or scoring of its own', r.node, v.scheme, v.version
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            CONTINUE;
        END IF;
        IF coalesce(cardinality(r.sources), 0) = 0 THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%") has no source', r.node, v.scheme, v.version
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the sources it counts, e.g. sources => ''{police_theft}''.';
        END IF;
        SELECT s INTO bad FROM unnest(r.sources || coalesce(r.denominator_sources, '{}')) s
         WHERE NOT EXISTS (SELECT FROM @extschema@.source x WHERE x.source = s) LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%") reads unknown source "%"', r.node, v.scheme, v.version, bad
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF r.direction IS NULL OR r.scoring IS NULL THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%") needs a direction and a scoring rule', r.node, v.scheme, v.version
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF r.scoring = 'ratio_band' AND r.baseline = 'none' THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%") is scored by ratio_band, which needs a baseline', r.node, v.scheme, v.version
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF r.scoring = 'target' AND r.baseline = 'none' AND NOT r.scoring_params ? 'target' THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%") is scored by target, which needs scoring_params.target or a baseline', r.node, v.scheme, v.version
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT k.key, jsonb_typeof(k.value) INTO bad, got
          FROM jsonb_each(r.scoring_params) k
          LEFT JOIN @extschema@.scoring_parameters(r.scoring) p ON p.parameter = k.key
         WHERE p.parameter IS NULL OR p.json_type <> jsonb_typeof(k.value) LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%"): scoring rule % takes no parameter "%" of JSON type %', r.node, v.scheme, v.version, r.scoring, bad, got
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'See safeidx.scoring_parameters(''' || r.scoring || ''').';
        END IF;
        SELECT p.parameter INTO bad FROM @extschema@.scoring_parameters(r.scoring) p
         WHERE p.required AND NOT r.scoring_params ? p.parameter LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%"): scoring rule % needs parameter "%"', r.node, v.scheme, v.version, r.scoring, bad
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF r.scoring_params ->> 'middle' NOT IN ('step', 'linear') THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%"): middle must be step or linear', r.node, v.scheme, v.version
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;
    IF v.share_node IS NOT NULL AND NOT EXISTS (SELECT FROM @extschema@.indicator i
            WHERE i.scheme = v.scheme AND i.version = v.version AND i.node = v.share_node) THEN
        RAISE EXCEPTION 'share_node "%" of scheme "%" version "%" is not one of its indicators', v.share_node, v.scheme, v.version
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- positive and negative shares of the total
    FOR r IN
        SELECT d.direction, d.share,
               coalesce((WITH RECURSIVE below AS (
                             SELECT i.* FROM @extschema@.indicator i
                              WHERE i.scheme = v.scheme AND i.version = v.version
                                AND (i.node = v.share_node OR (v.share_node IS NULL AND i.parent_node IS NULL))
                             UNION ALL
                             SELECT i.* FROM below b JOIN @extschema@.indicator i
                               ON i.scheme = b.scheme AND i.version = b.version AND i.parent_node = b.node)
                         SELECT sum(b.weight) FROM below b WHERE b.direction = d.direction), 0) AS weight
          FROM (VALUES ('positive', v.positive_share), ('negative', v.negative_share)) d(direction, share)
         WHERE d.share IS NOT NULL
    LOOP
        IF abs(r.weight - r.share * v.total) > tol * greatest(1, v.total) THEN
            RAISE EXCEPTION '% indicators%of scheme "%" version "%" weigh %, not % (% of the total %)',
                r.direction, coalesce(' below "' || v.share_node || '" ', ' '), v.scheme, v.version,
                r.weight, r.share * v.total, r.share, v.total
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;
END $$;
COMMENT ON FUNCTION @extschema@.check_scheme_version(text, text) IS
'raises the first error found in a scheme version: overlapping validity, a missing parent node, a cycle, children''s weights against their node (level 1 against the total), positive/negative shares, a leaf without a known source, direction or scoring, bad scoring parameters';

CREATE FUNCTION @extschema@.scheme_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM @extschema@.check_scheme_version(OLD.scheme, OLD.version);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM @extschema@.check_scheme_version(NEW.scheme, NEW.version);
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER scheme_version_valid
    AFTER INSERT OR UPDATE ON @extschema@.scheme_version
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_check();
CREATE CONSTRAINT TRIGGER indicator_valid
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.indicator
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_check();

-- A source still read by an indicator cannot be dropped or renamed.
CREATE FUNCTION @extschema@.source_in_use() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.source = OLD.source THEN
        RETURN NEW;
    END IF;
    SELECT scheme, version, node INTO r FROM @extschema@.indicator
     WHERE OLD.source = ANY (sources || coalesce(denominator_sources, '{}')) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'source "%" is read by indicator "%" of scheme "%" version "%"', OLD.source, r.node, r.scheme, r.version
            USING ERRCODE = 'dependent_objects_still_exist';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER source_in_use BEFORE UPDATE OR DELETE ON @extschema@.source
    FOR EACH ROW EXECUTE FUNCTION @extschema@.source_in_use();

-- The version of a scheme in force for a period starting on a date.
CREATE FUNCTION @extschema@.version_at(scheme text, period_start date)
RETURNS text LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT v.version FROM @extschema@.scheme_version v
     WHERE v.scheme = version_at.scheme AND v.valid_from <= period_start AND period_start < v.valid_to;
$$;
COMMENT ON FUNCTION @extschema@.version_at(text, date) IS
'the version of a scheme in force for a period starting on a date, NULL if none';

CREATE FUNCTION @extschema@.period_interval(period text)
RETURNS interval LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE period WHEN 'day' THEN interval '1 day' WHEN 'month' THEN interval '1 month'
                       WHEN 'quarter' THEN interval '3 months' WHEN 'year' THEN interval '1 year' END;
$$;
COMMENT ON FUNCTION @extschema@.period_interval(text) IS
'the length of a period kind (day, month, quarter, year) as an interval; NULL for anything else';
