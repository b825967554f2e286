-- rule_check.sql: the check at commit of governance rules kept as data: one
-- constraint trigger function for the rule tables (star_rule, award_rule),
-- which runs the table's check function on the row's scheme and rule.

CREATE OR REPLACE FUNCTION @extschema@.rule_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    EXECUTE format('SELECT @extschema@.%I($1, $2)', TG_ARGV[0]) USING NEW.scheme, NEW.rule;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.rule_check() IS
'constraint trigger of the rule tables: runs the check function named in its argument (check_star_rule, check_award_rule) on the row''s scheme and rule at commit';
