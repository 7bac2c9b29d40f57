"""The manager's week: `pipeline`, the deals by stage with weighted values, and (`--changes`) how
stages, values and close dates moved. The deals and the settings are `ops.pipeline`'s; this file
parses the options and shapes the rows."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vaultcrm.cli.options import (
    CsvOpt,
    Fmt,
    JsonOpt,
    TsvOpt,
    context,
    emit_json,
    emit_rows,
    err,
    fmt_of,
    parse_day,
    print_table,
    warn_all,
)
from vaultcrm.errors import UsageError

if TYPE_CHECKING:
    from decimal import Decimal

    from vaultcrm.ops.pipeline import Deal, Pipeline, StageSum

CHANGES_SINCE_DAYS = 7  # `--changes` without `--since`: the last week
DEAL_COLUMNS = ["account", "path", "stage", "value", "currency", "probability", "weighted", "close_date",
                "close_past", "last_contact", "owner"]
CHANGE_COLUMNS = ["date", "account", "field", "old", "new", "source", "path"]
CHANGES_TABLE = (CHANGE_COLUMNS[:-1], ["Date", "Account", "Field", "Old", "New", "Source"])
TOTALS_COLUMNS = ["stage", "count", "total", "weighted"]


def register(app: typer.Typer) -> None:
    app.command()(pipeline)


def pipeline(
    stage: Annotated[list[str] | None, typer.Option("--stage", "-s", metavar="STAGE", help="Only this stage, in "
                                                    "any case (repeatable).")] = None,
    owner: Annotated[str | None, typer.Option("--owner", metavar="PERSON", help="Only deals this person owns "
                                              "(a name, or a person note's title or alias; any case).")] = None,
    # named `days` for the usage error's words: `--closing-within: expected a whole number of days, got 'x'`
    days: Annotated[int | None, typer.Option("--closing-within", min=0, max=36500, metavar="DAYS",
                                             help="Only deals closing from today to DAYS from now.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Also accounts without a stage (under no stage).")] = False,
    changes: Annotated[bool, typer.Option("--changes", help="Instead of the deals: changes of stage, value and "
                                          "close date, from the undo journal and git history.")] = False,
    since: Annotated[str | None, typer.Option("--since", metavar="DATE", help="With --changes: from this date "
                                              f"(ISO or words; default {CHANGES_SINCE_DAYS} days ago).")] = None,
    json_: JsonOpt = False, csv_: CsvOpt = False, tsv: TsvOpt = False,
) -> None:
    """The sales pipeline: each account's deal by stage, with value, probability, weighted value, close
    date and last contact, a subtotal per stage and a total (stages and keys from .vaultcrm.toml [pipeline])."""
    from vaultcrm.ops import pipeline as ops

    fmt = fmt_of(json_, csv_, tsv)
    if since is not None and not changes:
        raise UsageError("--since: only with --changes")
    ctx = context()
    filters = ops.Filters(tuple(stage or ()), owner, days, all_)
    if changes:
        start = parse_day(since, ctx.today) if since else ctx.today - timedelta(days=CHANGES_SINCE_DAYS)
        rows, warnings = ops.changes(ctx, start, filters)
        _warn(warnings)
        warn_all(ctx)
        emit_rows(fmt, [_change_dict(c) for c in rows], CHANGES_TABLE if fmt is Fmt.table
                  else (CHANGE_COLUMNS, CHANGE_COLUMNS))
        return
    result = ops.pipeline(ctx, filters)
    _warn(result.warnings)
    warn_all(ctx)
    if fmt is Fmt.json:
        emit_json(pipeline_dict(result))
    elif fmt is not Fmt.table:
        emit_rows(fmt, [deal_dict(d) for d in result.deals], (DEAL_COLUMNS, DEAL_COLUMNS))
    else:
        _tables(result)


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        err(f"vaultcrm: warning: {w}")


# ---- data for scripts ----------------------------------------------------------------------------
def number(value: Decimal | None) -> int | float | None:
    """A Decimal as JSON has it: whole numbers as integers, others to the cent."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(round(value, 2))


def deal_dict(d: Deal) -> dict[str, Any]:
    return {"account": d.record.title, "path": d.record.path, "stage": d.stage,
            "value": number(d.money.amount) if d.money else None, "currency": d.money.currency if d.money else None,
            "value_text": d.value_text, "probability": number(d.probability), "weighted": number(d.weighted),
            "in_totals": d.in_totals, "close_date": d.close.isoformat() if d.close else None,
            "close_past": d.close_past, "last_contact": d.last_contact.isoformat() if d.last_contact else None,
            "owner": ", ".join(d.owners) or None}


def sum_dict(s: StageSum) -> dict[str, Any]:
    return {"stage": s.stage, "count": s.count, "total": number(s.total), "weighted": number(s.weighted)}


def pipeline_dict(p: Pipeline) -> dict[str, Any]:
    total = sum_dict(p.total)
    del total["stage"]
    return {"deals": [deal_dict(d) for d in p.deals], "stages": [sum_dict(s) for s in p.stages], "total": total,
            "currency": p.currency}


def _change_dict(c: Any) -> dict[str, Any]:
    return {"date": c.day.isoformat(), "account": c.account, "field": c.field, "old": c.old, "new": c.new,
            "source": c.source, "path": c.path}


# ---- tables for people ---------------------------------------------------------------------------
def amount(value: Decimal | None, currency: str | None = None) -> str:
    """`1,200,000`, `1,234.50`, or `300,000 EUR` for another currency than the vault's."""
    if value is None:
        return ""
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return f"{text} {currency}" if currency else text


def _percent(value: Decimal | None) -> str:
    return "" if value is None else f"{number(value)}%"


def _deal_row(d: Deal, currency: str) -> dict[str, Any]:
    other = d.money.currency if d.money and d.money.currency != currency else None
    close = d.close.isoformat() if d.close else (d.close_text or "")
    return {"account": d.record.title, "value": amount(d.money.amount, other) if d.money else d.value_text or "",
            "probability": _percent(d.probability), "weighted": amount(d.weighted, other),
            "close": f"{close} (past)" if d.close_past else close,
            "last_contact": d.last_contact.isoformat() if d.last_contact else ""}


def _tables(p: Pipeline) -> None:
    """One table per stage (its deals and a subtotal), then the totals by stage."""
    if not p.deals:
        err("vaultcrm: nothing to show")
        return
    spec = (["account", "value", "probability", "weighted", "close", "last_contact"],
            ["Account", f"Value ({p.currency})", "Prob.", "Weighted", "Close date", "Last contact"])
    for s in p.stages:
        rows = [_deal_row(d, p.currency) for d in s.deals]
        rows.append({"account": "Subtotal", "value": amount(s.total),
                     "weighted": amount(s.weighted)})
        print_table(s.stage or "No stage", spec, rows)
    totals = [{"stage": s.stage or "No stage", "count": s.count, "total": amount(s.total),
               "weighted": amount(s.weighted)} for s in (*p.stages, p.total)]
    totals[-1]["stage"] = "Total"
    print_table(f"Pipeline ({p.currency})", (TOTALS_COLUMNS, ["Stage", "Deals", "Total", "Weighted"]), totals)
