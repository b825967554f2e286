# shellcheck shell=bash
# test/report/render.sh: renders a release report in headless Chromium and
# stores what the screenshots show, for test/tap/report.sql.
#
#   bash test/report/render.sh DATABASE SERIES NUMBER WORKDIR FACTS_DATABASE
#
# Run by test/tap/report.sh (PGHOST/PGPORT/PGUSER set) on database
# safeidx_report_city, series wuchang_monthly, release 2.  It
#   1. writes safeidx.release_report(SERIES, NUMBER) with psql to report.html;
#   2. writes wrong.html, the same document with the red #C62828 changed to
#      #C62829 (a negative control: the checks must see the difference);
#   3. renders both with chromium --headless at 1000 x 2400 px to PNG;
#   4. decodes the PNGs (test/report/png_runs.py, python3 standard library)
#      and loads the size, the pixel count of each grade colour and the
#      horizontal runs of each colour into table report_png (made anew here)
#      of database FACTS_DATABASE (which must exist).
# Exit status 0 when all of this worked; the checks themselves are in
# test/tap/report.sql, which fails when the table is missing.
set -euo pipefail

db=$1 series=$2 number=$3 dir=$4 facts_db=$5
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
colours=('#2E7D32' '#F9A825' '#EF6C00' '#C62828' '#C62829' '#1565C0')
width=1000 height=2400

psql -X -q -v ON_ERROR_STOP=1 -At -d "$db" -o "$dir/report.html" \
     -c "SELECT safeidx.release_report('$series', $number)"
sed 's/#C62828/#C62829/g' "$dir/report.html" >"$dir/wrong.html"

for name in report wrong; do
    profile=$(mktemp -d "$dir/chromium.XXXXXX")
    # Chromium prints D-Bus complaints on a machine without a session bus: kept in a log.
    # The screenshot waits until every compositor stage has drawn (on a busy
    # machine a screenshot once lacked one bar of the chart) and the page has
    # settled in virtual time.
    if ! timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
            --force-color-profile=srgb --force-device-scale-factor=1 \
            --run-all-compositor-stages-before-draw --virtual-time-budget=5000 \
            --user-data-dir="$profile" --window-size="$width,$height" \
            --screenshot="$dir/$name.png" "file://$dir/$name.html" >"$dir/chromium-$name.log" 2>&1 \
       || [[ ! -s $dir/$name.png ]]; then
        cat "$dir/chromium-$name.log" >&2
        echo "render: chromium did not write $dir/$name.png" >&2
        exit 1
    fi
    rm -rf -- "$profile"
    python3 "$here/png_runs.py" "$dir/$name.png" "${colours[@]}" \
        | sed "s/^/$name\t/" >>"$dir/png_facts.tsv"
done

psql -X -q -v ON_ERROR_STOP=1 -d "$facts_db" <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS report_png;
CREATE TABLE report_png (image text, kind text, colour text, a bigint, b bigint);
COMMENT ON TABLE report_png IS 'written by test/report/render.sh: per image (report, wrong) its size (a = width, b = height), the pixels of each colour (a) and its horizontal runs (a = length, b = rows)';
\copy report_png (image, kind, colour, a, b) FROM '$dir/png_facts.tsv' WITH (FORMAT text)
SQL
