"""Sources filed next to their accounts: `clip`, and `links` (backlinks and unlinked mentions)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from vaultcrm.cli.options import (
    CsvOpt,
    DryRun,
    Force,
    JsonOpt,
    Name,
    TsvOpt,
    context,
    emit_rows,
    err,
    finish_edit,
    fmt_of,
    parse_day,
    warn_all,
)
from vaultcrm.errors import UsageError, VaultCRMError

LINKS_TABLE = (["path", "line", "kind", "text"], ["Note", "Line", "Link", "Text"])


def register(app: typer.Typer) -> None:
    app.command()(clip)
    app.command()(links)


def clip(
    sources: Annotated[list[str], typer.Argument(help="A .txt, .md or .html file, or - for standard input.",
                                                 show_default=False)],
    account: Annotated[list[str] | None, typer.Option("--account", "-a", help="Link the source from this note "
                                                      "(repeatable).")] = None,
    title: Annotated[str | None, typer.Option("--title", help="The title (default: the page's <title>, else "
                                              "the first line).")] = None,
    url: Annotated[str | None, typer.Option("--url", help="Where it came from; recorded, never fetched.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="The publisher, e.g. TechCrunch.")] = None,
    author: Annotated[list[str] | None, typer.Option("--author", help="An author (repeatable).")] = None,
    published: Annotated[str | None, typer.Option("--published", help="When it was published (ISO or words).")] = None,
    description: Annotated[str | None, typer.Option("--description", help="One line about it.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="A tag besides 'clippings' "
                                                  "(repeatable).")] = None,
    folder: Annotated[str | None, typer.Option("--folder", help="Where to file it (default: [folders] source in "
                                               ".vaultcrm.toml, else Sources).")] = None,
    to: Annotated[str, typer.Option("--to", help="Where each account links it: context (a Recent Context "
                                    "entry), facts (Key Facts) or related (Related).")] = "context",
    json_: JsonOpt = False,
    dry_run: DryRun = False,
    force: Force = False,
) -> None:
    """File a source as a note in Web Clipper's shape and link it from accounts (never a contact)."""
    from vaultcrm.ops import clip as clipping

    ctx = context(force=force)
    opts = clipping.ClipOptions(title=title, url=url, site=site, authors=author or [], description=description,
                                published=parse_day(published, ctx.today), tags=tag or [], folder=folder, to=to)
    read = [clipping.Source(s, _read(s, clipping.MAX_SOURCE_BYTES)) for s in sources]
    result = clipping.clip(ctx, read, account or [], opts, dry_run=dry_run)
    for message in result.data.get("messages", []):
        err(f"vaultcrm: {message}")
    finish_edit(result, json_)
    dups = [c for c in result.data["clips"] if c["duplicate_of"]]
    if dups:
        raise VaultCRMError("; ".join(f"{c['source']}: the same text is already in the vault: {c['duplicate_of']}"
                                      for c in dups), hint="the accounts link the note already there")


def _read(source: str, limit: int) -> bytes:
    """A SOURCE's bytes (standard input for `-`); a file that cannot be read is a usage error (exit 2)."""
    if source == "-":
        return sys.stdin.buffer.read(limit + 1)
    try:
        with open(source, "rb") as fh:
            return fh.read(limit + 1)
    except FileNotFoundError:
        raise UsageError(f"{source}: no such file; nothing written") from None
    except IsADirectoryError:
        raise UsageError(f"{source}: a folder, not a file; nothing written") from None
    except OSError as exc:
        raise UsageError(f"{source}: cannot read: {exc.strerror or exc}; nothing written") from None


def links(
    name: Name,
    unlinked: Annotated[bool, typer.Option("--unlinked", help="Plain-text mentions of NAME or an alias that do "
                                           "not link it (outside code), to link by hand.")] = False,
    json_: JsonOpt = False, csv_: CsvOpt = False, tsv: TsvOpt = False,
) -> None:
    """Backlinks: every note linking to NAME ([[…]] or Markdown links, body or properties), by line."""
    from vaultcrm.ops import links as linking

    fmt = fmt_of(json_, csv_, tsv)
    ctx = context(name)
    found = linking.links(ctx, name, unlinked=unlinked)
    warn_all(ctx)
    emit_rows(fmt, [m.as_dict() for m in found.mentions], LINKS_TABLE,
              title=f"{'Unlinked mentions of' if unlinked else 'Links to'} {found.target.title} ({found.target.path})")
