-- validate.sql: validation of a scheme version and its indicator tree, at commit.

-- Parameters a scoring rule accepts, with their JSON types.
CREATE OR REPLACE FUNCTION @extschema@.scoring_parameters(scoring text)
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
CREATE OR REPLACE FUNCTION @extschema@.check_scheme_version(check_scheme text, check_version text)
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
        SELECT x.source INTO bad FROM @extschema@.indicator_source x
         WHERE x.scheme = v.scheme AND x.version = v.version AND x.node = r.node
           AND NOT EXISTS (SELECT FROM @extschema@.source s WHERE s.source = x.source)
         ORDER BY 1 LIMIT 1;
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

CREATE OR REPLACE FUNCTION @extschema@.scheme_check() RETURNS trigger
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

-- [state]
CREATE CONSTRAINT TRIGGER scheme_version_valid
    AFTER INSERT OR UPDATE ON @extschema@.scheme_version
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_check();
CREATE CONSTRAINT TRIGGER indicator_valid
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.indicator
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_check();
