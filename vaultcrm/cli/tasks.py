"""`task add`, `task list`, `task done`, `task undo`."""

from __future__ import annotations

from typing import Annotated

import typer

from vaultcrm.cli.options import CsvOpt, DryRun, Fmt, JsonOpt, Name, TsvOpt, context, emit_rows, finish_edit, fmt_of
from vaultcrm.cli.options import Force, emit_json_rows, parse_day, warn_all
from vaultcrm.errors import UsageError

task_app = typer.Typer(help="Tasks (Obsidian Tasks format): add, list, done, undo.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(task_app, name="task")


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
    force: Force = False,
) -> None:
    """Add an open task under ## Open Tasks (created if missing)."""
    from vaultcrm.ops import tasks

    ctx = context(name, force=force)
    finish_edit(tasks.task_add(ctx, name, text, due=parse_day(due, ctx.today, prefer="future"), dry_run=dry_run))


@task_app.command("list")
def task_list(
    name: Annotated[str | None, typer.Argument(help="Only this note (and the notes filed under it).")] = None,
    done: Annotated[bool, typer.Option("--done", help="Done tasks instead of open ones.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Open, done and cancelled tasks.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open tasks past their due date.")] = False,
    due_within: Annotated[int | None, typer.Option("--due-within", min=0, max=36500, help="Only tasks due within DAYS.")] = None,
    status: Annotated[list[str] | None, typer.Option(
        "--status", metavar="TYPE|SYMBOL|NAME",
        help="Only tasks with this status (any state): a type (todo, in_progress, done, cancelled, on_hold), "
             "a checkbox symbol such as '?', or a status name; repeat for several.")] = None,
    json_: JsonOpt = False, csv_: CsvOpt = False, tsv: TsvOpt = False,
) -> None:
    """Tasks with their ids, across the vault or for one note."""
    from vaultcrm import render
    from vaultcrm.ops import tasks

    fmt = fmt_of(json_, csv_, tsv)
    ctx = context(name)
    rows = tasks.iter_task_list(ctx, name, done=done, all_=all_, overdue=overdue, due_within=due_within,
                                statuses=status or (), release=fmt is Fmt.json)
    if name is None:
        warn_all(ctx)
    if fmt is Fmt.json:  # streamed: 100,000 tasks of a big vault are never all in memory
        emit_json_rows(render.task_row_dict(r) for r in rows)
        return
    data = [render.task_row_dict(r) for r in rows]
    emit_rows(fmt, render.task_table_rows(data) if fmt is Fmt.table else data, render.TASK_TABLE)


@task_app.command("done")
def task_done(args: TaskArgs, dry_run: DryRun = False, force: Force = False) -> None:
    """Tick a task as Obsidian Tasks does ([x] and ✅ date); a recurring task gets its next instance."""
    from vaultcrm.ops import tasks

    name, match = _split_match(args)
    finish_edit(tasks.task_done(context(name, force=force), name, match, dry_run=dry_run))


@task_app.command("undo")
def task_undo(args: TaskArgs, dry_run: DryRun = False, force: Force = False) -> None:
    """Reopen a done task: the status it had before `task done` (else Tasks' toggle), its ✅ date
    removed, and the next occurrence `task done` added, if unchanged."""
    from vaultcrm.ops import tasks

    name, match = _split_match(args)
    finish_edit(tasks.task_undo(context(name, force=force), name, match, dry_run=dry_run))
