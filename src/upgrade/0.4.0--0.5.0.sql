-- 0.4.0--0.5.0.sql: state migration from 0.4.0 to 0.5.0 (the engine at the
-- speed of one scan).  Run by every upgrade script from 0.4.0 or earlier,
-- before the code of the version upgraded to (doc/upgrades.md).

-- What dashboards ask (doc/benchmark.md): one region's history (with its
-- indicators), every region of a level over a year; one period's ranking is
-- the primary key's.
CREATE INDEX result_region_history ON @extschema@.result (scheme, region_code, period, period_start);
CREATE INDEX result_level_periods ON @extschema@.result (scheme, period, depth, period_start);
CREATE INDEX result_node_region_history ON @extschema@.result_node (scheme, region_code, period, period_start);

-- Cells and results no longer reference scheme by foreign key (one check per
-- row written); the trigger scheme_follow (0.4.0--0.5.0.post.sql) renames and
-- drops them with their scheme.
ALTER TABLE @extschema@.cell DROP CONSTRAINT cell_scheme_fkey;
ALTER TABLE @extschema@.result DROP CONSTRAINT result_scheme_fkey;
ALTER TABLE @extschema@.result_node DROP CONSTRAINT result_node_scheme_fkey;
