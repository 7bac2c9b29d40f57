"""Listing tables drawn line by line.

rich lays a table out by measuring and wrapping every cell as a renderable: 20-40 s for the 20,000
task rows of a 10k-note vault on a terminal, where the JSON of the same rows takes 2 s. Listing cells
are short plain text, so they are drawn here in rich's own look (its default HEAVY_HEAD box, a bold
header, an italic title) and width rules (a column as wide as its widest cell, the widest columns
shrunk first until the table fits the terminal, cells wrapped onto more lines at spaces and folded
inside words), with rich's cell-width functions for wide characters. The cost is one pass over the
cells: about as much as encoding them as JSON.
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


def fit_widths(natural: Sequence[int], available: int) -> list[int]:
    """Column widths that fit `available` cells: the widest columns give way first, down to the
    next widest, and so on; no column goes below one cell."""
    widths = list(natural)
    excess = sum(widths) - max(available, len(widths))
    while excess > 0:
        top = max(widths)
        widest = [i for i, w in enumerate(widths) if w == top]
        floor = max([w for w in widths if w < top], default=1)
        step = min(excess, (top - floor) * len(widest))
        if step <= 0:
            break
        per, extra = divmod(step, len(widest))
        for k, i in enumerate(widest):
            widths[i] -= per + (1 if k < extra else 0)
        excess -= step
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


def lines(title: str | None, headers: Sequence[str], rows: Sequence[Sequence[str]], *, width: int,
          styled: bool) -> Iterator[str]:
    """The table's lines, `width` cells wide at most; `styled` adds rich's bold header and italic
    title (ANSI), as rich does on a terminal."""
    cells = Cells.rich()
    natural = [max([cells.len(h), *(cells.len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    widths = fit_widths(natural, width - 3 * len(headers) - 1)
    if title:
        yield f"{ITALIC}{title}{RESET}" if styled else title
    yield "┏" + "┳".join("━" * (w + 2) for w in widths) + "┓"
    yield from _row(headers, widths, cells, "┃", BOLD if styled else "")
    yield "┡" + "╇".join("━" * (w + 2) for w in widths) + "┩"
    for r in rows:
        yield from _row(r, widths, cells, "│")
    yield "└" + "┴".join("─" * (w + 2) for w in widths) + "┘"
