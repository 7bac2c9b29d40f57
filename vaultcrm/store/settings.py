"""Reading a vault's `.vaultcrm.toml` from disk, over the user's own settings (what the values mean
lives in `vaultcrm.config`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from vaultcrm.config import (
    CONFIG_FILE,
    Config,
    TaskSettings,
    from_settings,
    tasks_from_plugin_data,
    vault_personal,
    with_personal,
)
from vaultcrm.errors import UsageError
from vaultcrm.store.userconfig import env_layers, read_user_config

TASKS_PLUGIN_DATA = ".obsidian/plugins/obsidian-tasks-plugin/data.json"


def load_config(root: Path) -> Config:
    """The vault's config, with the user's own settings chosen from the environment, the vault's
    file and the user's file (in that order); a broken `.vaultcrm.toml` or user config is a usage
    error naming its line."""
    import tomllib

    path = root / CONFIG_FILE
    config, data, text = Config(), {}, ""
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {CONFIG_FILE}: {exc}", path=CONFIG_FILE) from None
        config = from_settings(data)
    user = read_user_config()
    layers = [*env_layers(), (f"vault {CONFIG_FILE}", vault_personal(data, text)), (user.source, user.values)]
    return replace(with_personal(config, layers), tasks=load_task_settings(root),
                   ignore_filters=_ignore_filters(root), template_folders=_template_folders(root))


def _json(path: Path) -> object:
    """A JSON settings file of Obsidian or a plugin, or None: a file Obsidian could not read
    either means its defaults apply."""
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _ignore_filters(root: Path) -> tuple[str, ...]:
    """Obsidian's "Excluded files" (Settings → Files and links), as `app.json` stores them."""
    data = _json(root / ".obsidian" / "app.json")
    filters = data.get("userIgnoreFilters") if isinstance(data, dict) else None
    return tuple(f for f in filters if isinstance(f, str) and f) if isinstance(filters, list) else ()


def _template_folders(root: Path) -> tuple[str, ...]:
    """The folders the Templates core plugin and Templater take templates from."""
    out = []
    for rel, key in ((".obsidian/templates.json", "folder"),
                     (".obsidian/plugins/templater-obsidian/data.json", "templates_folder")):
        data = _json(root / rel)
        value = data.get(key) if isinstance(data, dict) else None
        if isinstance(value, str) and value.strip("/ "):
            out.append(value.strip("/ "))
    return tuple(out)


def load_task_settings(root: Path) -> TaskSettings:
    """The vault's Obsidian Tasks settings (statuses, global filter, task format), else Tasks'
    defaults. A settings file Obsidian itself could not read means Tasks runs on its defaults too."""
    return tasks_from_plugin_data(_json(root / TASKS_PLUGIN_DATA))
