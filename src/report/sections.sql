-- sections.sql: the sections of the monthly report of a release, each a
-- function returning its HTML (with its heading) that a test can call alone
-- and another output can reuse.  Regions, indices, grades and ranks come
-- from the frozen release tables; grade labels and colours from the grade
-- scale (by the frozen level); warnings from the live view warning.
-- "prev" is the previous release to compare with, NULL when there is none
-- that can be trusted (see report_previous()); for the first release of a
-- series, number 0 stands for the previous period as computed, unpublished.

-- The previous release as it stood when a revision was published (the
-- highest earlier number, its last revision released no later), if its
-- checksum holds; for the first release, the previous period's computed
-- results when there are some (number 0); else NULL; with the note the
-- report shows about it.
CREATE OR REPLACE FUNCTION @extschema@.report_previous(rel @extschema@.release,
                                                        OUT prev @extschema@.release, OUT note text)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s @extschema@.release_series;
BEGIN
    SELECT * INTO prev FROM @extschema@.release r
     WHERE r.series = rel.series AND r.number < rel.number AND r.released_at <= rel.released_at
     ORDER BY r.number DESC, r.revision DESC LIMIT 1;
    IF NOT FOUND THEN
        SELECT * INTO STRICT s FROM @extschema@.release_series x WHERE x.series = rel.series;
        prev.period_start := @extschema@.period_before(s.period, rel.period_start);
        IF EXISTS (SELECT FROM @extschema@.result r WHERE r.scheme = s.scheme AND r.period = s.period
                                                      AND r.period_start = prev.period_start) THEN
            prev.series := rel.series;
            prev.number := 0;
            prev.revision := 0;
            note := format('<p class="note">本期为该系列的首期；排名与指数变化对比上期（%s）的计算结果，上期未发布。</p>',
                           @extschema@.html_escape(@extschema@.period_label_zh(s.period, prev.period_start)));
        ELSE
            prev := NULL;
            note := '<p class="note">本期为该系列的首期，无上期可比。</p>';
        END IF;
    ELSIF @extschema@.release_checksum(prev.series, prev.number, prev.revision) <> prev.checksum THEN
        note := format('<p class="alert">上期（第%s期 第%s版）数据与其校验码不符，本期未与上期比较。</p>',
                       prev.number, prev.revision);
        prev := NULL;
    ELSE
        note := '';
    END IF;
END $$;
COMMENT ON FUNCTION @extschema@.report_previous(@extschema@.release) IS
'the release a report compares with: the previous number as it stood when this revision was published; for the first release of a series, number 0 for the previous period as computed (unpublished) when it has results; NULL when there is none or its checksum fails; and the note the report shows about it';

-- The regions of what a report compares with: the rows of the previous
-- release, or (number 0) the computed results of the previous period.
CREATE OR REPLACE FUNCTION @extschema@.report_previous_rows(rel @extschema@.release, prev @extschema@.release)
RETURNS TABLE (region_code text, index float8, grade_level integer, rank_level integer)
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT p.region_code, p.index, p.grade_level, p.rank_level
      FROM @extschema@.release_result p
     WHERE prev.number > 0 AND (p.series, p.number, p.revision) = (prev.series, prev.number, prev.revision)
    UNION ALL
    SELECT r.region_code, r.index, r.grade_level, r.rank_level
      FROM @extschema@.release_series s
      JOIN @extschema@.result r ON r.scheme = s.scheme AND r.period = s.period AND r.period_start = prev.period_start
     WHERE prev.number = 0 AND s.series = rel.series;
$$;
COMMENT ON FUNCTION @extschema@.report_previous_rows(@extschema@.release, @extschema@.release) IS
'the regions a report compares a release with (report_previous): the previous release''s frozen rows, or for number 0 the computed results of the previous period; none when prev is NULL';

