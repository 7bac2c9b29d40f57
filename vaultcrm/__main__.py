"""`python -m vaultcrm` runs the CLI."""

from vaultcrm.cli.app import main

main()
