"""Atomic file replacement, and the sweep of the temp files a killed write left behind."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

TEMP_SUFFIX = ".vaultcrm-tmp"


def sweep_folder(folder: str) -> int:
    """Remove vaultcrm's hidden temp files from one folder."""
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if name.startswith(".") and name.endswith(TEMP_SUFFIX):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
                removed += 1
    return removed


# A write leaves a marker naming its folder until it has renamed its temp file into place; a
# run killed in between leaves the marker, and the next lock holder sweeps just that folder
# (walking a 50,000-note vault on every edit to look for leftovers cost a fifth of a second).
def mark_pending(pending: Path, folder: Path) -> str | None:
    """Leave a marker in `pending` naming `folder`, where a temp file is about to be written."""
    try:
        pending.mkdir(parents=True, exist_ok=True)
        marker = pending / hashlib.sha1(str(folder).encode()).hexdigest()  # noqa: S324 - a name
        marker.write_text(str(folder), encoding="utf-8")
    except OSError:
        return None
    return str(marker)


def sweep_pending(pending: Path, inside: Callable[[Path], bool]) -> None:
    """Sweep each folder a marker names (if `inside` the vault), and remove the markers."""
    try:
        markers = list(os.scandir(pending))
    except OSError:
        return
    for marker in markers:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            folder = Path(Path(marker.path).read_text(encoding="utf-8"))
            if inside(folder):
                sweep_folder(str(folder))
            os.unlink(marker.path)


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(target: Path, data: bytes, mode: int, check: Callable[[], None] | None = None) -> None:
    """Write `data` to a hidden temp file beside `target`, fsync it, then rename it over `target`.

    `check` runs last before the rename (after the slow part: writing and fsyncing the temp file);
    if it raises, the temp file is removed and `target` is left as it is.
    """
    import tempfile  # random, bisect…: not for a run that writes nothing

    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix="." + target.name[:40] + ".", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if check is not None:
            check()
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        except OSError as exc:  # some file systems cannot fsync a folder
            if exc.errno not in (errno.EINVAL, errno.EBADF):
                raise
        finally:
            os.close(dfd)
