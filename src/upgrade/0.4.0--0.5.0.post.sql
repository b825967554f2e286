-- 0.4.0--0.5.0.post.sql: the part of the migration from 0.4.0 to 0.5.0 that
-- needs the code of 0.5.0 (run after it; see the Makefile).

-- Cells and results follow their scheme (in place of the foreign keys).
CREATE TRIGGER scheme_follow
    AFTER UPDATE OF scheme OR DELETE ON @extschema@.scheme
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_follow();
