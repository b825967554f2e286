#!/usr/bin/env python3
"""test/bench/flame.py -- a flame graph (SVG) from `perf script` output.

    perf script -i perf.data | python3 test/bench/flame.py TITLE > flame.svg

Each sample's call chain (outermost frame first) is folded into a tree; a
frame's width is its share of the samples, children stacked above their
caller (Brendan Gregg's flame graph layout, written here so that the
benchmark needs nothing beyond Debian's perf and python3).  Frames perf
could not name keep their address.  Also prints, on stderr, the folded
stacks' 25 heaviest frames by inclusive share: the same numbers as text.
"""
import html
import sys
from collections import defaultdict

WIDTH, ROW, FONT = 1200, 16, 11


def samples(lines):
    """Yields each sample's frames, outermost first."""
    stack = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if stack:
                yield list(reversed(stack))
            stack = []
        elif line.startswith((" ", "\t")):
            parts = line.strip().split(None, 1)
            name = parts[1] if len(parts) > 1 else parts[0]
            name = name.split(" (")[0].split("+0x")[0]
            stack.append(name)
    if stack:
        yield list(reversed(stack))


def main():
    title = sys.argv[1] if len(sys.argv) > 1 else "flame graph"
    tree = {"n": 0, "kids": {}}
    inclusive = defaultdict(int)
    total = 0
    for frames in samples(sys.stdin):
        total += 1
        node = tree
        node["n"] += 1
        for f in frames:
            node = node["kids"].setdefault(f, {"n": 0, "kids": {}})
            node["n"] += 1
        for f in set(frames):
            inclusive[f] += 1
    if total == 0:
        sys.exit("flame.py: no samples in the input")
    depth = [0]

    def height(node, d):
        depth[0] = max(depth[0], d)
        for k in node["kids"].values():
            height(k, d + 1)

    height(tree, 0)
    out = []

    def draw(node, name, x, d):
        w = node["n"] / total * WIDTH
        if w < 0.1:
            return
        y = (depth[0] - d) * ROW + 30
        share = 100.0 * node["n"] / total
        hue = 20 + sum(map(ord, name)) % 40     # stable across runs
        out.append(f'<g><title>{html.escape(name)} ({node["n"]} samples, {share:.2f} %)</title>'
                   f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{ROW - 1}" '
                   f'fill="hsl({hue},90%,60%)"/>')
        if w > 40:
            label = name[: int(w / 7)]
            out.append(f'<text x="{x + 2:.2f}" y="{y + ROW - 4}" font-size="{FONT}">{html.escape(label)}</text>')
        out.append("</g>")
        for k in sorted(node["kids"]):
            draw(node["kids"][k], k, x, d + 1)
            x += node["kids"][k]["n"] / total * WIDTH

    x = 0.0
    for k in sorted(tree["kids"]):
        draw(tree["kids"][k], k, x, 0)
        x += tree["kids"][k]["n"] / total * WIDTH
    h = (depth[0] + 1) * ROW + 40
    print(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{h}" font-family="monospace">')
    print(f'<text x="4" y="16" font-size="13">{html.escape(title)} ({total} samples)</text>')
    print("\n".join(out))
    print("</svg>")
    for name, n in sorted(inclusive.items(), key=lambda kv: -kv[1])[:25]:
        print(f"{100.0 * n / total:6.1f} %  {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
