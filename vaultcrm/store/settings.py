"""Reading a vault's `.vaultcrm.toml` from disk (what its values mean lives in `vaultcrm.config`)."""

from __future__ import annotations

from pathlib import Path

from dataclasses import replace

from vaultcrm.config import CONFIG_FILE, Config, TaskSettings, from_settings, tasks_from_plugin_data
from vaultcrm.errors import UsageError

TASKS_PLUGIN_DATA = ".obsidian/plugins/obsidian-tasks-plugin/data.json"


def load_config(root: Path) -> Config:
    """The vault's config; a broken `.vaultcrm.toml` is a usage error naming its line."""
    import tomllib

    path = root / CONFIG_FILE
    config = Config()
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {CONFIG_FILE}: {exc}", path=CONFIG_FILE) from None
        config = from_settings(data)
    return replace(config, tasks=load_task_settings(root))


def load_task_settings(root: Path) -> TaskSettings:
    """The vault's Obsidian Tasks settings (statuses, global filter, task format), else Tasks'
    defaults. A settings file Obsidian itself could not read means Tasks runs on its defaults too."""
    import json

    try:
        data = json.loads((root / TASKS_PLUGIN_DATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return TaskSettings()
    return tasks_from_plugin_data(data)
