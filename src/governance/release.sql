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
    PRIMARY KEY (series, number, revision),
    UNIQUE (series, period_start, revision),
    CHECK ((revision = 1) = (reason IS NULL))
);
COMMENT ON TABLE @extschema@.release IS
'published releases: number N of a series for one period, revision 1 and corrections (revision > 1, with a reason); the scheme version, the input watermark (the end of the last refresh or rebuild the results came from) and an md5 checksum of the frozen rows; rows can never be changed or deleted';
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

-- The checksum of a release revision: md5 over its rows in a fixed order,
-- floats as their shortest exact text.
CREATE OR REPLACE FUNCTION @extschema@.release_checksum(series text, number integer, revision integer)
RETURNS text LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp SET extra_float_digits = 1 AS $$
    SELECT md5(coalesce((SELECT string_agg(format('%s|%s|%s|%s|%s|%s', r.region_code, r.index, r.grade_level,
                                                  r.rank_siblings, r.rank_level, r.coverage), E'\n' ORDER BY r.region_code)
                           FROM @extschema@.release_result r
                          WHERE r.series = release_checksum.series AND r.number = release_checksum.number
                            AND r.revision = release_checksum.revision), '')
               || E'\n--\n' ||
               coalesce((SELECT string_agg(format('%s|%s|%s|%s|%s|%s', i.region_code, i.node, i.value, i.baseline,
                                                  i.score, i.points), E'\n' ORDER BY i.region_code, i.node)
                           FROM @extschema@.release_indicator i
                          WHERE i.series = release_checksum.series AND i.number = release_checksum.number
                            AND i.revision = release_checksum.revision), ''));
$$;
COMMENT ON FUNCTION @extschema@.release_checksum(text, integer, integer) IS
'md5 of a release revision''s frozen rows (region results, then indicator results, in code order)';

-- Freezes the current results of a period as a release revision: the rows
-- first (their foreign key to the release is checked at commit), then the
-- release with their checksum.
CREATE OR REPLACE FUNCTION @extschema@.freeze_release(series text, number integer, revision integer, period_start date, reason text)
RETURNS @extschema@.release LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s   @extschema@.release_series;
    ver text;
    rel @extschema@.release;
BEGIN
    SELECT * INTO STRICT s FROM @extschema@.release_series x WHERE x.series = freeze_release.series;
    SELECT r.version INTO ver FROM @extschema@.result r
     WHERE r.scheme = s.scheme AND r.period = s.period AND r.period_start = freeze_release.period_start LIMIT 1;
    IF ver IS NULL THEN
        RAISE EXCEPTION 'scheme "%" has no % results for the period starting %', s.scheme, s.period, period_start
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run safeidx.rebuild() or safeidx.refresh() for it first.';
    END IF;
    IF EXISTS (SELECT FROM @extschema@.change_log c WHERE c.scheme = s.scheme) THEN
        RAISE EXCEPTION 'scheme "%" has changes not yet refreshed', s.scheme
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run safeidx.refresh() first, so that the release holds every row received.';
    END IF;
    INSERT INTO @extschema@.release_result
    SELECT s.series, number, revision, r.region_code, r.region_zh, r.depth, r.parent_code, r.index, r.grade_level,
           r.rank_siblings, r.rank_level, r.coverage, r.residents
      FROM @extschema@.index_result r
     WHERE r.scheme = s.scheme AND r.period = s.period AND r.period_start = freeze_release.period_start;
    INSERT INTO @extschema@.release_indicator
    SELECT s.series, number, revision, n.region_code, n.node, n.events, n.residents, n.value, n.baseline, n.score, n.points
      FROM @extschema@.result_node n
     WHERE n.scheme = s.scheme AND n.period = s.period AND n.period_start = freeze_release.period_start;
    INSERT INTO @extschema@.release (series, number, revision, period_start, version, reason, watermark, checksum)
    VALUES (s.series, number, revision, period_start, ver, reason,
            coalesce((SELECT max(l.finished_at) FROM @extschema@.refresh_log l WHERE l.scheme = s.scheme), now()),
            @extschema@.release_checksum(s.series, number, revision))
    RETURNING * INTO rel;
    RETURN rel;
END $$;
COMMENT ON FUNCTION @extschema@.freeze_release(text, integer, integer, date, text) IS
'copies the current results of a period into release rows and records the release with their checksum (used by publish_release and correct_release)';

CREATE OR REPLACE FUNCTION @extschema@.publish_release(series text, period_start date)
RETURNS @extschema@.release LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s @extschema@.release_series;
    n integer;
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
    SELECT coalesce(max(r.number) + 1, s.first_number) INTO n FROM @extschema@.release r WHERE r.series = s.series;
    RETURN @extschema@.freeze_release(s.series, n, 1, period_start, NULL);
END $$;
COMMENT ON FUNCTION @extschema@.publish_release(text, date) IS
'publishes a period as the next numbered release of a series (revision 1): freezes its region and indicator results; refuses a period already released, an earlier period than the last release, or unrefreshed changes';

CREATE OR REPLACE FUNCTION @extschema@.correct_release(series text, number integer, reason text)
RETURNS @extschema@.release LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
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
    RETURN @extschema@.freeze_release(series, number, last.revision + 1, last.period_start, reason);
END $$;
COMMENT ON FUNCTION @extschema@.correct_release(text, integer, text) IS
'publishes the current results of a released period as a new revision of that release, with the reason; earlier revisions stay as they were';
