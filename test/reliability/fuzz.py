#!/usr/bin/env python3
"""test/reliability/fuzz.py: inputs and independent answers for the fuzzing of
safeidx's parsers of user input (test/reliability/fuzz.sh, doc/reliability.md).

    fuzz.py gen SEED COUNT DIR    writes DIR/csv.copy, DIR/loader.copy, DIR/spec.copy
                                  (COPY text format) and DIR/truth.json
    fuzz.py compare DIR           reads DIR/truth.json and what the server
                                  answered (DIR/csv.out, DIR/loader.out,
                                  DIR/spec.out, lines "id<TAB>json<TAB>sqlstate"),
                                  prints "figure: NAME = VALUE" lines and the
                                  disagreements; exits 1 on any

csv_rows() (csv.c) is compared with Python's csv module (RFC 4180 settings:
the excel dialect, strict=True) and with the generator's own records, on
inputs that are valid CSV by construction:
  - fields of random text (commas, quotes, CR, LF, blanks, tabs, letters,
    Chinese, U+FEFF, emoji), quoted where RFC 4180 needs it and at random
    otherwise; records of 1 to 8 fields (ragged: the count varies by record);
    line ends LF, CRLF or CR chosen per record; a last line end or none; a
    UTF-8 byte-order mark at the start of one input in four (Python reads it
    as the utf-8-sig codec does: dropped before parsing);
  - where the two conventions differ, the generator stays out of the way:
    csv_rows() drops blanks around a field and Python keeps them, so an
    unquoted field never starts or ends with a blank; csv_rows() skips a line
    holding nothing and Python returns [] for it, so a one-field record whose
    field is empty is quoted ("").  The only remaining difference is stated:
    an empty unquoted field is NULL for csv_rows() and '' for Python.
Every record is compared: its first line (counted by the generator), its
fields (NULL exactly where the generator wrote an empty unquoted field).

Random inputs (not valid CSV: stray quotes, unclosed quotes, text after a
closing quote, blanks, lone CRs, BOMs in the middle) must give rows, never an
error; where an input has neither quotes nor blanks, Python's rows must equal
csv_rows()'s (NULL taken as '').

Loader files (regions and population, header and rows): clean ones, and ones
with known mutations (unknown parent, duplicate code, missing name, negative,
missing or unparseable population, a ragged row, a stray quote).  A clean
file must check with no problem and load all its rows; a mutated one must
report exactly its mutated lines and refuse to load with SQLSTATE 22023.

local_period(at, spec jsonb): random JSON texts (objects with the right keys
and good or bad values, wrong types, nesting, duplicate keys, huge strings,
and malformed JSON).  Every refusal must have a SQLSTATE of class 22 (data
exception: 22023 from safeidx, 22P02 for text that is no JSON) or 22008,
never XX; where a call succeeds and PostgreSQL's own
date_trunc(period, at AT TIME ZONE zone)::date succeeds, the two agree (that
comparison runs in SQL, fuzz.sql).
"""
import csv
import io
import json
import random
import sys

BOM = "\ufeff"


