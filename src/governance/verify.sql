-- verify.sql: verifying releases: a release against a recomputation from
-- the departmental tables, and a series' chain of checksums.

-- Recomputes a release from the departmental tables and lists every
-- published value that differs: each column of each frozen row, rows only on
-- one side, the version, and the checksum.  The recomputation runs in a
-- subtransaction that is rolled back, so the materialized results are left
-- as they were.  It rebuilds the release's period, then reads the cells of
-- every later date the scheme was built for and computes the period again:
-- the dates a source has delivered are derived from its cells
-- (source_delivery), and cells ending with the period would end a source's
-- delivery on the day of its last row in the period, leaving incomplete a
-- period that was complete when published.
CREATE OR REPLACE FUNCTION @extschema@.verify_release(series text, number integer, revision integer DEFAULT NULL)
RETURNS TABLE (region_code text, node text, what text, released text, recomputed text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET extra_float_digits = 1 AS $$
DECLARE
    rel  @extschema@.release;
    s    @extschema@.release_series;
    diff jsonb;
    built @extschema@.built_range;
    rebuilt_to date;
BEGIN
    SELECT * INTO rel FROM @extschema@.release r
     WHERE r.series = verify_release.series AND r.number = verify_release.number
       AND (verify_release.revision IS NULL OR r.revision = verify_release.revision)
     ORDER BY r.revision DESC LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'series "%" has no release % (revision %)', series, number, coalesce(revision::text, 'any')
            USING ERRCODE = 'undefined_object';
    END IF;
    SELECT * INTO STRICT s FROM @extschema@.release_series x WHERE x.series = rel.series;
    SELECT * INTO built FROM @extschema@.built_range b WHERE b.scheme = s.scheme;
    BEGIN
        PERFORM @extschema@.rebuild(s.scheme, rel.period_start, @extschema@.period_end(s.period, rel.period_start));
        SELECT b.cells_to INTO rebuilt_to FROM @extschema@.built_range b WHERE b.scheme = s.scheme;
        IF built.cells_to > rebuilt_to THEN
            PERFORM @extschema@.build_cells(s.scheme, rebuilt_to, built.cells_to);
            UPDATE @extschema@.built_range b SET cells_to = built.cells_to WHERE b.scheme = s.scheme;
            PERFORM @extschema@.compute_results(s.scheme, s.period::text, ARRAY[rel.period_start]);
        END IF;
        SELECT coalesce(jsonb_agg(d), '[]') INTO diff FROM (
            SELECT NULL AS region_code, NULL AS node, 'checksum' AS what, rel.checksum AS released,
                   @extschema@.release_digest(rel) AS recomputed
             WHERE @extschema@.release_digest(rel) IS DISTINCT FROM rel.checksum
            UNION ALL
            SELECT NULL, NULL, 'version', rel.version, x.version
              FROM (SELECT max(r.version) AS version FROM @extschema@.result r
                     WHERE r.scheme = s.scheme AND r.period = s.period AND r.period_start = rel.period_start) x
             WHERE x.version IS DISTINCT FROM rel.version
            UNION ALL
            SELECT coalesce(f.region_code, r.region_code), NULL, c.key,
                   to_jsonb(f) ->> c.key, to_jsonb(r) ->> c.key
              FROM (SELECT x.region_code, x.region_zh, x.depth, x.parent_code, x.index, x.grade_level,
                           x.rank_siblings, x.rank_level, x.coverage, x.residents
                      FROM @extschema@.release_result x
                     WHERE (x.series, x.number, x.revision) = (rel.series, rel.number, rel.revision)) f
              FULL JOIN @extschema@.release_result_rows(s.scheme, s.period, rel.period_start) r
                ON r.region_code = f.region_code,
                   LATERAL jsonb_each(coalesce(to_jsonb(f), to_jsonb(r))) c
             WHERE c.key <> 'region_code' AND to_jsonb(f) -> c.key IS DISTINCT FROM to_jsonb(r) -> c.key
            UNION ALL
            SELECT coalesce(f.region_code, n.region_code), coalesce(f.node, n.node), c.key,
                   to_jsonb(f) ->> c.key, to_jsonb(n) ->> c.key
              FROM (SELECT x.region_code, x.node, x.events, x.residents, x.value, x.baseline, x.score, x.points
                      FROM @extschema@.release_indicator x
                     WHERE (x.series, x.number, x.revision) = (rel.series, rel.number, rel.revision)) f
              FULL JOIN @extschema@.release_indicator_rows(s.scheme, s.period, rel.period_start) n
                ON n.region_code = f.region_code AND n.node = f.node,
                   LATERAL jsonb_each(coalesce(to_jsonb(f), to_jsonb(n))) c
             WHERE c.key NOT IN ('region_code', 'node') AND to_jsonb(f) -> c.key IS DISTINCT FROM to_jsonb(n) -> c.key) d;
        RAISE EXCEPTION USING ERRCODE = 'SIDX1', MESSAGE = diff::text;
    EXCEPTION WHEN SQLSTATE 'SIDX1' THEN
        diff := SQLERRM::jsonb;
    END;
    RETURN QUERY
    SELECT d.region_code, d.node, d.what, d.released, d.recomputed
      FROM jsonb_to_recordset(diff) AS d(region_code text, node text, what text, released text, recomputed text)
     ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3;
END $$;
COMMENT ON FUNCTION @extschema@.verify_release(text, integer, integer) IS
'recomputes a release''s period from the departmental tables (in a subtransaction rolled back afterwards; with the cells of every date the scheme was built for, from which the dates delivered are derived) and returns everything published that differs: the checksum, the version, and each column of each frozen region and indicator row (a row on one side only shows its columns against NULL); no rows: the release is intact and reproducible';

-- Checks a series' chain: every revision carries the checksum of what it
-- holds now, and (from checksum version 2 on) the checksum of the revision
-- published just before it; numbers run without a gap from the series'
-- first number, revisions from 1.
CREATE OR REPLACE FUNCTION @extschema@.verify_chain(series text)
RETURNS TABLE (number integer, revision integer, problem text, stored text, expected text)
LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    WITH published AS (
        SELECT r AS rel, r.number, r.revision, r.checksum, r.previous_checksum, r.checksum_version,
               lag(r.checksum) OVER (ORDER BY r.released_at, r.number, r.revision) AS before,
               lag(r.number) OVER (ORDER BY r.number, r.revision) AS number_before,
               lag(r.revision) OVER (PARTITION BY r.number ORDER BY r.revision) AS revision_before
          FROM @extschema@.release r WHERE r.series = verify_chain.series),
    problems AS (
        SELECT p.number, p.revision, 'checksum' AS problem, p.checksum AS stored, @extschema@.release_digest(p.rel) AS expected
          FROM published p WHERE @extschema@.release_digest(p.rel) IS DISTINCT FROM p.checksum
        UNION ALL
        SELECT p.number, p.revision, 'chain', p.previous_checksum, p.before
          FROM published p WHERE p.checksum_version >= 2 AND p.previous_checksum IS DISTINCT FROM p.before
        UNION ALL
        SELECT p.number, p.revision, 'numbering', p.number_before::text, coalesce(p.number_before + 1, s.first_number)::text
          FROM published p JOIN @extschema@.release_series s ON s.series = verify_chain.series
         WHERE p.revision = 1 AND p.number <> coalesce(p.number_before + 1, s.first_number)
        UNION ALL
        SELECT p.number, p.revision, 'revision', p.revision_before::text, (coalesce(p.revision_before, 0) + 1)::text
          FROM published p WHERE p.revision <> coalesce(p.revision_before, 0) + 1)
    SELECT * FROM problems ORDER BY 1, 2, 3;
$$;
COMMENT ON FUNCTION @extschema@.verify_chain(text) IS
'checks every revision of a series: its checksum against what it holds now (checksum), its link to the revision published just before it (chain; from checksum version 2), numbers without a gap from first_number and revisions from 1 (numbering, revision); no rows: the series is intact';
