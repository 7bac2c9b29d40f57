#!/usr/bin/env python3
"""Time whole vaultcrm commands against floors measured in the same run, and check issue 6's targets.

    python bench/run.py [--notes 10000] [--big 50000] [--runs 5] [--out bench/RESULTS.md]
    python bench/run.py --quick          # 2,000 notes, 3 runs, a sanity check (writes bench/out/)

Vaults are generated into bench/vaults/ (gitignored) by bench/generate.py when missing. Every row is
a whole process (`subprocess.run`, timed with `time.perf_counter`), the median of --runs runs after
one warm-up, with VAULTCRM_TODAY=2026-11-22 and NO_COLOR=1. The floors are measured in the same run:

- floor A, "read every file's bytes": a Python process that walks the vault (skipping dot-folders)
  and reads every .md file;
- floor B, "python-frontmatter loop": the script a user would write: `frontmatter.load` every note
  and print customers whose `last_contact` is older than 30 days or not a date.

Edits (`log`, `task done`/`undo`, the 1% change) are undone after each run, so the vaults stay as
generated. The table goes to stdout and to --out, with the machine, date and commit in its header.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
TODAY = "2026-11-22"
STATE_DIR = ".vaultcrm"

FLOOR_A = r"""
import os, sys
files = size = 0
def walk(d):
    global files, size
    with os.scandir(d) as it:
        for e in it:
            if e.name.startswith("."):
                continue
            if e.is_dir(follow_symlinks=False):
                walk(e.path)
            elif e.name.endswith(".md"):
                with open(e.path, "rb") as f:
                    size += len(f.read())
                files += 1
walk(sys.argv[1])
print(f"floor-a: files={files} bytes={size}", file=sys.stderr)
"""

FLOOR_B = r"""
import os, sys
from datetime import date
import frontmatter
today, days = date(2026, 11, 22), 30
customers = stale = errors = 0
for d, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = sorted(x for x in dirs if not x.startswith("."))
    for name in sorted(files):
        if not name.endswith(".md"):
            continue
        path = os.path.join(d, name)
        try:
            post = frontmatter.load(path)
        except Exception:
            errors += 1
            continue
        if post.get("type") != "customer":
            continue
        customers += 1
        last = post.get("last_contact")
        if not isinstance(last, date):
            try:
                last = date.fromisoformat(str(last))
            except ValueError:
                last = None
        if last is None or (today - last).days > days:
            stale += 1
            print(os.path.relpath(path, sys.argv[1]))
print(f"floor-b: customers={customers} stale={stale} errors={errors}", file=sys.stderr)
"""

PARSE_CHANGED = r"""
import os, sys, time
from pathlib import Path
from vaultcrm.store.settings import load_config
from vaultcrm.model.scan import build_record
try:
    from vaultcrm.store.vault import decode
except ImportError:
    decode = lambda data, path: data.decode("utf-8")
root, listing = sys.argv[1], sys.argv[2]
paths = Path(listing).read_text(encoding="utf-8").splitlines()
config = load_config(Path(root))
passes = []
for _ in range(3):
    t0 = time.perf_counter()
    for p in paths:
        with open(os.path.join(root, p), "rb") as f:
            data = f.read()
        st = os.stat(os.path.join(root, p))
        build_record(p, decode(data, p), config, size=st.st_size, mtime_ns=st.st_mtime_ns)
    passes.append(time.perf_counter() - t0)
