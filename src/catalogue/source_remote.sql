-- source_remote.sql: sources whose rows live on other servers (postgres_fdw): which
-- servers a source reads, what can be shipped to them, the plan of its cell query.

-- [code]
-- The foreign servers a relation reads: its own when it is a foreign
-- table, its foreign partitions' when it is partitioned; and whether
-- safeidx's functions ship there: a postgres_fdw server whose "extensions"
-- option lists safeidx (which must then be installed on the remote side,
-- in a schema of the same name, doc/deployments.md).
CREATE OR REPLACE FUNCTION @extschema@.source_servers(relation regclass)
RETURNS TABLE (server name, ships_safeidx boolean)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT DISTINCT s.srvname,
           coalesce(h.proname = 'postgres_fdw_handler'
                    AND EXISTS (SELECT FROM unnest(s.srvoptions) o
                                 WHERE o LIKE 'extensions=%'
                                   AND 'safeidx' = ANY (string_to_array(regexp_replace(substr(o, 12), '\s', '', 'g'), ','))),
                    false)
      FROM (SELECT relation AS relid UNION SELECT t.relid FROM pg_partition_tree(relation) t) r
      JOIN pg_foreign_table f ON f.ftrelid = r.relid
      JOIN pg_foreign_server s ON s.oid = f.ftserver
      JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
      LEFT JOIN pg_proc h ON h.oid = w.fdwhandler
     ORDER BY 1;
$$;
COMMENT ON FUNCTION @extschema@.source_servers(regclass) IS
'the foreign servers a relation reads (itself a foreign table, or its foreign partitions), and whether safeidx''s functions ship there (a postgres_fdw server whose "extensions" option lists safeidx)';

-- How a source's cell query groups its rows: 'local' (no foreign table:
-- local_period(at, period, zone) per row, as always), 'safeidx' (every
-- server lists safeidx: local_period(at, spec jsonb), which postgres_fdw
-- ships), 'builtin' (some server does not: width_bucket over the local
-- period starts, a built-in function postgres_fdw ships whatever is
-- installed there).
CREATE OR REPLACE FUNCTION @extschema@.source_shipping(relation regclass)
RETURNS text LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN count(*) = 0 THEN 'local' WHEN bool_and(s.ships_safeidx) THEN 'safeidx' ELSE 'builtin' END
      FROM @extschema@.source_servers(relation) s;
$$;
COMMENT ON FUNCTION @extschema@.source_shipping(regclass) IS
'how the cell query of a relation finds a row''s local period: local (no foreign table), safeidx (local_period shipped to servers with safeidx) or builtin (width_bucket over the period starts, shipped anywhere)';

CREATE OR REPLACE FUNCTION @extschema@.source_plan(sources text[], period text, from_date date, to_date date,
                                                    tz text DEFAULT 'Asia/Shanghai')
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'source_plan'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.source_plan(text[], text, date, date, text) IS
'EXPLAIN (VERBOSE, COSTS OFF) of the query source_cells() runs for sources bound to one table, planned with the sources'' owner''s rights (for a foreign table, "Remote SQL: ... GROUP BY" shows the grouping done by the department''s server); plans only, reads nothing';
