-- period.sql: period kinds (day, month, quarter, year) and all period
-- arithmetic.  The domain period_kind is the one list of the kinds;
-- period_interval() gives each its length, and the order from finest to
-- coarsest and every helper below follow from that.

-- [state]
CREATE DOMAIN @extschema@.period_kind AS text
    CONSTRAINT period_kind_known CHECK (VALUE IN ('day', 'month', 'quarter', 'year'));
COMMENT ON DOMAIN @extschema@.period_kind IS
'a period kind: day, month, quarter or year';

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.period_interval(period text)
RETURNS interval LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE period WHEN 'day' THEN interval '1 day' WHEN 'month' THEN interval '1 month'
                       WHEN 'quarter' THEN interval '3 months' WHEN 'year' THEN interval '1 year' END;
$$;
COMMENT ON FUNCTION @extschema@.period_interval(text) IS
'the length of a period kind (day, month, quarter, year) as an interval; NULL for anything else';

-- period_end, period_before and period_number run per result row (warnings,
-- notices): in C (src/kernel/period.c), NULL for a name that is no period
-- kind.  period_number: days since 2000-01-01 for days; for the others,
-- months since year 0 in units of the period's months.
CREATE OR REPLACE FUNCTION @extschema@.period_end(period text, period_start date)
RETURNS date AS 'MODULE_PATHNAME', 'safeidx_period_end'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.period_end(text, date) IS
'the first day after a period (day, month, quarter, year) starting on a date';

CREATE OR REPLACE FUNCTION @extschema@.period_before(period text, period_start date)
RETURNS date AS 'MODULE_PATHNAME', 'safeidx_period_before'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.period_before(text, date) IS
'the start of the period of the same kind before the one starting on a date (环比)';

CREATE OR REPLACE FUNCTION @extschema@.period_number(period text, period_start date)
RETURNS integer AS 'MODULE_PATHNAME', 'safeidx_period_number'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.period_number(text, date) IS
'a number that grows by one from each period to the next (for runs of consecutive periods)';

CREATE OR REPLACE FUNCTION @extschema@.finest_first(periods text[])
RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT array_agg(p ORDER BY @extschema@.period_interval(p)) FROM unnest(periods) p;
$$;
COMMENT ON FUNCTION @extschema@.finest_first(text[]) IS 'period kinds sorted from the finest (day) to the coarsest (year)';

-- The finest period kind of a scheme: cells are scanned at this kind and
-- summed into the coarser ones.
CREATE OR REPLACE FUNCTION @extschema@.finest_period(periods text[])
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT (@extschema@.finest_first(periods))[1];
$$;
COMMENT ON FUNCTION @extschema@.finest_period(text[]) IS 'the finest of some period kinds: cells are read at this kind and summed into the others';

CREATE OR REPLACE FUNCTION @extschema@.coarsest_period(periods text[])
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT (@extschema@.finest_first(periods))[cardinality(periods)];
$$;
COMMENT ON FUNCTION @extschema@.coarsest_period(text[]) IS 'the coarsest of some period kinds: cells are kept to the end of its periods';

-- Period starts of one kind in [from, to), the first enclosing from.
CREATE OR REPLACE FUNCTION @extschema@.period_starts(period text, from_date date, to_date date)
RETURNS date[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(array_agg(p::date ORDER BY p), '{}')
      FROM generate_series(date_trunc(period, from_date), to_date - 1, @extschema@.period_interval(period)) p;
$$;
COMMENT ON FUNCTION @extschema@.period_starts(text, date, date) IS 'the starts of the periods of one kind meeting [from, to), the first one enclosing from';

-- The end of the period of one kind that holds the day before a date: the
-- dates [from, to) rounded out to whole periods end there.
CREATE OR REPLACE FUNCTION @extschema@.period_end_after(period text, to_date date)
RETURNS date LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT @extschema@.period_end(period, date_trunc(period, to_date - 1)::date);
$$;
COMMENT ON FUNCTION @extschema@.period_end_after(text, date) IS
'the end of the period of a kind holding the day before a date: where dates up to that date, rounded out to whole periods, end';

-- The period of a release in Chinese: 2025年2月, 2025年第1季度, 2025年, 2025年2月3日.
CREATE OR REPLACE FUNCTION @extschema@.period_label_zh(period text, period_start date) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE period
           WHEN 'day'     THEN to_char(period_start, 'YYYY"年"FMMM"月"FMDD"日"')
           WHEN 'month'   THEN to_char(period_start, 'YYYY"年"FMMM"月"')
           WHEN 'quarter' THEN to_char(period_start, 'YYYY"年第"Q"季度"')
           WHEN 'year'    THEN to_char(period_start, 'YYYY"年"')
           END
$$;
COMMENT ON FUNCTION @extschema@.period_label_zh(text, date) IS
'a period in Chinese: 2025年2月 (month), 2025年第1季度 (quarter), 2025年 (year), 2025年2月3日 (day)';
