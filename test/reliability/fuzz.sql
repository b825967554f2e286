-- test/reliability/fuzz.sql: runs the inputs of fuzz.py through safeidx's
-- parsers of user input, each call in a subtransaction of its own, and keeps
-- what each gave: rows, or the SQLSTATE it failed with (fuzz.sh, doc/
-- reliability.md).  fuzz.sh has made tables fuzz.csv_in, fuzz.loader_in and
-- fuzz.spec_in and copied fuzz.py's inputs into them; it reads fuzz.csv_out,
-- fuzz.loader_out and fuzz.spec_out afterwards for fuzz.py compare.  The
-- checks made here in SQL are printed as lines "check: NAME = VALUE".
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE TABLE fuzz.csv_out (id int, rows jsonb, state text);
CREATE TABLE fuzz.loader_out (id int, res jsonb, state text);
CREATE TABLE fuzz.spec_out (id int, at timestamptz, res date, state text, message text);

-- the catalogue the loader files refer to: city f0, districts f1-f3
DO $$ BEGIN PERFORM safeidx.load_regions_csv(E'code,parent_code,name_zh,kind\nf0,,城,city\nf1,f0,区一,district\nf2,f0,区二,district\nf3,f0,区三,district\n'); END $$;

DO $$
DECLARE
    r record;
    res jsonb;
BEGIN
    FOR r IN SELECT * FROM fuzz.csv_in ORDER BY id LOOP
        BEGIN
            SELECT coalesce(jsonb_agg(jsonb_build_array(c.line, c.fields, c.problem) ORDER BY c.ord), '[]')
              INTO res FROM safeidx.csv_rows(r.content) WITH ORDINALITY c(line, fields, problem, ord);
            INSERT INTO fuzz.csv_out VALUES (r.id, res, '');
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO fuzz.csv_out VALUES (r.id, 'null', SQLSTATE);
        END;
    END LOOP;
END $$;

-- Each loader file: its problems (check_*), then load_* in a subtransaction
-- rolled back afterwards (SQLSTATE SFZ01 for "it loaded"), so that every
-- file meets the same catalogue.  The check and the load of each random CSV
-- input too, as either kind of file, with the SQLSTATEs they give.
DO $$
DECLARE
    r record;
    lines int[];
    probs text;
    load_state text;
    loaded bigint;
    n record;
BEGIN
    FOR r IN SELECT * FROM fuzz.loader_in ORDER BY id LOOP
        loaded := NULL;
        BEGIN
            IF r.kind = 'regions' THEN
                SELECT array_agg(p.line ORDER BY p.line), string_agg(concat_ws(' ', p.line, p.key, p.problem), '; ')
                  INTO lines, probs FROM safeidx.check_regions_csv(r.content) p;
            ELSE
                SELECT array_agg(p.line ORDER BY p.line), string_agg(concat_ws(' ', p.line, p.key, p.problem), '; ')
                  INTO lines, probs FROM safeidx.check_population_csv(r.content) p;
            END IF;
            BEGIN
                IF r.kind = 'regions' THEN
                    SELECT * INTO n FROM safeidx.load_regions_csv(r.content);
                ELSE
                    SELECT * INTO n FROM safeidx.load_population_csv(r.content);
                END IF;
                loaded := n.inserted + n.updated;
                RAISE EXCEPTION 'loaded' USING ERRCODE = 'SFZ01';
            EXCEPTION WHEN OTHERS THEN
                load_state := SQLSTATE;
            END;
            INSERT INTO fuzz.loader_out
            VALUES (r.id, jsonb_build_object('problem_lines', coalesce(to_jsonb(lines), '[]'), 'problems', coalesce(probs, ''),
                                             'load_state', load_state, 'loaded', loaded), '');
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO fuzz.loader_out VALUES (r.id, jsonb_build_object('problem_lines', '[]', 'load_state', null,
                                                                         'problems', SQLERRM), SQLSTATE);
        END;
    END LOOP;
END $$;

-- (psql variable random_loaders: only the random inputs of id below it; all by default)
\if :{?random_loaders}
\else
\set random_loaders 2147483647
\endif
SET fuzz.random_loaders = :random_loaders;
CREATE TABLE fuzz.random_loader_states (state text, n int);
DO $$
DECLARE
    r record;
    st text;
BEGIN
    FOR r IN SELECT * FROM fuzz.csv_in WHERE kind = 'random' AND id < current_setting('fuzz.random_loaders')::int ORDER BY id LOOP
        FOREACH st IN ARRAY ARRAY['check_regions', 'check_population', 'load_regions', 'load_population'] LOOP
            BEGIN
                CASE st
                    WHEN 'check_regions' THEN PERFORM count(*) FROM safeidx.check_regions_csv(r.content);
                    WHEN 'check_population' THEN PERFORM count(*) FROM safeidx.check_population_csv(r.content, 'migrant');
                    WHEN 'load_regions' THEN PERFORM safeidx.load_regions_csv(r.content);
                    ELSE PERFORM safeidx.load_population_csv(r.content, 'migrant');
                END CASE;
                RAISE EXCEPTION 'done' USING ERRCODE = 'SFZ01';
            EXCEPTION WHEN OTHERS THEN
                INSERT INTO fuzz.random_loader_states VALUES (st || ' ' || CASE SQLSTATE WHEN 'SFZ01' THEN 'ok' ELSE SQLSTATE END, 1);
            END;
        END LOOP;
    END LOOP;
END $$;

