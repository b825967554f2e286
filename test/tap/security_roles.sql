-- The role matrix (issue 9): what each kind of role reads and runs,
-- connecting as it.  Run by test/tap/security_roles.sh in database
-- safeidx_mx (the released demo city of test/fixtures/released_city.sql,
-- pgtap, dblink), as the superuser, without an enclosing transaction (the
-- roles' dblink sessions must see what this session sets up).
--
-- The roles, LOGIN and nothing else when the script starts, get their access
-- from grant_access() alone, and no other GRANT:
--   tap_safeidx_mx_admin     admin      administers, builds, publishes
--   tap_safeidx_mx_analyst   analyst    reads every result
--   tap_safeidx_mx_official  official   of street 420106004000 (积玉桥-like
--                                       street 004 of the demo district)
--   tap_safeidx_mx_public    public     public_result only
--   tap_safeidx_mx_dept      department owns mx_dept.hotline and source
--                                       mx_hotline over it
--   tap_safeidx_mx_nothing   (none)     nothing, not even the schema
-- The expected access of every role to every table, view and function is
-- written below from the documented model (src/catalogue/roles.sql, the
-- comments of src/governance/access.sql and of grant_access), not from the
-- catalogue.
\set ON_ERROR_STOP 1
\i test/lib/dblink.sql
SET client_min_messages = warning;
SELECT current_database() AS db \gset

SELECT plan(407);

-- ---------------------------------------------------------------------------
-- Helpers.
-- rows_as(who, rel): what role who reads of safeidx.rel: '<n> rows <md5 of
-- the rows in text order>', or 'error <SQLSTATE>'.  rows_here(rel, cond):
-- the same for this session (the superuser), of the rows where cond holds.
CREATE FUNCTION pg_temp.rows_query(rel text, cond text) RETURNS text LANGUAGE sql AS $$
    SELECT format('SELECT count(*) || '' rows '' || md5(coalesce(string_agg(t::text, ''|'' ORDER BY t::text), '''')) FROM safeidx.%I t WHERE %s',
                  rel, cond) $$;
CREATE FUNCTION pg_temp.rows_as(who text, rel text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT v FROM dblink(who, pg_temp.rows_query(rel, 'true')) AS t(v text));
EXCEPTION WHEN OTHERS THEN
    RETURN 'error ' || SQLSTATE;
END $$;
CREATE FUNCTION pg_temp.rows_here(rel text, cond text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    EXECUTE pg_temp.rows_query(rel, cond) INTO v;
    RETURN v;
END $$;
-- outcome(who, sql): 'ok' when role who runs the query sql without error,
-- else '<SQLSTATE>: <message>'; exec_outcome(who, sql) the same for a
-- statement; value_as(who, sql): the one text value sql returns as who.
CREATE FUNCTION pg_temp.outcome(who text, sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    -- every column of every row is computed (an unused one would not be)
    PERFORM * FROM dblink(who, format('SELECT count(md5(q::text))::text FROM (%s) q', sql)) AS t(n text);
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION pg_temp.exec_outcome(who text, sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dblink_exec(who, sql);
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION pg_temp.value_as(who text, sql text) RETURNS text LANGUAGE sql AS $$
    SELECT v FROM dblink(who, sql) AS t(v text) $$;

-- ---------------------------------------------------------------------------
-- Set-up: the accesses, the department's table and source, a connection as
-- each role.
\o /dev/null
SELECT safeidx.grant_access('tap_safeidx_mx_admin', 'admin'),
       safeidx.grant_access('tap_safeidx_mx_analyst', 'analyst'),
       safeidx.grant_access('tap_safeidx_mx_official', 'official', '420106004000'),
       safeidx.grant_access('tap_safeidx_mx_public', 'public'),
       safeidx.grant_access('tap_safeidx_mx_dept', 'department');
CREATE SCHEMA mx_dept AUTHORIZATION tap_safeidx_mx_dept;
SELECT dblink_connect(r, pg_temp.conn(:'db', 'tap_safeidx_mx_' || r))
  FROM unnest('{admin,analyst,official,public,dept,nothing}'::text[]) r;
-- December: two calls in community 420106004001, one in 420106005001.
SELECT dblink_exec('dept', $$
    CREATE TABLE mx_dept.hotline (id serial PRIMARY KEY, at timestamptz NOT NULL, code text, kind text);
    INSERT INTO mx_dept.hotline (at, code, kind) VALUES ('2025-12-02 09:00+08', '420106004001', 'noise'),
        ('2025-12-03 09:00+08', '420106004001', 'noise'), ('2025-12-04 09:00+08', '420106005001', 'dog');
    INSERT INTO safeidx.source (source, relation, region_column, time_column) VALUES ('mx_hotline', 'mx_dept.hotline', 'code', 'at');
$$);
\o

-- The official's subtree, worked out from the demo city's own region table
-- (demo.region, which safeidx.region was copied from, every row valid for
-- all time): the street and the communities whose parent it is.
CREATE TEMP TABLE subtree AS
SELECT code FROM demo.region WHERE code = '420106004000' OR parent_code = '420106004000';
SELECT ok((SELECT count(*) FROM subtree WHERE code <> '420106004000') > 0
          AND (SELECT level FROM demo.region WHERE code = '420106004000') = 'street',
          'the official''s scope is a street with communities below it');

-- ---------------------------------------------------------------------------
-- 1. Reading.  The model, relation by relation:
--   catalogue   region, schemes, rules, releases' metadata: every row for
--               analysts (and administrators, who are analysts) and
--               officials (what the views join); region, scheme, indicator
--               and indicator_source for departments too;
--   regional    results, notices and their log, released rows and every
--               view over them: analysts every row, an official the rows of
--               its subtree (notice_log: of the notices it reads);
--   scope       official_scope: analysts every row, an official its own;
--   sources     source: analysts every row, a department its own;
--   internal    population, cells, change log, build logs, the sources'
--               views indicator_source and unknown_region_rows,
--               star_rating_all (which ranks among the rows its reader
--               sees), and reference bindings (issue 13; row-level security
--               also shows a binding to its owner's members), the stored baseline pools: analysts
--               (departments read indicator_source);
--   public      public_result: the public role and analysts.
-- The role granted nothing reads nothing (no USAGE on the schema).
CREATE TEMP TABLE relation_kind (rel text PRIMARY KEY, kind text NOT NULL);
INSERT INTO relation_kind
SELECT rel, kind FROM (VALUES
    ('catalogue', '{region,scheme,scheme_version,indicator,grade_scale,grade_band,warning_rule,star_rule,award_rule,notice_transition,notice_rule,release_series,release}'),
    ('regional', '{result,result_node,notice,notice_log,release_result,release_indicator,index_result,indicator_result,node_result,warning,star_rating,award,notice_status,notice_overdue,alarm}'),
    ('scope', '{official_scope}'),
    ('sources', '{source}'),
    ('internal', '{population,cell,change_log,built_range,refresh_log,indicator_source,unknown_region_rows,star_rating_all,source_watermark,reference_binding,baseline_pool}'),
    ('public', '{public_result}')) k(kind, rels), unnest(rels::text[]) rel;
SELECT is(ARRAY(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'safeidx'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')
                   AND c.relname NOT IN (SELECT rel FROM relation_kind) ORDER BY 1),
          '{}'::text[], 'every table and view of safeidx has its place in the model');
CREATE TEMP TABLE expected_read AS
SELECT r.role, k.rel, k.kind,
       CASE WHEN r.role IN ('admin', 'analyst') THEN 'all'
            WHEN r.role = 'official' THEN CASE k.kind WHEN 'catalogue' THEN 'all' WHEN 'regional' THEN 'subtree'
                                                      WHEN 'scope' THEN 'own' ELSE 'none' END
            WHEN r.role = 'dept' THEN CASE WHEN k.rel IN ('region', 'scheme', 'indicator', 'indicator_source') THEN 'all'
                                           WHEN k.rel = 'source' THEN 'own' ELSE 'none' END
            WHEN r.role = 'public' THEN CASE WHEN k.kind = 'public' THEN 'all' ELSE 'none' END
            ELSE 'none' END AS access
  FROM relation_kind k, unnest('{admin,analyst,official,public,dept,nothing}'::text[]) r(role);
-- The rows a role reads, as the superuser selects them: all, none (refused,
-- 42501), the official's subtree, or its own.
CREATE FUNCTION pg_temp.expected_rows(role text, rel text, access text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE access
        WHEN 'none' THEN 'error 42501'
        WHEN 'all' THEN pg_temp.rows_here(rel, 'true')
        WHEN 'subtree' THEN pg_temp.rows_here(rel, CASE rel
            WHEN 'notice_log' THEN 'notice_id IN (SELECT n.id FROM safeidx.notice n WHERE n.region_code IN (SELECT code FROM pg_temp.subtree))'
            ELSE 'region_code IN (SELECT code FROM pg_temp.subtree)' END)
        WHEN 'own' THEN pg_temp.rows_here(rel, CASE rel WHEN 'official_scope' THEN 'role = ''tap_safeidx_mx_official'''
                                                        WHEN 'source' THEN 'owner = ''tap_safeidx_mx_dept''' END)
    END $$;
SELECT is(pg_temp.rows_as(e.role, e.rel), pg_temp.expected_rows(e.role, e.rel, e.access),
          format('%s reads %s: %s', e.role, e.rel, CASE e.access WHEN 'none' THEN 'refused' WHEN 'all' THEN 'every row'
                                                                 WHEN 'subtree' THEN 'the rows of its subtree' ELSE 'its own rows' END))
  FROM expected_read e
 ORDER BY e.role, e.rel;
-- star_rating ranks the units of a class among every unit of the class,
-- whoever reads it (star_rating_rows(), src/governance/star.c): the
-- official's rows above are the analysts' rows of its subtree, ranks, class
-- sizes, eligible ranks and stars included.  (0.3.0 as first built ranked
-- by window functions over the rows the reader sees: an official got ranks
-- among its subtree.)  Spelled out for the ranks and counts, as the analyst
-- reads them for the same units:
CREATE FUNCTION pg_temp.star_ranks(cond text) RETURNS text LANGUAGE sql AS $$
    SELECT format($q$SELECT string_agg(concat_ws(' ', rule, period_start, region_code, rank_in_class, class_units,
                                                  eligible_rank, eligible_units, stars), ', '
                                        ORDER BY rule, period_start, region_code)
                       FROM safeidx.star_rating WHERE %s$q$, cond) $$;
SELECT is(pg_temp.value_as('official', pg_temp.star_ranks('true')),
          pg_temp.value_as('analyst', pg_temp.star_ranks('region_code IN ('
                                      || (SELECT string_agg(quote_literal(code), ', ') FROM subtree) || ')')),
          'official: its units'' ranks, class sizes, eligible ranks and stars are the analyst''s');
-- And by hand, from the engine's table result and demo.region (this
-- session, the superuser): the demo's rule star_community rates the
-- communities (depth 4) in two classes, villages (9 in the district) and
-- urban communities (88); the official's street 004 holds 11 urban
-- communities.  A unit's rank in its class is 1 + the number of units of its
-- class with a higher index (to 9 decimals) in the same month, the class
-- size the number with an index: 86 for street 004's (below), whose class
-- would hold at most its 11 communities if ranked among the subtree.
SELECT is(ARRAY(SELECT kind || ' ' || count(*) FROM demo.region WHERE level = 'community' GROUP BY kind ORDER BY kind),
          '{"urban_community 88","village 9"}', 'the district has 88 urban communities and 9 villages');
