-- release.sql: numbered releases (期): publishing and correcting frozen results.

-- [state]
CREATE TABLE @extschema@.release_series (
    series      text PRIMARY KEY CHECK (series ~ '^[a-z][a-z0-9_]*$'),
    scheme      text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE,
    period      @extschema@.period_kind NOT NULL DEFAULT 'month',
    title_zh    text NOT NULL,
    title_en    text,
    first_number integer NOT NULL DEFAULT 1 CHECK (first_number >= 1)
);
COMMENT ON TABLE @extschema@.release_series IS
'a series of numbered releases (期) of one scheme and period kind, e.g. the monthly 平安指数 of a district; first_number continues a numbering begun elsewhere';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.release_series', '');

CREATE TABLE @extschema@.release (
    series       text NOT NULL REFERENCES @extschema@.release_series ON UPDATE CASCADE,
    number       integer NOT NULL,
    revision     integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
    period_start date NOT NULL,
    version      text NOT NULL,
    released_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    released_by  name NOT NULL DEFAULT CURRENT_USER,
    reason       text,
    watermark    timestamptz NOT NULL,
    checksum     text NOT NULL,
    previous_checksum text,
    checksum_version  smallint NOT NULL DEFAULT 3 CHECK (checksum_version IN (1, 2, 3)),
    completeness text NOT NULL DEFAULT 'complete' CHECK (completeness IN ('complete', 'incomplete', 'provisional')),
    PRIMARY KEY (series, number, revision),
    UNIQUE (series, period_start, revision),
    CONSTRAINT release_reason CHECK ((revision > 1 OR completeness <> 'complete') = (reason IS NOT NULL))
);
COMMENT ON TABLE @extschema@.release IS
'published releases: number N of a series for one period, revision 1 and corrections (revision > 1, with a reason); whether the period was complete (else published anyway, with a reason); the scheme version, the input watermark (the end of the last refresh or rebuild the results came from), who published it and when, and a checksum chained to the release published before it in the series; rows can never be changed or deleted';
COMMENT ON COLUMN @extschema@.release.released_by IS 'the session user who published the revision';
COMMENT ON COLUMN @extschema@.release.checksum IS
'version 3: SHA-256 (hex) of the release''s metadata (its completeness included), the checksum of the release published before it in the series and every column of its frozen rows (release_digest); version 2 (0.3.0): the same without completeness; version 1 (0.1.0, 0.2.0): md5 of some columns of its rows';
COMMENT ON COLUMN @extschema@.release.completeness IS
'complete: every source had delivered the whole period, which had ended; incomplete or provisional (the period had not ended): published anyway, the reason saying why';
COMMENT ON COLUMN @extschema@.release.previous_checksum IS
'the checksum of the release (any number or revision) published just before this one in the series, NULL for the first: removing, reordering or forging a release breaks the chain (verify_chain)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.release', '');

CREATE TABLE @extschema@.release_result (
    series        text NOT NULL,
    number        integer NOT NULL,
    revision      integer NOT NULL,
    region_code   text NOT NULL,
    region_zh     text,
    depth         integer NOT NULL,
    parent_code   text,
    index         float8,
    grade_level   integer,
    rank_siblings integer,
    rank_level    integer,
    coverage      float8 NOT NULL,
    residents     float8,
    PRIMARY KEY (series, number, revision, region_code),
    FOREIGN KEY (series, number, revision) REFERENCES @extschema@.release DEFERRABLE INITIALLY DEFERRED
);
COMMENT ON TABLE @extschema@.release_result IS
'the region results frozen in a release revision; never changed or deleted';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.release_result', '');

CREATE TABLE @extschema@.release_indicator (
    series      text NOT NULL,
    number      integer NOT NULL,
    revision    integer NOT NULL,
    region_code text NOT NULL,
    node        text NOT NULL,
    events      float8,
    residents   float8,
    value       float8,
    baseline    float8,
    score       float8,
    points      float8,
    PRIMARY KEY (series, number, revision, region_code, node),
    FOREIGN KEY (series, number, revision) REFERENCES @extschema@.release DEFERRABLE INITIALLY DEFERRED
);
COMMENT ON TABLE @extschema@.release_indicator IS
'the indicator results frozen in a release revision; never changed or deleted';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.release_indicator', '');

