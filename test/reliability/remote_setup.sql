-- test/reliability/remote_setup.sql: the departments' server of the remote
-- reliability checks (valgrind_remote.sh, sqlsmith.sh; doc/reliability.md),
-- run in its database postgres.  Databases:
--   police  safeidx installed (the main cluster's foreign server lists it in
--           "extensions": local_period(at, spec) ships) and the small demo
--           city (seed 42) in schema demo: every departmental table, the
--           regions and the population; role police_reader (password login,
--           as postgres_fdw requires of a non-superuser) may read them,
--           role police_nosel may not;
--   fire    no safeidx (the built-in width_bucket ships): dept.fire_alarm,
--           the demo's fire alarms with a last-modified column (its rows
--           copied there by the calling script).
-- psql variable: repo (the repository's root, for test/demo/city.sql).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE ROLE police_reader LOGIN PASSWORD 'reader-pw';
CREATE ROLE police_nosel LOGIN PASSWORD 'nosel-pw';
CREATE DATABASE police;
CREATE DATABASE fire;
\c police
SET client_min_messages = warning;
CREATE EXTENSION safeidx;
\set city :repo '/test/demo/city.sql'
\i :city
SELECT demo.generate('small', 42) IS NOT NULL AS generated;
GRANT USAGE ON SCHEMA demo, safeidx TO police_reader, police_nosel;
GRANT SELECT ON ALL TABLES IN SCHEMA demo TO police_reader;
ANALYZE;
\c fire
SET client_min_messages = warning;
CREATE SCHEMA dept;
GRANT USAGE ON SCHEMA dept TO police_reader;
CREATE TABLE dept.fire_alarm (id bigint NOT NULL PRIMARY KEY, alarm_at timestamptz NOT NULL, community_code text,
                              cause text NOT NULL, is_false_alarm boolean NOT NULL,
                              modified_at timestamptz NOT NULL DEFAULT clock_timestamp());
GRANT SELECT ON dept.fire_alarm TO police_reader;
