"""What is the user's own: their effective settings and where each came from (`config`), their names
(`me`, which `who` leaves out), and opening a note in their editor or in Obsidian (`open`)."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from vaultcrm import query
from vaultcrm.config import PERSONAL_KEYS, Config
from vaultcrm.errors import UsageError, VaultCRMError
from vaultcrm.model.records import fold
from vaultcrm.ops.context import Context
from vaultcrm.store import launch
from vaultcrm.store.settings import load_config
from vaultcrm.store.userconfig import locate_vault


# ---- config --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Setting:
    """One effective setting: its value and where it came from (`flag`, `env EDITOR`, `vault
    .vaultcrm.toml`, `user ~/.config/vaultcrm/config.toml`, `default`…)."""

    key: str
    value: Any
    source: str


def settings(vault_arg: str | None) -> list[Setting]:
    """The settings a command would run with: the vault, then `me`, `editor`, `pager`, `days`."""
    root, source = locate_vault(vault_arg)
    config = load_config(root)
    values = {"me": list(config.me), "editor": config.editor, "pager": config.pager, "days": config.default_days}
    return [Setting("vault", str(root.resolve()), source),
            *(Setting(key, values[key], config.origins.get(key, "default")) for key in PERSONAL_KEYS)]


# ---- me ------------------------------------------------------------------------------------------
ALWAYS_ME = ("me",)  # `[[Me]]` and `(via me)` are the user whatever `me` says


def user_names(ctx: Context) -> set[str]:
    """The folded names that mean the user: `me`, `Me`, and every name of the person note a `me`
    name finds (its title, file name and aliases)."""
    names = {fold(n) for n in (*ctx.config.me, *ALWAYS_ME)}
    if ctx.config.me:
        records = ctx.everything()
        for name in ctx.config.me:
            names.update(fold(n) for r in query.matches(records, name) if r.kind == "person" for n in r.names())
    return names


def is_user(label: str, names: set[str]) -> bool:
    """Whether a person as written (`Jeff`, `People/Jeff Denworth`, a link's target) is the user."""
    return fold(label) in names or fold(label.rsplit("/", 1)[-1].removesuffix(".md")) in names


# ---- open ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Launch:
    """What `open` runs: a program and its arguments (never through a shell), or, on Windows, a
    URI handed to the system's opener."""

    note: str  # vault-relative path of the note
    argv: tuple[str, ...] = ()
    uri: str | None = None  # Obsidian's URI (`--obsidian`)
    startfile: bool = False  # Windows: `os.startfile(uri)` instead of argv

    def command(self) -> str:
        """The command as a shell would take it (what `open` prints before running it)."""
        return shlex.join(self.argv) if self.argv else f"start {self.uri}"

    def printed(self) -> str:
        """What `open --print` prints: the Obsidian URI, else the editor command."""
        return self.uri if self.uri is not None else self.command()


def editor_launch(ctx: Context, name: str) -> Launch:
    """The editor command for NAME's note: `editor` (as chosen by `config`) split as a shell would,
    then the note's absolute path."""
    rec = ctx.resolve(name)
    try:
        argv = shlex.split(ctx.config.editor)
    except ValueError as exc:
        raise UsageError(f"cannot split the editor command {ctx.config.editor!r}: {exc}",
                         hint=f"it comes from {ctx.config.origins.get('editor', 'default')}") from None
    if not argv:
        raise UsageError("the editor command is empty", hint="set $VISUAL or $EDITOR, or `editor` in your config")
    return Launch(rec.path, (*argv, str(ctx.vault.abspath(rec.path))))


def obsidian_uri(vault_name: str, path: str) -> str:
    """`obsidian://open?vault=…&file=…`, both parts encoded as Obsidian's own "Copy Obsidian URL"
    does (JavaScript's encodeURIComponent), the file without `.md`."""
    def enc(text: str) -> str:
        return quote(text, safe="!*'()")

    return f"obsidian://open?vault={enc(vault_name)}&file={enc(path.removesuffix('.md'))}"


def obsidian_launch(ctx: Context, name: str, platform: str = sys.platform) -> Launch:
    """Obsidian's URI for NAME's note, through the platform's opener: `open` on macOS,
    `os.startfile` on Windows, `xdg-open` elsewhere."""
    rec = ctx.resolve(name)
    uri = obsidian_uri(Path(ctx.vault.root).name, rec.path)
    if platform == "win32":
        return Launch(rec.path, uri=uri, startfile=True)
    return Launch(rec.path, ("open" if platform == "darwin" else "xdg-open", uri), uri=uri)


def run(target: Launch) -> None:
    """Run what `target` names and wait for it; a program that fails or cannot start is exit 1."""
    if target.startfile:
        launch.start(target.uri or "")
        return
    code = launch.run(list(target.argv))
    if code != 0:
        raise VaultCRMError(f"{target.argv[0]} exited with status {code}", path=target.note)


def page(config: Config, text: str) -> bool:
    """Show `text` through the user's pager (`$PAGER`, `pager` in their config, else `less`), with
    `LESS=FRX` when unset as git sets it: quit at once if it fits, keep colours, leave the screen."""
    import os

    argv = shlex.split(config.pager or "less")
    if not argv or argv[0] in ("cat", ""):
        return False
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    return launch.page(argv, text, env)
