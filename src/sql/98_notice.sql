-- safeidx install script, part 98: written warning notices (预警通知书).
-- A warning of the view safeidx.warning becomes a notice to the responsible
-- unit, by rule (notice_rule, kept as data) or by hand; a notice has a number
-- per scheme and year (2025-001), a kind (notice, summons 约谈,
-- accountability 问责), deadlines for acknowledgement and rectification, and
-- a lifecycle issued -> acknowledged -> rectification_reported -> verified
-- (or withdrawn) whose every step is a row of the append-only notice_log.
-- The allowed steps are rows of notice_transition; the log's constraints
-- make every notice's history a path through them, so the current state is
-- simply the last step.

-- The state machine: built in, read only.
CREATE TABLE @extschema@.notice_transition (
    from_state  text CHECK (from_state IN ('issued', 'acknowledged', 'rectification_reported')),
    action      text NOT NULL,
    to_state    text NOT NULL
                CHECK (to_state IN ('issued', 'acknowledged', 'rectification_reported', 'verified', 'withdrawn')),
    via         text NOT NULL,
    description text NOT NULL,
    UNIQUE (from_state, action),
    UNIQUE (from_state, action, to_state)
);
COMMENT ON TABLE @extschema@.notice_transition IS
'the lifecycle of a warning notice: every allowed step (from_state NULL: the issue itself), the function that takes it and what it means; built in, cannot be changed';
INSERT INTO @extschema@.notice_transition (from_state, action, to_state, via, description) VALUES
    (NULL, 'issue', 'issued', 'issue_notices / issue_notice', 'the notice is issued to the responsible unit'),
    ('issued', 'acknowledge', 'acknowledged', 'acknowledge_notice', 'the unit confirms receipt'),
    ('acknowledged', 'report', 'rectification_reported', 'report_rectification', 'the unit reports its rectification'),
    ('rectification_reported', 'accept', 'verified', 'verify_notice(accepted => true)', 'the rectification is verified: the notice is closed'),
    ('rectification_reported', 'reject', 'acknowledged', 'verify_notice(accepted => false)', 'the rectification is rejected: the unit must report again'),
    ('issued', 'withdraw', 'withdrawn', 'withdraw_notice', 'the notice is withdrawn (closed), with a reason'),
    ('acknowledged', 'withdraw', 'withdrawn', 'withdraw_notice', 'the notice is withdrawn (closed), with a reason'),
    ('rectification_reported', 'withdraw', 'withdrawn', 'withdraw_notice', 'the notice is withdrawn (closed), with a reason');

CREATE FUNCTION @extschema@.notice_transition_is_built_in() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'the notice lifecycle is built in: % is not allowed on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER notice_transition_built_in BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.notice_transition
    FOR EACH ROW EXECUTE FUNCTION @extschema@.notice_transition_is_built_in();
CREATE TRIGGER notice_transition_built_in_truncate BEFORE TRUNCATE ON @extschema@.notice_transition
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.notice_transition_is_built_in();

-- Which warnings become notices, of which kind, with which deadlines.
CREATE TABLE @extschema@.notice_rule (
    scheme             text NOT NULL,
    warning_rule       text NOT NULL,
    notice_kind        text NOT NULL CHECK (notice_kind IN ('notice', 'summons', 'accountability')),
    acknowledge_within interval NOT NULL DEFAULT '3 days' CHECK (acknowledge_within >= interval '0'),
    rectify_within     interval NOT NULL DEFAULT '30 days',
    addressed_to       text NOT NULL DEFAULT '{region_zh}' CHECK (btrim(addressed_to) <> ''),
    subject            text CHECK (btrim(subject) <> ''),
    every_period       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (scheme, warning_rule),
    FOREIGN KEY (scheme, warning_rule) REFERENCES @extschema@.warning_rule (scheme, rule)
        ON UPDATE CASCADE ON DELETE CASCADE,
    CHECK (rectify_within >= acknowledge_within)
);
COMMENT ON TABLE @extschema@.notice_rule IS
'warning rules whose warnings become written notices (预警通知书): the kind (notice, summons 约谈, accountability 问责), the days allowed to acknowledge and to rectify (from the issue date), the unit addressed and the subject as templates ({region_zh}, {region_code}, {period_start}, {rule}, {detail}); one notice per run of consecutive periods in which the rule fires for a region, or one per period with every_period';
COMMENT ON COLUMN @extschema@.notice_rule.addressed_to IS 'template of the responsible unit, e.g. ''{region_zh}街道办事处''';
COMMENT ON COLUMN @extschema@.notice_rule.subject IS 'template of the subject; NULL: the warning rule''s description (or name), a colon and the warning''s detail';
COMMENT ON COLUMN @extschema@.notice_rule.every_period IS 'false (default): a rule that keeps firing for a region in consecutive periods gives one notice, for the first period; true: one notice for every period it fires';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.notice_rule', '');

