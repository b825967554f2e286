-- validate.sql: validation of a scheme version and its indicator tree, at commit.

-- The checks of one scheme version, each raising the first error it finds
-- with the node named; check_scheme_version() runs them in order.

-- No other version of the scheme in force on the same dates.
CREATE OR REPLACE FUNCTION @extschema@.check_version_dates(v @extschema@.scheme_version)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    other text;
    gap   record;
BEGIN
    SELECT o.version INTO other FROM @extschema@.scheme_version o
     WHERE o.scheme = v.scheme AND o.version <> v.version
       AND o.valid_from < v.valid_to AND v.valid_from < o.valid_to ORDER BY 1 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'versions "%" and "%" of scheme "%" are both in force on some dates', v.version, other, v.scheme
            USING ERRCODE = 'exclusion_violation', HINT = 'Close the older version (valid_to) where the newer one starts.';
    END IF;
    PERFORM @extschema@.check_version_gaps(v.scheme);
END $$;
COMMENT ON FUNCTION @extschema@.check_version_dates(@extschema@.scheme_version) IS
'error 23P01 when another version of the scheme is in force on some of the same dates, 22023 when dates between two of its versions are left without one (unless the scheme allows gaps)';

-- No dates left uncovered between two versions of a scheme, unless the
-- scheme allows it.
CREATE OR REPLACE FUNCTION @extschema@.check_version_gaps(check_scheme text)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    gap record;
BEGIN
    SELECT g.before, g.after, g.gap_from, g.gap_to INTO gap
      FROM (SELECT o.version AS before, lead(o.version) OVER w AS after, o.valid_to AS gap_from,
                   lead(o.valid_from) OVER w AS gap_to
              FROM @extschema@.scheme_version o WHERE o.scheme = check_scheme
            WINDOW w AS (ORDER BY o.valid_from)) g
     WHERE g.gap_to > g.gap_from
       AND NOT (SELECT s.allow_version_gaps FROM @extschema@.scheme s WHERE s.scheme = check_scheme)
     ORDER BY g.gap_from LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'versions "%" and "%" of scheme "%" leave [%, %) without a version, so those periods would have no results',
            gap.before, gap.after, check_scheme, gap.gap_from, gap.gap_to
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Make one version end where the next starts, or set scheme.allow_version_gaps to say the gap is meant.';
    END IF;
END $$;
COMMENT ON FUNCTION @extschema@.check_version_gaps(text) IS
'error 22023 when dates between two versions of the scheme are left without one, unless the scheme allows gaps (checked at commit when a version is written or deleted, or allow_version_gaps is turned off)';

-- Parents exist (checked here, not by a foreign key, which pg_dump would
-- report as circular) and every node reaches the top by parent links.
CREATE OR REPLACE FUNCTION @extschema@.check_tree(v @extschema@.scheme_version)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    SELECT i.node, i.parent_node INTO r FROM @extschema@.indicator i
     WHERE i.scheme = v.scheme AND i.version = v.version AND i.parent_node IS NOT NULL
       AND NOT EXISTS (SELECT FROM @extschema@.indicator p
                        WHERE p.scheme = v.scheme AND p.version = v.version AND p.node = i.parent_node)
     ORDER BY i.node LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'parent node "%" of indicator "%" (scheme "%" version "%") does not exist', r.parent_node, r.node, v.scheme, v.version
            USING ERRCODE = 'foreign_key_violation';
    END IF;
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
END $$;
COMMENT ON FUNCTION @extschema@.check_tree(@extschema@.scheme_version) IS
'error unless every parent node of the version''s tree exists (23503) and every node reaches the top (22023)';

-- Level-1 weights add up to the total, children's weights to their parent's.
CREATE OR REPLACE FUNCTION @extschema@.check_weights(v @extschema@.scheme_version)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tol constant float8 := 1e-9;
    r record;
BEGIN
    SELECT coalesce(p.node, '') AS node, coalesce(p.weight, v.total) AS expected, sum(c.weight) AS actual INTO r
      FROM @extschema@.indicator c
      LEFT JOIN @extschema@.indicator p
        ON p.scheme = c.scheme AND p.version = c.version AND p.node = c.parent_node
     WHERE c.scheme = v.scheme AND c.version = v.version
     GROUP BY p.node, p.weight
    HAVING abs(sum(c.weight) - coalesce(p.weight, v.total)) > tol * greatest(1, coalesce(p.weight, v.total))
     ORDER BY 1 LIMIT 1;
    IF FOUND AND r.node = '' THEN
        RAISE EXCEPTION 'level-1 weights of scheme "%" version "%" add up to %, not the version''s total %', v.scheme, v.version, r.actual, r.expected
            USING ERRCODE = 'invalid_parameter_value';
    ELSIF FOUND THEN
        RAISE EXCEPTION 'weights of the children of indicator "%" (scheme "%" version "%") add up to %, not its weight %', r.node, v.scheme, v.version, r.actual, r.expected
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;
COMMENT ON FUNCTION @extschema@.check_weights(@extschema@.scheme_version) IS
'error 22023 unless the level-1 weights add up to the version''s total and every node''s children''s weights to its own (to 1e-9 relative)';