-- local_period(at, spec): each spec text cast to jsonb and called at a
-- random instant (the first at -infinity, infinity, the ends of the range).
DO $$
DECLARE
    r record;
    at timestamptz;
    d date;
BEGIN
    PERFORM setseed(0.5);
    FOR r IN SELECT * FROM fuzz.spec_in ORDER BY id LOOP
        at := CASE r.id WHEN 0 THEN '-infinity' WHEN 1 THEN 'infinity' WHEN 2 THEN '4714-11-24 00:00:00+00 BC'
                        WHEN 3 THEN '294276-12-31 23:59:59.999999+00'
                        ELSE timestamptz '2000-01-01 00:00+00'
                             + (random() - 0.5) * (CASE WHEN random() < 0.8 THEN 60 * 365 ELSE 500000 END) * interval '1 day' END;
        BEGIN
            d := safeidx.local_period(at, r.spec::jsonb);
            INSERT INTO fuzz.spec_out VALUES (r.id, at, d, '', NULL);
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO fuzz.spec_out VALUES (r.id, at, NULL, SQLSTATE, SQLERRM);
        END;
    END LOOP;
END $$;

-- Agreement with PostgreSQL's own arithmetic, where both give a date:
-- date_trunc(period, at AT TIME ZONE zone)::date.
CREATE TABLE fuzz.spec_ref AS
SELECT o.id, o.at, o.res, s.spec::jsonb ->> 'period' AS period, s.spec::jsonb ->> 'zone' AS zone, NULL::date AS ref, ''::text AS ref_state
  FROM fuzz.spec_out o JOIN fuzz.spec_in s USING (id) WHERE o.state = '';
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM fuzz.spec_ref LOOP
        BEGIN
            UPDATE fuzz.spec_ref SET ref = date_trunc(r.period, r.at AT TIME ZONE r.zone)::date WHERE id = r.id;
        EXCEPTION WHEN OTHERS THEN
            UPDATE fuzz.spec_ref SET ref_state = SQLSTATE WHERE id = r.id;
        END;
    END LOOP;
END $$;
SELECT 'check: spec_compared_with_date_trunc = ' || count(*) FILTER (WHERE ref_state = '')
       || ' (' || count(*) FILTER (WHERE ref_state <> '') || ' that date_trunc refuses)' FROM fuzz.spec_ref;
SELECT 'check: spec_differing_from_date_trunc = ' || count(*) FROM fuzz.spec_ref WHERE ref_state = '' AND res IS DISTINCT FROM ref;
SELECT 'DIFFERING: ' || id || ' ' || at || ' ' || period || ' ' || zone || ' local_period ' || res || ' date_trunc ' || ref
  FROM fuzz.spec_ref WHERE ref_state = '' AND res IS DISTINCT FROM ref ORDER BY id LIMIT 20;
-- the same specs in one query, the spec changing from row to row (the parsed
-- spec kept between rows): the same dates as one call each
SELECT 'check: spec_one_query_differing = ' || count(*)
  FROM fuzz.spec_ref r JOIN fuzz.spec_in s USING (id)
 WHERE safeidx.local_period(r.at, s.spec::jsonb) IS DISTINCT FROM r.res;
SELECT 'check: random_csv_loader_outcomes = ' || string_agg(state || ':' || n, ' ' ORDER BY state)
  FROM (SELECT state, sum(n) AS n FROM fuzz.random_loader_states GROUP BY state) x;
SELECT 'check: random_csv_loader_internal_errors = ' || count(*) FROM fuzz.random_loader_states
 WHERE state !~ ' (ok|22[0-9A-Z]{3}|42[0-9A-Z]{3}|23[0-9A-Z]{3})$';
SELECT 'INTERNAL: ' || state FROM fuzz.random_loader_states WHERE state !~ ' (ok|22[0-9A-Z]{3}|42[0-9A-Z]{3}|23[0-9A-Z]{3})$' GROUP BY state;


-- Huge fields without NUL (psql variable huge: the repetitions): a quoted
-- field of huge times 'ab,' LF '"' (5 characters, the quote doubled in the
-- file, so huge line breaks inside), then a record 'z' on line huge + 2; an
-- unquoted field of 5 x huge letters, then a field 'y'.
WITH r AS (SELECT * FROM safeidx.csv_rows('"' || repeat(E'ab,\n""', :huge) || E'"\r\nz'))
SELECT 'check: huge_quoted_field = ' || ((SELECT count(*) FROM r) = 2 AND (SELECT bool_and(problem IS NULL) FROM r)
         AND (SELECT fields FROM r WHERE line = 1) = ARRAY[repeat(E'ab,\n"', :huge)]
         AND (SELECT fields FROM r WHERE line = :huge + 2) = ARRAY['z']);
WITH r AS (SELECT * FROM safeidx.csv_rows(repeat('x', 5 * :huge) || ',y'))
SELECT 'check: huge_unquoted_field = ' || ((SELECT count(*) FROM r) = 1
         AND (SELECT fields FROM r WHERE line = 1 AND problem IS NULL) = ARRAY[repeat('x', 5 * :huge), 'y']);
-- an unclosed quote: the rest of the text is the field, with the problem
WITH r AS (SELECT * FROM safeidx.csv_rows('"' || repeat(E'a\r', :huge)))
SELECT 'check: huge_unclosed_quote = ' || ((SELECT count(*) FROM r) = 1
         AND (SELECT fields FROM r WHERE line = 1 AND problem = 'a quoted field is not closed before the end of the file')
             = ARRAY[repeat(E'a\r', :huge)]);
