"""Small static SVG charts for the report page: pure functions, data in, one `<svg>` string out.

Inline SVG for an HTML page (no `xmlns`: the HTML parser places it), with no scripts and no
external fonts or images: every chart draws with the page's own CSS (classes `bar`, `bar-b`,
`cell-N`, `label`, `value`) and carries its data twice, as visible numbers and as `data-*`
attributes, so a reader (or a test) finds every value in the DOM. Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

ROW = 24  # px per bar row
LABEL_W = 190  # px for the labels on the left
LABEL_CHARS = 28  # longer labels are cut (the whole one is the row's <title>)
SHADES = 5  # heat levels besides 0


def _t(text: object) -> str:
    """Text for an SVG text node or attribute, escaped (quotes too)."""
    return escape(str(text), quote=True)


def _cut(text: str, most: int = LABEL_CHARS) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def number(value: float) -> str:
    """`1234` → `1,234`; `1.5` stays `1.5`; `12500.0` → `12,500`."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _svg(kind: str, width: int, height: int, title: str, body: str) -> str:
    return (f'<svg class="chart chart-{_t(kind)}" role="img" '
            f'aria-label="{_t(title)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f"<title>{_t(title)}</title>{body}</svg>")


def empty(kind: str, title: str, message: str = "Nothing in this range", width: int = 560) -> str:
    """A chart with no data: still one `<svg>`, saying so."""
    return _svg(kind, width, 40, title, f'<text class="empty" x="8" y="24">{_t(message)}</text>')


def bars(kind: str, title: str, rows: Sequence[tuple[str, float, str]], *, width: int = 560,
         none: str = "Nothing in this range") -> str:
    """Horizontal bars: (label, value, the value as shown) per row, longest bar = the largest value."""
    if not rows:
        return empty(kind, title, none, width=width)
    top = max((v for _, v, _ in rows), default=0) or 1
    span = width - LABEL_W - 90
    parts = []
    for i, (label, value, shown) in enumerate(rows):
        y = i * ROW
        w = max(1.0, span * max(value, 0) / top) if value else 0
        parts.append(
            f'<g class="row" data-label="{_t(label)}" data-value="{_t(number(value))}"><title>{_t(label)}: '
            f'{_t(shown)}</title><text class="label" x="{LABEL_W - 8}" y="{y + 16}" text-anchor="end">'
            f'{_t(_cut(label))}</text><rect class="bar" x="{LABEL_W}" y="{y + 4}" width="{w:.1f}" height="{ROW - 8}" '
            f'rx="3"/><text class="value" x="{LABEL_W + w + 6:.1f}" y="{y + 16}">{_t(shown)}</text></g>')
    return _svg(kind, width, len(rows) * ROW + 4, title, "".join(parts))


def paired_bars(kind: str, title: str, rows: Sequence[tuple[str, int, int]], names: tuple[str, str],
                *, width: int = 560) -> str:
    """Two bars per row (a: `bar`, b: `bar-b`) on one scale, with a legend naming them."""
    if not rows:
        return empty(kind, title, width=width)
    top = max(max(a, b) for _, a, b in rows) or 1
    span = width - LABEL_W - 60
    legend = (f'<g class="legend"><rect class="bar" x="{LABEL_W}" y="4" width="12" height="12" rx="2"/>'
              f'<text class="label" x="{LABEL_W + 18}" y="15">{_t(names[0])}</text>'
              f'<rect class="bar-b" x="{LABEL_W + 110}" y="4" width="12" height="12" rx="2"/>'
              f'<text class="label" x="{LABEL_W + 128}" y="15">{_t(names[1])}</text></g>')
    parts, pair = [legend], ROW + 12
    for i, (label, a, b) in enumerate(rows):
        y = 24 + i * pair
        wa, wb = span * a / top, span * b / top
        parts.append(
            f'<g class="row" data-label="{_t(label)}" data-{_t(names[0])}="{a}" data-{_t(names[1])}="{b}">'
            f'<title>{_t(label)}: {a} {_t(names[0])}, {b} {_t(names[1])}</title>'
            f'<text class="label" x="{LABEL_W - 8}" y="{y + 17}" text-anchor="end">{_t(_cut(label))}</text>'
            f'<rect class="bar" x="{LABEL_W}" y="{y + 2}" width="{wa:.1f}" height="12" rx="2"/>'
            f'<text class="value" x="{LABEL_W + wa + 5:.1f}" y="{y + 12}">{a}</text>'
            f'<rect class="bar-b" x="{LABEL_W}" y="{y + 16}" width="{wb:.1f}" height="12" rx="2"/>'
            f'<text class="value" x="{LABEL_W + wb + 5:.1f}" y="{y + 26}">{b}</text></g>')
    return _svg(kind, width, 24 + len(rows) * pair, title, "".join(parts))


def heat_strip(kind: str, title: str, weeks: Sequence[str], rows: Sequence[tuple[str, Sequence[int]]],
               *, cell: int = 26) -> str:
    """One row of cells per label, one cell per week, darker for more contacts; each non-empty
    cell shows its count. `weeks` label the columns (the Monday of each week, ISO)."""
    if not rows or not weeks:
        return empty(kind, title)
    top = max((max(c) for _, c in rows), default=0) or 1
    head = 28
    width = LABEL_W + cell * len(weeks) + 8
    parts = []
    for j, monday in enumerate(weeks):
        if j % 2 == 0 or len(weeks) <= 8:  # every other week's date, so the labels do not collide
            x = LABEL_W + j * cell + cell / 2
            parts.append(f'<text class="week" x="{x:.1f}" y="{head - 8}" text-anchor="middle">{_t(monday[5:])}</text>')
    for i, (label, counts) in enumerate(rows):
        y = head + i * cell
        cells = []
        for j, n in enumerate(counts):
            level = 0 if n <= 0 else min(SHADES, -(-n * SHADES // top))  # ceil: the most is the darkest
            x = LABEL_W + j * cell
            shown = f'<text class="count" x="{x + cell / 2:.1f}" y="{y + cell / 2 + 4:.1f}" ' \
                    f'text-anchor="middle">{n}</text>' if n else ""
            cells.append(f'<g data-week="{_t(weeks[j])}" data-count="{n}"><title>{_t(label)}, week of '
                         f'{_t(weeks[j])}: {n} contact{"s" if n != 1 else ""}</title><rect class="cell cell-{level}" '
                         f'x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" rx="3"/>{shown}</g>')
        parts.append(f'<g class="row" data-label="{_t(label)}" data-total="{sum(counts)}"><text class="label" '
                     f'x="{LABEL_W - 8}" y="{y + cell / 2 + 4:.1f}" text-anchor="end">{_t(_cut(label))}</text>'
                     f'{"".join(cells)}</g>')
    return _svg(kind, width, head + len(rows) * cell + 4, title, "".join(parts))