-- A correction: its reason and the indices it changed against the revision
-- before; empty for a first revision.
CREATE OR REPLACE FUNCTION @extschema@.report_correction(rel @extschema@.release)
RETURNS text LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    earlier    @extschema@.release;
    correction text := '';
BEGIN
    IF rel.revision > 1 THEN
    SELECT * INTO earlier FROM @extschema@.release r
     WHERE r.series = rel.series AND r.number = rel.number AND r.revision = rel.revision - 1;
    correction := format('<div class="correction"><h2>更正说明（第%s版）</h2><p class="reason">%s</p>',
                         rel.revision, @extschema@.html_escape(rel.reason))
        || coalesce((SELECT '<table class="corrected"><tr><th>地区</th><th>原指数</th><th>更正后指数</th></tr>' || E'\n'
                            || string_agg(format('<tr><td>%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                                                 @extschema@.html_escape(coalesce(r.region_zh, r.region_code)),
                                                 coalesce(round(e.index::numeric, 4)::text, '—'),
                                                 coalesce(round(r.index::numeric, 4)::text, '—')),
                                          E'\n' ORDER BY r.depth, r.region_code) || '</table>'
                       FROM @extschema@.release_result r
                       JOIN @extschema@.release_result e
                         ON (e.series, e.number, e.revision) = (earlier.series, earlier.number, earlier.revision)
                        AND e.region_code = r.region_code
                      WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision)
                        AND r.index IS DISTINCT FROM e.index), '<p class="note">各地区指数与上一版相同。</p>')
        || '</div>';
    END IF;
    RETURN correction;
END $$;
COMMENT ON FUNCTION @extschema@.report_correction(@extschema@.release) IS
'the correction block of a release''s report: the revision, its reason and the indices that differ from the revision before (empty for revision 1)';

-- The chart: the first level from the top with more than one region (the
-- streets under one district), else the top one; 200 px of names, 500 px of
-- bars, 80 px of values; bars 24 px high every 32 px.
CREATE OR REPLACE FUNCTION @extschema@.report_chart(rel @extschema@.release, scale_name text)
RETURNS text LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    chart       text;
    chart_depth integer;
    chart_max   float8;
    chart_n     integer;
BEGIN
    SELECT coalesce(min(d.depth) FILTER (WHERE d.n > 1), min(d.depth)) INTO chart_depth
      FROM (SELECT r.depth, count(*) AS n FROM @extschema@.release_result r
             WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision)
             GROUP BY r.depth) d;
    SELECT greatest(100, max(r.index)), count(*) INTO chart_max, chart_n
      FROM @extschema@.release_result r
     WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision) AND r.depth = chart_depth;
    SELECT format('<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="800" height="%s" viewBox="0 0 800 %s" role="img" aria-label="%s">',
                  32 * chart_n + 30, 32 * chart_n + 30, @extschema@.html_escape(format('第%s层各地区指数', chart_depth)))
           || E'\n'
           || (SELECT string_agg(format('<line x1="%s" y1="0" x2="%s" y2="%s" stroke="#E0E0E0" stroke-width="1"/><text x="%s" y="%s" text-anchor="middle">%s</text>',
                                        200 + round((500 * t / chart_max)::numeric, 1), 200 + round((500 * t / chart_max)::numeric, 1),
                                        32 * chart_n + 8, 200 + round((500 * t / chart_max)::numeric, 1), 32 * chart_n + 24, t),
                                 E'\n' ORDER BY t)
                 FROM generate_series(0, floor(chart_max)::integer, 20) t)
           || E'\n'
           || coalesce(string_agg(format('<text x="192" y="%s" text-anchor="end">%s</text>'
                                         '<rect x="200" y="%s" width="%s" height="24" fill="%s"><title>%s %s</title></rect>'
                                         '<text x="%s" y="%s">%s</text>',
                                         32 * (c.n - 1) + 21, @extschema@.html_escape(coalesce(c.region_zh, c.region_code)),
                                         32 * (c.n - 1) + 4, coalesce(round((500 * greatest(c.index, 0) / chart_max)::numeric, 1), 0),
                                         coalesce(c.colour, '#BDBDBD'),
                                         @extschema@.html_escape(coalesce(c.region_zh, c.region_code)),
                                         coalesce(round(c.index::numeric, 4)::text, '—'),
                                         206 + coalesce(round((500 * greatest(c.index, 0) / chart_max)::numeric, 1), 0), 32 * (c.n - 1) + 21,
                                         coalesce(round(c.index::numeric, 2)::text, '—')),
                                  E'\n' ORDER BY c.n), '')
           || E'\n</svg>'
      INTO chart
      FROM (SELECT r.*, b.colour,
                   row_number() OVER (ORDER BY r.rank_level NULLS LAST, r.region_code) AS n
              FROM @extschema@.release_result r
              LEFT JOIN @extschema@.grade_band b ON b.scale = scale_name AND b.level = r.grade_level
             WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision) AND r.depth = chart_depth) c;
    RETURN format('<h2>第%s层指数图</h2>', chart_depth) || E'\n' || chart;
