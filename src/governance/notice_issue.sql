-- notice_issue.sql: issuing warning notices, by rule or by hand.

-- How far a kind of notice escalates: 1 notice (预警通知书), 2 summons (约谈),
-- 3 accountability (问责); NULL for anything else.
CREATE OR REPLACE FUNCTION @extschema@.notice_escalation(kind text)
RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT array_position(ARRAY['notice', 'summons', 'accountability'], kind);
$$;
COMMENT ON FUNCTION @extschema@.notice_escalation(text) IS
'the escalation step of a kind of notice: 1 notice (预警通知书), 2 summons (约谈), 3 accountability (问责); NULL for an unknown kind';

-- A notice rule's template filled in for one warning: {region_zh},
-- {region_code}, {period_start}, {rule} and {detail}.
CREATE OR REPLACE FUNCTION @extschema@.notice_text(template text, region_zh text, region_code text,
                                                    period_start date, rule text, detail text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT replace(replace(replace(replace(replace(template, '{region_zh}', coalesce(region_zh, region_code)),
                   '{region_code}', region_code), '{period_start}', period_start::text), '{rule}', rule),
                   '{detail}', detail);
$$;
COMMENT ON FUNCTION @extschema@.notice_text(text, text, text, date, text, text) IS
'a notice rule''s subject or addressee template with {region_zh} (the code when the region has no name), {region_code}, {period_start}, {rule} and {detail} filled in';

-- The next sequence number of a scheme's notices in a year; holds a
-- transaction lock on the scheme's notices until commit.
CREATE OR REPLACE FUNCTION @extschema@.notice_next_seq(scheme text, year integer)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('safeidx notice ' || scheme));
    RETURN (SELECT coalesce(max(n.seq), 0) + 1 FROM @extschema@.notice n
             WHERE n.scheme = notice_next_seq.scheme AND n.year = notice_next_seq.year);
END $$;
COMMENT ON FUNCTION @extschema@.notice_next_seq(text, integer) IS
'the next sequence number of a scheme''s notices in a year of issue (used by issue_notices and issue_notice; serializes them per scheme)';

CREATE OR REPLACE FUNCTION @extschema@.issue_notice(scheme text, region_code text, period_start date, kind text, subject text,
                                         rectify_by date, addressed_to text DEFAULT NULL,
                                         acknowledge_by date DEFAULT NULL, issued_on date DEFAULT CURRENT_DATE,
                                         previous_id bigint DEFAULT NULL, period text DEFAULT 'month')
RETURNS @extschema@.notice LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    zh   text;
    prev @extschema@.notice;
    n    @extschema@.notice;
BEGIN
    IF NOT EXISTS (SELECT FROM @extschema@.scheme s WHERE s.scheme = issue_notice.scheme) THEN
        RAISE EXCEPTION 'unknown scheme "%"', scheme USING ERRCODE = 'undefined_object';
    END IF;
    IF @extschema@.notice_escalation(kind) IS NULL THEN
        RAISE EXCEPTION 'unknown notice kind "%"', kind USING ERRCODE = 'invalid_parameter_value',
            HINT = 'The kinds are notice (预警通知书), summons (约谈) and accountability (问责).';
    END IF;
    IF @extschema@.period_interval(period) IS NULL THEN
        RAISE EXCEPTION 'unknown period kind "%"', period USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF period_start IS NULL OR period_start <> date_trunc(period, period_start)::date THEN
        RAISE EXCEPTION '% is not the start of a %', coalesce(period_start::text, 'NULL'), period
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT g.name_zh INTO zh FROM @extschema@.region g
     WHERE g.code = issue_notice.region_code AND g.valid_from <= issue_notice.period_start
       AND issue_notice.period_start < g.valid_to;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no region "%" in force on %', region_code, period_start USING ERRCODE = 'undefined_object';
    END IF;
    IF coalesce(btrim(subject), '') = '' THEN
        RAISE EXCEPTION 'a notice needs a subject' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF issued_on IS NULL OR rectify_by IS NULL THEN
        RAISE EXCEPTION 'a notice needs an issue date and a rectification deadline' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    acknowledge_by := coalesce(acknowledge_by, least(issued_on + 3, rectify_by));
    IF NOT (issued_on <= acknowledge_by AND acknowledge_by <= rectify_by) THEN
        RAISE EXCEPTION 'deadlines out of order: issued on %, acknowledge by %, rectify by %', issued_on, acknowledge_by, rectify_by
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The deadlines must satisfy issued_on <= acknowledge_by <= rectify_by.';
    END IF;
    IF previous_id IS NOT NULL THEN
        SELECT * INTO prev FROM @extschema@.notice x WHERE x.id = issue_notice.previous_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no notice with id %', previous_id USING ERRCODE = 'undefined_object';
        END IF;
        IF prev.scheme <> scheme OR prev.region_code <> region_code THEN
            RAISE EXCEPTION 'notice % concerns region "%" of scheme "%", not region "%" of scheme "%"',
                prev.number, prev.region_code, prev.scheme, region_code, scheme
                USING ERRCODE = 'invalid_parameter_value', HINT = 'An escalation follows a notice to the same region.';
        END IF;
    END IF;
    INSERT INTO @extschema@.notice (scheme, year, seq, kind, region_code, region_zh, period, period_start, subject,
                                    addressed_to, issued_on, acknowledge_by, rectify_by, previous_id)
    VALUES (scheme, extract(year FROM issued_on), @extschema@.notice_next_seq(scheme, extract(year FROM issued_on)::integer),
            kind, region_code, zh, period, period_start, subject,
            coalesce(nullif(btrim(addressed_to), ''), zh), issued_on, acknowledge_by, rectify_by, previous_id)
    RETURNING * INTO n;
    INSERT INTO @extschema@.notice_log (notice_id, step, action, to_state, note)
    VALUES (n.id, 1, 'issue', 'issued', 'issued by hand');
    RETURN n;