CREATE TABLE @extschema@.notice (
    id             bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    scheme         text NOT NULL REFERENCES @extschema@.scheme,
    year           integer NOT NULL,
    seq            integer NOT NULL CHECK (seq >= 1),
    number         text GENERATED ALWAYS AS (year || '-' || lpad(seq::text, greatest(3, length(seq::text)), '0')) STORED,
    kind           text NOT NULL CHECK (kind IN ('notice', 'summons', 'accountability')),
    region_code    text NOT NULL,
    region_zh      text,
    period         text NOT NULL CHECK (period IN ('day', 'month', 'quarter', 'year')),
    period_start   date NOT NULL,
    subject        text NOT NULL CHECK (btrim(subject) <> ''),
    addressed_to   text NOT NULL CHECK (btrim(addressed_to) <> ''),
    issued_on      date NOT NULL,
    acknowledge_by date NOT NULL,
    rectify_by     date NOT NULL,
    warning_rule   text,
    severity       text,
    warning_value  float8,
    warning_threshold float8,
    warning_detail text,
    previous_id    bigint,
    UNIQUE (scheme, year, seq),
    CHECK (year = extract(year FROM issued_on)),
    CHECK (issued_on <= acknowledge_by AND acknowledge_by <= rectify_by),
    CHECK (previous_id <> id)
);
COMMENT ON TABLE @extschema@.notice IS
'written warning notices (预警通知书), summonses (约谈) and accountability notices (问责) to the unit responsible for a region: number per scheme and year of issue, the period concerned, subject, unit addressed, issue date and the last days to acknowledge and to rectify, the warning it came from (NULL when issued by hand) and the earlier notice it escalates; rows are never changed or deleted (their state lives in notice_log)';
COMMENT ON COLUMN @extschema@.notice.number IS 'the notice number: year of issue and sequence within the scheme and year, e.g. 2025-001';
COMMENT ON COLUMN @extschema@.notice.region_zh IS 'the region''s name in force at the start of the period';
COMMENT ON COLUMN @extschema@.notice.acknowledge_by IS 'the last day to acknowledge the notice';
COMMENT ON COLUMN @extschema@.notice.rectify_by IS 'the last day to report the rectification';
COMMENT ON COLUMN @extschema@.notice.warning_value IS 'the warning''s value when the notice was issued (index, run length, indicator value, rank)';
COMMENT ON COLUMN @extschema@.notice.previous_id IS 'the notice this one escalates (a notice of a lower kind for the same region during the same run of warnings)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.notice', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.notice_id_seq', '');
CREATE UNIQUE INDEX notice_warning_key ON @extschema@.notice (scheme, warning_rule, period, period_start, region_code)
    WHERE warning_rule IS NOT NULL;
CREATE INDEX notice_region_idx ON @extschema@.notice (scheme, region_code, period_start);

-- The log: one row per step, numbered 1, 2, ... per notice; each step is an
-- allowed transition (key to notice_transition) and starts from the state
-- the previous step reached (checked by a trigger at the end of the
-- statement, not a self-referencing key, so that pg_dump sees no circular
-- keys and restores the rows in any order); step 1 is the issue.
CREATE TABLE @extschema@.notice_log (
    notice_id  bigint NOT NULL REFERENCES @extschema@.notice,
    step       integer NOT NULL CHECK (step >= 1),
    prev_step  integer,
    from_state text,
    action     text NOT NULL,
    to_state   text NOT NULL,
    note       text,
    logged_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    logged_by  name NOT NULL DEFAULT CURRENT_USER,
    session_by name NOT NULL DEFAULT SESSION_USER,
    PRIMARY KEY (notice_id, step),
    UNIQUE (notice_id, step, to_state),
    CHECK (prev_step IS NOT DISTINCT FROM nullif(step - 1, 0)),
    CHECK ((step = 1) = (from_state IS NULL)),
    CHECK (step > 1 OR (action = 'issue' AND to_state = 'issued')),
    FOREIGN KEY (from_state, action, to_state) REFERENCES @extschema@.notice_transition (from_state, action, to_state)
);
COMMENT ON TABLE @extschema@.notice_log IS
'every state change of every notice, append-only: step number, state before and after, action, note (report, reason), when (clock time) and by whom (current_user, session_user); its keys and a trigger make each notice''s history a path of allowed transitions, so the last step is the current state';
COMMENT ON COLUMN @extschema@.notice_log.logged_by IS 'current_user when the step was taken';
COMMENT ON COLUMN @extschema@.notice_log.session_by IS 'session_user when the step was taken (differs from logged_by under SET ROLE or SECURITY DEFINER)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.notice_log', '');

