"""`python -m vaultcrm` runs the CLI."""

from vaultcrm.cli import main

main()
