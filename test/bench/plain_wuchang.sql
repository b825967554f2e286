-- test/bench/plain_wuchang.sql: the plain-SQL equivalent of every result
-- safeidx materializes for Wuchang over the demo city, 2025 (rebuild e3 of
-- test/bench/engine.sql): what a data team would write by hand -- one GROUP
-- BY per departmental table (community x local month, 2024-2025), a closure
-- of the region tree to roll events and residents up to every street,
-- district and the city, last year's district rate as baseline, the criminal
-- count against the same month of 2024, ratio-band scores, the weighted
-- index of version 1.0 (to 2025-06) or 2.0 (from 2025-07), published with 2
-- decimals, grade and rank() among siblings and within the level.  One
-- statement, read-only; no safeidx function.  The benchmark times it and
-- checks that it gives safeidx's results (test/bench/engine.sql, e5).
--
-- The demo's rules it relies on (doc/engine.md): only communities have
-- population figures, by year; a community without one has no rate, and
-- its rows are not counted in its ancestors' rates (but are in their
-- criminal counts); rows coded to a street or district count there; rows
-- with unknown or NULL codes count nowhere.
WITH RECURSIVE
tree (code, parent_code, depth) AS (
    SELECT code, parent_code, 1 FROM demo.region WHERE parent_code IS NULL
    UNION ALL
    SELECT r.code, r.parent_code, t.depth + 1 FROM tree t JOIN demo.region r ON r.parent_code = t.code),
-- every region with itself and each of its ancestors
up (code, anc) AS (
    SELECT code, code FROM demo.region
    UNION ALL
    SELECT u.code, r.parent_code FROM up u JOIN demo.region r ON r.code = u.anc WHERE r.parent_code IS NOT NULL),
district AS MATERIALIZED (          -- the region whose 2024 rate is the baseline
    SELECT u.code, coalesce(min(u.anc) FILTER (WHERE a.depth = 2), u.code) AS district
      FROM up u JOIN tree a ON a.code = u.anc
     GROUP BY u.code),
ind (version, ind, weight, positive, is_rate) AS (VALUES
    ('1.0', 'four_category', 30, false, true), ('1.0', 'criminal_yoy', 20, false, false),
    ('1.0', 'key_complaints', 15, false, true), ('1.0', 'mediation', 15, true, true),
    ('1.0', 'fire', 20, false, true),
    ('2.0', 'four_category', 25, false, true), ('2.0', 'criminal_yoy', 15, false, false),
    ('2.0', 'key_complaints', 10, false, true), ('2.0', 'mediation', 10, true, true),
    ('2.0', 'fire', 15, false, true), ('2.0', 'telecom_fraud', 15, false, true),
    ('2.0', 'worksafety', 10, false, true)),
-- the departmental tables, each read once: rows per code, local month, indicator
raw (code, m, ind, n) AS (
    SELECT p.community_code, p.m, x.ind, x.n
      FROM (SELECT community_code, date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai')::date AS m,
                   count(*) FILTER (WHERE category IN ('burglary', 'ebike_theft', 'other_theft', 'fraud')) AS four,
                   count(*) FILTER (WHERE is_criminal) AS criminal,
                   count(*) FILTER (WHERE category = 'telecom_fraud') AS telecom
              FROM demo.police_incident
             WHERE reported_at >= '2024-01-01 00:00+08' AND reported_at < '2026-01-01 00:00+08'
             GROUP BY 1, 2) p
     CROSS JOIN LATERAL (VALUES ('four_category', p.four), ('criminal_yoy', p.criminal),
                                ('telecom_fraud', p.telecom)) x (ind, n)
    UNION ALL
    SELECT community_code, date_trunc('month', received_at AT TIME ZONE 'Asia/Shanghai')::date, 'key_complaints', count(*)
      FROM demo.complaint
     WHERE is_key_sector AND received_at >= '2024-01-01 00:00+08' AND received_at < '2026-01-01 00:00+08'
     GROUP BY 1, 2
    UNION ALL
    SELECT community_code, date_trunc('month', opened_at AT TIME ZONE 'Asia/Shanghai')::date, 'mediation', count(*)
      FROM demo.mediation
     WHERE outcome = 'success' AND opened_at >= '2024-01-01 00:00+08' AND opened_at < '2026-01-01 00:00+08'
     GROUP BY 1, 2
    UNION ALL
    SELECT community_code, date_trunc('month', alarm_at AT TIME ZONE 'Asia/Shanghai')::date, 'fire', count(*)
      FROM demo.fire_alarm
     WHERE alarm_at >= '2024-01-01 00:00+08' AND alarm_at < '2026-01-01 00:00+08'
     GROUP BY 1, 2
    UNION ALL
    SELECT community_code, date_trunc('month', occurred_at AT TIME ZONE 'Asia/Shanghai')::date, 'worksafety', count(*)
      FROM demo.worksafety_incident
     WHERE occurred_at >= '2024-01-01 00:00+08' AND occurred_at < '2026-01-01 00:00+08'
     GROUP BY 1, 2),
