-- Mutation fuzzing of the summary types' text input: 3,000 mutated copies of
-- valid summaries per type.  Whatever the input, the server answers with a
-- value or a data_exception error (any other error, or a crash, fails the
-- file), and every accepted value prints in a form that reads back to the
-- same value.
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh);
-- of it, this file uses only the extensions pgtap and safeidx.
BEGIN;
SELECT plan(5);

CREATE FUNCTION pg_temp.fuzz(type_name text, valid text, tries int)
RETURNS TABLE (accepted int, refused int, round_trip_failures int)
LANGUAGE plpgsql AS $$
DECLARE
    alphabet constant text := '0123456789.,=-+e()vnaifINFxyz ';
    input text;
    printed text;
    reprinted text;
    pos int;
BEGIN
    accepted := 0; refused := 0; round_trip_failures := 0;
    PERFORM setseed(0.42);
    FOR i IN 1 .. tries LOOP
        input := valid;
        FOR k IN 1 .. 1 + floor(random() * 3)::int LOOP
            pos := 1 + floor(random() * length(input))::int;
            input := CASE floor(random() * 3)::int
                WHEN 0 THEN overlay(input PLACING substr(alphabet, 1 + floor(random() * length(alphabet))::int, 1) FROM pos FOR 1)
                WHEN 1 THEN overlay(input PLACING '' FROM pos FOR 1)
                ELSE overlay(input PLACING substr(alphabet, 1 + floor(random() * length(alphabet))::int, 1) FROM pos FOR 0)
            END;
        END LOOP;
        BEGIN
            EXECUTE format('SELECT %L::safeidx.%I::text', input, type_name) INTO printed;
            EXECUTE format('SELECT %L::safeidx.%I::text', printed, type_name) INTO reprinted;
            accepted := accepted + 1;
            IF reprinted IS DISTINCT FROM printed THEN
                round_trip_failures := round_trip_failures + 1;
            END IF;
        EXCEPTION WHEN data_exception THEN
            refused := refused + 1;
        END;
    END LOOP;
    RETURN NEXT;
END $$;

CREATE TEMP TABLE fuzz_result AS
SELECT t.type_name, f.*
  FROM (VALUES
    ('ratesum', '(v1,events=12,exposure=21000.5,units=2,missing=1)'),
    ('groupstats', '(v1,n=4,min=-2,max=6.5,mean=4,m2=8)'),
    ('indexsum', '(v1,scored=4,unscored=1,weight=85,weight_unscored=15,weighted_scores=66,weighted_logs=-24.6,zeros=1,negatives=0)')
  ) t(type_name, valid),
  LATERAL pg_temp.fuzz(t.type_name, t.valid, 3000) f;

SELECT is(sum(round_trip_failures)::int, 0, 'every accepted mutation round-trips through its text form')
  FROM fuzz_result;
SELECT ok(bool_and(accepted > 0 AND refused > 0), 'the mutations include accepted and refused inputs')
  FROM fuzz_result;
SELECT is((SELECT accepted + refused FROM fuzz_result WHERE type_name = t), 3000, t || ': every input answered')
  FROM unnest(ARRAY['ratesum', 'groupstats', 'indexsum']) t;

SELECT * FROM finish();
ROLLBACK;
