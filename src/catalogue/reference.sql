-- reference.sql: regions and population bound in place: a binding
-- names the relation (table, view or foreign table) where the statistics
-- office or the civil-affairs bureau keeps them, with a column map and an
-- owner whose rights read it, validated as sources are.  sync_reference()
-- (called by rebuild() and refresh(), and on demand) reads every binding as
-- its owner (reference.c) and reconciles the catalogue tables region and
-- population with it: only the differences are inserted, updated or
-- deleted, so change capture (capture.sql) logs exactly what changed; on any
-- bad row nothing is applied and the error lists every bad row.  A region
-- kind or population kind is either bound or entered by hand, never both
-- (reference_guard()).  The row checks, region_problems() and
-- population_problems(), are shared with the CSV loader (loader.sql).

-- [state]
-- One candidate row of region or population, from a binding or a CSV file:
-- origin names the binding or the file, line the CSV line (NULL for a
-- binding), problem a fault found while reading it (a value that does not
-- parse, a wrong number of columns).
CREATE TYPE @extschema@.region_input AS (
    origin      text,
    line        integer,
    code        text,
    valid_from  date,
    valid_to    date,
    parent_code text,
    name_zh     text,
    name_en     text,
    kind        text,
    problem     text
);
COMMENT ON TYPE @extschema@.region_input IS
'a region row to be loaded or reconciled (from a binding or a CSV file), with its origin, CSV line and any problem found reading it';
CREATE TYPE @extschema@.population_input AS (
    origin       text,
    line         integer,
    region_code  text,
    kind         text,
    period       text,
    period_start date,
    persons      float8,
    problem      text
);
COMMENT ON TYPE @extschema@.population_input IS
'a population figure to be loaded or reconciled (from a binding or a CSV file), with its origin, CSV line and any problem found reading it';

CREATE TABLE @extschema@.reference_binding (
    binding     text PRIMARY KEY CHECK (binding ~ '^[a-z][a-z0-9_]*$'),
    target      text NOT NULL CHECK (target IN ('region', 'population')),
    relation    text NOT NULL,
    columns     jsonb NOT NULL CHECK (jsonb_typeof(columns) = 'object'),
    kinds       text[] NOT NULL CHECK (cardinality(kinds) > 0 AND array_position(kinds, NULL) IS NULL),
    owner       name NOT NULL DEFAULT CURRENT_USER,
    description text
);
COMMENT ON TABLE @extschema@.reference_binding IS
'regions or population figures kept in place (a table, view or foreign table of the statistics office or civil-affairs bureau), read with the owner''s rights and reconciled into region / population by sync_reference() at every rebuild and refresh; the region kinds or population kinds listed are bound: the catalogue rows of those kinds are the relation''s, never entered by hand';
COMMENT ON COLUMN @extschema@.reference_binding.columns IS
'the column map {catalogue column: relation column}; region: code, name_zh (required), parent_code, name_en, kind, valid_from, valid_to; population: region_code, persons (required), year (and month) or period_start (and period), kind';
COMMENT ON COLUMN @extschema@.reference_binding.kinds IS
'the region kinds (region.kind) or population kinds (registered, resident, migrant) the binding holds; without a kind column, exactly one, the kind of every row';
COMMENT ON COLUMN @extschema@.reference_binding.owner IS
'the role whose rights read the relation (default: the role that defines the binding); only its members may define, change or drop the binding';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.reference_binding', '');

-- [code]
-- The relation a binding names, found as its owner finds it (C).
CREATE OR REPLACE FUNCTION @extschema@.reference_relation(b @extschema@.reference_binding, missing_ok boolean DEFAULT false)
RETURNS regclass
AS 'MODULE_PATHNAME', 'reference_relation'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reference_relation(@extschema@.reference_binding, boolean) IS
'the relation a reference binding names, resolved with its owner''s rights and search_path pg_catalog, pg_temp, whoever calls: NULL when there is none; error 42704 when the owner no longer exists, 42501 when it may not use the relation''s schema (NULL for both with missing_ok)';

-- The columns a binding may map, each with the types allowed (NULL: the
-- text types) and whether it is required.
CREATE OR REPLACE FUNCTION @extschema@.reference_columns(target text)
RETURNS TABLE (col text, types regtype[], required boolean)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT x.col, x.types, x.required
      FROM (VALUES
        ('region', 'code', @extschema@.source_column_types('region'), true),
        ('region', 'parent_code', @extschema@.source_column_types('region'), false),
        ('region', 'name_zh', ARRAY['text', 'character varying', 'character']::regtype[], true),
        ('region', 'name_en', ARRAY['text', 'character varying', 'character']::regtype[], false),
        ('region', 'kind', ARRAY['text', 'character varying', 'character']::regtype[], false),
        ('region', 'valid_from', ARRAY['date']::regtype[], false),
        ('region', 'valid_to', ARRAY['date']::regtype[], false),
        ('population', 'region_code', @extschema@.source_column_types('region'), true),
        ('population', 'persons', @extschema@.source_column_types('measure'), true),
        ('population', 'kind', ARRAY['text', 'character varying', 'character']::regtype[], false),
        ('population', 'year', ARRAY['smallint', 'integer', 'bigint']::regtype[], false),
        ('population', 'month', ARRAY['smallint', 'integer', 'bigint']::regtype[], false),
        ('population', 'period_start', ARRAY['date']::regtype[], false),
        ('population', 'period', ARRAY['text', 'character varying', 'character']::regtype[], false)
      ) x(target, col, types, required)
     WHERE x.target = reference_columns.target;
$$;
COMMENT ON FUNCTION @extschema@.reference_columns(text) IS
'the catalogue columns a region or population binding may map, the built-in types the relation''s column may have, and whether the column is required';

-- The checks of a binding, when defined and at every read: the columns it
-- maps exist, have built-in types, and its owner may read them; the kinds.
CREATE OR REPLACE FUNCTION @extschema@.check_reference_binding(b @extschema@.reference_binding, rel regclass)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    c record;
    t regtype;
    bad text;
