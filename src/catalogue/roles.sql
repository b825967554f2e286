-- roles.sql: the roles safeidx grants its privileges to (doc/security.md).
-- Roles belong to the cluster, not to a database: they are made when safeidx
-- is first installed in any database of the cluster and outlive DROP
-- EXTENSION.  None can log in; grant_access() makes a login role one of the
-- first five.
--   safeidx_admin       administers the catalogue, builds schemes, publishes
--   safeidx_department  defines sources over its own tables, installs capture
--   safeidx_analyst     reads every result, warning, release and notice
--   safeidx_official    reads the results, warnings and notices of its
--                       region subtrees (official_scope)
--   safeidx_public      reads released aggregates only (public_result)
--   safeidx_capture     owns the change-capture trigger function, and may
--                       only append to change_log
--   safeidx_publisher   owns the functions that freeze releases, and may
--                       only add releases

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['safeidx_admin', 'safeidx_department', 'safeidx_analyst', 'safeidx_official',
                             'safeidx_public', 'safeidx_capture', 'safeidx_publisher'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            -- another database of the cluster may install safeidx at the
            -- same moment and make the role first
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN unique_violation OR duplicate_object THEN
                NULL;
            END;
        END IF;
    END LOOP;
END $$;

-- Whether the current role is a member of a role, false for a role that no
-- longer exists (a source's owner or an official's scope may outlive it).
CREATE OR REPLACE FUNCTION @extschema@.is_member_of(role name)
RETURNS boolean LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN EXISTS (SELECT FROM pg_roles r WHERE r.rolname = role) THEN pg_has_role(role, 'MEMBER') ELSE false END;
$$;
COMMENT ON FUNCTION @extschema@.is_member_of(name) IS
'whether the current role is a member of a role (false when the role does not exist)';