END $$;
COMMENT ON FUNCTION @extschema@.report_chart(@extschema@.release, text) IS
'the chart section of a release''s report: an inline SVG bar chart of the indices of the first level with more than one region, in grade colours';

-- The ranking: the grade legend and every region of the release by level,
-- rank and code, with its rank change since prev.
CREATE OR REPLACE FUNCTION @extschema@.report_ranking(rel @extschema@.release, prev @extschema@.release, note text, scale_name text)
RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ranking text;
    legend  text;
BEGIN
    SELECT string_agg(format(
               '<tr class="depth%s"><td class="num">%s</td><td class="num">%s</td><td>%s</td><td>%s</td>'
               '<td class="num">%s</td><td class="grade" style="background:%s;color:%s">%s</td><td class="num">%s</td></tr>',
               r.depth, r.depth, coalesce(r.rank_level::text, '—'),
               @extschema@.html_escape(coalesce(r.region_zh, r.region_code)),
               @extschema@.html_escape(coalesce(pr.region_zh, r.parent_code, '')),
               coalesce(round(r.index::numeric, 4)::text, '—'),
               coalesce(b.colour, '#FFFFFF'), @extschema@.text_colour_on(b.colour),
               @extschema@.html_escape(coalesce(b.label_zh, '—')),
               CASE WHEN prev.series IS NULL THEN '—'
                    WHEN p.region_code IS NULL THEN '新'
                    WHEN r.rank_level IS NULL OR p.rank_level IS NULL THEN '—'
                    WHEN p.rank_level > r.rank_level THEN format('<span class="up">↑%s</span>', p.rank_level - r.rank_level)
                    WHEN p.rank_level < r.rank_level THEN format('<span class="down">↓%s</span>', r.rank_level - p.rank_level)
                    ELSE '持平' END),
               E'\n' ORDER BY r.depth, r.rank_level NULLS LAST, r.region_code)
      INTO ranking
      FROM @extschema@.release_result r
      LEFT JOIN @extschema@.grade_band b ON b.scale = scale_name AND b.level = r.grade_level
      LEFT JOIN @extschema@.release_result pr
             ON (pr.series, pr.number, pr.revision) = (rel.series, rel.number, rel.revision) AND pr.region_code = r.parent_code
      LEFT JOIN @extschema@.report_previous_rows(rel, prev) p ON p.region_code = r.region_code
     WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision);
    SELECT string_agg(format('<span class="band" style="background:%s;color:%s;padding:2px 8px;margin-right:6px">%s %s</span>',
                             b.colour, @extschema@.text_colour_on(b.colour), @extschema@.html_escape(b.label_zh),
                             CASE WHEN b.min_index IS NULL THEN format('&lt; %s', b.above)
                                  ELSE format('≥ %s', b.min_index) END),
                      '' ORDER BY b.level)
      INTO legend
      FROM (SELECT g.*, lag(g.min_index) OVER (ORDER BY g.level) AS above
              FROM @extschema@.grade_band g WHERE g.scale = scale_name) b;
    RETURN '<h2>排名</h2>' || E'\n' || coalesce(note, '') || E'\n'
        || format('<p class="legend">等级：%s</p>', coalesce(legend, '')) || E'\n'
        || '<table class="ranking"><tr><th>层级</th><th>排名</th><th>地区</th><th>上级</th><th>指数</th><th>等级</th><th>排名变化</th></tr>' || E'\n'
        || coalesce(ranking, '') || E'\n</table>';