-- Links checked after each statement (so a COPY may bring the rows in any
-- order): a notice escalates an existing notice of the same scheme and
-- region; a log step starts where the notice's previous step ended.
CREATE FUNCTION @extschema@.notice_links_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p          @extschema@.notice;
    prev_state text;
BEGIN
    IF TG_TABLE_NAME = 'notice' THEN
        IF NEW.previous_id IS NOT NULL THEN
            SELECT * INTO p FROM @extschema@.notice x WHERE x.id = NEW.previous_id;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'notice % of scheme "%" escalates a notice that does not exist (id %)',
                    NEW.number, NEW.scheme, NEW.previous_id
                    USING ERRCODE = 'foreign_key_violation';
            ELSIF p.scheme <> NEW.scheme OR p.region_code <> NEW.region_code THEN
                RAISE EXCEPTION 'notice % (scheme "%", region "%") cannot escalate notice % (scheme "%", region "%")',
                    NEW.number, NEW.scheme, NEW.region_code, p.number, p.scheme, p.region_code
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
        END IF;
    ELSIF NEW.step > 1 THEN
        SELECT l.to_state INTO prev_state FROM @extschema@.notice_log l
         WHERE l.notice_id = NEW.notice_id AND l.step = NEW.prev_step;
        IF prev_state IS DISTINCT FROM NEW.from_state THEN
            RAISE EXCEPTION 'step % of notice % starts from "%", but step % ended in "%"', NEW.step,
                coalesce((SELECT format('%s of scheme "%s"', x.number, x.scheme) FROM @extschema@.notice x
                           WHERE x.id = NEW.notice_id), 'id ' || NEW.notice_id),
                NEW.from_state, NEW.prev_step, coalesce(prev_state, '(no such step)')
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER notice_links AFTER INSERT ON @extschema@.notice
    FOR EACH ROW EXECUTE FUNCTION @extschema@.notice_links_check();
CREATE TRIGGER notice_log_links AFTER INSERT ON @extschema@.notice_log
    FOR EACH ROW EXECUTE FUNCTION @extschema@.notice_links_check();

CREATE FUNCTION @extschema@.notice_rows_are_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION '% is not allowed on %: notices and their log are never changed or deleted', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Change a notice''s state with acknowledge_notice(), report_rectification(), verify_notice() or withdraw_notice().';
END $$;
CREATE TRIGGER notice_append_only BEFORE UPDATE OR DELETE ON @extschema@.notice
    FOR EACH ROW EXECUTE FUNCTION @extschema@.notice_rows_are_append_only();
CREATE TRIGGER notice_append_only_truncate BEFORE TRUNCATE ON @extschema@.notice
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.notice_rows_are_append_only();
CREATE TRIGGER notice_log_append_only BEFORE UPDATE OR DELETE ON @extschema@.notice_log
    FOR EACH ROW EXECUTE FUNCTION @extschema@.notice_rows_are_append_only();
CREATE TRIGGER notice_log_append_only_truncate BEFORE TRUNCATE ON @extschema@.notice_log
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.notice_rows_are_append_only();

CREATE VIEW @extschema@.notice_status WITH (security_invoker = true) AS
SELECT n.id, n.scheme, n.number, n.kind, n.region_code, n.region_zh, n.addressed_to,
       n.period, n.period_start, n.subject, n.issued_on, n.acknowledge_by, n.rectify_by,
       l.to_state AS state, l.to_state NOT IN ('verified', 'withdrawn') AS open,
       l.step AS steps, l.logged_at AS state_since, l.logged_by AS state_by,
       f.logged_at AS issued_at, f.logged_by AS issued_by,
       (SELECT min(a.logged_at) FROM @extschema@.notice_log a
         WHERE a.notice_id = n.id AND a.action = 'acknowledge') AS acknowledged_at,
       (SELECT max(a.logged_at) FROM @extschema@.notice_log a
         WHERE a.notice_id = n.id AND a.action = 'report') AS reported_at,
       n.warning_rule, n.severity, n.warning_value, n.warning_detail,
       n.previous_id, p.number AS previous_number, p.kind AS previous_kind
  FROM @extschema@.notice n
  LEFT JOIN LATERAL (SELECT * FROM @extschema@.notice_log x WHERE x.notice_id = n.id
                      ORDER BY x.step DESC LIMIT 1) l ON true
  LEFT JOIN @extschema@.notice_log f ON f.notice_id = n.id AND f.step = 1
  LEFT JOIN @extschema@.notice p ON p.id = n.previous_id;
