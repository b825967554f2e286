-- 0.1.0--0.2.0.sql: state migration from 0.1.0 to 0.2.0 (the re-layout).
-- Run by every upgrade script from 0.1.0, before the code of the version
-- upgraded to (see the Makefile and doc/upgrades.md).

-- Period columns become the domain period_kind.  The views over them are
-- dropped here and created again by the code that follows; views of the
-- user's built on them would block that, so they are named first.
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
        RAISE EXCEPTION 'safeidx 0.2.0 re-creates its views, but these depend on them: %', blocking
            USING ERRCODE = 'dependent_objects_still_exist',
                  HINT = 'Save their definitions, drop them, run ALTER EXTENSION safeidx UPDATE, then create them again.';
    END IF;
END $$;
CREATE DOMAIN @extschema@.period_kind AS text
    CONSTRAINT period_kind_known CHECK (VALUE IN ('day', 'month', 'quarter', 'year'));

DROP VIEW @extschema@.award, @extschema@.star_rating, @extschema@.warning, @extschema@.notice_overdue,
          @extschema@.notice_status, @extschema@.public_result, @extschema@.index_result,
          @extschema@.indicator_result, @extschema@.node_result, @extschema@.unknown_region_rows;

ALTER TABLE @extschema@.scheme DROP CONSTRAINT scheme_periods_check;
ALTER TABLE @extschema@.scheme ALTER COLUMN periods DROP DEFAULT,
    ALTER COLUMN periods TYPE @extschema@.period_kind[],
    ALTER COLUMN periods SET DEFAULT '{month}';
ALTER TABLE @extschema@.scheme ADD CONSTRAINT scheme_periods_check CHECK (cardinality(periods) > 0);
ALTER TABLE @extschema@.warning_rule DROP CONSTRAINT warning_rule_period_check;
ALTER TABLE @extschema@.warning_rule ALTER COLUMN period TYPE @extschema@.period_kind;
ALTER TABLE @extschema@.release_series DROP CONSTRAINT release_series_period_check;
ALTER TABLE @extschema@.release_series ALTER COLUMN period TYPE @extschema@.period_kind;
ALTER TABLE @extschema@.notice DROP CONSTRAINT notice_period_check;
ALTER TABLE @extschema@.notice ALTER COLUMN period TYPE @extschema@.period_kind;
ALTER TABLE @extschema@.star_rule ALTER COLUMN period TYPE @extschema@.period_kind;
ALTER TABLE @extschema@.cell ALTER COLUMN period TYPE @extschema@.period_kind;
ALTER TABLE @extschema@.result ALTER COLUMN period TYPE @extschema@.period_kind;
ALTER TABLE @extschema@.result_node ALTER COLUMN period TYPE @extschema@.period_kind;

-- One read-only guard, refuse_change(), replaces four trigger functions;
-- their triggers go with them and the code creates the new ones.
DROP FUNCTION @extschema@.builtin_row_guard() CASCADE;
DROP FUNCTION @extschema@.released_rows_are_frozen() CASCADE;
DROP FUNCTION @extschema@.notice_rows_are_append_only() CASCADE;
DROP FUNCTION @extschema@.notice_transition_is_built_in() CASCADE;

-- Scoring rules live in a registry in C: scoring_parameters() gains a
-- default_value column, and indicator.scoring is checked against the
-- registry at commit instead of by a list in a CHECK.
DROP FUNCTION @extschema@.scoring_parameters(text);
ALTER TABLE @extschema@.indicator DROP CONSTRAINT indicator_scoring_check;

-- One constraint trigger function, rule_check(), for the star and award
-- rules; their constraint triggers are made again after the code
-- (0.1.0--0.2.0.post.sql).
DROP FUNCTION @extschema@.star_rule_check() CASCADE;
DROP FUNCTION @extschema@.award_rule_check() CASCADE;
