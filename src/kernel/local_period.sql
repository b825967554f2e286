-- local_period.sql: the local period of a departmental row's timestamptz, in
-- C (local_period.c), for the queries that read the departments' tables.

CREATE OR REPLACE FUNCTION @extschema@.local_period(at timestamptz, period text, zone text)
RETURNS date
AS 'MODULE_PATHNAME', 'safeidx_local_period'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.local_period(timestamptz, text, text) IS
'the start of the local day, month, quarter or year holding a timestamptz in a time zone (as date_trunc(period, at AT TIME ZONE zone)::date, which PostgreSQL also treats as immutable), the zone looked up once per query; error 22023 for an unknown period or zone';

CREATE OR REPLACE FUNCTION @extschema@.local_day_monotone(zone text, from_date date, to_date date)
RETURNS boolean
AS 'MODULE_PATHNAME', 'safeidx_local_day_monotone'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.local_day_monotone(text, date, date) IS
'whether the local date in a time zone never goes back between two dates (no clock change sets the clock back across a midnight); where it holds, the local day of a set''s latest instant is its latest local day; error 22023 for an unknown zone or infinite dates';

-- The same with its period and zone in one jsonb, which holds no collatable
-- argument: postgres_fdw ships it to a department's server that has safeidx
-- (the foreign server's "extensions" option lists safeidx), where it ships
-- no function with a text constant (doc/deployments.md).
CREATE OR REPLACE FUNCTION @extschema@.local_period(at timestamptz, spec jsonb)
RETURNS date
AS 'MODULE_PATHNAME', 'safeidx_local_period_spec'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.local_period(timestamptz, jsonb) IS
'local_period(at, period, zone) with spec {"period": ..., "zone": ...}, no collatable argument, so that postgres_fdw can ship it to a server with safeidx; error 22023 for a spec without those strings, an unknown period or zone';
