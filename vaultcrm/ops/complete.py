"""Shell completion's candidates: note titles, kinds, tags and property keys, from the index an
earlier run left. A Tab must answer at once, so nothing here builds an index: a vault never
indexed offers no names (the kinds with a built-in template still come)."""

from __future__ import annotations

from vaultcrm.errors import VaultCRMError
from vaultcrm.store import peek
from vaultcrm.store.layout import BUILTIN_KINDS as BUILTIN
from vaultcrm.store.userconfig import locate_vault

LIMIT = 200  # a shell lists them all; more than a screenful helps nobody
KINDS = ("titles", "kinds", "tags", "keys")


def candidates(what: str, prefix: str = "", *, vault_arg: str | None = None, note: str | None = None,
               limit: int = LIMIT) -> list[str]:
    """The `what` (one of KINDS) that start with `prefix` in any case, sorted, at most `limit`; the
    vault is `--vault`, else $VAULTCRM_VAULT, else the one around the working directory. `note`
    narrows property keys to the notes that name finds."""
    if what not in KINDS:
        raise ValueError(f"no completion for {what!r}")
    try:
        root, _ = locate_vault(vault_arg)  # as every command finds the vault (Vault.discover)
    except VaultCRMError:  # a --vault naming no folder: nothing to offer, and a Tab says nothing
        return []
    found = peek.peek(root, what, prefix, note)
    if what == "kinds":
        folded = prefix.casefold()
        found = sorted({*found, *(k for k in BUILTIN if k.startswith(folded))}, key=str.casefold)
    return found[:limit]