END $$;
COMMENT ON FUNCTION @extschema@.report_ranking(@extschema@.release, @extschema@.release, text, text) IS
'the ranking section of a release''s report: the note about the comparison, the grade legend and every region by level and rank with its index, grade colour and rank change since prev (— without prev, 新 for a region new since)';

-- The warnings of the release's period, from the live view (flagged when
-- a later revision has superseded this one).
CREATE OR REPLACE FUNCTION @extschema@.report_warnings(rel @extschema@.release)
RETURNS text LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    sr       @extschema@.release_series;
    warnings text;
BEGIN
    SELECT * INTO STRICT sr FROM @extschema@.release_series x WHERE x.series = rel.series;
    SELECT string_agg(format('<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
                             @extschema@.html_escape(coalesce(w.region_zh, w.region_code)),
                             @extschema@.html_escape(w.rule), @extschema@.html_escape(w.severity),
                             @extschema@.html_escape(w.detail)),
                      E'\n' ORDER BY w.rule, w.region_code, w.node)
      INTO warnings
      FROM @extschema@.warning w
     WHERE w.scheme = sr.scheme AND w.period = sr.period AND w.period_start = rel.period_start;
    RETURN '<h2>本期预警</h2>' || E'\n'
        || CASE WHEN EXISTS (SELECT FROM @extschema@.release r WHERE r.series = rel.series AND r.number = rel.number
                                                                 AND r.revision > rel.revision)
                THEN '<p class="note">本版已被更正：以下预警依据当前计算结果，可能与本版数据不一致。</p>' || E'\n' ELSE '' END
        || CASE WHEN warnings IS NULL THEN '<p class="note">本期无预警。</p>'
                ELSE '<table class="warnings"><tr><th>地区</th><th>规则</th><th>级别</th><th>说明</th></tr>' || E'\n'
                     || warnings || E'\n</table>' END;
END $$;
COMMENT ON FUNCTION @extschema@.report_warnings(@extschema@.release) IS
'the warnings section of a release''s report: the warnings of its period from the live view warning (current results, not frozen), with a note when the revision has been corrected since';

-- The ten largest index changes since prev.
CREATE OR REPLACE FUNCTION @extschema@.report_movers(rel @extschema@.release, prev @extschema@.release)
RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    movers text;
BEGIN
    SELECT string_agg(format('<tr><td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                             @extschema@.html_escape(coalesce(m.region_zh, m.region_code)), m.before, m.after,
                             CASE WHEN m.delta > 0 THEN format('<span class="up">+%s</span>', m.delta)
                                  ELSE format('<span class="down">%s</span>', m.delta) END),
                      E'\n' ORDER BY abs(m.delta) DESC, m.depth, m.region_code)
      INTO movers
      FROM (SELECT r.region_code, r.region_zh, r.depth, round(p.index::numeric, 4) AS before,
                   round(r.index::numeric, 4) AS after, round((r.index - p.index)::numeric, 4) AS delta,
                   row_number() OVER (ORDER BY abs(round((r.index - p.index)::numeric, 4)) DESC, r.depth, r.region_code) AS n
              FROM @extschema@.release_result r
              JOIN @extschema@.report_previous_rows(rel, prev) p ON p.region_code = r.region_code
             WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision)
               AND round((r.index - p.index)::numeric, 4) <> 0) m
     WHERE m.n <= 10;
    RETURN '<h2>指数变化最大的地区</h2>' || E'\n'
        || CASE WHEN prev.series IS NULL THEN '<p class="note">无可比的上期数据。</p>'
                WHEN movers IS NULL THEN '<p class="note">与上期相比各地区指数没有变化。</p>'
                ELSE format('<table class="movers"><tr><th>地区</th><th>上期（%s）</th><th>本期</th><th>变化</th></tr>',
                            CASE WHEN prev.number = 0 THEN '未发布' ELSE format('第%s期', prev.number) END)
                     || E'\n' || movers || E'\n</table>' END;
