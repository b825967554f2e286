-- loader.sql: the CSV loader of reference data, for teams that
-- receive files: regions with their parents, population by year (and
-- month) and kind.  Each function takes the file's CONTENT as text, so no
-- server file access is needed (psql: \set f `cat regions.csv` then
-- SELECT * FROM safeidx.load_regions_csv(:'f'); doc/deployments.md).  The
-- check_* functions return every problem as a row (line, key, problem); the
-- load_* functions raise one error listing them and load nothing, or load
-- every row (inserted or updated, never deleted).  Rows are checked by the
-- same functions as bindings (reference.sql); the CSV is split by
-- csv_rows() (csv.c).

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.csv_rows(content text)
RETURNS TABLE (line integer, fields text[], problem text)
AS 'MODULE_PATHNAME', 'csv_rows'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.csv_rows(text) IS
'the records of CSV text (RFC 4180: quoted fields with commas, line breaks and doubled quotes; LF, CRLF or CR line ends; a UTF-8 byte-order mark skipped; blanks around fields dropped; empty lines skipped): the line each starts on, its fields (an empty unquoted field NULL) and a problem (an unclosed quote, text after a closing quote, a stray quote) or NULL; never an error';

-- A date written YYYY-MM-DD, or NULL when it is none (2025-02-30).
CREATE OR REPLACE FUNCTION @extschema@.csv_date(value text)
RETURNS date LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF value !~ '^\d{4}-\d{2}-\d{2}$' THEN
        RETURN NULL;
    END IF;
    RETURN value::date;
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
    RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.csv_date(text) IS 'a date written YYYY-MM-DD, NULL for anything else (also an impossible date such as 2025-02-30)';

-- A decimal number (digits, an optional sign, point and exponent), or NULL.
CREATE OR REPLACE FUNCTION @extschema@.csv_number(value text)
RETURNS numeric LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF value !~ '^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$' THEN
        RETURN NULL;
    END IF;
    RETURN value::numeric;
EXCEPTION WHEN numeric_value_out_of_range OR invalid_text_representation THEN
    RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.csv_number(text) IS 'a decimal number written with digits, an optional sign, decimal point and exponent; NULL for anything else (NaN, Infinity, thousands separators, overflow)';

