-- 0.1.0--0.2.0.post.sql: the part of the migration from 0.1.0 to 0.2.0 that
-- needs the code of the version upgraded to (run after it).

CREATE CONSTRAINT TRIGGER star_rule_valid
    AFTER INSERT OR UPDATE ON @extschema@.star_rule
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.rule_check('check_star_rule');
CREATE CONSTRAINT TRIGGER award_rule_valid
    AFTER INSERT OR UPDATE ON @extschema@.award_rule
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.rule_check('check_award_rule');
