"""Reading a vault's `.vaultcrm.toml` from disk (what its values mean lives in `vaultcrm.config`)."""

from __future__ import annotations

from pathlib import Path

from vaultcrm.config import CONFIG_FILE, Config, from_settings
from vaultcrm.errors import UsageError


def load_config(root: Path) -> Config:
    """The vault's config; a broken `.vaultcrm.toml` is a usage error naming its line."""
    import tomllib

    path = root / CONFIG_FILE
    if not path.is_file():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {CONFIG_FILE}: {exc}", path=CONFIG_FILE) from None
    return from_settings(data)
