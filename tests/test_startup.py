"""Start-up is a feature: each command imports only what it needs (checked in a fresh process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ["dateparser", "ruamel.yaml", "rich", "yaml", "sqlite3", "multiprocessing", "vaultcrm.ops.context",
         "vaultcrm.store.git", "vaultcrm.model.taskline", "decimal", "csv", "tempfile", "vaultcrm.ops.notechecks"]

PROBE = """
import json, sys
watch = json.loads(sys.argv[2])
sys.argv = ["vaultcrm", *json.loads(sys.argv[1])]
from vaultcrm.cli.app import main
try:
    main()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": [m for m in watch if m in sys.modules]}),
      file=sys.stderr)
"""


def loaded(args: list[str], cwd: Path | None = None) -> tuple[int, list[str]]:
    env = {"VAULTCRM_TODAY": "2026-11-22", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    r = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)], capture_output=True,
                       text=True, env=env, cwd=cwd, timeout=120, check=False)
    last = json.loads(r.stderr.strip().splitlines()[-1])
    return last["code"], last["loaded"]


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["task", "--help"], ["stale", "--help"]])
def test_version_and_help_import_nothing_heavy(args: list[str]) -> None:
    code, mods = loaded(args)
    assert code == 0
    assert mods == []


@pytest.mark.parametrize("args", [
    ["show", "Acme Corp", "--json"], ["list", "--json"], ["stale", "--days", "30", "--json"],
    ["task", "list", "--json"], ["get", "Acme Corp", "owner"], ["timeline", "--since", "2026-01-01", "--json"],
    ["agenda", "--json"], ["who", "Globex", "--json"],
])
def test_read_commands_never_import_ruamel_or_dateparser(vault: Path, args: list[str]) -> None:
    code, mods = loaded(["--vault", str(vault), *args])
    assert code == 0
    assert "ruamel.yaml" not in mods and "dateparser" not in mods
    if "--json" in args or args[0] == "get":
        assert "rich" not in mods  # data for scripts does not pay for tables
    if args[0] in ("stale", "timeline", "who", "list", "show", "task", "agenda"):
        assert "vaultcrm.store.git" not in mods  # the edit path (git, subprocess, journal) is not loaded


def test_an_iso_date_never_imports_dateparser_but_words_do(vault: Path) -> None:
    code, mods = loaded(["--vault", str(vault), "log", "Acme Corp", "call", "--date", "2026-11-20"])
    assert code == 0 and "dateparser" not in mods and "ruamel.yaml" in mods  # edits locate keys with ruamel
    code, mods = loaded(["--vault", str(vault), "timeline", "--since", "last monday", "--json"])
    assert code == 0 and "dateparser" in mods


def test_a_command_runs_without_the_cyclic_collector_and_main_gives_it_back(vault: Path, monkeypatch) -> None:
    """The collector re-walked every loaded record (20 % of a warm `stale` on 50k notes); a caller
    that runs `main` in its own process gets it back, whatever the command's exit."""
    import gc

    from vaultcrm.cli.app import main
    from vaultcrm.ops import relations

    seen: list[bool] = []
    real = relations.stale

    def spy(*a, **kw):
        seen.append(gc.isenabled())
        return real(*a, **kw)

    monkeypatch.setattr(relations, "stale", spy)
    monkeypatch.setenv("VAULTCRM_TODAY", "2026-11-22")
    assert gc.isenabled()
    with pytest.raises(SystemExit) as exc:
        main(["--vault", str(vault), "stale", "--json"])
    assert exc.value.code == 0
    assert seen == [False]
    assert gc.isenabled()
    with pytest.raises(SystemExit) as exc:
        main(["--vault", str(vault), "no-such-command"])
    assert exc.value.code == 2
    assert gc.isenabled()


def test_the_console_script_answers_version_before_importing_typer() -> None:
    """`vaultcrm --version` is the installed script's `vaultcrm.cli:main`: it prints the version
    without importing typer or the command modules (half of a `--version` run went to them)."""
    from importlib.metadata import entry_points

    from vaultcrm import __version__

    [script] = entry_points(group="console_scripts", name="vaultcrm")
    assert script.value == "vaultcrm.cli:main"
    probe = ("import sys\nfrom vaultcrm.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit as exc:\n"
             "    print(exc.code, 'typer' in sys.modules, 'vaultcrm.cli.app' in sys.modules, file=sys.stderr)\n")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert r.stdout == f"vaultcrm {__version__}\n"
    assert r.stderr.split() == ["0", "False", "False"]
    # and any other run goes on to the app, which answers `--version` in a longer command line too
    r = subprocess.run([sys.executable, "-m", "vaultcrm", "--vault", ".", "--version"], capture_output=True,
                       text=True, timeout=60, check=False)
    assert (r.returncode, r.stdout) == (0, f"vaultcrm {__version__}\n")


@pytest.mark.parametrize("args", [["stale", "--json"], ["who", "Globex", "--json"], ["get", "Acme Corp", "owner"],
                                  ["list", "--json"], ["task", "list", "--json"], ["agenda", "--json"]])
def test_a_warm_read_that_parses_no_note_does_not_import_the_task_grammar(vault: Path, args: list[str]) -> None:
    """The task grammar compiles 28 patterns (5 ms a run): the first run parses every note's tasks,
    a warm one reads them from the index and needs none of it."""
    code, mods = loaded(["--vault", str(vault), *args])  # builds the index: parses every note
    assert code == 0 and "vaultcrm.model.taskline" in mods
    code, mods = loaded(["--vault", str(vault), *args])
    assert code == 0 and "vaultcrm.model.taskline" not in mods
    assert not {"decimal", "csv", "tempfile"} & set(mods)  # money, --csv and atomic writes: not this run's


def test_a_warm_doctor_reads_findings_from_its_cache_without_the_checks_of_one_note(vault: Path) -> None:
    """The checks of a note's text (bullets, task lines, conflict markers) and the write path of
    `--fix` load only when a note is checked again; a warm `doctor` reads every note's findings."""
    code, mods = loaded(["--vault", str(vault), "doctor", "--json"])  # checks every note, fills the cache
    assert code == 1 and "vaultcrm.ops.notechecks" in mods  # the example vault has problems to report
    code, mods = loaded(["--vault", str(vault), "doctor", "--json"])
    assert code == 1
    assert not {"vaultcrm.ops.notechecks", "vaultcrm.model.taskline", "vaultcrm.store.git"} & set(mods)