COMMENT ON VIEW @extschema@.notice_status IS
'every notice with its current state (the last step of its log): issued, acknowledged, rectification_reported, verified or withdrawn; open = not yet verified or withdrawn; when and by whom it was issued, first acknowledged and last reported; the warning it came from and the notice it escalates';

CREATE FUNCTION @extschema@.notices_overdue(as_of date)
RETURNS TABLE (id bigint, scheme text, number text, kind text, region_code text, region_zh text,
               addressed_to text, state text, deadline text, due date, days_overdue integer)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.id, s.scheme, s.number, s.kind, s.region_code, s.region_zh, s.addressed_to, s.state,
           d.deadline, d.due, as_of - d.due
      FROM @extschema@.notice_status s
     CROSS JOIN LATERAL (VALUES ('acknowledge', s.acknowledge_by, s.state = 'issued'),
                                ('rectify', s.rectify_by, s.state IN ('issued', 'acknowledged'))) d(deadline, due, pending)
     WHERE d.pending AND as_of > d.due
     ORDER BY s.scheme, s.number, d.deadline;
$$;
COMMENT ON FUNCTION @extschema@.notices_overdue(date) IS
'open notices past a deadline on a date, one row per deadline missed: acknowledge (still issued after acknowledge_by) and rectify (no rectification reported, or it was rejected, after rectify_by), with the days overdue (as_of - due); states are the current ones';

CREATE VIEW @extschema@.notice_overdue WITH (security_invoker = true) AS
SELECT * FROM @extschema@.notices_overdue(CURRENT_DATE);
COMMENT ON VIEW @extschema@.notice_overdue IS
'open notices past a deadline today (safeidx.notices_overdue(current_date)): which deadline, the due date and the days overdue';

-- The next sequence number of a scheme's notices in a year; holds a
-- transaction lock on the scheme's notices until commit.
CREATE FUNCTION @extschema@.notice_next_seq(scheme text, year integer)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('safeidx notice ' || scheme));
    RETURN (SELECT coalesce(max(n.seq), 0) + 1 FROM @extschema@.notice n
             WHERE n.scheme = notice_next_seq.scheme AND n.year = notice_next_seq.year);
END $$;
COMMENT ON FUNCTION @extschema@.notice_next_seq(text, integer) IS
'the next sequence number of a scheme''s notices in a year of issue (used by issue_notices and issue_notice; serializes them per scheme)';