-- One node: an inner node takes nothing of a leaf's; a leaf reads known
-- sources and can be scored by its rule (the registry's check_scoring).
CREATE OR REPLACE FUNCTION @extschema@.check_node(v @extschema@.scheme_version, i @extschema@.indicator)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    what text := format('indicator "%s" (scheme "%s" version "%s")', i.node, v.scheme, v.version);
    bad  text;
BEGIN
    IF EXISTS (SELECT FROM @extschema@.indicator c
                WHERE c.scheme = i.scheme AND c.version = i.version AND c.parent_node = i.node) THEN
        IF i.sources IS NOT NULL OR i.scoring IS NOT NULL OR i.direction IS NOT NULL THEN
            RAISE EXCEPTION '% has children, so it takes no sources, direction or scoring of its own', what
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF i.significance_level IS NOT NULL OR i.smoothing <> 'none' THEN
            RAISE EXCEPTION '% has children, so it takes no significance level or smoothing of its own', what
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Set significance_level and smoothing on its leaf indicators.';
        END IF;
        RETURN;
    END IF;
    IF coalesce(cardinality(i.sources), 0) = 0 THEN
        RAISE EXCEPTION '% has no source', what
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the sources it counts, e.g. sources => ''{police_theft}''.';
    END IF;
    SELECT x.source INTO bad FROM @extschema@.indicator_source x
     WHERE x.scheme = v.scheme AND x.version = v.version AND x.node = i.node
       AND NOT EXISTS (SELECT FROM @extschema@.source s WHERE s.source = x.source)
     ORDER BY 1 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '% reads unknown source "%"', what, bad USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF i.direction IS NULL OR i.scoring IS NULL THEN
        RAISE EXCEPTION '% needs a direction and a scoring rule', what USING ERRCODE = 'invalid_parameter_value';
    END IF;
    BEGIN
        PERFORM @extschema@.check_scoring(i.scoring, i.scoring_params, i.direction = 'positive', i.baseline <> 'none');
    EXCEPTION WHEN invalid_parameter_value THEN
        RAISE EXCEPTION '%: %', what, SQLERRM
            USING ERRCODE = 'invalid_parameter_value', HINT = format('See safeidx.scoring_parameters(%L).', i.scoring);
    END;
    -- an uncapped goalposts score falls below 0 for a value beyond the worst
    -- goalpost, which no geometric mean can take
    IF i.scoring = 'goalposts' AND (i.scoring_params ->> 'capped') = 'false'
       AND coalesce((SELECT p.aggregation FROM @extschema@.indicator p
                      WHERE p.scheme = i.scheme AND p.version = i.version AND p.node = i.parent_node),
                    v.aggregation) = 'geometric' THEN
        RAISE EXCEPTION '% is scored by uncapped goalposts under a geometric mean, which cannot take the negative scores they give', what
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Cap its goalposts, or aggregate its parent arithmetically.';
    END IF;
END $$;
COMMENT ON FUNCTION @extschema@.check_node(@extschema@.scheme_version, @extschema@.indicator) IS
'error unless an inner node has no sources, direction or scoring, and a leaf reads known sources and has a direction and a scoring rule it can be scored by (check_scoring), not uncapped goalposts under a geometric mean';

-- Positive and negative leaves carry their stated shares of the total
-- (Anning: 35% each), counted below share_node when given.
CREATE OR REPLACE FUNCTION @extschema@.check_shares(v @extschema@.scheme_version)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tol constant float8 := 1e-9;
    r record;
BEGIN
    IF v.share_node IS NOT NULL AND NOT EXISTS (SELECT FROM @extschema@.indicator i
            WHERE i.scheme = v.scheme AND i.version = v.version AND i.node = v.share_node) THEN
        RAISE EXCEPTION 'share_node "%" of scheme "%" version "%" is not one of its indicators', v.share_node, v.scheme, v.version
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
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
COMMENT ON FUNCTION @extschema@.check_shares(@extschema@.scheme_version) IS
'error 22023 unless the positive and negative leaves weigh the version''s positive_share and negative_share of the total (below share_node, which must be a node, when given)';

CREATE OR REPLACE FUNCTION @extschema@.check_scheme_version(check_scheme text, check_version text)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v @extschema@.scheme_version;
    i @extschema@.indicator;
BEGIN
    SELECT * INTO v FROM @extschema@.scheme_version x
     WHERE x.scheme = check_scheme AND x.version = check_version;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM @extschema@.check_version_dates(v);
    IF NOT EXISTS (SELECT FROM @extschema@.indicator x WHERE x.scheme = v.scheme AND x.version = v.version) THEN
        RETURN;     -- still empty: nothing to check until it has nodes
    END IF;
    PERFORM @extschema@.check_tree(v);
    PERFORM @extschema@.check_weights(v);
    FOR i IN SELECT * FROM @extschema@.indicator x WHERE x.scheme = v.scheme AND x.version = v.version ORDER BY x.node LOOP
        PERFORM @extschema@.check_node(v, i);
    END LOOP;
    PERFORM @extschema@.check_shares(v);
END $$;
COMMENT ON FUNCTION @extschema@.check_scheme_version(text, text) IS
'raises the first error found in a scheme version: overlapping validity, a missing parent node, a cycle, children''s weights against their node (level 1 against the total), a leaf without a known source, direction or scoring, scoring it cannot be scored by, positive/negative shares';

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

-- At commit, after a version is deleted or a scheme's allow_version_gaps
-- changes: no gap between its versions unless allowed.
CREATE OR REPLACE FUNCTION @extschema@.scheme_gaps_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM @extschema@.check_version_gaps(CASE TG_OP WHEN 'DELETE' THEN OLD.scheme ELSE NEW.scheme END);
    RETURN NULL;
END $$;

-- [state]
CREATE CONSTRAINT TRIGGER scheme_version_valid
    AFTER INSERT OR UPDATE ON @extschema@.scheme_version
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_check();
CREATE CONSTRAINT TRIGGER scheme_version_gaps
    AFTER DELETE ON @extschema@.scheme_version
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_gaps_check();
CREATE CONSTRAINT TRIGGER scheme_gaps
    AFTER UPDATE OF allow_version_gaps ON @extschema@.scheme
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_gaps_check();
CREATE CONSTRAINT TRIGGER indicator_valid
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.indicator
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_check();
