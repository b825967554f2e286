-- guard.sql: the one guard of every read-only row of safeidx: released
-- results, notices and their log, the notice lifecycle, built-in grade
-- scales.  A BEFORE trigger, by row or by statement (TRUNCATE), that refuses
-- the operation whoever runs it, the tables' owner included; its first
-- argument says why, its second what to do instead.

CREATE OR REPLACE FUNCTION @extschema@.refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION '% is not allowed on %.%: %', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'insufficient_privilege', HINT = TG_ARGV[1];
END $$;
COMMENT ON FUNCTION @extschema@.refuse_change() IS
'trigger refusing any change to read-only rows (released results, notices and their log, the notice lifecycle, built-in grade scales); arguments: why, and what to do instead';
