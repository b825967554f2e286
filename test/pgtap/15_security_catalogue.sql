-- The security promises of safeidx's catalogue (issue 9), read from
-- pg_catalog in a fresh installation (the template: safeidx, pgtap, dblink,
-- the demo city):
--   every SECURITY DEFINER function pins search_path to pg_catalog, pg_temp,
--     is not executable by PUBLIC and is owned by safeidx_capture or
--     safeidx_publisher, neither a superuser;
--   every function PUBLIC may execute is immutable, not a trigger function
--     and not a definer: it reads no table;
--   the C functions that run safeidx's own code as another role (a
--     source's owner, or safeidx_analyst to rank star ratings) are not
--     executable by PUBLIC; star ratings are ranked that way, not by a
--     definer, which could not tell who called it (doc/security.md);
--   every view is security_invoker except public_result, a security_barrier
--     view with its owner's rights; officials may not read star_rating_all,
--     which ranks among the rows its reader sees;
--   the two definer roles can do only what roles.sql says: capture appends
--     to change_log, the publisher adds releases; no group role logs in;
--   row-level security is on for the tables read by region or owner.
-- Each assertion lists the offending objects, so that a failure names them.
BEGIN;
SELECT plan(27);

CREATE TEMP VIEW ext_function AS
SELECT p.oid, p.oid::regprocedure::text AS signature, p.proname, p.prosecdef, p.provolatile, p.prokind,
       p.prorettype = 'trigger'::regtype AS is_trigger, p.proconfig, pg_get_userbyid(p.proowner) AS owner,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_executes
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'safeidx';

-- The definers are the three functions that must write what their caller
-- may not: change capture (change_log) and publishing (the release tables).
SELECT is(ARRAY(SELECT signature FROM ext_function WHERE prosecdef ORDER BY 1),
          ARRAY['safeidx.capture_changes()', 'safeidx.correct_release(text,integer,text)',
                'safeidx.publish_release(text,date,text)'],
          'the SECURITY DEFINER functions are capture_changes, correct_release and publish_release');
SELECT is(ARRAY(SELECT signature FROM ext_function
                 WHERE prosecdef AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (proconfig), false) ORDER BY 1),
          '{}'::text[], 'every SECURITY DEFINER function pins search_path=pg_catalog, pg_temp');
SELECT is(ARRAY(SELECT signature FROM ext_function WHERE prosecdef AND public_executes ORDER BY 1),
          '{}'::text[], 'no SECURITY DEFINER function is executable by PUBLIC');
SELECT is(ARRAY(SELECT signature FROM ext_function
                 WHERE prosecdef AND owner NOT IN ('safeidx_capture', 'safeidx_publisher') ORDER BY 1),
          '{}'::text[], 'every SECURITY DEFINER function is owned by safeidx_capture or safeidx_publisher');
SELECT is(ARRAY(SELECT signature || ' ' || owner FROM ext_function WHERE prosecdef ORDER BY 1),
          ARRAY['safeidx.capture_changes() safeidx_capture', 'safeidx.correct_release(text,integer,text) safeidx_publisher',
                'safeidx.publish_release(text,date,text) safeidx_publisher'],
          'capture by safeidx_capture, publishing by safeidx_publisher');
SELECT is(ARRAY(SELECT rolname::text FROM pg_roles
                 WHERE rolname IN ('safeidx_capture', 'safeidx_publisher')
                   AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls OR rolreplication OR rolcanlogin)
                 ORDER BY 1),
          '{}'::text[], 'neither definer is a superuser, nor may it log in, create roles or databases or bypass row-level security');
SELECT is(ARRAY(SELECT r.rolname || ' in ' || g.rolname FROM pg_auth_members m
                  JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
                 WHERE r.rolname IN ('safeidx_capture', 'safeidx_publisher') ORDER BY 1),
          ARRAY['safeidx_publisher in safeidx_analyst'],
          'the definers belong to no role but the publisher to safeidx_analyst (it reads every result it freezes)');