SELECT is(ARRAY(SELECT kind || ' ' || count(*) FROM demo.region WHERE parent_code = '420106004000' GROUP BY kind),
          '{"urban_community 11"}', 'street 004 has 11 urban communities');
SELECT is(pg_temp.value_as('official', $$SELECT string_agg(concat_ws(' ', period_start, region_code, rank_in_class, class_units), ', '
                                                            ORDER BY period_start, region_code)
                                          FROM safeidx.star_rating WHERE rule = 'star_community'$$),
          (SELECT string_agg(concat_ws(' ', u.period_start, u.region_code,
                                       CASE WHEN u.idx IS NOT NULL THEN
                                           1 + (SELECT count(*) FROM safeidx.result o JOIN demo.region oc ON oc.code = o.region_code
                                                 WHERE o.scheme = 'wuchang' AND o.period = 'month' AND o.depth = 4
                                                   AND o.period_start = u.period_start AND oc.kind = u.kind
                                                   AND round(o.index::numeric, 9) > u.idx) END,
                                       (SELECT count(o.index) FROM safeidx.result o JOIN demo.region oc ON oc.code = o.region_code
                                         WHERE o.scheme = 'wuchang' AND o.period = 'month' AND o.depth = 4
                                           AND o.period_start = u.period_start AND oc.kind = u.kind)), ', '
                             ORDER BY u.period_start, u.region_code)
             FROM (SELECT r.period_start, r.region_code, c.kind, round(r.index::numeric, 9) AS idx
                     FROM safeidx.result r JOIN demo.region c ON c.code = r.region_code
                    WHERE r.scheme = 'wuchang' AND r.period = 'month' AND r.depth = 4
                      AND r.region_code IN (SELECT code FROM subtree)) u),
          'official: each unit''s rank in its class and the class size, counted by hand over the whole district');
