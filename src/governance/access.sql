-- access.sql: who may do what (doc/security.md).  The privileges of the
-- roles of roles.sql on every object of safeidx; the region subtrees an
-- official reads (official_scope), enforced by row-level security on the
-- result, notice and release tables and so through the security_invoker
-- views; grant_access() and revoke_access(), the one-call way to give a role
-- one of those accesses.  PUBLIC keeps EXECUTE only on the functions that
-- read no table (the kernel, period arithmetic, HTML helpers).

-- [state]
CREATE TABLE @extschema@.official_scope (
    role        name NOT NULL,
    region_code text NOT NULL,
    PRIMARY KEY (role, region_code)
);
COMMENT ON TABLE @extschema@.official_scope IS
'the region subtrees an official reads: a role granted safeidx_official reads the results, warnings, notices and releases of these regions and of every region below them while it is below them (see grant_access)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.official_scope', '');

CREATE TYPE @extschema@.region_span AS (code text, valid_from date, valid_to date);
COMMENT ON TYPE @extschema@.region_span IS 'a region code and the dates [valid_from, valid_to) it is in an official''s scope';

-- [code]
-- Whether the current role reads every region: an analyst, an administrator
-- (a member of safeidx_analyst) or a superuser.
CREATE OR REPLACE FUNCTION @extschema@.reads_all_regions()
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_has_role('safeidx_analyst', 'MEMBER');
$$;
COMMENT ON FUNCTION @extschema@.reads_all_regions() IS
'whether the current role reads the results of every region (a member of safeidx_analyst, which administrators are)';

-- The regions of the current role's scopes and every region below them,
-- each with the dates it is below them.
CREATE OR REPLACE FUNCTION @extschema@.visible_regions()
RETURNS @extschema@.region_span[] LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    WITH RECURSIVE below AS (
        SELECT r.code, r.valid_from, r.valid_to
          FROM @extschema@.official_scope s JOIN @extschema@.region r ON r.code = s.region_code
         WHERE @extschema@.is_member_of(s.role)
        UNION
        SELECT c.code, greatest(c.valid_from, p.valid_from), least(c.valid_to, p.valid_to)
          FROM below p JOIN @extschema@.region c
            ON c.parent_code = p.code AND c.valid_from < p.valid_to AND p.valid_from < c.valid_to)
    SELECT coalesce(array_agg(ROW(b.code, b.valid_from, b.valid_to)::@extschema@.region_span), '{}') FROM below b;
$$;
COMMENT ON FUNCTION @extschema@.visible_regions() IS
'the regions an official reads: those of the scopes of the roles the current role belongs to, and every region below them, each with the dates it is below them';

-- Whether a region's row of a period (at: its start; NULL: any) is among
-- the spans given.
CREATE OR REPLACE FUNCTION @extschema@.in_regions(code text, at date, spans @extschema@.region_span[])
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT FROM unnest(spans) s
                    WHERE s.code = in_regions.code AND (at IS NULL OR (s.valid_from <= at AND at < s.valid_to)));
$$;
COMMENT ON FUNCTION @extschema@.in_regions(text, date, @extschema@.region_span[]) IS
'whether a region code is among region spans on a date (any date when NULL)';

