-- 0.5.0--0.6.0.sql: state migration from 0.5.0 to 0.6.0 (the engine at the
-- speed of one scan, continued).  Run by every upgrade script from 0.5.0 or
-- earlier, before the code of the version upgraded to (doc/upgrades.md).

-- Functions whose arguments changed (CREATE OR REPLACE would add an
-- overload beside them): a refresh rebuilds the cells of the tables that
-- changed only (build_cells' and delete_cells' new last arguments), and
-- reads few region codes one at a time (source_cells_sql's ncodes).
DROP FUNCTION IF EXISTS @extschema@.build_cells(text, date, date, text[]);
DROP FUNCTION IF EXISTS @extschema@.delete_cells(text, text, date, date, text[]);
DROP FUNCTION IF EXISTS @extschema@.source_cells_sql(text[], text, date, date, text);
