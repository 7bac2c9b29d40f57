"""`vaultcrm open NAME`: the note in $VISUAL/$EDITOR (or `editor` from the config), or in Obsidian
through an `obsidian://` URI; never run on a non-terminal without --yes, and never through a shell.

HOME and XDG_CONFIG_HOME are tmp folders and VISUAL/EDITOR are unset unless a test sets them.
"""

from __future__ import annotations

import os
import stat
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import Run, invoke, make_vault

from vaultcrm.cli import personal
from vaultcrm.cli.app import app
from vaultcrm.ops.opening import obsidian_uri

if not any(c.name in ("config", "open") for c in app.registered_commands):  # until cli/app.py registers them
    personal.register(app)


@pytest.fixture(autouse=True)
def _no_personal_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / "xdg"))
    for name in ("VISUAL", "EDITOR", "PAGER"):
        monkeypatch.delenv(name, raising=False)


def vcrm(vault: Path, *args: str) -> Run:
    return invoke(["--vault", str(vault), *args])


def fake_editor(folder: Path, marker: Path, status: int = 0) -> Path:
    """An editor that writes each argument it got, one a line, to `marker`, and exits with `status`."""
    script = folder / "fake-editor"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{marker}"\nexit {status}\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


# ---- --print: the exact command or URI, nothing run ---------------------------------------------------------
def test_print_shows_the_editor_command_with_the_notes_absolute_path(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", "code --wait")
    r = vcrm(vault, "open", "acme corp", "--print")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == f"code --wait '{vault}/Customers/Acme Corp.md'\n"
    assert r.stderr == ""


def test_visual_comes_before_editor_as_in_git(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", "nano")
    monkeypatch.setenv("VISUAL", "gvim -f")
    assert vcrm(vault, "open", "Globex", "--print").stdout == f"gvim -f {vault}/Customers/Globex.md\n"


def test_without_any_editor_setting_the_editor_is_vi(vault: Path) -> None:
    assert vcrm(vault, "open", "Globex", "--print").stdout == f"vi {vault}/Customers/Globex.md\n"


def test_the_editor_from_the_user_config_is_used_when_the_environment_names_none(
        vault: Path, tmp_path: Path) -> None:
    config = tmp_path / "home" / "xdg" / "vaultcrm" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('editor = "subl -w"\n', encoding="utf-8")
    assert vcrm(vault, "open", "Globex", "--print").stdout == f"subl -w {vault}/Customers/Globex.md\n"


def test_obsidian_print_is_the_uri_with_the_vault_folder_and_the_path_without_md(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "My Notes", {"Customers/Acme Corp/README.md": "---\ntype: customer\n---\n",
                                              "People/Zoë & Co?.md": "---\ntype: person\n---\n"})
    r = vcrm(root, "open", "Acme Corp", "--obsidian", "--print")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "obsidian://open?vault=My%20Notes&file=Customers%2FAcme%20Corp%2FREADME\n"
    r = vcrm(root, "open", "Zoë & Co?", "--obsidian", "--print")
    assert r.stdout == "obsidian://open?vault=My%20Notes&file=People%2FZo%C3%AB%20%26%20Co%3F\n"


def test_the_uri_is_encoded_as_javascripts_encode_uri_component() -> None:
    assert obsidian_uri("v", "a/(b)!'*~_.-.md") == "obsidian://open?vault=v&file=a%2F(b)!'*~_.-"
    assert obsidian_uri("a+b=c", "x#y.md") == "obsidian://open?vault=a%2Bb%3Dc&file=x%23y"


@pytest.mark.parametrize(("platform", "command"), [
    ("linux", "xdg-open 'obsidian://open?vault=vault&file=Customers%2FGlobex'"),
    ("darwin", "open 'obsidian://open?vault=vault&file=Customers%2FGlobex'"),
    ("win32", "start obsidian://open?vault=vault&file=Customers%2FGlobex"),
])
def test_obsidian_goes_through_the_platforms_opener(vault: Path, platform: str, command: str) -> None:
    from vaultcrm.ops.context import Context
    from vaultcrm.ops.opening import obsidian_launch
    from vaultcrm.store.vault import Vault

    target = obsidian_launch(Context.open(Vault(vault), date(2026, 11, 22)), "Globex", platform=platform)
    assert target.command() == command
    assert target.startfile == (platform == "win32")


def test_open_of_an_unknown_note_is_exit_3_and_of_an_ambiguous_one_exit_4(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"A/Acme.md": "one\n", "B/Acme.md": "two\n"})
    assert vcrm(root, "open", "Nobody", "--print").exit_code == 3
    r = vcrm(root, "open", "Acme", "--print")
    assert r.exit_code == 4 and "A/Acme.md" in r.stderr


def test_a_note_with_broken_frontmatter_can_still_be_opened_to_fix_it(vault: Path) -> None:
    r = vcrm(vault, "open", "Broken", "--print")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == f"vi {vault}/Broken.md\n"


# ---- running: never on a non-terminal without --yes ---------------------------------------------------------
@pytest.mark.parametrize("extra", [[], ["--obsidian"]])
def test_open_refuses_a_non_terminal_without_yes_and_runs_nothing(vault: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  extra: list[str]) -> None:
    marker = tmp_path / "marker"
    monkeypatch.setenv("EDITOR", str(fake_editor(tmp_path, marker)))
    monkeypatch.setenv("PATH", str(tmp_path))  # no xdg-open to run either
    r = vcrm(vault, "open", "Globex", *extra)
    assert r.exit_code == 2
    assert r.stderr == ("vaultcrm: error: not opening Customers/Globex.md: stdin or stdout is not a terminal\n"
                        "hint: pass --yes to open it anyway, or --print to see the command\n")
    assert r.stdout == "" and not marker.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="a /bin/sh script stands in for the editor")
