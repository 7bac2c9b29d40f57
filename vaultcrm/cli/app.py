"""The typer app: thin commands (parse, call one operation, render) and the single exit point.

`main()` is the only place that turns errors into messages on stderr and exit codes:
0 done, 1 failed, 2 usage, 3 not found, 4 ambiguous, 5 invalid note.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from enum import Enum
from typing import Annotated, Any, NoReturn

import typer

from vaultcrm import __version__
from vaultcrm.errors import Ambiguous, NotFound, UsageError, VaultCRMError

app = typer.Typer(
    name="vaultcrm",
    help="A CRM over a folder of Markdown notes: read and edit customer, people and meeting notes in place.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
task_app = typer.Typer(help="Tasks (Obsidian Tasks format): add, list, done, undo.", no_args_is_help=True)
app.add_typer(task_app, name="task")


class State:
    """Global options, set by the callback before a command runs."""

    vault_arg: str | None = None
    commit: bool = False


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"vaultcrm {__version__}\n")
        sys.stdout.flush()
        raise SystemExit(0)


@app.callback()
def _root(
    vault: Annotated[str | None, typer.Option("--vault", help="The vault folder (else $VAULTCRM_VAULT, "
                                              "else the nearest folder with .obsidian/ or .vaultcrm.toml).")] = None,
    commit: Annotated[bool, typer.Option("--commit", help="Commit each edit to git (vault must be a git work tree).")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    State.vault_arg = vault
    State.commit = commit


# ---- helpers -----------------------------------------------------------------------------------
def _ctx(focus: str | None = None) -> Any:
    """The operations' context; `focus` names the one note a command is about (faster on big vaults)."""
    from vaultcrm.dates import today
    from vaultcrm.ops.legacy import Context
    from vaultcrm.store.vault import Vault

    ctx = Context.open(Vault.discover(State.vault_arg), today())
    ctx.progress = _progress()
    ctx.focus = focus
    if State.commit:
        from vaultcrm.store import git

        if not git.is_work_tree(ctx.vault):  # said before anything is written, not after
            raise UsageError(f"--commit: the vault {ctx.vault.root} is not a git work tree")
        ctx.git_commit = True  # type: ignore[attr-defined]
    return ctx


def _progress() -> Any:
    """A rich progress bar on stderr for index builds that take over a second, on a terminal only."""
    if not sys.stderr.isatty():
        return None
    from vaultcrm.store.index import timed_progress

    def make() -> Any:
        import atexit

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        bar = Progress("indexing", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                       console=_console(stderr=True), transient=True)
        task = bar.add_task("index", total=None)
        bar.start()
        atexit.register(bar.stop)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            if done >= total:
                bar.stop()

        return update

    return timed_progress(make)


def _date(text: str | None, today: date, prefer: str = "past") -> date | None:
    """A date option: ISO or words; "friday" is the last one unless `prefer="future"` (due dates)."""
    if text is None:
        return None
    from vaultcrm.dates import parse_date

    return parse_date(text, today=today, prefer=prefer)


def _out(text: str) -> None:
    sys.stdout.write(text)


def _json(data: Any) -> None:
    """One JSON document on stdout: indented on a terminal, compact (and fast) in a pipe."""
    from vaultcrm import render

    _out(render.to_json(data, pretty=sys.stdout.isatty()))


def _err(text: str) -> None:
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(file=sys.stderr if stderr else sys.stdout, highlight=False, soft_wrap=False)


def _warn_all(ctx: Any) -> None:
    for w in ctx.warnings():
        _err(f"vaultcrm: warning: {w}")


class Fmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"


def _fmt(json_: bool, csv_: bool = False, tsv: bool = False) -> Fmt:
    if sum([json_, csv_, tsv]) > 1:
        raise UsageError("choose one of --json, --csv, --tsv")
    return Fmt.json if json_ else Fmt.csv if csv_ else Fmt.tsv if tsv else Fmt.table


