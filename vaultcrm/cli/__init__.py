"""The typer layer: thin commands over `vaultcrm.ops`, and `main()`, the single exit point (app.py).

This package's own `main` is the console script: it answers `--version` before typer and the
command modules are imported (they were half of a `--version` run), and hands every other run
to `app.main`.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing itself costs 5 ms: not imported for `--version`
if TYPE_CHECKING:
    from typing import NoReturn

__all__ = ["main", "print_version"]


def print_version() -> NoReturn:
    from vaultcrm import __version__

    sys.stdout.write(f"vaultcrm {__version__}\n")
    sys.stdout.flush()
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the CLI (see `vaultcrm.cli.app.main`)."""
    if (sys.argv[1:] if argv is None else argv) == ["--version"]:
        print_version()
    from vaultcrm.cli.app import main as run

    run(argv)