print(passes[0], min(passes))
"""

PEAK = r"""
import resource, subprocess, sys
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(kb / 1024 if sys.platform == "darwin" else kb, p.returncode)
"""


class CommandFailed(Exception):
    def __init__(self, cmd: Sequence[str], proc: subprocess.CompletedProcess) -> None:
        self.cmd, self.proc = cmd, proc
        tail = (proc.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-3:]
        super().__init__(f"exit {proc.returncode}: {' '.join(cmd[-6:])}: {' | '.join(tail)}")


@dataclass
class Timed:
    samples: list[float]
    stdout: bytes = b""
    stderr: bytes = b""

    @property
    def ms(self) -> float:
        return statistics.median(self.samples) * 1000


@dataclass
class Row:
    what: str
    ms: float | None
    ref: str = ""
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None  # None: informational
    peak_mb: float | None = None
    note: str = ""


@dataclass
class Bench:
    runs: int
    env: dict[str, str]
    vcrm: list[str]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr, flush=True)

    def time(self, cmd: Sequence[str], *, before: Callable[[int], None] | None = None,
             after: Callable[[int], None] | None = None, runs: int | None = None, warmup: int = 1) -> Timed:
        """Median-ready samples of a whole command: `warmup` untimed runs, then `runs` timed ones;
        `before(i)`/`after(i)` run untimed around each (i counts warm-ups too)."""
        samples: list[float] = []
        out = err = b""
        for i in range(warmup + (runs or self.runs)):
            if before:
                before(i)
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env)
            dt = time.perf_counter() - t0
            if after:
                after(i)
            if proc.returncode != 0:
                raise CommandFailed(cmd, proc)
            if i >= warmup:
                samples.append(dt)
            out, err = proc.stdout, proc.stderr
        return Timed(samples, out, err)

    def peak_mb(self, cmd: Sequence[str]) -> float | None:
        """Peak resident memory of CMD, measured as the only child of a fresh Python."""
        proc = subprocess.run([sys.executable, "-c", PEAK, *cmd], stdout=subprocess.PIPE, env=self.env)
        kb, code = proc.stdout.split()
        return int(float(kb)) / 1024 if code == b"0" else None

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        ms = "ERROR" if row.ms is None else f"{row.ms:8.0f} ms"
        verdict = {True: "PASS", False: "FAIL", None: ""}[row.ok]
        ratio = "" if row.ratio is None else f"{row.ratio:5.2f}×"
        self.log(f"  {row.what:<58} {ms:>11} {ratio:>7} {row.target:<26} {verdict}")
        return row

    def attempt(self, what: str, fn: Callable[[], Row]) -> Row | None:
        try:
            return self.add(fn())
        except CommandFailed as exc:
            self.add(Row(what, None, note=str(exc)))
            self.notes.append(f"`{what}` failed: {exc}")
            return None


# ---- vaults ---------------------------------------------------------------------------------------
def ensure_vault(folder: Path, notes: int, seed: int, log: Callable[[str], None]) -> tuple[Path, dict]:
    path = folder / f"notes-{notes}-seed-{seed}"
    manifest = path / ".bench" / "manifest.json"
    if manifest.is_file():
        m = json.loads(manifest.read_text(encoding="utf-8"))
        if m.get("notes") == notes and m.get("seed") == seed:
            return path, m
    log(f"generating {notes:,} notes into {path} …")
    subprocess.run([sys.executable, str(BENCH / "generate.py"), str(path), "--notes", str(notes),
                    "--seed", str(seed), "--force"], check=True)
    return path, json.loads(manifest.read_text(encoding="utf-8"))


def md_files(root: Path) -> list[str]:
    out: list[str] = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if not x.startswith("."))
        rel = os.path.relpath(d, root)
        out += [os.path.join(rel, f) if rel != "." else f for f in sorted(files) if f.endswith(".md")]
    return out


def vault_mb(root: Path) -> float:
    return sum((root / p).stat().st_size for p in md_files(root)) / 1e6


def drop_cache(vault: Path) -> None:
    shutil.rmtree(vault / STATE_DIR, ignore_errors=True)


class Restorer:
    """Remembers files' bytes and puts them back (untimed), so edits leave the vault as generated."""

    def __init__(self, root: Path, paths: Sequence[str]) -> None:
        self.root = root
        self.original = {p: (root / p).read_bytes() for p in paths}

    def restore(self, *_: object) -> None:
        for p, data in self.original.items():
            if (self.root / p).read_bytes() != data:
                (self.root / p).write_bytes(data)

    def append_line(self, i: int) -> None:
        """Append a line that differs per run, so each run has real changes to read."""
        for p, data in self.original.items():
            nl = b"\r\n" if b"\r\n" in data else b"\n"
            sep = b"" if data.endswith(b"\n") or not data else nl
            (self.root / p).write_bytes(data + sep + f"- bench change {i}".encode() + nl)


