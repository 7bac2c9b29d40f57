"""Listing tables drawn line by line (`render.grid`): rich's look and width rules, without rich's
per-cell layout. Expected tables are written out by hand."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from vaultcrm.render import grid

CELLS = grid.Cells.rich()


def test_a_table_that_fits_is_as_wide_as_its_widest_cells() -> None:
    got = list(grid.lines("Tasks", ["Id", "Task"], [["a1", "Call Jane"], ["b22", "Send the deck"]],
                          width=80, styled=False))
    assert got == [
        "Tasks",
        "┏━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Id  ┃ Task          ┃",
        "┡━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ a1  │ Call Jane     │",
        "│ b22 │ Send the deck │",
        "└─────┴───────────────┘",
    ]


def test_a_narrow_terminal_shrinks_the_widest_column_and_wraps_its_cells() -> None:
    got = list(grid.lines(None, ["Id", "Task"], [["a1", "Send the pricing deck"]], width=16, styled=False))
    # 16 cells: 3 borders + 2 x 2 padding leave 9 for the columns; Id keeps 2, Task gets 7
    assert got == [
        "┏━━━━┳━━━━━━━━━┓",
        "┃ Id ┃ Task    ┃",
        "┡━━━━╇━━━━━━━━━┩",
        "│ a1 │ Send    │",
        "│    │ the     │",
        "│    │ pricing │",
        "│    │ deck    │",
        "└────┴─────────┘",
    ]


def test_wide_characters_count_two_cells_and_long_words_are_folded() -> None:
    assert grid.wrap("東京の顧客", 4, CELLS) == ["東京", "の顧", "客"]
    assert grid.wrap("abcdefghij", 4, CELLS) == ["abcd", "efgh", "ij"]
    row = list(grid.lines(None, ["A"], [["東京"]], width=80, styled=False))[3]
    assert row == "│ 東京 │"  # the header "A" widened to the cell's 4 cells


def test_on_a_terminal_the_header_is_bold_and_the_title_italic() -> None:
    got = list(grid.lines("T", ["A"], [["x"]], width=80, styled=True))
    assert got[0] == "\x1b[3mT\x1b[0m"
    assert got[2] == "┃\x1b[1m A \x1b[0m┃"
    assert got[4] == "│ x │"


def test_an_empty_listing_still_draws_its_header() -> None:
    assert list(grid.lines("Overdue", ["Id"], [], width=80, styled=False)) == \
        ["Overdue", "┏━━━━┓", "┃ Id ┃", "┡━━━━┩", "└────┘"]


def test_widths_give_way_widest_first() -> None:
    assert grid.fit_widths([10, 30, 20], 40) == [10, 15, 15]
    assert grid.fit_widths([10, 30, 20], 60) == [10, 30, 20]
    assert grid.fit_widths([5, 5], 1) == [1, 1]  # never below one cell


@given(st.lists(st.lists(st.text(alphabet=st.sampled_from(list("ab cé東\t")), max_size=40), min_size=3, max_size=3),
                max_size=6), st.integers(min_value=20, max_value=120))
def test_no_line_is_wider_than_the_terminal_and_no_text_is_lost(rows: list[list[str]], width: int) -> None:
    rows = [[c.replace("\t", " ") for c in r] for r in rows]
    got = list(grid.lines(None, ["One", "Two", "Three"], rows, width=width, styled=False))
    assert all(cell_len(line) <= width for line in got)
    assert len({cell_len(line) for line in got}) == 1  # a rectangle
    shown = "".join(got).replace(" ", "").replace("│", "").replace("┃", "")
    for r in rows:
        for c in r:
            assert c.replace(" ", "") in shown or all(ch in shown for ch in c.replace(" ", ""))


def test_escape_sequences_in_cells_cannot_act_on_the_terminal() -> None:
    from vaultcrm import render

    title = "Evil\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1b[2J\x9b31m\x07\tend"
    got = "\n".join(render.table_lines(None, ["Title"], [[title]], width=200, styled=False))
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in got.replace("\n", ""))
    assert "Evil␛]8;;http://x␛\\link␛]8;;␛\\ ␛[2J\ufffd31m␇ end" in got
