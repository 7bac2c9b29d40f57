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
    got = "\n".join(render.table_lines(None, (["title"], ["Title"]), [{"title": title}], width=200, styled=False))
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in got.replace("\n", ""))
    assert "Evil␛]8;;http://x␛\\link␛]8;;␛\\ ␛[2J\ufffd31m␇ end" in got


# ---- listings at 80 columns, on the example vault ---------------------------------------------------
import json  # noqa: E402
import re  # noqa: E402

import pytest  # noqa: E402

NARROW = {"COLUMNS": "80"}


@pytest.mark.parametrize(("args", "keys"), [
    (["task", "list"], ["id", "due"]),
    (["list"], ["last_contact"]),
    (["stale"], ["last_contact", "days"]),
    (["timeline"], ["date"]),
    (["undo", "--list"], ["time"]),
])
def test_each_listing_keeps_one_row_a_line_at_80_columns_and_never_cuts_an_id_or_a_date(
        run, args: list[str], keys: list[str]) -> None:
    assert run("log", "Globex", "Called about the renewal").exit_code == 0  # something for undo --list
    rows = json.loads(run(*args, "--json").stdout)
    r = run(*args, env=NARROW)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    body = [line for line in lines if line.startswith("│")]
    assert len(body) == len(rows) > 0  # one line a row: nothing wrapped
    shown = "\n".join(body)
    for row in rows:
        for key in keys:
            value = row[key]
            if key == "time":  # undo --list prints the local time as it reads best
                value = re.sub(r"T(\d\d:\d\d):\d\d.*", r" \1", value)
            assert value is None or str(value) in shown, (key, value)


def test_the_note_column_goes_where_the_path_says_the_same(run) -> None:
    header = run("task", "list", env=NARROW).stdout.splitlines()[1]
    assert "Path" in header and "Note" not in header
    # a task in a note whose title its path does not say keeps the Note column
    assert run("task", "add", "Globex", "Send the deck").exit_code == 0
    assert run("set", "Globex", "title", "Globex Corporation").exit_code == 0
    assert "Note" in run("task", "list", env=NARROW).stdout.splitlines()[1]


def test_a_long_path_keeps_its_end() -> None:
    assert grid.shorten("Customers and Partners/OpenAI/README.md", 12, grid.PATH, CELLS) == "…I/README.md"
    assert grid.shorten("Send the revised quote to Jane", 10, grid.TEXT, CELLS) == "Send the …"
    assert grid.shorten("2026-11-22", 4, grid.FIXED, CELLS) == "2026-11-22"


# ---- CSV/TSV: no formula injection -------------------------------------------------------------------
@pytest.mark.parametrize(("value", "shown"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("Acme", "Acme"), (-5, "-5"), (2.5, "2.5"),
    (["=x", "y"], "'=x, y"),
])
def test_csv_cells_that_start_like_a_formula_are_guarded(value, shown) -> None:
    from vaultcrm import render

    assert render.spreadsheet_safe(value) == shown


def test_a_formula_title_is_guarded_in_csv_and_tsv_but_exact_in_json(tmp_path) -> None:
    from conftest import invoke, make_vault

    root = make_vault(tmp_path / "v", {"Customers/=cmd.md": "---\ntype: customer\ntitle: \"=cmd|' /C calc'!A0\"\n---\n"})
    csv_out = invoke(["--vault", str(root), "list", "--csv"]).stdout
    assert "\"'=cmd|' /C calc'!A0\"" in csv_out or "'=cmd|' /C calc'!A0" in csv_out
    tsv_out = invoke(["--vault", str(root), "list", "--tsv"]).stdout
    assert "\t'=cmd|' /C calc'!A0" in "\t" + tsv_out.splitlines()[1]
    assert json.loads(invoke(["--vault", str(root), "list", "--json"]).stdout)[0]["title"] == "=cmd|' /C calc'!A0"


def test_show_never_sends_a_notes_escape_sequences_to_the_terminal(tmp_path) -> None:
    from conftest import invoke, make_vault

    evil = ("---\ntype: customer\ntitle: \"Evil\\e]52;c;SGVsbG8=\\a\\e[2J\"\nstatus: \"\\e[31mred\"\n---\n# x\n\n"
            "## Notes\n\n- body \x1b[2J line\n\n## Recent Context\n\n- 2026-11-01: [[x]] - call \x1b]8;;http://x\x1b\\\n")
    root = make_vault(tmp_path / "v", {"Customers/Evil.md": evil})
    r = invoke(["--vault", str(root), "show", "Customers/Evil.md"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.stderr
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout  # not a terminal here: rich adds no styles
    assert "Evil␛]52;c;SGVsbG8=␇␛[2J" in r.stdout and "body ␛[2J line" in r.stdout and "␛[31mred" in r.stdout