END $$;
COMMENT ON FUNCTION @extschema@.report_movers(@extschema@.release, @extschema@.release) IS
'the movers section of a release''s report: the ten largest index changes since prev (4 decimals)';

-- The regions whose grade changed since prev.
CREATE OR REPLACE FUNCTION @extschema@.report_grade_changes(rel @extschema@.release, prev @extschema@.release, scale_name text)
RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    changes text;
BEGIN
    SELECT string_agg(format('<tr><td>%s</td><td class="grade" style="background:%s;color:%s">%s</td>'
                             '<td class="grade" style="background:%s;color:%s">%s</td></tr>',
                             @extschema@.html_escape(coalesce(r.region_zh, r.region_code)),
                             coalesce(pb.colour, '#FFFFFF'), @extschema@.text_colour_on(pb.colour),
                             @extschema@.html_escape(coalesce(pb.label_zh, '—')),
                             coalesce(b.colour, '#FFFFFF'), @extschema@.text_colour_on(b.colour),
                             @extschema@.html_escape(coalesce(b.label_zh, '—'))),
                      E'\n' ORDER BY r.depth, r.region_code)
      INTO changes
      FROM @extschema@.release_result r
      JOIN @extschema@.report_previous_rows(rel, prev) p ON p.region_code = r.region_code
      LEFT JOIN @extschema@.grade_band b ON b.scale = scale_name AND b.level = r.grade_level
      LEFT JOIN @extschema@.grade_band pb ON pb.scale = scale_name AND pb.level = p.grade_level
     WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision)
       AND r.grade_level IS DISTINCT FROM p.grade_level;
    RETURN '<h2>等级变化</h2>' || E'\n'
        || CASE WHEN prev.series IS NULL THEN '<p class="note">无可比的上期数据。</p>'
                WHEN changes IS NULL THEN '<p class="note">与上期相比没有地区的等级发生变化。</p>'
                ELSE format('<table class="changes"><tr><th>地区</th><th>上期等级（%s）</th><th>本期等级</th></tr>',
                            CASE WHEN prev.number = 0 THEN '未发布' ELSE format('第%s期', prev.number) END)
                     || E'\n' || changes || E'\n</table>' END;
END $$;
COMMENT ON FUNCTION @extschema@.report_grade_changes(@extschema@.release, @extschema@.release, text) IS
'the grade changes section of a release''s report: the regions whose grade changed since prev, with both grades in colour';

-- the early-warning alarms of the release's period (from
-- the live view warning, with the expected count, the threshold and the
-- first period of the run), the rank intervals of the index at the chart's
-- level (index_sensitivity over the current cells: every rate and count
-- redrawn, 1,000 draws, seed 1, 90 % intervals, and the share of draws with
-- another grade) and those of its leaf rate indicators (rank_uncertainty
-- over the current results, the same draws), and the regions outside the
-- overdispersion-adjusted 99.8 % funnel limits of those indicators at the
-- same level (funnel_result over the current results).
CREATE OR REPLACE FUNCTION @extschema@.report_alarms(rel @extschema@.release)
RETURNS text LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    sr          @extschema@.release_series;
    alarms      text;
    intervals   text;
    index_rows  text;
    outliers    text;
    chart_depth integer;
