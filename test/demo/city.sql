-- test/demo/city.sql -- deterministic demo-city generator for safeidx.
--
-- Plain SQL / PL/pgSQL; does NOT need the safeidx extension.
--
--   psql -f test/demo/city.sql                      -- (re)creates schema demo, empty tables
--   psql -v scale=small -f test/demo/city.sql       -- ... and fills it (small or city)
--   SELECT demo.generate('small', 42);               -- (re)fills the tables, returns a summary
--
-- The departmental tables are shaped like the departments' own records (police,
-- fire, complaints hotline, justice bureau mediation, petitions bureau, emergency
-- management, traffic police), not like an index engine's input.  Same scale and
-- seed give byte-identical data: all randomness comes from hashint8extended()
-- keyed on stable keys (codes, month numbers, ids), never from random(), so the
-- result does not depend on plans or parallelism.  See test/demo/README.md.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP SCHEMA IF EXISTS demo CASCADE;
CREATE SCHEMA demo;
COMMENT ON SCHEMA demo IS 'synthetic demo city for safeidx (test/demo/city.sql); all data are generated';

------------------------------------------------------------------------------
-- Tables
------------------------------------------------------------------------------

CREATE TABLE demo.meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
COMMENT ON TABLE demo.meta IS 'generation parameters: scale, seed, first_month, last_month';

CREATE TABLE demo.region (
    code        text PRIMARY KEY,
    parent_code text REFERENCES demo.region,
    level       text NOT NULL CHECK (level IN ('city','district','street','community')),
    name_zh     text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('city','district','development_zone',
                                              'street','town','urban_community','village')),
    UNIQUE (parent_code, name_zh)
);
CREATE INDEX region_parent_code_idx ON demo.region (parent_code);
COMMENT ON TABLE demo.region IS 'administrative divisions, 12-digit codes: city -> district -> street/town -> community/village';

CREATE TABLE demo.population (
    region_code text REFERENCES demo.region,
    year        int,
    registered  int NOT NULL CHECK (registered >= 0),   -- 户籍人口
    resident    int NOT NULL CHECK (resident >= 0),     -- 常住人口
    PRIMARY KEY (region_code, year)
);
COMMENT ON TABLE demo.population IS 'statistics bureau figures, community level only, one row per community and year (one row deliberately missing)';

CREATE TABLE demo.police_incident (          -- 110 警情
    id             bigint NOT NULL,
    reported_at    timestamptz NOT NULL,
    community_code text,
    category       text NOT NULL CHECK (category IN ('burglary','ebike_theft','other_theft','fraud',
                                                     'telecom_fraud','assault','robbery','disorder','other')),
    is_criminal    boolean NOT NULL
);

CREATE TABLE demo.fire_alarm (               -- 119 火警
    id             bigint NOT NULL,
    alarm_at       timestamptz NOT NULL,
    community_code text,
    cause          text NOT NULL,
    is_false_alarm boolean NOT NULL
);

CREATE TABLE demo.complaint (                -- 12345 投诉
    id             bigint NOT NULL,
    received_at    timestamptz NOT NULL,
    community_code text,
    sector         text NOT NULL,
    is_key_sector  boolean NOT NULL
);

CREATE TABLE demo.mediation (                -- 人民调解
    id             bigint NOT NULL,
    opened_at      timestamptz NOT NULL,
    community_code text,
    dispute_type   text NOT NULL,
    outcome        text NOT NULL CHECK (outcome IN ('success','failed','withdrawn','pending'))
);

CREATE TABLE demo.petition (                 -- 信访
    id             bigint NOT NULL,
    filed_at       timestamptz NOT NULL,
    community_code text,
    is_collective  boolean NOT NULL,
    persons        int NOT NULL CHECK (persons >= 1)
);

CREATE TABLE demo.worksafety_incident (      -- 生产安全事故
    id             bigint NOT NULL,
    occurred_at    timestamptz NOT NULL,
    community_code text,
    industry       text NOT NULL,
    deaths         int NOT NULL CHECK (deaths >= 0),
    injuries       int NOT NULL CHECK (injuries >= 0)
);

CREATE TABLE demo.traffic_accident (         -- 道路交通事故
    id             bigint NOT NULL,
    occurred_at    timestamptz NOT NULL,
    community_code text,
    deaths         int NOT NULL CHECK (deaths >= 0),
    injuries       int NOT NULL CHECK (injuries >= 0)
);

CREATE TABLE demo.hotspot (
    community_code text NOT NULL REFERENCES demo.region,
    source         text NOT NULL CHECK (source IN ('police_incident','fire_alarm','complaint','mediation',
                                                   'petition','worksafety_incident','traffic_accident')),
    category       text,          -- police category / complaint sector; NULL = every row of the source
    first_month    date NOT NULL,
    last_month     date NOT NULL,
    factor         numeric NOT NULL,
    PRIMARY KEY (community_code, source, first_month),
    CHECK (first_month <= last_month)
);
COMMENT ON TABLE demo.hotspot IS 'ground truth: injected hotspots; the generator multiplies the expected count of matching community-months by factor';

------------------------------------------------------------------------------
-- Deterministic pseudo-randomness (inlinable SQL functions)
------------------------------------------------------------------------------

-- uniform in [0,1) from 53 bits of hashint8extended(key, salt)
CREATE FUNCTION demo.u(key bigint, salt bigint) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ((hashint8extended(key, salt) >> 11) & 9007199254740991)::float8 / 9007199254740992.0;

-- standard normal (Box-Muller on two independent uniforms)
CREATE FUNCTION demo.z(key bigint, salt bigint) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN sqrt(-2.0 * ln(1.0 - demo.u(key, salt))) * cos(2.0 * pi() * demo.u(key, salt + 1));

-- Poisson draw: inverse CDF for lam < 50, normal approximation above.
-- u in [0,1) drives the inverse CDF, z ~ N(0,1) drives the approximation.
CREATE FUNCTION demo.poisson(lam float8, u float8, z float8) RETURNS int
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
    p float8;
    f float8;
    k int := 0;