BEGIN
    SELECT k INTO bad FROM jsonb_object_keys(b.columns) k
     WHERE k NOT IN (SELECT r.col FROM @extschema@.reference_columns(b.target) r) LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'binding "%" maps an unknown % column "%"', b.binding, b.target, bad
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = format('Map some of: %s.', (SELECT string_agg(r.col, ', ') FROM @extschema@.reference_columns(b.target) r));
    END IF;
    SELECT k INTO bad FROM jsonb_each(b.columns) e(k, v) WHERE jsonb_typeof(v) <> 'string' LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'binding "%": the % column must be mapped to a column name (a JSON string)', b.binding, bad
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT r.col INTO bad FROM @extschema@.reference_columns(b.target) r
     WHERE r.required AND NOT b.columns ? r.col LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'binding "%" does not map the % column "%"', b.binding, b.target, bad
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT b.columns ? 'kind' AND cardinality(b.kinds) <> 1 THEN
        RAISE EXCEPTION 'binding "%" maps no kind column, so it must hold exactly one kind, not %', b.binding, cardinality(b.kinds)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF b.target = 'population' THEN
        SELECT k INTO bad FROM unnest(b.kinds) k WHERE k NOT IN ('registered', 'resident', 'migrant') LIMIT 1;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'binding "%": "%" is not a population kind (registered, resident, migrant)', b.binding, bad
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF (b.columns ? 'year') = (b.columns ? 'period_start') THEN
            RAISE EXCEPTION 'binding "%" must map either year (and month) or period_start (and period)', b.binding
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF (b.columns ? 'month' AND NOT b.columns ? 'year') OR (b.columns ? 'period' AND NOT b.columns ? 'period_start') THEN
            RAISE EXCEPTION 'binding "%": month goes with year, period with period_start', b.binding
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    FOR c IN SELECT r.col, b.columns ->> r.col AS relcol, r.types
               FROM @extschema@.reference_columns(b.target) r WHERE b.columns ? r.col LOOP
        t := @extschema@.source_column_type(rel, c.relcol, c.col);
        IF NOT t = ANY (c.types) THEN
            RAISE EXCEPTION '% column "%" of binding "%" has type %, not one of %', c.col, c.relcol, b.binding,
                t, array_to_string(c.types, ', ')
                USING ERRCODE = 'datatype_mismatch';
        END IF;
        IF NOT has_column_privilege(b.owner, rel, c.relcol, 'SELECT') THEN
            RAISE EXCEPTION 'the owner of binding "%", role %, may not read column "%" of %', b.binding, b.owner, c.relcol, rel
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'A binding is read with its owner''s rights: grant the owner SELECT, or define the binding as a role that may read it.';
        END IF;
    END LOOP;
END $$;
COMMENT ON FUNCTION @extschema@.check_reference_binding(@extschema@.reference_binding, regclass) IS
'error unless the column map of a reference binding names known catalogue columns (22023), maps the required ones, the columns exist (42703) with built-in types (42804) and its owner may read them (42501), and its kinds fit its target';

-- Validation when a binding is defined or changed: who may own it, who may
-- define it (a member of the owner who may write the catalogue table it
-- fills), what it names (found as the owner finds it), its kinds bound by
-- no other binding.
CREATE OR REPLACE FUNCTION @extschema@.reference_binding_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel regclass;
    other record;
BEGIN
    IF NOT @extschema@.is_member_of(NEW.owner) THEN
        RAISE EXCEPTION 'binding "%" cannot be owned by role %: you are not a member of it', NEW.binding, NEW.owner
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A binding is read with its owner''s rights; own it yourself (the default) or as a role you belong to.';
    END IF;
    IF NOT (has_table_privilege(('@extschema@.' || NEW.target)::regclass, 'INSERT')
            AND has_table_privilege(('@extschema@.' || NEW.target)::regclass, 'UPDATE')
            AND has_table_privilege(('@extschema@.' || NEW.target)::regclass, 'DELETE')) THEN
        RAISE EXCEPTION 'you may not bind %: a binding rewrites safeidx.%, which you may not write', NEW.target, NEW.target
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'An administrator of the catalogue (safeidx_admin) who is a member of the owner defines the binding.';
    END IF;
    SELECT o.binding, k INTO other FROM @extschema@.reference_binding o, unnest(o.kinds) k
     WHERE o.target = NEW.target AND o.binding <> NEW.binding AND k = ANY (NEW.kinds) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '% kind "%" of binding "%" is already bound by binding "%"', NEW.target, other.k, NEW.binding, other.binding
            USING ERRCODE = 'exclusion_violation';
    END IF;
    rel := @extschema@.reference_relation(NEW);
    IF rel IS NULL THEN
        RAISE EXCEPTION 'relation "%" of binding "%" does not exist', NEW.relation, NEW.binding
            USING ERRCODE = 'undefined_table', HINT = 'Give a schema-qualified table, view or foreign table name.';
    END IF;
    IF (SELECT c.relkind FROM pg_class c WHERE c.oid = rel) NOT IN ('r', 'p', 'v', 'm', 'f') THEN
        RAISE EXCEPTION '% of binding "%" is not a table, view or foreign table', rel, NEW.binding
            USING ERRCODE = 'wrong_object_type';
    END IF;
    NEW.relation := rel::text;
    PERFORM @extschema@.check_reference_binding(NEW, rel);
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER reference_binding_valid BEFORE INSERT OR UPDATE ON @extschema@.reference_binding
    FOR EACH ROW EXECUTE FUNCTION @extschema@.reference_binding_check();

-- The query reading a binding (as its owner: reference_rows), built and
-- checked as the caller from the stored definition.  Region rows:
-- (code, valid_from, valid_to, parent_code, name_zh, name_en, kind);
-- population rows: (region_code, kind, period, period_start, year, month,
-- persons numeric), values converted by PostgreSQL's own casts only.
CREATE OR REPLACE FUNCTION @extschema@.reference_sql(binding text, OUT sql text, OUT owner name)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    b   @extschema@.reference_binding;
    rel regclass;