def _emit_rows(fmt: Fmt, rows: list[dict[str, Any]], columns: list[str], title: str | None,
               headers: list[str] | None = None) -> None:
    from vaultcrm import render

    if fmt is Fmt.json:
        _json(rows)
    elif fmt in (Fmt.csv, Fmt.tsv):
        _out(render.to_delimited(rows, columns, "," if fmt is Fmt.csv else "\t"))
    elif rows:
        _console().print(render.table(title, headers or columns, [[r.get(c) for c in columns] for r in rows]))
    else:
        _err("vaultcrm: nothing to show")


def _finish_edit(result: Any, json_: bool = False, extra: dict[str, Any] | None = None) -> None:
    """An edit's outcome: the diff (dry run) or nothing on stdout, or one JSON object with --json."""
    if json_:
        _json({"message": result.message, "dry_run": result.dry_run,
               "paths": [c.moved_to or c.path for c in result.changes],
               **({"diff": result.diff()} if result.dry_run else {}), **result.data, **(extra or {})})
    elif result.dry_run:
        _out(result.diff())
    _err(f"vaultcrm: dry run: {result.message} (nothing written)" if result.dry_run else f"vaultcrm: {result.message}")


JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="CSV on stdout.")]
TsvOpt = Annotated[bool, typer.Option("--tsv", help="TSV on stdout.")]
DryRun = Annotated[bool, typer.Option("--dry-run", "-n", help="Print a unified diff; write nothing.")]
Name = Annotated[str, typer.Argument(help="A note's title, alias, file name or vault-relative path.")]


# ---- reading -----------------------------------------------------------------------------------
@app.command()
def show(name: Name, json_: JsonOpt = False) -> None:
    """One note: properties, account status, recent context (newest first), open tasks, sections."""
    from vaultcrm import render
    from vaultcrm.ops import legacy as ops

    ctx = _ctx(name)
    views, warnings = ops.show(ctx, name, exact_one=json_)
    for w in warnings:
        _err(f"vaultcrm: warning: {w}")
    if json_:
        _json(render.show_dict(views[0]))
        return
    console = _console()
    for v in views:
        console.print(render.show_panel(v))


@app.command("list")
def list_(
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="Only notes of this kind (synonyms allowed).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Only notes with this tag (repeatable).")] = None,
    where: Annotated[list[str] | None, typer.Option("--where", "-w", help="KEY=VALUE, KEY!=VALUE, KEY~=TEXT, KEY or !KEY (repeatable).")] = None,
    sort: Annotated[str | None, typer.Option("--sort", "-s", help="Sort by a property or title/path/kind; prefix - to reverse.")] = None,
    json_: JsonOpt = False, csv_: CsvOpt = False, tsv: TsvOpt = False,
) -> None:
    """Notes as a table, filtered by kind, tags and properties."""
    from vaultcrm import render
    from vaultcrm.ops import legacy as ops

    fmt = _fmt(json_, csv_, tsv)
    ctx = _ctx()
    listed = ops.list_notes(ctx, kind=kind, tags=tag or [], where=where or [], sort=sort)
    _warn_all(ctx)
    rows = [render.note_dict(r, last) for r, last in listed]
    _emit_rows(fmt, rows, ["title", "kind", "last_contact", "tags", "path"], None,
               ["Title", "Kind", "Last contact", "Tags", "Path"])


@app.command()
def get(name: Name, key: Annotated[str, typer.Argument(help="Property name.")], json_: JsonOpt = False) -> None:
    """Print one property's bare value (lists one item a line), for $(…) in scripts."""
    from vaultcrm import render
    from vaultcrm.ops import legacy as ops

    value = ops.get_property(_ctx(name), name, key)
    _json({"key": key, "value": value}) if json_ else _out(render.bare(value))


# ---- editing -----------------------------------------------------------------------------------
@app.command()
def log(
    name: Name,
    text: Annotated[str, typer.Argument(help="What happened.")],
    date_: Annotated[str | None, typer.Option("--date", "-d", help="When (ISO or 'yesterday', 'last friday'); default today.")] = None,
    via: Annotated[str | None, typer.Option("--via", help="Through whom: adds '(via NAME)'.")] = None,
    link: Annotated[str | None, typer.Option("--link", help="Wikilink target; default the day's daily note [[YYYY-MM-DD]]; '' for none.")] = None,
    dry_run: DryRun = False,
) -> None:
    """Add a Recent Context entry at its date's place and raise last_contact if it is later."""
    from vaultcrm.ops import legacy as ops

    ctx = _ctx(name)
    _finish_edit(ops.log(ctx, name, text, day=_date(date_, ctx.today), via=via, link=link, dry_run=dry_run))


