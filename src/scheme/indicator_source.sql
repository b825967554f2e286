-- indicator_source.sql: which sources each indicator reads, and so each scheme.

-- A source still read by an indicator cannot be dropped or renamed.
CREATE OR REPLACE FUNCTION @extschema@.source_in_use() RETURNS trigger
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
CREATE OR REPLACE TRIGGER source_in_use BEFORE UPDATE OR DELETE ON @extschema@.source
    FOR EACH ROW EXECUTE FUNCTION @extschema@.source_in_use();

-- Sources, with the schemes reading them: the sources of all versions.
CREATE OR REPLACE FUNCTION @extschema@.scheme_sources(scheme text)
RETURNS SETOF @extschema@.source LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.* FROM @extschema@.source s
     WHERE EXISTS (SELECT FROM @extschema@.indicator i
                    WHERE i.scheme = scheme_sources.scheme
                      AND s.source = ANY (i.sources || coalesce(i.denominator_sources, '{}')));
$$;
COMMENT ON FUNCTION @extschema@.scheme_sources(text) IS 'the sources read by any version of a scheme';
