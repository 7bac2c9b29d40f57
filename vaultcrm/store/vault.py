"""The only module that touches the file system: finding the vault, listing, reading and writing notes.

Reads return the text together with the sha256 of the bytes read; writes are atomic (temp file
in the same folder, fsync, mode kept, `os.replace`) and conditional on that hash, checked once
more just before the rename, and run under a vault-wide lock so that concurrent vaultcrm
processes serialise instead of losing edits.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import stat
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from vaultcrm.errors import InvalidNote, NoteBusy, OutsideVault, VaultCRMError, WriteConflict
from vaultcrm.store import guard
from vaultcrm.store.atomic import TEMP_SUFFIX as TEMP_SUFFIX  # re-exported: tests import it from here
from vaultcrm.store.atomic import atomic_write, current_umask, mark_pending, sweep_folder, sweep_pending
from vaultcrm.store.guard import MAX_NOTE_BYTES as MAX_NOTE_BYTES  # re-exported
from vaultcrm.store.guard import Stamp
from vaultcrm.store.layout import STATE_DIR as STATE_DIR  # re-exported
from vaultcrm.store.paths import check_relative as check_relative  # re-exported: ops import it from here
from vaultcrm.store.userconfig import locate_vault

TRASH = ".trash"  # Obsidian's own trash folder: vaultcrm moves notes there, never deletes them


class FileInfo(NamedTuple):
    """A note file as listed: vault-relative POSIX path, size and mtime (for cache validation).

    A named tuple, not a dataclass: a 50,000-note vault makes 50,000 of them on every run.
    """

    path: str
    size: int
    mtime_ns: int
    disk: str | None = None  # the name as stored, when it differs from `path` (NFD on macOS)


@dataclass(frozen=True)
class NoteText:
    """A note's decoded text and the hash of the bytes it came from (for conditional writes)."""

    path: str
    text: str
    digest: str
    stamp: Stamp | None = None  # the file's stat when read: a re-check is one stat