-- [code]
-- Released rows are immutable for everyone, the table owner included.
CREATE OR REPLACE TRIGGER release_frozen BEFORE UPDATE OR DELETE ON @extschema@.release
    FOR EACH ROW EXECUTE FUNCTION @extschema@.refuse_change(
        'released rows are never changed or deleted',
        'Publish a correction as a new revision with safeidx.correct_release(series, number, reason).');
CREATE OR REPLACE TRIGGER release_frozen_truncate BEFORE TRUNCATE ON @extschema@.release
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.refuse_change(
        'released rows are never changed or deleted',
        'Publish a correction as a new revision with safeidx.correct_release(series, number, reason).');
CREATE OR REPLACE TRIGGER release_result_frozen BEFORE UPDATE OR DELETE ON @extschema@.release_result
    FOR EACH ROW EXECUTE FUNCTION @extschema@.refuse_change(
        'released rows are never changed or deleted',
        'Publish a correction as a new revision with safeidx.correct_release(series, number, reason).');
CREATE OR REPLACE TRIGGER release_result_frozen_truncate BEFORE TRUNCATE ON @extschema@.release_result
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.refuse_change(
        'released rows are never changed or deleted',
        'Publish a correction as a new revision with safeidx.correct_release(series, number, reason).');
CREATE OR REPLACE TRIGGER release_indicator_frozen BEFORE UPDATE OR DELETE ON @extschema@.release_indicator
    FOR EACH ROW EXECUTE FUNCTION @extschema@.refuse_change(
        'released rows are never changed or deleted',
        'Publish a correction as a new revision with safeidx.correct_release(series, number, reason).');
CREATE OR REPLACE TRIGGER release_indicator_frozen_truncate BEFORE TRUNCATE ON @extschema@.release_indicator
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.refuse_change(
        'released rows are never changed or deleted',
        'Publish a correction as a new revision with safeidx.correct_release(series, number, reason).');