@app.command("set")
def set_(
    name: Name,
    key: Annotated[str, typer.Argument(help="Property name.")],
    value: Annotated[list[str] | None, typer.Argument(help="Value: text, number, true/false, date, [[link]].")] = None,
    as_list: Annotated[bool, typer.Option("--list", help="Store the values as a list.")] = False,
    add_: Annotated[list[str] | None, typer.Option("--add", help="Add an item to a list property (repeatable).")] = None,
    string: Annotated[bool, typer.Option("--string", help="Keep the value as text (no number/boolean/date).")] = False,
    dry_run: DryRun = False,
) -> None:
    """Set a frontmatter property (and the Account Status row of that name)."""
    from vaultcrm.model import edits
    from vaultcrm.ops import legacy as ops

    def typed(v: str) -> Any:
        return v if string else edits.coerce_value(v)

    values = [typed(v) for v in value or []]
    if add_:
        if values:
            raise UsageError("give either VALUE… or --add ITEM, not both")
        _finish_edit(ops.add_to_list(_ctx(name), name, key, [typed(v) for v in add_], dry_run=dry_run))
        return
    if not values:
        raise UsageError("give a VALUE (or --add ITEM)")
    new = values if as_list or len(values) > 1 else values[0]
    _finish_edit(ops.set_property(_ctx(name), name, key, new, dry_run=dry_run))


@app.command()
def unset(name: Name, key: Annotated[str, typer.Argument(help="Property name.")], dry_run: DryRun = False) -> None:
    """Remove a frontmatter property."""
    from vaultcrm.ops import legacy as ops

    _finish_edit(ops.unset_property(_ctx(name), name, key, dry_run=dry_run))


@app.command()
def add(
    name: Name,
    section: Annotated[str, typer.Argument(help="Section heading, e.g. 'Key Facts' or 'Blockers'.")],
    text: Annotated[str, typer.Argument(help="The bullet's text.")],
    dry_run: DryRun = False,
) -> None:
    """Append a bullet to a section, creating it in canonical order (Blockers get ❌, Key Decisions ✅)."""
    from vaultcrm.ops import legacy as ops

    _finish_edit(ops.add(_ctx(name), name, section, text, dry_run=dry_run))


@app.command()
def new(
    kind: Annotated[str, typer.Argument(help="customer, person, meeting, … (or your own template's kind)")],
    title: Annotated[str, typer.Argument(help="The new note's title (and file name).")],
    folder: Annotated[str | None, typer.Option("--folder", help="Folder for the note (default: the kind's folder).")] = None,
    account: Annotated[str | None, typer.Option("--account", help="For a meeting: the account it is about.")] = None,
    json_: JsonOpt = False,
    dry_run: DryRun = False,
) -> None:
    """Create a note from a template (.vaultcrm/templates/KIND.md overrides the built-in one)."""
    from vaultcrm.ops import legacy as ops

    _finish_edit(ops.new_note(_ctx(), kind, title, folder=folder, account=account, dry_run=dry_run), json_)


# ---- tasks -------------------------------------------------------------------------------------
def _split_match(args: list[str]) -> tuple[str | None, str]:
    if len(args) == 1:
        return None, args[0]
    if len(args) == 2:
        return args[0], args[1]
    raise UsageError("give [NAME] MATCH: a note (optional) and a task id, number or text")


TaskArgs = Annotated[list[str], typer.Argument(help="[NAME] MATCH: MATCH is a task id (or unique prefix), a number from `task list NAME`, or text.")]


@task_app.command("add")
def task_add(
    name: Name,
    text: Annotated[str, typer.Argument(help="The task.")],
    due: Annotated[str | None, typer.Option("--due", help="Due date (ISO or natural language).")] = None,
    dry_run: DryRun = False,
) -> None:
    """Add an open task under ## Open Tasks (created if missing)."""
    from vaultcrm.ops import legacy as ops

    ctx = _ctx(name)
    _finish_edit(ops.task_add(ctx, name, text, due=_date(due, ctx.today, prefer="future"), dry_run=dry_run))