CREATE FUNCTION @extschema@.issue_notice(scheme text, region_code text, period_start date, kind text, subject text,
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
    IF kind IS NULL OR kind NOT IN ('notice', 'summons', 'accountability') THEN
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

CREATE FUNCTION @extschema@.issue_notices(scheme text, period_start date, issued_on date DEFAULT CURRENT_DATE)
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
         ORDER BY array_position(ARRAY['notice', 'summons', 'accountability'], r.notice_kind), x.region_code, x.period, x.rule
    LOOP
        subj := coalesce(w.subject, coalesce(w.description, w.rule) || ': {detail}');
        addr := w.addressed_to;
        subj := replace(replace(replace(replace(replace(subj, '{region_zh}', coalesce(w.region_zh, w.region_code)),
                        '{region_code}', w.region_code), '{period_start}', w.period_start::text), '{rule}', w.rule),
                        '{detail}', w.detail);
        addr := replace(replace(replace(replace(replace(addr, '{region_zh}', coalesce(w.region_zh, w.region_code)),
                        '{region_code}', w.region_code), '{period_start}', w.period_start::text), '{rule}', w.rule),
                        '{detail}', w.detail);
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
                    AND array_position(ARRAY['notice', 'summons', 'accountability'], o.kind)
                        < array_position(ARRAY['notice', 'summons', 'accountability'], w.notice_kind)
                  ORDER BY array_position(ARRAY['notice', 'summons', 'accountability'], o.kind) DESC,
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

-- One step of a notice's lifecycle: checks it is allowed from the current
-- state and appends it to the log.
CREATE FUNCTION @extschema@.notice_step(notice_id bigint, action text, note text)
RETURNS @extschema@.notice_log LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n       @extschema@.notice;
    last    @extschema@.notice_log;
    t       @extschema@.notice_transition;
    allowed text;
    r       @extschema@.notice_log;
BEGIN
    SELECT * INTO n FROM @extschema@.notice x WHERE x.id = notice_step.notice_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no notice with id %', coalesce(notice_id::text, 'NULL') USING ERRCODE = 'undefined_object';
    END IF;
    SELECT * INTO last FROM @extschema@.notice_log l WHERE l.notice_id = n.id ORDER BY l.step DESC LIMIT 1;
    SELECT * INTO t FROM @extschema@.notice_transition x
     WHERE x.from_state = last.to_state AND x.action = notice_step.action;
    IF NOT FOUND THEN
        SELECT string_agg(format('%s (%s)', x.action, x.via), ', ' ORDER BY x.to_state) INTO allowed
          FROM @extschema@.notice_transition x WHERE x.from_state = last.to_state;
        RAISE EXCEPTION 'notice % of scheme "%" is %: it cannot be %', n.number, n.scheme, last.to_state,
            CASE action WHEN 'acknowledge' THEN 'acknowledged' WHEN 'report' THEN 'reported as rectified'
                        WHEN 'accept' THEN 'verified' WHEN 'reject' THEN 'rejected'
                        WHEN 'withdraw' THEN 'withdrawn' ELSE action END
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = CASE WHEN allowed IS NULL THEN 'The notice is closed.' ELSE 'Allowed now: ' || allowed || '.' END;
    END IF;
    INSERT INTO @extschema@.notice_log (notice_id, step, prev_step, from_state, action, to_state, note)
    VALUES (n.id, last.step + 1, last.step, last.to_state, t.action, t.to_state, note)
    RETURNING * INTO r;
    RETURN r;
END $$;
COMMENT ON FUNCTION @extschema@.notice_step(bigint, text, text) IS
'takes one step (an action of notice_transition) of a notice''s lifecycle if it is allowed from the current state (else 55000) and logs it; used by acknowledge_notice, report_rectification, verify_notice and withdraw_notice';

CREATE FUNCTION @extschema@.acknowledge_notice(notice_id bigint, note text DEFAULT NULL)
RETURNS @extschema@.notice_log LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM @extschema@.notice_step(notice_id, 'acknowledge', note);
$$;
COMMENT ON FUNCTION @extschema@.acknowledge_notice(bigint, text) IS
'the unit confirms receipt of a notice: issued -> acknowledged; returns the log row';

CREATE FUNCTION @extschema@.report_rectification(notice_id bigint, report text)
RETURNS @extschema@.notice_log LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF coalesce(btrim(report), '') = '' THEN
        RAISE EXCEPTION 'a rectification report needs its text' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN @extschema@.notice_step(notice_id, 'report', report);
END $$;
COMMENT ON FUNCTION @extschema@.report_rectification(bigint, text) IS
'the unit reports its rectification (the report is the log note): acknowledged -> rectification_reported; returns the log row';

CREATE FUNCTION @extschema@.verify_notice(notice_id bigint, accepted boolean, note text DEFAULT NULL)
RETURNS @extschema@.notice_log LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF accepted IS NULL THEN
        RAISE EXCEPTION 'verify_notice needs accepted true or false' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT accepted AND coalesce(btrim(note), '') = '' THEN
        RAISE EXCEPTION 'a rejected rectification needs a reason' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN @extschema@.notice_step(notice_id, CASE WHEN accepted THEN 'accept' ELSE 'reject' END, note);
END $$;
COMMENT ON FUNCTION @extschema@.verify_notice(bigint, boolean, text) IS
'verifies a reported rectification: accepted -> verified (closed); rejected (a reason is required) -> back to acknowledged, the unit must report again and the rectification deadline counts again; returns the log row';

CREATE FUNCTION @extschema@.withdraw_notice(notice_id bigint, reason text)
RETURNS @extschema@.notice_log LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF coalesce(btrim(reason), '') = '' THEN
        RAISE EXCEPTION 'withdrawing a notice needs a reason' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN @extschema@.notice_step(notice_id, 'withdraw', reason);
END $$;
COMMENT ON FUNCTION @extschema@.withdraw_notice(bigint, text) IS
'withdraws an open notice (e.g. issued on data later corrected), with a reason: -> withdrawn (closed); returns the log row';
