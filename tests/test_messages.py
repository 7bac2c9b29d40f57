"""Usage errors in the user's words: a missing argument is named as what to give, a bad value says
what was expected and what came, an unknown option or command says so; each is one
`vaultcrm: error: …` line and a `hint:` naming the help to read, on stderr, and exit 2."""

from __future__ import annotations

import pytest

from tests.conftest import Run


@pytest.mark.parametrize(("args", "message"), [
    (["task", "done"], "task done: give the task (id, number or text)"),
    (["task", "undo"], "task undo: give the task (id, number or text)"),
    (["show"], "show: give the note (a title, alias, file name or vault path)"),
    (["get", "Acme Corp"], "get: give the property name"),
    (["log", "Acme Corp"], "log: give what happened (the entry's text)"),
    (["task", "add", "Acme Corp"], "task add: give the task's text"),
    (["add", "Acme Corp", "Key Facts"], "add: give the bullet's text"),
    (["new", "customer"], "new: give the new note's title"),
    (["new"], "new: give the kind of note (customer, person, meeting, …)"),
    (["merge", "OpenAI"], "merge: give the note INTO to keep"),
])
def test_a_missing_argument_is_named_as_what_to_give(run, args: list[str], message: str) -> None:
    r = run(*args)
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr.splitlines()[0] == f"vaultcrm: error: {message}"


@pytest.mark.parametrize(("args", "message"), [
    (["stale", "--days", "abc"], "--days: expected a whole number of days, got 'abc'"),
    (["agenda", "--days", "1.5"], "--days: expected a whole number of days, got '1.5'"),
    (["stale", "--days", "-1"], "--days: expected a whole number of days from 0 to 36500, got '-1'"),
    (["task", "list", "--due-within", "soon"], "--due-within: expected a whole number of days, got 'soon'"),
    (["undo", "last"], "N: expected an edit number from 'vaultcrm undo --list', got 'last'"),
    (["stale", "--days"], "--days: expected a whole number of days from 0 to 36500, got nothing"),
    (["list", "--kind"], "--kind: expected a kind (customer, person, meeting, …), got nothing"),
])
def test_a_bad_value_says_what_was_expected_and_what_came(run, args: list[str], message: str) -> None:
    r = run(*args)
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr.splitlines()[0] == f"vaultcrm: error: {message}"


@pytest.mark.parametrize(("args", "message"), [
    (["list", "--colour"], "list: no option --colour; did you mean --columns?"),
    (["show", "Acme Corp", "--jsn"], "show: no option --jsn; did you mean --json?"),
    (["frobnicate"], "no such command 'frobnicate'"),
    (["task", "frob"], "task: no such command 'frob'"),
    (["show", "Acme", "Corp"], "show: too many arguments: Corp"),
    (["list", "--json=yes"], "list: option '--json' does not take a value"),
])
def test_unknown_options_commands_and_extra_words_are_usage_errors(run, args: list[str], message: str) -> None:
    r = run(*args)
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr.splitlines()[0] == f"vaultcrm: error: {message}"


@pytest.mark.parametrize(("args", "hint"), [
    (["task", "done"], "hint: see 'vaultcrm task done --help'"),
    (["stale", "--days", "abc"], "hint: see 'vaultcrm stale --help'"),
    (["stale", "--days"], "hint: see 'vaultcrm stale --help'"),  # raised before click knows the command
    (["frobnicate"], "hint: see 'vaultcrm --help'"),
    (["show", "Acme", "Corp"], "hint: put a name with spaces in quotes (\"Acme Corp\"); see 'vaultcrm show --help'"),
])
def test_every_usage_error_ends_with_a_hint_and_no_click_usage_block(run, args: list[str], hint: str) -> None:
    r: Run = run(*args)
    assert r.exit_code == 2
    assert r.stderr.splitlines()[1:] == [hint]
    assert "Usage:" not in r.stderr and "Error:" not in r.stderr and "Traceback" not in r.stderr


def test_a_bare_group_still_shows_its_help_with_exit_2(run) -> None:
    r = run("task")
    assert r.exit_code == 2
    assert "Commands:" in r.stderr and "done" in r.stderr


def test_vaultcrms_own_usage_errors_read_as_before(run) -> None:
    r = run("list", "--json", "--csv")
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr.splitlines()[0] == "vaultcrm: error: choose one of --json, --csv, --tsv"