-- A released revision is closed: rows are added to it only before the
-- release row itself is written (freeze_release), never after.  Except when
-- row_security is off, as pg_restore sets it to load the rows of releases
-- already published: only roles that bypass row-level security (superusers,
-- the tables' owner) can write then, and the checksum covers every row.
CREATE OR REPLACE FUNCTION @extschema@.released_revision_closed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF current_setting('row_security') <> 'off' AND EXISTS (SELECT FROM @extschema@.release r
                WHERE (r.series, r.number, r.revision) = (NEW.series, NEW.number, NEW.revision)) THEN
        RAISE EXCEPTION 'INSERT is not allowed on %.%: release % revision % of series "%" is published and closed',
            TG_TABLE_SCHEMA, TG_TABLE_NAME, NEW.number, NEW.revision, NEW.series
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Publish a correction as a new revision with safeidx.correct_release(series, number, reason).';
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.released_revision_closed() IS
'trigger refusing rows added to a release revision already published (but when row_security is off, as during pg_restore)';
CREATE OR REPLACE TRIGGER release_result_closed BEFORE INSERT ON @extschema@.release_result
    FOR EACH ROW EXECUTE FUNCTION @extschema@.released_revision_closed();
CREATE OR REPLACE TRIGGER release_indicator_closed BEFORE INSERT ON @extschema@.release_indicator
    FOR EACH ROW EXECUTE FUNCTION @extschema@.released_revision_closed();

-- The rows a release of a period freezes: every region result and every
-- indicator result of the period (also what verify_release compares).
CREATE OR REPLACE FUNCTION @extschema@.release_result_rows(scheme text, period text, period_start date)
RETURNS TABLE (region_code text, region_zh text, depth integer, parent_code text, index float8, grade_level integer,
               rank_siblings integer, rank_level integer, coverage float8, residents float8)
LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.region_code, r.region_zh, r.depth, r.parent_code, r.index, r.grade_level,
           r.rank_siblings, r.rank_level, r.coverage, r.residents
      FROM @extschema@.index_result r
     WHERE r.scheme = release_result_rows.scheme AND r.period = release_result_rows.period
       AND r.period_start = release_result_rows.period_start;
$$;
COMMENT ON FUNCTION @extschema@.release_result_rows(text, text, date) IS
'the region results a release of a period freezes (the current results)';

CREATE OR REPLACE FUNCTION @extschema@.release_indicator_rows(scheme text, period text, period_start date)
RETURNS TABLE (region_code text, node text, events float8, residents float8, value float8, baseline float8,
               score float8, points float8)
LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT n.region_code, n.node, n.events, n.residents, n.value, n.baseline, n.score, n.points
      FROM @extschema@.result_node n
     WHERE n.scheme = release_indicator_rows.scheme AND n.period = release_indicator_rows.period
       AND n.period_start = release_indicator_rows.period_start;
$$;
COMMENT ON FUNCTION @extschema@.release_indicator_rows(text, text, date) IS
'the indicator results a release of a period freezes (the current results)';

-- The checksum of a release revision as recorded in rel (its stored row,
-- or the one being written): version 3 hashes, with SHA-256, the release's
-- own columns (series, number, revision, period, version, released_at,
-- released_by, reason, watermark, completeness), the checksum it chains to
-- and every column of its frozen rows, each row as a JSON array (floats in
-- their shortest exact form, times in UTC) in key order; version 2 (0.3.0)
-- is the same without completeness; version 1 is 0.1.0's md5 of some
-- columns of the rows, kept to check the releases made then.
CREATE OR REPLACE FUNCTION @extschema@.release_digest(rel @extschema@.release)
RETURNS text LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp SET extra_float_digits = 1 SET TimeZone = 'UTC' AS $$
    SELECT CASE rel.checksum_version
    WHEN 1 THEN md5(coalesce((SELECT string_agg(format('%s|%s|%s|%s|%s|%s', r.region_code, r.index, r.grade_level,
                                                       r.rank_siblings, r.rank_level, r.coverage), E'\n' ORDER BY r.region_code)
                                FROM @extschema@.release_result r
                               WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision)), '')
                    || E'\n--\n' ||
                    coalesce((SELECT string_agg(format('%s|%s|%s|%s|%s|%s', i.region_code, i.node, i.value, i.baseline,
                                                       i.score, i.points), E'\n' ORDER BY i.region_code, i.node)
                                FROM @extschema@.release_indicator i
                               WHERE (i.series, i.number, i.revision) = (rel.series, rel.number, rel.revision)), ''))
    ELSE encode(sha256(convert_to(
        'safeidx release v' || rel.checksum_version || E'\n'
        || json_build_array(rel.series, rel.number, rel.revision, rel.period_start, rel.version, rel.released_at,
                            rel.released_by, rel.reason, rel.watermark, rel.previous_checksum)::text || E'\n'
        || CASE WHEN rel.checksum_version >= 3 THEN json_build_array(rel.completeness)::text || E'\n' ELSE '' END
        || coalesce((SELECT string_agg(json_build_array(r.region_code, r.region_zh, r.depth, r.parent_code, r.index,
                                                        r.grade_level, r.rank_siblings, r.rank_level, r.coverage,
                                                        r.residents)::text, E'\n' ORDER BY r.region_code)
                       FROM @extschema@.release_result r
                      WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision)), '')
        || E'\n--\n'
        || coalesce((SELECT string_agg(json_build_array(i.region_code, i.node, i.events, i.residents, i.value,
                                                        i.baseline, i.score, i.points)::text, E'\n'
                                       ORDER BY i.region_code, i.node)
                       FROM @extschema@.release_indicator i
                      WHERE (i.series, i.number, i.revision) = (rel.series, rel.number, rel.revision)), ''),
        'UTF8')), 'hex') END;
$$;
COMMENT ON FUNCTION @extschema@.release_digest(@extschema@.release) IS
'the checksum a release revision must carry: SHA-256 of its own columns, the previous checksum and every column of its frozen rows (version 3, and 2 without completeness), or 0.1.0''s md5 of some columns of its rows (version 1)';

CREATE OR REPLACE FUNCTION @extschema@.release_checksum(series text, number integer, revision integer)
RETURNS text LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT @extschema@.release_digest(r) FROM @extschema@.release r
     WHERE (r.series, r.number, r.revision) = (release_checksum.series, release_checksum.number, release_checksum.revision);
$$;
COMMENT ON FUNCTION @extschema@.release_checksum(text, integer, integer) IS
'the checksum a published release revision must carry, recomputed from its rows as they are now (compare with release.checksum)';

-- Freezes the current results of a period as a release revision: the rows
-- first (their foreign key to the release is checked at commit), then the
-- release with their checksum, chained to the release the series published
-- last.  Runs as safeidx_publisher, through publish_release and
-- correct_release.
CREATE OR REPLACE FUNCTION @extschema@.freeze_release(series text, number integer, revision integer, period_start date,
                                                       reason text, completeness text)
RETURNS @extschema@.release LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s   @extschema@.release_series;
    rel @extschema@.release;
