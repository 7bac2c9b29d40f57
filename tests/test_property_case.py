"""Property keys match in any case, as Obsidian shows them: `get`/`set`/`unset` find `status:` when
asked for `Status` and edit the key under its own spelling, touching no other byte; keys that differ
only in case are refused (exit 4, both lines named, nothing written), listed by a fixed rule, and
reported by `doctor` as `ambiguous-key`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, invoke, make_vault, snapshot

from vaultcrm.ops import doctor

ACME = "Customers/Acme.md"
TWINS = "Customers/Twins.md"
TOML = "Customers/Toml.md"

ACME_TEXT = """---
type: customer
Status: lead
owners:
  - Bob
last_contact: 2026-06-01
---

# Acme

## Account Status

| Field | Value |
| --- | --- |
| **Status** | lead |
"""

# `status` on line 3 and `Status` on line 5: one property to Obsidian, two keys to YAML
TWINS_TEXT = """---
type: customer
status: lead
owner: Dana
Status: prospect
---

# Twins
"""

TOML_TEXT = """+++
status = "lead"
Status = "prospect"
+++

# Toml
"""

CALM_TEXT = """---
type: customer
status: prospect
---

# Calm
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "v", {ACME: ACME_TEXT, TWINS: TWINS_TEXT, TOML: TOML_TEXT,
                                       "Customers/Calm.md": CALM_TEXT})


@pytest.fixture
def run(root: Path) -> Callable[..., Run]:
    def _run(*args: str) -> Run:
        return invoke(["--vault", str(root), *args])

    return _run


