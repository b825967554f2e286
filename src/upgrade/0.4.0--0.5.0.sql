-- 0.4.0--0.5.0.sql: state migration from 0.4.0 to 0.5.0 (the engine at the
-- speed of one scan).  Run by every upgrade script from 0.4.0 or earlier,
-- before the code of the version upgraded to (doc/upgrades.md).

-- What dashboards ask (doc/benchmark.md): one region's history (with its
-- indicators), every region of a level over a year; one period's ranking is
-- the primary key's.
CREATE INDEX result_region_history ON @extschema@.result (scheme, region_code, period, period_start);
CREATE INDEX result_level_periods ON @extschema@.result (scheme, period, depth, period_start);
CREATE INDEX result_node_region_history ON @extschema@.result_node (scheme, region_code, period, period_start);

-- Issue 13 (reference data in place, src/catalogue/reference.sql): the input
-- types of the reference-data checks and the table of reference bindings.
-- One candidate row of region or population, from a binding or a CSV file:
-- origin names the binding or the file, line the CSV line (NULL for a
-- binding), problem a fault found while reading it (a value that does not
-- parse, a wrong number of columns).
CREATE TYPE @extschema@.region_input AS (
    origin      text,
    line        integer,
    code        text,
    valid_from  date,
    valid_to    date,
    parent_code text,
    name_zh     text,
    name_en     text,
    kind        text,
    problem     text
);
COMMENT ON TYPE @extschema@.region_input IS
'a region row to be loaded or reconciled (from a binding or a CSV file), with its origin, CSV line and any problem found reading it';
CREATE TYPE @extschema@.population_input AS (
    origin       text,
    line         integer,
    region_code  text,
    kind         text,
    period       text,
    period_start date,
    persons      float8,
    problem      text
);
COMMENT ON TYPE @extschema@.population_input IS
'a population figure to be loaded or reconciled (from a binding or a CSV file), with its origin, CSV line and any problem found reading it';

CREATE TABLE @extschema@.reference_binding (
    binding     text PRIMARY KEY CHECK (binding ~ '^[a-z][a-z0-9_]*$'),
    target      text NOT NULL CHECK (target IN ('region', 'population')),
    relation    text NOT NULL,
    columns     jsonb NOT NULL CHECK (jsonb_typeof(columns) = 'object'),
    kinds       text[] NOT NULL CHECK (cardinality(kinds) > 0 AND array_position(kinds, NULL) IS NULL),
    owner       name NOT NULL DEFAULT CURRENT_USER,
    description text
);
COMMENT ON TABLE @extschema@.reference_binding IS
'regions or population figures kept in place (a table, view or foreign table of the statistics office or civil-affairs bureau), read with the owner''s rights and reconciled into region / population by sync_reference() at every rebuild and refresh; the region kinds or population kinds listed are bound: the catalogue rows of those kinds are the relation''s, never entered by hand';
COMMENT ON COLUMN @extschema@.reference_binding.columns IS
'the column map {catalogue column: relation column}; region: code, name_zh (required), parent_code, name_en, kind, valid_from, valid_to; population: region_code, persons (required), year (and month) or period_start (and period), kind';
COMMENT ON COLUMN @extschema@.reference_binding.kinds IS
'the region kinds (region.kind) or population kinds (registered, resident, migrant) the binding holds; without a kind column, exactly one, the kind of every row';
COMMENT ON COLUMN @extschema@.reference_binding.owner IS
'the role whose rights read the relation (default: the role that defines the binding); only its members may define, change or drop the binding';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.reference_binding', '');
