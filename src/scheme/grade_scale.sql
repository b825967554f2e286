-- grade_scale.sql: grade scales as data (built-in Wuchang and Zhuhai, user scales) and grade().

-- [state]
CREATE TABLE @extschema@.grade_scale (
    scale       text PRIMARY KEY CHECK (scale ~ '^[a-z][a-z0-9_]*$'),
    description text NOT NULL,
    builtin     boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.grade_scale IS
'grade scales; built-in ones ship with safeidx and cannot be changed, user scales are kept by pg_dump';

CREATE TABLE @extschema@.grade_band (
    scale     text NOT NULL REFERENCES @extschema@.grade_scale ON UPDATE CASCADE ON DELETE CASCADE,
    level     integer NOT NULL CHECK (level >= 1),
    min_index float8 CHECK (min_index NOT IN ('NaN', 'Infinity', '-Infinity')),
    label_zh  text NOT NULL,
    label_en  text NOT NULL,
    colour    text NOT NULL CHECK (colour ~ '^#[0-9A-F]{6}$'),
    builtin   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (scale, level)
);
COMMENT ON TABLE @extschema@.grade_band IS
'bands of a grade scale, best first: level 1 holds indices >= its min_index; the last level has min_index NULL and holds the rest';

-- [code]
-- A scale must run 1..n with strictly decreasing cut points and only its
-- last band open below; checked at commit so bands can be entered in any order.
CREATE OR REPLACE FUNCTION @extschema@.grade_band_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    checked_scale text := CASE WHEN TG_OP = 'DELETE' THEN OLD.scale ELSE NEW.scale END;
    bands  integer;
    last   integer;
    open   integer;
    bad    integer;
BEGIN
    SELECT count(*), max(level), count(*) FILTER (WHERE min_index IS NULL)
      INTO bands, last, open
      FROM @extschema@.grade_band WHERE scale = checked_scale;
    IF bands = 0 THEN
        RETURN NULL;
    END IF;
    IF last <> bands THEN
        RAISE EXCEPTION 'grade scale "%" must number its bands 1 to %', checked_scale, bands
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF open <> 1 OR (SELECT min_index FROM @extschema@.grade_band
                      WHERE scale = checked_scale AND level = last) IS NOT NULL THEN
        RAISE EXCEPTION 'grade scale "%" needs exactly one band without min_index, its last (level %)', checked_scale, last
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT b.level INTO bad
      FROM @extschema@.grade_band a JOIN @extschema@.grade_band b
        ON b.scale = a.scale AND b.level = a.level + 1
     WHERE a.scale = checked_scale AND b.min_index IS NOT NULL AND NOT (b.min_index < a.min_index)
     LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'grade scale "%" has unordered cut points: level % must have a lower min_index than level %', checked_scale, bad, bad - 1
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN NULL;
END $$;

-- [state]
CREATE CONSTRAINT TRIGGER grade_band_valid
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.grade_band
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.grade_band_check();

-- [code]

-- [state]
INSERT INTO @extschema@.grade_scale VALUES
    ('wuchang', 'Wuchang district: green 优秀 / yellow 平安 / orange 一般 / red 预警, cut points 90 / 80 / 70', true),
    ('zhuhai',  'Zhuhai 平安+: blue 优秀 / yellow 良好 / orange 平稳 / red 较差, cut points 90 / 80 / 70', true);
INSERT INTO @extschema@.grade_band VALUES
    ('wuchang', 1, 90,   '优秀', 'excellent', '#2E7D32', true),
    ('wuchang', 2, 80,   '平安', 'safe',      '#F9A825', true),
    ('wuchang', 3, 70,   '一般', 'average',   '#EF6C00', true),
    ('wuchang', 4, NULL, '预警', 'warning',   '#C62828', true),
    ('zhuhai',  1, 90,   '优秀', 'excellent', '#1565C0', true),
    ('zhuhai',  2, 80,   '良好', 'good',      '#F9A825', true),
    ('zhuhai',  3, 70,   '平稳', 'steady',    '#EF6C00', true),
    ('zhuhai',  4, NULL, '较差', 'poor',      '#C62828', true);

-- [code]
-- Built-in rows belong to the extension: changing them would be lost on
-- upgrade and invisible to pg_dump, so it is refused (and TRUNCATE, which
-- would remove them).
CREATE OR REPLACE TRIGGER builtin_rows_insert BEFORE INSERT ON @extschema@.grade_scale
    FOR EACH ROW WHEN (NEW.builtin) EXECUTE FUNCTION @extschema@.refuse_change(
        'built-in rows belong to safeidx', 'Copy the built-in scale under a new name and change the copy.');
CREATE OR REPLACE TRIGGER builtin_rows_update BEFORE UPDATE ON @extschema@.grade_scale
    FOR EACH ROW WHEN (OLD.builtin OR NEW.builtin) EXECUTE FUNCTION @extschema@.refuse_change(
        'built-in rows belong to safeidx', 'Copy the built-in scale under a new name and change the copy.');
CREATE OR REPLACE TRIGGER builtin_rows_delete BEFORE DELETE ON @extschema@.grade_scale
    FOR EACH ROW WHEN (OLD.builtin) EXECUTE FUNCTION @extschema@.refuse_change(
        'built-in rows belong to safeidx', 'Copy the built-in scale under a new name and change the copy.');
CREATE OR REPLACE TRIGGER builtin_rows_truncate BEFORE TRUNCATE ON @extschema@.grade_scale
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.refuse_change(
        'built-in rows belong to safeidx', 'Delete the user scales'' rows instead.');
CREATE OR REPLACE TRIGGER builtin_rows_insert BEFORE INSERT ON @extschema@.grade_band
    FOR EACH ROW WHEN (NEW.builtin) EXECUTE FUNCTION @extschema@.refuse_change(
        'built-in rows belong to safeidx', 'Copy the built-in scale under a new name and change the copy.');
CREATE OR REPLACE TRIGGER builtin_rows_update BEFORE UPDATE ON @extschema@.grade_band
    FOR EACH ROW WHEN (OLD.builtin OR NEW.builtin) EXECUTE FUNCTION @extschema@.refuse_change(
        'built-in rows belong to safeidx', 'Copy the built-in scale under a new name and change the copy.');
CREATE OR REPLACE TRIGGER builtin_rows_delete BEFORE DELETE ON @extschema@.grade_band
    FOR EACH ROW WHEN (OLD.builtin) EXECUTE FUNCTION @extschema@.refuse_change(
        'built-in rows belong to safeidx', 'Copy the built-in scale under a new name and change the copy.');
CREATE OR REPLACE TRIGGER builtin_rows_truncate BEFORE TRUNCATE ON @extschema@.grade_band
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.refuse_change(
        'built-in rows belong to safeidx', 'Delete the user scales'' rows instead.');

-- [state]
SELECT pg_catalog.pg_extension_config_dump('@extschema@.grade_scale', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.grade_band', 'WHERE NOT builtin');

CREATE TYPE @extschema@.grade AS (
    level    integer,
    label_zh text,
    label_en text,
    colour   text
);
COMMENT ON TYPE @extschema@.grade IS 'a grade: level (1 = best), Chinese and English label, colour as #RRGGBB';

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.grade(index float8, scale text DEFAULT 'wuchang')
RETURNS @extschema@.grade
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cuts   float8[];
    result @extschema@.grade;
BEGIN
    SELECT array_agg(b.min_index ORDER BY b.level) FILTER (WHERE b.min_index IS NOT NULL)
      INTO cuts
      FROM @extschema@.grade_band b WHERE b.scale = grade.scale;
    IF NOT EXISTS (SELECT FROM @extschema@.grade_band b WHERE b.scale = grade.scale) THEN
        RAISE EXCEPTION 'unknown grade scale "%"', scale
            USING ERRCODE = 'undefined_object',
                  HINT = 'See safeidx.grade_scale for the scales defined.';
    END IF;
    SELECT b.level, b.label_zh, b.label_en, b.colour INTO result
      FROM @extschema@.grade_band b
     WHERE b.scale = grade.scale
       AND b.level = @extschema@.grade_level(index, coalesce(cuts, '{}'));
    RETURN result;
END $$;
COMMENT ON FUNCTION @extschema@.grade(float8, text) IS
'grade of an index on a grade scale (default wuchang): level, Chinese and English label, colour; error for NaN/Infinity or an unknown scale';