-- a code's rows count in rates when it has residents: a community with a
-- figure for the year, or any region above the communities
counts AS (
    SELECT r.code, y.y,
           r.level <> 'community' OR EXISTS (SELECT FROM demo.population p WHERE p.region_code = r.code AND p.year = y.y) AS counts
      FROM demo.region r CROSS JOIN (VALUES (2024), (2025)) y (y)),
rolled AS (
    SELECT u.anc AS code, w.m, w.ind, sum(w.n) AS events,
           sum(w.n) FILTER (WHERE c.counts) AS counted
      FROM raw w
      JOIN up u ON u.code = w.code
      JOIN counts c ON c.code = w.code AND c.y = extract(year FROM w.m)
     GROUP BY 1, 2, 3),
residents AS (
    SELECT u.anc AS code, p.year AS y, sum(p.resident)::float8 AS residents
      FROM demo.population p JOIN up u ON u.code = p.region_code
     GROUP BY 1, 2),
months AS (
    SELECT m::date AS m, (m - interval '1 year')::date AS m_last_year,
           CASE WHEN m < '2025-07-01' THEN '1.0' ELSE '2.0' END AS version
      FROM generate_series(timestamp '2025-01-01', '2025-12-01', interval '1 month') m),
baseline AS (                       -- each region's 2024 average monthly rate
    SELECT r.code, w.ind, sum(w.counted)::float8 / 12 / nullif(r.residents, 0) * 10000 AS rate
      FROM residents r JOIN rolled w ON w.code = r.code AND w.m < '2025-01-01'
     WHERE r.y = 2024
     GROUP BY r.code, w.ind, r.residents),
scored AS (
    SELECT t.code, t.parent_code, t.depth, mo.m, i.weight,
           CASE WHEN ratio IS NULL THEN NULL
                WHEN ratio < 0.8 THEN CASE WHEN i.positive THEN 0 ELSE 1 END
                WHEN ratio > 1.2 THEN CASE WHEN i.positive THEN 1 ELSE 0 END
                ELSE 0.8 END AS score
      FROM tree t
     CROSS JOIN months mo
      JOIN ind i ON i.version = mo.version
      JOIN district d ON d.code = t.code
      LEFT JOIN residents res ON res.code = t.code AND res.y = 2025
      LEFT JOIN rolled now ON now.code = t.code AND now.m = mo.m AND now.ind = i.ind
      LEFT JOIN rolled ly ON ly.code = t.code AND ly.m = mo.m_last_year AND ly.ind = i.ind
      LEFT JOIN baseline b ON b.code = d.district AND b.ind = i.ind
     CROSS JOIN LATERAL (
           SELECT CASE WHEN i.is_rate THEN coalesce(now.counted, 0) * 10000 / nullif(res.residents, 0)
                       ELSE coalesce(now.events, 0) END AS value,
                  CASE WHEN i.is_rate THEN coalesce(b.rate, 0) ELSE coalesce(ly.events, 0) END AS base) v
     CROSS JOIN LATERAL (
           SELECT CASE WHEN v.value IS NULL THEN NULL
                       WHEN v.base = 0 THEN CASE WHEN v.value = 0 THEN 1 ELSE 'Infinity'::float8 END
                       ELSE v.value / v.base END AS ratio) q),
indexed AS (
    SELECT code, parent_code, depth, m,
           CASE WHEN count(*) = count(score)
                THEN round((100 * sum(score * weight) / sum(weight))::numeric, 2)::float8 END AS index
      FROM scored GROUP BY 1, 2, 3, 4)
SELECT code AS region_code, m AS period_start, depth, index,
       CASE WHEN index >= 90 THEN 1 WHEN index >= 80 THEN 2 WHEN index >= 70 THEN 3 WHEN index IS NOT NULL THEN 4 END
           AS grade_level,
       CASE WHEN index IS NOT NULL THEN rank() OVER (PARTITION BY m, parent_code, index IS NULL ORDER BY index DESC) END
           AS rank_siblings,
       CASE WHEN index IS NOT NULL THEN rank() OVER (PARTITION BY m, depth, index IS NULL ORDER BY index DESC) END
           AS rank_level
  FROM indexed
