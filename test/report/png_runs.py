#!/usr/bin/env python3
r"""Decode a PNG (8-bit RGB or RGBA, non-interlaced: what Chromium writes) with
the standard library only and print, for each colour asked for, what the
report checks need, as tab-separated lines:

    size    \N         <width>  <height>
    pixels  <#RRGGBB>  <count>  \N
    run     <#RRGGBB>  <length> <rows>

(\N: NULL for psql's \copy).

"run" lines: the horizontal runs of exactly that colour (maximal, one row of
pixels each), grouped by length: <rows> rows hold a run of <length> pixels.
A bar of the report's chart, w px wide and 24 px high, shows as a run of
length w in 24 rows.

    python3 png_runs.py FILE.png '#C62828' '#2E7D32' ...
"""
import struct
import sys
import zlib


def decode(path):
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise SystemExit(f'{path}: not a PNG file')
    pos, idat, width = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
            if depth != 8 or ctype not in (2, 6) or interlace != 0:
                raise SystemExit(f'{path}: unsupported PNG (depth {depth}, colour type {ctype}, interlace {interlace})')
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat.append(body)
        elif kind == b'IEND':
            break
        pos += 12 + length
    if width is None:
        raise SystemExit(f'{path}: no IHDR')
    raw = zlib.decompress(b''.join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        ftype = raw[start]
        line = bytearray(raw[start + 1:start + 1 + stride])
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif ftype == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        elif ftype != 0:
            raise SystemExit(f'{path}: bad filter type {ftype} in row {y}')
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def main():
    path, colours = sys.argv[1], sys.argv[2:]
    width, height, bpp, rows = decode(path)
    print(f'size\t\\N\t{width}\t{height}')
    wanted = {bytes.fromhex(c.lstrip('#')): c.upper() for c in colours}
    pixels = {c: 0 for c in wanted.values()}
    runs = {c: {} for c in wanted.values()}
    for line in rows:
        x, run_colour, run_len = 0, None, 0
        for x in range(width + 1):
            px = line[x * bpp:x * bpp + 3] if x < width else None
            if px is not None and px == run_colour:
                run_len += 1
                continue
            if run_colour in wanted:
                name = wanted[run_colour]
                pixels[name] += run_len
                runs[name][run_len] = runs[name].get(run_len, 0) + 1
            run_colour, run_len = px, 1
    for name in sorted(pixels):
        print(f'pixels\t{name}\t{pixels[name]}\t\\N')
    for name in sorted(runs):
        for length in sorted(runs[name]):
            print(f'run\t{name}\t{length}\t{runs[name][length]}')


if __name__ == '__main__':
    main()
