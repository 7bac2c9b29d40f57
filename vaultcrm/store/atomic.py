"""Atomic file replacement, and the sweep of the temp files a killed write left behind."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
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


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(target: Path, data: bytes, mode: int) -> None:
    """Write `data` to a hidden temp file beside `target`, fsync it, then rename it over `target`."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix="." + target.name[:40] + ".", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
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