BEGIN
    SELECT * INTO b FROM @extschema@.reference_binding x WHERE x.binding = reference_sql.binding;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown reference binding "%"', binding USING ERRCODE = 'undefined_object';
    END IF;
    rel := @extschema@.reference_relation(b);
    IF rel IS NULL THEN
        RAISE EXCEPTION 'relation "%" of binding "%" does not exist', b.relation, b.binding
            USING ERRCODE = 'undefined_table';
    END IF;
    PERFORM @extschema@.check_reference_binding(b, rel);
    owner := b.owner;
    IF b.target = 'region' THEN
        sql := format('SELECT %s::text, %s::date, %s::date, %s::text, %s::text, %s::text, %s::text FROM %s',
                      quote_ident(b.columns ->> 'code'),
                      coalesce(quote_ident(b.columns ->> 'valid_from'), 'NULL'),
                      coalesce(quote_ident(b.columns ->> 'valid_to'), 'NULL'),
                      coalesce(quote_ident(b.columns ->> 'parent_code'), 'NULL'),
                      quote_ident(b.columns ->> 'name_zh'),
                      coalesce(quote_ident(b.columns ->> 'name_en'), 'NULL'),
                      coalesce(quote_ident(b.columns ->> 'kind'), quote_literal(b.kinds[1])),
                      rel);
    ELSE
        sql := format('SELECT %s::text, %s::text, %s::text, %s::date, %s::bigint, %s::bigint, %s::numeric FROM %s',
                      quote_ident(b.columns ->> 'region_code'),
                      coalesce(quote_ident(b.columns ->> 'kind'), quote_literal(b.kinds[1])),
                      coalesce(quote_ident(b.columns ->> 'period'), 'NULL'),
                      coalesce(quote_ident(b.columns ->> 'period_start'), 'NULL'),
                      coalesce(quote_ident(b.columns ->> 'year'), 'NULL'),
                      coalesce(quote_ident(b.columns ->> 'month'), 'NULL'),
                      quote_ident(b.columns ->> 'persons'),
                      rel);
    END IF;
END $$;
COMMENT ON FUNCTION @extschema@.reference_sql(text) IS
'the query reading a reference binding''s relation and its owner, after checking the binding as at definition (used by reference_rows)';

-- The rows of a binding, read as its owner in a security-restricted
-- operation (C); the caller gives the column definition list:
-- reference_region_rows() and reference_population_rows() below.
CREATE OR REPLACE FUNCTION @extschema@.reference_region_rows(binding text)
RETURNS TABLE (code text, valid_from date, valid_to date, parent_code text, name_zh text, name_en text, kind text)
AS 'MODULE_PATHNAME', 'reference_rows'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.reference_region_rows(text) IS
'the rows of a region binding''s relation, read with its owner''s rights in a security-restricted operation (C), as the catalogue''s columns';
CREATE OR REPLACE FUNCTION @extschema@.reference_population_rows(binding text)
RETURNS TABLE (region_code text, kind text, period text, period_start date, year bigint, month bigint, persons numeric)
AS 'MODULE_PATHNAME', 'reference_rows'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.reference_population_rows(text) IS
'the rows of a population binding''s relation, read with its owner''s rights in a security-restricted operation (C): region code, kind, period and start or year and month, persons as numeric';

-- A number of persons as stored, or the problem with it.
CREATE OR REPLACE FUNCTION @extschema@.persons_problem(persons numeric)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN persons IS NULL THEN 'missing population'
                WHEN persons = 'NaN' THEN 'population is not a number (NaN)'
                WHEN persons IN ('Infinity', '-Infinity') THEN 'population is infinite'
                WHEN persons < 0 THEN format('negative population %s', persons)
                WHEN persons > 1e300 THEN 'population is out of range (above 1e300)' END;
$$;
COMMENT ON FUNCTION @extschema@.persons_problem(numeric) IS
'what is wrong with a number of persons (missing, NaN, infinite, negative, out of range), NULL when nothing';

-- The start of a population figure's period from a year and month, or NULL.
CREATE OR REPLACE FUNCTION @extschema@.year_month_start(year bigint, month bigint)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN year BETWEEN 1 AND 9999 AND (month IS NULL OR month BETWEEN 1 AND 12)
                THEN make_date(year::integer, coalesce(month, 1)::integer, 1) END;
$$;
COMMENT ON FUNCTION @extschema@.year_month_start(bigint, bigint) IS
'the first day of a year (month NULL) or of a month of it; NULL for a year outside 1 to 9999 or a month outside 1 to 12';

-- A region row's key, as problems name it.
CREATE OR REPLACE FUNCTION @extschema@.region_key(code text, valid_from date)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(code, '(no code)')
           || CASE WHEN valid_from IS NULL OR valid_from = '-infinity' THEN '' ELSE ' from ' || valid_from END;
$$;
COMMENT ON FUNCTION @extschema@.region_key(text, date) IS 'a region row''s key as problems name it: its code, and its valid_from when it has one';

CREATE OR REPLACE FUNCTION @extschema@.population_key(region_code text, kind text, period text, period_start date)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT concat_ws(' ', coalesce(region_code, '(no region code)'), coalesce(kind, '(no kind)'),
                     CASE WHEN period_start IS NULL THEN '(no period)'
                          WHEN period = 'month' THEN to_char(period_start, 'YYYY-MM')
                          WHEN period = 'year' THEN to_char(period_start, 'YYYY')
                          ELSE coalesce(period, '(no period)') || ' ' || period_start END);
$$;
COMMENT ON FUNCTION @extschema@.population_key(text, text, text, date) IS 'a population figure''s key as problems name it: region code, kind, year or year-month';

