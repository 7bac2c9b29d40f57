"""What every command shares: the global options, the operations' context, output helpers and the
option types (`--json`, `--dry-run`, NAME…), defined once."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vaultcrm.errors import UsageError

if TYPE_CHECKING:
    from vaultcrm.ops.context import Context
    from vaultcrm.ops.writes import EditResult


class State:
    """Global options, set by the root callback before a command runs."""

    vault_arg: str | None = None
    commit: bool = False
    verbose: bool = False  # name every skipped note, not just count them
    no_pager: bool = False  # --no-pager: never page output, even on a terminal
    config: Any = None  # the command's settings (its pager), once `context()` has read them
    contexts: list[Any] = []  # the contexts a command opened: what they worked out is kept when it succeeds


def context(focus: str | None = None, *, force: bool = False) -> Context:
    """The operations' context; `focus` names the one note a command is about (faster on big vaults);
    `force` (an edit's --force) lets it edit read-only notes."""
    from vaultcrm.dates import today
    from vaultcrm.ops.context import Context

    ctx = Context.discover(State.vault_arg, today(), commit=State.commit, focus=focus, progress=_progress(),
                           notify=lambda message: err(f"vaultcrm: warning: {message}"))
    State.config = ctx.config
    State.contexts.append(ctx)
    if force:
        from vaultcrm.ops.writes import forcing

        return forcing(ctx)
    return ctx


def _progress() -> Any:
    """A rich progress bar on stderr for index builds that take over a second, on a terminal only."""
    if not sys.stderr.isatty():
        return None

    def make() -> Any:
        import atexit

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        bar = Progress("indexing", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                       console=console(stderr=True), transient=True)
        task = bar.add_task("index", total=None)
        bar.start()
        atexit.register(bar.stop)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            if done >= total:
                bar.stop()

        return update

    return timed_progress(make)


def timed_progress(make: Callable[[], Callable[[int, int], None]],
                   after: float = 1.0) -> Callable[[int, int], None]:
    """A progress callback that only starts showing once `after` seconds have passed (a quick
    index build shows nothing)."""
    start = time.monotonic()
    shown: list[Callable[[int, int], None]] = []

    def cb(done: int, total: int) -> None:
        if not shown and time.monotonic() - start < after:
            return
        if not shown:
            shown.append(make())
        shown[0](done, total)

    return cb


def parse_day(text: str | None, today: date, prefer: str = "past") -> date | None:
    """A date option: ISO or words; "friday" is the last one unless `prefer="future"` (due dates)."""
    if text is None:
        return None
    from vaultcrm.dates import parse_date

    return parse_date(text, today=today, prefer=prefer)


# ---- output ------------------------------------------------------------------------------------
def out(text: str) -> None:
    sys.stdout.write(text)


def emit_json(data: Any) -> None:
    """One JSON document on stdout: indented on a terminal, compact (and fast) in a pipe."""
    from vaultcrm import render

    out(render.to_json(data, pretty=sys.stdout.isatty()))


def emit_json_rows(rows: Iterable[Any]) -> None:
    """`emit_json` of a list whose rows come one by one: written as they come, never all held."""
    from vaultcrm import render

    for chunk in render.json_chunks(rows, pretty=sys.stdout.isatty()):
        out(chunk)


def emit_json_parts(parts: dict[str, Iterable[Any]]) -> None:
    """`emit_json` of an object of lists (`agenda`), each list written as its rows come."""
    from vaultcrm import render

    for chunk in render.json_object_chunks(parts, pretty=sys.stdout.isatty()):
        out(chunk)


def err(text: str) -> None:
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(file=sys.stderr if stderr else sys.stdout, highlight=False, soft_wrap=False)


def warn_all(ctx: Context) -> None:
    """What a listing skipped, on stderr: one summary line (a real vault may hold eighty broken
    notes, which would bury the output), and each note's own line only with --verbose."""
    skipped = ctx.skipped()
    if State.verbose:
        for s in skipped:
            err(f"vaultcrm: warning: {s}")
    summary = skipped_summary([s.reason for s in skipped])
    if summary:
        err(summary)


def skipped_summary(reasons: list[str]) -> str | None:
    """`vaultcrm: 3 notes skipped (malformed frontmatter); run 'vaultcrm doctor' for each`, with
    the reasons counted when there are several; None when nothing was skipped."""
    if not reasons:
        return None
    counts = Counter(reasons)
    why = next(iter(counts)) if len(counts) == 1 else ", ".join(f"{n} {r}" for r, n in counts.items())
    total = len(reasons)
    return f"vaultcrm: {total} note{'s' * (total != 1)} skipped ({why}); run 'vaultcrm doctor' for each"


class Fmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"


def fmt_of(json_: bool, csv_: bool = False, tsv: bool = False) -> Fmt:
    if sum([json_, csv_, tsv]) > 1:
        raise UsageError("choose one of --json, --csv, --tsv")
    return Fmt.json if json_ else Fmt.csv if csv_ else Fmt.tsv if tsv else Fmt.table


def emit_rows(fmt: Fmt, rows: list[dict[str, Any]], spec: tuple[list[str], list[str]],
              title: str | None = None) -> None:
    """Rows as JSON, CSV, TSV or a table (`spec`: the columns and their headers, from `render`)."""
    from vaultcrm import render

    if fmt is Fmt.json:
        emit_json(rows)
    elif fmt in (Fmt.csv, Fmt.tsv):
        out(render.to_delimited(rows, spec[0], "," if fmt is Fmt.csv else "\t"))
    elif rows:
        print_table(title, spec, rows)
    else:
        err("vaultcrm: nothing to show")


def print_table(title: str | None, spec: tuple[list[str], list[str]], rows: list[dict[str, Any]]) -> None:
    """A listing table on stdout, as wide as the terminal (or $COLUMNS), styled on a terminal."""
    from vaultcrm import render

    shown = console()
    lines = render.table_lines(title, spec, rows, width=shown.width, styled=shown.color_system is not None)
    paged("".join(line + "\n" for line in lines), shown)


def paged(text: str, shown: Any) -> None:
    """`text` on stdout; through the user's pager, as git does, when stdout is a terminal and the
    text is taller than it (never when piped, never with --no-pager)."""
    if shown.is_terminal and not State.no_pager and State.config is not None and text.count("\n") > shown.height:
        from vaultcrm.ops import opening

        if opening.page(State.config, text):
            return
    shown.file.write(text)


def finish_edit(result: EditResult, json_: bool = False, extra: dict[str, Any] | None = None) -> None:
    """An edit's outcome: the diff (dry run) or nothing on stdout, or one JSON object with --json."""
    if json_:
        from vaultcrm import render

        emit_json(render.edit_dict(result, extra))
    elif result.dry_run:
        out(result.diff())
    err(f"vaultcrm: dry run: {result.message} (nothing written)" if result.dry_run else f"vaultcrm: {result.message}")


JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="CSV on stdout.")]
TsvOpt = Annotated[bool, typer.Option("--tsv", help="TSV on stdout.")]
DryRun = Annotated[bool, typer.Option("--dry-run", "-n", help="Print a unified diff; write nothing.")]
Force = Annotated[bool, typer.Option("--force", help="Edit read-only (e.g. mode 0444) notes too; they stay read-only.")]
Name = Annotated[str, typer.Argument(help="A note's title, alias, file name or vault-relative path.")]
