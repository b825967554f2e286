-- unknown_region_rows.sql: the view of departmental rows with unknown region codes.

CREATE OR REPLACE VIEW @extschema@.unknown_region_rows WITH (security_invoker = true) AS
SELECT c.scheme, c.period, c.period_start, c.source, c.region_code, c.source_rows, c.value
  FROM @extschema@.cell c
 WHERE NOT EXISTS (SELECT FROM @extschema@.region g
                    WHERE g.code = c.region_code AND g.valid_from <= c.period_start AND c.period_start < g.valid_to);
COMMENT ON VIEW @extschema@.unknown_region_rows IS
'departmental rows read by a scheme whose region code is NULL or names no region in force: counted here per period and source, left out of every result';
