-- scheme_follow.sql: cells and results follow their scheme: renaming a scheme
-- renames them, dropping it drops them.  In place of foreign keys to scheme,
-- which cost one check per cell and result row written (19 % of computing
-- results, doc/benchmark.md); the engine instead locks the scheme row once
-- per call (FOR KEY SHARE in build_cells and compute_results), so a scheme
-- cannot be dropped while its rows are being written.

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.scheme_follow() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM @extschema@.result_node WHERE scheme = OLD.scheme;
        DELETE FROM @extschema@.result WHERE scheme = OLD.scheme;
        DELETE FROM @extschema@.cell WHERE scheme = OLD.scheme;
        RETURN OLD;
    END IF;
    IF NEW.scheme IS DISTINCT FROM OLD.scheme THEN
        UPDATE @extschema@.result_node SET scheme = NEW.scheme WHERE scheme = OLD.scheme;
        UPDATE @extschema@.result SET scheme = NEW.scheme WHERE scheme = OLD.scheme;
        UPDATE @extschema@.cell SET scheme = NEW.scheme WHERE scheme = OLD.scheme;
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.scheme_follow() IS
'trigger: a scheme renamed renames its cells and results, a scheme dropped drops them (what ON UPDATE / ON DELETE CASCADE did before 0.5.0)';

-- [state]
CREATE TRIGGER scheme_follow
    AFTER UPDATE OF scheme OR DELETE ON @extschema@.scheme
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_follow();