BEGIN
    SELECT * INTO STRICT sr FROM @extschema@.release_series x WHERE x.series = rel.series;
    SELECT string_agg(format('<tr><td>%s</td><td>%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td>'
                             '<td class="num">%s</td><td>%s</td></tr>',
                             @extschema@.html_escape(coalesce(w.region_zh, w.region_code)),
                             @extschema@.html_escape(w.rule || '（' || w.kind || '）'), @extschema@.html_escape(w.node),
                             w.value, coalesce(round(w.reference::numeric, 2)::text, '—'),
                             coalesce(round(w.threshold::numeric, 2)::text, '—'),
                             @extschema@.period_label_zh(w.period, w.alarm_start)),
                      E'\n' ORDER BY w.rule, w.region_code)
      INTO alarms
      FROM @extschema@.warning w
     WHERE w.scheme = sr.scheme AND w.period = sr.period AND w.period_start = rel.period_start
       AND w.kind = ANY (@extschema@.alarm_kinds());
    SELECT coalesce(min(d.depth) FILTER (WHERE d.n > 1), min(d.depth)) INTO chart_depth
      FROM (SELECT r.depth, count(*) AS n FROM @extschema@.release_result r
             WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision)
             GROUP BY r.depth) d;
    -- (no version in force any more, or the period kind dropped: no rows)
    IF EXISTS (SELECT FROM @extschema@.scheme s WHERE s.scheme = sr.scheme AND sr.period = ANY (s.periods))
       AND EXISTS (SELECT FROM @extschema@.scheme_version v
                    WHERE v.scheme = sr.scheme AND v.valid_from <= rel.period_start AND rel.period_start < v.valid_to) THEN
        SELECT string_agg(format('<tr><td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s–%s</td>'
                                 '<td class="num">%s%%</td></tr>',
                                 @extschema@.html_escape(coalesce(x.region_zh, x.region_code)),
                                 coalesce(x.index::text, '—'), coalesce(x.rank_level::text, '—'),
                                 coalesce(x.rank_level_lower::text, '—'), coalesce(x.rank_level_upper::text, '—'),
                                 round((100 * x.grade_change_share)::numeric, 1)),
                          E'\n' ORDER BY x.rank_level NULLS LAST, x.region_code)
          INTO index_rows
          FROM @extschema@.index_sensitivity(sr.scheme, rel.period_start, chart_depth, sr.period) x;
    END IF;
    SELECT string_agg(format('<tr><td>%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td>'
                             '<td class="num">%s–%s</td></tr>',
                             @extschema@.html_escape(i.name_zh), @extschema@.html_escape(coalesce(u.region_zh, u.region_code)),
                             coalesce(round(u.rate::numeric, 2)::text, '—'), coalesce(u.rank::text, '—'),
                             coalesce(u.rank_lower::text, '—'), coalesce(u.rank_upper::text, '—')),
                      E'\n' ORDER BY i.node, u.rank NULLS LAST, u.region_code)
      INTO intervals
      FROM @extschema@.indicator i
     CROSS JOIN LATERAL @extschema@.rank_uncertainty(sr.scheme, rel.period_start, i.node, chart_depth, sr.period) u
     WHERE i.scheme = sr.scheme AND i.version = rel.version AND i.measure = 'rate'
       AND NOT EXISTS (SELECT FROM @extschema@.indicator c
                        WHERE c.scheme = i.scheme AND c.version = i.version AND c.parent_node = i.node);
    SELECT string_agg(format('<tr><td>%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td>'
                             '<td class="num">%s–%s</td><td>%s</td></tr>',
                             @extschema@.html_escape(i.name_zh), @extschema@.html_escape(coalesce(f.region_zh, f.region_code)),
                             round(f.rate::numeric, 2), round(f.level_rate::numeric, 2),
                             round(f.re_lower_998::numeric, 2), round(f.re_upper_998::numeric, 2),
                             CASE f.re_position_998 WHEN 'above' THEN '高于上限' ELSE '低于下限' END),
                      E'\n' ORDER BY i.node, f.re_position_998, f.region_code)
      INTO outliers
      FROM @extschema@.indicator i
     CROSS JOIN LATERAL @extschema@.funnel_result(sr.scheme, rel.period_start, i.node, chart_depth, sr.period) f
     WHERE i.scheme = sr.scheme AND i.version = rel.version AND i.measure = 'rate'
       AND NOT EXISTS (SELECT FROM @extschema@.indicator c
                        WHERE c.scheme = i.scheme AND c.version = i.version AND c.parent_node = i.node)
       AND f.re_position_998 IN ('above', 'below');
    RETURN '<h2>早期预警信号</h2>' || E'\n'
        || CASE WHEN alarms IS NULL THEN '<p class="note">本期无早期预警信号。</p>'
                ELSE '<table class="alarms"><tr><th>地区</th><th>规则</th><th>指标</th><th>实际</th><th>期望</th>'
                     || '<th>阈值</th><th>起始期</th></tr>' || E'\n' || alarms || E'\n</table>' END || E'\n'
        || format('<h2>第%s层名次区间</h2>', chart_depth) || E'\n'
        || CASE WHEN index_rows IS NULL THEN '<p class="note">本期无可排名的指数。</p>'
                ELSE '<p class="note">指数名次区间：各地区各项万人率与计数按泊松不确定性重抽1000次（种子1），'
                     || '逐次重新评分、汇总、计算指数并排名，取5%至95%名次（1为最好）；等级变动概率为重抽中等级与本期不同的比例。依据当前数据计算。</p>'
                     || E'\n' || '<table class="indexci"><tr><th>地区</th><th>指数</th><th>名次</th><th>90%区间</th>'
                     || '<th>等级变动概率</th></tr>' || E'\n' || index_rows || E'\n</table>' END || E'\n'
        || CASE WHEN intervals IS NULL THEN '<p class="note">本期无可排名的万人率指标。</p>'
                ELSE '<p class="note">名次区间：各地区万人率按泊松不确定性重抽1000次（种子1）的5%至95%名次（1为最好），依据当前计算结果。</p>'
                     || E'\n' || '<table class="rankci"><tr><th>指标</th><th>地区</th><th>万人率</th><th>名次</th>'
                     || '<th>90%区间</th></tr>' || E'\n' || intervals || E'\n</table>' END || E'\n'
        || format('<h2>第%s层漏斗图</h2>', chart_depth) || E'\n'
        || CASE WHEN outliers IS NULL THEN '<p class="note">本期没有地区的万人率超出经过度离散调整的99.8%控制限。</p>'
                ELSE '<p class="note">漏斗图：各地区万人率与本层合并万人率比较，超出经过度离散调整（τ²，z值两端各缩尾10%）的99.8%控制限的地区，依据当前计算结果。</p>'
                     || E'\n' || '<table class="funnel"><tr><th>指标</th><th>地区</th><th>万人率</th><th>本层万人率</th>'
                     || '<th>99.8%控制限</th><th>位置</th></tr>' || E'\n' || outliers || E'\n</table>' END;
END $$;
COMMENT ON FUNCTION @extschema@.report_alarms(@extschema@.release) IS
'the early-warning section of a release''s report: the alarms of its period from the live view warning (observed, expected count, threshold, first period of the run), the rank intervals of the index at the chart''s level with the share of draws giving another grade (index_sensitivity over the current cells, the rates redrawn) and those of the version''s leaf rate indicators (rank_uncertainty over the current results), and the regions outside the overdispersion-adjusted 99.8 % funnel limits of those indicators at the same level (funnel_result over the current results)';
