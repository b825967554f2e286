-- 0.3.0--0.4.0.sql: state migration from 0.3.0 to 0.4.0 (missing is not zero:
-- completeness per source, values as well as counts, published rounding,
-- deterministic results).  Run by every upgrade script from 0.3.0 or
-- earlier, before the code of the version upgraded to (doc/upgrades.md).

-- The result views gain columns (status, index_unrounded, completeness)
-- where CREATE OR REPLACE VIEW cannot add them: they are dropped here and
-- created again by the code that follows (an upgrade from before 0.2.0 has
-- dropped them already).  Views of the user's built on them would block
-- that, so they are named first.
DO $$
DECLARE
    blocking text;
BEGIN
    SELECT string_agg(DISTINCT r.ev_class::regclass::text, ', ') INTO blocking
      FROM pg_catalog.pg_depend d
      JOIN pg_catalog.pg_rewrite r ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND r.oid = d.objid
      JOIN pg_catalog.pg_class v ON v.oid = d.refobjid
     WHERE v.relnamespace = '@extschema@'::regnamespace AND v.relkind = 'v'
       AND r.ev_class <> v.oid
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend e
                        WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = r.ev_class AND e.deptype = 'e');
    IF blocking IS NOT NULL THEN
        RAISE EXCEPTION 'safeidx 0.4.0 re-creates its views, but these depend on them: %', blocking
            USING ERRCODE = 'dependent_objects_still_exist',
                  HINT = 'Save their definitions, drop them, run ALTER EXTENSION safeidx UPDATE, then create them again.';
    END IF;
END $$;
DROP VIEW IF EXISTS @extschema@.award, @extschema@.star_rating;
DROP FUNCTION IF EXISTS @extschema@.star_rating_rows();   -- returns rows of star_rating_all
DROP VIEW IF EXISTS @extschema@.star_rating_all, @extschema@.warning, @extschema@.notice_overdue,
          @extschema@.notice_status, @extschema@.public_result, @extschema@.index_result,
          @extschema@.indicator_result, @extschema@.node_result, @extschema@.unknown_region_rows;

-- Schemes may cover one region subtree; gaps between versions are errors
-- unless allowed.
ALTER TABLE @extschema@.scheme ADD COLUMN root_region text;
ALTER TABLE @extschema@.scheme ADD COLUMN allow_version_gaps boolean NOT NULL DEFAULT false;

-- Versions state the decimals of their published index.  Versions made
-- before keep what they did: their index was ranked at 9 decimals, and
-- their minimum coverage (the old default 0 accepts an index from any
-- scored leaf); new versions default to 2 decimals and full coverage.
ALTER TABLE @extschema@.scheme_version ADD COLUMN index_decimals integer NOT NULL DEFAULT 9
    CHECK (index_decimals BETWEEN 0 AND 15);
ALTER TABLE @extschema@.scheme_version ALTER COLUMN index_decimals SET DEFAULT 2;
ALTER TABLE @extschema@.scheme_version ADD COLUMN score_decimals integer CHECK (score_decimals BETWEEN 0 AND 15);
ALTER TABLE @extschema@.scheme_version ALTER COLUMN min_coverage SET DEFAULT 1;
DO $$
DECLARE
    v record;
BEGIN
    FOR v IN SELECT x.scheme, x.version, x.min_coverage FROM @extschema@.scheme_version x ORDER BY 1, 2 LOOP
        RAISE NOTICE 'safeidx 0.4.0: scheme "%" version "%" keeps min_coverage %, and its index is published with 9 decimals; set scheme_version.index_decimals to the decimals you publish (grades and ranks use them) and min_coverage to 1 unless a partly scored index is meant',
            v.scheme, v.version, v.min_coverage;
    END LOOP;
END $$;

-- A leaf may take a region's own value.
ALTER TABLE @extschema@.indicator DROP CONSTRAINT indicator_measure_check;
ALTER TABLE @extschema@.indicator ADD CONSTRAINT indicator_measure_check
    CHECK (measure IN ('rate', 'count', 'ratio', 'value'));

