-- indicator_source.sql: which sources each indicator reads, and so each
-- scheme: the one place that spells out the relation.

CREATE OR REPLACE VIEW @extschema@.indicator_source WITH (security_invoker = true) AS
SELECT i.scheme, i.version, i.node, x.source,
       x.source = ANY (i.sources) AS numerator,
       x.source = ANY (coalesce(i.denominator_sources, '{}')) AS denominator
  FROM @extschema@.indicator i,
       LATERAL (SELECT DISTINCT unnest(i.sources || coalesce(i.denominator_sources, '{}')) AS source) x;
COMMENT ON VIEW @extschema@.indicator_source IS
'every source each indicator node reads: in its numerator (sources) and/or its denominator (denominator_sources)';

-- A source still read by an indicator cannot be dropped or renamed.
CREATE OR REPLACE FUNCTION @extschema@.source_in_use() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.source = OLD.source THEN
        RETURN NEW;
    END IF;
    SELECT x.scheme, x.version, x.node INTO r FROM @extschema@.indicator_source x
     WHERE x.source = OLD.source ORDER BY 1, 2, 3 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'source "%" is read by indicator "%" of scheme "%" version "%"', OLD.source, r.node, r.scheme, r.version
            USING ERRCODE = 'dependent_objects_still_exist';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE OR REPLACE TRIGGER source_in_use BEFORE UPDATE OR DELETE ON @extschema@.source
    FOR EACH ROW EXECUTE FUNCTION @extschema@.source_in_use();

-- Sources, with the schemes reading them: the sources of all versions.
CREATE OR REPLACE FUNCTION @extschema@.scheme_sources(scheme text)
RETURNS SETOF @extschema@.source LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.* FROM @extschema@.source s
     WHERE EXISTS (SELECT FROM @extschema@.indicator_source x
                    WHERE x.scheme = scheme_sources.scheme AND x.source = s.source);
$$;
COMMENT ON FUNCTION @extschema@.scheme_sources(text) IS 'the sources read by any version of a scheme';
