"""Hostile files never hang vaultcrm or exhaust memory: each is skipped with a warning by listing
commands and refused with exit 5 by commands that target it; legal but extreme notes still work.

The limits (vault.MAX_NOTE_BYTES, yamlblock.MAX_NODES, yamlblock.MAX_DEPTH) are documented in
SECURITY.md. Commands run in a child process under a wall-clock timeout and an address-space limit,
so a hang or a memory blow-up fails the test instead of the machine; no test asserts on time.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPO, TODAY

from vaultcrm.model import yamlblock
from vaultcrm.errors import InvalidNote
from vaultcrm.model.note import Note
from vaultcrm.store.vault import MAX_NOTE_BYTES, Vault

TIMEOUT = 60  # seconds: a guard against hangs, not a performance claim
MEMORY = 1536 * 1024 * 1024  # bytes of address space for the child

_ALIAS_LEVELS = "".join(f"{c}: &{c} [" + ", ".join([f"*{p}"] * 10) + "]\n"
                        for p, c in zip("abcdefgh", "bcdefghi"))
ALIAS_BOMB = ("---\ntype: customer\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
              + _ALIAS_LEVELS + "---\n# Bomb\n").encode()  # 10**9 values once expanded


def _pathological_lines() -> bytes:
    """One legal note (under the size limit) whose lines defeat naive backtracking regexes."""
    n = 400_000
    lines = [
        "# a" + " " * n + "b",  # heading text followed by a long run of spaces
        "## Recent Context",
        "- 2026-01-01: a" + " " * n + "b",  # entry text with a long space run
        "- 2026-01-02: a" + " (via " * (n // 8),
        "## Open Tasks",
        "- [ ] a" + " " * n + "b",  # trailing-field search over a long space run
        "- [ ] 🔁 a" + " " * n + "b",
        "- [ ] 🆔" + " " * n + "\t",
        "- [ ] " + "[[" * n,  # many link openers, never closed
        "[[a|" * (n // 2),
        "> " * n + "x",
        "| " + " " * n + "x",
    ]
    return ("---\ntype: customer\n---\n" + "\n".join(lines) + "\n").encode()


# name -> (bytes, whether listing commands skip it with a warning)
HOSTILE: dict[str, tuple[bytes, bool]] = {
    "Bomb.md": (ALIAS_BOMB, True),
    "Nested list.md": (b"---\nx: " + b"[" * 10_000 + b"]" * 10_000 + b"\ntype: customer\n---\n", True),
    "Nested map.md": (b"---\nx: " + b"{a: " * 10_000 + b"1" + b"}" * 10_000 + b"\n---\n", True),
    "Deep block.md": (b"---\n" + b"".join(b" " * i + b"k:\n" for i in range(1000)) + b"---\n", True),
    "Python tag.md": (b"---\ntype: customer\nx: !!python/object/apply:os.system ['echo PWNED']\n---\n", True),
    "Binary.md": (bytes(range(256)) * 64, True),
    "UTF-16.md": ("---\ntype: customer\n---\n# Café\n".encode("utf-16"), True),
    "UTF-16LE no BOM.md": ("---\ntype: customer\n---\n# Hi\n".encode("utf-16-le"), True),
    "Latin-1.md": ("---\ntype: customer\n---\n# Café\n".encode("latin-1"), True),
    "Fifty MB.md": (b"---\ntype: customer\n---\n" + b"- a line of text\n" * (50 * 1024 * 1024 // 17), True),
    "One 10 MB line.md": (b"---\ntype: customer\n---\n" + b"a" * (10 * 1024 * 1024), True),
    "Hundred thousand lines.md": (
        b"---\ntype: customer\n---\n# Many\n\n## Recent Context\n\n"
        + b"".join(b"- 2026-%02d-%02d: [[x]] - entry %d\n" % (i % 12 + 1, i % 28 + 1, i) for i in range(100_000)),
        False),
    "Pathological lines.md": (_pathological_lines(), False),
}
SKIPPED = sorted(name for name, (_, skipped) in HOSTILE.items() if skipped)
READABLE = sorted(name for name, (_, skipped) in HOSTILE.items() if not skipped)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_bounded(vault: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m vaultcrm --vault VAULT ARGS…` in a child with a timeout and a memory limit."""
    env = {**os.environ, "VAULTCRM_TODAY": TODAY, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    env.pop("VAULTCRM_VAULT", None)
    return subprocess.run([sys.executable, "-m", "vaultcrm", "--vault", str(vault), *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT,
                          preexec_fn=_limit_memory, env=env, check=False)


_BATCH = r"""
import contextlib, io, json, sys, traceback
from vaultcrm.cli.app import main
results = []
for args in json.loads(sys.stdin.read()):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            code = "traceback"
            traceback.print_exc()
    results.append([code, out.getvalue(), err.getvalue()])
sys.stdout.write(json.dumps(results))
"""


def run_batch(vault: Path, *commands: list[str]) -> list[tuple[int | str, str, str]]:
    """Several commands through `cli.main` in one bounded child (one interpreter start-up, one
    timeout and memory limit for the lot): (exit code or "traceback", stdout, stderr) each."""
    env = {**os.environ, "VAULTCRM_TODAY": TODAY, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    env.pop("VAULTCRM_VAULT", None)
    r = subprocess.run([sys.executable, "-c", _BATCH], input=json.dumps([["--vault", str(vault), *c] for c in commands]),
                       capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT,
                       preexec_fn=_limit_memory, env=env, check=False)
    assert r.returncode == 0, r.stderr[-3000:]
    return [tuple(x) for x in json.loads(r.stdout)]


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under root except vaultcrm's own state folder (cache, lock, journal)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".vaultcrm" not in p.relative_to(root).parts}


@pytest.fixture(scope="module")
def hostile_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example vault plus every hostile file in `Hostile/` (built once: some are large)."""
    root = tmp_path_factory.mktemp("hostile") / "vault"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".vaultcrm"))
    (root / "Hostile").mkdir()
    for name, (data, _) in HOSTILE.items():
        (root / "Hostile" / name).write_bytes(data)
    return root


# ---- listing commands skip what they cannot read, and still succeed ---------------------------
@pytest.mark.slow
@pytest.mark.parametrize("command", [["list"], ["stale"], ["task", "list"]])
def test_listing_commands_skip_hostile_notes_with_a_warning_and_succeed(hostile_vault, command):
    before = tree_digest(hostile_vault)
    r = run_bounded(hostile_vault, "--verbose", *command, "--json")  # each skipped note named
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    rows = json.loads(r.stdout)
    listed = {row["path"] for row in rows}
    for name in SKIPPED:
        rel = f"Hostile/{name}"
        assert rel not in listed
        warning = next((line for line in r.stderr.splitlines() if rel in line), None)
        assert warning is not None and "warning" in warning and "skipped" in warning, rel
    assert tree_digest(hostile_vault) == before


@pytest.mark.slow
def test_legal_but_extreme_notes_are_listed(hostile_vault):
    r = run_bounded(hostile_vault, "list", "--json")
    assert r.returncode == 0, r.stderr[-2000:]
    listed = {row["path"] for row in json.loads(r.stdout)}
    assert {f"Hostile/{name}" for name in READABLE} <= listed
    assert "Customers/Acme Corp.md" in listed  # and the ordinary notes are all still there


# ---- commands that target a hostile note refuse it with exit 5 ----------------------------------
@pytest.fixture
def single(tmp_path: Path):
    """A small vault holding the named hostile files next to an ordinary note (a scan stays cheap)."""

    def make(*names: str) -> Path:
        root = tmp_path / "vault"
        (root / "Hostile").mkdir(parents=True)
        (root / "Ok.md").write_text("---\ntype: customer\n---\n# Ok\n", encoding="utf-8")
        for name in names:
            (root / "Hostile" / name).write_bytes(HOSTILE[name][0])
        return root

    return make


@pytest.mark.slow
def test_commands_that_target_a_hostile_note_exit_5_and_write_nothing(single):
    root = single(*SKIPPED)
    before = tree_digest(root)
    commands = [[*command, target, *extra]
                for name in SKIPPED
                for target in (f"Hostile/{name}", name.removesuffix(".md"))  # by path and by file name
                for command, extra in ((["show"], ["--json"]), (["log"], ["Called"]), (["set"], ["status", "Active"]))]
    for command, (code, out, err) in zip(commands, run_batch(root, *commands)):
        name = command[1] if command[1].startswith("Hostile/") else f"Hostile/{command[1]}.md"
        assert code == 5, (command, err)
        assert out == ""
        assert name in err and "Traceback" not in err, (command, err)
    assert tree_digest(root) == before


@pytest.mark.slow
@pytest.mark.parametrize("name", READABLE)
def test_a_legal_extreme_note_can_be_shown_and_logged_to(single, name):
    root = single(name)
    rel = f"Hostile/{name}"
    entry = "- 2026-11-21: [[2026-11-21]] - Called\n"
    # `show --json` of 100,000 entries is a 15 MB document: `get` proves that note readable more cheaply
    read = ["show", rel, "--json"] if "Pathological" in name else ["get", rel, "type"]
    (c1, shown, e1), (c2, _, e2) = run_batch(root, read, ["log", rel, "Called", "--date", "2026-11-21"])
    assert (c1, c2) == (0, 0), (e1, e2)
    assert json.loads(shown)["path"] == rel if read[0] == "show" else shown == "customer\n"
    after = (root / rel).read_bytes()
    assert after.count(entry.encode()) == 1  # one entry and last_contact: nothing else changed
    assert len(after) == len(HOSTILE[name][0]) + len(entry) + len("last_contact: 2026-11-21\n")


# ---- the limits themselves, in process ---------------------------------------------------------
def test_an_alias_bomb_is_refused_before_it_is_expanded():
    text = ALIAS_BOMB.decode().split("---\n")[1]
    with pytest.raises(InvalidNote, match="too many values"):
        yamlblock.load_yaml(text, path="Bomb.md")


def test_a_document_just_under_the_node_limit_is_read():
    text = "items: [" + ", ".join(["x"] * (yamlblock.MAX_NODES - 10)) + "]\n"
    assert len(yamlblock.load_yaml(text)["items"]) == yamlblock.MAX_NODES - 10


@pytest.mark.parametrize("depth", [yamlblock.MAX_DEPTH, 1000, 10_000, 100_000, 1_000_000])
@pytest.mark.parametrize(("open_", "close"), [("[", "]"), ("{a: ", "}"), ("- ", "")])
def test_deeply_nested_yaml_is_an_invalid_note_naming_the_file(depth, open_, close):
    # a million levels would crash libyaml's recursive composer (SIGSEGV) if it ever got there
    text = ("" if open_ == "- " else "x: ") + open_ * depth + "1" + close * depth + "\n"
    with pytest.raises(InvalidNote, match="nest|not a set of properties") as info:
        yamlblock.load_yaml(text, path="Deep.md")
    assert info.value.path == "Deep.md" and info.value.exit_code == 5


@pytest.mark.parametrize("depth", [yamlblock.MAX_DEPTH, 10_000])
def test_deeply_nested_toml_is_an_invalid_note(depth):
    with pytest.raises(InvalidNote, match="nest"):
        yamlblock.load_toml("x = " + "[" * depth + "]" * depth + "\n", path="Deep.md")


def test_nesting_up_to_the_depth_limit_is_read():
    depth = yamlblock.MAX_DEPTH - 1  # lists inside the top-level mapping: MAX_DEPTH collections in all
    data = yamlblock.load_yaml("x: " + "[" * depth + "1" + "]" * depth + "\n")["x"]
    for _ in range(depth - 1):
        data = data[0]
    assert data == [1]


@pytest.mark.parametrize("size", [MAX_NOTE_BYTES + 1, 50 * 1024 * 1024])
def test_a_note_over_the_size_limit_is_refused_without_being_read(tmp_path, monkeypatch, size):
    (tmp_path / "Big.md").write_bytes(b"x" * size)
    vault = Vault(tmp_path)

    def no_reading(self: Path) -> bytes:
        raise AssertionError(f"{self} was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(InvalidNote, match="bytes"):
        vault.read("Big.md")
    with pytest.raises(InvalidNote, match="bytes"):
        vault.read_bytes_info("Big.md")


def test_a_note_at_the_size_limit_is_read(tmp_path):
    data = b"---\ntype: customer\n---\n" + b"a" * (MAX_NOTE_BYTES - 24) + b"\n"
    assert len(data) == MAX_NOTE_BYTES
    (tmp_path / "Edge.md").write_bytes(data)
    assert Vault(tmp_path).read("Edge.md").text.encode() == data


@pytest.mark.parametrize("name", ["Binary.md", "UTF-16.md", "UTF-16LE no BOM.md", "Latin-1.md"])
def test_undecodable_files_are_invalid_notes(tmp_path, name):
    (tmp_path / name).write_bytes(HOSTILE[name][0])
    with pytest.raises(InvalidNote) as info:
        Vault(tmp_path).read(name)
    assert info.value.exit_code == 5 and info.value.path == name


def test_pathological_lines_parse_to_the_same_structure_as_their_short_forms():
    note = Note.parse(_pathological_lines().decode(), "P.md")
    assert Note.parse(note.render()).render() == note.render()
    assert [s.heading for s in note.sections] == ["a" + " " * 400_000 + "b", "Recent Context", "Open Tasks"]


def test_a_note_is_read_by_its_listed_size_and_on_to_the_limit_if_it_grew(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`read_capped` asks for the size stat gave and a byte more (asking for 8 MiB a note made the
    first run read 10,000 notes in 0.4-1 s instead of 0.15 s), and never past the limit."""
    from vaultcrm.store import guard

    monkeypatch.setattr(guard, "MAX_NOTE_BYTES", 10)
    note = tmp_path / "n.md"
    cases = [(b"", 0), (b"abc", 3), (b"abcdef", 3), (b"abc", 6), (b"0123456789", 10), (b"0123456789XYZ", 4),
             (b"0123456789XYZ", 13)]
    for content, listed in cases:  # (bytes on disk now, size when listed): grown, shrunk, over the limit
        note.write_bytes(content)
        with open(note, "rb") as fh:
            assert guard.read_capped(fh, listed) == content[:11], (content, listed)
