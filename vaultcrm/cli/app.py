"""The typer app, its global options, and `main()`: the single exit point.

`main()` is the only place that turns errors into messages on stderr and exit codes:
0 done, 1 failed, 2 usage, 3 not found, 4 ambiguous, 5 invalid note.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, NoReturn

import typer

from vaultcrm import __version__
from vaultcrm.cli import health, notes, personal, relations, sources, tasks, team
from vaultcrm.cli.options import State, err
from vaultcrm.errors import Ambiguous, NotFound, VaultCRMError

app = typer.Typer(
    name="vaultcrm",
    help="A CRM over a folder of Markdown notes: read and edit customer, people and meeting notes in place.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


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
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Name each note a listing skips (else "
                                          "one summary line on stderr).")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    State.vault_arg = vault
    State.commit = commit
    State.verbose = verbose


for _group in (notes, tasks, relations, sources, health, team, personal):  # the order `--help` lists them in
    _group.register(app)


# ---- the single exit point ---------------------------------------------------------------------
CANDIDATES_SHOWN = 20  # an ambiguity among 2,000 notes names the first 20, then counts the rest
def _fail(exc: VaultCRMError) -> NoReturn:
    err(f"vaultcrm: error: {exc}")
    if isinstance(exc, NotFound) and exc.suggestions:
        err("did you mean:")
        for s in exc.suggestions:
            err(f"  {s}")
    if isinstance(exc, Ambiguous) and exc.candidates:
        for c in exc.candidates[:CANDIDATES_SHOWN]:
            err(f"  {c}")
        if len(exc.candidates) > CANDIDATES_SHOWN:
            err(f"  … and {len(exc.candidates) - CANDIDATES_SHOWN} more")
    if exc.hint:
        err(f"hint: {exc.hint}")
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
        err("vaultcrm: interrupted")
        raise SystemExit(130) from None
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(1) from None
    except OSError as exc:  # a file-system failure nothing deeper turned into a VaultCRMError
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        err(f"vaultcrm: error: {where}{exc.strerror or exc}")
        raise SystemExit(1) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        err("vaultcrm: aborted")
        raise SystemExit(1) from None
    except _click_exception() as exc:  # usage errors from argument parsing
        exc.show()
        raise SystemExit(exc.exit_code) from None  # type: ignore[attr-defined]
    raise SystemExit(rv if isinstance(rv, int) else 0)


def _click_exception() -> type[BaseException]:
    from typer import _click  # type: ignore[attr-defined]

    return _click.ClickException
