-- capture.sql: change capture: what changed in departmental tables and the catalogue since
-- the last refresh.

-- [state]
CREATE TABLE @extschema@.change_log (
    scheme       text NOT NULL,
    relation     text NOT NULL,
    region_code  text,
    every_region boolean NOT NULL DEFAULT false,
    first_local  timestamp NOT NULL,
    last_local   timestamp NOT NULL,
    results_only boolean NOT NULL DEFAULT false,
    logged_at    timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.change_log IS
'departmental rows inserted, updated or deleted since the last refresh of each scheme: region code and the span of their local times (every_region after TRUNCATE or mark_changed without a code); results_only for changed population figures and regions, which change results but no cell';
CREATE INDEX change_log_scheme_idx ON @extschema@.change_log (scheme);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.change_log', '');

-- [code]
-- Statement trigger on a departmental table: log, for every scheme reading
-- it, the region codes and local time span of the rows changed.  It runs as
-- safeidx_capture, a role that may only append to change_log, and evaluates
-- nothing of the rows but PostgreSQL's own casts of built-in types: when a
-- region or time column no longer has the built-in type its sources were
-- defined with (or is gone), it logs the change for every region and date
-- without reading the rows, and warns; reading the sources then fails with
-- the reason until the table or the source is fixed.  The writer's statement
-- never fails because of it.
CREATE OR REPLACE FUNCTION @extschema@.capture_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s record;
    transition text;
BEGIN
    FOR s IN
        SELECT DISTINCT sc.scheme, sc.time_zone, src.region_column, src.time_column,
               coalesce((SELECT a.atttypid = ANY (@extschema@.source_column_types('region')) FROM pg_attribute a
                          WHERE a.attrelid = TG_RELID AND a.attname = src.region_column AND NOT a.attisdropped)
                        AND (SELECT a.atttypid = ANY (@extschema@.source_column_types('time')) FROM pg_attribute a
                              WHERE a.attrelid = TG_RELID AND a.attname = src.time_column AND NOT a.attisdropped),
                        false) AS builtin
          FROM @extschema@.source src
          JOIN @extschema@.indicator_source i ON i.source = src.source
          JOIN @extschema@.scheme sc ON sc.scheme = i.scheme
         WHERE src.relation = TG_RELID::regclass::text     -- as source_check() stored it; no name lookup
    LOOP
        IF TG_OP = 'TRUNCATE' OR NOT s.builtin THEN
            INSERT INTO @extschema@.change_log (scheme, relation, region_code, every_region, first_local, last_local)
            VALUES (s.scheme, TG_RELID::regclass::text, NULL, true, '-infinity', 'infinity');
            IF NOT s.builtin THEN
                RAISE WARNING 'safeidx: column "%" or "%" of % no longer has the built-in type its sources were defined with; the change is logged for every region and date without reading the rows',
                    s.region_column, s.time_column, TG_RELID::regclass;
            END IF;
            CONTINUE;
        END IF;
        FOREACH transition IN ARRAY CASE TG_OP WHEN 'INSERT' THEN '{new_rows}'::text[]
                                               WHEN 'DELETE' THEN '{old_rows}'::text[]
                                               ELSE '{old_rows,new_rows}'::text[] END
        LOOP
            EXECUTE format(
                'INSERT INTO @extschema@.change_log (scheme, relation, region_code, first_local, last_local)
                 SELECT %L, %L, %I::text, min(%s), max(%s) FROM %I WHERE %I IS NOT NULL GROUP BY 3',
                s.scheme, TG_RELID::regclass::text, s.region_column,
                @extschema@.local_time_sql(TG_RELID, s.time_column, s.time_zone),
                @extschema@.local_time_sql(TG_RELID, s.time_column, s.time_zone),
                transition, s.time_column);
        END LOOP;
    END LOOP;
    RETURN NULL;
END $$;
ALTER FUNCTION @extschema@.capture_changes() OWNER TO safeidx_capture;
COMMENT ON FUNCTION @extschema@.capture_changes() IS
'statement trigger installed by safeidx.capture() on departmental tables: logs changed region codes and time spans in safeidx.change_log, as role safeidx_capture, evaluating only built-in casts (a column of another type logs every region and date)';

-- Statement triggers on population and region: every scheme's results over
-- the dates whose figures or hierarchy changed must be recomputed (cells
-- are unchanged: they are kept per raw region code).  Not while pg_restore
-- loads a dump (row_security off, as it sets it): the results restored with
-- them were computed from these very rows, and change_log is restored too.
CREATE OR REPLACE FUNCTION @extschema@.capture_catalogue_changes() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    transition text;
    first_day  date;
    last_day   date;        -- the day after the last one changed
BEGIN
    IF current_setting('row_security') = 'off' THEN
        RETURN NULL;
    END IF;
    FOREACH transition IN ARRAY CASE TG_OP WHEN 'INSERT' THEN '{new_rows}'::text[]
                                           WHEN 'DELETE' THEN '{old_rows}'::text[]
                                           ELSE '{old_rows,new_rows}'::text[] END
    LOOP
        EXECUTE format('SELECT min(%s), max(%s) FROM %I',
                       CASE TG_TABLE_NAME WHEN 'population' THEN 'period_start' ELSE 'valid_from' END,
                       CASE TG_TABLE_NAME WHEN 'population' THEN '@extschema@.period_end(period, period_start)'
                                          ELSE 'valid_to' END,
                       transition)
           INTO first_day, last_day;
        CONTINUE WHEN first_day IS NULL;
        INSERT INTO @extschema@.change_log (scheme, relation, region_code, every_region, first_local, last_local, results_only)
        SELECT s.scheme, TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, NULL, true, first_day::timestamp,
               last_day::timestamp - interval '1 microsecond', true
          FROM @extschema@.scheme s;
        -- the stored baseline pools of those years summed the old figures
        -- or hierarchy (results.sql)
        DELETE FROM @extschema@.baseline_pool p
         WHERE p.year BETWEEN extract(year FROM first_day) AND extract(year FROM last_day - 1);
    END LOOP;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.capture_catalogue_changes() IS
'statement trigger on safeidx.population and safeidx.region: tells every scheme to recompute its results over the dates whose population figures or regions changed, and drops the stored baseline pools of those years';
CREATE OR REPLACE TRIGGER population_changes_insert AFTER INSERT ON @extschema@.population
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE OR REPLACE TRIGGER population_changes_update AFTER UPDATE ON @extschema@.population
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE OR REPLACE TRIGGER population_changes_delete AFTER DELETE ON @extschema@.population
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE OR REPLACE TRIGGER region_changes_insert AFTER INSERT ON @extschema@.region
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE OR REPLACE TRIGGER region_changes_update AFTER UPDATE ON @extschema@.region
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE OR REPLACE TRIGGER region_changes_delete AFTER DELETE ON @extschema@.region
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();

-- Whether the current role may install capture on a table: TRIGGER on it,
-- and USAGE on its schema to name it.
CREATE OR REPLACE FUNCTION @extschema@.may_capture(relation regclass)
RETURNS boolean LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT has_table_privilege(relation, 'TRIGGER')
           AND has_schema_privilege((SELECT c.relnamespace FROM pg_class c WHERE c.oid = relation), 'USAGE');
$$;
COMMENT ON FUNCTION @extschema@.may_capture(regclass) IS
'whether the current role may install safeidx''s change capture on a table: TRIGGER on it and USAGE on its schema';

CREATE OR REPLACE FUNCTION @extschema@.capture(relation regclass)
RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    kind "char";
BEGIN
    SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = relation;
    IF kind NOT IN ('r', 'p') THEN
        RETURN false;       -- views, foreign tables: use safeidx.mark_changed()
    END IF;
    IF NOT @extschema@.may_capture(relation) THEN
        RAISE EXCEPTION 'you may not install safeidx''s change capture on %', relation
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'The table''s owner (or a role with TRIGGER on it and safeidx_department) runs safeidx.capture() once.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = relation AND tgname = 'safeidx_capture_insert') THEN
        EXECUTE format('CREATE TRIGGER safeidx_capture_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_changes()', relation);
        EXECUTE format('CREATE TRIGGER safeidx_capture_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_changes()', relation);
        EXECUTE format('CREATE TRIGGER safeidx_capture_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_changes()', relation);
        EXECUTE format('CREATE TRIGGER safeidx_capture_truncate AFTER TRUNCATE ON %s
                        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_changes()', relation);
    END IF;
    RETURN true;
END $$;
COMMENT ON FUNCTION @extschema@.capture(regclass) IS
'installs the change-capture triggers safeidx_capture_* on a departmental table (rebuild() does it for every table its scheme reads); false for views and foreign tables, whose changes must be reported with safeidx.mark_changed()';


-- Capture on every table a scheme reads, where the caller may install it;
-- a table whose changes are not captured (its owner has to run capture()
-- once) is named in a warning: its changes reach refresh only by
-- mark_changed() until then.  The tables are found as their sources'
-- owners find them, so the caller needs no USAGE on the departments'
-- schemas; a source its owner cannot find (no such table, an owner gone or
-- without USAGE) is passed over: reading it says why.
CREATE OR REPLACE FUNCTION @extschema@.capture_scheme(scheme text)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel regclass;
    uncaptured integer := 0;
BEGIN
    FOR rel IN SELECT DISTINCT c.oid::regclass
                 FROM @extschema@.scheme_sources(capture_scheme.scheme) x
                 JOIN pg_class c ON c.oid = @extschema@.source_relation(x, missing_ok => true)
                WHERE c.relkind IN ('r', 'p')
                ORDER BY 1 LOOP
        IF @extschema@.may_capture(rel) THEN
            PERFORM @extschema@.capture(rel);
        ELSIF NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = rel AND t.tgname = 'safeidx_capture_insert') THEN
            RAISE WARNING 'changes to % are not captured: you may not install the capture triggers there', rel
                USING HINT = 'Its owner runs SELECT safeidx.capture(''' || rel || '''); until then, report changes with safeidx.mark_changed().';
            uncaptured := uncaptured + 1;
        END IF;
    END LOOP;
    RETURN uncaptured;
END $$;
COMMENT ON FUNCTION @extschema@.capture_scheme(text) IS
'installs change capture on every table a scheme reads where the caller may (TRIGGER privilege), warns about the others and returns how many tables are left without capture';

CREATE OR REPLACE FUNCTION @extschema@.mark_changed(source text, from_date date, to_date date, region_code text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    src @extschema@.source;
    logged bigint;
BEGIN
    SELECT * INTO src FROM @extschema@.source s WHERE s.source = mark_changed.source;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown source "%"', source USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT from_date < to_date THEN
        RAISE EXCEPTION 'empty date range [%, %)', from_date, to_date USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO @extschema@.change_log (scheme, relation, region_code, every_region, first_local, last_local)
    SELECT DISTINCT i.scheme, src.relation, mark_changed.region_code, mark_changed.region_code IS NULL,
           from_date, to_date::timestamp - interval '1 microsecond'
      FROM @extschema@.indicator_source i
     WHERE i.source = src.source;
    GET DIAGNOSTICS logged = ROW_COUNT;
    RETURN logged;
END $$;
COMMENT ON FUNCTION @extschema@.mark_changed(text, date, date, text) IS
'reports changed rows of a source by hand (views, foreign tables, bulk loads with triggers disabled): local dates [from, to), one region code or all; returns the number of schemes told';
