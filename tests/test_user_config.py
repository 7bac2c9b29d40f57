"""The user's own settings: `~/.config/vaultcrm/config.toml` (or `$XDG_CONFIG_HOME/…`), and which
of flag, environment, the vault's `.vaultcrm.toml`, the user's file and the default wins.

Every test runs with HOME and XDG_CONFIG_HOME in tmp folders and no VISUAL/EDITOR/PAGER, so the
real user's settings never leak in; one test per row of the README's precedence table.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import invoke, make_vault

from vaultcrm.cli import personal
from vaultcrm.cli.app import app

if not any(c.name in ("config", "open") for c in app.registered_commands):  # until cli/app.py registers them
    personal.register(app)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HOME and XDG_CONFIG_HOME, no editor or pager in the environment, cwd an empty folder."""
    home = tmp_path / "home"
    (home / "xdg").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))
    for name in ("VISUAL", "EDITOR", "PAGER", "VAULTCRM_VAULT"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    return home


def user_config(home: Path, text: str, *, xdg: bool = True) -> Path:
    path = (home / "xdg" if xdg else home / ".config") / "vaultcrm" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def settings(*args: str) -> dict[str, dict]:
    r = invoke([*args, "config", "--json"])
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def chosen(key: str, *args: str) -> tuple[object, str]:
    s = settings(*args)[key]
    return s["value"], s["source"]


USER = "user ~/xdg/vaultcrm/config.toml"
VAULT_FILE = "vault .vaultcrm.toml"


# ---- one test per row of the precedence table --------------------------------------------------------
def test_vault_comes_from_the_flag_then_env_then_the_enclosing_vault_then_the_user_config_then_cwd(
        tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, c, d = (make_vault(tmp_path / n, {}) for n in ("a", "b", "c", "d"))
    user_config(home, f'vault = "{d}"\n')
    monkeypatch.setenv("VAULTCRM_VAULT", str(b))
    monkeypatch.chdir(c)
    assert chosen("vault", "--vault", str(a)) == (str(a), "flag")
    assert chosen("vault") == (str(b), "env VAULTCRM_VAULT")
    monkeypatch.delenv("VAULTCRM_VAULT")
    assert chosen("vault") == (str(c), "enclosing .obsidian/")
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert chosen("vault") == (str(d), USER)
    user_config(home, "")
    assert chosen("vault") == (str(tmp_path / "elsewhere"), "default")


def test_me_comes_from_the_vault_file_then_the_user_config_then_nobody(tmp_path: Path, home: Path) -> None:
    root = make_vault(tmp_path / "v", {".vaultcrm.toml": 'me = ["Jeff Denworth", "JD"]\n'})
    user_config(home, 'me = "Jeff"\n')
    assert chosen("me", "--vault", str(root)) == (["Jeff Denworth", "JD"], VAULT_FILE)
    (root / ".vaultcrm.toml").write_text("", encoding="utf-8")
    assert chosen("me", "--vault", str(root)) == (["Jeff"], USER)
    user_config(home, "")
    assert chosen("me", "--vault", str(root)) == ([], "default")


def test_editor_comes_from_visual_then_editor_then_the_user_config_then_vi_never_the_vault_file(
        tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault(tmp_path / "v", {".vaultcrm.toml": 'editor = "vault-editor"\n'})
    user_config(home, 'editor = "code --wait"\n')
    monkeypatch.setenv("VISUAL", "visual-editor")
    monkeypatch.setenv("EDITOR", "env-editor")
    assert chosen("editor", "--vault", str(root)) == ("visual-editor", "env VISUAL")
    monkeypatch.setenv("VISUAL", "")  # empty is unset, as for git
    assert chosen("editor", "--vault", str(root)) == ("env-editor", "env EDITOR")
    monkeypatch.delenv("EDITOR")
    # a synced vault's own file never names a program for vaultcrm to run
    assert chosen("editor", "--vault", str(root)) == ("code --wait", USER)
    user_config(home, "")
    assert chosen("editor", "--vault", str(root)) == ("vi", "default")


def test_pager_comes_from_env_then_the_user_config_then_less_never_the_vault_file(
        tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault(tmp_path / "v", {".vaultcrm.toml": 'pager = "most"\n'})
    user_config(home, 'pager = "bat"\n')
    monkeypatch.setenv("PAGER", "less -R")
    assert chosen("pager", "--vault", str(root)) == ("less -R", "env PAGER")
    monkeypatch.delenv("PAGER")
    assert chosen("pager", "--vault", str(root)) == ("bat", USER)  # `pager = "most"` in the vault: ignored
    user_config(home, "")
    assert chosen("pager", "--vault", str(root)) == ("less", "default")


DATED = {"Customers/Acme.md": "---\ntype: customer\nlast_contact: 2026-10-03\n---\n"}  # 50 days before today


def stale_titles(root: Path, *args: str) -> list[str]:
    r = invoke(["--vault", str(root), "stale", "--json", *args])
    assert r.exit_code == 0, r.stderr
    return [row["title"] for row in json.loads(r.stdout)]


def test_days_comes_from_the_stale_flag_then_the_vault_file_then_the_user_config_then_thirty(
        tmp_path: Path, home: Path) -> None:
    root = make_vault(tmp_path / "v", {**DATED, ".vaultcrm.toml": "days = 60\n"})
    user_config(home, "days = 90\n")
    assert stale_titles(root, "--days", "40") == ["Acme"]  # the flag overrides every cadence
    assert chosen("days", "--vault", str(root)) == (60, VAULT_FILE)
    assert stale_titles(root) == []
    (root / ".vaultcrm.toml").write_text("[cadence]\ndefault_days = 45\n", encoding="utf-8")
    assert chosen("days", "--vault", str(root)) == (45, VAULT_FILE)  # the vault's older spelling
    assert stale_titles(root) == ["Acme"]
    (root / ".vaultcrm.toml").write_text("", encoding="utf-8")
    assert chosen("days", "--vault", str(root)) == (90, USER)
    assert stale_titles(root) == []
    user_config(home, "")
    assert chosen("days", "--vault", str(root)) == (30, "default")
    assert stale_titles(root) == ["Acme"]


def test_an_account_cadence_still_beats_the_default_days(tmp_path: Path, home: Path) -> None:
    root = make_vault(tmp_path / "v", {"Customers/Acme.md": "---\ntype: customer\nlast_contact: 2026-10-03\n"
                                                           "cadence: 14d\n---\n"})
    user_config(home, "days = 90\n")
    assert stale_titles(root) == ["Acme"]


# ---- the file itself -------------------------------------------------------------------------------------
def test_without_xdg_config_home_the_file_is_in_dot_config(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    user_config(home, 'editor = "nano"\n', xdg=False)
    assert chosen("editor") == ("nano", "user ~/.config/vaultcrm/config.toml")


def test_a_relative_xdg_config_home_is_ignored_as_the_spec_says(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/xdg")
    user_config(home, 'editor = "nano"\n', xdg=False)
    assert chosen("editor") == ("nano", "user ~/.config/vaultcrm/config.toml")


def test_a_relative_vault_in_the_user_config_is_taken_from_home(home: Path) -> None:
    make_vault(home / "notes", {})
    user_config(home, 'vault = "notes"\n')
    assert chosen("vault") == (str(home / "notes"), USER)


def test_config_json_names_every_setting_with_its_value_and_source(vault: Path, home: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    user_config(home, 'me = ["Jeff Denworth"]\nvault = "/nowhere"\n')
    monkeypatch.setenv("EDITOR", "nano")
    assert settings("--vault", str(vault)) == {
        "vault": {"value": str(vault), "source": "flag"},
        "me": {"value": ["Jeff Denworth"], "source": USER},
        "editor": {"value": "nano", "source": "env EDITOR"},
        "pager": {"value": "less", "source": "default"},
        "days": {"value": 30, "source": VAULT_FILE},  # examples/vault sets [cadence] default_days
    }


def test_config_on_a_terminal_is_one_line_per_setting_with_its_source(vault: Path, home: Path) -> None:
    user_config(home, 'me = ["Jeff Denworth", "JD"]\n')
    r = invoke(["--vault", str(vault), "config"])
    assert r.exit_code == 0, r.stderr
    rows = [re.split(r"\s{2,}", line) for line in r.stdout.splitlines()]
    assert rows == [["vault", str(vault), "flag"], ["me", "Jeff Denworth, JD", USER], ["editor", "vi", "default"],
                    ["pager", "less", "default"], ["days", "30", VAULT_FILE]]


@pytest.mark.parametrize(("text", "line", "says"), [
    ('me = ["Jeff"\neditor = "vi"\n', 2, "not valid TOML"),
    ('editor = "vi"\n\ndays = = 3\n', 3, "not valid TOML"),
    ('editor = "vi"\ndays = "soon"\n', 2, "`days` must be a whole number of days"),
    ('me = 5\n', 1, "`me` must be a name or a list of names"),
    ('days = -1\n', 1, "`days` must be a whole number of days"),
])
def test_a_malformed_user_config_is_exit_2_naming_the_file_and_line(vault: Path, home: Path, text: str,
                                                                    line: int, says: str) -> None:
    user_config(home, text)
    for args in (["config"], ["show", "Acme Corp"], ["stale"]):
        r = invoke(["--vault", str(vault), *args])
        assert r.exit_code == 2
        assert r.stderr.startswith(f"vaultcrm: error: ~/xdg/vaultcrm/config.toml:{line}: ")
        assert says in r.stderr and "Traceback" not in r.stderr
        assert r.stdout == ""


def test_a_user_config_vault_that_does_not_exist_is_exit_2_naming_where_it_came_from(home: Path) -> None:
    user_config(home, 'vault = "/no/such/vault"\n')
    r = invoke(["config"])
    assert r.exit_code == 2
    assert "'/no/such/vault' (user ~/xdg/vaultcrm/config.toml) does not exist" in r.stderr


def test_help_and_version_never_read_the_user_config(home: Path) -> None:
    user_config(home, "this is = = not toml\n")
    assert invoke(["--version"]).exit_code == 0
    assert invoke(["--help"]).exit_code == 0
    assert invoke(["config", "--help"]).exit_code == 0


# ---- me: `who` leaves the user out -----------------------------------------------------------------------
def customer(body: str) -> str:
    return f"---\ntype: customer\n---\n\n{body}"


WHO_FILES = {
    "Customers/Acme.md": customer("## Recent Context\n\n"
                                  "- 2026-11-10: pricing (via Jeff Denworth)\n"
                                  "- 2026-11-01: dinner (via jeff denworth, Jane Roe)\n"
                                  "- 2026-10-20: call (via [[Me]])\n"
                                  "- 2026-10-01: intro (via [[Bob Smith]])\n"),
    "People/Jeff Denworth.md": "---\ntype: person\naliases: [Jeffrey D]\n---\n\n# Jeff Denworth\n",
    "Meetings/2026-11-12 Acme QBR.md": '---\ntype: meeting\nattendees:\n  - "[[JD]]"\n'
                                       '  - "[[People/Jeff Denworth|Jeff]]"\n  - "[[Jeffrey D]]"\n'
                                       '  - "[[Carol Diaz]]"\n  - "[[Acme]]"\n---\n\nQBR.\n',
}


def who(root: Path) -> list[tuple[str, int]]:
    r = invoke(["--vault", str(root), "who", "Acme", "--json"])
    assert r.exit_code == 0, r.stderr
    return [(p["name"], p["count"]) for p in json.loads(r.stdout)]


def test_who_leaves_out_the_user_under_every_spelling_link_and_alias(tmp_path: Path, home: Path) -> None:
    root = make_vault(tmp_path / "v", WHO_FILES)
    user_config(home, 'me = ["Jeff Denworth", "JD"]\n')
    assert who(root) == [("Carol Diaz", 1), ("Jane Roe", 1), ("Bob Smith", 1)]


def test_without_me_who_lists_the_user_like_anyone_but_never_me(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", WHO_FILES)
    names = [n for n, _ in who(root)]
    assert "Jeff Denworth" in names and "JD" in names
    assert "Me" not in names


def test_me_in_the_vault_file_counts_too(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {**WHO_FILES, ".vaultcrm.toml": 'me = ["Jeff Denworth", "JD"]\n'})
    assert [n for n, _ in who(root)] == ["Carol Diaz", "Jane Roe", "Bob Smith"]


def test_log_via_defaults_to_nobody(vault: Path, home: Path) -> None:
    user_config(home, 'me = ["Jeff Denworth"]\n')
    r = invoke(["--vault", str(vault), "log", "Acme Corp", "Quick call"])
    assert r.exit_code == 0, r.stderr
    text = (vault / "Customers" / "Acme Corp.md").read_text(encoding="utf-8")
    assert "- 2026-11-22: [[2026-11-22]] - Quick call\n" in text
