-- verify.sql: verifying a release against a recomputation from the departmental tables.

-- Recomputes a release from the departmental tables and lists what differs.
-- The recomputation runs in a subtransaction that is rolled back, so the
-- materialized results are left as they were.
CREATE OR REPLACE FUNCTION @extschema@.verify_release(series text, number integer, revision integer DEFAULT NULL)
RETURNS TABLE (region_code text, node text, what text, released float8, recomputed float8)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel  @extschema@.release;
    s    @extschema@.release_series;
    diff jsonb;
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
    IF @extschema@.release_checksum(rel.series, rel.number, rel.revision) <> rel.checksum THEN
        RAISE EXCEPTION 'release % revision % of series "%" no longer matches its checksum', rel.number, rel.revision, rel.series
            USING ERRCODE = 'data_corrupted';
    END IF;
    BEGIN
        PERFORM @extschema@.rebuild(s.scheme, rel.period_start, @extschema@.period_end(s.period, rel.period_start));
        SELECT coalesce(jsonb_agg(d), '[]') INTO diff FROM (
            SELECT f.region_code, NULL AS node, 'index' AS what, f.index AS released, r.index AS recomputed
              FROM @extschema@.release_result f
              FULL JOIN (SELECT * FROM @extschema@.result x
                          WHERE x.scheme = s.scheme AND x.period = s.period AND x.period_start = rel.period_start) r
                ON r.region_code = f.region_code
             WHERE (f.series, f.number, f.revision) = (rel.series, rel.number, rel.revision)
               AND f.index IS DISTINCT FROM r.index
            UNION ALL
            SELECT f.region_code, f.node, 'value', f.value, n.value
              FROM @extschema@.release_indicator f
              LEFT JOIN @extschema@.result_node n
                ON n.scheme = s.scheme AND n.period = s.period AND n.period_start = rel.period_start
               AND n.region_code = f.region_code AND n.node = f.node
             WHERE (f.series, f.number, f.revision) = (rel.series, rel.number, rel.revision)
               AND f.value IS DISTINCT FROM n.value) d;
        RAISE EXCEPTION USING ERRCODE = 'SIDX1', MESSAGE = diff::text;
    EXCEPTION WHEN SQLSTATE 'SIDX1' THEN
        diff := SQLERRM::jsonb;
    END;
    RETURN QUERY
    SELECT d.region_code, d.node, d.what, d.released, d.recomputed
      FROM jsonb_to_recordset(diff) AS d(region_code text, node text, what text, released float8, recomputed float8)
     ORDER BY 1, 2;
END $$;
COMMENT ON FUNCTION @extschema@.verify_release(text, integer, integer) IS
'checks a release''s checksum, recomputes its period from the departmental tables (in a subtransaction rolled back afterwards) and returns every index and indicator value that differs from what was released (no rows: reproducible)';