-- The one-call way to give a role an access: admin, department, analyst,
-- official (of one region subtree; call again for more) or public.
CREATE OR REPLACE FUNCTION @extschema@.grant_access(role regrole, access text, region_code text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF access IS NULL OR access NOT IN ('admin', 'department', 'analyst', 'official', 'public') THEN
        RAISE EXCEPTION 'unknown access "%"', access
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Give admin, department, analyst, official or public.';
    END IF;
    IF (access = 'official') <> (region_code IS NOT NULL) THEN
        RAISE EXCEPTION 'an official reads a region subtree: give its region code with access official, and only then'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF access = 'official' THEN
        IF NOT EXISTS (SELECT FROM @extschema@.region r WHERE r.code = grant_access.region_code) THEN
            RAISE EXCEPTION 'no region "%"', region_code USING ERRCODE = 'undefined_object';
        END IF;
        INSERT INTO @extschema@.official_scope VALUES ((SELECT rolname FROM pg_roles WHERE oid = role), region_code)
            ON CONFLICT DO NOTHING;
    END IF;
    EXECUTE format('GRANT %I TO %s', 'safeidx_' || access, role);
END $$;
COMMENT ON FUNCTION @extschema@.grant_access(regrole, text, text) IS
'gives a role an access to safeidx: admin (administers the catalogue, builds, publishes), department (defines sources over its own tables), analyst (reads every result), official (reads the results, warnings, notices and releases of one region subtree; call once per subtree) or public (public_result only); needs the right to grant the group role (a superuser, or ADMIN OPTION)';

CREATE OR REPLACE FUNCTION @extschema@.revoke_access(role regrole, access text, region_code text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF access IS NULL OR access NOT IN ('admin', 'department', 'analyst', 'official', 'public') THEN
        RAISE EXCEPTION 'unknown access "%"', access
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Give admin, department, analyst, official or public.';
    END IF;
    DELETE FROM @extschema@.official_scope s
     WHERE access = 'official' AND s.role = (SELECT rolname FROM pg_roles WHERE oid = role)
       AND (revoke_access.region_code IS NULL OR s.region_code = revoke_access.region_code);
    IF access <> 'official' OR NOT EXISTS (SELECT FROM @extschema@.official_scope s
                                            WHERE s.role = (SELECT rolname FROM pg_roles WHERE oid = role)) THEN
        EXECUTE format('REVOKE %I FROM %s', 'safeidx_' || access, role);
    END IF;
END $$;
COMMENT ON FUNCTION @extschema@.revoke_access(regrole, text, text) IS
'takes an access back from a role; for official, one subtree (or all when region_code is NULL), and the role itself once no subtree is left';

-- A row-level security policy as given, made or brought up to date, so that
-- the policies below are code that every upgrade re-runs like the rest.
CREATE OR REPLACE FUNCTION @extschema@.set_policy(tab regclass, policy name, command text, roles text,
                                                   using_expr text, check_expr text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cmd "char" := CASE command WHEN 'SELECT' THEN 'r' WHEN 'INSERT' THEN 'a' WHEN 'UPDATE' THEN 'w'
                               WHEN 'DELETE' THEN 'd' WHEN 'ALL' THEN '*' END;
BEGIN
    IF EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = tab AND p.polname = policy AND p.polcmd <> cmd) THEN
        EXECUTE format('DROP POLICY %I ON %s', policy, tab);
    END IF;
    EXECUTE format(CASE WHEN EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = tab AND p.polname = policy)
                        THEN 'ALTER POLICY %1$I ON %2$s TO %4$s%5$s%6$s'
                        ELSE 'CREATE POLICY %1$I ON %2$s FOR %3$s TO %4$s%5$s%6$s' END,
                   policy, tab, command, roles,
                   ' USING (' || using_expr || ')', ' WITH CHECK (' || check_expr || ')');
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tab);
END $$;
COMMENT ON FUNCTION @extschema@.set_policy(regclass, name, text, text, text, text) IS
'makes a row-level security policy on one of safeidx''s tables, or brings it up to date (used by the install and upgrade scripts), and enables row-level security there';