END $$;
COMMENT ON FUNCTION @extschema@.issue_notice(text, text, date, text, text, date, text, date, date, bigint, text) IS
'issues a notice by hand: scheme, region (in force at the period start), period start, kind (notice, summons, accountability), subject, last day to rectify; optionally the unit addressed (default the region''s name), the last day to acknowledge (default three days after issue, at most the rectification deadline), the issue date (default today), the notice it escalates and the period kind (default month)';

CREATE OR REPLACE FUNCTION @extschema@.issue_notices(scheme text, period_start date, issued_on date DEFAULT CURRENT_DATE)
RETURNS SETOF @extschema@.notice LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    w    record;
    n    @extschema@.notice;
    subj text;
    addr text;
BEGIN
    IF NOT EXISTS (SELECT FROM @extschema@.scheme s WHERE s.scheme = issue_notices.scheme) THEN
        RAISE EXCEPTION 'unknown scheme "%"', scheme USING ERRCODE = 'undefined_object';
    END IF;
    IF period_start IS NULL OR issued_on IS NULL THEN
        RAISE EXCEPTION 'issue_notices needs a period start and an issue date' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('safeidx notice ' || scheme));
    FOR w IN
        WITH fired AS (
            SELECT x.*, @extschema@.period_number(x.period, x.period_start)
                        - row_number() OVER (PARTITION BY x.rule, x.region_code, x.period ORDER BY x.period_start) AS island
              FROM @extschema@.warning x
             WHERE x.scheme = issue_notices.scheme AND x.period_start <= issue_notices.period_start
               AND x.rule IN (SELECT r.warning_rule FROM @extschema@.notice_rule r WHERE r.scheme = issue_notices.scheme)),
        runs AS (
            SELECT f.*, min(f.period_start) OVER (PARTITION BY f.rule, f.region_code, f.period, f.island) AS run_start
              FROM fired f)
        SELECT x.rule, x.kind AS rule_kind, x.severity, x.period, x.period_start, x.region_code, x.region_zh,
               x.value, x.threshold, x.detail, wr.description, r.notice_kind, r.acknowledge_within, r.rectify_within,
               r.addressed_to, r.subject,
               CASE WHEN x.kind = 'consecutive'
                    THEN (x.period_start - (x.value::integer - 1) * @extschema@.period_interval(x.period))::date
                    ELSE x.period_start END AS link_from
          FROM runs x
          JOIN @extschema@.notice_rule r ON r.scheme = x.scheme AND r.warning_rule = x.rule
          JOIN @extschema@.warning_rule wr ON wr.scheme = x.scheme AND wr.rule = x.rule
         WHERE x.period_start = issue_notices.period_start
           AND NOT EXISTS (SELECT FROM @extschema@.notice o
                            WHERE o.scheme = x.scheme AND o.warning_rule = x.rule AND o.region_code = x.region_code
                              AND o.period = x.period
                              AND o.period_start BETWEEN CASE WHEN r.every_period THEN x.period_start ELSE x.run_start END
                                                     AND x.period_start)
         ORDER BY @extschema@.notice_escalation(r.notice_kind), x.region_code, x.period, x.rule
    LOOP
        subj := @extschema@.notice_text(coalesce(w.subject, coalesce(w.description, w.rule) || ': {detail}'),
                                        w.region_zh, w.region_code, w.period_start, w.rule, w.detail);
        addr := @extschema@.notice_text(w.addressed_to, w.region_zh, w.region_code, w.period_start, w.rule, w.detail);
        INSERT INTO @extschema@.notice (scheme, year, seq, kind, region_code, region_zh, period, period_start, subject,
                                        addressed_to, issued_on, acknowledge_by, rectify_by, warning_rule, severity,
                                        warning_value, warning_threshold, warning_detail, previous_id)
        VALUES (scheme, extract(year FROM issued_on),
                @extschema@.notice_next_seq(scheme, extract(year FROM issued_on)::integer),
                w.notice_kind, w.region_code, w.region_zh, w.period, w.period_start, subj, addr, issued_on,
                (issued_on + w.acknowledge_within)::date, (issued_on + w.rectify_within)::date,
                w.rule, w.severity, w.value, w.threshold, w.detail,
                (SELECT o.id FROM @extschema@.notice o
                  WHERE o.scheme = issue_notices.scheme AND o.region_code = w.region_code AND o.period = w.period
                    AND o.period_start BETWEEN w.link_from AND w.period_start
                    AND @extschema@.notice_escalation(o.kind) < @extschema@.notice_escalation(w.notice_kind)
                  ORDER BY @extschema@.notice_escalation(o.kind) DESC,
                           o.period_start DESC, o.id DESC
                  LIMIT 1))
        RETURNING * INTO n;
        INSERT INTO @extschema@.notice_log (notice_id, step, action, to_state, note)
        VALUES (n.id, 1, 'issue', 'issued', format('issued by notice rule %s', w.rule));
        RETURN NEXT n;
    END LOOP;
END $$;
COMMENT ON FUNCTION @extschema@.issue_notices(text, date, date) IS
'issues the notices that the notice rules ask for the warnings of a period (all period kinds starting on that date): one per warning of a ruled warning rule unless that rule already has a notice for the region in the current run of consecutive periods in which it fires (every_period: in that period); deadlines from the issue date (default today); a notice from a consecutive-periods rule is linked to the latest notice of a lower kind for the region during the run (escalation); idempotent; returns the notices issued';
