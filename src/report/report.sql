-- report.sql: the monthly report (the check-up) of a release as one HTML document.

CREATE OR REPLACE FUNCTION @extschema@.release_report(series text, number integer, revision integer DEFAULT NULL)
RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s         @extschema@.release_series;
    rel       @extschema@.release;
    prev      @extschema@.release;
    earlier   @extschema@.release;
    sch       @extschema@.scheme;
    prev_ok   boolean := false;
    prev_note text := '';
    period_zh text;
    title     text;
    css       text;
    ranking   text;
    warnings  text;
    movers    text;
    changes   text;
    correction text := '';
    chart     text;
    chart_depth integer;
    chart_max float8;
    chart_n   integer;
    legend    text;
BEGIN
    IF series IS NULL OR number IS NULL THEN
        RAISE EXCEPTION 'release_report needs a series and a number' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT * INTO s FROM @extschema@.release_series x WHERE x.series = release_report.series;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown release series "%"', series USING ERRCODE = 'undefined_object';
    END IF;
    SELECT * INTO rel FROM @extschema@.release r
     WHERE r.series = s.series AND r.number = release_report.number
       AND (release_report.revision IS NULL OR r.revision = release_report.revision)
     ORDER BY r.revision DESC LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'series "%" has no release % (revision %)', s.series, number, coalesce(revision::text, 'any')
            USING ERRCODE = 'undefined_object';
    END IF;
    IF @extschema@.release_checksum(rel.series, rel.number, rel.revision) <> rel.checksum THEN
        RAISE EXCEPTION 'release % revision % of series "%" no longer matches its checksum', rel.number, rel.revision, rel.series
            USING ERRCODE = 'data_corrupted';
    END IF;
    SELECT * INTO STRICT sch FROM @extschema@.scheme x WHERE x.scheme = s.scheme;

    -- The previous release as it stood when this revision was published: the
    -- highest earlier number, its last revision released no later than this one.
    SELECT * INTO prev FROM @extschema@.release r
     WHERE r.series = s.series AND r.number < rel.number AND r.released_at <= rel.released_at
     ORDER BY r.number DESC, r.revision DESC LIMIT 1;
    IF FOUND THEN
        IF @extschema@.release_checksum(prev.series, prev.number, prev.revision) = prev.checksum THEN
            prev_ok := true;
        ELSE
            prev_note := format('<p class="alert">上期（第%s期 第%s版）数据与其校验码不符，本期未与上期比较。</p>',
                                prev.number, prev.revision);
        END IF;
    ELSE
        prev_note := '<p class="note">本期为该系列的首期，无上期可比。</p>';
    END IF;

    period_zh := @extschema@.period_label_zh(s.period, rel.period_start);
    title := format('%s 第%s期（%s）', s.title_zh, rel.number, period_zh);

    css := $css$
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif;margin:24px;color:#212121;background:#FFFFFF;font-size:14px}
h1{font-size:24px;margin:0 0 4px 0}
h2{font-size:18px;margin:24px 0 8px 0;border-bottom:2px solid #9E9E9E;padding-bottom:2px}
p.meta{color:#616161;margin:2px 0}
p.note{color:#616161}
p.alert{color:#B71C1C;font-weight:bold}
table{border-collapse:collapse;margin:4px 0}
th,td{border:1px solid #BDBDBD;padding:4px 10px;text-align:left}
th{background:#EEEEEE}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.grade{text-align:center;font-weight:bold;min-width:56px}
tr.depth1 td{font-weight:bold}
span.up{color:#2E7D32}
span.down{color:#C62828}
div.correction{border:2px solid #EF6C00;padding:8px 12px;margin:12px 0}
svg text{font-size:13px;fill:#212121}
$css$;

    -- Ranking: every region of the release, by level, rank and code.
    SELECT string_agg(format(
               '<tr class="depth%s"><td class="num">%s</td><td class="num">%s</td><td>%s</td><td>%s</td>'
               '<td class="num">%s</td><td class="grade" style="background:%s;color:%s">%s</td><td class="num">%s</td></tr>',
               r.depth, r.depth, coalesce(r.rank_level::text, '—'),
               @extschema@.html_escape(coalesce(r.region_zh, r.region_code)),
               @extschema@.html_escape(coalesce(pr.region_zh, r.parent_code, '')),
               coalesce(round(r.index::numeric, 4)::text, '—'),
               coalesce(b.colour, '#FFFFFF'), @extschema@.text_colour_on(b.colour),
               @extschema@.html_escape(coalesce(b.label_zh, '—')),
               CASE WHEN NOT prev_ok THEN '—'
                    WHEN p.region_code IS NULL THEN '新'
                    WHEN r.rank_level IS NULL OR p.rank_level IS NULL THEN '—'
                    WHEN p.rank_level > r.rank_level THEN format('<span class="up">↑%s</span>', p.rank_level - r.rank_level)
                    WHEN p.rank_level < r.rank_level THEN format('<span class="down">↓%s</span>', r.rank_level - p.rank_level)
                    ELSE '持平' END),
               E'\n' ORDER BY r.depth, r.rank_level NULLS LAST, r.region_code)
      INTO ranking
      FROM @extschema@.release_result r
      LEFT JOIN @extschema@.grade_band b ON b.scale = sch.grade_scale AND b.level = r.grade_level
      LEFT JOIN @extschema@.release_result pr
             ON (pr.series, pr.number, pr.revision) = (rel.series, rel.number, rel.revision) AND pr.region_code = r.parent_code
      LEFT JOIN @extschema@.release_result p
             ON (p.series, p.number, p.revision) = (prev.series, prev.number, prev.revision) AND p.region_code = r.region_code
     WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision);

    -- Warnings of the period, from the live view.
    SELECT string_agg(format('<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
                             @extschema@.html_escape(coalesce(w.region_zh, w.region_code)),
                             @extschema@.html_escape(w.rule), @extschema@.html_escape(w.severity),
                             @extschema@.html_escape(w.detail)),
                      E'\n' ORDER BY w.rule, w.region_code, w.node)
      INTO warnings
      FROM @extschema@.warning w
     WHERE w.scheme = s.scheme AND w.period = s.period AND w.period_start = rel.period_start;

    -- Biggest movers: the ten largest index changes since the previous release.
    IF prev_ok THEN
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
                  JOIN @extschema@.release_result p
                    ON (p.series, p.number, p.revision) = (prev.series, prev.number, prev.revision) AND p.region_code = r.region_code
                 WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision)
                   AND round((r.index - p.index)::numeric, 4) <> 0) m
         WHERE m.n <= 10;

        -- Grade changes since the previous release.
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
          JOIN @extschema@.release_result p
            ON (p.series, p.number, p.revision) = (prev.series, prev.number, prev.revision) AND p.region_code = r.region_code
          LEFT JOIN @extschema@.grade_band b ON b.scale = sch.grade_scale AND b.level = r.grade_level
          LEFT JOIN @extschema@.grade_band pb ON pb.scale = sch.grade_scale AND pb.level = p.grade_level
         WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision)
           AND r.grade_level IS DISTINCT FROM p.grade_level;
    END IF;

    -- A correction: its reason and what it changed against the revision before.
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

    -- The chart: the first level from the top with more than one region (the
    -- streets under one district), else the top one.
    SELECT coalesce(min(d.depth) FILTER (WHERE d.n > 1), min(d.depth)) INTO chart_depth
      FROM (SELECT r.depth, count(*) AS n FROM @extschema@.release_result r
             WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision)
             GROUP BY r.depth) d;
    SELECT greatest(100, max(r.index)), count(*) INTO chart_max, chart_n
      FROM @extschema@.release_result r
     WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision) AND r.depth = chart_depth;
    -- 200 px of names, 500 px of bars, 80 px of values; bars 24 px high every 32 px.
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
              LEFT JOIN @extschema@.grade_band b ON b.scale = sch.grade_scale AND b.level = r.grade_level
             WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision) AND r.depth = chart_depth) c;

    SELECT string_agg(format('<span class="band" style="background:%s;color:%s;padding:2px 8px;margin-right:6px">%s %s</span>',
                             b.colour, @extschema@.text_colour_on(b.colour), @extschema@.html_escape(b.label_zh),
                             CASE WHEN b.min_index IS NULL THEN format('&lt; %s', b.above)
                                  ELSE format('≥ %s', b.min_index) END),
                      '' ORDER BY b.level)
      INTO legend
      FROM (SELECT g.*, lag(g.min_index) OVER (ORDER BY g.level) AS above
              FROM @extschema@.grade_band g WHERE g.scale = sch.grade_scale) b;

    RETURN '<!DOCTYPE html>' || E'\n'
        || '<html lang="zh-CN"><head><meta charset="utf-8">' || E'\n'
        || format('<title>%s</title>', @extschema@.html_escape(title)) || E'\n'
        || '<style>' || css || '</style></head><body>' || E'\n'
        || format('<h1>%s</h1>', @extschema@.html_escape(title)) || E'\n'
        || format('<p class="meta">%s%s · 方案 %s（%s） · 版本 %s · 发布于 %s · 校验码 %s</p>',
                  CASE WHEN rel.revision > 1 THEN format('<strong>更正版 第%s版</strong> · ', rel.revision) ELSE '' END,
                  @extschema@.html_escape(period_zh), @extschema@.html_escape(sch.name_zh), @extschema@.html_escape(sch.scheme),
                  @extschema@.html_escape(rel.version),
                  to_char(rel.released_at AT TIME ZONE sch.time_zone, 'YYYY-MM-DD HH24:MI'), rel.checksum) || E'\n'
        || correction || E'\n'
        || format('<h2>第%s层指数图</h2>', chart_depth) || E'\n' || chart || E'\n'
        || '<h2>排名</h2>' || E'\n' || prev_note || E'\n'
        || format('<p class="legend">等级：%s</p>', coalesce(legend, '')) || E'\n'
        || '<table class="ranking"><tr><th>层级</th><th>排名</th><th>地区</th><th>上级</th><th>指数</th><th>等级</th><th>排名变化</th></tr>' || E'\n'
        || coalesce(ranking, '') || E'\n</table>' || E'\n'
        || '<h2>本期预警</h2>' || E'\n'
        || CASE WHEN EXISTS (SELECT FROM @extschema@.release r WHERE r.series = rel.series AND r.number = rel.number
                                                                 AND r.revision > rel.revision)
                THEN '<p class="note">本版已被更正：以下预警依据当前计算结果，可能与本版数据不一致。</p>' || E'\n' ELSE '' END
        || CASE WHEN warnings IS NULL THEN '<p class="note">本期无预警。</p>'
                ELSE '<table class="warnings"><tr><th>地区</th><th>规则</th><th>级别</th><th>说明</th></tr>' || E'\n'
                     || warnings || E'\n</table>' END || E'\n'
        || '<h2>指数变化最大的地区</h2>' || E'\n'
        || CASE WHEN NOT prev_ok THEN '<p class="note">无可比的上期数据。</p>'
                WHEN movers IS NULL THEN '<p class="note">与上期相比各地区指数没有变化。</p>'
                ELSE format('<table class="movers"><tr><th>地区</th><th>上期（第%s期）</th><th>本期</th><th>变化</th></tr>', prev.number)
                     || E'\n' || movers || E'\n</table>' END || E'\n'
        || '<h2>等级变化</h2>' || E'\n'
        || CASE WHEN NOT prev_ok THEN '<p class="note">无可比的上期数据。</p>'
                WHEN changes IS NULL THEN '<p class="note">与上期相比没有地区的等级发生变化。</p>'
                ELSE format('<table class="changes"><tr><th>地区</th><th>上期等级（第%s期）</th><th>本期等级</th></tr>', prev.number)
                     || E'\n' || changes || E'\n</table>' END || E'\n'
        || format('<p class="note">数据来源：发布表 release_result（第%s期第%s版，冻结）%s；等级名称与颜色取自等级表 %s；'
                  '预警取自实时视图 safeidx.warning（当前计算结果，非冻结）。</p>',
                  rel.number, rel.revision,
                  CASE WHEN prev_ok THEN format('，上期为第%s期第%s版', prev.number, prev.revision) ELSE '' END,
                  @extschema@.html_escape(sch.grade_scale)) || E'\n'
        || '</body></html>' || E'\n';
END $$;
COMMENT ON FUNCTION @extschema@.release_report(text, integer, integer) IS
'the report (月报, the check-up) of a release revision (default the latest) as one self-contained HTML document: title with 第N期 and the period, ranking with grade colours and rank change since the previous release, the period''s warnings, biggest movers, grade changes, the correction reason, an SVG bar chart of the first level with more than one region (e.g. the streets); regions from the frozen release tables (reproducible), grade labels and colours from the scheme''s grade scale, warnings from the live view warning';