def test_yes_runs_the_editor_with_the_path_as_one_argument_and_says_so_on_stderr(
        vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "marker"
    editor = fake_editor(tmp_path, marker)
    monkeypatch.setenv("VISUAL", f"{editor} --wait")
    before = (vault / "Customers" / "Acme Corp.md").read_bytes()
    r = vcrm(vault, "open", "Acme Corp", "--yes")
    assert r.exit_code == 0, r.stderr
    assert marker.read_text(encoding="utf-8") == f"--wait\n{vault}/Customers/Acme Corp.md\n"
    assert r.stderr == f"vaultcrm: running: {editor} --wait '{vault}/Customers/Acme Corp.md'\n"
    assert r.stdout == ""
    assert (vault / "Customers" / "Acme Corp.md").read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32", reason="a /bin/sh script stands in for the editor")
def test_a_note_name_full_of_shell_syntax_reaches_the_editor_as_plain_text(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    name = "$(touch pwned); `touch pwned2` 'x' \"y\""
    root = make_vault(tmp_path / "v", {f"{name}.md": "text\n"})
    marker = tmp_path / "marker"
    monkeypatch.setenv("EDITOR", str(fake_editor(tmp_path, marker)))
    monkeypatch.chdir(tmp_path)
    r = vcrm(root, "open", f"{name}.md", "--yes")
    assert r.exit_code == 0, r.stderr
    assert marker.read_text(encoding="utf-8") == f"{root}/{name}.md\n"
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="a /bin/sh script stands in for the editor")
def test_an_editor_that_fails_is_exit_1_naming_its_status(vault: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    editor = fake_editor(tmp_path, tmp_path / "marker", status=3)
    monkeypatch.setenv("EDITOR", str(editor))
    r = vcrm(vault, "open", "Globex", "--yes")
    assert r.exit_code == 1
    assert f"{editor} exited with status 3" in r.stderr


def test_an_editor_that_does_not_exist_is_exit_1_with_a_hint(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", "no-such-editor-4f1a --wait")
    r = vcrm(vault, "open", "Globex", "--yes")
    assert r.exit_code == 1
    assert "cannot run 'no-such-editor-4f1a': no such program" in r.stderr
    assert "hint: set $VISUAL or $EDITOR" in r.stderr


def test_an_editor_command_that_cannot_be_split_is_exit_2_naming_where_it_came_from(
        vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", "code 'unclosed")
    r = vcrm(vault, "open", "Globex", "--print")
    assert r.exit_code == 2
    assert "cannot split the editor command" in r.stderr and "env EDITOR" in r.stderr


def test_print_never_runs_anything_even_with_yes(vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "marker"
    monkeypatch.setenv("EDITOR", str(fake_editor(tmp_path, marker)))
    r = vcrm(vault, "open", "Globex", "--print", "--yes")
    assert r.exit_code == 0 and not marker.exists()
    assert os.path.basename(r.stdout.split()[0]) == "fake-editor"
