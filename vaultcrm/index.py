"""A scan of the vault into light records. (The on-disk cache lives here too, see `Index`.)"""

from __future__ import annotations

from dataclasses import dataclass, field

from vaultcrm.config import Config, load_config
from vaultcrm.errors import InvalidNote
from vaultcrm.records import NoteRecord, build_record
from vaultcrm.vault import Vault, decode


@dataclass
class Scan:
    """Every note's record, plus the notes that could not be read at all (path, message)."""

    records: list[NoteRecord]
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> list[NoteRecord]:
        return [r for r in self.records if r.error is None]

    @property
    def broken(self) -> list[NoteRecord]:
        return [r for r in self.records if r.error is not None]


def scan(vault: Vault, config: Config | None = None) -> Scan:
    """Read every note into a record. Broken frontmatter gives a record with `error`; files that
    are not readable text (binary, UTF-16, too large) are listed in `unreadable`."""
    config = config or load_config(vault.root)
    records: list[NoteRecord] = []
    unreadable: list[tuple[str, str]] = []
    for info in vault.list_notes():
        try:
            data, st = vault.read_bytes_info(info.path)
            text = decode(data, info.path)
        except InvalidNote as exc:
            unreadable.append((info.path, exc.message))
            continue
        except OSError as exc:
            unreadable.append((info.path, exc.strerror or str(exc)))
            continue
        records.append(build_record(info.path, text, config, size=st.st_size, mtime_ns=st.st_mtime_ns))
    return Scan(records, unreadable)
