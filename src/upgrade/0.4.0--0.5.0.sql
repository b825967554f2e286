-- 0.4.0--0.5.0.sql: state migration from 0.4.0 to 0.5.0 (the engine at the
-- speed of one scan).  Run by every upgrade script from 0.4.0 or earlier,
-- before the code of the version upgraded to (doc/upgrades.md).

-- What dashboards ask (doc/benchmark.md): one region's history (with its
-- indicators), every region of a level over a year; one period's ranking is
-- the primary key's.
CREATE INDEX result_region_history ON @extschema@.result (scheme, region_code, period, period_start);
CREATE INDEX result_level_periods ON @extschema@.result (scheme, period, depth, period_start);
CREATE INDEX result_node_region_history ON @extschema@.result_node (scheme, region_code, period, period_start);

-- issue 13 (sources over postgres_fdw, changes without triggers): a source's
-- watermark column and the watermarks refresh has taken in.
ALTER TABLE @extschema@.source ADD COLUMN watermark_column name;
COMMENT ON COLUMN @extschema@.source.watermark_column IS
'optional: a monotonically increasing id or last-modified time of the departmental rows; refresh polls the rows past the last value it took in (poll_changes), for tables without capture triggers such as foreign tables; NULL: none';
CREATE TABLE @extschema@.source_watermark (
    source           text PRIMARY KEY REFERENCES @extschema@.source ON UPDATE CASCADE ON DELETE CASCADE,
    watermark_column name NOT NULL,
    high             text NOT NULL,
    polled_at        timestamptz NOT NULL
);
COMMENT ON TABLE @extschema@.source_watermark IS
'materialized: the highest value of each source''s watermark column that refresh has taken in (its text form, compared in the column''s type), and when it was polled; rows past it are new or changed';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.source_watermark', '');