def copy_escape(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# ---- CSV ------------------------------------------------------------------------
ALPHABET = [",", '"', "\r", "\n", " ", "\t", "a", "b", "x", "Z", "0", "9", "网", "格", BOM, "é", "\U0001F600", ";", "'"]
WEIGHTS = [6, 6, 3, 3, 4, 1, 8, 8, 4, 2, 3, 2, 3, 3, 1, 1, 1, 1, 1]


def rand_value(rng):
    n = rng.choice([0, 0, 1, 2, 3, 5, 8, 13, 40])
    return "".join(rng.choices(ALPHABET, WEIGHTS, k=n))


def needs_quote(v, nfields):
    if v == "" and nfields == 1:
        return True
    if any(c in v for c in ',"\r\n'):
        return True
    return v != v.strip(" \t")


def valid_csv(rng):
    """Valid CSV text and its records: [line, [field or None]]."""
    out = []
    records = []
    line = 1
    nrec = rng.choice([1, 1, 2, 3, 5, 10, 30])
    bom = rng.random() < 0.25
    for r in range(nrec):
        nf = rng.randint(1, 8)
        vals = [rand_value(rng) for _ in range(nf)]
        parts = []
        fields = []
        for j, v in enumerate(vals):
            # a byte-order mark opening the text is skipped: quoted, it is data
            if needs_quote(v, nf) or rng.random() < 0.3 or (r == 0 and j == 0 and v.startswith(BOM)):
                parts.append('"' + v.replace('"', '""') + '"')
                fields.append(v)
            else:
                parts.append(v)
                fields.append(None if v == "" else v)
        text = ",".join(parts)
        records.append([line, fields])
        # line breaks inside the quoted fields: CRLF counts once
        line += text.count("\n") + text.count("\r") - text.count("\r\n")
        end = rng.choice(["\n", "\r\n", "\r"])
        last = r == nrec - 1
        if not last or rng.random() < 0.7:
            text += end
            line += 1
        out.append(text)
        # an empty line between records now and then (skipped by both)
        # (with the record's own line end: after a CR, an LF would make a CRLF)
        if not last and rng.random() < 0.1:
            out.append(end)
            line += 1
    return (BOM if bom else "") + "".join(out), records


def random_csv(rng):
    n = rng.choice([0, 1, 2, 5, 10, 30, 100, 400])
    s = "".join(rng.choices(ALPHABET, WEIGHTS, k=n))
    if rng.random() < 0.2:
        s = BOM + s
    return s


def python_rows(text):
    if text.startswith(BOM):
        text = text[1:]
    return [row for row in csv.reader(io.StringIO(text, newline=""), dialect="excel", strict=True)]


# ---- loader files -------------------------------------------------------------------
def q(v):
    return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\r\n') or v != v.strip() else v


def regions_file(rng, n):
    """A regions file: a tree under the fuzz city f0 (in the catalogue), and its mutated lines."""
    rows = []
    codes = []
    for i in range(rng.randint(1, 12)):
        code = f"r{n}_{i}"
        parent = rng.choice(["f0"] + codes)
        rows.append({"code": code, "parent_code": parent, "name_zh": rng.choice(["街道", "社区, 东", '网格"一"', "x"]) + str(i),
                     "name_en": rng.choice(["", "Street " + str(i)]), "kind": rng.choice(["street", "community"]),
                     "valid_from": "", "valid_to": ""})
        codes.append(code)
    children = {r["parent_code"] for r in rows}
    leaves = [k for k, r in enumerate(rows) if r["code"] not in children]
    # a region valid from a date only where no child needs it before
    for k in leaves:
        rows[k]["valid_from"] = rng.choice(["", "2025-01-01"])
    bad = set()
    mutations = []
    if rng.random() < 0.6:
        for k in rng.sample(leaves, min(len(leaves), rng.randint(1, 3))):
            m = rng.choice(["unknown_parent", "no_name", "no_kind", "ragged", "stray_quote", "bad_date", "duplicate"])
            mutations.append((k, m))
    extra = []
    for k, m in mutations:
        r = rows[k]
        if m == "unknown_parent":
            r["parent_code"] = "nowhere" + str(k)
        elif m == "no_name":
            r["name_zh"] = ""
        elif m == "no_kind":
            r["kind"] = ""
        elif m == "bad_date":
            r["valid_from"] = rng.choice(["2025-02-30", "2025-13-01", "yesterday"])
        elif m == "ragged":
            r["_ragged"] = True
        elif m == "stray_quote":
            r["_stray"] = True
        elif m == "duplicate":
            dup = dict(r)
            dup["name_zh"] = "重复"
            extra.append((k, dup))
    cols = ["code", "parent_code", "name_zh", "name_en", "kind", "valid_from", "valid_to"]
    rng.shuffle(cols)
    lines = [",".join(cols)]
    all_rows = []
    for k, r in enumerate(rows):
        all_rows.append((k, r))
        for kk, dup in extra:
            if kk == k:
                all_rows.append((k, dup))
    for k, r in all_rows:
        vals = [q(r[c]) for c in cols]
        if r.get("_ragged"):
            vals = vals[:-1]
        if r.get("_stray"):
            vals[cols.index("name_zh")] = 'na"me'
        lines.append(",".join(vals))
    lineno = {}
    for i, (k, r) in enumerate(all_rows):
        lineno.setdefault(k, []).append(i + 2)
    for k, m in mutations:
        bad.update(lineno[k])
    end = rng.choice(["\n", "\r\n"])
    return end.join(lines) + end, sorted(bad), len(rows) + len(extra)


def population_file(rng, regions):
    rows = []
    seen = set()
    for i in range(rng.randint(1, 15)):
        key = (rng.choice(regions), rng.choice([2023, 2024, 2025]), rng.choice(["", "", "3", "11"]))
        if key in seen:
            continue
        seen.add(key)
        rows.append({"region_code": key[0], "year": str(key[1]), "month": key[2], "kind": "migrant",
                     "persons": str(rng.randint(0, 10 ** 6))})
    mutations = []
    if rng.random() < 0.6:
        for k in rng.sample(range(len(rows)), min(len(rows), rng.randint(1, 3))):
            mutations.append((k, rng.choice(["unknown_region", "negative", "missing", "garbage", "thousands", "bad_year",
                                             "month13", "ragged", "duplicate"])))
    extra = []
    for k, m in mutations:
        r = rows[k]
        if m == "unknown_region":
            r["region_code"] = "nowhere" + str(k)
        elif m == "negative":
            r["persons"] = "-" + str(rng.randint(1, 99))
        elif m == "missing":
            r["persons"] = ""
        elif m == "garbage":
            r["persons"] = rng.choice(["abc", "NaN", "Infinity", "1e400000", "--1", "0x10"])
        elif m == "thousands":
            r["persons"] = "1,200"
        elif m == "bad_year":
            r["year"] = rng.choice(["20x5", "", "99999999999"])
        elif m == "month13":
            r["month"] = "13"
        elif m == "ragged":
            r["_ragged"] = True
        elif m == "duplicate":
            extra.append((k, dict(r)))
    cols = ["region_code", "year", "month", "kind", "persons"]
    rng.shuffle(cols)
    lines = [",".join(cols)]
    all_rows = []
    for k, r in enumerate(rows):
        all_rows.append((k, r))
        for kk, dup in extra:
            if kk == k:
                all_rows.append((k, dup))
    for k, r in all_rows:
        vals = [q(r[c]) for c in cols]
        if r.get("_ragged"):
            vals = vals[:-1]
        lines.append(",".join(vals))
    lineno = {}
    for i, (k, r) in enumerate(all_rows):
        lineno.setdefault(k, []).append(i + 2)
    bad = set()
    for k, m in mutations:
        bad.update(lineno[k])
    return "\n".join(lines) + "\n", sorted(bad), len(all_rows)


# ---- local_period specs ------------------------------------------------------------
PERIODS = ["day", "month", "quarter", "year", "Month", "month ", "week", "", "days", "décade", "x" * 40]
ZONES = ["Asia/Shanghai", "UTC", "America/Sao_Paulo", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Kiritimati",
         "Pacific/Apia", "Africa/Casablanca", "Europe/Dublin", "America/St_Johns", "<+08>-8", "UTC+8", "EST5EDT", "EST",
         "posixrules", "Factory", "", " ", "asia/shanghai", "Asia/Shanghai ", "Mars/Olympus", "../../../etc/passwd",
         "/etc/localtime", "Asia/Shanghai\u0001", "上海", "z" * 300, "é" * 130, "+08", "GMT-14", "<+0845>-8:45"]


def rand_json_value(rng, depth=0):
    k = rng.randint(0, 7 if depth < 3 else 4)
    if k == 0:
        return None
    if k == 1:
        return rng.choice([True, False])
    if k == 2:
        return rng.choice([0, -1, 1e308, 3.5, 10 ** 30])
    if k in (3, 4):
        return rng.choice(PERIODS + ZONES)
    if k == 5:
        return "".join(rng.choices(ALPHABET, WEIGHTS, k=rng.randint(0, 20)))
    if k == 6:
        return [rand_json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(["period", "zone", "x"]): rand_json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def rand_spec(rng):
    k = rng.random()
    if k < 0.45:
        spec = {"period": rng.choice(PERIODS[:4] * 3 + PERIODS), "zone": rng.choice(ZONES[:10] * 2 + ZONES)}
        if rng.random() < 0.2:
            spec[rng.choice(["extra", "Period", "zone2"])] = rand_json_value(rng)
        text = json.dumps(spec, ensure_ascii=rng.random() < 0.5)
        if rng.random() < 0.1:  # a duplicate key: jsonb keeps the last
            text = text[:-1] + ', "zone": ' + json.dumps(rng.choice(ZONES)) + "}"
        return text
    if k < 0.8:
        return json.dumps(rand_json_value(rng))
    # malformed JSON text
    good = json.dumps({"period": "month", "zone": "UTC"})
    i = rng.randint(0, len(good))
    return rng.choice([good[:i], good[:i] + rng.choice(['"', "}", "{", ",", "\\", "\\u0000", "nul"]) + good[i:],
                       "{period: month}", "", "\\u0000", '{"zone": "\\u0000"}', '{"period": "mo\\u0000nth"}'])


def gen(seed, count, outdir):
    rng = random.Random(seed)
    truth = {"csv": {}, "csv_python": {}, "regions": {}, "population": {}}
    with open(f"{outdir}/csv.copy", "w", encoding="utf-8", newline="") as f:
        for i in range(count):
            if i % 2 == 0:
                text, records = valid_csv(rng)
                truth["csv"][str(i)] = records
                truth["csv_python"][str(i)] = python_rows(text)
                kind = "valid"
            else:
                text = random_csv(rng)
                kind = "random"
                if '"' not in text and " " not in text and "\t" not in text and BOM not in text[1:]:
                    truth["csv_python"][str(i)] = python_rows(text)
            f.write(f"{i}\t{kind}\t{copy_escape(text)}\n")
    with open(f"{outdir}/loader.copy", "w", encoding="utf-8", newline="") as f:
        for i in range(max(count // 4, 4)):
            if i % 2 == 0:
                text, bad, n = regions_file(rng, i)
                truth["regions"][str(i)] = {"bad_lines": bad, "rows": n}
                kind = "regions"
            else:
                text, bad, n = population_file(rng, ["f0", "f1", "f2", "f3"])
                truth["population"][str(i)] = {"bad_lines": bad, "rows": n}
                kind = "population"
            f.write(f"{i}\t{kind}\t{copy_escape(text)}\n")
    with open(f"{outdir}/spec.copy", "w", encoding="utf-8", newline="") as f:
        for i in range(count):
            f.write(f"{i}\t{copy_escape(rand_spec(rng))}\n")
    with open(f"{outdir}/truth.json", "w", encoding="utf-8") as f:
        json.dump(truth, f)


def read_out(path):
    out = {}
    with open(path, encoding="utf-8", newline="\n") as f:
        for raw in f:
            ident, payload, state = raw.rstrip("\n").split("\t")
            out[ident] = (json.loads(payload), state)
    return out


def compare(outdir):
    truth = json.load(open(f"{outdir}/truth.json", encoding="utf-8"))
    bad = []
    fig = {}
    csv_out = read_out(f"{outdir}/csv.out")
    errors = [i for i, (_, st) in csv_out.items() if st]
    fig["csv_inputs"] = len(csv_out)
    fig["csv_errors"] = len(errors)
    bad += [f"csv input {i}: csv_rows() failed with {csv_out[i][1]}" for i in errors[:20]]
    agree_truth = agree_python = 0
    for i, records in truth["csv"].items():
        rows, st = csv_out[i]
        if st:
            continue
        got = [[r[0], r[1]] for r in rows]
        if got == records and all(r[2] is None for r in rows):
            agree_truth += 1
        else:
            bad.append(f"csv input {i}: csv_rows() {json.dumps(rows, ensure_ascii=False)[:600]} "
                       f"!= generated {json.dumps(records, ensure_ascii=False)[:600]}")
    for i, prow in truth["csv_python"].items():
        rows, st = csv_out[i]
        if st:
            continue
        got = [["" if v is None else v for v in r[1]] for r in rows]
        if got == [r for r in prow if r != []]:
            agree_python += 1
        else:
            bad.append(f"csv input {i}: csv_rows() {json.dumps(got, ensure_ascii=False)[:600]} "
                       f"!= Python's csv {json.dumps(prow, ensure_ascii=False)[:600]}")
    fig["csv_valid_inputs_equal_to_generated"] = f"{agree_truth} of {len(truth['csv'])}"
    fig["csv_inputs_equal_to_python_csv"] = f"{agree_python} of {len(truth['csv_python'])}"
    fig["csv_records"] = sum(len(r[0]) for r in csv_out.values() if r[0] is not None)
    fig["csv_records_with_a_problem"] = sum(1 for r in csv_out.values() if r[0] for x in r[0] if x[2] is not None)

    loader = read_out(f"{outdir}/loader.out")
    ok_files = 0
    for kind in ("regions", "population"):
        for i, t in truth[kind].items():
            (res, st) = loader[i]
            lines = sorted({p for p in res["problem_lines"] if p is not None})
            expect_load = "SFZ01" if not t["bad_lines"] else "22023"
            good = (lines == t["bad_lines"] and res["load_state"] == expect_load
                    and (t["bad_lines"] or res["loaded"] == t["rows"]) and not st)
            if good:
                ok_files += 1
            else:
                bad.append(f"{kind} file {i}: problems on lines {lines}, load {res['load_state']} "
                           f"({res.get('loaded')} rows), expected lines {t['bad_lines']}, {expect_load} ({t['rows']} rows); "
                           f"{res.get('problems', '')[:400]}")
    fig["loader_files"] = f"{len(truth['regions'])} regions, {len(truth['population'])} population"
    fig["loader_files_as_expected"] = f"{ok_files} of {len(truth['regions']) + len(truth['population'])}"
    fig["loader_files_refused"] = sum(1 for k in ("regions", "population") for t in truth[k].values() if t["bad_lines"])

    spec = read_out(f"{outdir}/spec.out")
    states = {}
    for i, (res, st) in spec.items():
        states[st or "ok"] = states.get(st or "ok", 0) + 1
        if st and not (st.startswith("22")):
            bad.append(f"spec {i}: SQLSTATE {st}: {res}")
    fig["spec_inputs"] = len(spec)
    fig["spec_outcomes"] = " ".join(f"{k}:{v}" for k, v in sorted(states.items()))
    # every input answered
    for name, answers in (("csv", csv_out), ("loader", loader), ("spec", spec)):
        with open(f"{outdir}/{name}.copy", encoding="utf-8", newline="\n") as f:
            n_in = sum(1 for _ in f)
        if len(answers) != n_in:
            bad.append(f"{name}: {len(answers)} answers to {n_in} inputs")
    for k, v in fig.items():
        print(f"figure: {k} = {v}")
    for b in bad[:40]:
        print("DISAGREEMENT: " + b)
    print(f"disagreements: {len(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    csv.field_size_limit(sys.maxsize)
    if sys.argv[1] == "gen":
        gen(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2]))
    else:
        sys.exit("usage: fuzz.py gen SEED COUNT DIR | compare DIR")
