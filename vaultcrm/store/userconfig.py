"""The user's own settings file, `$XDG_CONFIG_HOME/vaultcrm/config.toml`, the environment variables
that override it, and finding the vault with both. Read when a command runs, never at import."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaultcrm.config import CONFIG_FILE, USER_KEYS, Layer, personal_values
from vaultcrm.errors import UsageError

VAULT_ENV = "VAULTCRM_VAULT"
ENV_KEYS = (("editor", "VISUAL"), ("editor", "EDITOR"), ("pager", "PAGER"))  # VISUAL before EDITOR, as git
_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


@dataclass(frozen=True)
class UserConfig:
    """The user's settings file: where it is, how `config` names it, and the values it sets."""

    path: Path
    source: str  # `user ~/.config/vaultcrm/config.toml`
    values: dict[str, Any] = field(default_factory=dict)


def user_config_path() -> Path:
    """`$XDG_CONFIG_HOME/vaultcrm/config.toml`, else `~/.config/vaultcrm/config.toml` (a relative
    XDG_CONFIG_HOME is ignored, as the XDG spec says)."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    folder = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return folder / "vaultcrm" / "config.toml"


def shown(path: Path) -> str:
    """A path as a user reads it: `~/…` under the home folder."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except (ValueError, RuntimeError):
        return str(path)


def read_user_config() -> UserConfig:
    """The user's settings (none when the file does not exist); a file TOML cannot read, or a value
    of the wrong type, is a usage error naming the file and line (exit 2)."""
    import tomllib

    path = user_config_path()
    where = shown(path)
    config = UserConfig(path, f"user {where}")
    if not path.is_file():
        return config
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError("your config file is not UTF-8 text", path=where) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, where) from None
    values = personal_values(data, text, where, USER_KEYS)
    if "vault" in values:
        values["vault"] = str(Path.home() / Path(values["vault"]).expanduser())  # relative: from home
    return UserConfig(path, config.source, values)


def toml_error(exc: Exception, where: str) -> UsageError:
    """A TOML syntax error as a usage error at its line (Python 3.14 gives `lineno`; older ones
    only say "(at line N, column M)" in the message)."""
    message, line = str(exc), getattr(exc, "lineno", None)
    found = _TOML_AT.search(message)
    if found:
        message = f"{message[:found.start()]} (column {found.group(2)})"
        line = line or int(found.group(1))
    message = message[:1].lower() + message[1:]
    return UsageError(f"not valid TOML: {message}", path=where, line=line,
                      hint="fix the file, or move it aside to run without it")


def env_layers() -> list[Layer]:
    """The environment's say, highest first: $VISUAL, then $EDITOR, then $PAGER (empty means unset)."""
    return [(f"env {name}", {key: os.environ[name]}) for key, name in ENV_KEYS if os.environ.get(name, "").strip()]


def locate_vault(explicit: str | None, cwd: Path | None = None) -> tuple[Path, str]:
    """The vault folder and how it was chosen: `--vault` (flag), else $VAULTCRM_VAULT, else the
    nearest folder above the working directory holding `.obsidian/` or `.vaultcrm.toml`, else the
    user config's `vault`, else the working directory. A chosen folder that is missing is exit 2."""
    for chosen, source in ((explicit, "flag"), (os.environ.get(VAULT_ENV), f"env {VAULT_ENV}")):
        if chosen:
            return _existing(Path(chosen).expanduser(), chosen, source), source
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for marker, is_there in ((".obsidian/", (folder / ".obsidian").is_dir()),
                                 (CONFIG_FILE, (folder / CONFIG_FILE).is_file())):
            if is_there:
                return folder, f"enclosing {marker}"
    user = read_user_config()
    if "vault" in user.values:
        return _existing(Path(user.values["vault"]), user.values["vault"], user.source), user.source
    return here, "default"


def _existing(root: Path, chosen: str, source: str) -> Path:
    if not root.is_dir():
        where = {"flag": "--vault"}.get(source, source)
        raise UsageError(f"vault folder {chosen!r} ({where}) does not exist",
                         hint="check --vault, $VAULTCRM_VAULT or `vault` in your config file")
    return root
