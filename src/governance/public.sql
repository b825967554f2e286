-- public.sql: what residents may see: released, aggregated results only.

-- Deliberately not security_invoker: it reads the release tables with its
-- owner's rights, so that a public role needs SELECT on this view alone
-- (grant_access(role, 'public')).  A security barrier, so that no function
-- of the reader's sees a row before the view's own conditions have kept
-- only released revisions.
CREATE OR REPLACE VIEW @extschema@.public_result WITH (security_barrier = true) AS
WITH latest AS (
    SELECT DISTINCT ON (r.series, r.number) r.*
      FROM @extschema@.release r
     ORDER BY r.series, r.number, r.revision DESC)
SELECT s.series, s.title_zh AS series_zh, l.number, l.period_start, l.released_at,
       x.region_code, x.region_zh, x.depth,
       round(x.index::numeric, v.index_decimals) AS index, b.label_zh AS grade_zh, b.label_en AS grade_en, b.colour,
       x.rank_level, x.rank_siblings,
       p.rank_level - x.rank_level AS rank_change,
       CASE WHEN p.rank_level IS NULL OR x.rank_level IS NULL THEN NULL
            WHEN p.rank_level > x.rank_level THEN 'up'
            WHEN p.rank_level < x.rank_level THEN 'down'
            ELSE 'same' END AS trend,
       l.completeness, l.revision, l.checksum
  FROM latest l
  JOIN @extschema@.release_series s ON s.series = l.series
  JOIN @extschema@.scheme sc ON sc.scheme = s.scheme
  JOIN @extschema@.scheme_version v ON v.scheme = s.scheme AND v.version = l.version
  JOIN @extschema@.release_result x
    ON x.series = l.series AND x.number = l.number AND x.revision = l.revision
  LEFT JOIN @extschema@.grade_band b ON b.scale = sc.grade_scale AND b.level = x.grade_level
  LEFT JOIN latest pl ON pl.series = l.series AND pl.number = l.number - 1
  LEFT JOIN @extschema@.release_result p
    ON p.series = pl.series AND p.number = pl.number AND p.revision = pl.revision AND p.region_code = x.region_code;
COMMENT ON VIEW @extschema@.public_result IS
'for residents: the released results only (latest revision of each release), aggregated: the index with the decimals it is published with, grade and colour, ranks and the trend since the previous release, and the revision''s checksum (which anyone may keep, to check the release later); no indicator detail, no departmental data; grant_access(role, ''public'') gives a role this view and nothing else';
COMMENT ON COLUMN @extschema@.public_result.completeness IS
'complete, or what the release was published anyway as (incomplete: a source had not delivered the whole period; provisional: the period had not ended)';
COMMENT ON COLUMN @extschema@.public_result.checksum IS
'the checksum of the revision shown (SHA-256, chained to the release before it): kept by readers, it shows later whether the release was changed';
REVOKE ALL ON @extschema@.public_result FROM PUBLIC;
