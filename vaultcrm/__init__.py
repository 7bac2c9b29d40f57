"""vaultcrm: a command-line CRM over a plain-text vault of Markdown notes."""

__version__ = "0.1.0"
