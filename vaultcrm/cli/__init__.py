"""The typer layer: thin commands over `vaultcrm.ops`, and `main()`, the single exit point."""

from vaultcrm.cli.app import main

__all__ = ["main"]