BEGIN
    SELECT * INTO s FROM @extschema@.release_series x WHERE x.series = freeze_release.series;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown release series "%"', freeze_release.series USING ERRCODE = 'undefined_object';
    END IF;
    SELECT r.version INTO rel.version FROM @extschema@.result r
     WHERE r.scheme = s.scheme AND r.period = s.period AND r.period_start = freeze_release.period_start LIMIT 1;
    IF rel.version IS NULL THEN
        RAISE EXCEPTION 'scheme "%" has no % results for the period starting %', s.scheme, s.period, period_start
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run safeidx.rebuild() or safeidx.refresh() for it first.';
    END IF;
    IF EXISTS (SELECT FROM @extschema@.change_log c WHERE c.scheme = s.scheme) THEN
        RAISE EXCEPTION 'scheme "%" has changes not yet refreshed', s.scheme
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run safeidx.refresh() first, so that the release holds every row received.';
    END IF;
    IF EXISTS (SELECT FROM @extschema@.built_range b,
                      unnest(@extschema@.delivery_spans(b.delivery, @extschema@.delivery_snapshot(s.scheme))) d
                WHERE b.scheme = s.scheme
                  AND d && daterange(period_start, @extschema@.period_end(s.period, period_start))) THEN
        RAISE EXCEPTION 'what the sources of scheme "%" have delivered of the % starting % changed since its last refresh',
                        s.scheme, s.period, period_start
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run safeidx.refresh() first, so that the release says how complete the period is.';
    END IF;
    INSERT INTO @extschema@.release_result
    SELECT s.series, number, revision, r.* FROM @extschema@.release_result_rows(s.scheme, s.period, period_start) r;
    INSERT INTO @extschema@.release_indicator
    SELECT s.series, number, revision, n.* FROM @extschema@.release_indicator_rows(s.scheme, s.period, period_start) n;
    rel.series := s.series;
    rel.number := number;
    rel.revision := revision;
    rel.period_start := period_start;
    rel.released_at := clock_timestamp();
    rel.released_by := session_user;
    rel.reason := reason;
    rel.completeness := completeness;
    rel.watermark := coalesce((SELECT max(l.finished_at) FROM @extschema@.refresh_log l WHERE l.scheme = s.scheme), now());
    rel.previous_checksum := (SELECT r.checksum FROM @extschema@.release r WHERE r.series = s.series
                               ORDER BY r.released_at DESC, r.number DESC, r.revision DESC LIMIT 1);
    rel.checksum_version := 3;
    rel.checksum := @extschema@.release_digest(rel);
    INSERT INTO @extschema@.release SELECT rel.* RETURNING * INTO rel;
    RETURN rel;
END $$;
COMMENT ON FUNCTION @extschema@.freeze_release(text, integer, integer, date, text, text) IS
'copies the current results of a period into release rows and records the release, chained to the series'' last release, with its checksum; refuses when the scheme has changes or deliveries of the period not yet refreshed (55000) (run as safeidx_publisher by publish_release and correct_release); error 42704 for an unknown series';