-- Row-level security: members of safeidx_analyst read every row; an
-- official the rows of its regions in the periods they are its; the writers
-- (administrators, the publisher) are named per table.  Sources: the
-- owner's members see and write one; analysts and administrators (who
-- build every scheme) and change capture see them all.  A department sees
-- only its own: a source is read with its owner's rights, so another's
-- read through source_counts() would count a table the department may not
-- read.
SELECT @extschema@.set_policy('@extschema@.source', 'source_visible', 'SELECT', 'PUBLIC',
                              '@extschema@.is_member_of(owner) OR (SELECT @extschema@.reads_all_regions())
                               OR pg_catalog.pg_has_role(''safeidx_capture'', ''MEMBER'')');
SELECT @extschema@.set_policy('@extschema@.source', 'source_owned', 'ALL', 'PUBLIC',
                              '@extschema@.is_member_of(owner)', '@extschema@.is_member_of(owner)');
-- Reference bindings (reference.sql) as sources: the owner's
-- members see and write one; analysts and administrators see them all.
SELECT @extschema@.set_policy('@extschema@.reference_binding', 'reference_binding_visible', 'SELECT', 'PUBLIC',
                              '@extschema@.is_member_of(owner) OR (SELECT @extschema@.reads_all_regions())');
SELECT @extschema@.set_policy('@extschema@.reference_binding', 'reference_binding_owned', 'ALL', 'PUBLIC',
                              '@extschema@.is_member_of(owner)', '@extschema@.is_member_of(owner)');
SELECT @extschema@.set_policy('@extschema@.official_scope', 'official_scope_own', 'SELECT', 'PUBLIC',
                              '@extschema@.is_member_of(role) OR (SELECT @extschema@.reads_all_regions())');
SELECT @extschema@.set_policy('@extschema@.official_scope', 'official_scope_admin', 'ALL', 'safeidx_admin', 'true', 'true');
-- Regions and population figures: every row, to whoever is granted the
-- table.  Row-level security is on only so that nobody but a role that
-- bypasses it (a superuser, as pg_restore runs) can write them with
-- row_security off, which is how change capture recognises a restore
-- (capture_catalogue_changes).
SELECT @extschema@.set_policy(t.tab, t.name || '_granted', 'ALL', 'PUBLIC', 'true', 'true')
  FROM (VALUES ('@extschema@.region'::regclass, 'region'), ('@extschema@.population', 'population')) t(tab, name);
SELECT @extschema@.set_policy(t.tab, t.name || '_read', 'SELECT', 'PUBLIC',
                              '(SELECT @extschema@.reads_all_regions())
                               OR @extschema@.in_regions(region_code, period_start, (SELECT @extschema@.visible_regions()))')
  FROM (VALUES ('@extschema@.result'::regclass, 'result'), ('@extschema@.result_node', 'result_node'),
               ('@extschema@.notice', 'notice'), ('@extschema@.alarm', 'alarm')) t(tab, name);
SELECT @extschema@.set_policy(t.tab, t.name || '_admin', 'ALL', 'safeidx_admin', 'true', 'true')
  FROM (VALUES ('@extschema@.result'::regclass, 'result'), ('@extschema@.result_node', 'result_node'),
               ('@extschema@.notice', 'notice'), ('@extschema@.notice_log', 'notice_log'),
               ('@extschema@.alarm', 'alarm')) t(tab, name);
SELECT @extschema@.set_policy('@extschema@.notice_log', 'notice_log_read', 'SELECT', 'PUBLIC',
                              'EXISTS (SELECT FROM @extschema@.notice n WHERE n.id = notice_id)');
-- An official takes the steps of the unit a notice is addressed to, on the
-- notices it reads: acknowledging and reporting the rectification, as itself,
-- now (not verifying or withdrawing, which the issuer does, nor a step logged
-- under another name or time).
SELECT @extschema@.set_policy('@extschema@.notice_log', 'notice_log_step', 'INSERT', 'safeidx_official', NULL,
                              'action IN (''acknowledge'', ''report'')
                               AND logged_by = CURRENT_USER AND session_by = SESSION_USER
                               AND logged_at >= pg_catalog.now() AND logged_at <= pg_catalog.clock_timestamp()
                               AND EXISTS (SELECT FROM @extschema@.notice n WHERE n.id = notice_id)');
SELECT @extschema@.set_policy(t.tab, t.name || '_read', 'SELECT', 'PUBLIC',
                              format('(SELECT @extschema@.reads_all_regions())
                                      OR @extschema@.in_regions(region_code,
                                             (SELECT r.period_start FROM @extschema@.release r
                                               WHERE (r.series, r.number, r.revision) = (%1$s.series, %1$s.number, %1$s.revision)),
                                             (SELECT @extschema@.visible_regions()))', t.name))
  FROM (VALUES ('@extschema@.release_result'::regclass, 'release_result'),
               ('@extschema@.release_indicator', 'release_indicator')) t(tab, name);
SELECT @extschema@.set_policy(t.tab, t.name || '_publish', 'INSERT', 'safeidx_publisher', NULL, 'true')
  FROM (VALUES ('@extschema@.release_result'::regclass, 'release_result'),
               ('@extschema@.release_indicator', 'release_indicator')) t(tab, name);

-- [code]
-- PUBLIC executes only the functions that read no table: every other
-- function of safeidx is revoked from it and granted below, by role.
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
               JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
              WHERE d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'safeidx')
                AND (p.provolatile <> 'i' OR p.prorettype = 'pg_catalog.trigger'::regtype OR p.prosecdef) LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END $$;

GRANT USAGE ON SCHEMA @extschema@ TO safeidx_admin, safeidx_department, safeidx_analyst, safeidx_official,
                                     safeidx_public, safeidx_capture, safeidx_publisher;

-- Reading every result: analysts, and administrators and the publisher
-- through them (granted once: a second GRANT of a membership is noisy).
DO $$
BEGIN
    IF NOT pg_catalog.pg_has_role('safeidx_admin', 'safeidx_analyst', 'MEMBER') THEN
        GRANT safeidx_analyst TO safeidx_admin;
    END IF;
    IF NOT pg_catalog.pg_has_role('safeidx_publisher', 'safeidx_analyst', 'MEMBER') THEN
        GRANT safeidx_analyst TO safeidx_publisher;
    END IF;
END $$;
GRANT SELECT ON ALL TABLES IN SCHEMA @extschema@ TO safeidx_analyst;
-- Dashboards' helpers; star_rating_rows() (what star_rating shows) returns
-- the caller's own rows, ranked among every unit.
GRANT EXECUTE ON FUNCTION @extschema@.grade(float8, text), @extschema@.regions_at(date),
    @extschema@.version_at(text, date), @extschema@.star_history(text, text), @extschema@.notices_overdue(date),
    @extschema@.is_member_of(name), @extschema@.reads_all_regions(), @extschema@.visible_regions(),
    @extschema@.star_rating_rows()
    TO safeidx_analyst, safeidx_official;
-- What reads tables an official may not read (population, sources) or needs
-- every row of a release (its checksum, the chain, the report, which checks
-- the checksum): analysts only.  An official's rows of a release are a part
-- of it, whose checksum never matches.
GRANT EXECUTE ON FUNCTION @extschema@.population_figures(text, date, date), @extschema@.population_in(text, date),
    @extschema@.scheme_sources(text), @extschema@.release_checksum(text, integer, integer),
    @extschema@.release_report(text, integer, integer), @extschema@.report_previous(@extschema@.release),
    @extschema@.report_correction(@extschema@.release), @extschema@.report_chart(@extschema@.release, text),
    @extschema@.report_ranking(@extschema@.release, @extschema@.release, text, text),
    @extschema@.report_warnings(@extschema@.release), @extschema@.report_movers(@extschema@.release, @extschema@.release),
    @extschema@.report_grade_changes(@extschema@.release, @extschema@.release, text), @extschema@.verify_chain(text),
    @extschema@.report_previous_rows(@extschema@.release, @extschema@.release),
    @extschema@.source_delivery(text), @extschema@.period_completeness(text, text, date)
    TO safeidx_analyst;

-- Officials: the results, warnings, stars, notices and releases of their
-- regions (row-level security), and the steps a unit takes on a notice.
-- Not star_rating_all, which would rank among their own regions only.
GRANT SELECT ON @extschema@.result, @extschema@.result_node, @extschema@.region, @extschema@.scheme,
    @extschema@.scheme_version, @extschema@.indicator, @extschema@.grade_scale, @extschema@.grade_band,
    @extschema@.warning_rule, @extschema@.star_rule, @extschema@.award_rule, @extschema@.notice, @extschema@.notice_log,
    @extschema@.notice_transition, @extschema@.notice_rule, @extschema@.release_series, @extschema@.release,
    @extschema@.release_result, @extschema@.release_indicator, @extschema@.official_scope,
    @extschema@.index_result, @extschema@.indicator_result, @extschema@.node_result, @extschema@.warning,
    @extschema@.star_rating, @extschema@.award, @extschema@.notice_status, @extschema@.notice_overdue
    TO safeidx_official;
GRANT INSERT ON @extschema@.notice_log TO safeidx_official;
GRANT EXECUTE ON FUNCTION @extschema@.acknowledge_notice(bigint, text), @extschema@.report_rectification(bigint, text),
    @extschema@.notice_step(bigint, text, text)
    TO safeidx_official, safeidx_admin;

-- Departments: sources over their own tables (row-level security keeps
-- each to its own), capture on them, their counts.
GRANT SELECT ON @extschema@.region, @extschema@.scheme, @extschema@.indicator, @extschema@.indicator_source
    TO safeidx_department;
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.source TO safeidx_department, safeidx_admin;
GRANT INSERT ON @extschema@.change_log TO safeidx_department;
GRANT EXECUTE ON FUNCTION @extschema@.capture(regclass), @extschema@.capture_changes(),
    @extschema@.mark_changed(text, date, date, text), @extschema@.source_counts(text, text, date, date, text),
    @extschema@.source_unknown_regions(text, date, date, text),
    @extschema@.source_cells(text[], text, date, date, text, text[]),
    @extschema@.source_cells_sql(text[], text, date, date, text, integer), @extschema@.region_indexed(regclass, name),
    @extschema@.source_sql(@extschema@.source, date, date, text),
    @extschema@.filter_sql(regclass, text, name), @extschema@.check_source_columns(@extschema@.source, regclass),
    @extschema@.source_relation(@extschema@.source, boolean), @extschema@.may_capture(regclass),
    @extschema@.source_column_type(regclass, name, text), @extschema@.local_time_sql(regclass, name, text),
    @extschema@.is_year_column(regclass, name), @extschema@.is_member_of(name), @extschema@.reads_all_regions()
    TO safeidx_department, safeidx_admin;
-- sources on other servers (the plan of a cell query, what ships
-- there) and their watermarks
GRANT EXECUTE ON FUNCTION @extschema@.source_plan(text[], text, date, date, text),
    @extschema@.source_servers(regclass), @extschema@.source_shipping(regclass),
    @extschema@.source_changes(text), @extschema@.source_changes_sql(text)
    TO safeidx_department, safeidx_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.source_watermark TO safeidx_admin;
GRANT EXECUTE ON FUNCTION @extschema@.poll_changes(text), @extschema@.compare_cells(text, date, date)
    TO safeidx_admin;

-- Administrators: the catalogue, the rules, building, publishing, notices.
GRANT INSERT, UPDATE, DELETE ON @extschema@.region, @extschema@.population, @extschema@.scheme,
    @extschema@.scheme_version, @extschema@.indicator, @extschema@.grade_scale, @extschema@.grade_band,
    @extschema@.warning_rule, @extschema@.star_rule, @extschema@.award_rule, @extschema@.notice_rule,
    @extschema@.release_series, @extschema@.official_scope,
    @extschema@.cell, @extschema@.result, @extschema@.result_node, @extschema@.change_log,
    @extschema@.built_range, @extschema@.refresh_log, @extschema@.baseline_pool
    TO safeidx_admin;
GRANT INSERT ON @extschema@.notice, @extschema@.notice_log TO safeidx_admin;
-- Reference data in place and from files: a binding rewrites
-- region or population, so administrators define them (as members of the
-- owner whose rights read the relation) and reconcile them; rebuild and
-- refresh do so first.
GRANT INSERT, UPDATE, DELETE ON @extschema@.reference_binding TO safeidx_admin;
GRANT EXECUTE ON FUNCTION @extschema@.sync_reference(text),
    @extschema@.reference_relation(@extschema@.reference_binding, boolean),
    @extschema@.check_reference_binding(@extschema@.reference_binding, regclass), @extschema@.reference_sql(text),
    @extschema@.reference_region_rows(text), @extschema@.reference_population_rows(text),
    @extschema@.binding_region_rows(text[]), @extschema@.binding_population_rows(text[]),
    @extschema@.region_problems(@extschema@.region_input[], text[]),
    @extschema@.population_problems(@extschema@.population_input[], text[]),
    @extschema@.region_differs(@extschema@.region_input[], text[]),
    @extschema@.population_differs(@extschema@.population_input[], text[]),
    @extschema@.apply_regions(@extschema@.region_input[], text[]),
    @extschema@.apply_population(@extschema@.population_input[], text[]),
    @extschema@.check_regions_csv(text), @extschema@.load_regions_csv(text),
    @extschema@.check_population_csv(text, text), @extschema@.load_population_csv(text, text)
    TO safeidx_admin;
GRANT USAGE ON SEQUENCE @extschema@.notice_id_seq TO safeidx_admin;
GRANT EXECUTE ON FUNCTION @extschema@.rebuild(text, date, date), @extschema@.refresh(text),
    @extschema@.scheme_to_build(text), @extschema@.compute_planned(@extschema@.scheme, jsonb, text, timestamptz, bigint, bigint),
    @extschema@.compute_results(text, text, date[]), @extschema@.build_cells(text, date, date, text[], text[]),
    @extschema@.delete_cells(text, text, date, date, text[], text[]), @extschema@.capture_scheme(text),
    @extschema@.lookback_years(text), @extschema@.delivery_snapshot(text),
    @extschema@.publish_release(text, date, text), @extschema@.correct_release(text, integer, text),
    @extschema@.verify_release(text, integer, integer),
    @extschema@.issue_notice(text, text, date, text, text, date, text, date, date, bigint, text),
    @extschema@.issue_notices(text, date, date), @extschema@.notice_next_seq(text, integer),
    @extschema@.verify_notice(bigint, boolean, text), @extschema@.withdraw_notice(bigint, text),
    @extschema@.grant_access(regrole, text, text), @extschema@.revoke_access(regrole, text, text),
    @extschema@.check_scheme_version(text, text), @extschema@.check_star_rule(text, text),
    @extschema@.check_award_rule(text, text)
    TO safeidx_admin;
-- alarms (materialized by the builds and by a rule's
-- check at commit), read by officials through warning as the results are.
GRANT SELECT ON @extschema@.alarm TO safeidx_official;
GRANT INSERT, UPDATE, DELETE ON @extschema@.alarm TO safeidx_admin;
GRANT EXECUTE ON FUNCTION @extschema@.compute_alarms(text, text, date, text), @extschema@.check_warning_rule(text, text),
    @extschema@.preview_version(text, text, date[], text)
    TO safeidx_admin;
-- Rank intervals rank among every region of a level: analysts (an official
-- reads its subtree's results only, and would get ranks among them); those
-- of the index also read the scheme's cells.  Funnel positions likewise
-- pool every region of a level (its rate and tau^2).
GRANT EXECUTE ON FUNCTION @extschema@.not_a_leaf_rate(text, text, date, text),
    @extschema@.rank_uncertainty(text, date, text, integer, text, text, integer, bigint, float8, float8),
    @extschema@.funnel_result(text, date, text, integer, text, float8),
    @extschema@.report_alarms(@extschema@.release),
    @extschema@.index_sensitivity(text, date, integer, text, integer, bigint, boolean, float8, float8, float8, float8),
    @extschema@.index_rank_draws(text, date, integer, text, integer, bigint, boolean, float8, float8, float8, float8)
    TO safeidx_analyst;

-- The definers: change capture appends to change_log; the publisher adds
-- releases.
GRANT SELECT ON @extschema@.source, @extschema@.indicator, @extschema@.indicator_source, @extschema@.scheme
    TO safeidx_capture;
GRANT INSERT ON @extschema@.change_log TO safeidx_capture;
GRANT EXECUTE ON FUNCTION @extschema@.local_time_sql(regclass, name, text), @extschema@.source_column_type(regclass, name, text),
    @extschema@.is_member_of(name), @extschema@.reads_all_regions()
    TO safeidx_capture;
GRANT INSERT ON @extschema@.release, @extschema@.release_result, @extschema@.release_indicator TO safeidx_publisher;
GRANT EXECUTE ON FUNCTION @extschema@.freeze_release(text, integer, integer, date, text, text),
    @extschema@.period_completeness(text, text, date), @extschema@.delivery_snapshot(text),
    @extschema@.source_delivery(text),
    @extschema@.release_result_rows(text, text, date), @extschema@.release_indicator_rows(text, text, date),
    @extschema@.release_digest(@extschema@.release)
    TO safeidx_publisher;
GRANT EXECUTE ON FUNCTION @extschema@.release_result_rows(text, text, date), @extschema@.release_indicator_rows(text, text, date),
    @extschema@.release_digest(@extschema@.release)
    TO safeidx_analyst;

-- Residents: released aggregates only.
GRANT SELECT ON @extschema@.public_result TO safeidx_public;