-- The records of a CSV file with a header line, by column name: the
-- header's problems (empty file, unknown, repeated or missing columns) as
-- records of line 1, else each record with its fields by name (jsonb) and
-- its problem (the parser's, or a wrong number of fields).
CREATE OR REPLACE FUNCTION @extschema@.csv_records(content text, known text[], required text[])
RETURNS TABLE (line integer, fields jsonb, problem text)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    header record;
    names  text[];
    bad    text[];
BEGIN
    SELECT r.line, r.fields, r.problem INTO header FROM @extschema@.csv_rows(content) r ORDER BY r.line LIMIT 1;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 1, NULL::jsonb, 'the file is empty: a header line naming the columns is needed'::text;
        RETURN;
    END IF;
    IF header.problem IS NOT NULL THEN
        RETURN QUERY SELECT header.line, NULL::jsonb, 'header: ' || header.problem;
        RETURN;
    END IF;
    SELECT array_agg(lower(coalesce(h, '')) ORDER BY o) INTO names FROM unnest(header.fields) WITH ORDINALITY x(h, o);
    bad := ARRAY(SELECT format('header: unknown column "%s" (known: %s)', n, array_to_string(known, ', '))
                   FROM unnest(names) n WHERE NOT n = ANY (known)
                 UNION ALL
                 SELECT format('header: column "%s" appears %s times', n, count(*))
                   FROM unnest(names) n GROUP BY n HAVING count(*) > 1
                 UNION ALL
                 SELECT format('header: no column "%s"', n) FROM unnest(required) n WHERE NOT n = ANY (names));
    IF cardinality(bad) > 0 THEN
        RETURN QUERY SELECT header.line, NULL::jsonb, b FROM unnest(bad) b;
        RETURN;
    END IF;
    RETURN QUERY
    SELECT r.line,
           (SELECT jsonb_object_agg(names[o], f) FROM unnest(r.fields) WITH ORDINALITY x(f, o) WHERE o <= cardinality(names)),
           coalesce(r.problem,
                    CASE WHEN cardinality(r.fields) <> cardinality(names)
                         THEN format('%s fields, but the header names %s columns', cardinality(r.fields), cardinality(names)) END)
      FROM @extschema@.csv_rows(content) r
     WHERE r.line > header.line
     ORDER BY r.line;
END $$;
COMMENT ON FUNCTION @extschema@.csv_records(text, text[], text[]) IS
'the records of a CSV file with a header line: its fields by column name and any problem (the parser''s, or a wrong number of fields); the header''s own problems (empty file, unknown, repeated or missing columns) as problems of its line';

-- The records of a regions file as region_input: columns code, parent_code,
-- name_zh, name_en, kind, valid_from, valid_to (YYYY-MM-DD; empty: open).
CREATE OR REPLACE FUNCTION @extschema@.regions_csv_input(content text)
RETURNS @extschema@.region_input[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(array_agg(ROW(NULL, r.line, r.fields ->> 'code',
                                  @extschema@.csv_date(r.fields ->> 'valid_from'), @extschema@.csv_date(r.fields ->> 'valid_to'),
                                  r.fields ->> 'parent_code', r.fields ->> 'name_zh', r.fields ->> 'name_en', r.fields ->> 'kind',
                                  coalesce(r.problem, nullif(concat_ws('; ',
                                      CASE WHEN r.fields ->> 'valid_from' IS NOT NULL AND @extschema@.csv_date(r.fields ->> 'valid_from') IS NULL
                                           THEN format('valid_from "%s" is not a date (YYYY-MM-DD)', r.fields ->> 'valid_from') END,
                                      CASE WHEN r.fields ->> 'valid_to' IS NOT NULL AND @extschema@.csv_date(r.fields ->> 'valid_to') IS NULL
                                           THEN format('valid_to "%s" is not a date (YYYY-MM-DD)', r.fields ->> 'valid_to') END), ''))
                                  )::@extschema@.region_input ORDER BY r.line), '{}')
      FROM @extschema@.csv_records(content, '{code,parent_code,name_zh,name_en,kind,valid_from,valid_to}',
                                   '{code,name_zh,kind}') r;
$$;
COMMENT ON FUNCTION @extschema@.regions_csv_input(text) IS
'the records of a regions CSV file (columns code, parent_code, name_zh, name_en, kind, valid_from, valid_to) as region_input, with the problems found reading them';

-- The records of a population file as population_input: columns
-- region_code, year, month (empty or absent: a year figure), kind (absent:
-- the kind given), persons.
CREATE OR REPLACE FUNCTION @extschema@.population_csv_input(content text, kind text)
RETURNS @extschema@.population_input[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    WITH rec AS (
        SELECT r.line, r.fields, r.problem,
               r.fields ->> 'year' AS y, r.fields ->> 'month' AS m, r.fields ->> 'persons' AS p,
               CASE WHEN (r.fields ->> 'year') ~ '^\d{1,4}$' THEN (r.fields ->> 'year')::integer END AS year,
               CASE WHEN (r.fields ->> 'month') ~ '^\d{1,2}$' THEN (r.fields ->> 'month')::integer END AS month,
               @extschema@.csv_number(r.fields ->> 'persons') AS persons
          FROM @extschema@.csv_records(content,
                   '{region_code,year,month,kind,persons}',
                   CASE WHEN kind IS NULL THEN '{region_code,year,kind,persons}' ELSE '{region_code,year,persons}' END::text[]) r)
    SELECT coalesce(array_agg(ROW(NULL, r.line, r.fields ->> 'region_code',
                                  CASE WHEN r.fields ? 'kind' THEN r.fields ->> 'kind' ELSE kind END,
                                  CASE WHEN r.m IS NULL THEN 'year' ELSE 'month' END,
                                  @extschema@.year_month_start(r.year, r.month),
                                  CASE WHEN @extschema@.persons_problem(r.persons) IS NULL THEN r.persons::float8 END,
                                  coalesce(r.problem, nullif(concat_ws('; ',
                                      CASE WHEN r.y IS NULL THEN 'missing year'
                                           WHEN r.year IS NULL OR r.year NOT BETWEEN 1 AND 9999
                                           THEN format('year "%s" is not a year', r.y) END,
                                      CASE WHEN r.m IS NOT NULL AND (r.month IS NULL OR r.month NOT BETWEEN 1 AND 12)
                                           THEN format('month "%s" is not a month (1 to 12)', r.m) END,
                                      CASE WHEN r.p IS NOT NULL AND r.persons IS NULL
                                           THEN format('persons "%s" is not a number', r.p)
                                           WHEN r.persons IS NOT NULL THEN @extschema@.persons_problem(r.persons) END), ''))
                                  )::@extschema@.population_input ORDER BY r.line), '{}')
      FROM rec r WHERE r.fields IS NOT NULL OR r.problem IS NOT NULL;
$$;
COMMENT ON FUNCTION @extschema@.population_csv_input(text, text) IS
'the records of a population CSV file (columns region_code, year, month, kind, persons; without a kind column every figure is of the kind given) as population_input, with the problems found reading them';

CREATE OR REPLACE FUNCTION @extschema@.check_regions_csv(content text)
RETURNS TABLE (line integer, key text, problem text)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT p.line, p.key, p.problem FROM @extschema@.region_problems(@extschema@.regions_csv_input(content), NULL) p;
$$;
COMMENT ON FUNCTION @extschema@.check_regions_csv(text) IS
'every problem of a regions CSV file (given as text) as it would be loaded: its line (NULL for a catalogue region it would leave without a parent), the row''s key and the problem (wrong column count, unparseable date, missing code, name or kind, a bound kind, a duplicate code, an unknown parent, a cycle, bad dates); no row: the file loads';

CREATE OR REPLACE FUNCTION @extschema@.load_regions_csv(content text, OUT inserted bigint, OUT updated bigint)
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rows  @extschema@.region_input[] := @extschema@.regions_csv_input(content);
    probs jsonb;
    n     record;
BEGIN
    SELECT jsonb_agg(to_jsonb(p)) INTO probs FROM @extschema@.region_problems(rows, NULL) p;
    PERFORM @extschema@.raise_problems('the regions file', coalesce(probs, '[]'));
    SELECT * INTO n FROM @extschema@.apply_regions(rows, NULL);
    inserted := n.inserted;
    updated := n.updated;
END $$;
COMMENT ON FUNCTION @extschema@.load_regions_csv(text) IS
'loads a regions CSV file given as text (header: code, parent_code, name_zh, name_en, kind, valid_from, valid_to): every row inserted, or updated where its code and valid_from exist; on any problem (check_regions_csv) one error (22023) lists them and nothing is loaded';

CREATE OR REPLACE FUNCTION @extschema@.check_population_csv(content text, kind text DEFAULT NULL)
RETURNS TABLE (line integer, key text, problem text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT p.line, p.key, p.problem
      FROM @extschema@.population_problems(@extschema@.population_csv_input(content, kind), NULL) p
     WHERE content IS NOT NULL;
$$;
COMMENT ON FUNCTION @extschema@.check_population_csv(text, text) IS
'every problem of a population CSV file (given as text; without a kind column, of the kind given) as it would be loaded: its line, the figure''s key and the problem (wrong column count, unparseable number, year or month, missing or unknown region code, missing or bound kind, missing, negative or non-finite population, a duplicate figure); no row: the file loads';

CREATE OR REPLACE FUNCTION @extschema@.load_population_csv(content text, kind text DEFAULT NULL,
                                                            OUT inserted bigint, OUT updated bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rows  @extschema@.population_input[] := @extschema@.population_csv_input(coalesce(content, ''), kind);
    probs jsonb;
    n     record;
BEGIN
    SELECT jsonb_agg(to_jsonb(p)) INTO probs FROM @extschema@.population_problems(rows, NULL) p;
    PERFORM @extschema@.raise_problems('the population file', coalesce(probs, '[]'));
    SELECT * INTO n FROM @extschema@.apply_population(rows, NULL);
    inserted := n.inserted;
    updated := n.updated;
END $$;
COMMENT ON FUNCTION @extschema@.load_population_csv(text, text) IS
'loads a population CSV file given as text (header: region_code, year, month, kind, persons; without a kind column, every figure of the kind given): every figure inserted, or updated where its region, kind and period exist; on any problem (check_population_csv) one error (22023) lists them and nothing is loaded';
