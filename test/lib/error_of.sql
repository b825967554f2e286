-- test/lib/error_of.sql: pg_temp.error_of(sql), for TAP tests that check
-- what a statement is refused with (\i it from the repository root).
--
-- error_of(sql): "SQLSTATE: message" of the error sql raises, or 'no error'
-- (its effects are rolled back either way when it fails).
CREATE FUNCTION pg_temp.error_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
