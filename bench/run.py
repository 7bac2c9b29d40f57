#!/usr/bin/env python3
"""Time whole vaultcrm commands against floors measured in the same run, and check issue 6's targets.

    python bench/run.py [--sizes 10000,50000[,100000]] [--runs 5] [--out bench/RESULTS.md]
    python bench/run.py --quick          # 2,000/4,000 notes, 3 runs, a sanity check (writes bench/out/)

--sizes: the first size is the vault of the ratio rows (floors, reads, first run, doctor, terminal
tables, the 1% change), the second the "big" vault (warm reads against absolute limits, one-note
edits); every further size (e.g. 100000) adds rows of milliseconds per note against the first size,
to show whether `stale` grows linearly. `--notes N --big M` is the older spelling of `--sizes N,M`.

Vaults are generated into bench/vaults/ (gitignored) by bench/generate.py when missing. Every row is
a whole process (`subprocess.run`, timed with `time.perf_counter`), the median of --runs runs after
one warm-up, with VAULTCRM_TODAY=2026-11-22 and NO_COLOR=1. A row with a reference (floor A,
`import typer`, `--version`, the same command with `--json`) runs the reference just before each of
its timed runs and reports the median of the pairwise ratios, so the machine's drift during the
run (large on a VM that pages file data out within seconds) cancels out of the verdict; the 1 %
change pairs each changed run with a warm run just before it; the absolute rows are plain medians. The floors are measured in the same run:

- floor A, "read every file's bytes" (the "read floor"): a Python process that walks the vault
  (skipping dot-folders) and reads every .md file;
- floor B, "python-frontmatter loop": the script a user would write: `frontmatter.load` every note
  and print customers whose `last_contact` is older than 30 days or not a date.

Edits (`log`, `task done`, `set`, the 1% change) are undone after each run, so the vaults stay as
generated. The table goes to stdout and to --out, with the machine, date and commit in its header.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
TODAY = "2026-11-22"
STATE_DIR = ".vaultcrm"
DEFAULT_SIZES = (10000, 50000)
QUICK_SIZES = (2000, 4000)
TTY_COLUMNS = "120"
BIG_MS, BIG_MB = 1000.0, 150.0  # the big vault's absolute limits
DOCTOR_OK = (0, 1)  # doctor exits 1 when it finds problems, which the generated vaults have

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
    ref_samples: list[float] = field(default_factory=list)  # the reference's run before each of ours (`pair`)

    @property
    def ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def paired_ratio(self) -> float | None:
        """The median of this run ÷ the reference run just before it, pair by pair: on a machine whose
        speed drifts (this VM's floor A measured 139-209 ms within one afternoon) a ratio of two
        medians taken minutes apart says more about the drift than about the command."""
        if not self.ref_samples:
            return None
        return statistics.median(a / b for a, b in zip(self.samples, self.ref_samples, strict=True))


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
    shown: str = ""  # the ratio column's text when "N × ref" would mislead (speed-ups, per-note rows)

    @property
    def ratio_text(self) -> str:
        if self.shown or self.ratio is None:
            return self.shown
        return f"{self.ratio:.2f} × {self.ref}" if self.ref else f"{self.ratio:.2f}"


@dataclass
class Bench:
    runs: int
    env: dict[str, str]
    vcrm: list[str]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr, flush=True)

    def time(self, cmd: Sequence[str], *, before: Callable[[int], None] | None = None,
             after: Callable[[int], None] | None = None, runs: int | None = None, warmup: int = 1,
             ok_codes: Sequence[int] = (0,), extra_env: Mapping[str, str] | None = None,
             keep_output: bool = True, pair: Sequence[str] | None = None) -> Timed:
        """Median-ready samples of a whole command: `warmup` untimed runs, then `runs` timed ones;
        `before(i)`/`after(i)` run untimed around each (i counts warm-ups too). `ok_codes` are the
        exit codes that mean success (doctor exits 1 on findings); `keep_output=False` sends stdout
        to /dev/null, for commands whose output is only a terminal's business. `pair`: a reference
        command run just before each timed run (after `before`), for `Timed.paired_ratio`."""
        env = {**self.env, **extra_env} if extra_env else self.env
        out_to = subprocess.PIPE if keep_output else subprocess.DEVNULL
        samples: list[float] = []
        refs: list[float] = []
        out = err = b""
        for i in range(warmup + (runs or self.runs)):
            if before:
                before(i)
            if pair is not None and i >= warmup:
                refs.append(self.once(pair, env, subprocess.DEVNULL, (0,)))
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out_to, stderr=subprocess.PIPE, env=env,
                                  check=False)
            dt = time.perf_counter() - t0
            if after:
                after(i)
            if proc.returncode not in ok_codes:
                raise CommandFailed(cmd, proc)
            if i >= warmup:
                samples.append(dt)
            out, err = proc.stdout or b"", proc.stderr
        return Timed(samples, out, err, refs)

    def once(self, cmd: Sequence[str], env: Mapping[str, str], out_to: int, ok_codes: Sequence[int]) -> float:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out_to, stderr=subprocess.PIPE, env=env,
                              check=False)
        dt = time.perf_counter() - t0
        if proc.returncode not in ok_codes:
            raise CommandFailed(cmd, proc)
        return dt

    def peak_mb(self, cmd: Sequence[str], ok_codes: Sequence[int] = (0,)) -> float | None:
        """Peak resident memory of CMD, measured as the only child of a fresh Python."""
        proc = subprocess.run([sys.executable, "-c", PEAK, *cmd], stdout=subprocess.PIPE, env=self.env, check=False)
        kb, code = proc.stdout.split()
        return int(float(kb)) / 1024 if int(code) in ok_codes else None

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        ms = "ERROR" if row.ms is None else f"{row.ms:8.0f} ms"
        verdict = {True: "PASS", False: "FAIL", None: ""}[row.ok]
        peak = "" if row.peak_mb is None else f"{row.peak_mb:4.0f} MB"
        self.log(f"  {row.what:<58} {ms:>11} {row.ratio_text:>24} {row.target:<30} {verdict:<4} {peak}")
        return row

    def attempt(self, what: str, fn: Callable[[], Row | None]) -> Row | None:
        """Add FN's row; a failing command becomes an ERROR row and a note instead of ending the run."""
        try:
            row = fn()
            return self.add(row) if row else None
        except CommandFailed as exc:
            self.add(Row(what, None, note=str(exc)))
            self.notes.append(f"`{what}` failed: {exc}")
            return None


# ---- pure helpers (tested in tests/test_bench_generator.py) ---------------------------------------
def parse_sizes(text: str) -> list[int]:
    """`10000,50000` or `10_000, 50k` as a list of note counts, in the order given (order has meaning)."""
    sizes: list[int] = []
    for part in text.replace("_", "").split(","):
        part = part.strip().lower()
        if not part:
            continue
        n = int(float(part[:-1]) * 1000) if part.endswith("k") else int(part)
        if n < 50:
            raise ValueError(f"a vault needs at least 50 notes, not {n}")
        sizes.append(n)
    if not sizes:
        raise ValueError("no sizes given")
    return sizes


def resolve_sizes(sizes: str | None, notes: int | None, big: int | None, quick: bool) -> list[int]:
    """--sizes, else the older --notes/--big (either may be left out), else --quick's or the defaults."""
    if sizes is not None:
        if notes is not None or big is not None:
            raise ValueError("use either --sizes or --notes/--big, not both")
        return parse_sizes(sizes)
    first, second = QUICK_SIZES if quick else DEFAULT_SIZES
    first = notes if notes is not None else first
    second = big if big is not None else second
    return [first] if second == first else [first, second]


def floor_a(vault: Vault) -> list[str]:
    """Floor A's command: a Python process that reads every note of VAULT."""
    return [sys.executable, "-c", FLOOR_A, str(vault.path)]


def pty_command(cmd: Sequence[str]) -> list[str]:
    """CMD run under a pseudo-terminal by util-linux `script`, so vaultcrm draws its terminal table;
    -e passes the command's exit code through, the typescript goes to /dev/null."""
    return ["script", "-qec", shlex.join(cmd), "/dev/null"]


def ratio_row(what: str, t: Timed, ref_name: str, ref_ms: float | None, limit: float, **kw: object) -> Row:
    """A row whose target is `t ≤ limit × ref` (no verdict when the reference failed): the ratio pair
    by pair when `t` was timed with its reference (`pair`), else against `ref_ms`."""
    ratio = t.paired_ratio if t.ref_samples else (t.ms / ref_ms if ref_ms else None)
    ok = None if ratio is None else ratio <= limit
    return Row(what, t.ms, ref_name, ratio, f"≤ {limit:g} × {ref_name}", ok, **kw)  # type: ignore[arg-type]


def one_percent_ratio(changed: Sequence[float], warm: Sequence[float], parse: float) -> float:
    """The 1 % row's ratio: each changed run over the warm run just before it plus parsing the changed
    notes alone, the median over the pairs."""
    return statistics.median(c / (w + parse) for c, w in zip(changed, warm, strict=True))


def speedup_row(what: str, ms: float, ref_name: str, ref_ms: float, factor: float) -> Row:
    """A row whose target is to be FACTOR times faster than a reference (ratio = reference ÷ this)."""
    speedup = ref_ms / ms
    return Row(what, ms, ref_name, speedup, f"≥ {factor:g} × faster than {ref_name}", speedup >= factor,
               shown=f"{speedup:.1f} × faster")


def absolute_row(what: str, t: Timed, peak: float | None, max_ms: float, max_mb: float) -> Row:
    """A row with absolute limits on time and peak memory (an unmeasured peak is a miss)."""
    ok = t.ms <= max_ms and peak is not None and peak <= max_mb
    return Row(what, t.ms, "", None, f"≤ {max_ms:g} ms; peak ≤ {max_mb:g} MB", ok, peak_mb=peak)


def growth_row(what: str, ms: float, notes: int, ref_ms: float | None, ref_notes: int,
               peak: float | None = None) -> Row:
    """Report-only: milliseconds per note against the first size's; 1.00 × means linear growth."""
    per_note = ms / notes
    ratio = per_note / (ref_ms / ref_notes) if ref_ms else None
    shown = f"{per_note * 1000:.0f} µs/note" + ("" if ratio is None else f", {ratio:.2f} × {ref_notes:,}'s")
    return Row(what, ms, f"{ref_notes:,} per note", ratio, "report (1 × = linear)", None, peak_mb=peak, shown=shown)


# ---- vaults ---------------------------------------------------------------------------------------
@dataclass
class Vault:
    path: Path
    manifest: dict

    @property
    def notes(self) -> int:
        return int(self.manifest["notes"])

    @property
    def label(self) -> str:
        return f"{self.notes:,}"

    @property
    def target(self) -> str:
        """The account the runner edits and asks `who` about (a plain, recently contacted customer)."""
        return str(self.manifest["target"]["name"])


def ensure_vault(folder: Path, notes: int, seed: int, log: Callable[[str], None]) -> Vault:
    path = folder / f"notes-{notes}-seed-{seed}"
    manifest = path / ".bench" / "manifest.json"
    if manifest.is_file():
        m = json.loads(manifest.read_text(encoding="utf-8"))
        if m.get("notes") == notes and m.get("seed") == seed:
            return Vault(path, m)
    log(f"generating {notes:,} notes into {path} …")
    subprocess.run([sys.executable, str(BENCH / "generate.py"), str(path), "--notes", str(notes),
                    "--seed", str(seed), "--force"], check=True)
    return Vault(path, json.loads(manifest.read_text(encoding="utf-8")))


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


# ---- the commands ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Read:
    """A whole-vault read command, and its limit against floor A on the first vault."""

    label: str
    argv: tuple[str, ...]
    limit: float


def read_commands(who: str) -> list[Read]:
    """Every read command of the target table; `stale` has the tighter limit (it is the one users
    run most, and the one the cache was built for)."""
    return [Read("stale --days 30 --json", ("stale", "--days", "30", "--json"), 0.8),
            Read("list --json", ("list", "--json"), 1.0),
            Read("task list --json", ("task", "list", "--json"), 1.0),
            Read("timeline --json", ("timeline", "--json"), 1.0),
            Read("agenda --json", ("agenda", "--json"), 1.0),
            Read("who NAME --json", ("who", who, "--json"), 1.0)]


def vaultcrm_command() -> list[str]:
    """The console script next to this Python (what users run), else `python -m vaultcrm`."""
    exe = Path(sys.executable).with_name("vaultcrm.exe" if os.name == "nt" else "vaultcrm")
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "vaultcrm"]


