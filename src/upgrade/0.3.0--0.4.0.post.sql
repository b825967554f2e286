-- 0.3.0--0.4.0.post.sql: the part of the migration from 0.3.0 to 0.4.0 that
-- needs the code of 0.4.0 (run after it; see the Makefile).

-- Gaps between a scheme's versions are checked when a version is deleted and
-- when allow_version_gaps is turned off, too.
CREATE CONSTRAINT TRIGGER scheme_version_gaps
    AFTER DELETE ON @extschema@.scheme_version
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_gaps_check();
CREATE CONSTRAINT TRIGGER scheme_gaps
    AFTER UPDATE OF allow_version_gaps ON @extschema@.scheme
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_gaps_check();