@task_app.command("list")
def task_list(
    name: Annotated[str | None, typer.Argument(help="Only this note (and the notes filed under it).")] = None,
    done: Annotated[bool, typer.Option("--done", help="Done tasks instead of open ones.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Open, done and cancelled tasks.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open tasks past their due date.")] = False,
    due_within: Annotated[int | None, typer.Option("--due-within", min=0, max=36500, help="Only tasks due within DAYS.")] = None,
    json_: JsonOpt = False, csv_: CsvOpt = False, tsv: TsvOpt = False,
) -> None:
    """Tasks with their ids, across the vault or for one note."""
    from vaultcrm import render
    from vaultcrm.ops import legacy as ops

    fmt = _fmt(json_, csv_, tsv)
    ctx = _ctx(name)
    rows = ops.task_list(ctx, name, done=done, all_=all_, overdue=overdue, due_within=due_within)
    if name is None:
        _warn_all(ctx)
    data = [render.task_dict(r.note, r.number, r.task) for r in rows]
    if fmt is Fmt.table:  # the checkbox as the note shows it; scripts have `status`
        data = [{**d, "status": f"[{d['status']}]"} for d in data]
    _emit_rows(fmt, data, ["number", "id", "status", "due", "text", "title", "path", "line"], None,
               ["#", "Id", "", "Due", "Task", "Note", "Path", "Line"])


@task_app.command("done")
def task_done(args: TaskArgs, dry_run: DryRun = False) -> None:
    """Tick a task as Obsidian Tasks does ([x] and ✅ date); a recurring task gets its next instance."""
    from vaultcrm.ops import legacy as ops

    name, match = _split_match(args)
    _finish_edit(ops.task_done(_ctx(name), name, match, dry_run=dry_run))


@task_app.command("undo")
def task_undo(args: TaskArgs, dry_run: DryRun = False) -> None:
    """Reopen a done task ([ ] and its ✅ date removed)."""
    from vaultcrm.ops import legacy as ops

    name, match = _split_match(args)
    _finish_edit(ops.task_undo(_ctx(name), name, match, dry_run=dry_run))


