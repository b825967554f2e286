-- preview.sql: the sensitivity preview of a draft scheme version: the draft
-- computed for chosen periods beside the results in force, with the rank and
-- grade changes, without touching the stored or published results.

-- [code]
-- The draft is computed by the results kernel itself, in a subtransaction
-- that is rolled back: the scheme's other versions are removed there and
-- the draft put in force for every date, compute_results() writes the
-- periods' results with it, they are read into a JSON value, and the
-- subtransaction is rolled back (as verify_release does), so the versions,
-- indicators and results are as they were.  Cost: one compute_results() of
-- the periods (what a refresh of them costs), and the scheme row's lock.
CREATE OR REPLACE FUNCTION @extschema@.preview_version(scheme text, version text, starts date[],
                                                      period text DEFAULT 'month')
RETURNS TABLE (period_start date, region_code text, region_zh text, depth integer, parent_code text,
               current_version text, current_index float8, current_grade integer, current_rank integer,
               draft_index float8, draft_grade integer, draft_rank integer, rank_change integer,
               grade_change integer)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    draft jsonb;
BEGIN
    IF NOT EXISTS (SELECT FROM @extschema@.scheme_version v
                    WHERE v.scheme = preview_version.scheme AND v.version = preview_version.version) THEN
        RAISE EXCEPTION 'scheme "%" has no version "%"', preview_version.scheme, preview_version.version
            USING ERRCODE = 'undefined_object';
    END IF;
    IF cardinality(starts) IS NULL OR cardinality(starts) = 0 OR array_position(starts, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'give the starts of the periods to preview' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM @extschema@.check_scheme_version(preview_version.scheme, preview_version.version);
    BEGIN
        DELETE FROM @extschema@.scheme_version v
         WHERE v.scheme = preview_version.scheme AND v.version <> preview_version.version;
        UPDATE @extschema@.scheme_version v SET valid_from = '0001-01-01', valid_to = 'infinity'
         WHERE v.scheme = preview_version.scheme AND v.version = preview_version.version;
        PERFORM @extschema@.compute_results(preview_version.scheme, preview_version.period, starts);
        SELECT coalesce(jsonb_agg(to_jsonb(r)), '[]') INTO draft
          FROM (SELECT r.period_start, r.region_code, r.depth, r.parent_code, r.index, r.grade_level, r.rank_level
                  FROM @extschema@.result r
                 WHERE r.scheme = preview_version.scheme AND r.period = preview_version.period
                   AND r.period_start = ANY (starts)) r;
        RAISE EXCEPTION USING ERRCODE = 'SIDX2', MESSAGE = draft::text;
    EXCEPTION WHEN SQLSTATE 'SIDX2' THEN
        draft := SQLERRM::jsonb;
    END;
    RETURN QUERY
    SELECT coalesce(c.period_start, d.period_start), coalesce(c.region_code, d.region_code), g.name_zh,
           coalesce(c.depth, d.depth), coalesce(c.parent_code, d.parent_code), c.version,
           c.index, c.grade_level, c.rank_level, d.index, d.grade_level, d.rank_level,
           d.rank_level - c.rank_level, d.grade_level - c.grade_level
      FROM (SELECT r.* FROM @extschema@.result r
             WHERE r.scheme = preview_version.scheme AND r.period = preview_version.period
               AND r.period_start = ANY (starts)) c
      FULL JOIN jsonb_to_recordset(draft) AS d(period_start date, region_code text, depth integer, parent_code text,
                                               index float8, grade_level integer, rank_level integer)
        ON d.period_start = c.period_start AND d.region_code = c.region_code
      LEFT JOIN LATERAL (SELECT x.name_zh
                           FROM @extschema@.region x
                          WHERE x.code = coalesce(c.region_code, d.region_code)
                            AND x.valid_from <= coalesce(c.period_start, d.period_start)
                            AND coalesce(c.period_start, d.period_start) < x.valid_to) g ON true
     ORDER BY 1, 4, coalesce(d.rank_level, c.rank_level), 2;
END $$;
COMMENT ON FUNCTION @extschema@.preview_version(text, text, date[], text) IS
'the sensitivity preview of a draft version: computes the periods given with the scheme''s version "version" in force, in a subtransaction rolled back (nothing stored or published changes), and lists per period and region the results in force (version, index, grade level, rank within the level) beside the draft''s, with rank_change (draft minus current: positive, a fall) and grade_change (positive: a worse grade)';