-- Departments may declare the dates they have delivered.
ALTER TABLE @extschema@.source ADD COLUMN delivered_from date;
ALTER TABLE @extschema@.source ADD COLUMN delivered_through date;
ALTER TABLE @extschema@.source ADD CONSTRAINT source_delivered_range
    CHECK (delivered_from <= delivered_through AND delivered_from > '-infinity' AND delivered_through < 'infinity');

-- Cells keep NULL measures apart and the day of their last row.  The cells
-- kept are recomputed by the next refresh (below); until then they claim
-- their whole period.
ALTER TABLE @extschema@.cell ALTER COLUMN value DROP NOT NULL;
ALTER TABLE @extschema@.cell ADD COLUMN null_rows bigint NOT NULL DEFAULT 0;
ALTER TABLE @extschema@.cell ADD COLUMN last_day date;
UPDATE @extschema@.cell c
   SET last_day = (c.period_start + CASE c.period WHEN 'day' THEN interval '1 day' WHEN 'month' THEN interval '1 month'
                                                  WHEN 'quarter' THEN interval '3 months' ELSE interval '1 year' END)::date - 1;
ALTER TABLE @extschema@.cell ALTER COLUMN last_day SET NOT NULL;

-- Results: the published (rounded) index beside the unrounded one, and
-- whether every source delivered the period.
ALTER TABLE @extschema@.result ADD COLUMN index_unrounded float8;
ALTER TABLE @extschema@.result ADD COLUMN status text NOT NULL DEFAULT 'complete'
    CHECK (status IN ('complete', 'incomplete', 'provisional'));
ALTER TABLE @extschema@.result ALTER COLUMN status DROP DEFAULT;
CREATE INDEX result_provisional ON @extschema@.result (scheme) WHERE status = 'provisional';
UPDATE @extschema@.result SET index_unrounded = index;
ALTER TABLE @extschema@.result_node ADD COLUMN status text
    CHECK (status IN ('scored', 'insufficient_data', 'no_residents', 'no_denominator',
                      'below_min_denominator', 'no_value', 'no_baseline', 'not_scorable'));
ALTER TABLE @extschema@.built_range ADD COLUMN delivery jsonb;

-- Every built scheme is recomputed, cells and results, by its next refresh
-- (which publishing waits for): completeness, NULL measures, rounding and
-- the deterministic kernel all change what was computed before.
INSERT INTO @extschema@.change_log (scheme, relation, region_code, every_region, first_local, last_local)
SELECT b.scheme, 'safeidx 0.4.0', NULL, true, '-infinity', 'infinity' FROM @extschema@.built_range b;

-- Releases record whether their period was complete; checksum version 3
-- covers it.
ALTER TABLE @extschema@.release ADD COLUMN completeness text NOT NULL DEFAULT 'complete'
    CHECK (completeness IN ('complete', 'incomplete', 'provisional'));
ALTER TABLE @extschema@.release DROP CONSTRAINT release_check;
ALTER TABLE @extschema@.release ADD CONSTRAINT release_reason
    CHECK ((revision > 1 OR completeness <> 'complete') = (reason IS NOT NULL));
ALTER TABLE @extschema@.release DROP CONSTRAINT release_checksum_version_check;
ALTER TABLE @extschema@.release ADD CONSTRAINT release_checksum_version_check CHECK (checksum_version IN (1, 2, 3));
ALTER TABLE @extschema@.release ALTER COLUMN checksum_version SET DEFAULT 3;

-- Functions replaced (IF EXISTS: an upgrade from an earlier version never
-- made the code of the versions in between): results are computed in C
-- (no lookback_start); reading a source returns NULL counts and last days;
-- publishing takes a reason to publish an incomplete period anyway.
DROP FUNCTION IF EXISTS @extschema@.lookback_start(text, text, text, date);
DROP FUNCTION IF EXISTS @extschema@.source_cells(text[], text, date, date, text, text[]);
DROP FUNCTION IF EXISTS @extschema@.source_counts(text, text, date, date, text);
DROP FUNCTION IF EXISTS @extschema@.publish_release(text, date);
DROP FUNCTION IF EXISTS @extschema@.freeze_release(text, integer, integer, date, text);
