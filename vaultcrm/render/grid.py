"""Listing tables drawn line by line.

rich lays a table out by measuring and wrapping every cell as a renderable: 20-40 s for the 20,000
task rows of a 10k-note vault on a terminal, where the JSON of the same rows takes 2 s. Listing cells
are short plain text, so they are drawn here in rich's own look (its default HEAVY_HEAD box, a bold
header, an italic title) and width rules (a column as wide as its widest cell, the widest columns
shrunk first until the table fits the terminal, cells wrapped onto more lines at spaces and folded
inside words), with rich's cell-width functions for wide characters. The cost is one pass over the
cells: about as much as encoding them as JSON.

Listings keep one row a line (`fit="truncate"`): ids, dates and numbers (`FIXED`) never shrink, a
path gives way from the left (`…/Acme/README.md`), other text from the right with `…`. Wrapping,
rich's way, is kept for tables whose every word matters.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

BOLD, ITALIC, RESET = "\x1b[1m", "\x1b[3m", "\x1b[0m"


class Cells(NamedTuple):
    """rich's cell arithmetic (imported when a table is drawn, not when vaultcrm starts)."""

    len: Callable[[str], int]
    chop: Callable[[str, int], list[str]]

    @classmethod
    def rich(cls) -> Cells:
        from rich.cells import cell_len, chop_cells

        return cls(lambda t: len(t) if t.isascii() else cell_len(t), chop_cells)


def fit_widths(natural: Sequence[int], available: int, floors: Sequence[int] | None = None) -> list[int]:
    """Column widths that fit `available` cells if they can: the widest column above its floor
    (one cell by default) gives way one cell at a time, so wide columns meet the next widest and
    then shrink together."""
    widths = list(natural)
    floor = list(floors) if floors is not None else [1] * len(widths)
    excess = sum(widths) - max(available, len(widths))
    while excess > 0:
        can = [n for n, w in enumerate(widths) if w > floor[n]]
        if not can:
            break
        widths[max(can, key=lambda n: widths[n])] -= 1
        excess -= 1
    return widths


PATH_FLOOR = 24  # a path keeps this much (its file name, mostly) before text columns give way


def _widths(natural: list[int], available: int, kinds: Sequence[str] | None, heads: list[int]) -> list[int]:
    """Column widths: all give way (`fit_widths`); with `kinds`, fixed columns keep theirs, paths
    give way first (down to PATH_FLOOR), then paths and text together down to their header (or 6
    cells), then anything but the fixed columns down to one cell."""
    if kinds is None:
        return fit_widths(natural, available)
    widths = list(natural)
    for floor in ([w if k != PATH else min(w, PATH_FLOOR) for w, k in zip(natural, kinds, strict=True)],
                  [min(w, max(h, 6)) for w, h in zip(natural, heads, strict=True)], [1] * len(natural)):
        floor = [w if k == FIXED else f for w, f, k in zip(natural, floor, kinds, strict=True)]
        widths = fit_widths(widths, available, floor)
    return widths


def wrap(text: str, width: int, cells: Cells) -> list[str]:
    """`text` as lines of at most `width` cells: broken at spaces, words wider than the column
    folded (rich's `overflow="fold"`)."""
    if text.isascii():  # most cells: one cell a character, and textwrap's C-backed splitting
        return [text] if len(text) <= width else textwrap.wrap(text, width, break_on_hyphens=False) or [""]
    cell_len = cells.len
    if cell_len(text) <= width:
        return [text]
    lines: list[str] = []
    current = ""
    for word in text.split():
        for chunk in cells.chop(word, width) if cell_len(word) > width else [word]:
            joined = f"{current} {chunk}" if current else chunk
            if cell_len(joined) <= width:
                current = joined
            else:
                lines.append(current)
                current = chunk
    lines.append(current)
    return lines


def _row(row: Sequence[str], widths: Sequence[int], cells: Cells, edge: str, style: str = "") -> Iterator[str]:
    end = RESET if style else ""
    head, sep, tail = f"{edge}{style} ", f" {end}{edge}{style} ", f" {end}{edge}"
    wrapped = [wrap(c, w, cells) for c, w in zip(row, widths, strict=True)]
    for n in range(max(map(len, wrapped))):
        parts = [_pad(w[n] if n < len(w) else "", width, cells) for w, width in zip(wrapped, widths, strict=True)]
        yield head + sep.join(parts) + tail


def _pad(text: str, width: int, cells: Cells) -> str:
    return text.ljust(width) if text.isascii() else text + " " * (width - cells.len(text))


FIXED, PATH, TEXT = "fixed", "path", "text"  # how a column gives way when the table is too wide


def shorten(text: str, width: int, kind: str, cells: Cells) -> str:
    """`text` cut to `width` cells with `…`: a path keeps its end (the file), other text its start."""
    if cells.len(text) <= width or kind == FIXED:
        return text
    if width <= 1:
        return "…"[:width]
    if kind == PATH:
        tail = text[::-1]
        kept = cells.chop(tail, width - 1)[0] if not tail.isascii() else tail[:width - 1]
        return "…" + kept[::-1]
    kept = cells.chop(text, width - 1)[0] if not text.isascii() else text[:width - 1]
    return kept + "…"


def lines(title: str | None, headers: Sequence[str], rows: Sequence[Sequence[str]], *, width: int,
          styled: bool, kinds: Sequence[str] | None = None) -> Iterator[str]:
    """The table's lines, `width` cells wide at most; `styled` adds rich's bold header and italic
    title (ANSI), as rich does on a terminal. With `kinds` (one per column: FIXED, PATH, TEXT) each
    row stays on one line, cut to fit; without, cells wrap."""
    cells = Cells.rich()
    natural = [max([cells.len(h), *(cells.len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    widths = _widths(natural, width - 3 * len(headers) - 1, kinds, [cells.len(h) for h in headers])
    if kinds is not None:
        rows = [[shorten(c, w, k, cells) for c, w, k in zip(r, widths, kinds, strict=True)] for r in rows]
        headers = [shorten(h, w, TEXT, cells) for h, w in zip(headers, widths, strict=True)]
    if title:
        yield f"{ITALIC}{title}{RESET}" if styled else title
    yield "┏" + "┳".join("━" * (w + 2) for w in widths) + "┓"
    yield from _row(headers, widths, cells, "┃", BOLD if styled else "")
    yield "┡" + "╇".join("━" * (w + 2) for w in widths) + "┩"
    for r in rows:
        yield from _row(r, widths, cells, "│")
    yield "└" + "┴".join("─" * (w + 2) for w in widths) + "┘"