# ---- relationships -----------------------------------------------------------------------------
@app.command()
def stale(
    days: Annotated[int | None, typer.Option("--days", min=0, max=36500, help="Older than DAYS (overrides every cadence); default each account's cadence, else 30.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="Only this kind (default: all account kinds).")] = None,
    known: Annotated[bool, typer.Option("--known", help="Leave out accounts with no date at all.")] = False,
    json_: JsonOpt = False, csv_: CsvOpt = False, tsv: TsvOpt = False,
) -> None:
    """Accounts whose last contact is older than their cadence (oldest first), then undated ones."""
    from vaultcrm import render
    from vaultcrm.ops import legacy as ops

    fmt = _fmt(json_, csv_, tsv)
    ctx = _ctx()
    rows = ops.stale(ctx, days=days, kind=kind, known=known)
    _warn_all(ctx)
    _emit_rows(fmt, [render.stale_dict(r) for r in rows], ["title", "last_contact", "days", "source", "path"],
               None, ["Title", "Last contact", "Days", "Source", "Path"])


@app.command()
def agenda(
    days: Annotated[int, typer.Option("--days", min=0, max=36500, help="Look ahead DAYS.")] = 7,
    json_: JsonOpt = False,
) -> None:
    """Overdue tasks, tasks due soon, and accounts going stale within DAYS."""
    from vaultcrm import render
    from vaultcrm.ops import legacy as ops

    ctx = _ctx()
    a = ops.agenda(ctx, days=days)
    data = {"overdue": [render.task_dict(r.note, r.number, r.task) for r in a.overdue],
            "due_soon": [render.task_dict(r.note, r.number, r.task) for r in a.due_soon],
            "going_stale": [render.stale_dict(r) for r in a.going_stale]}
    _warn_all(ctx)
    if json_:
        _json(data)
        return
    console = _console()
    cols = ["id", "due", "text", "title", "path"]
    for key, title in (("overdue", "Overdue"), ("due_soon", f"Due within {days} days")):
        console.print(render.table(title, ["Id", "Due", "Task", "Note", "Path"],
                                   [[d[c] for c in cols] for d in data[key]]))
    console.print(render.table(f"Going stale within {days} days", ["Title", "Last contact", "Stale on", "Path"],
                               [[d["title"], d["last_contact"], d["stale_on"], d["path"]] for d in data["going_stale"]]))


@app.command()
def timeline(
    name: Annotated[str | None, typer.Argument(help="Only this account (and the notes filed under it).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="From this date (ISO or natural language).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Up to this date.")] = None,
    json_: JsonOpt = False, csv_: CsvOpt = False, tsv: TsvOpt = False,
) -> None:
    """Recent Context entries across the vault (or one account), newest first."""
    from vaultcrm import render
    from vaultcrm.ops import legacy as ops

    fmt = _fmt(json_, csv_, tsv)
    ctx = _ctx(name)
    rows = ops.timeline(ctx, name, since=_date(since, ctx.today), until=_date(until, ctx.today))
    if name is None:
        _warn_all(ctx)
    _emit_rows(fmt, [render.timeline_dict(r) for r in rows], ["date", "account", "text", "via", "path"], None,
               ["Date", "Account", "Entry", "Via", "Path"])


@app.command()
def who(name: Name, json_: JsonOpt = False, csv_: CsvOpt = False, tsv: TsvOpt = False) -> None:
    """The people through whom an account's contact runs, with their latest date and count."""
    from vaultcrm.ops import legacy as ops

    fmt = _fmt(json_, csv_, tsv)
    rows = ops.who(_ctx(name), name)
    _emit_rows(fmt, rows, ["name", "last", "count", "sources"], None, ["Person", "Last", "Count", "Seen in"])


@app.command("index")
def index_(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Throw the cache away and read every note again.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Bring the cache in .vaultcrm/ up to date (deleting .vaultcrm/ is always safe)."""
    from vaultcrm.store import index

    ctx = _ctx()
    scan = index.load(ctx.vault, ctx.config, progress=ctx.progress, rebuild=rebuild)
    data = {"notes": len(scan.records), "parsed": scan.parsed, "broken": len(scan.broken),
            "unreadable": len(scan.unreadable)}
    if json_:
        _json(data)
    _err(f"vaultcrm: indexed {data['notes']} notes ({data['parsed']} read now, {data['broken']} with broken "
         f"frontmatter, {data['unreadable']} unreadable)")


# ---- the single exit point ---------------------------------------------------------------------
def _fail(exc: VaultCRMError) -> NoReturn:
    _err(f"vaultcrm: error: {exc}")
    if isinstance(exc, NotFound) and exc.suggestions:
        _err("did you mean:")
        for s in exc.suggestions:
            _err(f"  {s}")
    if isinstance(exc, Ambiguous) and exc.candidates:
        for c in exc.candidates:
            _err(f"  {c}")
    if exc.hint:
        _err(f"hint: {exc.hint}")
    raise SystemExit(exc.exit_code)


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the CLI; every error leaves through here as a message and a documented exit code."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:  # the answer needs no command tree: typer builds it for ~30 ms
        _version(True)
    try:
        rv = app(args=argv, prog_name="vaultcrm", standalone_mode=False)
    except VaultCRMError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        _err("vaultcrm: interrupted")
        raise SystemExit(130) from None
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(1) from None
    except OSError as exc:  # a file-system failure nothing deeper turned into a VaultCRMError
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        _err(f"vaultcrm: error: {where}{exc.strerror or exc}")
        raise SystemExit(1) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        _err("vaultcrm: aborted")
        raise SystemExit(1) from None
    except _click_exception() as exc:  # usage errors from argument parsing
        exc.show()
        raise SystemExit(exc.exit_code) from None  # type: ignore[attr-defined]
    raise SystemExit(rv if isinstance(rv, int) else 0)


def _click_exception() -> type[BaseException]:
    from typer import _click  # type: ignore[attr-defined]

    return _click.ClickException

from vaultcrm.cli import health as cli_health
cli_health.register(app)
