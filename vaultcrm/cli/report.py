"""The manager's week: `report` (interactions, tasks, stale accounts, pipeline and sources between
two dates, as a Markdown note, JSON or one self-contained HTML page)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from vaultcrm.cli.options import DryRun, context, emit_json, finish_edit, out, parse_day, warn_all
from vaultcrm.errors import UsageError


class ReportFormat(str, Enum):
    md = "md"
    json = "json"
    html = "html"


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    since: Annotated[str | None, typer.Option("--since", help="From this date (ISO or natural language, e.g. "
                                              "'last monday'); default 6 days before --until.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Up to this date, included; default today.")] = None,
    format_: Annotated[ReportFormat, typer.Option("--format", "-f", help="md: a note to file; json: the same "
                                                  "data; html: one self-contained page with charts.")] = ReportFormat.md,
    out_: Annotated[str | None, typer.Option("--out", help="File the Markdown report as this new note "
                                             "(vault-relative, e.g. Reports/2026-W48.md); never overwrites.")] = None,
    dry_run: DryRun = False,
) -> None:
    """What happened between two dates (default: the last 7 days), per account and in total."""
    from vaultcrm.ops import report as ops
    from vaultcrm.render import report_html

    if dry_run and out_ is None:
        raise UsageError("--dry-run: only with --out (without it, nothing is written anyway)")
    if out_ is not None and format_ is not ReportFormat.md:
        raise UsageError("--out files the Markdown report as a note; for json or html, redirect stdout "
                         "(vaultcrm report --format html > report.html)")
    ctx = context()
    data = report_html.report_data(ops.build(ctx, since=parse_day(since, ctx.today),
                                             until=parse_day(until, ctx.today)))
    warn_all(ctx)
    if format_ is ReportFormat.json:
        emit_json(data)
    elif format_ is ReportFormat.html:
        out(report_html.report_page(data))
    elif out_ is not None:
        finish_edit(ops.file_report(ctx, out_, report_html.report_markdown(data), dry_run=dry_run))
    else:
        out(report_html.report_markdown(data))
