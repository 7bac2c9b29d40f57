"""The benchmark's vault generator (bench/generate.py): deterministic, in the promised mix, and
every note it writes is one vaultcrm reads and re-renders byte for byte; and the runner's (bench/run.py)
pure helpers, which read the sizes and judge rows (no timing is asserted anywhere)."""

from __future__ import annotations

import importlib.util
import json
import shlex
import sys
from pathlib import Path
from types import ModuleType

import pytest

from vaultcrm.config import Config
from vaultcrm.model.note import Note
from vaultcrm.model.scan import build_record

REPO = Path(__file__).resolve().parent.parent
NOTES = 200


def _load_generator():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


generate = _load_generator()


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("gen") / "vault"
    manifest = generate.generate(out, NOTES, seed=1)
    return out, manifest


@pytest.fixture(scope="module")
def files(made: tuple[Path, dict]) -> dict[str, bytes]:
    root, _ = made
    return {k: v for k, v in tree(root).items() if k.endswith(".md")}


def test_the_same_seed_gives_a_byte_identical_vault(made: tuple[Path, dict], tmp_path: Path) -> None:
    root, _ = made
    generate.generate(tmp_path / "again", NOTES, seed=1)
    assert tree(tmp_path / "again") == tree(root)


def test_another_seed_gives_another_vault(made: tuple[Path, dict], tmp_path: Path) -> None:
    root, _ = made
    generate.generate(tmp_path / "other", NOTES, seed=2)
    assert tree(tmp_path / "other") != tree(root)


def test_it_writes_exactly_the_number_of_notes_asked_for_and_marks_the_vault(
        made: tuple[Path, dict], files: dict[str, bytes]) -> None:
    root, manifest = made
    assert len(files) == NOTES == manifest["notes"]
    assert (root / ".obsidian" / "app.json").is_file()


def test_every_note_is_between_one_and_twelve_kilobytes(files: dict[str, bytes]) -> None:
    sizes = {path: len(data) for path, data in files.items()}
    assert [p for p, n in sizes.items() if not 1024 <= n <= 12 * 1024] == []


def test_the_mix_is_about_what_the_issue_asks(made: tuple[Path, dict]) -> None:
    _, m = made
    assert m["customers"] == round(NOTES * 0.15)
    assert m["people"] == round(NOTES * 0.20)
    assert m["meetings"] == round(NOTES * 0.35)
    assert m["kinds"]["daily"] > 0 and m["kinds"]["plain"] > 0 and m["kinds"]["article"] > 0


@pytest.mark.parametrize("key", ["folder_notes", "folder_meetings", "crlf", "bom", "bom_customers",
                                 "no_final_newline", "malformed", "duplicate_titles"])
def test_each_kind_of_awkward_note_is_present(made: tuple[Path, dict], key: str) -> None:
    _, m = made
    assert m[key], key


def test_the_manifest_describes_the_bytes_on_disk(made: tuple[Path, dict], files: dict[str, bytes]) -> None:
    _, m = made
    assert sorted(p for p, b in files.items() if b.startswith(b"\xef\xbb\xbf")) == m["bom"]
    assert sorted(p for p, b in files.items() if b"\r\n" in b) == m["crlf"]
    assert sorted(p for p, b in files.items() if not b.endswith(b"\n")) == m["no_final_newline"]
    assert all(p.startswith("Customers/") and p.endswith("/README.md") for p in m["folder_notes"])
    assert json.loads((made[0] / ".bench" / "manifest.json").read_text(encoding="utf-8")) == m


def test_every_note_round_trips_through_the_note_model(files: dict[str, bytes]) -> None:
    for path, data in files.items():
        text = data.decode("utf-8")
        assert Note.parse(text, path).render() == text, path


def test_vaultcrm_reads_the_kinds_the_manifest_promises(made: tuple[Path, dict], files: dict[str, bytes]) -> None:
    _, m = made
    config = Config()
    records = {path: build_record(path, data.decode("utf-8"), config) for path, data in files.items()}
    broken = sorted(p for p, r in records.items() if r.error)
    assert broken == m["malformed"]
    kinds = [r.kind for r in records.values() if not r.error]
    assert kinds.count("customer") == m["customers"]
    assert kinds.count("person") == m["people"]
    assert kinds.count("meeting") == m["meetings"]
    assert all(records[p].folder_note for p in m["folder_notes"])
    titles = [r.title.casefold() for r in records.values() if r.kind == "customer"]
    assert all(titles.count(t.casefold()) >= 2 for t in m["duplicate_titles"])