SELECT is(ARRAY(SELECT signature FROM ext_function
                 WHERE NOT prosecdef AND 'search_path=pg_catalog, pg_temp' <> ALL (coalesce(proconfig, '{}'))
                   AND prokind = 'f' AND NOT EXISTS (SELECT FROM pg_language l, pg_proc p
                                                      WHERE p.oid = ext_function.oid AND l.oid = p.prolang AND l.lanname IN ('c', 'internal'))
                 ORDER BY 1),
          '{}'::text[], 'every SQL and PL/pgSQL function of safeidx pins its search_path too');

-- Not definers, but C switching to another role for safeidx's own code
-- (src/catalogue/roles.c): granted by role like the rest.
SELECT is(ARRAY(SELECT signature FROM ext_function
                 WHERE signature IN ('safeidx.source_cells(text[],text,date,date,text,text[])',
                                     'safeidx.source_relation(safeidx.source,boolean)',
                                     'safeidx.filter_sql(regclass,text,name)', 'safeidx.star_rating_rows()',
                                     'safeidx.reference_relation(safeidx.reference_binding,boolean)',
                                     'safeidx.reference_region_rows(text)', 'safeidx.reference_population_rows(text)')
                   AND public_executes ORDER BY 1),
          '{}'::text[], 'no C function that runs safeidx''s code as another role is executable by PUBLIC');
SELECT is(ARRAY(SELECT grantee::regrole::text FROM aclexplode((SELECT proacl FROM pg_proc WHERE oid = 'safeidx.star_rating_rows()'::regprocedure))
                 WHERE privilege_type = 'EXECUTE' AND grantee <> (SELECT proowner FROM pg_proc WHERE oid = 'safeidx.star_rating_rows()'::regprocedure)
                 ORDER BY 1),
          ARRAY['safeidx_analyst', 'safeidx_official'], 'star_rating_rows() is executed by analysts and officials, who read star_rating');

-- What PUBLIC may execute reads no table.
SELECT is(ARRAY(SELECT signature FROM ext_function WHERE public_executes AND provolatile <> 'i' ORDER BY 1),
          '{}'::text[], 'every function executable by PUBLIC is immutable');
SELECT is(ARRAY(SELECT signature FROM ext_function WHERE public_executes AND is_trigger ORDER BY 1),
          '{}'::text[], 'no trigger function is executable by PUBLIC');
SELECT is(ARRAY(SELECT signature FROM ext_function WHERE NOT public_executes AND provolatile = 'i'
                   AND NOT is_trigger AND NOT prosecdef ORDER BY 1),
          '{}'::text[], 'and every immutable, non-trigger, non-definer function is (the kernel, period arithmetic, HTML helpers)');
SELECT cmp_ok((SELECT count(*) FROM ext_function WHERE NOT public_executes), '>', 50::bigint,
              'PUBLIC is refused the many functions that read tables (a sanity check of the query)');

-- Views.
SELECT is(ARRAY(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'safeidx'::regnamespace AND c.relkind = 'v' AND c.relname <> 'public_result'
                   AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false) ORDER BY 1),
          '{}'::text[], 'every view but public_result is security_invoker');
SELECT is(ARRAY(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'safeidx'::regnamespace AND c.relkind = 'v' ORDER BY 1),
          ARRAY['award', 'index_result', 'indicator_result', 'indicator_source', 'node_result', 'notice_overdue',
                'notice_status', 'public_result', 'star_rating', 'star_rating_all', 'unknown_region_rows', 'warning'],
          'the views are the twelve documented');
SELECT is(ARRAY(SELECT r FROM unnest('{safeidx_official,safeidx_public,safeidx_department}'::text[]) r
                 WHERE has_table_privilege(r, 'safeidx.star_rating_all', 'SELECT') ORDER BY 1),
          '{}'::text[], 'star_rating_all, which ranks among the rows its reader sees, is read by analysts only');
SELECT is((SELECT c.reloptions FROM pg_class c WHERE c.oid = 'safeidx.public_result'::regclass),
          ARRAY['security_barrier=true'], 'public_result is a security_barrier view, not security_invoker');
