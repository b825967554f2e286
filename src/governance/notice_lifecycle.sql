-- notice_lifecycle.sql: the steps of a notice's lifecycle after its issue.

-- One step of a notice's lifecycle: checks it is allowed from the current
-- state and appends it to the log.
CREATE OR REPLACE FUNCTION @extschema@.notice_step(notice_id bigint, action text, note text)
RETURNS @extschema@.notice_log LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n       @extschema@.notice;
    last    @extschema@.notice_log;
    t       @extschema@.notice_transition;
    allowed text;
    r       @extschema@.notice_log;
BEGIN
    -- one step of a notice at a time (a lock, not FOR UPDATE: a unit's
    -- official takes steps without the right to update notices)
    PERFORM pg_advisory_xact_lock(hashtext('safeidx notice step'), hashtext(notice_step.notice_id::text));
    SELECT * INTO n FROM @extschema@.notice x WHERE x.id = notice_step.notice_id;
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

CREATE OR REPLACE FUNCTION @extschema@.acknowledge_notice(notice_id bigint, note text DEFAULT NULL)
RETURNS @extschema@.notice_log LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM @extschema@.notice_step(notice_id, 'acknowledge', note);
$$;
COMMENT ON FUNCTION @extschema@.acknowledge_notice(bigint, text) IS
'the unit confirms receipt of a notice: issued -> acknowledged; returns the log row';

CREATE OR REPLACE FUNCTION @extschema@.report_rectification(notice_id bigint, report text)
RETURNS @extschema@.notice_log LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF coalesce(btrim(report), '') = '' THEN
        RAISE EXCEPTION 'a rectification report needs its text' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN @extschema@.notice_step(notice_id, 'report', report);
END $$;
COMMENT ON FUNCTION @extschema@.report_rectification(bigint, text) IS
'the unit reports its rectification (the report is the log note): acknowledged -> rectification_reported; returns the log row';

CREATE OR REPLACE FUNCTION @extschema@.verify_notice(notice_id bigint, accepted boolean, note text DEFAULT NULL)
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

CREATE OR REPLACE FUNCTION @extschema@.withdraw_notice(notice_id bigint, reason text)
RETURNS @extschema@.notice_log LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF coalesce(btrim(reason), '') = '' THEN
        RAISE EXCEPTION 'withdrawing a notice needs a reason' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN @extschema@.notice_step(notice_id, 'withdraw', reason);
END $$;
COMMENT ON FUNCTION @extschema@.withdraw_notice(bigint, text) IS
'withdraws an open notice (e.g. issued on data later corrected), with a reason: -> withdrawn (closed); returns the log row';