-- Class sizes count the units with an index: 86 of the 88 urban
-- communities (the demo's community without residents and the one with 0
-- have none under full coverage), still the district's, not the street's 11.
SELECT is((SELECT string_agg(DISTINCT n::text, ', ') FROM (
              SELECT count(r.index) AS n FROM safeidx.result r JOIN demo.region c ON c.code = r.region_code
               WHERE r.scheme = 'wuchang' AND r.period = 'month' AND r.depth = 4 AND c.kind = 'urban_community'
               GROUP BY r.period_start) x),
          '86', 'every month, 86 of the 88 urban communities have an index');
SELECT is(pg_temp.value_as('official', $$SELECT string_agg(DISTINCT class || ' ' || class_units, ', ') FROM safeidx.star_rating$$),
          '社区 urban 86', 'official: the class of its units holds the district''s 86 urban communities with an index, not its street''s 11');
-- Called directly, star_rating_rows() gives the official no other unit, and
-- star_rating_all, which ranks among the rows its reader sees, is refused
-- (above: internal).
SELECT is(pg_temp.value_as('official', 'SELECT count(*)::text FROM safeidx.star_rating_rows() WHERE region_code NOT IN ('
                                       || (SELECT string_agg(quote_literal(code), ', ') FROM subtree) || ')'),
          '0', 'official: star_rating_rows(), called directly, gives no unit outside its subtree');