-- Whether the results of a period can be published as they are: complete
-- (every source delivered the whole period, which has ended), provisional
-- (the period has not ended in the scheme's time zone) or incomplete.
CREATE OR REPLACE FUNCTION @extschema@.period_completeness(scheme text, period text, period_start date)
RETURNS text LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN @extschema@.period_end(period_completeness.period, period_completeness.period_start)
                     > (pg_catalog.now() AT TIME ZONE s.time_zone)::date THEN 'provisional'
                WHEN EXISTS (SELECT FROM @extschema@.result r
                              WHERE r.scheme = s.scheme AND r.period = period_completeness.period
                                AND r.period_start = period_completeness.period_start AND r.status = 'incomplete')
                THEN 'incomplete'
                -- computed before it ended, not recomputed since
                WHEN EXISTS (SELECT FROM @extschema@.result r
                              WHERE r.scheme = s.scheme AND r.period = period_completeness.period
                                AND r.period_start = period_completeness.period_start AND r.status = 'provisional')
                THEN 'provisional'
                ELSE 'complete' END
      FROM @extschema@.scheme s WHERE s.scheme = period_completeness.scheme;
$$;
COMMENT ON FUNCTION @extschema@.period_completeness(text, text, date) IS
'complete, provisional (the period has not ended in the scheme''s time zone, or its results were computed before it ended and not since) or incomplete (a source has not delivered all of it) for the results of a period';

-- Publishing and correcting run as safeidx_publisher, the one role that may
-- add releases; administrators execute them.  A provisional or incomplete
-- period is published only when told to, with the reason recorded.
CREATE OR REPLACE FUNCTION @extschema@.publish_release(series text, period_start date, publish_anyway text DEFAULT NULL)
RETURNS @extschema@.release LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s @extschema@.release_series;
    n integer;
    state text;
BEGIN
    SELECT * INTO s FROM @extschema@.release_series x WHERE x.series = publish_release.series;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown release series "%"', series USING ERRCODE = 'undefined_object';
    END IF;
    IF period_start <> date_trunc(s.period, period_start)::date THEN
        RAISE EXCEPTION '% is not the start of a %', period_start, s.period USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('safeidx release ' || s.series));
    IF EXISTS (SELECT FROM @extschema@.release r WHERE r.series = s.series AND r.period_start = publish_release.period_start) THEN
        RAISE EXCEPTION 'the period starting % is already release % of series "%"', period_start,
            (SELECT r.number FROM @extschema@.release r WHERE r.series = s.series AND r.period_start = publish_release.period_start LIMIT 1),
            s.series
            USING ERRCODE = 'unique_violation', HINT = 'Publish a correction with safeidx.correct_release().';
    END IF;
    IF EXISTS (SELECT FROM @extschema@.release r WHERE r.series = s.series AND r.period_start > publish_release.period_start) THEN
        RAISE EXCEPTION 'series "%" already has a release after %', s.series, period_start
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Releases are numbered in the order of their periods.';
    END IF;
    state := @extschema@.period_completeness(s.scheme, s.period, period_start);
    IF state <> 'complete' AND coalesce(btrim(publish_anyway), '') = '' THEN
        RAISE EXCEPTION 'the % starting % is %: %', s.period, period_start, state,
            CASE WHEN state = 'incomplete' THEN 'a source has not delivered all of it, so some indicators are unscored'
                 WHEN @extschema@.period_end(s.period, period_start) > (pg_catalog.now() AT TIME ZONE
                          (SELECT sc.time_zone FROM @extschema@.scheme sc WHERE sc.scheme = s.scheme))::date
                 THEN 'it has not ended yet'
                 ELSE 'its results were computed before it ended and have not been refreshed since' END
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Wait for the data (safeidx.source_delivery shows what each source delivered), or publish it anyway: publish_release(series, period_start, publish_anyway => ''the reason'').';
    END IF;
    SELECT coalesce(max(r.number) + 1, s.first_number) INTO n FROM @extschema@.release r WHERE r.series = s.series;
    RETURN @extschema@.freeze_release(s.series, n, 1, period_start,
                                      CASE WHEN state <> 'complete' THEN publish_anyway END, state);
END $$;
ALTER FUNCTION @extschema@.publish_release(text, date, text) OWNER TO safeidx_publisher;
COMMENT ON FUNCTION @extschema@.publish_release(text, date, text) IS
'publishes a period as the next numbered release of a series (revision 1): freezes its region and indicator results; refuses a period already released, an earlier period than the last release, unrefreshed changes, and a provisional or incomplete period unless publish_anyway gives the reason to publish it, which is recorded';

CREATE OR REPLACE FUNCTION @extschema@.correct_release(series text, number integer, reason text)
RETURNS @extschema@.release LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    last @extschema@.release;
BEGIN
    IF coalesce(btrim(reason), '') = '' THEN
        RAISE EXCEPTION 'a correction needs a reason' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('safeidx release ' || series));
    SELECT * INTO last FROM @extschema@.release r
     WHERE r.series = correct_release.series AND r.number = correct_release.number
     ORDER BY r.revision DESC LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'series "%" has no release %', series, number USING ERRCODE = 'undefined_object';
    END IF;
    RETURN @extschema@.freeze_release(series, number, last.revision + 1, last.period_start, reason,
                                      @extschema@.period_completeness((SELECT x.scheme FROM @extschema@.release_series x
                                                                        WHERE x.series = correct_release.series),
                                                                       (SELECT x.period FROM @extschema@.release_series x
                                                                        WHERE x.series = correct_release.series),
                                                                       last.period_start));
END $$;
ALTER FUNCTION @extschema@.correct_release(text, integer, text) OWNER TO safeidx_publisher;
COMMENT ON FUNCTION @extschema@.correct_release(text, integer, text) IS
'publishes the current results of a released period as a new revision of that release, with the reason; earlier revisions stay as they were';