BEGIN
    IF lam <= 0 THEN
        RETURN 0;
    ELSIF lam >= 50 THEN
        RETURN greatest(0, floor(lam + sqrt(lam) * z + 0.5))::int;
    END IF;
    p := exp(-lam);
    f := p;
    WHILE u >= f AND k < 1000 LOOP
        k := k + 1;
        p := p * lam / k;
        f := f + p;
    END LOOP;
    RETURN k;
END $$;

-- Local (Asia/Shanghai) event time inside a month, stored as timestamptz.
--   ms: month start (local), days: days in month, key/salt: randomness,
--   phase: time of day of the peak (fraction of a day), amp: diurnal strength (0..<1).
-- 0.1% of rows fall in the first 3 minutes of the month (a fifth of them at exactly
-- 00:00:00), 0.1% in its last 3 minutes (a fifth of them at exactly 23:59:59).
CREATE FUNCTION demo.event_time(ms timestamp, days int, key bigint, salt bigint,
                                phase float8, amp float8) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (CASE
    WHEN demo.u(key, salt + 3) < 0.0002
        THEN ms
    WHEN demo.u(key, salt + 3) >= 0.0018 AND demo.u(key, salt + 3) < 0.002
        THEN ms + (days * 86400 - 1) * interval '1 second'
    WHEN demo.u(key, salt + 3) < 0.001
        THEN ms + floor(demo.u(key, salt + 2) * 180) * interval '1 second'
    WHEN demo.u(key, salt + 3) < 0.002
        THEN ms + (days * 86400 - 1 - floor(demo.u(key, salt + 2) * 180)) * interval '1 second'
    ELSE ms + (floor(demo.u(key, salt + 1) * days) * 86400
               + floor(86400 * ((demo.u(key, salt + 2) - amp * sin(2 * pi() * (demo.u(key, salt + 2) - phase)) / (2 * pi()))
                               - floor(demo.u(key, salt + 2) - amp * sin(2 * pi() * (demo.u(key, salt + 2) - phase)) / (2 * pi())))))
              * interval '1 second'
    END) AT TIME ZONE 'Asia/Shanghai';