-- Nor can the official change which units it gets with an aggregate of its
-- own first on its search_path: star_rating_rows() takes the keys of the
-- results it reads with search_path pinned to pg_catalog, pg_temp.  (Its
-- array_agg(text) here would stop any query calling it.)
CREATE SCHEMA mx_evil AUTHORIZATION tap_safeidx_mx_official;
\o /dev/null
SELECT dblink_exec('official', $$
    CREATE FUNCTION mx_evil.evil_step(text[], text) RETURNS text[] LANGUAGE plpgsql AS
        'BEGIN RAISE EXCEPTION ''the official''''s array_agg ran''; END';
    CREATE AGGREGATE mx_evil.array_agg(text) (sfunc = mx_evil.evil_step, stype = text[]);
    SET search_path = mx_evil, pg_catalog, safeidx;
$$);
\o
SELECT is(pg_temp.outcome('official', 'SELECT array_agg(code) FROM safeidx.region'),
          'P0001: the official''s array_agg ran', 'the official''s array_agg(text) comes first on its search_path');
SELECT is(pg_temp.value_as('official', pg_temp.star_ranks('true')),
          pg_temp.value_as('analyst', pg_temp.star_ranks('region_code IN ('
                                      || (SELECT string_agg(quote_literal(code), ', ') FROM subtree) || ')')),
          'official: and star_rating still gives it its own units, ranked as the analyst reads them');
\o /dev/null
SELECT dblink_exec('official', 'RESET search_path');
\o
DROP SCHEMA mx_evil CASCADE;
-- The subtree is a proper, non-empty part of what analysts read, so the
-- comparisons above are not vacuous.
SELECT ok(split_part(pg_temp.rows_here(rel, 'region_code IN (SELECT code FROM pg_temp.subtree)'), ' ', 1)::bigint
            BETWEEN 1 AND split_part(pg_temp.rows_here(rel, 'true'), ' ', 1)::bigint - 1,
          format('%s: the official''s subtree holds some of its rows, not all', rel))
  FROM unnest('{result,result_node,notice,release_result,release_indicator,index_result,warning}'::text[]) rel;
-- Dashboards need no further GRANT: the analyst's and the official's only
-- privileges are their membership of safeidx_analyst / safeidx_official.
SELECT is(ARRAY(SELECT r.rolname::text FROM pg_roles r
                 WHERE r.rolname IN ('tap_safeidx_mx_analyst', 'tap_safeidx_mx_official')
                   AND (EXISTS (SELECT FROM pg_class c, aclexplode(c.relacl) a WHERE a.grantee = r.oid)
                        OR EXISTS (SELECT FROM pg_proc p, aclexplode(p.proacl) a WHERE a.grantee = r.oid)
                        OR EXISTS (SELECT FROM pg_namespace n, aclexplode(n.nspacl) a WHERE a.grantee = r.oid))),
          '{}'::text[], 'the analyst and the official hold no privilege of their own on any table, function or schema');
SELECT is(ARRAY(SELECT r.rolname || ' in ' || g.rolname FROM pg_auth_members m
                  JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
                 WHERE r.rolname LIKE 'tap\_safeidx\_mx\_%' ORDER BY 1),
          ARRAY['tap_safeidx_mx_admin in safeidx_admin', 'tap_safeidx_mx_analyst in safeidx_analyst',
                'tap_safeidx_mx_dept in safeidx_department', 'tap_safeidx_mx_official in safeidx_official',
                'tap_safeidx_mx_public in safeidx_public'],
          'each role belongs to its one safeidx group, made by grant_access; the last to none');

-- ---------------------------------------------------------------------------
-- 2. EXECUTE on every function of safeidx, by the model: PUBLIC (so every
-- role) executes the functions that read no table (immutable, not a
-- trigger, not a definer: the kernel, period arithmetic, HTML helpers);
-- the others by purpose, each purpose granted to the accesses listed:
--   read     dashboards' helpers        analyst, official (and admin)
--   analyse  reading what officials may not (population, sources, whole
--            releases: checksums, the chain, the report)   analyst (admin)
--   source   departments' own sources and capture          department, admin
--   unit     the steps of a notice's unit                  official, admin
--   admin    building, publishing, notices, accesses, rule checks,
--            reference data (bindings, the CSV loader)         admin
--   none     internals: triggers, freezing, the checks of a version,
--            set_policy                                    nobody
-- Administrators are analysts: they execute what analysts do.
CREATE TEMP TABLE function_purpose (fn regprocedure, purpose text);
INSERT INTO function_purpose
SELECT f::regprocedure, purpose FROM (VALUES
    ('read', '{"safeidx.grade(float8,text)","safeidx.regions_at(date)","safeidx.version_at(text,date)","safeidx.star_history(text,text)","safeidx.notices_overdue(date)","safeidx.is_member_of(name)","safeidx.reads_all_regions()","safeidx.visible_regions()","safeidx.star_rating_rows()"}'),
    ('analyse', '{"safeidx.not_a_leaf_rate(text,text,date,text)","safeidx.population_figures(text,date,date)","safeidx.population_in(text,date)","safeidx.scheme_sources(text)","safeidx.release_checksum(text,integer,integer)","safeidx.release_report(text,integer,integer)","safeidx.report_previous(safeidx.release)","safeidx.report_correction(safeidx.release)","safeidx.report_chart(safeidx.release,text)","safeidx.report_ranking(safeidx.release,safeidx.release,text,text)","safeidx.report_warnings(safeidx.release)","safeidx.report_movers(safeidx.release,safeidx.release)","safeidx.report_grade_changes(safeidx.release,safeidx.release,text)","safeidx.report_previous_rows(safeidx.release,safeidx.release)","safeidx.source_delivery(text)","safeidx.period_completeness(text,text,date)","safeidx.verify_chain(text)","safeidx.release_result_rows(text,text,date)","safeidx.release_indicator_rows(text,text,date)","safeidx.release_digest(safeidx.release)","safeidx.rank_uncertainty(text,date,text,integer,text,text,integer,bigint,double precision,double precision)","safeidx.funnel_result(text,date,text,integer,text,double precision)","safeidx.report_alarms(safeidx.release)","safeidx.index_sensitivity(text,date,integer,text,integer,bigint,boolean,double precision,double precision,double precision,double precision)","safeidx.index_rank_draws(text,date,integer,text,integer,bigint,boolean,double precision,double precision,double precision,double precision)"}'),
    ('source', '{"safeidx.capture(regclass)","safeidx.capture_changes()","safeidx.mark_changed(text,date,date,text)","safeidx.source_counts(text,text,date,date,text)","safeidx.source_unknown_regions(text,date,date,text)","safeidx.source_cells(text[],text,date,date,text,text[])","safeidx.source_cells_sql(text[],text,date,date,text,integer)","safeidx.region_indexed(regclass,name)","safeidx.source_sql(safeidx.source,date,date,text)","safeidx.filter_sql(regclass,text,name)","safeidx.check_source_columns(safeidx.source,regclass)","safeidx.source_relation(safeidx.source,boolean)","safeidx.may_capture(regclass)","safeidx.source_column_type(regclass,name,text)","safeidx.local_time_sql(regclass,name,text)","safeidx.is_year_column(regclass,name)","safeidx.is_member_of(name)","safeidx.reads_all_regions()","safeidx.source_plan(text[],text,date,date,text)","safeidx.source_servers(regclass)","safeidx.source_shipping(regclass)","safeidx.source_changes(text)","safeidx.source_changes_sql(text)"}'),
    ('unit', '{"safeidx.notice_step(bigint,text,text)","safeidx.acknowledge_notice(bigint,text)","safeidx.report_rectification(bigint,text)"}'),
    ('admin', '{"safeidx.rebuild(text,date,date)","safeidx.refresh(text)","safeidx.scheme_to_build(text)","safeidx.compute_planned(safeidx.scheme,jsonb,text,timestamptz,bigint,bigint)","safeidx.compute_results(text,text,date[])","safeidx.build_cells(text,date,date,text[],text[])","safeidx.delete_cells(text,text,date,date,text[],text[])","safeidx.capture_scheme(text)","safeidx.lookback_years(text)","safeidx.delivery_snapshot(text)","safeidx.publish_release(text,date,text)","safeidx.correct_release(text,integer,text)","safeidx.verify_release(text,integer,integer)","safeidx.issue_notice(text,text,date,text,text,date,text,date,date,bigint,text)","safeidx.issue_notices(text,date,date)","safeidx.notice_next_seq(text,integer)","safeidx.verify_notice(bigint,boolean,text)","safeidx.withdraw_notice(bigint,text)","safeidx.grant_access(regrole,text,text)","safeidx.revoke_access(regrole,text,text)","safeidx.check_scheme_version(text,text)","safeidx.check_star_rule(text,text)","safeidx.check_award_rule(text,text)","safeidx.compute_alarms(text,text,date,text)","safeidx.check_warning_rule(text,text)","safeidx.preview_version(text,text,date[],text)","safeidx.poll_changes(text)","safeidx.compare_cells(text,date,date)","safeidx.sync_reference(text)","safeidx.reference_relation(safeidx.reference_binding,boolean)","safeidx.check_reference_binding(safeidx.reference_binding,regclass)","safeidx.reference_sql(text)","safeidx.reference_region_rows(text)","safeidx.reference_population_rows(text)","safeidx.binding_region_rows(text[])","safeidx.binding_population_rows(text[])","safeidx.region_problems(safeidx.region_input[],text[])","safeidx.population_problems(safeidx.population_input[],text[])","safeidx.region_differs(safeidx.region_input[],text[])","safeidx.population_differs(safeidx.population_input[],text[])","safeidx.apply_regions(safeidx.region_input[],text[])","safeidx.apply_population(safeidx.population_input[],text[])","safeidx.check_regions_csv(text)","safeidx.load_regions_csv(text)","safeidx.check_population_csv(text,text)","safeidx.load_population_csv(text,text)"}'),
    ('none', '{"safeidx.freeze_release(text,integer,integer,date,text,text)","safeidx.set_policy(regclass,name,text,text,text,text)","safeidx.check_version_dates(safeidx.scheme_version)","safeidx.check_tree(safeidx.scheme_version)","safeidx.check_weights(safeidx.scheme_version)","safeidx.check_node(safeidx.scheme_version,safeidx.indicator)","safeidx.check_shares(safeidx.scheme_version)","safeidx.check_star_units(safeidx.star_rule,text)","safeidx.check_star_levels(safeidx.star_rule,text)","safeidx.check_star_eligibility(safeidx.star_rule,text)","safeidx.refuse_change()","safeidx.scheme_root_check()","safeidx.scheme_gaps_check()","safeidx.scheme_follow()","safeidx.check_version_gaps(text)","safeidx.region_check()","safeidx.source_check()","safeidx.grade_band_check()","safeidx.scheme_time_zone_check()","safeidx.source_in_use()","safeidx.scheme_check()","safeidx.capture_catalogue_changes()","safeidx.rule_check()","safeidx.released_revision_closed()","safeidx.notice_links_check()","safeidx.source_watermark_check()","safeidx.reference_binding_check()","safeidx.reference_guard()"}')
    ) x(purpose, fns), unnest(fns::text[]) f;
CREATE TEMP VIEW ext_function AS
SELECT p.oid::regprocedure AS fn, p.provolatile = 'i' AND p.prorettype <> 'trigger'::regtype AND NOT p.prosecdef AS reads_no_table
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'safeidx';
SELECT is(ARRAY(SELECT fn::text FROM ext_function f
                 WHERE NOT f.reads_no_table AND NOT EXISTS (SELECT FROM function_purpose p WHERE p.fn = f.fn) ORDER BY 1),
          '{}'::text[], 'every function of safeidx that reads tables has a purpose in the model');
SELECT is(ARRAY(SELECT p.fn::text FROM function_purpose p JOIN ext_function f USING (fn) WHERE f.reads_no_table ORDER BY 1),
          '{}'::text[], 'and no function PUBLIC executes has another purpose');
CREATE TEMP TABLE expected_execute AS
SELECT r.role, f.fn
  FROM ext_function f, unnest('{admin,analyst,official,public,dept,nothing}'::text[]) r(role)
 WHERE f.reads_no_table
    OR EXISTS (SELECT FROM function_purpose p
                WHERE p.fn = f.fn AND p.purpose = ANY (CASE r.role WHEN 'admin' THEN '{read,analyse,source,unit,admin}'::text[]
                                                                   WHEN 'analyst' THEN '{read,analyse}'
                                                                   WHEN 'official' THEN '{read,unit}'
                                                                   WHEN 'dept' THEN '{source}' ELSE '{}' END));
SELECT is(ARRAY(SELECT f.fn::text FROM ext_function f
                 WHERE has_function_privilege('tap_safeidx_mx_' || r.role, f.fn, 'EXECUTE')
                   AND NOT EXISTS (SELECT FROM expected_execute e WHERE e.role = r.role AND e.fn = f.fn) ORDER BY 1),
          '{}'::text[], format('%s executes no function beyond the model', r.role))
  FROM unnest('{admin,analyst,official,public,dept,nothing}'::text[]) r(role);
SELECT is(ARRAY(SELECT e.fn::text FROM expected_execute e
                 WHERE e.role = r.role AND NOT has_function_privilege('tap_safeidx_mx_' || r.role, e.fn, 'EXECUTE') ORDER BY 1),
          '{}'::text[], format('%s executes every function the model gives it', r.role))
  FROM unnest('{admin,analyst,official,public,dept,nothing}'::text[]) r(role);

-- ---------------------------------------------------------------------------
-- 3. Calling the important functions as each role.  Expected: 'ok', or the
-- SQLSTATE; 42501 for a role without EXECUTE (or, for the role granted
-- nothing, without USAGE on the schema).  In an order that leaves each call
-- what it needs (a notice to acknowledge, changes refreshed before
-- publishing).
CREATE FUNCTION pg_temp.expect(sql text, expected text[]) RETURNS SETOF text LANGUAGE sql AS $$
    SELECT is(split_part(pg_temp.outcome(x.role, sql), ':', 1), x.code,
              format('%s: %s %s', x.role, left(regexp_replace(sql, '^SELECT (\* FROM )?safeidx\.', ''), 60),
                     CASE x.code WHEN 'ok' THEN 'runs' ELSE 'is refused (' || x.code || ')' END))
      FROM unnest('{admin,analyst,official,public,dept,nothing}'::text[], expected) WITH ORDINALITY AS x(role, code, ord)
     ORDER BY x.ord $$;
-- verify_chain and release_report read whole releases: analysts (and admins).
SELECT pg_temp.expect($$SELECT * FROM safeidx.verify_chain('wuchang_monthly')$$, '{ok,ok,42501,42501,42501,42501}');
SELECT is(pg_temp.value_as('analyst', $$SELECT count(*)::text FROM safeidx.verify_chain('wuchang_monthly')$$), '0',
          'analyst: the chain of wuchang_monthly is intact');
SELECT pg_temp.expect($$SELECT safeidx.release_report('wuchang_monthly', 2)$$, '{ok,ok,42501,42501,42501,42501}');
SELECT is(pg_temp.value_as('analyst', $$SELECT safeidx.release_report('wuchang_monthly', 2)$$),
          safeidx.release_report('wuchang_monthly', 2), 'analyst: the report is the superuser''s');
-- The index's rank intervals rank among every region of a level and read the
-- cells: analysts (and admins).
SELECT pg_temp.expect($$SELECT * FROM safeidx.index_sensitivity('wuchang', '2025-12-01', 3, draws => 10)$$,
                      '{ok,ok,42501,42501,42501,42501}');
-- Funnel positions pool every region of a level (its rate and tau^2):
-- analysts (and admins).
SELECT pg_temp.expect($$SELECT * FROM safeidx.funnel_result('wuchang', '2025-12-01', 'four_category', 3)$$,
                      '{ok,ok,42501,42501,42501,42501}');
-- An administrator builds every scheme, reading each source with its
-- owner's rights, and needs no right on the departments' schemas: a
-- source's relation is found as its owner finds it (source_relation()).
-- (0.3.0 as first built looked it up as the caller, so an administrator
-- needed USAGE on every departmental schema: found by this test.)
SELECT is(ARRAY(SELECT n.nspname::text FROM pg_namespace n
                 WHERE n.nspname IN ('demo', 'mx_dept') AND has_schema_privilege('tap_safeidx_mx_admin', n.oid, 'USAGE')),
          '{}'::text[], 'the administrator may not use schema demo or mx_dept');
SELECT is(pg_temp.outcome('admin', $$SELECT * FROM safeidx.refresh('wuchang')$$), 'ok',
          'admin: refresh runs without USAGE on schema demo');
SELECT is(pg_temp.outcome('admin', $$SELECT * FROM safeidx.verify_release('wuchang_monthly', 2)$$), 'ok',
          'admin: verify_release runs without USAGE on schema demo');
SELECT is(pg_temp.outcome('admin', $$SELECT * FROM safeidx.source_counts('mx_hotline', 'month', '2025-12-01', '2026-01-01')$$), 'ok',
          'admin: source_counts runs without USAGE on schema mx_dept');
-- Capture: the demo's tables were captured when the city was built, so an
-- administrator's refresh leaves none uncaptured (and warns of none).
SELECT is(pg_temp.value_as('admin', $$SELECT safeidx.capture_scheme('wuchang')::text$$), '0',
          'admin: capture_scheme finds every table of wuchang, all captured');
-- verify_release recomputes (a rebuild, rolled back): administrators.
SELECT pg_temp.expect($$SELECT * FROM safeidx.verify_release('wuchang_monthly', 2)$$, '{ok,42501,42501,42501,42501,42501}');
SELECT is(pg_temp.value_as('admin', $$SELECT count(*)::text FROM safeidx.verify_release('wuchang_monthly', 2)$$), '0',
          'admin: release 2 is reproduced exactly');
-- The department's counts, read with its rights: the department and
-- administrators (who build); December: 420106004001 2, 420106005001 1.
SELECT pg_temp.expect($$SELECT * FROM safeidx.source_counts('mx_hotline', 'month', '2025-12-01', '2026-01-01')$$,
                      '{ok,42501,42501,42501,ok,42501}');
SELECT is(pg_temp.value_as('dept', $$SELECT string_agg(region_code || ' ' || value, ', ' ORDER BY region_code)
                                      FROM safeidx.source_counts('mx_hotline', 'month', '2025-12-01', '2026-01-01')$$),
          '420106004001 2, 420106005001 1', 'dept: its counts');
SELECT pg_temp.expect($$SELECT safeidx.mark_changed('mx_hotline', '2025-12-01', '2026-01-01')$$,
                      '{ok,42501,42501,42501,ok,42501}');
-- A scheme of one indicator counting the department's source by month
-- (made by the superuser): the administrator builds it, the department's
-- table read with the department's rights, without USAGE on mx_dept.  That
-- table is not captured yet and the administrator may not capture it:
-- capture_scheme() counts it (and warns), until the department does.
\o /dev/null
INSERT INTO safeidx.scheme (scheme, name_zh, periods) VALUES ('mx_calls', 'mx_calls', '{month}');
INSERT INTO safeidx.scheme_version (scheme, version, valid_from) VALUES ('mx_calls', 'v1', '2025-01-01');
INSERT INTO safeidx.indicator (scheme, version, node, name_zh, weight, direction, sources, measure, scoring, scoring_params)
VALUES ('mx_calls', 'v1', 'n', 'n', 100, 'negative', '{mx_hotline}', 'count', 'goalposts', '{"minimum": 0, "maximum": 4}');
\o
SELECT is(pg_temp.value_as('admin', $$SELECT safeidx.capture_scheme('mx_calls')::text$$), '1',
          'admin: capture_scheme finds the department''s table and leaves it uncaptured (no TRIGGER on it)');
SELECT is(pg_temp.outcome('admin', $$SELECT * FROM safeidx.rebuild('mx_calls', '2025-12-01', '2026-01-01')$$), 'ok',
          'admin: rebuilds a scheme reading the department''s table without USAGE on its schema');
SELECT is((SELECT string_agg(region_code || ' ' || value, ', ' ORDER BY region_code) FROM safeidx.cell
            WHERE scheme = 'mx_calls' AND period = 'month' AND period_start = '2025-12-01'),
          '420106004001 2, 420106005001 1', 'and its cells are the department''s December counts');

-- administrator executes capture() but is refused on the department's table
-- (by name, at the schema it may not use; by OID, by capture() itself).
SELECT pg_temp.expect($$SELECT safeidx.capture('mx_dept.hotline')$$, '{42501,42501,42501,42501,ok,42501}');
SELECT is(pg_temp.outcome('admin', $$SELECT safeidx.capture('mx_dept.hotline')$$),
          '42501: permission denied for schema mx_dept',
          'admin: capture() refuses a table in a schema the administrator may not use');
SELECT is(pg_temp.outcome('admin', format('SELECT safeidx.capture(%s::oid::regclass)', 'mx_dept.hotline'::regclass::oid)),
          '42501: you may not install safeidx''s change capture on mx_dept.hotline',
          'admin: capture() refuses a table the administrator may not put triggers on');
SELECT is(pg_temp.value_as('admin', $$SELECT safeidx.capture_scheme('mx_calls')::text$$), '0',
          'admin: once the department captured its table, capture_scheme leaves no table uncaptured');
-- Notices (street 004's: 2025-001 acknowledged, 2025-003, -004 and -007
-- issued; 2025-002 street 005's, issued; 2025-005 street 007's).  The
-- official acknowledges 2025-003, the administrator 2025-002; the others
-- try 2025-004.
SELECT id AS n001 FROM safeidx.notice WHERE number = '2025-001' \gset
SELECT id AS n002 FROM safeidx.notice WHERE number = '2025-002' \gset
SELECT id AS n003 FROM safeidx.notice WHERE number = '2025-003' \gset
SELECT id AS n004 FROM safeidx.notice WHERE number = '2025-004' \gset
SELECT id AS n005 FROM safeidx.notice WHERE number = '2025-005' \gset
SELECT id AS n007 FROM safeidx.notice WHERE number = '2025-007' \gset
SELECT is(pg_temp.outcome(r, format('SELECT safeidx.acknowledge_notice(%s, ''received'')', n)), code,
          format('%s: acknowledge_notice %s', r, CASE code WHEN 'ok' THEN 'runs' ELSE 'is refused (' || left(code, 5) || ')' END))
  FROM (VALUES (1, 'analyst', :n004, '42501: permission denied for function acknowledge_notice'),
               (2, 'public', :n004, '42501: permission denied for function acknowledge_notice'),
               (3, 'dept', :n004, '42501: permission denied for function acknowledge_notice'),
               (4, 'nothing', :n004, '42501: permission denied for schema safeidx'),
               (5, 'official', :n003, 'ok'),
               (6, 'admin', :n002, 'ok')) x(ord, r, n, code)
 ORDER BY ord;
SELECT is(pg_temp.outcome('official', format('SELECT safeidx.acknowledge_notice(%s, ''received'')', :n005)),
          format('42704: no notice with id %s', :n005), 'official: a notice outside its subtree does not exist for it');
-- The unit takes its own steps only: not the issuer's (withdraw, verify),
-- nor a step logged in the past (0.3.0 as built let an official do both,
-- through notice_step() and its INSERT on notice_log; policy
-- notice_log_step now refuses them).
SELECT is(pg_temp.outcome('official', format('SELECT safeidx.notice_step(%s, ''withdraw'', ''not us'')', :n004)),
          '42501: new row violates row-level security policy for table "notice_log"',
          'official: cannot withdraw a notice addressed to its unit');
SELECT is(pg_temp.exec_outcome('official',
              format($q$INSERT INTO safeidx.notice_log (notice_id, step, prev_step, from_state, action, to_state, note, logged_at)
                        VALUES (%s, 2, 1, 'issued', 'acknowledge', 'acknowledged', 'backdated', '2025-01-01')$q$, :n007)),
          '42501: new row violates row-level security policy for table "notice_log"',
          'official: cannot log an acknowledgement dated before it was made');
SELECT is(pg_temp.exec_outcome('official',
              format($q$INSERT INTO safeidx.notice_log (notice_id, step, prev_step, from_state, action, to_state, note, logged_by)
                        VALUES (%s, 2, 1, 'issued', 'acknowledge', 'acknowledged', 'someone else', 'tap_safeidx_mx_admin')$q$, :n007)),
          '42501: new row violates row-level security policy for table "notice_log"',
          'official: nor in another role''s name');
SELECT is((SELECT string_agg(number || ' ' || state, ', ' ORDER BY number) FROM safeidx.notice_status
            WHERE number IN ('2025-002', '2025-003', '2025-004', '2025-007')),
          '2025-002 acknowledged, 2025-003 acknowledged, 2025-004 issued, 2025-007 issued',
          'only the allowed acknowledgements were taken');
SELECT is(pg_temp.outcome(r, format('SELECT safeidx.report_rectification(%s, ''fixed'')', n)), code,
          format('%s: report_rectification %s', r, CASE code WHEN 'ok' THEN 'runs' ELSE 'is refused (' || left(code, 5) || ')' END))
  FROM (VALUES (1, 'analyst', :n001, '42501: permission denied for function report_rectification'),
               (2, 'public', :n001, '42501: permission denied for function report_rectification'),
               (3, 'dept', :n001, '42501: permission denied for function report_rectification'),
               (4, 'nothing', :n001, '42501: permission denied for schema safeidx'),
               (5, 'official', :n001, 'ok'),
               (6, 'admin', :n002, 'ok')) x(ord, r, n, code)
 ORDER BY ord;
SELECT is((SELECT state || ' by ' || state_by FROM safeidx.notice_status WHERE number = '2025-001'),
          'rectification_reported by tap_safeidx_mx_official', 'the official''s report is logged under its name');
SELECT pg_temp.expect($$SELECT * FROM safeidx.issue_notices('wuchang', '2025-12-01', '2026-01-05')$$, '{ok,42501,42501,42501,42501,42501}');
-- Building and publishing: administrators.
SELECT pg_temp.expect($$SELECT * FROM safeidx.refresh('wuchang')$$, '{ok,42501,42501,42501,42501,42501}');
SELECT pg_temp.expect($$SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01')$$, '{ok,42501,42501,42501,42501,42501}');
\o /dev/null
SELECT dblink_exec('admin', $$INSERT INTO safeidx.release_series (series, scheme, period, title_zh) VALUES ('mx_series', 'wuchang', 'month', '测试')$$);
\o
SELECT pg_temp.expect($$SELECT * FROM safeidx.publish_release('mx_series', '2025-10-01')$$, '{ok,42501,42501,42501,42501,42501}');
SELECT pg_temp.expect($$SELECT * FROM safeidx.correct_release('mx_series', 1, 'a test correction')$$, '{ok,42501,42501,42501,42501,42501}');
SELECT is((SELECT string_agg(format('%s.%s by %s', number, revision, released_by), ', ' ORDER BY revision) FROM safeidx.release
            WHERE series = 'mx_series'),
          '1.1 by tap_safeidx_mx_admin, 1.2 by tap_safeidx_mx_admin', 'the administrator published release 1 and its correction, in its name');
SELECT is(pg_temp.value_as('analyst', $$SELECT count(*)::text FROM safeidx.verify_chain('mx_series')$$), '0',
          'analyst: their chain is intact');
-- grant_access needs the right to grant the group role: a superuser's (or
-- ADMIN OPTION, which no role here has).
SELECT pg_temp.expect($$SELECT safeidx.grant_access('tap_safeidx_mx_nothing', 'analyst')$$, '{42501,42501,42501,42501,42501,42501}');
SELECT is(pg_temp.outcome('admin', $$SELECT safeidx.grant_access('tap_safeidx_mx_nothing', 'analyst')$$),
          '42501: must have admin option on role "safeidx_analyst"', 'admin: grant_access refused without ADMIN OPTION');
SELECT is((SELECT count(*) FROM pg_auth_members WHERE member = 'tap_safeidx_mx_nothing'::regrole), 0::bigint,
          'the role granted nothing still belongs to no role');

SELECT dblink_disconnect(r) FROM unnest('{admin,analyst,official,public,dept,nothing}'::text[]) r \g /dev/null
SELECT * FROM finish();