def compile_package(log: Callable[[str], None]) -> None:
    """Byte-compile the vaultcrm package being timed, as `pip install` does for users: the runs are
    made with PYTHONDONTWRITEBYTECODE=1, so a module edited since its .pyc (or never imported by a
    test) was compiled again in every timed run (~13 ms of a `doctor` run at stop 24)."""
    import importlib.util

    spec = importlib.util.find_spec("vaultcrm")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        subprocess.run([sys.executable, "-m", "compileall", "-q", folder], stdout=subprocess.DEVNULL, check=False)
        log(f"byte-compiled {folder}")


def has_option(cmd: Sequence[str], option: str, env: Mapping[str, str]) -> bool:
    """Whether CMD's --help lists OPTION (the flag names of doctor have changed before)."""
    proc = subprocess.run([*cmd, "--help"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, check=False)
    return proc.returncode == 0 and option.encode() in proc.stdout.split()


@dataclass
class Refs:
    """Times measured in this run that later rows are compared against (None: that command failed)."""

    typer_ms: float = 0.0
    floor_a: float = 0.0
    floor_b: float = 0.0
    floor_b_stats: dict[str, str] = field(default_factory=dict)
    version_ms: float | None = None
    first_ms: float | None = None
    warm_ms: float | None = None
    first_out: bytes = b""
    warm_out: bytes = b""


# ---- the rows, one section of the target table each -----------------------------------------------
def startup_rows(b: Bench, small: Vault, refs: Refs) -> None:
    """Python start-up, the two floors, and `--version`/`--help` against `import typer`."""
    py, vc = sys.executable, b.vcrm
    b.add(Row("`python -c pass`", b.time([py, "-c", "pass"]).ms))
    typer = [py, "-c", "import typer"]
    refs.typer_ms = b.add(Row('`python -c "import typer"`', b.time(typer).ms)).ms or 0.0
    refs.floor_a = b.add(Row(f"floor A: read every file's bytes ({small.label} notes)",
                             b.time(floor_a(small)).ms)).ms or 0.0
    fb = b.time([py, "-c", FLOOR_B, str(small.path)])
    refs.floor_b = b.add(Row(f"floor B: python-frontmatter stale loop ({small.label} notes)", fb.ms)).ms or 0.0
    refs.floor_b_stats = dict(kv.split("=") for kv in fb.stderr.decode().split("floor-b:")[-1].split())
    version = b.attempt("`vaultcrm --version`", lambda: ratio_row(
        "`vaultcrm --version`", b.time([*vc, "--version"], pair=typer), "import typer", refs.typer_ms, 1.2))
    refs.version_ms = version.ms if version else None
    b.attempt("`vaultcrm --help`", lambda: ratio_row(
        "`vaultcrm --help`", b.time([*vc, "--help"], pair=typer), "import typer", refs.typer_ms, 1.5))


def first_run_rows(b: Bench, small: Vault, refs: Refs) -> None:
    """`stale` with the index deleted before each run: against floor A and floor B."""
    stale = [*b.vcrm, "--vault", str(small.path), "stale", "--days", "30", "--json"]

    def first() -> Row:
        t = b.time(stale, before=lambda i: drop_cache(small.path), pair=floor_a(small))
        refs.first_ms, refs.first_out = t.ms, t.stdout
        drop_cache(small.path)
        peak = b.peak_mb(stale)  # a first run too; it leaves the cache warm for the rows after it
        return ratio_row(f"`stale --days 30 --json`, first run, no index ({small.label})", t, "floor A",
                         refs.floor_a, 1.5, peak_mb=peak)

    b.attempt("stale first run", first)
    if refs.first_ms is not None:
        b.add(speedup_row(f"  … the same, against floor B ({small.label})", refs.first_ms, "floor B",
                          refs.floor_b, 3))


def warm_read_rows(b: Bench, small: Vault, refs: Refs) -> None:
    """Every read command on a warm index, against floor A, with its peak memory."""
    vb = [*b.vcrm, "--vault", str(small.path)]
    subprocess.run([*vb, "index"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=b.env, check=False)
    for read in read_commands(small.target):
        cmd = [*vb, *read.argv]

        def one(read: Read = read, cmd: list[str] = cmd) -> Row:
            t = b.time(cmd, pair=floor_a(small))
            if read.argv[0] == "stale":
                refs.warm_ms, refs.warm_out = t.ms, t.stdout
            return ratio_row(f"`{read.label}`, warm ({small.label})", t, "floor A", refs.floor_a, read.limit,
                             peak_mb=b.peak_mb(cmd))

        b.attempt(f"{read.label} warm", one)
    if refs.first_out and refs.warm_out and refs.first_out != refs.warm_out:
        b.notes.append("**`stale --json` printed different results on a first run and on a warm index.**")


def doctor_rows(b: Bench, small: Vault, refs: Refs) -> None:
    """`doctor --json` (all checks but links) and `doctor --links --json`, warm; exit 1 = problems found."""
    vb = [*b.vcrm, "--vault", str(small.path)]
    checks = [("doctor --json", ["doctor", "--json"], 2.0)]
    if has_option([*b.vcrm, "doctor"], "--links", b.env):
        checks.append(("doctor --links --json", ["doctor", "--links", "--json"], 4.0))
    else:
        b.notes.append("`vaultcrm doctor` has no `--links` option: only plain `doctor --json` was timed.")
    for label, argv, limit in checks:
        cmd = [*vb, *argv]
        b.attempt(label, lambda label=label, cmd=cmd, limit=limit: ratio_row(  # type: ignore[misc]
            f"`{label}`, warm ({small.label})", b.time(cmd, ok_codes=DOCTOR_OK, pair=floor_a(small)), "floor A", refs.floor_a, limit,
            peak_mb=b.peak_mb(cmd, DOCTOR_OK)))


def terminal_rows(b: Bench, small: Vault) -> None:
    """`task list` and `list` drawing their table on a terminal, against their own `--json`, both run
    under a pty (`script`, COLUMNS=120, output discarded) so only the rendering differs."""
    if not shutil.which("script"):
        b.notes.append("no util-linux `script` on PATH: the terminal-table rows were not timed.")
        return
    vb = [*b.vcrm, "--vault", str(small.path), "--no-pager"]  # the table itself, not a pager waiting for keys
    tty = {"COLUMNS": TTY_COLUMNS}
    for label, argv in (("task list", ["task", "list"]), ("list", ["list"])):
        def one(label: str = label, argv: list[str] = argv) -> Row:
            as_json = b.time(pty_command([*vb, *argv, "--json"]), extra_env=tty, keep_output=False)
            table = b.time(pty_command([*vb, *argv]), extra_env=tty, keep_output=False,
                           pair=pty_command([*vb, *argv, "--json"]))
            b.notes.append(f"under the pty, `{label} --json` took {as_json.ms:.0f} ms ({small.label}).")
            return ratio_row(f"`{label}` as a table on a terminal (pty, {small.label})", table,
                             f"`{label} --json`", as_json.ms, 1.5)

        b.attempt(f"{label} table", one)


def one_percent_row(b: Bench, small: Vault, refs: Refs, seed: int) -> None:
    """`stale` after appending a line to 1% of the files (new content each run), against the warm time
    plus parsing those files alone in one process (what an incremental index cannot avoid)."""
    stale = [*b.vcrm, "--vault", str(small.path), "stale", "--days", "30", "--json"]
    rnd = random.Random(f"bench-1%-{seed}")
    files = md_files(small.path)
    changed = sorted(rnd.sample(files, max(1, round(len(files) / 100))))
    change = Restorer(small.path, changed)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(p.replace(os.sep, "/") for p in changed) + "\n")
        listing = f.name
    what = f"`stale` after changing 1% of files ({len(changed)} files, {small.label})"

    def one() -> Row:
        try:
            changed_s, warm_s = [], []
            for i in range(1 + b.runs):  # one warm-up pair, then the timed pairs
                # a note written in the last 2 s is stored as "racily clean" and read again by the next
                # run: wait, let one run settle those rows, then time a warm run and a changed one
                time.sleep(2.1)
                b.once(stale, b.env, subprocess.DEVNULL, (0,))
                warm = b.once(stale, b.env, subprocess.DEVNULL, (0,))
                change.append_line(i)
                t_changed = b.once(stale, b.env, subprocess.DEVNULL, (0,))
                if i:
                    warm_s.append(warm)
                    changed_s.append(t_changed)
            proc = subprocess.run([sys.executable, "-c", PARSE_CHANGED, str(small.path), listing],
                                  capture_output=True, env=b.env, check=False)
            if proc.returncode != 0:
                raise CommandFailed([sys.executable, "-c", "PARSE_CHANGED"], proc)
            first, best = (float(x) for x in proc.stdout.split())
        finally:
            change.restore()
        t = Timed(changed_s)
        ratio = one_percent_ratio(changed_s, warm_s, first)
        b.notes.append(f"1% change: {len(changed)} files had a line appended before each run; parsing them "
                       f"alone (read + `build_record`) took {first * 1000:.0f} ms on a first pass (with lazy "
                       f"imports), {best * 1000:.0f} ms when hot; each changed run was paired with a warm run "
                       f"just before it (median {statistics.median(warm_s) * 1000:.0f} ms): the ratio is the "
                       f"median of changed ÷ (that warm run + {first * 1000:.0f} ms).")
        return Row(what, t.ms, "warm + parse changed", ratio, "≤ 1.1 × (warm + parse changed)", ratio <= 1.1)

    try:
        b.attempt("1% change", one)
        # resync the cache with the restored files
        subprocess.run(stale, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=b.env, check=False)
    finally:
        change.restore()
        os.unlink(listing)


def big_read_rows(b: Bench, big: Vault) -> None:
    """Every read command on the big vault, warm, against absolute limits on time and peak memory."""
    vb = [*b.vcrm, "--vault", str(big.path)]
    b.log(f"warming the index of the {big.label}-note vault …")
    subprocess.run([*vb, "index"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=b.env, check=False)
    for read in read_commands(big.target):
        cmd = [*vb, *read.argv]
        b.attempt(f"{read.label} big", lambda read=read, cmd=cmd: absolute_row(  # type: ignore[misc]
            f"`{read.label}`, warm ({big.label})", b.time(cmd), b.peak_mb(cmd), BIG_MS, BIG_MB))


def edit_rows(b: Bench, big: Vault, refs: Refs) -> None:
    """One-note commands on the big vault, warm, against `vaultcrm --version`; every edit is undone
    (the note's bytes put back, untimed) after each run."""
    target = big.manifest["target"]
    name, match = target["name"], target["task_match"]
    vb = [*b.vcrm, "--vault", str(big.path)]
    keep = Restorer(big.path, [target["path"]])
    commands = [("show NAME --json", ["show", name, "--json"]),
                ('log NAME "bench" --date 2026-11-20', ["log", name, "bench", "--date", "2026-11-20"]),
                ("task done NAME MATCH", ["task", "done", name, match]),
                ("set NAME status Pilot", ["set", name, "status", "Pilot"])]
    against_typer = []
    try:
        for label, argv in commands:
            cmd = [*vb, *argv]
            row = b.attempt(label, lambda label=label, cmd=cmd: ratio_row(  # type: ignore[misc]
                f"`{label}`, warm ({big.label})", b.time(cmd, after=keep.restore, pair=[*b.vcrm, "--version"]),
                "--version", refs.version_ms, 2))
            if row is not None and row.ms and refs.typer_ms:
                against_typer.append(f"`{label.split(' NAME')[0]}` {row.ms / refs.typer_ms:.1f} ×")
    finally:
        keep.restore()
    if against_typer:  # `--version` is answered before typer is imported: the CLI's start-up is the other yardstick
        b.notes.append("one-note commands against `import typer` (medians): " + ", ".join(against_typer) + ".")


def growth_rows(b: Bench, vault: Vault, small: Vault, refs: Refs) -> None:
    """`stale` first run and warm on a larger vault, in milliseconds per note against the first size."""
    stale = [*b.vcrm, "--vault", str(vault.path), "stale", "--days", "30", "--json"]

    def first() -> Row:
        t = b.time(stale, before=lambda i: drop_cache(vault.path))
        return growth_row(f"`stale`, first run, no index ({vault.label})", t.ms, vault.notes, refs.first_ms,
                          small.notes)

    def warm() -> Row:
        t = b.time(stale)
        return growth_row(f"`stale`, warm ({vault.label})", t.ms, vault.notes, refs.warm_ms, small.notes,
                          peak=b.peak_mb(stale))

    b.attempt(f"stale first run {vault.label}", first)
    b.attempt(f"stale warm {vault.label}", warm)


# ---- the run and its report -----------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    log = lambda s: print(s, file=sys.stderr, flush=True)
    vaults = [ensure_vault(Path(args.vaults), n, args.seed, log) for n in dict.fromkeys(args.sizes)]
    by_size = {v.notes: v for v in vaults}
    small = by_size[args.sizes[0]]
    big = by_size[args.sizes[1]] if len(args.sizes) > 1 else small
    growth = [by_size[n] for n in dict.fromkeys(args.sizes[2:]) if n != small.notes]
    env = {k: v for k, v in os.environ.items() if k != "VAULTCRM_VAULT"}
    env.update(VAULTCRM_TODAY=TODAY, NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    b = Bench(args.runs, env, vaultcrm_command())
    compile_package(log)
    refs = Refs()
    log(f"vaultcrm: {' '.join(b.vcrm)}; {args.runs} runs after one warm-up; sizes {', '.join(v.label for v in vaults)}")

    startup_rows(b, small, refs)
    first_run_rows(b, small, refs)
    warm_read_rows(b, small, refs)
    doctor_rows(b, small, refs)
    terminal_rows(b, small)
    one_percent_row(b, small, refs, args.seed)
    big_read_rows(b, big)
    edit_rows(b, big, refs)
    for vault in growth:
        growth_rows(b, vault, small, refs)

    b.notes.insert(0, floor_b_note(refs, small))
    text = report(args, b, vaults)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    log(f"wrote {out}")
    log(f"{sum(r.ok is True for r in b.rows)} targets met, {sum(r.ok is False for r in b.rows)} missed, "
        f"{sum(r.ms is None for r in b.rows)} commands failed")
    return 1 if any(r.ms is None for r in b.rows) else 0


def floor_b_note(refs: Refs, small: Vault) -> str:
    """Why floor B's count differs from vaultcrm's: what python-frontmatter cannot see."""
    s, m = refs.floor_b_stats, small.manifest
    try:
        vaultcrm_stale: int | None = len(json.loads(refs.warm_out or refs.first_out))
    except ValueError:
        vaultcrm_stale = None
    return (f"floor B (python-frontmatter) saw {s.get('customers')} customers and printed {s.get('stale')} as "
            f"stale; the vault has {m['customers']} customer notes, {len(m['bom_customers'])} of them behind a "
            f"UTF-8 BOM that python-frontmatter does not see, and {len(m['malformed'])} malformed notes it could "
            f"not load ({s.get('errors')} load errors). `vaultcrm stale --json` listed {vaultcrm_stale} "
            f"(it also dates accounts by Recent Context and meeting notes).")


def git(*argv: str) -> str:
    try:
        return subprocess.run(["git", *argv], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def report(args: argparse.Namespace, b: Bench, vaults: Sequence[Vault]) -> str:
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no", "--", "vaultcrm", "pyproject.toml"):
        commit += " (with uncommitted changes to vaultcrm/)"
    try:
        from importlib.metadata import version

        versions = ", ".join(f"{p} {version(p)}" for p in ("vaultcrm", "typer", "rich", "PyYAML", "python-frontmatter"))
    except Exception:  # noqa: BLE001
        versions = ""
    cmd = "python bench/run.py" + (" --quick" if args.quick else "") + \
        f" --sizes {','.join(str(n) for n in args.sizes)} --runs {args.runs}"
    sized = " and ".join(f"{v.notes:,} notes ({vault_mb(v.path):.0f} MB)" for v in vaults)
    lines = [
        "# vaultcrm benchmark" + (" (quick sanity check)" if args.quick else ""),
        "",
        f"- date: {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}; commit {commit}",
        (f"- machine: {platform.system()} {platform.machine()}, nproc {os.cpu_count()}, "
         f"Python {platform.python_version()} ({platform.python_implementation()}); {versions}"),
        f"- vaults (bench/generate.py, seed {args.seed}): {sized}",
        (f"- each time is the median of {args.runs} run{'s' if args.runs > 1 else ''} of the whole process "
         f"after one warm-up, VAULTCRM_TODAY={TODAY} NO_COLOR=1, `{' '.join(Path(x).name for x in b.vcrm)}`; "
         f"a ratio is the median of the ratios of each timed run to a run of its reference just before it "
         f"(the reference's own row is its plain median); the package byte-compiled first, as an installed "
         f"one is; `{cmd}`"),
        "",
        "| what | median ms | ratio | target | result | peak MB |",
        "| --- | ---: | ---: | --- | --- | ---: |",
    ]
    for r in b.rows:
        ms = "error" if r.ms is None else f"{r.ms:,.0f}"
        verdict = {True: "PASS", False: "**FAIL**", None: ""}[r.ok] if r.ms is not None else "**ERROR**"
        peak = "" if r.peak_mb is None else f"{r.peak_mb:.0f}"
        lines.append(f"| {r.what} | {ms} | {r.ratio_text} | {r.target} | {verdict} | {peak} |")
    lines += ["", *[f"- {n}" for n in b.notes], ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=None,
                    help="comma-separated note counts: the ratio rows' vault, the big vault, then any larger "
                         "sizes for per-note growth rows (default 10000,50000)")
    ap.add_argument("--notes", type=int, default=None, help="older spelling: the first size (default 10000)")
    ap.add_argument("--big", type=int, default=None, help="older spelling: the second size (default 50000)")
    ap.add_argument("--runs", type=int, default=None, help="timed runs per row after one warm-up (default 5)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--out", default=None, help="where to write the table (default bench/RESULTS.md; "
                                                "bench/out/RESULTS-quick.md with --quick)")
    ap.add_argument("--vaults", default=str(BENCH / "vaults"), help="where generated vaults live")
    ap.add_argument("--quick", action="store_true", help="2,000 and 4,000 notes, 3 runs (unless given)")
    args = ap.parse_args(argv)
    try:
        args.sizes = resolve_sizes(args.sizes, args.notes, args.big, args.quick)
    except ValueError as exc:
        ap.error(str(exc))
    if args.runs is None:
        args.runs = 3 if args.quick else 5
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if args.out is None:
        args.out = str(BENCH / ("out/RESULTS-quick.md" if args.quick else "RESULTS.md"))
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