SELECT is(ARRAY(SELECT grantee::regrole::text FROM aclexplode((SELECT relacl FROM pg_class WHERE oid = 'safeidx.public_result'::regclass))
                 WHERE privilege_type = 'SELECT' AND grantee <> (SELECT relowner FROM pg_class WHERE oid = 'safeidx.public_result'::regclass)
                 ORDER BY 1),
          ARRAY['safeidx_analyst', 'safeidx_public'], 'public_result is granted to safeidx_public (and analysts), not to PUBLIC');

-- The definers' table privileges: capture may only append to change_log
-- (reading what tells it which schemes read a table); the publisher may
-- only add releases.  No UPDATE, DELETE or TRUNCATE anywhere.
CREATE TEMP VIEW table_privilege AS
SELECT r.rolname::text AS role, c.relname::text AS tab, p.privilege
  FROM pg_class c, (VALUES ('safeidx_capture'), ('safeidx_publisher')) r(rolname),
       unnest('{INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER}'::text[]) p(privilege)
 WHERE c.relnamespace = 'safeidx'::regnamespace AND c.relkind IN ('r', 'v', 'p')
   AND has_table_privilege(r.rolname, c.oid, p.privilege);
SELECT is(ARRAY(SELECT tab || ':' || privilege FROM table_privilege WHERE role = 'safeidx_capture' ORDER BY 1),
          ARRAY['change_log:INSERT'], 'safeidx_capture may only append to change_log');
SELECT is(ARRAY(SELECT tab || ':' || privilege FROM table_privilege WHERE role = 'safeidx_publisher' ORDER BY 1),
          ARRAY['release:INSERT', 'release_indicator:INSERT', 'release_result:INSERT'],
          'safeidx_publisher may only add releases');
SELECT is(ARRAY(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'safeidx'::regnamespace AND c.relkind = 'r'
                   AND has_table_privilege('safeidx_capture', c.oid, 'SELECT') ORDER BY 1),
          ARRAY['indicator', 'scheme', 'source'], 'safeidx_capture reads only the tables naming which schemes read a table');

-- Roles.
SELECT is(ARRAY(SELECT rolname::text FROM pg_roles WHERE rolname LIKE 'safeidx\_%' AND rolcanlogin ORDER BY 1),
          '{}'::text[], 'no safeidx_* role can log in');
SELECT is(ARRAY(SELECT rolname::text FROM pg_roles WHERE rolname IN ('safeidx_admin', 'safeidx_department', 'safeidx_analyst',
                  'safeidx_official', 'safeidx_public', 'safeidx_capture', 'safeidx_publisher') ORDER BY 1),
          ARRAY['safeidx_admin', 'safeidx_analyst', 'safeidx_capture', 'safeidx_department', 'safeidx_official',
                'safeidx_public', 'safeidx_publisher'], 'the seven roles exist');
SELECT is(ARRAY(SELECT r.rolname || ' in ' || g.rolname FROM pg_auth_members m
                  JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
                 WHERE g.rolname LIKE 'safeidx\_%' AND r.rolname LIKE 'safeidx\_%' ORDER BY 1),
          ARRAY['safeidx_admin in safeidx_analyst', 'safeidx_publisher in safeidx_analyst'],
          'among themselves, administrators and the publisher read as analysts, nothing else');

-- Row-level security on the tables read by region subtree or owner.
SELECT is(ARRAY(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'safeidx'::regnamespace AND c.relkind = 'r' AND c.relrowsecurity ORDER BY 1),
          ARRAY['alarm', 'notice', 'notice_log', 'official_scope', 'population', 'reference_binding', 'region', 'release_indicator', 'release_result', 'result', 'result_node', 'source'],
          'row-level security is enabled on exactly the documented tables');
SELECT is(ARRAY(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'safeidx'::regnamespace AND c.relkind = 'r' AND c.relrowsecurity
                   AND NOT EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid AND p.polcmd IN ('r', '*')) ORDER BY 1),
          '{}'::text[], 'and each has a policy for reading');

SELECT * FROM finish();
ROLLBACK;
