"""The exception tree: every failure vaultcrm knows about, each carrying its exit code."""

from __future__ import annotations

from collections.abc import Sequence


class VaultCRMError(Exception):
    """Base of every error the CLI maps to a message and an exit code (1: failed)."""

    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"


class UsageError(VaultCRMError):
    """A bad option or argument, such as a date that cannot be read (exit 2)."""

    exit_code = 2


class NotFound(VaultCRMError):
    """No note or task matches (exit 3); `suggestions` are close matches to offer."""

    exit_code = 3

    def __init__(self, message: str, *, suggestions: Sequence[str] = (), **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.suggestions = list(suggestions)


class Ambiguous(VaultCRMError):
    """Several notes or tasks match (exit 4); an edit never guesses between `candidates`."""

    exit_code = 4

    def __init__(self, message: str, *, candidates: Sequence[str] = (), **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.candidates = list(candidates)


class InvalidNote(VaultCRMError):
    """A note's frontmatter (or encoding, or size) cannot be read safely (exit 5)."""

    exit_code = 5


class WriteConflict(VaultCRMError):
    """The file changed on disk after we read it; we refuse to overwrite (exit 1)."""


class UnsafeEdit(VaultCRMError):
    """An edit could not be proven to touch only its own bytes, so it was refused (exit 1)."""


class OutsideVault(UsageError):
    """A path or title would read or write outside the vault, or into a hidden folder (exit 2)."""


class NoteBusy(VaultCRMError):
    """Another program is writing the note right now (it is empty, or still changing); nothing
    was written (exit 1)."""


class ReadOnlyNote(VaultCRMError):
    """The note's mode says read-only; vaultcrm leaves it alone unless `--force` (exit 1)."""


class JournalError(VaultCRMError):
    """The undo journal could not be written before an edit, so the edit was not made (exit 1)."""
