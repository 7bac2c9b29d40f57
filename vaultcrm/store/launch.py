"""Running the user's own programs: their editor or the system's opener for `open`, their pager
for output taller than the terminal. Always an argument list, never a shell, so no note name or path is ever read as shell syntax."""

from __future__ import annotations

import os

from vaultcrm.errors import VaultCRMError

HINT = "set $VISUAL or $EDITOR, or `editor` in ~/.config/vaultcrm/config.toml; `vaultcrm config` shows it"


def run(argv: list[str]) -> int:
    """Run `argv` in the foreground (it inherits the terminal) and return its exit status; a
    program that cannot be started is an error naming it."""
    import subprocess

    program, *args = argv
    try:
        return subprocess.run([program, *args], check=False, shell=False).returncode
    except FileNotFoundError:
        raise VaultCRMError(f"cannot run {program!r}: no such program", hint=HINT) from None
    except PermissionError:
        raise VaultCRMError(f"cannot run {program!r}: permission denied", hint=HINT) from None


def page(argv: list[str], text: str, env: dict[str, str]) -> bool:
    """Show `text` through the pager `argv` (as git does: the pager owns the terminal until the user
    quits it). False when the pager cannot be started, so the caller prints the text itself."""
    import subprocess

    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, shell=False, env=env)
    except OSError:
        return False
    try:
        assert proc.stdin is not None
        proc.stdin.write(text.encode("utf-8", "replace"))
        proc.stdin.close()
    except (BrokenPipeError, OSError):  # the user quit the pager before the end: that is fine
        pass
    proc.wait()
    return True


def start(target: str) -> None:
    """Hand `target` (a URI) to Windows' own opener, as double-clicking it would."""
    startfile = getattr(os, "startfile", None)
    if startfile is None:
        raise VaultCRMError("os.startfile exists only on Windows")
    try:
        startfile(target)
    except OSError as exc:
        raise VaultCRMError(f"cannot open {target}: {exc.strerror or exc}") from None
