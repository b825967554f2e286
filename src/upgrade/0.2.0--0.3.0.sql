-- 0.2.0--0.3.0.sql: state migration from 0.2.0 to 0.3.0 (security: sources
-- read with their owner's rights, roles, row-level security, tamper-evident
-- releases).  Run by every upgrade script from 0.2.0 or earlier, before the
-- code of the version upgraded to (see the Makefile and doc/upgrades.md).

-- Sources record their owner, whose rights read them.  Sources defined
-- before 0.3.0 get the role running the upgrade, which reads them as before;
-- give each its department's role (UPDATE safeidx.source SET owner = ...)
-- so that it is read with no more rights than that department has.
ALTER TABLE @extschema@.source ADD COLUMN owner name NOT NULL DEFAULT CURRENT_USER;
DO $$
BEGIN
    IF EXISTS (SELECT FROM @extschema@.source) THEN
        RAISE NOTICE 'safeidx 0.3.0 reads each source with its owner''s rights; the existing sources are owned by %, until you give each its department''s role', current_user;
    END IF;
END $$;

-- Releases chain their checksums; those made before keep version 1.
ALTER TABLE @extschema@.release ADD COLUMN previous_checksum text;
ALTER TABLE @extschema@.release ADD COLUMN checksum_version smallint NOT NULL DEFAULT 1 CHECK (checksum_version IN (1, 2));
ALTER TABLE @extschema@.release ALTER COLUMN checksum_version SET DEFAULT 2;

-- The region subtrees officials read.
CREATE TABLE @extschema@.official_scope (
    role        name NOT NULL,
    region_code text NOT NULL,
    PRIMARY KEY (role, region_code)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.official_scope', '');
CREATE TYPE @extschema@.region_span AS (code text, valid_from date, valid_to date);

-- Functions replaced (IF EXISTS: an upgrade from an earlier version never
-- made the code of the versions in between): the filter is analysed (filter_sql) instead of parsed
-- and trial-run (check_filter); sources are read by source_cells; releases
-- are verified column by column (verify_release returns text).
DROP FUNCTION IF EXISTS @extschema@.check_filter(text);
DROP FUNCTION IF EXISTS @extschema@.source_query(@extschema@.source, text, date, date, text);
DROP FUNCTION IF EXISTS @extschema@.cells_sql(@extschema@.source[], date, date, text);
DROP FUNCTION IF EXISTS @extschema@.verify_release(text, integer, integer);