def test_the_benchmark_target_has_exactly_one_task_matching_its_match(
        made: tuple[Path, dict], files: dict[str, bytes]) -> None:
    _, m = made
    target = m["target"]
    rec = build_record(target["path"], files[target["path"]].decode("utf-8"), Config())
    assert rec.title == target["name"]
    matching = [t for t in rec.tasks if target["task_match"].casefold() in t.text.casefold()]
    assert len(matching) == 1 and not matching[0].done


# ---- the runner's pure helpers (bench/run.py): how sizes are read and rows judged, never timing ----
def _load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


runner = _load_runner()


def test_sizes_keep_their_order_because_the_first_is_the_ratio_vault() -> None:
    assert runner.parse_sizes("10000,50000,100000") == [10000, 50000, 100000]
    assert runner.parse_sizes("50k, 10_000") == [50000, 10000]
    with pytest.raises(ValueError):
        runner.parse_sizes("10")
    with pytest.raises(ValueError):
        runner.parse_sizes(" , ")


def test_the_older_notes_and_big_flags_map_onto_sizes() -> None:
    assert runner.resolve_sizes(None, None, None, quick=False) == [10000, 50000]
    assert runner.resolve_sizes(None, None, None, quick=True) == [2000, 4000]
    assert runner.resolve_sizes(None, 3000, None, quick=False) == [3000, 50000]
    assert runner.resolve_sizes(None, 3000, 3000, quick=False) == [3000]
    assert runner.resolve_sizes("1000,2000", None, None, quick=True) == [1000, 2000]
    with pytest.raises(ValueError):
        runner.resolve_sizes("1000", 1000, None, quick=False)


def test_the_pty_command_quotes_the_vaultcrm_command_as_one_shell_argument() -> None:
    cmd = runner.pty_command(["vaultcrm", "--vault", "/tmp/a vault", "who", "O’Brien & Co", "--json"])
    assert cmd[:2] == ["script", "-qec"] and cmd[-1] == "/dev/null"
    assert shlex.split(cmd[2]) == ["vaultcrm", "--vault", "/tmp/a vault", "who", "O’Brien & Co", "--json"]


def test_rows_are_judged_against_their_limits() -> None:
    t = runner.Timed([0.2, 0.3, 0.25])  # median 250 ms
    assert runner.ratio_row("x", t, "floor A", 250.0, 1.0).ok is True
    assert runner.ratio_row("x", t, "floor A", 200.0, 1.0).ok is False
    assert runner.ratio_row("x", t, "--version", None, 2.0).ok is None  # the reference failed: no verdict
    fast = runner.speedup_row("x", 500.0, "floor B", 1600.0, 3)
    assert fast.ok is True and fast.ratio_text == "3.2 × faster"
    assert runner.absolute_row("x", t, 149.0, 1000, 150).ok is True
    assert runner.absolute_row("x", t, None, 1000, 150).ok is False  # an unmeasured peak is a miss


def test_growth_rows_report_milliseconds_per_note_without_a_verdict() -> None:
    row = runner.growth_row("x", 2000.0, 100000, 180.0, 10000)  # 20 µs/note against 18 µs/note
    assert row.ok is None
    assert row.ratio is not None and abs(row.ratio - 20 / 18) < 1e-9
    assert row.ratio_text == "20 µs/note, 1.11 × 10,000's"


def test_a_paired_row_is_judged_by_the_median_of_its_pairwise_ratios() -> None:
    """Each run over the reference run just before it: the machine slowed down half-way, so the
    medians' ratio (300 / 150 = 2.0) would fail a command that is 1.2-1.25 × its reference in every pair."""
    t = runner.Timed([0.12, 0.125, 0.3, 0.36, 0.375], ref_samples=[0.1, 0.1, 0.25, 0.3, 0.3])
    assert t.paired_ratio == pytest.approx(1.2)  # ratios 1.2, 1.25, 1.2, 1.2, 1.25
    row = runner.ratio_row("x", t, "floor A", 100.0, 1.5)
    assert (row.ratio, row.ok) == (pytest.approx(1.2), True)
    assert runner.Timed([0.3]).paired_ratio is None  # no reference runs: the plain ratio, as before
    assert runner.ratio_row("x", runner.Timed([0.3]), "floor A", 100.0, 1.5).ratio == pytest.approx(3.0)


def test_the_one_percent_row_divides_each_changed_run_by_the_warm_run_before_it_plus_parsing() -> None:
    # pairs: 0.55 / (0.45 + 0.05) = 1.1, 0.33 / (0.25 + 0.05) = 1.1, 0.40 / (0.30 + 0.05) ≈ 1.14
    assert runner.one_percent_ratio([0.55, 0.33, 0.40], [0.45, 0.25, 0.30], 0.05) == pytest.approx(1.1)