-- Every problem of region rows about to replace catalogue rows: those of
-- the kinds in replaced_kinds (bindings: each row comes from the binding
-- its origin names), or else those with the same code and valid_from (a CSV
-- load, replaced_kinds NULL).  The state after the change (the rows given
-- and the catalogue rows they leave) must pass region_check(): codes without
-- white space, names and kinds given, valid_from before valid_to, no two
-- rows of a code overlapping (duplicate code), a parent over each row's
-- whole validity (unknown parent), no cycle; a row of a bound kind comes
-- only from its binding.  Catalogue rows the change leaves without their
-- parent are named too (line NULL, key "catalogue region ...").
CREATE OR REPLACE FUNCTION @extschema@.region_problems(rows @extschema@.region_input[], replaced_kinds text[])
RETURNS TABLE (origin text, line integer, key text, problem text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    WITH input AS (
        SELECT r.origin, r.line, r.code, coalesce(r.valid_from, '-infinity') AS valid_from,
               coalesce(r.valid_to, 'infinity') AS valid_to, r.parent_code, r.name_zh, r.kind, r.problem,
               row_number() OVER () AS n
          FROM unnest(rows) r),
    kept AS (
        SELECT c.code, c.valid_from, c.valid_to, c.parent_code, c.kind
          FROM @extschema@.region c
         WHERE CASE WHEN replaced_kinds IS NOT NULL THEN NOT c.kind = ANY (replaced_kinds)
                    ELSE NOT EXISTS (SELECT FROM input i WHERE i.code = c.code AND i.valid_from = c.valid_from) END),
    state AS (
        SELECT row_number() OVER () AS sid, x.*
          FROM (SELECT i.n, i.line, i.code, i.valid_from, i.valid_to, i.parent_code, i.kind
                  FROM input i WHERE i.problem IS NULL AND i.code ~ '^\S+$' AND i.valid_from < i.valid_to
                UNION ALL
                SELECT NULL, NULL, k.code, k.valid_from, k.valid_to, k.parent_code, k.kind FROM kept k) x),
    -- whether a row's parent exists at its valid_from and continues over
    -- its whole validity (region_check()'s rule), by hash joins on the code:
    -- the parent's rows, and whether each is continued by another
    parent_rows AS (
        SELECT s.sid, p.valid_from AS p_from, p.valid_to AS p_to, q.sid IS NOT NULL AS continued
          FROM state s JOIN state p ON p.code = s.parent_code
          LEFT JOIN state q ON q.code = p.code AND q.valid_from = p.valid_to
         WHERE s.parent_code <> s.code),
    parented AS (
        SELECT s.*, count(r.sid) > 0 AS parent_known,
               coalesce(bool_or(r.p_from <= s.valid_from AND s.valid_from < r.p_to), false)
               AND NOT coalesce(bool_or(r.p_to > s.valid_from AND r.p_to < s.valid_to AND NOT r.continued), false) AS parent_ok
          FROM state s LEFT JOIN parent_rows r ON r.sid = s.sid
         WHERE s.parent_code IS NOT NULL AND s.parent_code <> s.code
         GROUP BY s.sid, s.n, s.line, s.code, s.valid_from, s.valid_to, s.parent_code, s.kind),
    -- the ancestors of every row given, all rows at once (at any date, as
    -- region_check() follows parent links), to find cycles
    up AS (
        WITH RECURSIVE walk(sid, start_code, code, path) AS (
            SELECT s.sid, s.code, s.parent_code, ARRAY[s.code]
              FROM state s WHERE s.n IS NOT NULL AND s.parent_code IS NOT NULL AND s.parent_code <> s.code
            UNION
            SELECT w.sid, w.start_code, p.parent_code, w.path || w.code
              FROM walk w JOIN state p ON p.code = w.code
             WHERE p.parent_code IS NOT NULL AND NOT w.code = ANY (w.path))
        SELECT DISTINCT w.sid FROM walk w WHERE w.code = w.start_code),
    problems AS (
        SELECT i.n, i.problem FROM input i WHERE i.problem IS NOT NULL
        UNION ALL
        SELECT i.n, x.problem
          FROM input i,
               LATERAL (VALUES
                   (CASE WHEN i.code IS NULL OR i.code = '' THEN 'missing code'
                         WHEN i.code !~ '^\S+$' THEN format('code "%s" has white space', i.code) END),
                   (CASE WHEN i.name_zh IS NULL OR btrim(i.name_zh) = '' THEN 'missing name_zh' END),
                   (CASE WHEN i.kind IS NULL OR btrim(i.kind) = '' THEN 'missing kind'
                         WHEN replaced_kinds IS NOT NULL
                              AND NOT i.kind = ANY (coalesce((SELECT b.kinds FROM @extschema@.reference_binding b WHERE b.binding = i.origin), '{}'::text[]))
                         THEN format('kind "%s" is not one of the kinds of binding "%s" (%s)', i.kind, i.origin,
                                     (SELECT array_to_string(b.kinds, ', ') FROM @extschema@.reference_binding b WHERE b.binding = i.origin))
                         WHEN replaced_kinds IS NULL
                         THEN (SELECT format('kind "%s" is bound by binding "%s": change it in %s', i.kind, b.binding, b.relation)
                                 FROM @extschema@.reference_binding b
                                WHERE b.target = 'region' AND i.kind = ANY (b.kinds) ORDER BY b.binding LIMIT 1) END),
                   (CASE WHEN NOT i.valid_from < i.valid_to
                         THEN format('valid_from %s is not before valid_to %s', i.valid_from, i.valid_to) END),
                   (CASE WHEN i.parent_code = i.code THEN format('region "%s" is its own parent', i.code) END)
               ) x(problem)
         WHERE i.problem IS NULL AND x.problem IS NOT NULL
        UNION ALL
        -- duplicate codes: another row of the code whose validity overlaps
        SELECT s.n, CASE WHEN o.n IS NOT NULL
                         THEN format('duplicate code "%s" (%s)', s.code,
                                     CASE WHEN o.line IS NOT NULL THEN 'also on line ' || o.line
                                          ELSE 'also ' || @extschema@.region_key(o.code, o.valid_from)
                                               || ' until ' || o.valid_to END)
                         ELSE format('code "%s" overlaps the catalogue''s region %s of kind "%s", %s', s.code,
                                     @extschema@.region_key(o.code, o.valid_from), o.kind,
                                     coalesce((SELECT 'bound by binding "' || b.binding || '"' FROM @extschema@.reference_binding b
                                                WHERE b.target = 'region' AND o.kind = ANY (b.kinds) ORDER BY b.binding LIMIT 1),
                                              'entered by hand')) END
          FROM state s JOIN state o
            ON o.code = s.code AND o.valid_from < s.valid_to AND s.valid_from < o.valid_to
         WHERE s.n IS NOT NULL AND o.sid <> s.sid
        UNION ALL
        -- a parent over the whole validity
        SELECT p.n, CASE WHEN NOT p.parent_known
                         THEN format('unknown parent "%s"', p.parent_code)
                         ELSE format('parent "%s" does not exist over all of [%s, %s)', p.parent_code, p.valid_from, p.valid_to) END
          FROM parented p WHERE p.n IS NOT NULL AND NOT p.parent_ok
        UNION ALL
        -- cycles through parent links
        SELECT s.n, format('region "%s" would be its own ancestor', s.code)
          FROM state s JOIN up u ON u.sid = s.sid)
    SELECT DISTINCT i.origin, i.line,
           CASE WHEN p.problem !~ '^(header: |the file is empty)' THEN @extschema@.region_key(i.code, i.valid_from) END, p.problem
      FROM problems p JOIN input i ON i.n = p.n
    UNION ALL
    -- catalogue rows kept whose parent the change removes: a parent whose
    -- rows are replaced (of a bound kind, or loaded from the file)
    SELECT DISTINCT coalesce((SELECT min(b.binding) FROM @extschema@.region c JOIN @extschema@.reference_binding b
                                ON b.target = 'region' AND c.kind = ANY (b.kinds)
                              WHERE c.code = k.parent_code AND replaced_kinds IS NOT NULL AND c.kind = ANY (replaced_kinds)),
                             (SELECT min(i.origin) FROM input i WHERE i.code = k.parent_code)),
           NULL::integer, 'catalogue region ' || @extschema@.region_key(k.code, k.valid_from),
           format('region "%s" of kind "%s" would lose its parent "%s" over [%s, %s)',
                  k.code, k.kind, k.parent_code, k.valid_from, k.valid_to)
      FROM parented k
     WHERE k.n IS NULL AND NOT k.parent_ok
       AND (EXISTS (SELECT FROM @extschema@.region c
                     WHERE c.code = k.parent_code AND replaced_kinds IS NOT NULL AND c.kind = ANY (replaced_kinds))
            OR EXISTS (SELECT FROM input i WHERE i.code = k.parent_code))
    ORDER BY 2 NULLS LAST, 3, 4;
$$;
COMMENT ON FUNCTION @extschema@.region_problems(@extschema@.region_input[], text[]) IS
'every problem of region rows about to replace the catalogue rows of the kinds given (bindings) or, with NULL kinds, those of the same code and valid_from (a CSV load): missing code, name or kind, white space in a code, a kind not the binding''s or bound elsewhere, valid_from not before valid_to, a duplicate code, an unknown parent or one missing for part of the validity, a cycle, and catalogue rows the change leaves without their parent; one row per problem';

-- Every problem of population figures about to replace catalogue figures:
-- those of the kinds in replaced_kinds (bindings), or else those of the same
-- key (a CSV load, replaced_kinds NULL): a region code given and known (a
-- region of the catalogue, at any date), a population kind (of the
-- binding's; not bound by a binding for a CSV load), a year or month period
-- starting on its first day, persons given, finite and not negative, one
-- figure per region, kind and period (duplicate figure).
CREATE OR REPLACE FUNCTION @extschema@.population_problems(rows @extschema@.population_input[], replaced_kinds text[])
RETURNS TABLE (origin text, line integer, key text, problem text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    WITH input AS (
        SELECT r.*, row_number() OVER () AS n FROM unnest(rows) r),
    problems AS (
        SELECT i.n, i.problem FROM input i WHERE i.problem IS NOT NULL
        UNION ALL
        SELECT i.n, x.problem
          FROM input i,
               LATERAL (VALUES
                   (CASE WHEN i.region_code IS NULL OR i.region_code = '' THEN 'missing region code'
                         WHEN NOT EXISTS (SELECT FROM @extschema@.region c WHERE c.code = i.region_code)
                         THEN format('unknown region "%s"', i.region_code) END),
                   (CASE WHEN i.kind IS NULL OR i.kind = '' THEN 'missing kind'
                         WHEN i.kind NOT IN ('registered', 'resident', 'migrant')
                         THEN format('"%s" is not a population kind (registered, resident, migrant)', i.kind)
                         WHEN replaced_kinds IS NOT NULL
                              AND NOT i.kind = ANY (coalesce((SELECT b.kinds FROM @extschema@.reference_binding b WHERE b.binding = i.origin), '{}'::text[]))
                         THEN format('kind "%s" is not one of the kinds of binding "%s" (%s)', i.kind, i.origin,
                                     (SELECT array_to_string(b.kinds, ', ') FROM @extschema@.reference_binding b WHERE b.binding = i.origin))
                         WHEN replaced_kinds IS NULL
                         THEN (SELECT format('kind "%s" is bound by binding "%s": change it in %s', i.kind, b.binding, b.relation)
                                 FROM @extschema@.reference_binding b
                                WHERE b.target = 'population' AND i.kind = ANY (b.kinds) ORDER BY b.binding LIMIT 1) END),
                   (CASE WHEN i.period IS NULL OR i.period_start IS NULL THEN 'missing period'
                         WHEN i.period NOT IN ('year', 'month') THEN format('period "%s" is neither year nor month', i.period)
                         WHEN i.period_start IN ('-infinity', 'infinity') OR i.period_start <> date_trunc(i.period, i.period_start)::date
                         THEN format('%s is not the first day of a %s', i.period_start, i.period) END),
                   (CASE WHEN i.persons IS NULL THEN 'missing population'
                         WHEN i.persons < 0 THEN format('negative population %s', i.persons)
                         WHEN i.persons IN ('NaN', 'Infinity') THEN format('population is %s', i.persons) END)
               ) x(problem)
         WHERE i.problem IS NULL AND x.problem IS NOT NULL
        UNION ALL
        SELECT i.n, format('duplicate figure (%s)', CASE WHEN o.line IS NOT NULL THEN 'also on line ' || o.line
                                                        ELSE 'the relation has it more than once' END)
          FROM input i JOIN input o
            ON (o.region_code, o.kind, o.period, o.period_start) = (i.region_code, i.kind, i.period, i.period_start)
           AND o.n <> i.n
         WHERE i.problem IS NULL AND o.problem IS NULL)
    SELECT DISTINCT i.origin, i.line,
           CASE WHEN p.problem !~ '^(header: |the file is empty)'
                THEN @extschema@.population_key(i.region_code, i.kind, i.period, i.period_start) END, p.problem
      FROM problems p JOIN input i ON i.n = p.n
     ORDER BY 2 NULLS LAST, 3, 4;
$$;
COMMENT ON FUNCTION @extschema@.population_problems(@extschema@.population_input[], text[]) IS
'every problem of population figures about to replace the catalogue figures of the kinds given (bindings) or, with NULL kinds, those of the same key (a CSV load): missing or unknown region code, missing, unknown or wrongly bound kind, a period that is not a year or month starting on its first day, missing, negative or non-finite persons, a duplicate figure; one row per problem';

-- The error raised for problems found: one error listing the first 50
-- (origin, line, key and problem), with their count; nothing was applied.
CREATE OR REPLACE FUNCTION @extschema@.raise_problems(what text, problems jsonb)
RETURNS void LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n integer := jsonb_array_length(problems);
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    RAISE EXCEPTION '% problem% in %; nothing was applied', n, CASE WHEN n = 1 THEN '' ELSE 's' END, what
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = (SELECT string_agg(concat_ws(': ', nullif(concat_ws(' ', CASE WHEN p ->> 'origin' IS NOT NULL AND what NOT LIKE '%' || (p ->> 'origin') || '%'
                                                                                    THEN 'binding "' || (p ->> 'origin') || '"' END,
                                                                               'line ' || (p ->> 'line'),
                                                                               '(' || (p ->> 'key') || ')'), ''),
                                                  p ->> 'problem'), E'\n' ORDER BY o)
                          FROM jsonb_array_elements(problems) WITH ORDINALITY x(p, o) WHERE o <= 50)
                       || CASE WHEN n > 50 THEN format(E'\n... and %s more', n - 50) ELSE '' END,
              HINT = 'Correct every row listed and try again; check functions list the problems as rows.';
END $$;
COMMENT ON FUNCTION @extschema@.raise_problems(text, jsonb) IS
'raises one error (22023) listing the first 50 problems of a load or reconciliation (origin, line, key, problem) and their number; nothing when there is none';

-- The rows of the region bindings given, as region_input (origin: the binding).
CREATE OR REPLACE FUNCTION @extschema@.binding_region_rows(bindings text[])
RETURNS @extschema@.region_input[] LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(array_agg(ROW(b, NULL, r.code, r.valid_from, r.valid_to, r.parent_code, r.name_zh, r.name_en, r.kind,
                                  CASE WHEN r.valid_from = 'infinity' OR r.valid_to = '-infinity'
                                       THEN 'valid_from infinity or valid_to -infinity' END)::@extschema@.region_input
                              ORDER BY b, r.code, r.valid_from), '{}')
      FROM unnest(bindings) b, @extschema@.reference_region_rows(b) r;
$$;
COMMENT ON FUNCTION @extschema@.binding_region_rows(text[]) IS
'the rows of region bindings read as their owners, as region_input (origin: the binding)';

CREATE OR REPLACE FUNCTION @extschema@.binding_population_rows(bindings text[])
RETURNS @extschema@.population_input[] LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(array_agg(ROW(b, NULL, r.region_code, r.kind,
                                  CASE WHEN r.period_start IS NOT NULL THEN coalesce(r.period, 'year')
                                       WHEN r.year IS NOT NULL THEN CASE WHEN r.month IS NULL THEN 'year' ELSE 'month' END END,
                                  coalesce(r.period_start, @extschema@.year_month_start(r.year, r.month)),
                                  CASE WHEN @extschema@.persons_problem(r.persons) IS NULL THEN r.persons::float8 END,
                                  nullif(concat_ws('; ',
                                      CASE WHEN r.year IS NOT NULL AND @extschema@.year_month_start(r.year, r.month) IS NULL
                                           THEN format('year %s, month %s is no period (years 1 to 9999, months 1 to 12)',
                                                       r.year, coalesce(r.month::text, '-')) END,
                                      CASE WHEN r.persons IS NOT NULL THEN @extschema@.persons_problem(r.persons) END), '')
                                  )::@extschema@.population_input
                              ORDER BY b, r.region_code, r.kind, r.period_start, r.year, r.month), '{}')
      FROM unnest(bindings) b, @extschema@.reference_population_rows(b) r;
$$;
COMMENT ON FUNCTION @extschema@.binding_population_rows(text[]) IS
'the rows of population bindings read as their owners, as population_input (origin: the binding): a year (and month) as the first day of its period, persons as float8 or the problem with them';

-- Whether the catalogue rows of the kinds given differ from rows read from
-- their bindings (or some row could not be read): when they do not, there
-- is nothing to check or apply.
CREATE OR REPLACE FUNCTION @extschema@.region_differs(rows @extschema@.region_input[], kinds text[])
RETURNS boolean LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT FROM unnest(rows) r WHERE r.problem IS NOT NULL)
        OR EXISTS (SELECT r.code, coalesce(r.valid_from, '-infinity'), coalesce(r.valid_to, 'infinity'), r.parent_code,
                          r.name_zh, r.name_en, r.kind FROM unnest(rows) r
                   EXCEPT ALL
                   SELECT c.code, c.valid_from, c.valid_to, c.parent_code, c.name_zh, c.name_en, c.kind
                     FROM @extschema@.region c WHERE c.kind = ANY (kinds))
        OR EXISTS (SELECT c.code, c.valid_from, c.valid_to, c.parent_code, c.name_zh, c.name_en, c.kind
                     FROM @extschema@.region c WHERE c.kind = ANY (kinds)
                   EXCEPT ALL
                   SELECT r.code, coalesce(r.valid_from, '-infinity'), coalesce(r.valid_to, 'infinity'), r.parent_code,
                          r.name_zh, r.name_en, r.kind FROM unnest(rows) r);
$$;
COMMENT ON FUNCTION @extschema@.region_differs(@extschema@.region_input[], text[]) IS
'whether region rows read from bindings differ from the catalogue''s rows of the kinds they hold (or hold a problem)';

CREATE OR REPLACE FUNCTION @extschema@.population_differs(rows @extschema@.population_input[], kinds text[])
RETURNS boolean LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT FROM unnest(rows) r WHERE r.problem IS NOT NULL)
        OR EXISTS (SELECT r.region_code, r.kind, r.period, r.period_start, r.persons FROM unnest(rows) r
                   EXCEPT ALL
                   SELECT c.region_code, c.kind, c.period, c.period_start, c.persons
                     FROM @extschema@.population c WHERE c.kind = ANY (kinds))
        OR EXISTS (SELECT c.region_code, c.kind, c.period, c.period_start, c.persons
                     FROM @extschema@.population c WHERE c.kind = ANY (kinds)
                   EXCEPT ALL
                   SELECT r.region_code, r.kind, r.period, r.period_start, r.persons FROM unnest(rows) r);
$$;
COMMENT ON FUNCTION @extschema@.population_differs(@extschema@.population_input[], text[]) IS
'whether population figures read from bindings differ from the catalogue''s figures of the kinds they hold (or hold a problem)';

-- Writing checked rows: the differences only, one statement each for the
-- rows deleted (those of the kinds replaced that are no longer given; none
-- with kinds NULL, a CSV load), updated and inserted, so that change
-- capture logs exactly what changed.
CREATE OR REPLACE FUNCTION @extschema@.apply_regions(rows @extschema@.region_input[], replaced_kinds text[],
                                                      OUT inserted bigint, OUT updated bigint, OUT deleted bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM @extschema@.region c
     WHERE replaced_kinds IS NOT NULL AND c.kind = ANY (replaced_kinds)
       AND NOT EXISTS (SELECT FROM unnest(rows) r WHERE r.code = c.code AND coalesce(r.valid_from, '-infinity') = c.valid_from);
    GET DIAGNOSTICS deleted = ROW_COUNT;
    UPDATE @extschema@.region c
       SET valid_to = coalesce(r.valid_to, 'infinity'), parent_code = r.parent_code, name_zh = r.name_zh,
           name_en = r.name_en, kind = r.kind
      FROM unnest(rows) r
     WHERE r.code = c.code AND coalesce(r.valid_from, '-infinity') = c.valid_from
       AND (c.valid_to, c.parent_code, c.name_zh, c.name_en, c.kind)
           IS DISTINCT FROM (coalesce(r.valid_to, 'infinity'), r.parent_code, r.name_zh, r.name_en, r.kind);
    GET DIAGNOSTICS updated = ROW_COUNT;
    INSERT INTO @extschema@.region (code, valid_from, valid_to, parent_code, name_zh, name_en, kind)
    SELECT r.code, coalesce(r.valid_from, '-infinity'), coalesce(r.valid_to, 'infinity'), r.parent_code, r.name_zh,
           r.name_en, r.kind
      FROM unnest(rows) r
     WHERE NOT EXISTS (SELECT FROM @extschema@.region c WHERE c.code = r.code AND c.valid_from = coalesce(r.valid_from, '-infinity'));
    GET DIAGNOSTICS inserted = ROW_COUNT;
END $$;
COMMENT ON FUNCTION @extschema@.apply_regions(@extschema@.region_input[], text[]) IS
'writes checked region rows as differences only: deletes the catalogue rows of the kinds replaced that are no longer given (none when kinds is NULL), updates those that changed, inserts the new; returns the counts';

CREATE OR REPLACE FUNCTION @extschema@.apply_population(rows @extschema@.population_input[], replaced_kinds text[],
                                                         OUT inserted bigint, OUT updated bigint, OUT deleted bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM @extschema@.population c
     WHERE replaced_kinds IS NOT NULL AND c.kind = ANY (replaced_kinds)
       AND NOT EXISTS (SELECT FROM unnest(rows) r
                        WHERE (r.region_code, r.kind, r.period, r.period_start) = (c.region_code, c.kind, c.period, c.period_start));
    GET DIAGNOSTICS deleted = ROW_COUNT;
    UPDATE @extschema@.population c SET persons = r.persons
      FROM unnest(rows) r
     WHERE (r.region_code, r.kind, r.period, r.period_start) = (c.region_code, c.kind, c.period, c.period_start)
       AND c.persons IS DISTINCT FROM r.persons;
    GET DIAGNOSTICS updated = ROW_COUNT;
    INSERT INTO @extschema@.population (region_code, period, period_start, kind, persons)
    SELECT r.region_code, r.period, r.period_start, r.kind, r.persons
      FROM unnest(rows) r
     WHERE NOT EXISTS (SELECT FROM @extschema@.population c
                        WHERE (r.region_code, r.kind, r.period, r.period_start) = (c.region_code, c.kind, c.period, c.period_start));
    GET DIAGNOSTICS inserted = ROW_COUNT;
END $$;
COMMENT ON FUNCTION @extschema@.apply_population(@extschema@.population_input[], text[]) IS
'writes checked population figures as differences only: deletes the catalogue figures of the kinds replaced that are no longer given (none when kinds is NULL), updates those that changed, inserts the new; returns the counts';

-- Reconciles the catalogue with the bindings (all, or the one named): reads
-- each as its owner, and when the rows differ from the catalogue's rows of
-- the kinds bound, checks them all (region_problems, population_problems)
-- and writes the differences; regions first, then population figures (which
-- must name known regions).  On any problem nothing is applied: one error
-- lists the bad rows.  rebuild() and refresh() call it first.
CREATE OR REPLACE FUNCTION @extschema@.sync_reference(binding_name text DEFAULT NULL)
RETURNS TABLE (binding text, target text, inserted bigint, updated bigint, deleted bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    tgt    text;
    names  text[];
    kinds  text[];
    b      text;
    rrows  @extschema@.region_input[];
    prows  @extschema@.population_input[];
    probs  jsonb;
    counts record;
BEGIN
    IF sync_reference.binding_name IS NOT NULL
       AND NOT EXISTS (SELECT FROM @extschema@.reference_binding x WHERE x.binding = sync_reference.binding_name) THEN
        RAISE EXCEPTION 'unknown reference binding "%"', sync_reference.binding_name USING ERRCODE = 'undefined_object';
    END IF;
    FOREACH tgt IN ARRAY ARRAY['region', 'population'] LOOP
        SELECT array_agg(x.binding ORDER BY x.binding),
               (SELECT array_agg(k) FROM @extschema@.reference_binding y, unnest(y.kinds) k
                 WHERE y.target = tgt AND (sync_reference.binding_name IS NULL OR y.binding = sync_reference.binding_name))
          INTO names, kinds
          FROM @extschema@.reference_binding x
         WHERE x.target = tgt AND (sync_reference.binding_name IS NULL OR x.binding = sync_reference.binding_name);
        CONTINUE WHEN names IS NULL;
        IF tgt = 'region' THEN
            rrows := @extschema@.binding_region_rows(names);
            IF @extschema@.region_differs(rrows, kinds) THEN
                SELECT jsonb_agg(to_jsonb(p)) INTO probs FROM @extschema@.region_problems(rrows, kinds) p;
            END IF;
        ELSE
            prows := @extschema@.binding_population_rows(names);
            IF @extschema@.population_differs(prows, kinds) THEN
                SELECT jsonb_agg(to_jsonb(p)) INTO probs FROM @extschema@.population_problems(prows, kinds) p;
            END IF;
        END IF;
        PERFORM @extschema@.raise_problems(format('%s binding%s %s', tgt, CASE WHEN cardinality(names) > 1 THEN 's' ELSE '' END,
                                                  (SELECT string_agg('"' || n || '"', ', ') FROM unnest(names) n)),
                                           coalesce(probs, '[]'));
        -- the guard (reference_guard) lets the bindings write their kinds
        PERFORM set_config('safeidx.reference_sync', 'on', true);
        FOREACH b IN ARRAY names LOOP
            IF tgt = 'region' THEN
                SELECT * INTO counts FROM @extschema@.apply_regions(
                    ARRAY(SELECT r FROM unnest(rrows) r WHERE r.origin = b),
                    (SELECT x.kinds FROM @extschema@.reference_binding x WHERE x.binding = b));
            ELSE
                SELECT * INTO counts FROM @extschema@.apply_population(
                    ARRAY(SELECT r FROM unnest(prows) r WHERE r.origin = b),
                    (SELECT x.kinds FROM @extschema@.reference_binding x WHERE x.binding = b));
            END IF;
            binding := b;
            target := tgt;
            inserted := counts.inserted;
            updated := counts.updated;
            deleted := counts.deleted;
            RETURN NEXT;
        END LOOP;
        PERFORM set_config('safeidx.reference_sync', '', true);
    END LOOP;
END $$;
COMMENT ON FUNCTION @extschema@.sync_reference(text) IS
'reconciles region and population with their bindings (all, or the one named): reads each relation as the binding''s owner and, when it differs from the catalogue, checks every row and writes the differences only (so refresh recomputes exactly the periods concerned); on any bad row (unknown parent, duplicate code, cycle, negative or missing population, bad dates) nothing is applied and one error (22023) lists them; one row per binding with the rows inserted, updated and deleted; rebuild() and refresh() call it first';

-- The guard: rows of a bound kind are written by their binding only
-- (sync_reference); by hand they are refused (55000).  Not while pg_restore
-- loads a dump (row_security off), which restores the bound rows as they
-- were.  A guard against mistakes, not a privilege: writing region and
-- population is an administrator's right either way.
CREATE OR REPLACE FUNCTION @extschema@.reference_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    transition text;
    r record;
BEGIN
    IF current_setting('row_security') = 'off' OR coalesce(current_setting('safeidx.reference_sync', true), '') = 'on'
       OR NOT EXISTS (SELECT FROM @extschema@.reference_binding b WHERE b.target = TG_TABLE_NAME) THEN
        RETURN NULL;
    END IF;
    FOREACH transition IN ARRAY CASE TG_OP WHEN 'INSERT' THEN '{new_rows}'::text[]
                                           WHEN 'DELETE' THEN '{old_rows}'::text[]
                                           ELSE '{old_rows,new_rows}'::text[] END
    LOOP
        EXECUTE format('SELECT b.binding, b.relation, t.kind FROM %I t JOIN @extschema@.reference_binding b
                         ON b.target = %L AND t.kind = ANY (b.kinds) ORDER BY b.binding, t.kind LIMIT 1',
                       transition, TG_TABLE_NAME) INTO r;
        IF r.binding IS NOT NULL THEN
            RAISE EXCEPTION '% kind "%" is bound by binding "%": its rows come from %, not by hand', TG_TABLE_NAME, r.kind, r.binding, r.relation
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'Change the rows there (sync_reference(), rebuild and refresh take them in), or delete the binding to enter the kind by hand again.';
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.reference_guard() IS
'statement trigger on safeidx.region and safeidx.population: refuses (55000) rows of a region or population kind that a binding holds, unless written by sync_reference()';
CREATE OR REPLACE TRIGGER region_bound_insert AFTER INSERT ON @extschema@.region
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.reference_guard();
CREATE OR REPLACE TRIGGER region_bound_update AFTER UPDATE ON @extschema@.region
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.reference_guard();
CREATE OR REPLACE TRIGGER region_bound_delete AFTER DELETE ON @extschema@.region
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.reference_guard();
CREATE OR REPLACE TRIGGER population_bound_insert AFTER INSERT ON @extschema@.population
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.reference_guard();
CREATE OR REPLACE TRIGGER population_bound_update AFTER UPDATE ON @extschema@.population
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.reference_guard();
CREATE OR REPLACE TRIGGER population_bound_delete AFTER DELETE ON @extschema@.population
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.reference_guard();