class Vault:
    """A folder of notes. All paths in and out are vault-relative with `/` separators.

    `force`: edit read-only notes too (`--force`); their mode is kept.
    """

    def __init__(self, root: Path, *, force: bool = False) -> None:
        self.root = root.resolve()
        self.force = force
        self._steady: dict[str, Stamp] = {}  # notes seen settled (not being written) this run

    def forcing(self) -> Vault:
        """This vault, with read-only notes editable (`--force`)."""
        return Vault(self.root, force=True)

    # ---- discovery ---------------------------------------------------------------------------
    @classmethod
    def discover(cls, explicit: str | None = None, cwd: Path | None = None) -> Vault:
        """`--vault`, else `$VAULTCRM_VAULT`, else the nearest ancestor with `.obsidian/` or
        `.vaultcrm.toml`, else the user config's `vault`, else the working directory."""
        return cls(locate_vault(explicit, cwd)[0])

    @property
    def state_dir(self) -> Path:
        """`.vaultcrm/` (lock, journal, index, templates); refused if it is a link leading outside,
        so a planted symlink cannot make vaultcrm write its state somewhere else."""
        path = self.root / STATE_DIR
        if path.is_symlink() and not self._inside(Path(os.path.realpath(path))):
            raise OutsideVault(f"{STATE_DIR} is a link leading outside the vault; remove it", path=STATE_DIR)
        return path

    # ---- listing -----------------------------------------------------------------------------
    def list_notes(self) -> list[FileInfo]:
        """Every `*.md` note, sorted by path; dot-folders (.obsidian, .trash, .git…) are skipped,
        and so are symlinks that lead outside the vault."""
        found: list[FileInfo] = []
        root = str(self.root)
        cut = len(root) + 1
        stack = [root]
        # The hot loop of every run (one lstat per note): kept lean on purpose; d_type answers
        # is_dir/is_file/is_symlink without a system call.
        while stack:
            try:
                it = os.scandir(stack.pop())
            except OSError:
                continue
            with it:
                for entry in it:
                    name = entry.name
                    if name[0] == ".":
                        continue
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                            continue
                        if not name.endswith(".md"):
                            continue
                        if entry.is_symlink():
                            if not self._inside(Path(os.path.realpath(entry.path))):
                                continue
                            st = os.stat(entry.path)
                            if not stat.S_ISREG(st.st_mode):
                                continue
                        elif entry.is_file(follow_symlinks=False):
                            st = entry.stat(follow_symlinks=False)
                        else:
                            continue
                    except OSError:
                        continue
                    rel = entry.path[cut:]  # root + sep + …: slicing beats os.path.relpath 10×
                    if os.sep != "/":
                        rel = rel.replace(os.sep, "/")
                    disk = None
                    if not rel.isascii():
                        nfc = unicodedata.normalize("NFC", rel)
                        rel, disk = nfc, (rel if nfc != rel else None)
                    found.append(FileInfo(rel, st.st_size, st.st_mtime_ns, disk))
        found.sort()  # by path: paths are unique
        return found

    # ---- paths -------------------------------------------------------------------------------
    def file_names(self) -> set[str]:
        """Every file outside dot-folders (notes and attachments), by name and by vault path: what
        a [[link]] may name."""
        found: set[str] = set()
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel = os.path.relpath(dirpath, self.root).replace(os.sep, "/")
            for f in filenames:
                found.add(f)
                found.add(f if rel == "." else f"{rel}/{f}")
        return found

    def _inside(self, real: Path) -> bool:
        try:
            real.relative_to(self.root)
        except ValueError:
            return False
        return True

    def abspath(self, rel: str, *, allow_hidden: bool = False) -> Path:
        """The absolute path of a vault-relative path, refusing anything that would leave the vault
        (`..`, absolute or Windows-style paths, dot-folders) or resolve outside it through a symlink."""
        check_relative(rel, allow_hidden=allow_hidden)
        path = self.root / rel
        if not path.exists():
            nfd = self.root / unicodedata.normalize("NFD", rel)
            if nfd.exists():
                path = nfd
        real = Path(os.path.realpath(path))
        if not self._inside(real):
            raise OutsideVault(f"{rel!r} resolves outside the vault", path=rel)
        return path

    def exists(self, rel: str) -> bool:
        return self.abspath(rel).exists()

    def exists_any(self, rel: str) -> bool:
        """`exists`, for a note or a file in `.trash/`."""
        return self._door(rel).exists()

    def read_any(self, rel: str) -> NoteText:
        """`read`, for a note or a file in `.trash/` (undo checks what it will move back)."""
        return self._read_at(self._door(rel), rel)

    # ---- reading -----------------------------------------------------------------------------
    def read(self, rel: str) -> NoteText:
        """The note's text; InvalidNote for files that are too large, binary, or not UTF-8."""
        return self._read_at(self.abspath(rel), rel)

    def _read_at(self, path: Path, rel: str) -> NoteText:
        data, st, torn = guard.read_stamped(path, rel)
        stamp = None if torn else guard.stamp_of(st)  # no stamp: the file moved while being read
        return NoteText(rel, decode(data, rel), hashlib.sha256(data).hexdigest(), stamp)

    def read_for_edit(self, rel: str, *, was_empty: bool | None = None, trash: bool = False) -> NoteText:
        """`read` (`read_any` with `trash`), for a note about to be edited: while another program
        is still writing it (it moves under the read, is empty though it was not (`was_empty`),
        or was modified within the last second and moves a moment later), wait and read again,
        for about a second at most; then NoteBusy. A note left alone for a second costs no wait."""
        path, reader = self._door(rel), (self.read_any if trash else self.read)
        key = os.path.realpath(path)
        for _ in range(guard.TRIES):
            try:
                got: NoteText | InvalidNote = reader(rel)
                stamp = got.stamp
            except InvalidNote as exc:  # half a save may not decode yet: invalid only once settled
                got, stamp = exc, guard.stamp_now(path)
            if stamp is not None and (self._steady.get(key) == stamp or guard.steady(path, stamp, was_empty)):
                self._steady[key] = stamp
                if isinstance(got, InvalidNote):
                    raise got
                return got
            guard.pause()
        raise NoteBusy(guard.BUSY, path=rel, hint="wait until it has saved, then run the command again")

    def recheck(self, got: NoteText) -> None:
        """The note still holds the bytes `got` was read from (after parsing, before writing)."""
        if got.stamp is not None:
            guard.unchanged(self._door(got.path), got.stamp, got.digest, got.path)

    def check_writable(self, rel: str) -> None:
        """Refuse a read-only note (mode 0444), unless `force`."""
        with contextlib.suppress(FileNotFoundError):
            guard.writable(self._door(rel).stat(), rel, force=self.force)

    def real_rel(self, rel: str) -> str:
        """The vault path of the file `rel` names once symlinks are followed: what an edit
        through a symlinked note really wrote, and what its undo must restore."""
        real = Path(os.path.realpath(self.abspath(rel)))
        out = real.relative_to(self.root).as_posix()
        return unicodedata.normalize("NFC", out) if not out.isascii() else out

    def read_bytes_info(self, rel: str) -> tuple[bytes, os.stat_result]:
        """Raw bytes and stat of a note, for the index (which decides itself how to decode)."""
        path = self.abspath(rel)
        st = path.stat()
        if st.st_size > MAX_NOTE_BYTES:
            raise InvalidNote(f"note is {st.st_size:,} bytes; over the {MAX_NOTE_BYTES:,} byte limit", path=rel)
        return path.read_bytes(), st

    # ---- writing -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """A vault-wide exclusive lock held while an edit reads, checks and replaces a note."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory locks; hashes still guard
            yield
            return
        self.state_dir.mkdir(exist_ok=True)
        fd = os.open(self.state_dir / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # every write happens under this lock, so a temp file seen now was left by a killed run
            self._sweep_pending()
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def write(self, rel: str, text: str, *, expected: str | None, create: bool = False) -> str:
        """Atomically replace (or create) a note, if its bytes still hash to `expected`.

        Returns the new digest. Refuses with WriteConflict when the file changed since it was
        read (or exists when `create` says it should not), checked again just before the rename;
        with NoteBusy when it was emptied meanwhile, and with ReadOnlyNote unless `force`.
        """
        real = Path(os.path.realpath(self.abspath(rel)))
        data = text.encode("utf-8")
        if create:
            if real.exists():
                raise WriteConflict("a note already exists there", path=rel)
            real.parent.mkdir(parents=True, exist_ok=True)
            mode = 0o666 & ~current_umask()
            check = functools.partial(guard.absent, real, rel)
        else:
            mode, check = self._replaceable(real, rel, expected or "")
        sweep_folder(str(real.parent))
        marker = self._mark_pending(real.parent)
        try:
            atomic_write(real, data, mode, check)
        except OSError as exc:  # disk full, read-only folder…: atomic_write removed its temp file
            raise VaultCRMError(f"cannot write: {exc.strerror or exc}; the note is unchanged", path=rel) from None
        finally:
            if marker is not None:
                with contextlib.suppress(OSError):
                    os.unlink(marker)
        return hashlib.sha256(data).hexdigest()

    def _replaceable(self, real: Path, rel: str, expected: str) -> tuple[int, Callable[[], None]]:
        """The mode to keep, and the check to run just before the rename: the note must still hold
        the bytes that hash to `expected` (a save that landed while the temp file was written and
        fsynced is found there, under the lock, and nothing is overwritten)."""
        try:
            current, st, _ = guard.read_stamped(real, rel)
        except VaultCRMError:
            if not real.exists():
                raise WriteConflict("the note was deleted since it was read; nothing written", path=rel) from None
            raise
        guard.writable(st, rel, force=self.force)
        guard.verify(current, expected, rel)
        stamp = guard.stamp_of(st)
        return stat.S_IMODE(st.st_mode), functools.partial(guard.unchanged, real, stamp, expected, rel)

    def _mark_pending(self, folder: Path) -> str | None:
        return mark_pending(self.state_dir / "pending", folder)

    def _sweep_pending(self) -> None:
        sweep_folder(str(self.state_dir / "journal"))
        sweep_pending(self.state_dir / "pending", lambda folder: self._inside(Path(os.path.realpath(folder))))

    def move(self, src: str, dst: str) -> None:
        """Rename a note inside the vault: a merged note into `.trash/`, or (undo) back from it.
        Folders in `.trash/` that the move leaves empty are removed."""
        s, d = self._door(src), self._door(dst)
        d.parent.mkdir(parents=True, exist_ok=True)
        if d.exists():
            raise WriteConflict(f"{dst} already exists", path=dst)
        os.replace(s, d)
        self._prune_trash(s.parent)

    def remove(self, rel: str, *, expected: str) -> None:
        """Delete a note, only if its bytes still hash to `expected`: `undo` of a note vaultcrm created."""
        path = self.abspath(rel)
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            raise WriteConflict("the note was deleted since it was read; nothing written", path=rel) from None
        self.check_writable(rel)
        guard.verify(current, expected, rel)
        path.unlink()

    def free_trash_path(self, rel: str) -> str:
        """`.trash/<rel>`, or `.trash/<folder>/<stem> N.md` when that is taken."""
        base = f"{TRASH}/{rel}"
        if not (self.root / base).exists():
            return base
        stem, dot, ext = base.rpartition(".")
        if not dot or "/" in ext:
            stem, ext = base, ""
        n = 1
        while True:
            cand = f"{stem} {n}.{ext}" if ext else f"{stem} {n}"
            if not (self.root / cand).exists():
                return cand
            n += 1

    def _door(self, rel: str) -> Path:
        """A note's path, or a path inside `.trash/` (where merged notes go, and come back from)."""
        in_trash = rel.startswith(TRASH + "/") and not any(p.startswith(".") for p in rel.split("/")[1:])
        return self.abspath(rel, allow_hidden=in_trash)

    def _prune_trash(self, folder: Path) -> None:
        """Remove folders under `.trash/` left empty (never the vault's own folders)."""
        trash = self.root / TRASH
        while folder != self.root and (folder == trash or trash in folder.parents):
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    def cleanup_temp_files(self) -> int:
        """Remove, everywhere in the vault, temp files a killed vaultcrm left behind (edits sweep
        only the folders a marker names; this is the thorough version)."""
        removed = 0
        for dirpath, dirnames, _ in os.walk(self.root):  # symlinked folders are not entered
            dirnames[:] = [d for d in dirnames if not d.startswith(".") or d in (STATE_DIR, ".trash")]
            removed += sweep_folder(dirpath)
        return removed


def digest(text: str) -> str:
    """The sha256 of a note's UTF-8 bytes: what conditional writes and the journal compare."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode(data: bytes, rel: str) -> str:
    """UTF-8 text of a note; binary and UTF-16 files are refused rather than mangled."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidNote("note is UTF-16; vaultcrm reads UTF-8 notes only", path=rel)
    if b"\x00" in data:
        raise InvalidNote("note is binary (has NUL bytes)", path=rel)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidNote(f"note is not valid UTF-8 (byte {exc.start})", path=rel, line=line) from None