def _replaced(text: str, old: str, new: str) -> bytes:
    """`text` with `old` (which must occur exactly once) replaced by `new`, as UTF-8 bytes."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new).encode("utf-8")


def _only_changed(before: dict[str, bytes], root: Path, path: str, expected: bytes) -> None:
    after = snapshot(root)
    assert after[path] == expected
    assert {k: v for k, v in after.items() if k != path} == {k: v for k, v in before.items() if k != path}


# ---- get / set / unset in another case -----------------------------------------------------------
@pytest.mark.parametrize(("key", "value"), [("OWNERS", "Bob\n"), ("Last_Contact", "2026-06-01\n"),
                                            ("Owners", "Bob\n")])
def test_get_finds_a_key_written_in_another_case(run, key: str, value: str) -> None:
    r = run("get", "Acme", key)
    assert (r.exit_code, r.stdout, r.stderr) == (0, value, "")


@pytest.mark.parametrize("key", ["status", "STATUS"])
def test_set_in_another_case_rewrites_the_value_under_the_files_own_key(run, root: Path, key: str) -> None:
    before = snapshot(root)
    r = run("set", "Acme", key, "prospect")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""
    # the key keeps its spelling, no second key appears; the Account Status row follows as before
    expected = _replaced(ACME_TEXT, "Status: lead\n", "Status: prospect\n").decode()
    _only_changed(before, root, ACME, _replaced(expected, "| **Status** | lead |", "| **Status** | prospect |"))


def test_set_keeps_a_quoted_empty_value_quoted_under_its_own_key(tmp_path: Path) -> None:
    text = "---\ntype: customer\nstatus: ''\n---\n\n# OpenAI\n"
    root = make_vault(tmp_path / "v", {"Customers/OpenAI.md": text})
    before = snapshot(root)
    r = invoke(["--vault", str(root), "set", "OpenAI", "Status", "Prospect"])
    assert r.exit_code == 0, r.stderr
    _only_changed(before, root, "Customers/OpenAI.md", _replaced(text, "status: ''\n", "status: 'Prospect'\n"))
    r = invoke(["--vault", str(root), "unset", "OpenAI", "STATUS"])
    assert r.exit_code == 0, r.stderr
    _only_changed(before, root, "Customers/OpenAI.md", _replaced(text, "status: ''\n", ""))


def test_set_add_in_another_case_appends_to_the_existing_list(run, root: Path) -> None:
    before = snapshot(root)
    r = run("set", "Acme", "Owners", "--add", "Al")
    assert r.exit_code == 0, r.stderr
    _only_changed(before, root, ACME, _replaced(ACME_TEXT, "  - Bob\n", "  - Bob\n  - Al\n"))


def test_unset_in_another_case_removes_only_that_keys_line(run, root: Path) -> None:
    before = snapshot(root)
    r = run("unset", "Acme", "status")
    assert r.exit_code == 0, r.stderr
    expected = _replaced(ACME_TEXT, "Status: lead\n", "").decode()
    _only_changed(before, root, ACME, _replaced(expected, "| **Status** | lead |", "| **Status** |  |"))


def test_set_of_a_missing_key_still_adds_it_as_typed(run, root: Path) -> None:
    before = snapshot(root)
    r = run("set", "Acme", "Tier", "1")
    assert r.exit_code == 0, r.stderr
    _only_changed(before, root, ACME, _replaced(ACME_TEXT, "last_contact: 2026-06-01\n",
                                                "last_contact: 2026-06-01\nTier: 1\n"))


# ---- keys that differ only in case ---------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ("get", "Twins", "status"),  # an exact-case match is still a guess
    ("get", "Twins", "STATUS"),
    ("set", "Twins", "Status", "won"),
    ("set", "Twins", "status", "--add", "won"),
    ("unset", "Twins", "status"),
    ("unset", "Twins", "sTaTuS"),
])
def test_keys_that_differ_only_in_case_are_refused_naming_both_lines(run, root: Path, args: tuple[str, ...]) -> None:
    before = snapshot(root)
    r = run(*args)
    assert r.exit_code == 4
    assert r.stdout == ""
    assert r.stderr.startswith(f"vaultcrm: error: {TWINS}: property {args[2]!r} is ambiguous: ")
    assert "'status' (line 3) and 'Status' (line 5) differ only in case" in r.stderr
    assert snapshot(root) == before


def test_toml_keys_that_differ_only_in_case_are_refused_naming_both_lines(run) -> None:
    r = run("get", "Toml", "status")
    assert r.exit_code == 4
    assert "'status' (line 2) and 'Status' (line 3) differ only in case" in r.stderr


# ---- list --where / --sort -----------------------------------------------------------------------
def _listed(run, *args: str) -> list[str]:
    r = run("list", "--json", *args)
    assert r.exit_code == 0, r.stderr
    return [row["path"] for row in json.loads(r.stdout)]


@pytest.mark.parametrize("clause", ["status=lead", "STATUS=lead", "Status"])
def test_list_where_finds_a_key_written_in_another_case(run, clause: str) -> None:
    assert ACME in _listed(run, "--where", clause)


def test_list_where_unset_in_another_case_excludes_the_note(run) -> None:
    assert ACME not in _listed(run, "--where", "!status")


@pytest.mark.parametrize(("clause", "listed"), [
    ("status=lead", True),  # the exact spelling `status` wins
    ("Status=prospect", True),  # the exact spelling `Status` wins
    ("Status=lead", False),
    ("STATUS=lead", True),  # no exact spelling: the first key in file order, `status`
    ("STATUS=prospect", False),
])
def test_list_where_reads_twin_keys_by_exact_case_then_file_order(run, clause: str, listed: bool) -> None:
    assert (TWINS in _listed(run, "--where", clause)) is listed


def test_list_sort_reads_a_key_in_another_case(run) -> None:
    # Acme `Status: lead`, Twins `status: lead`, Calm `status: prospect`, Toml `status = "lead"`
    assert _listed(run, "--sort", "-STATUS") == ["Customers/Calm.md", TWINS, TOML, ACME]
    # `Status` matches Toml's and Twins' `Status` exactly (prospect), Acme's and Calm's in any case
    assert _listed(run, "--sort", "Status") == [ACME, "Customers/Calm.md", TOML, TWINS]


# ---- doctor --------------------------------------------------------------------------------------
def test_doctor_reports_twin_keys_at_the_second_one_naming_both(run) -> None:
    r = run("doctor", "--json")
    rows = [row for row in json.loads(r.stdout) if row["code"] == "ambiguous-key"]
    assert r.exit_code == 1
    assert rows == [
        {"path": TOML, "line": 3, "code": "ambiguous-key", "fixable": False,
         "message": "properties 'status' (line 2) and 'Status' (line 3) differ only in case"},
        {"path": TWINS, "line": 5, "code": "ambiguous-key", "fixable": False,
         "message": "properties 'status' (line 3) and 'Status' (line 5) differ only in case"},
    ]
    assert "ambiguous-key" in doctor.CODES and "ambiguous-key" not in doctor.FIXABLE_CODES


def test_doctor_reports_one_finding_per_pair(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"N.md": "---\nSTATUS: a\nstatus: b\nx: 1\nStatus: c\n---\n"})
    r = invoke(["--vault", str(root), "doctor", "--json"])
    got = [(row["line"], row["message"]) for row in json.loads(r.stdout) if row["code"] == "ambiguous-key"]
    assert got == [
        (3, "properties 'STATUS' (line 2) and 'status' (line 3) differ only in case"),
        (5, "properties 'STATUS' (line 2) and 'Status' (line 5) differ only in case"),
        (5, "properties 'status' (line 3) and 'Status' (line 5) differ only in case"),
    ]


def test_doctor_is_silent_about_keys_that_differ_in_more_than_case(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"N.md": "---\nstatus: a\nstatus2: b\nStatus_: c\n---\n"})
    r = invoke(["--vault", str(root), "doctor", "--json"])
    assert (r.exit_code, json.loads(r.stdout)) == (0, [])