# ---- the benchmark ------------------------------------------------------------------------------
def vaultcrm_command() -> list[str]:
    """The console script next to this Python (what users run), else `python -m vaultcrm`."""
    exe = Path(sys.executable).with_name("vaultcrm.exe" if os.name == "nt" else "vaultcrm")
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "vaultcrm"]


def ratio_row(what: str, t: Timed, ref_name: str, ref_ms: float | None, limit: float, **kw: object) -> Row:
    ratio = t.ms / ref_ms if ref_ms else None
    ok = None if ratio is None else ratio <= limit
    return Row(what, t.ms, ref_name, ratio, f"≤ {limit:g} × {ref_name}", ok, **kw)  # type: ignore[arg-type]


def run(args: argparse.Namespace) -> int:
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    vaults = Path(args.vaults)
    small, small_m = ensure_vault(vaults, args.notes, args.seed, log)
    big, big_m = ensure_vault(vaults, args.big, args.seed, log) if args.big != args.notes else (small, small_m)
    env = {k: v for k, v in os.environ.items() if k != "VAULTCRM_VAULT"}
    env.update(VAULTCRM_TODAY=TODAY, NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    b = Bench(args.runs, env, vaultcrm_command())
    py, vc = sys.executable, b.vcrm
    n_small, n_big = f"{args.notes:,}", f"{args.big:,}"
    log(f"vaultcrm: {' '.join(vc)}; {args.runs} runs after one warm-up")

    # start-up and floors
    t_pass = b.add(Row("`python -c pass`", b.time([py, "-c", "pass"]).ms))
    t_typer = b.add(Row('`python -c "import typer"`', b.time([py, "-c", "import typer"]).ms))
    fa = b.time([py, "-c", FLOOR_A, str(small)])
    floor_a = b.add(Row(f"floor A: read every file's bytes ({n_small} notes)", fa.ms)).ms
    fb = b.time([py, "-c", FLOOR_B, str(small)])
    floor_b = b.add(Row(f"floor B: python-frontmatter stale loop ({n_small} notes)", fb.ms)).ms
    fb_stats = dict(kv.split("=") for kv in fb.stderr.decode().split("floor-b:")[-1].split())
    version = b.attempt("`vaultcrm --version`", lambda: ratio_row(
        "`vaultcrm --version`", b.time([*vc, "--version"]), "import typer", t_typer.ms, 1.2))
    b.attempt("`vaultcrm --help`", lambda: Row(
        "`vaultcrm --help`", (t := b.time([*vc, "--help"])).ms, "import typer", t.ms / t_typer.ms, "(info)"))
    version_ms = version.ms if version else None

    # stale on the small vault: no cache, warm cache, 1% changed
    stale = [*vc, "--vault", str(small), "stale", "--days", "30", "--json"]
    nocache_out = b""

    def nocache() -> Row:
        nonlocal nocache_out
        t = b.time(stale, before=lambda i: drop_cache(small))
        nocache_out = t.stdout
        drop_cache(small)
        peak = b.peak_mb(stale)
        return ratio_row(f"`stale --days 30 --json`, no cache ({n_small})", t, "floor A", floor_a, 1.5, peak_mb=peak)

    row_nc = b.attempt("stale no cache", nocache)
    if row_nc:
        speedup = floor_b / row_nc.ms
        b.add(Row(f"  … the same, against floor B ({n_small})", row_nc.ms, "floor B", speedup,
                  "≥ 3 × faster than floor B", speedup >= 3, note="ratio = floor B ÷ this"))
    warm_out = b""
    warm_ms: float | None = None

    def warm() -> Row:
        nonlocal warm_out, warm_ms
        t = b.time(stale)
        warm_out, warm_ms = t.stdout, t.ms
        return ratio_row(f"`stale --days 30 --json`, warm cache ({n_small})", t, "floor A", floor_a, 0.8,
                         peak_mb=b.peak_mb(stale))

    b.attempt("stale warm", warm)
    if nocache_out and warm_out and nocache_out != warm_out:
        b.notes.append("**`stale --json` printed different results with and without the cache.**")
    try:
        vaultcrm_stale = len(json.loads(warm_out or nocache_out))
    except ValueError:
        vaultcrm_stale = None

    rnd = random.Random(f"bench-1%-{args.seed}")
    files = md_files(small)
    changed = sorted(rnd.sample(files, max(1, round(len(files) / 100))))
    change = Restorer(small, changed)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(p.replace(os.sep, "/") for p in changed) + "\n")
        listing = f.name

    def one_percent() -> Row:
        try:
            t = b.time(stale, before=change.append_line)
            proc = subprocess.run([py, "-c", PARSE_CHANGED, str(small), listing], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env)
            if proc.returncode != 0:
                raise CommandFailed([py, "-c", "PARSE_CHANGED"], proc)
            first, best = (float(x) * 1000 for x in proc.stdout.split())
        finally:
            change.restore()
        if warm_ms is None:
            return Row(f"`stale` after changing 1% of files ({len(changed)} files)", t.ms, note="no warm time")
        ref = warm_ms + first
        b.notes.append(f"1% change: {len(changed)} files had a line appended before each run; parsing them "
                       f"alone (read + `build_record`) took {first:.0f} ms on a first pass (with lazy "
                       f"imports), {best:.0f} ms when hot; reference = warm {warm_ms:.0f} ms + {first:.0f} ms.")
        return Row(f"`stale` after changing 1% of files ({len(changed)} files, {n_small})", t.ms,
                   "warm + parse changed", t.ms / ref, "≤ 1.1 × (warm + parse changed)", t.ms / ref <= 1.1)

    try:
        b.attempt("1% change", one_percent)
        subprocess.run(stale, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # resync the cache
    finally:
        change.restore()
        os.unlink(listing)

    # the big vault: warm cache, stale, then single-note commands
    big_stale = [*vc, "--vault", str(big), "stale", "--days", "30", "--json"]
    log(f"warming the cache of the {n_big}-note vault …")
    subprocess.run(big_stale, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)

    def big_warm() -> Row:
        t = b.time(big_stale)
        peak = b.peak_mb(big_stale)
        ok = t.ms <= 1000 and peak is not None and peak <= 150
        return Row(f"`stale --days 30 --json`, warm cache ({n_big})", t.ms, "", None,
                   "≤ 1000 ms; peak ≤ 150 MB", ok, peak_mb=peak)

    b.attempt("stale big warm", big_warm)
    target = big_m["target"]
    name, match, tpath = target["name"], target["task_match"], target["path"]
    vb = [*vc, "--vault", str(big)]
    keep = Restorer(big, [tpath])
    try:
        b.attempt("show", lambda: ratio_row(f"`show NAME --json`, warm cache ({n_big})",
                                            b.time([*vb, "show", name, "--json"]), "--version", version_ms, 3))
        b.attempt("log", lambda: ratio_row(
            f"`log NAME \"bench\" --date 2026-11-20`, warm cache ({n_big})",
            b.time([*vb, "log", name, "bench", "--date", "2026-11-20"], after=keep.restore),
            "--version", version_ms, 3))
        keep.restore()
        done_s: list[float] = []
        undo_s: list[float] = []
        for i in range(1 + args.runs):  # alternate: done, undo; the first pair is the warm-up
            td = b.time([*vb, "task", "done", name, match], runs=1, warmup=0)
            tu = b.time([*vb, "task", "undo", name, match], runs=1, warmup=0)
            if i:
                done_s += td.samples
                undo_s += tu.samples
        b.add(ratio_row(f"`task done NAME MATCH`, warm cache ({n_big})", Timed(done_s), "--version", version_ms, 3))
        b.add(ratio_row(f"`task undo NAME MATCH`, warm cache ({n_big})", Timed(undo_s), "--version", version_ms, 3))
    except CommandFailed as exc:
        b.add(Row("`task done`/`task undo`", None, note=str(exc)))
        b.notes.append(f"`task done`/`undo` failed: {exc}")
    finally:
        keep.restore()

    b.notes.insert(0, f"floor B (python-frontmatter) saw {fb_stats.get('customers')} customers and printed "
                      f"{fb_stats.get('stale')} as stale; the vault has {small_m['customers']} customer notes, "
                      f"{len(small_m['bom_customers'])} of them behind a UTF-8 BOM that python-frontmatter does not "
                      f"see, and {len(small_m['malformed'])} malformed notes it could not load "
                      f"({fb_stats.get('errors')} load errors). `vaultcrm stale --json` listed {vaultcrm_stale} "
                      f"(it also dates accounts by Recent Context and meeting notes).")
    text = report(args, b, small, big, t_pass.ms)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    log(f"wrote {out}")
    log(f"{sum(r.ok is True for r in b.rows)} targets met, {sum(r.ok is False for r in b.rows)} missed, "
        f"{sum(r.ms is None for r in b.rows)} commands failed")
    return 1 if any(r.ms is None for r in b.rows) else 0


def git(*argv: str) -> str:
    try:
        return subprocess.run(["git", *argv], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def report(args: argparse.Namespace, b: Bench, small: Path, big: Path, pass_ms: float) -> str:
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no", "--", "vaultcrm", "pyproject.toml"):
        commit += " (with uncommitted changes to vaultcrm/)"
    try:
        from importlib.metadata import version

        versions = ", ".join(f"{p} {version(p)}" for p in ("vaultcrm", "typer", "rich", "PyYAML", "python-frontmatter"))
    except Exception:  # noqa: BLE001
        versions = ""
    cmd = "python bench/run.py" + (" --quick" if args.quick else f" --notes {args.notes} --big {args.big} --runs {args.runs}")
    lines = [
        "# vaultcrm benchmark" + (" (quick sanity check)" if args.quick else ""),
        "",
        f"- date: {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}; commit {commit}",
        f"- machine: {platform.system()} {platform.machine()}, nproc {os.cpu_count()}, "
        f"Python {platform.python_version()} ({platform.python_implementation()}); {versions}",
        f"- vaults (bench/generate.py, seed {args.seed}): {args.notes:,} notes ({vault_mb(small):.0f} MB)"
        + (f" and {args.big:,} notes ({vault_mb(big):.0f} MB)" if big != small else ""),
        f"- each time is the median of {args.runs} runs of the whole process after one warm-up, "
        f"VAULTCRM_TODAY={TODAY} NO_COLOR=1, `{' '.join(Path(x).name for x in b.vcrm)}`; "
        f"ratios are against references measured in this run; `{cmd}`",
        "",
        "| what | median ms | ratio | target | result | peak MB |",
        "| --- | ---: | ---: | --- | --- | ---: |",
    ]
    for r in b.rows:
        ms = "error" if r.ms is None else f"{r.ms:,.0f}"
        ratio = "" if r.ratio is None else f"{r.ratio:.2f} × {r.ref}" if r.ref else f"{r.ratio:.2f}"
        if r.note.startswith("ratio = "):
            ratio = f"{r.ratio:.1f} × faster"
        verdict = {True: "PASS", False: "**FAIL**", None: ""}[r.ok] if r.ms is not None else "**ERROR**"
        peak = "" if r.peak_mb is None else f"{r.peak_mb:.0f}"
        lines.append(f"| {r.what} | {ms} | {ratio} | {r.target} | {verdict} | {peak} |")
    lines += ["", *[f"- {n}" for n in b.notes], ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notes", type=int, default=10000, help="notes in the main vault (default 10000)")
    ap.add_argument("--big", type=int, default=50000, help="notes in the big vault (default 50000)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per row after one warm-up (default 5)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--out", default=None, help="where to write the table (default bench/RESULTS.md; "
                                                "bench/out/RESULTS-quick.md with --quick)")
    ap.add_argument("--vaults", default=str(BENCH / "vaults"), help="where generated vaults live")
    ap.add_argument("--quick", action="store_true", help="2,000 notes (4,000 for the big vault), 3 runs")
    args = ap.parse_args(argv)
    if args.quick:
        args.notes, args.big, args.runs = 2000, 4000, 3
    if args.out is None:
        args.out = str(BENCH / ("out/RESULTS-quick.md" if args.quick else "RESULTS.md"))
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
