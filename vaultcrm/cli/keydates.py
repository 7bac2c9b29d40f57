"""The manager's week: `dates`, the coming birthdays, anniversaries, renewals and contract ends."""

from __future__ import annotations

from typing import Annotated

import typer

from vaultcrm.cli.options import CsvOpt, JsonOpt, TsvOpt, context, emit_rows, fmt_of, warn_all


def register(app: typer.Typer) -> None:
    app.command()(dates)


def dates(
    days: Annotated[int, typer.Option("--within", min=0, max=36500, help="Look ahead DAYS (today included).")] = 30,
    json_: JsonOpt = False, csv_: CsvOpt = False, tsv: TsvOpt = False,
) -> None:
    """Coming key dates, soonest first: birthdays and anniversaries (yearly), renewal_date and
    contract_end (once), and the keys [dates] of .vaultcrm.toml names."""
    from vaultcrm import render
    from vaultcrm.ops import keydates

    fmt = fmt_of(json_, csv_, tsv)
    ctx = context()
    rows = keydates.coming(ctx, within=days)
    warn_all(ctx)
    emit_rows(fmt, [k.to_dict() for k in rows], render.KEY_DATES_TABLE, title=f"Key dates within {days} days")
