-- report.sql: the monthly report (the check-up) of a release as one HTML document.

CREATE OR REPLACE FUNCTION @extschema@.release_report(series text, number integer, revision integer DEFAULT NULL)
RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s     @extschema@.release_series;
    rel   @extschema@.release;
    sch   @extschema@.scheme;
    cmp   record;
    title text;
    css   text;
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
    cmp := @extschema@.report_previous(rel);
    title := format('%s 第%s期（%s）', s.title_zh, rel.number, @extschema@.period_label_zh(s.period, rel.period_start));
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

    RETURN '<!DOCTYPE html>' || E'\n'
        || '<html lang="zh-CN"><head><meta charset="utf-8">' || E'\n'
        || format('<title>%s</title>', @extschema@.html_escape(title)) || E'\n'
        || '<style>' || css || '</style></head><body>' || E'\n'
        || format('<h1>%s</h1>', @extschema@.html_escape(title)) || E'\n'
        || format('<p class="meta">%s%s · 方案 %s（%s） · 版本 %s · 发布于 %s · 校验码 %s</p>',
                  CASE WHEN rel.revision > 1 THEN format('<strong>更正版 第%s版</strong> · ', rel.revision) ELSE '' END,
                  @extschema@.html_escape(@extschema@.period_label_zh(s.period, rel.period_start)),
                  @extschema@.html_escape(sch.name_zh), @extschema@.html_escape(sch.scheme),
                  @extschema@.html_escape(rel.version),
                  to_char(rel.released_at AT TIME ZONE sch.time_zone, 'YYYY-MM-DD HH24:MI'), rel.checksum) || E'\n'
        || CASE rel.completeness
               WHEN 'incomplete' THEN format('<p class="alert">本期数据不完整：有部门尚未报送本期全部数据，部分指标未计分。发布理由：%s</p>',
                                             @extschema@.html_escape(rel.reason)) || E'\n'
               WHEN 'provisional' THEN format('<p class="alert">本期尚未结束，结果为临时结果。发布理由：%s</p>',
                                              @extschema@.html_escape(rel.reason)) || E'\n'
               ELSE '' END
        || @extschema@.report_correction(rel) || E'\n'
        || @extschema@.report_chart(rel, sch.grade_scale) || E'\n'
        || @extschema@.report_ranking(rel, cmp.prev, cmp.note, sch.grade_scale) || E'\n'
        || @extschema@.report_warnings(rel) || E'\n'
        || @extschema@.report_alarms(rel) || E'\n'
        || @extschema@.report_movers(rel, cmp.prev) || E'\n'
        || @extschema@.report_grade_changes(rel, cmp.prev, sch.grade_scale) || E'\n'
        || format('<p class="note">数据来源：发布表 release_result（第%s期第%s版，冻结）%s；等级名称与颜色取自等级表 %s；'
                  '预警取自实时视图 safeidx.warning（当前计算结果，非冻结）。</p>',
                  rel.number, rel.revision,
                  CASE WHEN (cmp.prev).number = 0 THEN '，上期为未发布的计算结果 result（非冻结）'
                       WHEN (cmp.prev).series IS NOT NULL THEN format('，上期为第%s期第%s版', (cmp.prev).number, (cmp.prev).revision)
                       ELSE '' END,
                  @extschema@.html_escape(sch.grade_scale)) || E'\n'
        || '</body></html>' || E'\n';
END $$;
COMMENT ON FUNCTION @extschema@.release_report(text, integer, integer) IS
'the report (月报, the check-up) of a release revision (default the latest) as one self-contained HTML document, assembled from the report_* section functions: title with 第N期 and the period, the correction reason, an SVG bar chart of the first level with more than one region, ranking with grade colours and rank change since the previous release, the period''s warnings, biggest movers, grade changes, the early-warning alarms and rank intervals; regions from the frozen release tables (reproducible), grade labels and colours from the scheme''s grade scale, warnings from the live view warning';
