-- 0.4.0--0.5.0.post.sql: the part of the migration from 0.4.0 to 0.5.0 that
-- needs the code of 0.5.0 (run after it; see the Makefile).

-- Cells and results follow their scheme (in place of the foreign keys).
CREATE TRIGGER scheme_follow
    AFTER UPDATE OF scheme OR DELETE ON @extschema@.scheme
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_follow();

-- Issue 12, part 2b: the check at commit of a warning rule (alarm rules'
-- parameters; their alarms computed), as a fresh install makes it in
-- src/governance/warning.sql.
CREATE CONSTRAINT TRIGGER warning_rule_valid
    AFTER INSERT OR UPDATE ON @extschema@.warning_rule
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.rule_check('check_warning_rule');