-- ~0.1% of departmental rows carry a code that is not in demo.region:
-- 40% a retired code (street part 09x, before a boundary change), 30% '',
-- 20% a truncated 9-digit (street-level) code, 10% NULL.
CREATE FUNCTION demo.dirty_code(code text, key bigint, salt bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN demo.u(key, salt) >= 0.001  THEN code
    WHEN demo.u(key, salt) <  0.0004 THEN substr(code, 1, 6) || '09' || substr(code, 9, 4)
    WHEN demo.u(key, salt) <  0.0007 THEN ''
    WHEN demo.u(key, salt) <  0.0009 THEN substr(code, 1, 9)
    ELSE NULL
    END;

------------------------------------------------------------------------------
-- Indexes of the departmental tables (dropped before and rebuilt after a load)
------------------------------------------------------------------------------

CREATE FUNCTION demo._dept_tables() RETURNS TABLE (tbl text, tcol text)
LANGUAGE sql IMMUTABLE AS $$
    VALUES ('police_incident', 'reported_at'), ('fire_alarm', 'alarm_at'),
           ('complaint', 'received_at'), ('mediation', 'opened_at'),
           ('petition', 'filed_at'), ('worksafety_incident', 'occurred_at'),
           ('traffic_accident', 'occurred_at')
$$;

CREATE FUNCTION demo._dept_indexes(create_them boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM demo._dept_tables() LOOP
        IF create_them THEN
            EXECUTE format('ALTER TABLE demo.%I ADD CONSTRAINT %I PRIMARY KEY (id)', t.tbl, t.tbl || '_pkey');
            EXECUTE format('CREATE INDEX %I ON demo.%I (%I)', t.tbl || '_' || t.tcol || '_idx', t.tbl, t.tcol);
            -- a community's rows over time: what a refresh reads (the changed
            -- codes over the changed span)
            EXECUTE format('CREATE INDEX %I ON demo.%I (community_code, %I)', t.tbl || '_community_code_idx', t.tbl, t.tcol);
        ELSE
            EXECUTE format('ALTER TABLE demo.%I DROP CONSTRAINT IF EXISTS %I', t.tbl, t.tbl || '_pkey');
            EXECUTE format('DROP INDEX IF EXISTS demo.%I', t.tbl || '_' || t.tcol || '_idx');
            EXECUTE format('DROP INDEX IF EXISTS demo.%I', t.tbl || '_community_code_idx');
        END IF;
    END LOOP;
END $$;

DO $$ BEGIN PERFORM demo._dept_indexes(true); END $$;

------------------------------------------------------------------------------
-- The generator
------------------------------------------------------------------------------

CREATE FUNCTION demo.generate(scale text DEFAULT 'small', seed int DEFAULT 42,
                              hotspots text DEFAULT 'classic') RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET max_parallel_workers_per_gather = 0
SET synchronous_commit = off
SET client_min_messages = warning
SET jit = off
SET work_mem = '256MB'
SET maintenance_work_mem = '512MB'
AS $gen$
DECLARE
    v_first  date;
    v_last   date;
    v_mult   float8;          -- event volume multiplier (city is a load-test scale)
    v_salt   bigint;          -- salt base derived from the seed
    v_y0     int;
    v_maxmi  int;
    v_ms     timestamp;
    v_code   text;
    v_park   text;
    v_gap    text;
    v_n      int;
    h        record;
    v_sum    text;
BEGIN
    IF scale IS NULL OR scale NOT IN ('small', 'city') THEN
        RAISE EXCEPTION 'demo.generate: unknown scale %', coalesce(quote_literal(scale), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'scale must be ''small'' or ''city''';
    END IF;
    IF hotspots IS NULL OR hotspots NOT IN ('classic', 'detection') THEN
        RAISE EXCEPTION 'demo.generate: unknown hotspots %', coalesce(quote_literal(hotspots), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'hotspots must be ''classic'' (the demo''s six kinds) or ''detection'' (issue 12: burglary doublings)';
    END IF;
    IF seed IS NULL THEN
        RAISE EXCEPTION 'demo.generate: seed must not be NULL'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    IF scale = 'small' THEN
        v_first := '2024-01-01'; v_last := '2025-12-01'; v_mult := 1.0;
    ELSE
        v_first := '2023-01-01'; v_last := '2025-12-01'; v_mult := 3.3;
    END IF;
    v_salt := seed::bigint * 1000003;
    v_y0 := extract(year FROM v_first)::int;

    -- empty everything, drop departmental indexes for a fast load
    PERFORM demo._dept_indexes(false);
    TRUNCATE demo.meta, demo.hotspot, demo.population, demo.region,
             demo.police_incident, demo.fire_alarm, demo.complaint, demo.mediation,
             demo.petition, demo.worksafety_incident, demo.traffic_accident;

    INSERT INTO demo.meta VALUES
        ('scale', scale), ('seed', seed::text),
        ('first_month', to_char(v_first, 'YYYY-MM-DD')), ('last_month', to_char(v_last, 'YYYY-MM-DD'));  -- not ::text: DateStyle

    DROP TABLE IF EXISTS _sf, _m, _d, _s, _nm, _c, _e, _rate, _hspec, _hc, _cell;

    -- Spring Festival (春节) dates
    CREATE TEMP TABLE _sf (d date);
    INSERT INTO _sf VALUES
        ('2015-02-19'),('2016-02-08'),('2017-01-28'),('2018-02-16'),('2019-02-05'),
        ('2020-01-25'),('2021-02-12'),('2022-02-01'),('2023-01-22'),('2024-02-10'),
        ('2025-01-29'),('2026-02-17'),('2027-02-06'),('2028-01-26'),('2029-02-13'),('2030-02-03');

    -- months (local calendar months, Asia/Shanghai)
    CREATE TEMP TABLE _m AS
    SELECT (row_number() OVER (ORDER BY g.t))::int - 1                          AS mi,
           g.t                                                                   AS ms,
           extract(year FROM g.t)::int                                           AS yr,
           extract(month FROM g.t)::int                                          AS moy,
           extract(day FROM g.t + interval '1 month' - interval '1 day')::int    AS days,
           EXISTS (SELECT 1 FROM _sf WHERE _sf.d >= g.t AND _sf.d < g.t + interval '1 month') AS is_sf
    FROM generate_series(v_first::timestamp, v_last::timestamp, interval '1 month') AS g(t);
    SELECT max(mi) INTO v_maxmi FROM _m;

    --------------------------------------------------------------------------
    -- Regions
    --------------------------------------------------------------------------
    -- districts: 6-digit prefix, name, class (urban / suburban / zone), streets, towns
    CREATE TEMP TABLE _d (dcode text, name text, cls text, n_st int, n_town int);
    IF scale = 'small' THEN
        INSERT INTO _d VALUES ('420106', '武昌区', 'urban', 9, 1);
    ELSE
        INSERT INTO _d VALUES
            ('420102', '江岸区',   'urban', 16, 0),
            ('420103', '江汉区',   'urban', 13, 0),
            ('420104', '硚口区',   'urban', 11, 0),
            ('420105', '汉阳区',   'urban', 12, 0),
            ('420106', '武昌区',   'urban', 14, 0),
            ('420107', '青山区',   'urban', 10, 0),
            ('420111', '洪山区',   'urban', 12, 0),
            ('420112', '东西湖区', 'suburban', 6, 1),
            ('420113', '汉南区',   'suburban', 2, 3),
            ('420114', '蔡甸区',   'suburban', 4, 5),
            ('420115', '江夏区',   'suburban', 5, 6),
            ('420116', '黄陂区',   'suburban', 4, 8),
            ('420117', '新洲区',   'suburban', 4, 7),
            ('420171', '东湖新技术开发区', 'zone', 8, 0),
            ('420172', '武汉经济技术开发区', 'zone', 7, 0);
    END IF;

    -- streets (街道, codes xxx001..) and towns (镇, codes xxx101..)
    CREATE TEMP TABLE _s AS
    SELECT d.dcode || lpad(i::text, 3, '0') || '000' AS code, d.dcode, d.cls, 'street'::text AS kind, i AS ord
    FROM _d d, generate_series(1, d.n_st) AS i
    UNION ALL
    SELECT d.dcode || (100 + j)::text || '000', d.dcode, d.cls, 'town', 100 + j
    FROM _d d, generate_series(1, d.n_town) AS j;

    -- communities per street/town
    CREATE TEMP TABLE _c AS
    WITH cnt AS (
        SELECT s.*,
               CASE WHEN scale = 'small' THEN
                        CASE s.kind WHEN 'street' THEN 9 + floor(demo.u(s.code::bigint, v_salt + 101) * 4)::int ELSE 1 END
                    WHEN s.kind = 'town' THEN 1 + floor(demo.u(s.code::bigint, v_salt + 101) * 3)::int
                    WHEN s.cls = 'suburban' THEN 6 + floor(demo.u(s.code::bigint, v_salt + 101) * 7)::int
                    ELSE 13 + floor(demo.u(s.code::bigint, v_salt + 101) * 15)::int
               END AS n_c,
               CASE WHEN scale = 'small' THEN
                        CASE s.kind WHEN 'town' THEN 7 + floor(demo.u(s.code::bigint, v_salt + 102) * 3)::int ELSE 0 END
                    WHEN s.kind = 'town' THEN 12 + floor(demo.u(s.code::bigint, v_salt + 102) * 15)::int
                    WHEN s.cls = 'suburban' THEN 3 + floor(demo.u(s.code::bigint, v_salt + 102) * 7)::int
                    WHEN s.dcode IN ('420111', '420171', '420172') AND demo.u(s.code::bigint, v_salt + 103) < 0.5
                        THEN 1 + floor(demo.u(s.code::bigint, v_salt + 102) * 5)::int
                    ELSE 0
               END AS n_v
        FROM _s s
    )
    SELECT substr(cnt.code, 1, 9) || lpad((CASE WHEN k.kind = 'village' THEN 200 ELSE 0 END + k.i)::text, 3, '0') AS code,
           cnt.code AS scode, cnt.dcode, cnt.cls, cnt.kind AS skind, k.kind,
           row_number() OVER (PARTITION BY cnt.code ORDER BY k.kind = 'village', k.i) AS rn,
           false AS park, false AS used
    FROM cnt
    CROSS JOIN LATERAL (
        SELECT 'urban_community'::text AS kind, i FROM generate_series(1, cnt.n_c) AS i
        UNION ALL
        SELECT 'village', i FROM generate_series(1, cnt.n_v) AS i
    ) AS k;
    ALTER TABLE _c ADD COLUMN code_int bigint, ADD COLUMN risk float8;
    UPDATE _c SET code_int = code::bigint,
                  risk = exp(0.30 * demo.z(code::bigint, v_salt + 200));

    -- names: distinct two-character bases per parent, suffix by kind
    CREATE TEMP TABLE _nm AS
    WITH a AS (SELECT string_to_array('中,南,水,果,白,沙,紫,阳,首,义,徐,杨,积,玉,黄,鹤,珞,东,西,北,新,和,平,长,江,华,安,福,康,宏,兴,盛,荣,桂,梅,兰,竹,松,柳,青,石,金,银,凤,龙,洪,晴,宝,丰,永,胜,利,民,建,光', ',') AS a,
                      string_to_array('湖,山,桥,港,洲,阳,家,园,沙,林,岭,庄,坪,塘,湾,河,台,坡,口,桃,花,城,店,苑,堤,亭,泉,岗,堰,溪,滩,坝,田,苗,丰,源,乐,福,安,宁,昌,盛,隆,和,春', ',') AS b),
    parents AS (
        SELECT dcode || '000000' AS pcode FROM _d
        UNION ALL SELECT code FROM _s
    ),
    cand AS (
        SELECT p.pcode, j,
               a.a[1 + floor(demo.u(p.pcode::bigint * 1000 + j, v_salt + 300) * cardinality(a.a))::int]
            || a.b[1 + floor(demo.u(p.pcode::bigint * 1000 + j, v_salt + 301) * cardinality(a.b))::int] AS base
        FROM parents p, a, generate_series(1, 400) AS j
    ),
    dedup AS (
        SELECT pcode, base, min(j) AS j FROM cand
        WHERE substr(base, 1, 1) <> substr(base, 2, 1)
        GROUP BY pcode, base
    )
    SELECT pcode, base, row_number() OVER (PARTITION BY pcode ORDER BY j) AS rn FROM dedup;

    -- one urban community becomes an industrial park with 0 residents (prefer a development zone)
    SELECT c.code INTO v_park FROM _c c
    WHERE c.kind = 'urban_community' AND c.skind = 'street'
    ORDER BY c.cls = 'zone' DESC, demo.u(c.code_int, v_salt + 400), c.code LIMIT 1;
    UPDATE _c SET park = true, used = true WHERE code = v_park;

    INSERT INTO demo.region (code, parent_code, level, name_zh, kind) VALUES
        ('420100000000', NULL, 'city', '武汉市', 'city');
    INSERT INTO demo.region (code, parent_code, level, name_zh, kind)
    SELECT dcode || '000000', '420100000000', 'district', name,
           CASE cls WHEN 'zone' THEN 'development_zone' ELSE 'district' END
    FROM _d ORDER BY dcode;
    INSERT INTO demo.region (code, parent_code, level, name_zh, kind)
    SELECT s.code, s.dcode || '000000', 'street',
           n.base || CASE WHEN s.kind = 'town' THEN '镇'
                          ELSE (ARRAY['', '', '', '路', '门', '桥'])[1 + floor(demo.u(s.code::bigint, v_salt + 310) * 6)::int] || '街道' END,
           s.kind
    FROM _s s
    JOIN (SELECT s2.code, row_number() OVER (PARTITION BY s2.dcode ORDER BY s2.ord) AS rn FROM _s s2) AS o ON o.code = s.code
    JOIN _nm n ON n.pcode = s.dcode || '000000' AND n.rn = o.rn
    ORDER BY s.code;
    INSERT INTO demo.region (code, parent_code, level, name_zh, kind)
    SELECT c.code, c.scode, 'community',
           n.base || CASE WHEN c.park THEN '工业园社区'
                          WHEN c.kind = 'village'
                              THEN (ARRAY['', '', '湾', '岗', '咀', '畈', '台', '垸'])[1 + floor(demo.u(c.code_int, v_salt + 311) * 8)::int] || '村'
                          ELSE (ARRAY['', '', '', '园', '苑', '里', '坊', '新村', '花园'])[1 + floor(demo.u(c.code_int, v_salt + 311) * 9)::int] || '社区' END,
           c.kind
    FROM _c c JOIN _nm n ON n.pcode = c.scode AND n.rn = c.rn
    ORDER BY c.code;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    IF v_n <> (SELECT count(*) FROM _c) THEN
        RAISE EXCEPTION 'demo.generate: internal error, % names for % communities', v_n, (SELECT count(*) FROM _c);
    END IF;

    --------------------------------------------------------------------------
    -- Population (community level) and exposure used for the event means
    --------------------------------------------------------------------------
    -- residents: log-normal; villages of a few hundred, urban communities of a few thousand,
    -- plus large new-build estates (20,000+): one per district for sure, and ~1% of the rest
    CREATE TEMP TABLE _e AS
    WITH big AS (
        SELECT DISTINCT ON (c.dcode) c.code FROM _c c
        WHERE c.kind = 'urban_community' AND c.skind = 'street' AND NOT c.park
        ORDER BY c.dcode, demo.u(c.code_int, v_salt + 520), c.code
    ),
    base AS (
        SELECT c.code, c.code_int, c.park,
               CASE WHEN c.kind = 'village'
                        THEN least(6000, greatest(120, exp(ln(800) + 0.7 * demo.z(c.code_int, v_salt + 500))))
                    WHEN NOT c.park AND (c.code IN (SELECT code FROM big) OR demo.u(c.code_int, v_salt + 522) < 0.01)
                        THEN 20000 + 16000 * demo.u(c.code_int, v_salt + 524)
                    WHEN c.cls = 'suburban' OR c.skind = 'town'
                        THEN least(40000, greatest(300, exp(ln(2400) + 0.6 * demo.z(c.code_int, v_salt + 500))))
                    ELSE least(60000, greatest(400, exp(ln(3200) + 0.7 * demo.z(c.code_int, v_salt + 500))))
               END AS r0,
               CASE WHEN c.kind = 'village' THEN -0.010 + 0.010 * demo.z(c.code_int, v_salt + 502)
                    ELSE 0.005 + 0.020 * demo.z(c.code_int, v_salt + 502) END AS g,
               CASE WHEN c.kind = 'village' THEN exp(ln(1.20) + 0.10 * demo.z(c.code_int, v_salt + 504))
                    ELSE exp(ln(0.85) + 0.25 * demo.z(c.code_int, v_salt + 504)) END AS reg_ratio
        FROM _c c
    )
    SELECT b.code, y.yr, b.park,
           round(b.r0 * power(1 + b.g, y.yr - v_y0) * (1 + 0.004 * demo.z(b.code_int * 16 + (y.yr - v_y0), v_salt + 506)))::int AS resident,
           round(b.r0 * b.reg_ratio * power(1 + b.g / 3, y.yr - v_y0) * (1 + 0.002 * demo.z(b.code_int * 16 + (y.yr - v_y0), v_salt + 508)))::int AS registered,
           0::float8 AS expo
    FROM base b, (SELECT DISTINCT yr FROM _m) AS y;
    -- the park: nobody lives there, ~5000 people work there (exposure for the event means)
    UPDATE _e SET expo = CASE WHEN park THEN 5000 ELSE resident END,
                  resident = CASE WHEN park THEN 0 ELSE resident END,
                  registered = CASE WHEN park THEN 0 ELSE registered END;

    --------------------------------------------------------------------------
    -- Rates: per 10,000 exposure per month, before v_mult.
    -- season = 1 + amp*cos(2pi(month-peak)/12); sf = factor in the Spring Festival month;
    -- trend = factor per year relative to 2024; vil/park = modifiers for villages / the park;
    -- phase/tamp = time-of-day peak (fraction of day) and diurnal strength.
    --------------------------------------------------------------------------
    CREATE TEMP TABLE _rate (src int, tbl text, cat text, ci int, base float8, vil float8, park float8,
                             amp float8, peak int, sf float8, trend float8, phase float8, tamp float8);
    INSERT INTO _rate VALUES
        (1, 'police_incident', 'burglary',       1,  4.0, 0.7, 0.3, 0.15,  8, 1.3, 0.90, 0.12, 0.5),
        (1, 'police_incident', 'ebike_theft',    2,  8.0, 0.5, 0.8, 0.25,  7, 0.8, 0.95, 0.05, 0.5),
        (1, 'police_incident', 'other_theft',    3, 14.0, 0.5, 0.6, 0.15,  7, 1.1, 0.97, 0.60, 0.5),
        (1, 'police_incident', 'fraud',          4,  7.0, 0.7, 0.3, 0.05, 12, 1.2, 0.97, 0.50, 0.6),
        (1, 'police_incident', 'telecom_fraud',  5,  6.0, 0.8, 0.3, 0.05, 11, 1.1, 1.20, 0.60, 0.6),
        (1, 'police_incident', 'assault',        6,  8.0, 0.9, 0.5, 0.20,  7, 1.2, 1.00, 0.90, 0.6),
        (1, 'police_incident', 'robbery',        7,  0.6, 0.6, 0.3, 0.10, 12, 1.2, 0.90, 0.95, 0.5),
        (1, 'police_incident', 'disorder',       8, 50.0, 0.7, 0.4, 0.20,  7, 1.3, 1.00, 0.92, 0.6),
        (1, 'police_incident', 'other',          9, 52.4, 0.8, 0.6, 0.10,  8, 1.1, 1.02, 0.55, 0.5),
        (2, 'fire_alarm',      '',               0,  3.0, 1.5, 2.0, 0.30,  1, 1.8, 1.00, 0.60, 0.5),
        (3, 'complaint', 'property_mgmt',        1,  7.0, 0.3, 0.3, 0.10,  8, 0.6, 1.05, 0.42, 0.85),
        (3, 'complaint', 'environment',          2,  5.0, 0.6, 0.5, 0.30,  7, 0.6, 1.00, 0.42, 0.85),
        (3, 'complaint', 'consumer',             3,  4.0, 0.5, 0.3, 0.10, 11, 0.8, 1.03, 0.42, 0.85),
        (3, 'complaint', 'housing',              4,  3.0, 0.4, 0.2, 0.10,  6, 0.6, 1.00, 0.42, 0.85),
        (3, 'complaint', 'transport',            5,  3.0, 0.6, 0.5, 0.10,  9, 0.9, 1.00, 0.42, 0.85),
        (3, 'complaint', 'food_safety',          6,  2.0, 0.6, 0.5, 0.20,  8, 1.0, 1.00, 0.42, 0.85),
        (3, 'complaint', 'education',            7,  2.0, 0.7, 0.1, 0.30,  9, 0.4, 1.00, 0.42, 0.85),
        (3, 'complaint', 'healthcare',           8,  1.5, 0.7, 0.2, 0.10,  1, 0.8, 1.00, 0.42, 0.85),
        (3, 'complaint', 'finance',              9,  1.5, 0.5, 0.2, 0.05,  3, 0.7, 1.05, 0.42, 0.85),
        (3, 'complaint', 'labour',              10,  1.0, 1.0, 2.0, 0.20,  1, 1.5, 1.00, 0.42, 0.85),
        (4, 'mediation',       '',               0, 12.0, 1.4, 0.4, 0.10,  1, 0.6, 1.00, 0.42, 0.9),
        (5, 'petition',        '',               0,  1.5, 1.3, 0.3, 0.15,  3, 0.5, 0.97, 0.42, 0.9),
        (6, 'worksafety_incident', '',           0, 0.25, 3.0, 12.0, 0.20, 7, 0.5, 0.92, 0.45, 0.7),
        (7, 'traffic_accident', '',              0,  5.0, 2.2, 2.5, 0.15, 12, 1.3, 0.97, 0.50, 0.5);

    --------------------------------------------------------------------------
    -- Hotspots (ground truth; applied below)
    --------------------------------------------------------------------------
    CREATE TEMP TABLE _hspec (ord int, tbl text, cat text, factor numeric, dur int,
                              n_small int, n_city int, elig text, winter boolean);
    INSERT INTO _hspec VALUES
        (1, 'police_incident',  'burglary',       4.0, 3, 1, 4, 'urban',   false),
        (2, 'police_incident',  'telecom_fraud',  3.0, 2, 1, 3, 'urban',   false),
        (3, 'fire_alarm',       NULL,             2.5, 3, 1, 3, 'urban',   true),
        (4, 'complaint',        'property_mgmt',  5.0, 3, 1, 3, 'urban',   false),
        (5, 'petition',         NULL,            10.0, 2, 1, 2, 'village', false),
        (6, 'traffic_accident', NULL,             3.0, 3, 1, 2, 'town',    false);

    IF hotspots = 'classic' THEN
        FOR h IN SELECT hs.*, i FROM _hspec hs,
                 generate_series(1, CASE WHEN scale = 'small' THEN hs.n_small ELSE hs.n_city END) AS i
                 ORDER BY hs.ord, i LOOP
            -- start month: from the second year on (so a previous-year baseline exists)
            SELECT m.ms INTO v_ms FROM _m m
            WHERE m.mi >= 12 AND m.mi + h.dur - 1 <= v_maxmi AND (NOT h.winter OR m.moy IN (11, 12, 1))
            ORDER BY demo.u(m.mi, v_salt + 600 + h.ord * 10 + h.i), m.mi LIMIT 1;
            IF h.elig = 'town' THEN
                SELECT t.code INTO v_code FROM _s t
                WHERE t.kind = 'town'
                  AND NOT EXISTS (SELECT 1 FROM demo.hotspot ht JOIN _c c ON c.code = ht.community_code
                                  WHERE ht.source = h.tbl AND c.scode = t.code)
                ORDER BY demo.u(t.code::bigint, v_salt + 700 + h.ord * 10 + h.i), t.code LIMIT 1;
                INSERT INTO demo.hotspot
                SELECT c.code, h.tbl, h.cat, v_ms::date, (v_ms + (h.dur - 1) * interval '1 month')::date, h.factor
                FROM _c c WHERE c.scode = v_code;
            ELSE
                SELECT c.code INTO v_code FROM _c c JOIN _e e ON e.code = c.code AND e.yr = v_y0
                WHERE NOT c.used
                  AND c.kind = CASE h.elig WHEN 'village' THEN 'village' ELSE 'urban_community' END
                ORDER BY CASE WHEN h.elig = 'village' THEN e.expo >= 1200 ELSE e.expo BETWEEN 3000 AND 20000 END DESC,
                         demo.u(c.code_int, v_salt + 700 + h.ord * 10 + h.i), c.code
                LIMIT 1;
                INSERT INTO demo.hotspot VALUES
                    (v_code, h.tbl, h.cat, v_ms::date, (v_ms + (h.dur - 1) * interval '1 month')::date, h.factor);
                UPDATE _c SET used = true WHERE code = v_code;
            END IF;
        END LOOP;
    ELSE
        -- issue 12 (test/detection.sh): a doubling of burglary from a random month of the
        -- second year or later up to 3 months before the last, for 6 months (cut at the
        -- last month), in communities of
        -- three sizes by their expected monthly burglaries in the first year (about
        -- 4 / 10,000 residents * the scale's multiplier): small (< 1.5), medium (1.5-4),
        -- large (>= 4); city: 16 of each, small: 4 of each; no industrial-park community.
        INSERT INTO demo.hotspot (community_code, source, category, first_month, last_month, factor)
        SELECT x.code, 'police_incident', 'burglary', m.ms::date,
               (m.ms + interval '5 months')::date, 2.0
        FROM (
            SELECT c.code, c.code_int,
                   row_number() OVER (PARTITION BY CASE WHEN e.expo / 10000.0 * 4.0 * v_mult < 1.5 THEN 1
                                                        WHEN e.expo / 10000.0 * 4.0 * v_mult < 4 THEN 2 ELSE 3 END
                                      ORDER BY demo.u(c.code_int, v_salt + 650), c.code) AS rn
            FROM _c c JOIN _e e ON e.code = c.code AND e.yr = v_y0
            WHERE NOT c.park
        ) x
        JOIN _m m ON m.mi = 12 + floor(demo.u(x.code_int, v_salt + 660) * (v_maxmi - 2 - 12 + 1))::int
        WHERE x.rn <= CASE WHEN scale = 'small' THEN 4 ELSE 16 END;
        UPDATE demo.hotspot SET last_month = least(last_month, v_last);
    END IF;

    CREATE TEMP TABLE _hc AS
    SELECT ht.community_code AS code, r.src, r.cat, m.ms, exp(sum(ln(ht.factor::float8))) AS factor
    FROM demo.hotspot ht
    JOIN _rate r ON r.tbl = ht.source AND (ht.category IS NULL OR ht.category = r.cat)
    JOIN _m m ON m.ms::date BETWEEN ht.first_month AND ht.last_month
    GROUP BY 1, 2, 3, 4;

    -- one ordinary urban community misses its figure for the latest year (a data gap)
    SELECT c.code INTO v_gap FROM _c c
    WHERE NOT c.used AND c.kind = 'urban_community' AND c.skind = 'street'
    ORDER BY demo.u(c.code_int, v_salt + 800), c.code LIMIT 1;

    INSERT INTO demo.population (region_code, year, registered, resident)
    SELECT code, yr, registered, resident FROM _e
    WHERE NOT (code = v_gap AND yr = extract(year FROM v_last)::int)
    ORDER BY code, yr;

    --------------------------------------------------------------------------
    -- Event counts per community x month x category (Poisson), with dense id offsets
    --------------------------------------------------------------------------
    ANALYZE _m, _c, _e, _rate, _hc;
    CREATE TEMP TABLE _cell AS
    WITH x AS (
        SELECT r.src, r.cat, r.ci, r.phase, r.tamp, m.mi, m.ms, m.days, m.is_sf, c.code, c.kind, c.park,
               ((c.code_int * 128 + m.mi) * 32 + r.ci) * 8 + r.src AS key,
               e.expo / 10000.0 * r.base * v_mult
                 * (1 + r.amp * cos(2 * pi() * (m.moy - r.peak) / 12.0))
                 * CASE WHEN m.is_sf THEN r.sf ELSE 1 END
                 * power(r.trend, m.yr - 2024)
                 * CASE WHEN c.park THEN r.park WHEN c.kind = 'village' THEN r.vil ELSE 1 END
                 * c.risk
                 * exp(0.20 * demo.z(c.code_int * 8 + r.src, v_salt + 900) + 0.12 * demo.z((c.code_int * 32 + r.ci) * 8 + r.src, v_salt + 902))
                 * coalesce(hc.factor, 1) AS lam
        FROM _rate r
        CROSS JOIN _m m
        CROSS JOIN _c c
        JOIN _e e ON e.code = c.code AND e.yr = m.yr
        LEFT JOIN _hc hc ON hc.code = c.code AND hc.src = r.src AND hc.cat = r.cat AND hc.ms = m.ms
    ),
    n AS MATERIALIZED (   -- materialized: the draw must be evaluated once per cell
        SELECT x.*, demo.poisson(lam, demo.u(key, v_salt + 910), demo.z(key, v_salt + 912)) AS n FROM x
    )
    SELECT src, cat, phase, tamp, mi, ms, days, is_sf, code, kind, park, n,
           sum(n) OVER (PARTITION BY src ORDER BY mi, code, ci ROWS UNBOUNDED PRECEDING) - n AS id0
    FROM n WHERE n > 0;

    -- issue 12: the true expected burglaries of every community-month without the
    -- hotspots' factor (the same formula as lam above), for the oracle of test/detection.sh.
    IF hotspots = 'detection' THEN
        CREATE TABLE IF NOT EXISTS demo.truth (
            community_code text NOT NULL,
            month          date NOT NULL,
            expected       float8 NOT NULL,
            PRIMARY KEY (community_code, month)
        );
        COMMENT ON TABLE demo.truth IS 'issue 12 ground truth: expected burglaries of each community-month before any hotspot factor (demo.generate(..., hotspots => ''detection''))';
        TRUNCATE demo.truth;
        INSERT INTO demo.truth
        SELECT c.code, m.ms::date,
               e.expo / 10000.0 * r.base * v_mult
                 * (1 + r.amp * cos(2 * pi() * (m.moy - r.peak) / 12.0))
                 * CASE WHEN m.is_sf THEN r.sf ELSE 1 END
                 * power(r.trend, m.yr - 2024)
                 * CASE WHEN c.park THEN r.park WHEN c.kind = 'village' THEN r.vil ELSE 1 END
                 * c.risk
                 * exp(0.20 * demo.z(c.code_int * 8 + r.src, v_salt + 900) + 0.12 * demo.z((c.code_int * 32 + r.ci) * 8 + r.src, v_salt + 902))
        FROM _rate r
        CROSS JOIN _m m
        CROSS JOIN _c c
        JOIN _e e ON e.code = c.code AND e.yr = m.yr
        WHERE r.src = 1 AND r.cat = 'burglary';
    ELSE
        DROP TABLE IF EXISTS demo.truth;
    END IF;

    --------------------------------------------------------------------------
    -- Departmental rows
    --------------------------------------------------------------------------
    INSERT INTO demo.police_incident (id, reported_at, community_code, category, is_criminal)
    SELECT c.id0 + k,
           demo.event_time(c.ms, c.days, c.id0 + k, v_salt + 1010, c.phase, c.tamp),
           demo.dirty_code(c.code, c.id0 + k, v_salt + 1020),
           c.cat,
           c.cat NOT IN ('disorder', 'other')
             OR demo.u(c.id0 + k, v_salt + 1030) < CASE c.cat WHEN 'disorder' THEN 0.15 ELSE 0.05 END
    FROM _cell c CROSS JOIN LATERAL generate_series(1, c.n) AS k
    WHERE c.src = 1;

    INSERT INTO demo.fire_alarm (id, alarm_at, community_code, cause, is_false_alarm)
    SELECT c.id0 + k,
           demo.event_time(c.ms, c.days, c.id0 + k, v_salt + 2010, c.phase, c.tamp),
           demo.dirty_code(c.code, c.id0 + k, v_salt + 2020),
           (ARRAY['electrical','cooking','smoking','fireworks','rubbish','vehicle','arson','other'])
             [1 + CASE WHEN c.is_sf
                       THEN width_bucket(demo.u(c.id0 + k, v_salt + 2030), ARRAY[0.22,0.33,0.40,0.65,0.79,0.85,0.865]::float8[])
                       ELSE width_bucket(demo.u(c.id0 + k, v_salt + 2030), ARRAY[0.30,0.45,0.55,0.57,0.75,0.83,0.85]::float8[]) END],
           demo.u(c.id0 + k, v_salt + 2040) < 0.25
    FROM _cell c CROSS JOIN LATERAL generate_series(1, c.n) AS k
    WHERE c.src = 2;

    INSERT INTO demo.complaint (id, received_at, community_code, sector, is_key_sector)
    SELECT c.id0 + k,
           demo.event_time(c.ms, c.days, c.id0 + k, v_salt + 3010, c.phase, c.tamp),
           demo.dirty_code(c.code, c.id0 + k, v_salt + 3020),
           c.cat,
           c.cat IN ('property_mgmt', 'food_safety', 'education', 'healthcare', 'finance', 'housing')
    FROM _cell c CROSS JOIN LATERAL generate_series(1, c.n) AS k
    WHERE c.src = 3;

    INSERT INTO demo.mediation (id, opened_at, community_code, dispute_type, outcome)
    SELECT c.id0 + k,
           demo.event_time(c.ms, c.days, c.id0 + k, v_salt + 4010, c.phase, c.tamp),
           demo.dirty_code(c.code, c.id0 + k, v_salt + 4020),
           CASE WHEN c.kind = 'village'
                THEN (ARRAY['land','neighbour','family','marriage','labour','contract','damages','other'])
                       [1 + width_bucket(demo.u(c.id0 + k, v_salt + 4030), ARRAY[0.20,0.40,0.60,0.70,0.78,0.83,0.93]::float8[])]
                ELSE (ARRAY['neighbour','family','marriage','property_service','labour','contract','damages','land','other'])
                       [1 + width_bucket(demo.u(c.id0 + k, v_salt + 4030), ARRAY[0.25,0.40,0.48,0.58,0.68,0.76,0.88,0.90]::float8[])]
           END,
           CASE WHEN demo.u(c.id0 + k, v_salt + 4040) < CASE v_maxmi - c.mi WHEN 0 THEN 0.45 WHEN 1 THEN 0.15 WHEN 2 THEN 0.04 ELSE 0.005 END
                    THEN 'pending'
                WHEN demo.u(c.id0 + k, v_salt + 4050) < 0.65 + 0.25 * demo.u(c.code::bigint, v_salt + 4060) THEN 'success'
                WHEN demo.u(c.id0 + k, v_salt + 4070) < 0.65 THEN 'failed'
                ELSE 'withdrawn'
           END
    FROM _cell c CROSS JOIN LATERAL generate_series(1, c.n) AS k
    WHERE c.src = 4;

    INSERT INTO demo.petition (id, filed_at, community_code, is_collective, persons)
    SELECT c.id0 + k,
           demo.event_time(c.ms, c.days, c.id0 + k, v_salt + 5010, c.phase, c.tamp),
           demo.dirty_code(c.code, c.id0 + k, v_salt + 5020),
           demo.u(c.id0 + k, v_salt + 5030) < CASE WHEN c.kind = 'village' THEN 0.12 ELSE 0.07 END,
           CASE WHEN demo.u(c.id0 + k, v_salt + 5030) < CASE WHEN c.kind = 'village' THEN 0.12 ELSE 0.07 END
                THEN least(300, 5 + floor(-ln(1 - demo.u(c.id0 + k, v_salt + 5040)) * 15))::int
                ELSE 1 + width_bucket(demo.u(c.id0 + k, v_salt + 5040), ARRAY[0.80, 0.95]::float8[])
           END
    FROM _cell c CROSS JOIN LATERAL generate_series(1, c.n) AS k
    WHERE c.src = 5;

    INSERT INTO demo.worksafety_incident (id, occurred_at, community_code, industry, deaths, injuries)
    SELECT c.id0 + k,
           demo.event_time(c.ms, c.days, c.id0 + k, v_salt + 6010, c.phase, c.tamp),
           demo.dirty_code(c.code, c.id0 + k, v_salt + 6020),
           CASE WHEN c.park
                THEN (ARRAY['manufacturing','hazchem','construction','transport','commerce','other'])
                       [1 + width_bucket(demo.u(c.id0 + k, v_salt + 6030), ARRAY[0.55,0.70,0.85,0.92,0.96]::float8[])]
                ELSE (ARRAY['construction','manufacturing','commerce','transport','hazchem','other'])
                       [1 + width_bucket(demo.u(c.id0 + k, v_salt + 6030), ARRAY[0.35,0.60,0.72,0.82,0.87]::float8[])]
           END,
           width_bucket(demo.u(c.id0 + k, v_salt + 6040), ARRAY[0.80, 0.96, 0.99, 0.997]::float8[]),
           floor(-ln(1 - demo.u(c.id0 + k, v_salt + 6050)) * 1.2)::int
    FROM _cell c CROSS JOIN LATERAL generate_series(1, c.n) AS k
    WHERE c.src = 6;

    INSERT INTO demo.traffic_accident (id, occurred_at, community_code, deaths, injuries)
    SELECT c.id0 + k,
           demo.event_time(c.ms, c.days, c.id0 + k, v_salt + 7010, c.phase, c.tamp),
           demo.dirty_code(c.code, c.id0 + k, v_salt + 7020),
           width_bucket(demo.u(c.id0 + k, v_salt + 7030), ARRAY[0.95, 0.99]::float8[]),
           CASE WHEN demo.u(c.id0 + k, v_salt + 7040) < 0.25 THEN 0
                ELSE 1 + floor(-ln(1 - demo.u(c.id0 + k, v_salt + 7050)) * 0.8)::int END
    FROM _cell c CROSS JOIN LATERAL generate_series(1, c.n) AS k
    WHERE c.src = 7;

    --------------------------------------------------------------------------
    -- Indexes, statistics, summary
    --------------------------------------------------------------------------
    PERFORM demo._dept_indexes(true);
    ANALYZE demo.meta, demo.region, demo.population, demo.hotspot,
            demo.police_incident, demo.fire_alarm, demo.complaint, demo.mediation,
            demo.petition, demo.worksafety_incident, demo.traffic_accident;

    SELECT format('demo %s seed %s, %s..%s: %s districts, %s streets/towns, %s communities (%s villages), '
                  '%s residents in %s; police_incident %s, fire_alarm %s, complaint %s, mediation %s, '
                  'petition %s, worksafety_incident %s, traffic_accident %s rows; %s hotspot rows; '
                  '0 residents: %s; no %s population: %s',
                  scale, seed, to_char(v_first, 'YYYY-MM'), to_char(v_last, 'YYYY-MM'),
                  (SELECT count(*) FROM _d), (SELECT count(*) FROM _s),
                  (SELECT count(*) FROM _c), (SELECT count(*) FROM _c WHERE kind = 'village'),
                  (SELECT sum(resident) FROM demo.population WHERE year = extract(year FROM v_last)::int),
                  extract(year FROM v_last),
                  (SELECT sum(n) FROM _cell WHERE src = 1), (SELECT coalesce(sum(n), 0) FROM _cell WHERE src = 2),
                  (SELECT coalesce(sum(n), 0) FROM _cell WHERE src = 3), (SELECT coalesce(sum(n), 0) FROM _cell WHERE src = 4),
                  (SELECT coalesce(sum(n), 0) FROM _cell WHERE src = 5), (SELECT coalesce(sum(n), 0) FROM _cell WHERE src = 6),
                  (SELECT coalesce(sum(n), 0) FROM _cell WHERE src = 7),
                  (SELECT count(*) FROM demo.hotspot),
                  v_park, extract(year FROM v_last), v_gap)
      INTO v_sum;

    DROP TABLE _sf, _m, _d, _s, _nm, _c, _e, _rate, _hspec, _hc, _cell;
    RETURN v_sum;
END
$gen$;

COMMENT ON FUNCTION demo.generate(text, int, text) IS
    'demo.generate(scale => ''small''|''city'', seed => int, hotspots => ''classic''|''detection''): refill the demo tables deterministically; returns a one-line summary';

\if :{?scale}
SELECT demo.generate(:'scale');
\endif
